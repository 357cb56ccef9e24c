//! Site-wide settings (`content/site.toml`).

use serde::{Deserialize, Serialize};

/// Site-wide settings, read from `content/site.toml`. Every key is optional; an unknown
/// key is an error (a typo in the settings would otherwise be silently ignored).
///
/// ```toml
/// title = "Atoll"
/// description = "Pre-rendered pages, islands of interactivity."
/// base_url = "https://example.com"   # absolute; a trailing slash is removed
/// language = "en"                    # BCP 47 tag for <html lang>
/// author = "The Atoll authors"
/// posts_per_page = 10                # blog index and tag pages
/// feed_limit = 20                    # entries in atom.xml
/// currency = "EUR"                   # of products that name none (ISO 4217)
/// contact_form = true                # /contact/ (needs `atoll serve` for its API)
///
/// [[menu]]
/// name = "Docs"
/// url = "/docs/"
/// weight = 2                         # lower first
///
/// [extra]                            # the site's own fields, for its page components
/// team = "core"
/// ```
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    /// Site name, shown in the header and after each page title.
    pub title: String,
    /// Default meta description (pages with a summary use theirs).
    pub description: String,
    /// Absolute URL the site is served from, used for canonical links, the sitemap and
    /// the feed; stored without a trailing slash.
    pub base_url: String,
    /// Language of the content, a BCP 47 tag such as `en` or `fr-CA`.
    pub language: String,
    /// Default author of the posts (feed, JSON-LD, footer).
    pub author: Option<String>,
    /// Posts per page of the blog index and of each tag page (at least 1).
    pub posts_per_page: usize,
    /// Number of latest posts in the Atom feed (at least 1).
    pub feed_limit: usize,
    /// ISO 4217 currency of products whose file names none.
    pub currency: String,
    /// Whether the site has the contact page (`/contact/`, `/contact/thanks/`). Its
    /// form posts to `POST /api/contact`, so it needs `atoll serve` (or another
    /// endpoint accepting the same form).
    pub contact_form: bool,
    /// The main navigation; when empty, Home, Blog and Search.
    pub menu: Vec<MenuItem>,
    /// Links to each heading of a body (Zola's `insert_anchor_links`): `none` (the
    /// default), `left`, `right` (a `#` link before or after the text) or `heading`
    /// (the heading's text is the link).
    pub insert_anchor_links: AnchorLinks,
    /// Which top-level folders of the content folder are the blog and the docs tree
    /// (`[sections]`; found by their shape in a Zola or Hugo site root).
    pub sections: Sections,
    /// What a broken internal link in the rendered pages does to `atoll export`:
    /// `error` (the default: the export fails), `warn` (named in warnings) or `off`.
    /// A Zola or Hugo site root defaults to `warn` (those tools do not check plain
    /// links; Zola's `[link_checker] internal_level` is read), while a missing `@/`
    /// target stays an error at load time.
    pub link_check: LinkCheck,
    /// Whose conventions the content folder follows (set by the loader, never read from
    /// `site.toml`): Atoll's, or a Zola or Hugo site root's, which are read more
    /// leniently (a page without a title is titled by its name, with a warning).
    #[serde(skip)]
    pub flavor: Flavor,
    /// Old feed URLs that redirect (301) to `/atom.xml`, so that subscribers of a moved
    /// site keep their feed: a Hugo site root gets `/index.xml` and its blog section's
    /// `/<section>/index.xml`, a Zola one its other `feed_filenames` (`/rss.xml`).
    pub feed_aliases: Vec<String>,
    /// The blog's list page (`/posts/`): `[blog] title = "News"`, `description = "…"`;
    /// read from the blog section's `_index.md` in a Zola or Hugo site.
    pub blog: BlogSettings,
    /// The taxonomies (Zola's shape): `taxonomies = [{ name = "tags" }, { name =
    /// "categories" }, { name = "authors" }]`. `tags` are the posts' `tags`, at
    /// `/tags/<term>/`; another taxonomy's terms come from the front matter's
    /// `taxonomies.<name>` (Zola), a top-level `categories` (Hugo), or for `authors`
    /// the posts' authors, at `/<name>/<term>/` with the list of terms at `/<name>/`.
    /// Read from a Zola or Hugo site's configuration. Default: tags only.
    pub taxonomies: Vec<Taxonomy>,
    /// URL patterns per top-level section, Hugo's `[permalinks]`
    /// (`post = "/:year/:month/:slug/"`): an entry of that section without its own `url`
    /// is published at the pattern filled with `:year`, `:month`, `:monthname`, `:day`,
    /// `:title`, `:slug`, `:filename`, `:section`.
    pub permalinks: std::collections::BTreeMap<String, String>,
    /// The site's own settings for its page components: `[extra]` of `site.toml` or of
    /// Zola's `config.toml`, Hugo's `params` (`config.extra.get::<String>("team")`).
    #[serde(with = "extra_table")]
    pub extra: super::Extra,
    /// Responsive images (`[images]`): the widths and formats of the variants published
    /// for each raster image, their quality, or `enabled = false` for none.
    pub images: ImageSettings,
}

/// How raster images (JPEG, PNG, WebP) are published (`[images]` of `site.toml`):
/// resized to each of `widths` no wider than the original, in each of `formats` plus
/// the original's format, behind a `<picture>` with `srcset`s (Astro's `<Picture>`,
/// Next.js' `next/image`, Hugo's image processing). SVG and GIF pass through as they
/// are, with their dimensions. Every key is optional:
///
/// ```toml
/// [images]
/// enabled = true
/// widths = [480, 800, 1200, 1600]   # CSS pixels; the original's width is added when narrower
/// formats = ["avif", "webp"]         # modern formats, tried by the browser in this order
/// avif_quality = 50                  # 1–100 (ravif's scale)
/// webp_quality = 75                  # 1–100 (libwebp's scale)
/// jpeg_quality = 80                  # 1–100, of the fallback variants of a JPEG
/// avif_min_bytes = 0                 # AVIF only for originals at least this large (bytes)
/// max_pixels = 40000000              # larger images are published as they are, with a warning
/// ```
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(default, deny_unknown_fields)]
pub struct ImageSettings {
    /// Whether variants are made at all; `false` publishes images as they are (their
    /// dimensions are still read, so `<img>` keeps `width`/`height`).
    pub enabled: bool,
    /// Widths of the variants in pixels (sorted and deduplicated on use); widths at or
    /// above the original's are skipped, and the original's own width is added when
    /// it is narrower than the widest of them (a wider original stops at the widest).
    pub widths: Vec<u32>,
    /// The modern formats offered before the original's (`avif`, `webp`), best first.
    pub formats: Vec<ImageFormat>,
    /// AVIF quality, 1–100 (ravif's scale; 50 looks like JPEG at 80 for photos).
    pub avif_quality: u8,
    /// Lossy WebP quality, 1–100 (libwebp's scale).
    pub webp_quality: u8,
    /// JPEG quality of the fallback variants of JPEG originals, 1–100.
    pub jpeg_quality: u8,
    /// AVIF is made only for originals of at least this many bytes (AVIF encoding is
    /// slow; small images gain little over WebP). 0: every image.
    pub avif_min_bytes: u64,
    /// Images with more pixels than this are not decoded (a guard against
    /// decompression bombs): published as they are, with a warning.
    pub max_pixels: u64,
}

/// A modern image format offered in a `<source type=…>` of a `<picture>`.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    /// AV1 image file (`image/avif`).
    Avif,
    /// Lossy WebP (`image/webp`).
    Webp,
}

impl ImageFormat {
    /// The MIME type (`image/avif`).
    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Avif => "image/avif",
            ImageFormat::Webp => "image/webp",
        }
    }

    /// The file extension (`avif`).
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Avif => "avif",
            ImageFormat::Webp => "webp",
        }
    }
}

impl Default for ImageSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            widths: vec![480, 800, 1200, 1600],
            formats: vec![ImageFormat::Avif, ImageFormat::Webp],
            avif_quality: 50,
            webp_quality: 75,
            jpeg_quality: 80,
            avif_min_bytes: 0,
            max_pixels: 40_000_000,
        }
    }
}

/// [`SiteConfig::extra`] is written as a plain table.
mod extra_table {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(extra: &super::super::Extra, s: S) -> Result<S::Ok, S::Error> {
        extra.fields.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<super::super::Extra, D::Error> {
        Ok(super::super::Extra {
            fields: serde_json::Map::deserialize(d)?,
            source: "site settings".to_owned(),
        })
    }
}

/// One taxonomy ([`SiteConfig::taxonomies`]).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct Taxonomy {
    /// Its name, also its URL segment: `tags`, `categories`, `authors`.
    pub name: String,
    /// Whether each term has an Atom feed at `/<name>/<term>/atom.xml` (Zola's `feed`).
    #[serde(default)]
    pub feed: bool,
    /// Posts per page of a term's list (Zola's `paginate_by`); else `posts_per_page`.
    #[serde(default)]
    pub paginate_by: Option<usize>,
}

impl Taxonomy {
    /// The taxonomy `name`, without a feed, paginated as the blog.
    pub fn named(name: impl Into<String>) -> Self {
        Taxonomy {
            name: name.into(),
            feed: false,
            paginate_by: None,
        }
    }
}

impl SiteConfig {
    /// Whether the site has the taxonomy `name` ([`SiteConfig::taxonomies`]).
    pub fn has_taxonomy(&self, name: &str) -> bool {
        self.taxonomy(name).is_some()
    }

    /// The taxonomy `name`, if the site has it.
    pub fn taxonomy(&self, name: &str) -> Option<&Taxonomy> {
        self.taxonomies.iter().find(|t| t.name == name)
    }
}

/// The blog's list page ([`SiteConfig::blog`]).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(default, deny_unknown_fields)]
pub struct BlogSettings {
    /// Its heading and title (`Blog`).
    pub title: String,
    /// Its meta description; else "All N posts of <site>."
    pub description: Option<String>,
    /// Old URLs of the list (`/articles/`) that redirect (301) to it; from the blog
    /// section's `aliases` in a Zola or Hugo site.
    pub aliases: Vec<String>,
    /// Heading anchor links of the posts, when the blog section's `_index.md` sets
    /// `insert_anchor_links`; else the site's.
    pub insert_anchor_links: Option<AnchorLinks>,
}

impl Default for BlogSettings {
    fn default() -> Self {
        Self {
            title: "Blog".to_owned(),
            description: None,
            aliases: Vec::new(),
            insert_anchor_links: None,
        }
    }
}

/// Whose conventions a content folder follows ([`SiteConfig::flavor`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// Atoll's own: `site.toml`, `posts/`, `docs/`, `pages/`, `products/`.
    #[default]
    Atoll,
    /// A Zola site root (`config.toml` with `base_url`, `content/`, `static/`).
    Zola,
    /// A Hugo site root (`hugo.toml`/`config.toml` with `baseURL`, `content/`, `static/`).
    Hugo,
}

/// What a broken internal link does to the export ([`SiteConfig::link_check`]).
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum LinkCheck {
    /// The export fails, naming each page and target.
    #[default]
    Error,
    /// The export succeeds; each broken link is a warning.
    Warn,
    /// Links are not checked.
    Off,
}

/// The folders of the blog and of the docs tree, and their URL prefixes:
///
/// ```toml
/// [sections]
/// posts = "blog"   # blog/*.md at /blog/<slug>/; the list stays at /posts/, and /blog/ redirects there
/// docs = "wiki"    # wiki/**/*.md at /wiki/…/
/// ```
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(default, deny_unknown_fields)]
pub struct Sections {
    /// The blog's folder (`posts`): its entries are posts at `/<posts>/<slug>/`. Empty:
    /// the content root is the blog (its Markdown files and leaf bundles are posts at
    /// `/<slug>/`, or their own `path`), as on blog.rust-lang.org.
    pub posts: String,
    /// The docs tree's folder (`docs`): its entries are docs at `/<docs>/…/`.
    pub docs: String,
}

impl Default for Sections {
    fn default() -> Self {
        Self {
            posts: "posts".to_owned(),
            docs: "docs".to_owned(),
        }
    }
}

/// Where a body's headings get a link to themselves (`#id`), Zola's
/// `insert_anchor_links`.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum AnchorLinks {
    /// No links.
    #[default]
    None,
    /// `<a class="anchor">#</a>` before the text.
    Left,
    /// `<a class="anchor">#</a>` after the text.
    Right,
    /// The heading's text is the link.
    Heading,
}

/// One link of the main navigation.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct MenuItem {
    /// Link text.
    pub name: String,
    /// Site-relative URL (`/docs/`) or an absolute URL.
    pub url: String,
    /// Position: lower first; equal weights keep the file's order.
    #[serde(default)]
    pub weight: i64,
}

impl Default for SiteConfig {
    fn default() -> Self {
        Self {
            title: "Atoll site".to_owned(),
            description: String::new(),
            base_url: "http://127.0.0.1:3000".to_owned(),
            language: "en".to_owned(),
            author: None,
            posts_per_page: 10,
            feed_limit: 20,
            currency: "EUR".to_owned(),
            contact_form: false,
            menu: Vec::new(),
            insert_anchor_links: AnchorLinks::None,
            sections: Sections::default(),
            link_check: LinkCheck::Error,
            flavor: Flavor::Atoll,
            feed_aliases: Vec::new(),
            blog: BlogSettings::default(),
            taxonomies: vec![Taxonomy::named("tags")],
            permalinks: std::collections::BTreeMap::new(),
            extra: super::Extra::default(),
            images: ImageSettings::default(),
        }
    }
}

impl SiteConfig {
    /// The absolute URL of a site-relative `path` (which starts with `/`).
    pub fn absolute_url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            return path.to_owned();
        }
        format!("{}{}", self.base_url.trim_end_matches('/'), path)
    }

    /// The navigation menu, sorted by weight; the default menu when none is configured.
    pub fn menu(&self) -> Vec<MenuItem> {
        if self.menu.is_empty() {
            return [("Home", "/"), ("Blog", "/posts/"), ("Search", "/search/")]
                .iter()
                .zip(0..)
                .map(|((name, url), weight)| MenuItem {
                    name: (*name).to_owned(),
                    url: (*url).to_owned(),
                    weight,
                })
                .collect();
        }
        let mut menu = self.menu.clone();
        menu.sort_by_key(|item| item.weight);
        menu
    }
}

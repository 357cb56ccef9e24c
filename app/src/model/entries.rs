//! The content types: posts, docs, standalone pages, products, tags.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// One blog post (`content/posts/*.md`), parsed and rendered. URL: `/posts/<slug>/`.
///
/// An entry's own fields: Zola's `[extra]` table or Hugo's `params`, kept as written
/// (JSON values) for the site's page components.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extra {
    /// The fields.
    #[serde(default)]
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// The source file, for errors.
    #[serde(default)]
    pub source: String,
}

impl Extra {
    /// The field `key` as a `T`: `Ok(None)` when it is absent.
    ///
    /// # Errors
    /// A message naming the file, the key and what was expected
    /// (`posts/a.md: extra.team: invalid type: integer `3`, expected a string`).
    pub fn get<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>, String> {
        self.fields
            .get(key)
            .map(|value| {
                T::deserialize(value)
                    .map_err(|error| format!("{}: extra.{key}: {error}", self.source))
            })
            .transpose()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

impl std::hash::Hash for Extra {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Maps keep their keys sorted: the text is canonical.
        serde_json::to_string(&self.fields)
            .unwrap_or_default()
            .hash(state);
    }
}

/// A heading of an entry's body, for its table of contents (levels 2 to 4, in order).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Heading {
    /// 2, 3 or 4 (`<h2>` to `<h4>`).
    pub level: u8,
    /// The heading's `id` (link target `#id`).
    pub id: String,
    /// Its plain text.
    pub title: String,
}

/// Serializable without its body (`html`, `text` are skipped): the export's content cache
/// keeps the metadata of unchanged files and loads bodies only for pages it re-renders.
#[derive(Clone, Debug, PartialEq, Hash, Serialize, Deserialize)]
pub struct Post {
    /// URL segment. From the front matter or the file name.
    pub slug: String,
    /// Its own site-relative URL (Zola `path`, Hugo `url`: `/2020/01/02/some-post/`)
    /// instead of `/posts/<slug>/`; see [`Post::url`].
    #[serde(default)]
    pub permalink: Option<String>,
    /// From the front matter, else the first `# heading`.
    pub title: String,
    /// Publication date; posts without one sort after dated posts.
    pub date: Option<DateTime<FixedOffset>>,
    /// Last significant update (`updated` in the front matter): sitemap `lastmod`, feed
    /// `<updated>`, JSON-LD `dateModified`.
    pub updated: Option<DateTime<FixedOffset>>,
    /// Tags, as written; each has a page at `/tags/<slug>/`.
    pub tags: Vec<String>,
    /// Plain-text summary: the front matter's, else the first paragraph.
    pub summary: String,
    /// Excluded from every page unless drafts are requested.
    pub draft: bool,
    /// Hugo's `expiryDate`: from then on the entry is left out like a draft (an entry
    /// that has one is never taken from the content cache, so an export after that
    /// moment drops it).
    #[serde(default)]
    pub expires: Option<DateTime<FixedOffset>>,
    /// Old site-relative URLs that redirect here (301, exported to `_redirects`).
    pub aliases: Vec<String>,
    /// Authors (Zola's `authors`, Hugo's `author`), as written.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Its terms in the site's other taxonomies (`categories`, `authors`, …: Zola's
    /// `taxonomies`, Hugo's `categories`), by taxonomy name, as written.
    #[serde(default)]
    pub taxonomies: std::collections::BTreeMap<String, Vec<String>>,
    /// The entry's own fields (`[extra]`, `params`).
    #[serde(default)]
    pub extra: Extra,
    /// The body's headings (levels 2 to 4), for a table of contents.
    #[serde(default)]
    pub toc: Vec<Heading>,
    /// The body rendered to sanitized HTML.
    #[serde(skip)]
    pub html: String,
    /// The body as plain text (for search and excerpts).
    #[serde(skip)]
    pub text: String,
    /// The source file, relative to the content folder (for error messages).
    pub source: String,
}

impl Post {
    /// Site-relative URL of the post: `/posts/<slug>/`.
    pub fn url(&self) -> String {
        match &self.permalink {
            Some(permalink) => permalink.clone(),
            None => format!("/posts/{}/", self.slug),
        }
    }

    /// `updated`, else `date`.
    pub fn last_modified(&self) -> Option<DateTime<FixedOffset>> {
        self.updated.or(self.date)
    }
}

/// One page of the documentation (`content/docs/**.md`). A folder is a section whose
/// own page is its `_index.md`. URL: `/docs/<folders>/<slug>/`, the section's
/// `/docs/<folders>/`.
///
/// Serializable without its body (`html`, `text` are skipped): the export's content cache
/// keeps the metadata of unchanged files and loads bodies only for pages it re-renders.
#[derive(Clone, Debug, PartialEq, Hash, Serialize, Deserialize)]
pub struct Doc {
    /// Site-relative URL, e.g. `/docs/getting-started/installation/`.
    pub url: String,
    /// Title (front matter, else the first `# heading`).
    pub title: String,
    /// Order among its siblings: lower first, then by title.
    pub weight: i64,
    /// Plain-text summary.
    pub summary: String,
    /// Last significant update.
    pub updated: Option<DateTime<FixedOffset>>,
    /// Excluded unless drafts are requested.
    pub draft: bool,
    /// Hugo's `expiryDate`: from then on the entry is left out like a draft (an entry
    /// that has one is never taken from the content cache, so an export after that
    /// moment drops it).
    #[serde(default)]
    pub expires: Option<DateTime<FixedOffset>>,
    /// Old URLs that redirect here.
    pub aliases: Vec<String>,
    /// Whether this is a section's `_index.md`.
    pub is_section: bool,
    /// The entry's own fields (`[extra]`, `params`).
    #[serde(default)]
    pub extra: Extra,
    /// The body's headings (levels 2 to 4), for a table of contents.
    #[serde(default)]
    pub toc: Vec<Heading>,
    /// Sanitized HTML body.
    #[serde(skip)]
    pub html: String,
    /// Plain-text body.
    #[serde(skip)]
    pub text: String,
    /// Source file, relative to the content folder.
    pub source: String,
}

impl Doc {
    /// Nesting depth: 0 for `/docs/`, 1 for `/docs/a/`, 2 for `/docs/a/b/`.
    pub fn depth(&self) -> usize {
        self.url.trim_matches('/').split('/').count() - 1
    }

    /// URL of the section this doc belongs to (`None` for `/docs/` itself).
    pub fn parent_url(&self) -> Option<String> {
        Self::parent_of(&self.url)
    }

    /// The parent folder URL of a docs URL: `/docs/a/b/` → `/docs/a/`; `None` for the
    /// root of the docs tree (`/docs/`, or `/wiki/` for `[sections] docs = "wiki"`).
    pub fn parent_of(url: &str) -> Option<String> {
        let trimmed = url.trim_end_matches('/');
        let cut = trimmed.rfind('/')?;
        let parent = format!("{}/", &trimmed[..cut]);
        (parent != "/").then_some(parent)
    }
}

/// A standalone page (`content/pages/*.md`), such as About. URL: `/<slug>/`.
///
/// Serializable without its body (`html`, `text` are skipped): the export's content cache
/// keeps the metadata of unchanged files and loads bodies only for pages it re-renders.
#[derive(Clone, Debug, PartialEq, Hash, Serialize, Deserialize)]
pub struct Page {
    /// URL segment (never one of the reserved first segments, see
    /// [`RESERVED_SLUGS`]).
    pub slug: String,
    /// Its own site-relative URL (Zola `path`, Hugo `url`: `/about-us/`) instead of
    /// `/<slug>/`; see [`Page::url`].
    #[serde(default)]
    pub permalink: Option<String>,
    /// Title.
    pub title: String,
    /// Plain-text summary.
    pub summary: String,
    /// Its date, when it has one (`date`, else the file name's or the `path`'s, as for
    /// posts): shown on its section's list and used by `sort_by = "date"`.
    #[serde(default)]
    pub date: Option<DateTime<FixedOffset>>,
    /// Last significant update.
    pub updated: Option<DateTime<FixedOffset>>,
    /// Among its section's pages, lighter first (`weight`); pages without one are
    /// listed after those with one (Zola leaves them out of the section's list, with a
    /// warning: Atoll lists every page).
    #[serde(default)]
    pub weight: Option<i64>,
    /// The path of its section (`/projects/`) on a Zola or Hugo site; `None` for the
    /// standalone pages of Atoll's `pages/` folder.
    #[serde(default)]
    pub section: Option<String>,
    /// Excluded unless drafts are requested.
    pub draft: bool,
    /// Hugo's `expiryDate`: from then on the entry is left out like a draft (an entry
    /// that has one is never taken from the content cache, so an export after that
    /// moment drops it).
    #[serde(default)]
    pub expires: Option<DateTime<FixedOffset>>,
    /// Old URLs that redirect here.
    pub aliases: Vec<String>,
    /// The entry's own fields (`[extra]`, `params`).
    #[serde(default)]
    pub extra: Extra,
    /// The body's headings (levels 2 to 4), for a table of contents.
    #[serde(default)]
    pub toc: Vec<Heading>,
    /// Sanitized HTML body.
    #[serde(skip)]
    pub html: String,
    /// Plain-text body.
    #[serde(skip)]
    pub text: String,
    /// Source file, relative to the content folder.
    pub source: String,
}

impl Page {
    /// Site-relative URL: `/<slug>/`.
    pub fn url(&self) -> String {
        match &self.permalink {
            Some(permalink) => permalink.clone(),
            None => format!("/{}/", self.slug),
        }
    }
}

/// First URL segments that belong to Atoll's own routes, the bundle or the API, and so
/// cannot be a standalone page's slug.
pub const RESERVED_SLUGS: &[&str] = &[
    "posts", "docs", "tags", "products", "search", "cart", "contact", "status", "pkg", "api",
    "404.html",
];

/// A product (`content/products/*.json`). URL: `/products/<slug>/`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Product {
    /// Stable identifier (SKU), used by the APIs.
    pub id: String,
    /// Display name.
    pub name: String,
    /// URL segment.
    pub slug: String,
    /// Price in the currency's minor unit (cents).
    pub price_cents: u64,
    /// ISO 4217 code, e.g. `EUR`.
    pub currency: String,
    /// Units in stock at build time.
    pub stock: u32,
    /// The Markdown description rendered to sanitized HTML.
    pub html: String,
    /// The description as plain text (meta description, search).
    pub text: String,
    /// Image URLs (site-relative or absolute), the first is the main one.
    pub images: Vec<String>,
    /// Source file, relative to the content folder.
    pub source: String,
}

impl Product {
    /// Site-relative URL: `/products/<slug>/`.
    pub fn url(&self) -> String {
        format!("/products/{}/", self.slug)
    }

    /// The price as a decimal string in major units (`"18.00"`), as schema.org's
    /// `Offer.price` wants it. ISO 4217 zero-decimal currencies have no decimals.
    pub fn price_decimal(&self) -> String {
        atoll_api::decimal_price(self.price_cents, &self.currency)
    }

    /// The price for display: `18.00 EUR` (the islands format live prices alike).
    pub fn price_display(&self) -> String {
        atoll_api::format_price(self.price_cents, &self.currency)
    }
}

/// A term of a taxonomy and the posts that have it. A tag's slug is its URL segment
/// (`/tags/<slug>/`); a term of another taxonomy is keyed `<taxonomy>/<term>` and lives
/// at `/<taxonomy>/<term>/` (Zola's and Hugo's URLs).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tag {
    /// The tag as first written.
    pub name: String,
    /// URL segment (slugified name; tags that slugify alike are one tag).
    pub slug: String,
    /// Indexes into [`crate::Site::posts`], newest first.
    pub posts: Vec<usize>,
}

impl Tag {
    /// Site-relative URL: `/tags/<slug>/`, or `/<taxonomy>/<term>/`.
    pub fn url(&self) -> String {
        if self.slug.contains('/') {
            format!("/{}/", self.slug)
        } else {
            format!("/tags/{}/", self.slug)
        }
    }

    /// Its taxonomy: `tags`, `categories`, `authors`, …
    pub fn taxonomy(&self) -> &str {
        self.slug
            .split_once('/')
            .map_or("tags", |(taxonomy, _)| taxonomy)
    }
}

//! The headless CMSs people use, as content sources: Strapi 5, Contentful, Sanity and
//! WordPress, each mapped to Atoll's posts (and, when configured, products) by a
//! settings file ([`Settings`], `atoll serve|export --cms-config cms.toml`).
//!
//! | kind | lists | rich text | drafts (preview) |
//! |---|---|---|---|
//! | `strapi` | `GET {url}/api/{type}?populate=*&pagination[page]=N&pagination[pageSize]=100` (Strapi 5 REST, `meta.pagination.pageCount`) | Blocks JSON, or Markdown | `status=draft` |
//! | `contentful` | `GET {url}/spaces/{space}/environments/{env}/entries?content_type={type}&skip=N&limit=100&include=2` (Content Delivery API; `total`) | Rich Text with `includes`, or Markdown | the Preview API (`preview.contentful.com`, `preview_token_env`) |
//! | `sanity` | `GET https://{project}.api.sanity.io/{api_version}/data/query/{dataset}?query=…` (a GROQ query per type, 100 per slice) | Portable Text | `perspective=drafts` |
//! | `wordpress` | `GET {url}/wp-json/wp/v2/{type}?page=N&per_page=100&_embed=1` (`X-WP-TotalPages`) | rendered HTML | `status=publish,draft` (needs a token) |
//!
//! Every field name of a type is configurable; fields not mapped go to the entry's
//! `extra` (the templates' custom fields). HTML from any CMS is sanitized like Markdown.
//! Requests have the retries of [`super::CmsSource`]; a 429 waits for `Retry-After` or
//! Contentful's `X-Contentful-RateLimit-Reset` (at most 60 s). A list stops after
//! [`MAX_PAGES`] pages (a CMS that paginates forever is an error, not a hang). Tokens
//! come from environment variables named in the settings, never from the file.

use std::collections::BTreeSet;

use app::{Extra, Post, Product};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::rich_text::{self, ContentfulLinks};
use crate::content::{render_markdown, sanitize_html};
use crate::error::CmsError;

/// Pages of one list read at most (100 items each).
pub const MAX_PAGES: usize = 1000;

/// Which CMS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Atoll's own content API (another Atoll server).
    Atoll,
    /// Strapi 5 (REST).
    Strapi,
    /// Contentful (Content Delivery and Preview APIs).
    Contentful,
    /// Sanity (HTTP query API, GROQ).
    Sanity,
    /// WordPress (REST API, `wp/v2`).
    WordPress,
}

impl Kind {
    /// Its name in settings and webhook paths.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Atoll => "atoll",
            Kind::Strapi => "strapi",
            Kind::Contentful => "contentful",
            Kind::Sanity => "sanity",
            Kind::WordPress => "wordpress",
        }
    }
}

/// The settings file (`--cms-config`, TOML): which CMS, where, and how its types map.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `strapi`, `contentful`, `sanity`, `wordpress` or `atoll`.
    pub kind: Kind,
    /// The API's base URL: required for Strapi, WordPress and Atoll; Contentful's
    /// default is `https://cdn.contentful.com/` (`https://preview.contentful.com/` for
    /// drafts), Sanity's `https://{project}.api.sanity.io/`.
    #[serde(default)]
    pub url: Option<String>,
    /// Contentful: the space id.
    #[serde(default)]
    pub space: Option<String>,
    /// Contentful: the environment (default `master`).
    #[serde(default)]
    pub environment: Option<String>,
    /// Contentful: the locale asked for (default: the space's default).
    #[serde(default)]
    pub locale: Option<String>,
    /// Sanity: the project id.
    #[serde(default)]
    pub project: Option<String>,
    /// Sanity: the dataset (default `production`).
    #[serde(default)]
    pub dataset: Option<String>,
    /// Sanity: the API version (default `v2021-10-21`).
    #[serde(default)]
    pub api_version: Option<String>,
    /// The environment variable holding the API token (default `ATOLL_CMS_TOKEN`).
    /// Strapi: an API token; Contentful: a Content Delivery token; Sanity: a read
    /// token (public datasets need none); WordPress: `user:application-password`.
    #[serde(default)]
    pub token_env: Option<String>,
    /// The environment variable holding the token for drafts (Contentful's Content
    /// Preview token; default: the `token_env` token).
    #[serde(default)]
    pub preview_token_env: Option<String>,
    /// The environment variable holding the webhook secret of
    /// `POST /api/webhooks/{kind}` (default `ATOLL_CMS_WEBHOOK_SECRET`).
    #[serde(default)]
    pub webhook_secret_env: Option<String>,
    /// How posts map (default: the vendor's usual blog type).
    #[serde(default)]
    pub posts: Option<PostMapping>,
    /// How products map; absent: products come from the content folder.
    #[serde(default)]
    pub products: Option<ProductMapping>,
    /// Contentful: the Preview API's base when `url` is set (default
    /// `https://preview.contentful.com/`).
    #[serde(default)]
    pub preview_url: Option<String>,
    /// Hosts besides the CMS' own (its `url`, Contentful's `*.ctfassets.net`,
    /// `cdn.sanity.io`) whose images are downloaded with `assets = "download"`;
    /// images on other hosts stay where they are.
    #[serde(default)]
    pub asset_hosts: Vec<String>,
    /// `download`: the images the CMS references are fetched and published with the
    /// site ([`super::assets`]); `remote`: pages reference them at the CMS. Default:
    /// `download` for `atoll export` (a self-contained export), `remote` for `atoll serve`.
    #[serde(default)]
    pub assets: Option<AssetMode>,
}

/// Where the images a CMS references are served from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssetMode {
    /// Fetched into the asset cache and published with the site.
    Download,
    /// Referenced at the CMS' URLs.
    Remote,
}

/// Which CMS type and fields make a post.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PostMapping {
    /// The type: Strapi's plural API id (`articles`), Contentful's content type id
    /// (`blogPost`), Sanity's `_type` (`post`), WordPress' REST base (`posts`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Sanity: the GROQ filter and projection instead of `*[_type == $type]`.
    pub query: Option<String>,
    /// The title field.
    pub title: String,
    /// The slug field (a string, or Sanity's `{current}`).
    pub slug: String,
    /// The body field (rich text, Markdown or HTML).
    pub body: String,
    /// The publication date field (RFC 3339 or `YYYY-MM-DD`).
    pub date: Option<String>,
    /// The last-update field.
    pub updated: Option<String>,
    /// The tags field: strings, or entries/objects with a `name` or `title`.
    pub tags: Option<String>,
    /// The summary field (plain text or HTML).
    pub summary: Option<String>,
    /// The image field (an asset, media object or URL): `extra.image`.
    pub image: Option<String>,
}

impl PostMapping {
    fn default_for(kind: Kind) -> PostMapping {
        let base = PostMapping::default();
        match kind {
            Kind::Strapi => PostMapping {
                kind: "articles".into(),
                body: "content".into(),
                date: Some("publishedAt".into()),
                updated: Some("updatedAt".into()),
                summary: Some("description".into()),
                image: Some("cover".into()),
                ..base
            },
            Kind::Contentful => PostMapping {
                kind: "blogPost".into(),
                date: Some("publishDate".into()),
                summary: Some("description".into()),
                image: Some("heroImage".into()),
                ..base
            },
            Kind::Sanity => PostMapping {
                kind: "post".into(),
                date: Some("publishedAt".into()),
                image: Some("mainImage".into()),
                ..base
            },
            Kind::WordPress => PostMapping {
                kind: "posts".into(),
                body: "content".into(),
                updated: Some("modified".into()),
                summary: Some("excerpt".into()),
                image: Some("featured_image".into()),
                ..base
            },
            Kind::Atoll => base,
        }
    }
}

impl Default for PostMapping {
    fn default() -> Self {
        PostMapping {
            kind: "post".into(),
            query: None,
            title: "title".into(),
            slug: "slug".into(),
            body: "body".into(),
            date: Some("date".into()),
            updated: None,
            tags: Some("tags".into()),
            summary: Some("summary".into()),
            image: None,
        }
    }
}

/// Which CMS type and fields make a product.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProductMapping {
    /// The type (as [`PostMapping::kind`]).
    #[serde(rename = "type")]
    pub kind: String,
    /// Sanity: the GROQ filter and projection instead of `*[_type == $type]`.
    pub query: Option<String>,
    /// The SKU field (default: the entry's own id).
    pub id: Option<String>,
    /// The name field.
    pub name: String,
    /// The slug field.
    pub slug: String,
    /// The price field, in cents (an integer) …
    pub price_cents: Option<String>,
    /// … or in currency units (a decimal number, multiplied by 100 and rounded).
    pub price: Option<String>,
    /// The ISO 4217 currency field, or `currency_code` for one currency.
    pub currency: Option<String>,
    /// One currency for every product (when no field carries it).
    pub currency_code: Option<String>,
    /// The stock field.
    pub stock: String,
    /// The description field (rich text, Markdown or HTML).
    pub description: String,
    /// The images field (assets, media objects or URLs; one or several).
    pub images: Option<String>,
}

impl Default for ProductMapping {
    fn default() -> Self {
        ProductMapping {
            kind: "product".into(),
            query: None,
            id: None,
            name: "name".into(),
            slug: "slug".into(),
            price_cents: Some("price_cents".into()),
            price: None,
            currency: Some("currency".into()),
            currency_code: None,
            stock: "stock".into(),
            description: "description".into(),
            images: Some("images".into()),
        }
    }
}

impl Settings {
    /// Reads a settings file.
    ///
    /// # Errors
    /// The file cannot be read, or is not valid TOML for these settings (naming the
    /// line and column).
    pub fn read(path: &std::path::Path) -> Result<Settings, CmsError> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| CmsError::caused(format!("cannot read {}", path.display()), err))?;
        // The error's message and position only: its default display quotes the line,
        // which could be a token pasted where it does not belong.
        let settings: Settings = toml::from_str(&text).map_err(|err| {
            let at = err.span().map_or(String::new(), |span| {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                format!(":{line}:{column}")
            });
            CmsError::msg(format!("{}{at}: {}", path.display(), err.message()))
        })?;
        settings.check(&path.display().to_string())?;
        Ok(settings)
    }

    fn check(&self, origin: &str) -> Result<(), CmsError> {
        let missing = |what: &str| {
            Err(CmsError::msg(format!(
                "{origin}: `{what}` is required for kind = \"{}\"",
                self.kind.name()
            )))
        };
        match self.kind {
            Kind::Strapi | Kind::WordPress | Kind::Atoll if self.url.is_none() => missing("url"),
            Kind::Contentful if self.space.is_none() => missing("space"),
            Kind::Sanity if self.project.is_none() => missing("project"),
            _ => Ok(()),
        }
    }

    /// The posts' mapping (the vendor's default when none is set).
    pub fn posts(&self) -> PostMapping {
        self.posts
            .clone()
            .unwrap_or_else(|| PostMapping::default_for(self.kind))
    }

    /// The environment variable of the token.
    pub fn token_env(&self) -> &str {
        self.token_env.as_deref().unwrap_or("ATOLL_CMS_TOKEN")
    }

    /// Whether images at `host` may be downloaded ([`Settings::asset_hosts`]).
    pub fn asset_host_allowed(&self, host: &str) -> bool {
        let own = self
            .url
            .as_deref()
            .and_then(|url| reqwest::Url::parse(url).ok())
            .and_then(|url| url.host_str().map(str::to_owned));
        own.as_deref() == Some(host)
            || self.asset_hosts.iter().any(|allowed| allowed == host)
            || match self.kind {
                Kind::Contentful => host.ends_with(".ctfassets.net"),
                Kind::Sanity => host == "cdn.sanity.io",
                _ => false,
            }
    }

    /// The environment variable of the webhook secret.
    pub fn webhook_secret_env(&self) -> &str {
        self.webhook_secret_env
            .as_deref()
            .unwrap_or("ATOLL_CMS_WEBHOOK_SECRET")
    }

    /// The API base for published content or drafts.
    ///
    /// # Errors
    /// A URL that does not parse.
    pub fn base(&self, drafts: bool) -> Result<reqwest::Url, CmsError> {
        let text = match (&self.url, self.kind) {
            (Some(_), Kind::Contentful) if drafts => self
                .preview_url
                .clone()
                .unwrap_or_else(|| "https://preview.contentful.com/".into()),
            (Some(url), _) => url.clone(),
            (None, Kind::Contentful) if drafts => "https://preview.contentful.com/".into(),
            (None, Kind::Contentful) => "https://cdn.contentful.com/".into(),
            (None, Kind::Sanity) => format!(
                "https://{}.api.sanity.io/",
                self.project.as_deref().unwrap_or_default()
            ),
            (None, _) => String::new(),
        };
        let text = if text.ends_with('/') {
            text
        } else {
            format!("{text}/")
        };
        reqwest::Url::parse(&text)
            .map_err(|err| CmsError::caused(format!("the CMS url {text:?}"), err))
    }
}

/// What a fetch produced.
#[derive(Debug, Default)]
pub struct Fetched {
    /// The posts.
    pub posts: Vec<Post>,
    /// The products, when the settings map them (`None`: the content folder's).
    pub products: Option<Vec<Product>>,
    /// Content Atoll did not understand (unknown rich-text nodes, unresolved links),
    /// each once; the source logs them.
    pub warnings: BTreeSet<String>,
    /// Downloaded images by the URL they are published at (`/cms-assets/…`) → file.
    pub files: std::collections::BTreeMap<String, std::path::PathBuf>,
}

/// How an entry's rich text and images are read: its vendor's formats.
pub(super) enum Renderer<'a> {
    /// Rich Text, links resolved in the response's `includes` (and its items).
    Contentful {
        /// Entries and assets by id.
        included: &'a std::collections::HashMap<String, Value>,
        /// The posts' mapping: a link to a post entry becomes its URL.
        posts: &'a PostMapping,
    },
    /// Portable Text; images from asset references.
    Sanity {
        /// The project id.
        project: &'a str,
        /// The dataset.
        dataset: &'a str,
    },
    /// Blocks; media URLs relative to the server.
    Strapi {
        /// The server's base URL.
        base: &'a reqwest::Url,
    },
    /// Rendered HTML (no rich text JSON).
    WordPress,
}

impl Renderer<'_> {
    /// The HTML of a rich-text value (not sanitized yet).
    fn rich(&self, value: &Value, warnings: &mut BTreeSet<String>) -> String {
        let out = match self {
            Renderer::Contentful { .. } => rich_text::contentful(value, self),
            Renderer::Sanity { project, dataset } => {
                rich_text::portable_text(value, project, dataset)
            }
            Renderer::Strapi { base } => rich_text::strapi_blocks(value, Some(base)),
            Renderer::WordPress => {
                warnings.insert("a WordPress field that is not HTML".to_owned());
                return String::new();
            }
        };
        warnings.extend(out.warnings);
        out.html
    }

    /// The URL of an image field's value (an asset link, a media object, a URL).
    fn image(&self, value: &Value) -> Option<String> {
        if let Value::String(url) = value {
            return Some(url.clone());
        }
        match self {
            Renderer::Contentful { included, .. } => {
                let id = value.pointer("/sys/id").and_then(Value::as_str)?;
                contentful_asset(included.get(id)?).map(|(url, ..)| url)
            }
            Renderer::Sanity { project, dataset } => {
                let reference = value
                    .pointer("/asset/_ref")
                    .or_else(|| value.get("_ref"))
                    .and_then(Value::as_str)?;
                rich_text::sanity_image_url(reference, project, dataset).map(|(url, ..)| url)
            }
            Renderer::Strapi { base } => {
                let url = value.get("url").and_then(Value::as_str)?;
                base.join(url).ok().map(String::from)
            }
            Renderer::WordPress => value
                .get("source_url")
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
    }
}

/// A Contentful asset's URL (https), title, width and height.
fn contentful_asset(asset: &Value) -> Option<(String, String, Option<u64>, Option<u64>)> {
    let file = asset.pointer("/fields/file")?;
    let url = file.get("url").and_then(Value::as_str)?;
    let url = if url.starts_with("//") {
        format!("https:{url}")
    } else {
        url.to_owned()
    };
    let title = asset
        .pointer("/fields/description")
        .and_then(Value::as_str)
        .filter(|d| !d.is_empty())
        .or_else(|| asset.pointer("/fields/title").and_then(Value::as_str))
        .unwrap_or_default()
        .to_owned();
    let width = file.pointer("/details/image/width").and_then(Value::as_u64);
    let height = file
        .pointer("/details/image/height")
        .and_then(Value::as_u64);
    Some((url, title, width, height))
}

impl ContentfulLinks for Renderer<'_> {
    fn entry(&self, id: &str) -> Option<(String, String)> {
        let Renderer::Contentful { included, posts } = self else {
            return None;
        };
        let entry = included.get(id)?;
        let kind = entry
            .pointer("/sys/contentType/sys/id")
            .and_then(Value::as_str)?;
        if kind != posts.kind {
            return None;
        }
        let fields = entry.get("fields")?;
        let slug = text_of(fields.get(&posts.slug))?;
        let title = text_of(fields.get(&posts.title)).unwrap_or_else(|| slug.clone());
        Some((format!("/posts/{slug}/"), title))
    }

    fn asset(&self, id: &str) -> Option<(String, String, Option<u64>, Option<u64>)> {
        let Renderer::Contentful { included, .. } = self else {
            return None;
        };
        contentful_asset(included.get(id)?)
    }
}

/// One entry as read from a CMS, before mapping: its id, its fields (flat, single
/// locale), and how to read its rich text and images.
pub(super) struct Entry<'a> {
    /// The CMS' id (Strapi `documentId`, Contentful `sys.id`, Sanity `_id`, WordPress
    /// `id`), for messages and as a product's default SKU.
    pub id: String,
    /// The fields.
    pub fields: Map<String, Value>,
    /// Its vendor's formats.
    pub renderer: Renderer<'a>,
}

fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(map) => map
            .get("current")
            .or_else(|| map.get("rendered"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    }
}

fn date_of(value: Option<&Value>) -> Option<DateTime<FixedOffset>> {
    let text = text_of(value)?;
    if let Ok(date) = DateTime::parse_from_rfc3339(&text) {
        return Some(date);
    }
    // Contentful's date-and-time fields have no seconds: `2026-03-01T09:00+00:00`.
    if let Ok(date) = DateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M%:z") {
        return Some(date);
    }
    if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M") {
        return Some(naive.and_utc().fixed_offset());
    }
    // WordPress' `date_gmt` has no zone: it is UTC.
    if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S") {
        return Some(naive.and_utc().fixed_offset());
    }
    let day = NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().fixed_offset())
}

fn tags_of(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(s) => Some(s.clone()),
                Value::Object(map) => ["name", "title", "label", "slug"]
                    .iter()
                    .find_map(|k| text_of(map.get(*k))),
                _ => None,
            })
            .collect(),
        Some(Value::String(s)) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// Text of an HTML fragment (WordPress' rendered titles and excerpts): tags dropped,
/// character references decoded, spaces folded.
pub fn html_to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let decoded = decode_entities(&text);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decodes `&amp;`-style and numeric (`&#8217;`, `&#x2019;`) character references.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        // `;` is ASCII: a byte search never splits a character.
        let end = rest.bytes().take(12).position(|b| b == b';');
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                "hellip" => Some('…'),
                "ndash" => Some('–'),
                "mdash" => Some('—'),
                "lsquo" => Some('‘'),
                "rsquo" => Some('’'),
                "ldquo" => Some('“'),
                "rdquo" => Some('”'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A body field's HTML: rich text through `entry.render`, a string as Markdown (or as
/// HTML when `html`), sanitized either way; its plain text.
fn body_of(
    entry: &Entry<'_>,
    field: &str,
    html: bool,
    warnings: &mut BTreeSet<String>,
) -> (String, String) {
    match entry.fields.get(field) {
        Some(Value::String(text)) if html => {
            let clean = sanitize_html(text);
            let plain = html_to_text(&clean);
            (clean, plain)
        }
        Some(Value::String(markdown)) => {
            let rendered = render_markdown(markdown, false);
            let html = match &entry.renderer {
                // Strapi's local uploads are server-relative (`/uploads/x.jpg`).
                Renderer::Strapi { base } => rendered.html.replace(
                    "src=\"/uploads/",
                    &format!("src=\"{}/uploads/", base.as_str().trim_end_matches('/')),
                ),
                _ => rendered.html,
            };
            (html, rendered.text)
        }
        Some(value @ (Value::Array(_) | Value::Object(_))) => {
            let clean = sanitize_html(&entry.renderer.rich(value, warnings));
            let plain = html_to_text(&clean);
            (clean, plain)
        }
        _ => (String::new(), String::new()),
    }
}

/// The post of `entry` under `mapping`; the fields not mapped go to `extra`.
///
/// # Errors
/// A missing or invalid slug or title, naming the entry and the field.
pub(super) fn post_of(
    entry: &Entry<'_>,
    mapping: &PostMapping,
    origin: &str,
    body_is_html: bool,
    warnings: &mut BTreeSet<String>,
) -> Result<Post, CmsError> {
    let what = format!("{origin}: {} entry `{}`", mapping.kind, entry.id);
    let slug = text_of(entry.fields.get(&mapping.slug))
        .ok_or_else(|| CmsError::msg(format!("{what} has no slug (field `{}`)", mapping.slug)))?;
    if !crate::content::is_valid_slug(&slug) {
        return Err(CmsError::msg(format!(
            "{what}: slug `{slug}` is not lowercase letters, digits, `-` and `_`"
        )));
    }
    let title = text_of(entry.fields.get(&mapping.title))
        .map(|t| if body_is_html { html_to_text(&t) } else { t })
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            CmsError::msg(format!(
                "{what} (`{slug}`) has no title (field `{}`)",
                mapping.title
            ))
        })?;
    let (html, text) = body_of(entry, &mapping.body, body_is_html, warnings);
    let field = |name: &Option<String>| name.as_deref().and_then(|n| entry.fields.get(n));
    let summary = field(&mapping.summary)
        .and_then(|v| text_of(Some(v)))
        .map(|s| html_to_text(&s))
        .unwrap_or_default();
    let mut extra = Map::new();
    let mapped: BTreeSet<&str> = [
        Some(mapping.title.as_str()),
        Some(mapping.slug.as_str()),
        Some(mapping.body.as_str()),
        mapping.date.as_deref(),
        mapping.updated.as_deref(),
        mapping.tags.as_deref(),
        mapping.summary.as_deref(),
        mapping.image.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    for (key, value) in &entry.fields {
        if !mapped.contains(key.as_str()) {
            extra.insert(key.clone(), value.clone());
        }
    }
    if let Some(url) = field(&mapping.image).and_then(|v| entry.renderer.image(v)) {
        extra.insert("image".into(), Value::String(url));
    }
    Ok(Post {
        permalink: None,
        source: format!("{origin}#{}", entry.id),
        slug,
        title,
        date: date_of(field(&mapping.date)),
        updated: date_of(field(&mapping.updated)),
        tags: tags_of(field(&mapping.tags)),
        summary,
        draft: false,
        expires: None,
        aliases: Vec::new(),
        authors: Vec::new(),
        taxonomies: Default::default(),
        extra: Extra {
            fields: extra,
            source: format!("{origin}#{}", entry.id),
        },
        toc: Vec::new(),
        html,
        text,
    })
}

/// The product of `entry` under `mapping`.
///
/// # Errors
/// A missing name, slug, price or currency, naming the entry and the field.
pub(super) fn product_of(
    entry: &Entry<'_>,
    mapping: &ProductMapping,
    origin: &str,
    warnings: &mut BTreeSet<String>,
) -> Result<Product, CmsError> {
    let what = format!("{origin}: {} entry `{}`", mapping.kind, entry.id);
    let get = |name: &str| entry.fields.get(name);
    let need = |name: &str| {
        text_of(get(name))
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| CmsError::msg(format!("{what} has no `{name}`")))
    };
    let id = match &mapping.id {
        Some(field) => need(field)?,
        None => entry.id.clone(),
    };
    let price_cents = match (&mapping.price_cents, &mapping.price) {
        (_, Some(field)) => get(field)
            .and_then(Value::as_f64)
            .filter(|units| units.is_finite() && *units >= 0.0)
            .map(|units| (units * 100.0).round() as u64),
        (Some(field), None) => get(field).and_then(Value::as_u64),
        (None, None) => None,
    }
    .ok_or_else(|| CmsError::msg(format!("{what} has no price")))?;
    let currency = match (&mapping.currency_code, &mapping.currency) {
        (Some(code), _) => code.clone(),
        (None, Some(field)) => need(field)?,
        (None, None) => return Err(CmsError::msg(format!("{what} has no currency"))),
    };
    let (html, text) = body_of(entry, &mapping.description, false, warnings);
    let images = match mapping.images.as_deref().and_then(get) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| entry.renderer.image(v))
            .collect(),
        Some(one) => entry.renderer.image(one).into_iter().collect(),
        None => Vec::new(),
    };
    let record = super::ProductRecord {
        id,
        name: need(&mapping.name)?,
        slug: need(&mapping.slug)?,
        price_cents,
        currency,
        stock: get(&mapping.stock)
            .and_then(Value::as_u64)
            .map_or(0, |s| u32::try_from(s).unwrap_or(u32::MAX)),
        html,
        text,
        images,
    };
    record.into_product(origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_to_text_decodes_references_without_splitting_characters() {
        assert_eq!(html_to_text("&amp;日本語"), "&日本語");
        assert_eq!(
            html_to_text("<p>Tides &#8211; &#x2019;n&rsquo; &bogus; &</p>"),
            "Tides – ’n’ &bogus; &"
        );
        assert_eq!(html_to_text("&日本語日本語;"), "&日本語日本語;");
    }
}

//! Headless CMS over HTTP: the content API's records, Atoll's own read-only content API
//! (`/api/content/…`), and the client that reads posts and products from such an API.
//!
//! The wire format is the content API's (so one Atoll server can be another's CMS):
//!
//! * `GET {base}/api/content/posts?page=N` → [`ListPage`] of [`PostRecord`] (the full
//!   post, HTML body included), `next` naming the following page's URL or `null`;
//! * `GET {base}/api/content/posts/{slug}` → one [`PostRecord`];
//! * `GET {base}/api/content/products?page=N` → [`ListPage`] of [`ProductRecord`].
//!
//! With a token, requests carry `Authorization: Bearer <token>` (RFC 6750). Each
//! request has a 10 s time limit and is tried up to 4 times, waiting 250 ms, 500 ms,
//! 1 s between attempts, on connection errors, timeouts, 429 and 5xx. HTML from the
//! CMS is sanitized with the same rules as Markdown (it is not trusted).

pub mod assets;
mod fetch;
pub mod rich_text;
pub mod vendors;
pub mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use crate::error::CmsError;
use app::{Post, Product};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::content::{render_markdown, sanitize_html};

/// Items per page of the content API's lists.
pub const PAGE_SIZE: usize = 100;
/// Attempts per request (1 + 3 retries).
const ATTEMPTS: u32 = 4;
/// Wait before the first retry; doubled for each next one.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// Longest wait a rate limit may ask for before a retry.
const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);
/// Time limit of one request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Pages followed at most per list (100 × 100 = 10,000 items … × 10).
const MAX_PAGES: usize = 1000;

/// A post as the content API sends it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PostRecord {
    /// URL segment: `/posts/<slug>/`.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Publication date, RFC 3339.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub date: Option<DateTime<FixedOffset>>,
    /// Last significant update, RFC 3339.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub updated: Option<DateTime<FixedOffset>>,
    /// Tags, as written.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Plain-text summary.
    #[serde(default)]
    pub summary: String,
    /// Whether it is a draft (a CMS sends drafts only when asked, `?drafts=true`).
    #[serde(default)]
    pub draft: bool,
    /// Old site-relative URLs that redirect here.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The body as HTML (sanitized on arrival).
    #[serde(default)]
    pub html: String,
    /// The body as Markdown; when present it is rendered and wins over `html`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
    /// The body as plain text (search, excerpts); derived from the body when empty.
    #[serde(default)]
    pub text: String,
}

/// A product as the content API sends it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProductRecord {
    /// Stable identifier (SKU).
    pub id: String,
    /// Display name.
    pub name: String,
    /// URL segment: `/products/<slug>/`.
    pub slug: String,
    /// Price in the currency's minor unit (cents).
    pub price_cents: u64,
    /// ISO 4217 code.
    pub currency: String,
    /// Units in stock.
    pub stock: u32,
    /// Description as HTML (sanitized on arrival).
    #[serde(default)]
    pub html: String,
    /// Description as plain text.
    #[serde(default)]
    pub text: String,
    /// Image URLs, the first is the main one.
    #[serde(default)]
    pub images: Vec<String>,
}

/// One page of a content API list.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ListPage<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Number of items in the whole list.
    pub total: usize,
    /// Site-relative or absolute URL of the next page; `null` on the last one.
    pub next: Option<String>,
}

/// One page of `GET /api/content/posts` (the OpenAPI schema of `ListPage<PostRecord>`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct PostList {
    /// The posts of this page, newest first.
    pub items: Vec<PostRecord>,
    /// Number of posts in the whole list.
    pub total: usize,
    /// URL of the next page; `null` on the last one.
    pub next: Option<String>,
}

/// One page of `GET /api/content/products` (the OpenAPI schema of
/// `ListPage<ProductRecord>`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ProductList {
    /// The products of this page, by name.
    pub items: Vec<ProductRecord>,
    /// Number of products in the whole list.
    pub total: usize,
    /// URL of the next page; `null` on the last one.
    pub next: Option<String>,
}

impl From<&Post> for PostRecord {
    fn from(post: &Post) -> Self {
        PostRecord {
            slug: post.slug.clone(),
            title: post.title.clone(),
            date: post.date,
            updated: post.updated,
            tags: post.tags.clone(),
            summary: post.summary.clone(),
            draft: post.draft,
            aliases: post.aliases.clone(),
            html: post.html.clone(),
            markdown: None,
            text: post.text.clone(),
        }
    }
}

impl From<&Product> for ProductRecord {
    fn from(product: &Product) -> Self {
        ProductRecord {
            id: product.id.clone(),
            name: product.name.clone(),
            slug: product.slug.clone(),
            price_cents: product.price_cents,
            currency: product.currency.clone(),
            stock: product.stock,
            html: product.html.clone(),
            text: product.text.clone(),
            images: product.images.clone(),
        }
    }
}

impl PostRecord {
    /// The post, body sanitized (or rendered from `markdown`).
    ///
    /// # Errors
    /// An invalid slug or an empty title, naming the record.
    pub fn into_post(self, origin: &str) -> Result<Post, CmsError> {
        if !crate::content::is_valid_slug(&self.slug) {
            return Err(CmsError::msg(format!(
                "{origin}: post slug `{}` is not lowercase letters, digits, `-` and `_`",
                self.slug
            )));
        }
        if self.title.trim().is_empty() {
            return Err(CmsError::msg(format!(
                "{origin}: post `{}` has no title",
                self.slug
            )));
        }
        if let Some(alias) = self
            .aliases
            .iter()
            .find(|alias| !crate::content::is_valid_alias(alias))
        {
            return Err(CmsError::msg(format!(
                "{origin}: post `{}` has the alias {alias:?}, not a site-relative path such as /old/path/",
                self.slug
            )));
        }
        let (html, text) = match &self.markdown {
            Some(markdown) => {
                let rendered = render_markdown(markdown, false);
                (rendered.html, rendered.text)
            }
            None => {
                let html = sanitize_html(&self.html);
                let text = if self.text.is_empty() {
                    vendors::html_to_text(&html)
                } else {
                    self.text
                };
                (html, text)
            }
        };
        Ok(Post {
            permalink: None,
            source: format!("{origin}#{}", self.slug),
            slug: self.slug,
            title: self.title,
            date: self.date,
            updated: self.updated,
            tags: self.tags,
            summary: self.summary,
            draft: self.draft,
            expires: None,
            aliases: self.aliases,
            // The CMS sends HTML, not the Markdown headings: no table of contents.
            authors: Vec::new(),
            taxonomies: Default::default(),
            extra: Default::default(),
            toc: Vec::new(),
            html,
            text,
        })
    }
}

impl ProductRecord {
    /// The product, description sanitized.
    ///
    /// # Errors
    /// An invalid slug, an empty id or name, a price over the limit, naming the record.
    pub fn into_product(self, origin: &str) -> Result<Product, CmsError> {
        if !crate::content::is_valid_slug(&self.slug) {
            return Err(CmsError::msg(format!(
                "{origin}: product slug `{}` is not lowercase letters, digits, `-` and `_`",
                self.slug
            )));
        }
        if self.id.trim().is_empty() || self.name.trim().is_empty() {
            return Err(CmsError::msg(format!(
                "{origin}: product `{}` needs an id and a name",
                self.slug
            )));
        }
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(CmsError::msg(format!(
                "{origin}: product `{}` has the currency {:?}, not an ISO 4217 code such as EUR",
                self.slug, self.currency
            )));
        }
        if self.price_cents > crate::content::MAX_PRICE_CENTS {
            return Err(CmsError::msg(format!(
                "{origin}: product `{}` costs more than the limit",
                self.slug
            )));
        }
        let html = sanitize_html(&self.html);
        let text = if self.text.is_empty() {
            vendors::html_to_text(&html)
        } else {
            self.text
        };
        Ok(Product {
            source: format!("{origin}#{}", self.id),
            id: self.id,
            name: self.name,
            slug: self.slug,
            price_cents: self.price_cents,
            currency: self.currency,
            stock: self.stock,
            html,
            text,
            images: self.images,
        })
    }
}

/// A headless CMS: Atoll's content API (see the module docs), or a vendor's
/// ([`vendors`]: Strapi, Contentful, Sanity, WordPress) mapped by its settings.
#[derive(Clone, Debug)]
pub struct CmsSource {
    /// Base URL, e.g. `https://cms.example.com`; lists are read from
    /// `{base}/api/content/…` (a vendor's settings name their own).
    pub base: reqwest::Url,
    /// Bearer token, if the CMS wants one.
    pub token: Option<String>,
    /// The vendor and its mapping; `None`: Atoll's content API.
    pub settings: Option<Arc<vendors::Settings>>,
    /// Where the images the CMS references are downloaded to ([`assets`]); `None`:
    /// they stay at the CMS.
    pub assets_dir: Option<std::path::PathBuf>,
    /// Each type's list as last read (vendors: a reload fetches only what changed).
    synced: Arc<std::sync::Mutex<std::collections::HashMap<String, fetch::Synced>>>,
    client: reqwest::Client,
}

pub use vendors::Fetched;

impl CmsSource {
    /// A source reading from `base`.
    ///
    /// # Errors
    /// When the HTTP client cannot be built (TLS setup).
    pub fn new(base: reqwest::Url, token: Option<String>) -> Result<Self, CmsError> {
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(REQUEST_TIMEOUT)
            // A reload is a handful of requests every few seconds at most: fresh
            // connections cost nothing and never reach a server that went away.
            .pool_max_idle_per_host(0)
            .user_agent(concat!("atoll/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| CmsError::caused("cannot build the HTTP client", err))?;
        Ok(Self {
            base,
            token,
            settings: None,
            assets_dir: None,
            synced: Arc::default(),
            client,
        })
    }

    /// A source reading from the vendor of `settings` (the token from the environment
    /// variable the settings name, else `token`).
    ///
    /// # Errors
    /// A base URL that does not parse, or the HTTP client cannot be built.
    pub fn vendor(settings: vendors::Settings, token: Option<String>) -> Result<Self, CmsError> {
        let base = settings.base(false)?;
        let mut source = Self::new(base, token)?;
        source.settings = Some(Arc::new(settings));
        Ok(source)
    }

    /// Reads every post and product (drafts too when `drafts`).
    ///
    /// # Errors
    /// A request that failed after its retries (naming the URL and the last status or
    /// error), a body that is not the content API's JSON, an invalid record.
    pub async fn fetch(&self, drafts: bool) -> Result<Fetched, CmsError> {
        let mut fetched = match self
            .settings
            .as_deref()
            .filter(|s| s.kind != vendors::Kind::Atoll)
        {
            Some(settings) => self.fetch_vendor(settings, drafts).await?,
            None => {
                let (posts, products) = self.fetch_content_api(drafts).await?;
                Fetched {
                    posts,
                    products: Some(products),
                    ..Fetched::default()
                }
            }
        };
        if let Some(dir) = &self.assets_dir {
            fetched.files = self.localize_assets(&mut fetched, dir).await?;
        }
        Ok(fetched)
    }

    /// Reads every post and product of Atoll's content API.
    async fn fetch_content_api(&self, drafts: bool) -> Result<(Vec<Post>, Vec<Product>), CmsError> {
        let query = if drafts { "?drafts=true" } else { "" };
        let posts: Vec<PostRecord> = self.list(&format!("api/content/posts{query}")).await?;
        let products: Vec<ProductRecord> = self.list("api/content/products").await?;
        let origin = self.base.as_str().trim_end_matches('/');
        let mut seen = std::collections::HashSet::new();
        let mut out_posts = Vec::with_capacity(posts.len());
        for record in posts {
            if !seen.insert(record.slug.clone()) {
                return Err(CmsError::msg(format!(
                    "{origin}: two posts have the slug `{}`",
                    record.slug
                )));
            }
            if record.draft && !drafts {
                continue;
            }
            out_posts.push(record.into_post(origin)?);
        }
        let products = products
            .into_iter()
            .map(|record| record.into_product(origin))
            .collect::<Result<Vec<_>, CmsError>>()?;
        let (mut ids, mut slugs) = (
            std::collections::HashSet::new(),
            std::collections::HashSet::new(),
        );
        for product in &products {
            if !ids.insert(&product.id) || !slugs.insert(&product.slug) {
                return Err(CmsError::msg(format!(
                    "{origin}: two products share the id `{}` or the slug `{}`",
                    product.id, product.slug
                )));
            }
        }
        Ok((out_posts, products))
    }

    /// Every item of a paginated list, following `next`.
    async fn list<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<Vec<T>, CmsError> {
        let mut url = self
            .base
            .join(path)
            .map_err(|err| CmsError::caused(format!("bad CMS URL {}{path}", self.base), err))?;
        let mut items = Vec::new();
        for _ in 0..MAX_PAGES {
            let page: ListPage<T> = self.get_json(&url).await?;
            items.extend(page.items);
            match page.next {
                Some(next) => {
                    let next = url.join(&next).map_err(|err| {
                        CmsError::caused(format!("bad `next` link {next:?} from {url}"), err)
                    })?;
                    // Only follow links to the same server: the token must not leak.
                    if next.origin() != self.base.origin() {
                        return Err(CmsError::msg(format!(
                            "{url}: `next` leaves the CMS ({next})"
                        )));
                    }
                    url = next;
                }
                None => return Ok(items),
            }
        }
        Err(CmsError::msg(format!("{url}: more than {MAX_PAGES} pages")))
    }

    /// GET `url` as the content API's JSON, with the retries of
    /// [`CmsSource::get_with_retries`].
    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &reqwest::Url,
    ) -> Result<T, CmsError> {
        let credentials = Credentials {
            token: self.token.as_deref(),
            basic: false,
            source: "--cms-token (ATOLL_CMS_TOKEN)",
        };
        let (bytes, _) = self.get_with_retries(url, credentials).await?;
        serde_json::from_slice(&bytes)
            .map_err(|err| CmsError::caused(format!("GET {url}: not the content API's JSON"), err))
    }

    /// GET `url` with `credentials`: up to [`ATTEMPTS`] tries on connection errors,
    /// timeouts, 429 and 5xx, waiting 250 ms, 500 ms, 1 s, or what a 429's
    /// `Retry-After` or Contentful's `X-Contentful-RateLimit-Reset` asks (seconds, at
    /// most [`MAX_RATE_LIMIT_WAIT`]). A 401 or 403 is an error naming where the token
    /// came from; any other status an error at once.
    async fn get_with_retries(
        &self,
        url: &reqwest::Url,
        credentials: Credentials<'_>,
    ) -> Result<(bytes::Bytes, reqwest::header::HeaderMap), CmsError> {
        let mut wait = FIRST_BACKOFF;
        let mut attempt = 1;
        loop {
            let mut request = self.client.get(url.clone());
            request = match (credentials.token, credentials.basic) {
                (Some(token), true) => {
                    let (user, password) = token.split_once(':').unwrap_or((token, ""));
                    request.basic_auth(user, Some(password))
                }
                (Some(token), false) => request.bearer_auth(token),
                (None, _) => request,
            };
            let mut pause = wait;
            let retry = match request.send().await {
                Ok(response) if response.status().is_success() => {
                    let headers = response.headers().clone();
                    return match response.bytes().await {
                        Ok(bytes) => Ok((bytes, headers)),
                        Err(err) => Err(CmsError::caused(
                            format!("GET {url}: reading the body"),
                            err,
                        )),
                    };
                }
                Ok(response) => {
                    let status = response.status();
                    if matches!(status.as_u16(), 401 | 403) {
                        return Err(CmsError::msg(format!(
                            "GET {url}: {status}: the CMS refused the token from {}",
                            credentials.source
                        )));
                    }
                    if status.as_u16() == 429 {
                        let asked = ["retry-after", "x-contentful-ratelimit-reset"]
                            .iter()
                            .find_map(|name| {
                                response
                                    .headers()
                                    .get(*name)?
                                    .to_str()
                                    .ok()?
                                    .trim()
                                    .parse::<u64>()
                                    .ok()
                            });
                        if let Some(seconds) = asked {
                            pause = Duration::from_secs(seconds).min(MAX_RATE_LIMIT_WAIT);
                        }
                    }
                    let error = CmsError::msg(format!("GET {url}: {status}"));
                    if status.is_server_error() || status.as_u16() == 429 {
                        error
                    } else {
                        return Err(error);
                    }
                }
                Err(err) => CmsError::caused(format!("GET {url}"), err),
            };
            if attempt >= ATTEMPTS {
                return Err(retry.context(format!("gave up after {ATTEMPTS} attempts")));
            }
            tracing::warn!(
                "{}; retrying in {} ms",
                crate::error::chain(&retry),
                pause.as_millis()
            );
            tokio::time::sleep(pause).await;
            wait *= 2;
            attempt += 1;
        }
    }
}

/// A request's credentials: a token sent as a bearer token (RFC 6750), or as HTTP
/// Basic when it is WordPress' `user:password`, and where it came from (named when
/// the CMS refuses it).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Credentials<'a> {
    /// The token, if any.
    pub token: Option<&'a str>,
    /// Send `user:password` as HTTP Basic.
    pub basic: bool,
    /// Where the token came from: `the environment variable X (`token_env`)`.
    pub source: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_sanitized() {
        let record = PostRecord {
            slug: "x".into(),
            title: "X".into(),
            date: None,
            updated: None,
            tags: vec![],
            summary: String::new(),
            draft: false,
            aliases: vec![],
            html: "<p>Hi <script>alert(1)</script><b onclick=\"x()\">there</b> &amp; you</p>"
                .into(),
            markdown: None,
            text: String::new(),
        };
        let post = record.clone().into_post("cms").unwrap();
        assert_eq!(post.html, "<p>Hi <b>there</b> &amp; you</p>");
        assert_eq!(post.text, "Hi there & you");
        let bad = PostRecord {
            slug: "../x".into(),
            ..record.clone()
        };
        assert!(bad
            .into_post("cms")
            .unwrap_err()
            .to_string()
            .contains("../x"));
        // An alias that would add rules to `_redirects` is refused.
        let injecting = PostRecord {
            aliases: vec!["/a /x 301\n/* https://evil.example 302!".into()],
            ..record
        };
        assert!(injecting
            .into_post("cms")
            .unwrap_err()
            .to_string()
            .contains("alias"));
    }
}

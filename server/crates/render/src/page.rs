//! One rendered page (HTML, feed, sitemap, robots.txt), ready to serve with its `ETag`
//! and its encodings.

use app::RenderedPage;
use bytes::Bytes;
use sha2::{Digest, Sha256};

/// `Content-Type` of HTML pages.
pub const HTML: &str = "text/html; charset=utf-8";
/// `Content-Type` of the Atom feed.
pub const ATOM: &str = "application/atom+xml; charset=utf-8";
/// `Content-Type` of the sitemaps.
pub const XML: &str = "application/xml; charset=utf-8";
/// `Content-Type` of `robots.txt`.
pub const TEXT: &str = "text/plain; charset=utf-8";

/// One rendered page, ready to serve.
#[derive(Clone, Debug)]
pub struct Page {
    /// Site-relative path, e.g. `/posts/hello/`.
    pub path: String,
    /// The HTML document.
    pub html: Bytes,
    /// Strong entity tag (RFC 9110 §8.8.3): a quoted SHA-256 prefix of `html`.
    pub etag: String,
    /// Whether the page loads the islands bundle.
    pub has_islands: bool,
    /// 200, or 404 for the not-found page.
    pub status: u16,
    /// `Content-Type` header value.
    pub content_type: &'static str,
    /// Brotli and gzip encodings of `html`, made on the first request that accepts one.
    encoded: std::sync::Arc<std::sync::OnceLock<(Bytes, Bytes)>>,
    /// `ETag` header values of the identity, brotli and gzip encodings.
    pub etag_values: [http::HeaderValue; 3],
    /// The page's cache tags ([`app::cache_tags`]), most important first.
    pub cache_tags: Vec<String>,
    /// `Cache-Tag` and `Surrogate-Key` header values of `cache_tags`, capped at 16 KB;
    /// `None` when the page has no tags.
    pub tag_headers: Option<[http::HeaderValue; 2]>,
    /// What the page read when rendered ([`app::ReadSet`]): empty for generated
    /// documents (feed, sitemaps, `robots.txt`), which are compared by their bytes.
    pub reads: std::sync::Arc<app::ReadSet>,
}

impl Page {
    /// A page from its parts; the `ETag` is computed from `html`.
    pub fn from_bytes(path: String, html: Bytes, status: u16, content_type: &'static str) -> Self {
        let digest = Sha256::digest(&html);
        let hash = hex(&digest[..12]);
        let value = |tag: String| http::HeaderValue::from_str(&tag).expect("an ETag is ASCII hex");
        Page {
            etag_values: [
                value(format!("\"{hash}\"")),
                value(format!("\"{hash}-br\"")),
                value(format!("\"{hash}-gzip\"")),
            ],
            etag: format!("\"{hash}\""),
            path,
            html,
            has_islands: false,
            status,
            content_type,
            encoded: Default::default(),
            cache_tags: Vec::new(),
            tag_headers: None,
            reads: Default::default(),
        }
    }

    /// Sets the page's cache tags and their header values (see [`app::cache_tags`]).
    pub fn with_cache_tags(mut self, tags: Vec<String>) -> Self {
        let (cache_tag, surrogate_key) = app::cache_tags::header_values(&tags);
        // The grammar keeps tags to visible ASCII, so the values are valid headers.
        self.tag_headers = match (
            http::HeaderValue::from_str(&cache_tag),
            http::HeaderValue::from_str(&surrogate_key),
        ) {
            (Ok(a), Ok(b)) if !cache_tag.is_empty() => Some([a, b]),
            _ => None,
        };
        self.cache_tags = tags;
        self
    }

    /// The brotli (RFC 7932) and gzip (RFC 1952) encodings of the page, computed once.
    pub fn encoded(&self) -> &(Bytes, Bytes) {
        self.encoded.get_or_init(|| {
            let (br, gz) = crate::compress::compress(&self.html, false);
            (Bytes::from(br), Bytes::from(gz))
        })
    }

    /// A generated document that is not HTML (feed, sitemap, robots.txt).
    pub fn document(path: &str, text: String, content_type: &'static str) -> Self {
        let mut page = Page::from(RenderedPage {
            path: path.to_owned(),
            html: text,
            has_islands: false,
            bundle: None,
            status: 200,
            reads: app::ReadSet::default(),
        });
        page.content_type = content_type;
        page
    }
}

impl From<RenderedPage> for Page {
    fn from(page: RenderedPage) -> Self {
        let mut out = Page::from_bytes(page.path, Bytes::from(page.html), page.status, HTML);
        out.has_islands = page.has_islands;
        out.reads = std::sync::Arc::new(page.reads);
        out
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

//! Answering with a rendered page: `Cache-Control` per render mode, content-coding
//! negotiation (RFC 9110 §12.5.3), `ETag`/`If-None-Match` (RFC 9110 §13.1.2) and the
//! cache-tag headers.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;

use super::CACHE_HEADER;
use crate::isr::CacheStatus;
use crate::pages::Page;

/// The encoding to answer with: brotli if accepted, else gzip, else none (RFC 9110
/// §12.5.3; a `q=0` refuses one).
fn negotiate(headers: &HeaderMap) -> Option<&'static str> {
    let accept = headers.get(header::ACCEPT_ENCODING)?.to_str().ok()?;
    let accepts = |name: &str| {
        accept.split(',').any(|item| {
            let mut parts = item.split(';').map(str::trim);
            parts
                .next()
                .is_some_and(|coding| coding.eq_ignore_ascii_case(name))
                && !parts.any(|p| {
                    p.strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                        .is_some_and(|q| q == 0.0)
                })
        })
    };
    if accepts("br") {
        Some("br")
    } else if accepts("gzip") {
        Some("gzip")
    } else {
        None
    }
}

/// A page with its `ETag` (strong; one per encoding, `"<hash>-br"`), `cache_control`
/// and `x-atoll-cache`; 304 when `If-None-Match` names any encoding of it (RFC 9110
/// §13.1.2). The status is the page's own (404 for the not-found page).
pub(super) fn page_response(
    page: &Page,
    cache_control: HeaderValue,
    cache: Option<CacheStatus>,
    request_headers: &HeaderMap,
) -> Response {
    let status = StatusCode::from_u16(page.status).unwrap_or(StatusCode::OK);
    let encoding = if page.html.len() >= 512 {
        negotiate(request_headers)
    } else {
        None
    };
    let (variant, etag) = match encoding {
        Some("br") => (1, &page.etag_values[1]),
        Some(_) => (2, &page.etag_values[2]),
        None => (0, &page.etag_values[0]),
    };
    // Weak comparison against the selected representation's tag (RFC 9110 §13.1.2).
    let matches = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || tag.trim_start_matches("W/").as_bytes() == etag.as_bytes())
        });
    let not_modified = matches && status == StatusCode::OK;
    let mut response = if not_modified {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        response
    } else {
        let body = match variant {
            1 => page.encoded().0.clone(),
            2 => page.encoded().1.clone(),
            _ => page.html.clone(),
        };
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = status;
        response
    };
    let headers = response.headers_mut();
    // Ours (up to 8) plus the security headers the router's layers add: one allocation.
    headers.reserve(20);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(page.content_type),
    );
    headers.insert(header::CACHE_CONTROL, cache_control);
    headers.insert(header::ETAG, etag.clone());
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(coding) = encoding.filter(|_| !not_modified) {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    if let Some(cache) = cache {
        headers.insert(CACHE_HEADER, HeaderValue::from_static(cache.as_str()));
    }
    if let Some([cache_tag, surrogate_key]) = &page.tag_headers {
        headers.insert(CACHE_TAG, cache_tag.clone());
        headers.insert(SURROGATE_KEY, surrogate_key.clone());
    }
    response
}

/// Cloudflare's purge-by-tag header (comma-separated tags, [`app::cache_tags`]).
const CACHE_TAG: HeaderName = HeaderName::from_static("cache-tag");
/// Fastly's and Varnish xkey's purge-by-key header (space-separated, the same tags).
const SURROGATE_KEY: HeaderName = HeaderName::from_static("surrogate-key");

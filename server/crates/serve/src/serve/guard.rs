//! The request guard of `atoll serve`: client mistakes in the request target answered
//! before anything touches the file system, errors made safe for caches, and the
//! security headers on every answer.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{not_found, AppState, NO_STORE};

/// Longest request target (path and query) served, in bytes: longer ones answer 414
/// (RFC 9112 §3 recommends accepting at least 8,000 octets).
pub const MAX_TARGET: usize = 8 * 1024;
/// Longest path segment, in bytes once percent-decoded: a file name can be no longer
/// (Linux `NAME_MAX`), so a longer one is a 404 without asking the file system.
pub const MAX_SEGMENT: usize = 255;
/// Longest path, in bytes once percent-decoded (Linux `PATH_MAX`): a 404 beyond.
pub const MAX_PATH: usize = 4096;

/// Client mistakes in the request target, answered before anything touches the file
/// system, and errors made safe for caches:
///
/// * a request target over [`MAX_TARGET`] bytes: 414;
/// * a path segment over [`MAX_SEGMENT`] or a path over [`MAX_PATH`] bytes (decoded),
///   outside `/api/`: the 404 page (no file can have such a name);
/// * an empty 404 from a file service (`/pkg/`, `public/`, a rejected `..`): the 404
///   page;
/// * every answer of 400 or more: `Cache-Control: no-store` ([`NO_STORE`]), so a CDN in
///   front never keeps an error;
/// * every answer: the export's security headers
///   ([`atoll_render::headers::SECURITY_HEADERS`]) where the handler set none of its own (in
///   dev mode without the CSP: Trunk's live-reload socket and injected scripts).
pub(super) async fn guard_target(
    State(state): State<AppState>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |t| t.as_str().len());
    if target > MAX_TARGET {
        return no_store(
            (
                StatusCode::URI_TOO_LONG,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                format!("414 URI Too Long: a request target may be at most {MAX_TARGET} bytes\n"),
            )
                .into_response(),
        );
    }
    let path = request.uri().path();
    let api = path == "/api" || path.starts_with("/api/");
    let decoded_len = |segment: &str| percent_encoding::percent_decode_str(segment).count();
    let impossible = !api
        && (decoded_len(path) > MAX_PATH || path.split('/').any(|s| decoded_len(s) > MAX_SEGMENT));
    // Only the encoding matters to the 404 page: no copy of every header per request.
    let accept_encoding = request.headers().get(header::ACCEPT_ENCODING).cloned();
    let mut response = if impossible {
        not_found(&state, request.headers())
    } else {
        next.run(request).await
    };
    if !api
        && response.status() == StatusCode::NOT_FOUND
        && !response.headers().contains_key(header::CONTENT_TYPE)
    {
        let mut headers = HeaderMap::new();
        if let Some(value) = accept_encoding {
            headers.insert(header::ACCEPT_ENCODING, value);
        }
        response = not_found(&state, &headers);
    }
    if response.status().as_u16() >= 400 {
        response = no_store(response);
    }
    let dev = state.dev().is_some();
    let headers = response.headers_mut();
    for (name, value) in atoll_render::headers::SECURITY_HEADERS {
        if dev && name == "content-security-policy" {
            continue;
        }
        headers
            .entry(name)
            .or_insert_with(|| HeaderValue::from_static(value));
    }
    response
}

/// `response` with `Cache-Control: no-store` ([`NO_STORE`]) in place of its own.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_STORE));
    response
}

//! The JSON API. Request and response types live in `atoll_api`, shared with the
//! islands that call it.

use atoll_api::{
    ApiError, SearchResponse, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT, SEARCH_MAX_QUERY_CHARS,
};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use crate::state::AppState;

pub mod cms_webhook;
pub mod contact;
pub mod content;
pub mod openapi;
pub mod preview;
pub mod ready;
pub mod revalidate;
pub mod shop;

/// Whether a secret sent by a client equals the configured one, compared in constant
/// time over their SHA-256 digests (neither content nor length leaks).
pub(crate) fn secret_matches(given: &str, expected: &str) -> bool {
    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;
    let (given, expected) = (Sha256::digest(given), Sha256::digest(expected));
    given.as_slice().ct_eq(expected.as_slice()).into()
}

/// The server's clock (the page cache's, injected in tests) in Unix seconds.
pub(crate) fn unix_now(state: &AppState) -> u64 {
    state
        .cache()
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// An API error: a status and the JSON body `{"error", "field"}`.
#[derive(Debug)]
pub struct ApiFailure {
    status: StatusCode,
    body: ApiError,
    headers: Vec<(header::HeaderName, HeaderValue)>,
}

impl ApiFailure {
    /// An error with `status` about `field` (or the whole request when `None`).
    pub fn new(status: StatusCode, field: Option<&str>, message: impl Into<String>) -> Self {
        let body = match field {
            Some(field) => ApiError::field(field, message),
            None => ApiError::message(message),
        };
        Self {
            status,
            body,
            headers: Vec::new(),
        }
    }

    /// Adds a header to the answer.
    pub fn with_header(mut self, name: header::HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// 400 about one field: malformed or of the wrong type.
    pub fn bad_request(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some(field), message)
    }

    /// 422 about one field: well-formed but not acceptable (RFC 9110 §15.5.21).
    pub fn unprocessable(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, Some(field), message)
    }

    /// 404 for an unknown API path.
    pub fn not_found(path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            None,
            format!("no API endpoint at {path}"),
        )
    }

    /// 405 with the `Allow` header (RFC 9110 §15.5.6).
    pub fn method_not_allowed(allow: &'static str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            None,
            format!("method not allowed: use {allow}"),
        )
        .with_header(header::ALLOW, HeaderValue::from_static(allow))
    }

    /// 500 for a failure on our side; the details go to the log, not to the client.
    pub fn internal(error: &dyn std::fmt::Display) -> Self {
        tracing::error!(%error, "API request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            None,
            "internal error; the request was not carried out",
        )
    }

    /// A database failure: 503 with `Retry-After: 60` when the database or its disk is
    /// full (nothing was written; the client may retry once space is freed), 503 with
    /// `Retry-After: 5` when the database cannot be reached (a lost PostgreSQL
    /// connection: nothing was carried out, and the pool reconnects on its own), else a
    /// 500 as [`ApiFailure::internal`].
    pub fn store(error: &crate::store::StoreError) -> Self {
        if error.is_unreachable() {
            tracing::error!(%error, "the database is unreachable");
            return Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                None,
                "the database is unreachable; nothing was carried out, retry shortly",
            )
            .with_header(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        if error.is_full() {
            tracing::error!(%error, "the database is full: writes are refused until space is freed");
            return Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                None,
                "the database is full; nothing was stored, retry later",
            )
            .with_header(header::RETRY_AFTER, HeaderValue::from_static("60"));
        }
        Self::internal(error)
    }

    /// 500 for content that could not be (re)loaded: the client gets `context` and the
    /// error with every path made relative to the content folder (`posts/x.md:3:1: …`),
    /// the log gets the whole error with absolute paths. No response names a path of
    /// the server's disk.
    pub fn content(state: &AppState, context: &str, error: &crate::error::ServeError) -> Self {
        let full = error.chain();
        tracing::error!(error = %full, "{context}");
        let mut message = full;
        if let Some(dir) = state.content().source().dir() {
            let mut dirs = vec![dir.to_path_buf()];
            dirs.extend(dir.canonicalize().ok());
            // Relative paths are already site-relative enough; absolute ones go.
            for dir in dirs.into_iter().filter(|dir| dir.is_absolute()) {
                let dir = dir.display().to_string();
                let dir = dir.trim_end_matches('/');
                message = message.replace(&format!("{dir}/"), "").replace(dir, ".");
            }
        }
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            None,
            format!("{context}: {message}"),
        )
    }
}

/// A database error answers as [`ApiFailure::store`] (503 when full, else 500).
impl From<crate::store::StoreError> for ApiFailure {
    fn from(error: crate::store::StoreError) -> Self {
        Self::store(&error)
    }
}

/// A blocking task that panicked or was cancelled: [`ApiFailure::internal`].
impl From<tokio::task::JoinError> for ApiFailure {
    fn from(error: tokio::task::JoinError) -> Self {
        Self::internal(&error)
    }
}

/// Serializing our own JSON failed: [`ApiFailure::internal`].
impl From<serde_json::Error> for ApiFailure {
    fn from(error: serde_json::Error) -> Self {
        Self::internal(&error)
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

/// The client a request is limited as: the peer address (`atoll serve` records it), or
/// with `trust_forwarded_for` the last `X-Forwarded-For` entry (the one the reverse proxy
/// appended). IPv6 addresses count per /64, the block one subscriber gets. Requests
/// without either (tests) share one bucket.
pub fn client_of(
    state: &crate::state::AppState,
    parts: &axum::http::request::Parts,
) -> std::net::IpAddr {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
    let forwarded = state
        .services()
        .trust_forwarded_for
        .then(|| {
            parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .next_back()
                .and_then(|ip| ip.trim().parse::<IpAddr>().ok())
        })
        .flatten();
    let ip = forwarded.unwrap_or_else(|| {
        parts
            .extensions
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
    });
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

/// Checks `client` against `limiter`: a 429 with `Retry-After` (whole seconds, rounded
/// up) when over.
pub fn check_limit(
    limiter: &crate::state::ClientLimiter,
    client: std::net::IpAddr,
    what: &str,
) -> Result<(), ApiFailure> {
    use governor::clock::{Clock, DefaultClock};
    limiter.check_key(&client).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        let seconds = (wait.as_millis().div_ceil(1000) as u64).max(1);
        ApiFailure::new(
            StatusCode::TOO_MANY_REQUESTS,
            None,
            format!("too many {what}; try again in {seconds} s"),
        )
        .with_header(header::RETRY_AFTER, HeaderValue::from(seconds))
    })
}

/// Whether the request's `Content-Type` is `application/json` (or `+json`).
pub fn is_json(headers: &axum::http::HeaderMap) -> bool {
    media_type(headers).is_some_and(|t| t == "application/json" || t.ends_with("+json"))
}

/// The media type of the request's `Content-Type`, lowercased, without parameters.
pub fn media_type(headers: &axum::http::HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next()?.trim().to_ascii_lowercase())
}

/// Parses a JSON body into `T`: 415 when it is not declared JSON, 400 naming the
/// field (`items[0].quantity`) when it is malformed or of the wrong shape.
pub fn parse_json<T: serde::de::DeserializeOwned>(
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<T, ApiFailure> {
    if !is_json(headers) {
        return Err(ApiFailure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            None,
            "send the body as JSON (Content-Type: application/json)",
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let field = if path == "." { "body" } else { path.as_str() };
        ApiFailure::bad_request(field, format!("invalid JSON body: {}", error.inner()))
    })?;
    // Nothing but whitespace may follow the JSON value.
    deserializer
        .end()
        .map_err(|error| ApiFailure::bad_request("body", format!("invalid JSON body: {error}")))?;
    Ok(value)
}

/// Query string of `GET /api/search`. Both are read as text so that a bad value gets a
/// JSON error naming the parameter rather than a generic rejection.
#[derive(Debug, Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    limit: Option<String>,
}

/// `GET /api/search?q=…&limit=…` → [`SearchResponse`].
#[utoipa::path(
    get,
    path = "/api/search",
    tag = "search",
    params(
        ("q" = String, Query, description = "The query, 1 to 256 characters, not blank; a trailing space marks the last word complete (no prefix matching)"),
        ("limit" = Option<usize>, Query, description = "Results to return, 1 to 50 (default 10)")
    ),
    responses(
        (status = 200, description = "The best matches", body = SearchResponse),
        (status = 400, description = "`q` empty or too long, `limit` out of range", body = ApiError),
        (status = 405, description = "Not GET or HEAD", body = ApiError)
    )
)]
///
/// * `q` (required): 1 to 256 characters, not only white space; otherwise 400
///   `field: "q"`.
/// * `limit` (optional, default 10): an integer from 1 to 50; otherwise 400 `field: "limit"`.
pub async fn search_get(
    State(state): State<AppState>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<impl IntoResponse, ApiFailure> {
    let Query(params) = params.map_err(|rejection| {
        ApiFailure::bad_request(
            "q",
            format!("invalid query string: {}", rejection.body_text()),
        )
    })?;
    let raw = params.q.as_deref().unwrap_or("");
    let query = raw.trim();
    if query.is_empty() {
        return Err(ApiFailure::bad_request(
            "q",
            "query parameter `q` must not be empty",
        ));
    }
    // Counted before trimming, as the document's `maxLength`.
    if raw.chars().count() > SEARCH_MAX_QUERY_CHARS {
        return Err(ApiFailure::bad_request(
            "q",
            format!("query parameter `q` must be at most {SEARCH_MAX_QUERY_CHARS} characters"),
        ));
    }
    let limit = match params.limit.as_deref() {
        None => SEARCH_DEFAULT_LIMIT,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=SEARCH_MAX_LIMIT).contains(&n) => n,
            _ => {
                return Err(ApiFailure::bad_request(
                    "limit",
                    format!(
                        "`limit` must be an integer between 1 and {SEARCH_MAX_LIMIT}, got `{text}`"
                    ),
                ))
            }
        },
    };
    // The untrimmed query: a trailing space marks the last word as complete (no prefix
    // matching), see `atoll_search`.
    let outcome = state.content().search().await.search(raw, limit);
    let body = SearchResponse {
        query: query.to_owned(),
        total: outcome.total,
        results: outcome.results,
    };
    Ok((
        [(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=60"),
        )],
        Json(body),
    ))
}

/// Any other method on `/api/search`.
pub async fn search_method_not_allowed() -> ApiFailure {
    ApiFailure::method_not_allowed("GET, HEAD")
}

/// Any `/api/…` path without an endpoint.
pub async fn api_not_found(uri: axum::http::Uri) -> ApiFailure {
    ApiFailure::not_found(uri.path())
}

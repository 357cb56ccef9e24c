//! The JSON API. Request and response types live in `islands::api`, shared with the
//! islands that call it.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use islands::api::{
    ApiError, SearchResponse, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT, SEARCH_MAX_QUERY_CHARS,
};
use serde::Deserialize;

use crate::serve::AppState;

/// An API error: a status and the JSON body `{"error", "field"}`.
#[derive(Debug)]
pub struct ApiFailure {
    status: StatusCode,
    body: ApiError,
    allow: Option<&'static str>,
}

impl ApiFailure {
    /// 400 about one field.
    pub fn bad_request(field: &str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            body: ApiError::field(field, message),
            allow: None,
        }
    }

    /// 404 for an unknown API path.
    pub fn not_found(path: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            body: ApiError::message(format!("no API endpoint at {path}")),
            allow: None,
        }
    }

    /// 405 with the `Allow` header (RFC 9110 §15.5.6).
    pub fn method_not_allowed(allow: &'static str) -> Self {
        Self {
            status: StatusCode::METHOD_NOT_ALLOWED,
            body: ApiError::message(format!("method not allowed: use {allow}")),
            allow: Some(allow),
        }
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(allow) = self.allow {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        response
    }
}

/// Query string of `GET /api/search`. Both are read as text so that a bad value gets a
/// JSON error naming the parameter rather than a generic rejection.
#[derive(Debug, Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    limit: Option<String>,
}

/// `GET /api/search?q=…&limit=…` → [`SearchResponse`].
///
/// * `q` (required): 1 to 256 characters after trimming; otherwise 400 `field: "q"`.
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
    if query.chars().count() > SEARCH_MAX_QUERY_CHARS {
        return Err(ApiFailure::bad_request(
            "q",
            format!("query parameter `q` must be at most {SEARCH_MAX_QUERY_CHARS} characters"),
        ));
    }
    let limit = match params.limit.as_deref().map(str::trim) {
        None | Some("") => SEARCH_DEFAULT_LIMIT,
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
    // matching), see `islands::search`.
    let outcome = state.search().search(raw, limit);
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

//! JSON types of Atoll's HTTP API, shared by the islands and the axum handlers.
//!
//! Every error answer of the API has one shape, [`ApiError`]:
//! `{"error": "human readable message", "field": "q"}` (`field` omitted when the
//! error is not about one input).

use serde::{Deserialize, Serialize};

/// Path of the search endpoint: `GET /api/search?q=…&limit=…`.
pub const SEARCH_PATH: &str = "/api/search";

/// Default number of results of [`SEARCH_PATH`] when `limit` is absent.
pub const SEARCH_DEFAULT_LIMIT: usize = 10;

/// Largest accepted `limit` of [`SEARCH_PATH`]; larger values are a 400.
pub const SEARCH_MAX_LIMIT: usize = 50;

/// Longest accepted query, in characters (Unicode scalar values); longer is a 400.
pub const SEARCH_MAX_QUERY_CHARS: usize = 256;

/// The answer of `GET /api/search`: `{"query", "total", "results": [...]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResponse {
    /// The query as received, trimmed.
    pub query: String,
    /// How many documents match in all (results hold at most `limit` of them).
    pub total: usize,
    /// The best matches, highest `score` first.
    pub results: Vec<SearchResult>,
}

/// One search match.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    /// Title of the page.
    pub title: String,
    /// Site-relative URL of the page, e.g. `/posts/islands/`.
    pub url: String,
    /// Plain text (not HTML) around the first match in the body, or the summary.
    pub excerpt: String,
    /// Relevance (BM25F); only comparable within one response.
    pub score: f32,
}

/// The body of every 4xx/5xx answer of the JSON API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// What went wrong, for a human: e.g. "`limit` must be between 1 and 50".
    pub error: String,
    /// The request field the error is about (query parameter or JSON key), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    /// An error about one request field.
    pub fn field(field: &str, error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            field: Some(field.to_owned()),
        }
    }

    /// An error not tied to one field.
    pub fn message(error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            field: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_omits_absent_field() {
        let json = serde_json::to_string(&ApiError::message("nope")).unwrap();
        assert_eq!(json, r#"{"error":"nope"}"#);
        let json = serde_json::to_string(&ApiError::field("q", "empty")).unwrap();
        assert_eq!(json, r#"{"error":"empty","field":"q"}"#);
    }
}

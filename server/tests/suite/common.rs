//! What every module of the suite shares: one request through the router (no socket,
//! `tower::ServiceExt::oneshot`) and its answer, and the repository's root.

use std::path::PathBuf;

use atoll_api::ApiError;
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The repository's root (fixtures, `public/`, `target/islands`).
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A response, read whole.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    /// The body as text (lossy UTF-8: every body the suite reads is text).
    pub(crate) body: String,
}

impl Answer {
    /// `x-atoll-cache` (`HIT`, `STALE`, `MISS`), or empty.
    pub(crate) fn cache(&self) -> &str {
        self.headers
            .get("x-atoll-cache")
            .map_or("", |v| v.to_str().unwrap())
    }

    /// The body as JSON; panics with the body when it is not.
    pub(crate) fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// The body as the API's JSON error, checking its content type.
    pub(crate) fn error(&self) -> ApiError {
        assert_eq!(self.headers[header::CONTENT_TYPE], "application/json");
        self.json()
    }

    /// The body.
    pub(crate) fn text(&self) -> String {
        self.body.clone()
    }
}

/// `request` through `app`.
pub(crate) async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// `GET uri` through `app`.
pub(crate) async fn get(app: &Router, uri: &str) -> Answer {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

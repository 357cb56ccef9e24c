//! `GET /status/ready`: readiness for a load balancer's or caching proxy's health
//! checks (Kubernetes' readiness probe, Varnish's backend probe): 200 once the content
//! is loaded and the database answers, else 503 (with `Retry-After: 5`). The process is
//! alive as long as it answers at all (liveness needs no endpoint of its own).

use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::state::AppState;

/// Where the endpoint is served.
pub const READY_PATH: &str = "/status/ready";

/// How long the database gets to answer the check.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// The answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    /// `true` when this server can answer every request (the status is then 200).
    pub ready: bool,
    /// `loaded` once the content is loaded (`loading` from a starting server's front).
    pub content: String,
    /// `ok`, `none` (no database: the shop and contact form answer 503), or why the
    /// database cannot be reached.
    pub database: String,
    /// `sqlite` or `postgres` (absent without a database).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<&'static str>,
    /// The content generation served.
    pub generation: u64,
}

/// `GET /status/ready`.
#[utoipa::path(
    get,
    path = "/status/ready",
    tag = "meta",
    responses(
        (status = 200, description = "Content loaded and the database answers", body = Readiness),
        (status = 503, description = "Not ready: the content is loading or the database cannot be reached", body = Readiness)
    )
)]
pub async fn ready_get(State(state): State<AppState>) -> Response {
    let (database, backend) = match state.services().store.clone() {
        None => ("none".to_owned(), None),
        Some(store) => {
            let backend = match store.backend() {
                crate::store::Backend::Sqlite => "sqlite",
                crate::store::Backend::Postgres => "postgres",
            };
            let ping = tokio::task::spawn_blocking(move || store.ping());
            let outcome = match tokio::time::timeout(PING_TIMEOUT, ping).await {
                Ok(Ok(Ok(()))) => "ok".to_owned(),
                Ok(Ok(Err(error))) => error.to_string(),
                Ok(Err(_)) => "the check panicked".to_owned(),
                Err(_) => format!("no answer within {} s", PING_TIMEOUT.as_secs()),
            };
            (outcome, Some(backend))
        }
    };
    let ready = database == "ok" || database == "none";
    let body = Readiness {
        ready,
        content: "loaded".to_owned(),
        database,
        backend,
        generation: state.snapshot().generation,
    };
    answer(body)
}

/// The starting server's answer, before the content is loaded.
pub fn not_ready_yet() -> Response {
    answer(Readiness {
        ready: false,
        content: "loading".to_owned(),
        database: "not checked".to_owned(),
        backend: None,
        generation: 0,
    })
}

fn answer(body: Readiness) -> Response {
    let status = if body.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let mut response = (status, Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status != StatusCode::OK {
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    response
}

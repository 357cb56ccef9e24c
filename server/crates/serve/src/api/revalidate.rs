//! `POST /api/revalidate`: on-demand revalidation by a signed webhook (Standard
//! Webhooks v1, or GitHub's `X-Hub-Signature-256`), as Next.js' `revalidatePath` /
//! `revalidateTag` called from a CMS webhook.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::shop::read_body;
use super::ApiFailure;
use crate::state::AppState;
use crate::webhook::{verify, verify_github, TOLERANCE};

/// Where the endpoint is served.
pub const REVALIDATE_PATH: &str = "/api/revalidate";
/// Largest body accepted: 1 MiB (more: 413).
pub const MAX_BODY: usize = 1024 * 1024;

/// The body: `{"paths": [...]}`, `{"tags": [...]}` (both may be given), or a CMS
/// event `{"type": "entry.updated", "data": {"type": "post", "slug": "…"}}`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevalidateRequest {
    /// Site-relative paths to render again, e.g. `/posts/hello/`.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Cache tags, the names pages carry in `Cache-Tag` (grammar in
    /// `app::cache_tags`): `post:<slug>`, `product:<slug>`, `page:<slug>`,
    /// `doc:<url>`, `tag:<slug>`, `posts` (every list of posts and the feed),
    /// `products`, `docs`, `all`. Each re-renders the pages that carry it.
    #[serde(default)]
    pub tags: Vec<String>,
    /// A CMS event type: `entry.created`, `entry.updated`, `entry.deleted`,
    /// `entry.published`, `entry.unpublished`.
    #[serde(default, rename = "type")]
    pub event: Option<String>,
    /// The event's entry.
    #[serde(default)]
    pub data: Option<EventEntry>,
}

/// The entry of a CMS event.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct EventEntry {
    /// `post`, `product`, `page` or `doc`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The entry's slug (for a doc: its URL, e.g. `/docs/install/`).
    pub slug: String,
}

/// One revalidated path.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Revalidated {
    /// The path.
    pub path: String,
    /// `rendered`, `removed` (its content is gone: now 404) or `unknown` (no such page).
    pub outcome: String,
}

/// The answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RevalidateResponse {
    /// `true` once the pages are rendered again.
    pub revalidated: bool,
    /// `true` when this `webhook-id` was already processed (nothing was done again).
    pub replayed: bool,
    /// Every path rendered again or removed, sorted.
    pub paths: Vec<Revalidated>,
    /// The content generation now served.
    pub generation: u64,
    /// How many cache tags were purged from the caching proxy in front (the `url:` tag
    /// of each page that changed or is gone, and the tags named); 0 without `--purge`.
    pub purged: usize,
}

/// `POST /api/revalidate`: reloads the content and renders again, before answering,
/// every named path, every page of the named tags or event's entry, and every cached
/// page whose read-set changed (the entry, the lists and tag pages it appears on, its
/// neighbours, the feed, the sitemaps).
#[utoipa::path(
    post,
    path = "/api/revalidate",
    tag = "revalidation",
    request_body(content = RevalidateRequest, content_type = "application/json"),
    params(
        ("webhook-id" = String, Header, description = "Unique delivery id (replays are acknowledged without work)"),
        ("webhook-timestamp" = String, Header, description = "Unix seconds; at most 5 minutes from the server's clock"),
        ("webhook-signature" = String, Header, description = "Space-separated `v1,<base64 HMAC-SHA256 of \"{id}.{timestamp}.{body}\">`")
    ),
    responses(
        (status = 200, description = "Pages rendered again (or a replay acknowledged)", body = RevalidateResponse),
        (status = 400, description = "Malformed body; `field` names the bad key", body = super::ApiError),
        (status = 401, description = "Missing or wrong signature, or a timestamp out of tolerance", body = super::ApiError),
        (status = 405, description = "Not POST", body = super::ApiError),
        (status = 413, description = "Body over 1 MiB", body = super::ApiError),
        (status = 500, description = "The content could not be reloaded (the previous pages stay)", body = super::ApiError),
        (status = 503, description = "No webhook secret is configured, or the other servers on the database could not be told (retry after `Retry-After` seconds)", body = super::ApiError)
    )
)]
pub async fn revalidate_post(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, ApiFailure> {
    let (parts, body) = request.into_parts();
    let keys = &state.rendering().webhook_secrets;
    let github = state.rendering().github_secret.clone();
    if keys.is_empty() && github.is_none() {
        return Err(ApiFailure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            "on-demand revalidation is off: set ATOLL_WEBHOOK_SECRET",
        ));
    }
    let body = read_body(&parts.headers, body, MAX_BODY).await?;
    let (id, from_github) = authenticate(&state, &parts.headers, &body, github.as_deref())?;
    // A GitHub delivery (a push to the content repository, a ping) says "something
    // changed": every cached page whose read-set changed is rendered again.
    let request: RevalidateRequest = if from_github {
        RevalidateRequest::default()
    } else {
        super::parse_json(&parts.headers, &body)?
    };
    let tags = if from_github {
        Vec::new()
    } else {
        tags_of(&request)?
    };
    for (i, path) in request.paths.iter().enumerate() {
        if !path.starts_with('/') || path.starts_with("//") {
            return Err(ApiFailure::bad_request(
                &format!("paths[{i}]"),
                "a path is site-relative and starts with `/`",
            ));
        }
    }
    for (i, tag) in tags.iter().enumerate() {
        if !crate::targets::is_tag(tag) {
            return Err(ApiFailure::bad_request(
                &format!("tags[{i}]"),
                format!("unknown cache tag `{tag}`"),
            ));
        }
    }
    run(state, id, request.paths, tags).await
}

/// The work of an accepted delivery `id`: recorded (a replay answers `replayed`), the
/// pages rendered again, the other servers told and the proxy purged, in a task of its
/// own; the id finished on success and released on failure.
pub(super) async fn run(
    state: AppState,
    id: String,
    paths: Vec<String>,
    tags: Vec<String>,
) -> Result<Response, ApiFailure> {
    // The id is taken before the work (a concurrent duplicate delivery is acknowledged
    // as a replay) and given back if the work fails (the sender's retry does it).
    if !reserve(&state, &id).await {
        return Ok(Json(RevalidateResponse {
            revalidated: true,
            replayed: true,
            paths: Vec::new(),
            generation: state.snapshot().generation,
            purged: 0,
        })
        .into_response());
    }
    // The work runs in a task of its own: a sender that hangs up, or the request's time
    // limit, does not stop it half-way (the other servers told, the proxy purged).
    let work = {
        let state = state.clone();
        let id = id.clone();
        tokio::spawn(async move {
            let outcome = revalidate(&state, paths, tags).await;
            match &outcome {
                Ok(_) => finish(&state, &id).await,
                Err(_) => release(&state, &id).await,
            }
            outcome
        })
    };
    let done = match work.await {
        Ok(Ok(done)) => done,
        Ok(Err(failure)) => return Err(failure),
        Err(panicked) => {
            release(&state, &id).await;
            return Err(ApiFailure::internal(&panicked));
        }
    };
    let purged = done.purged.len();
    let mut paths: Vec<Revalidated> = done
        .paths
        .into_iter()
        .map(|(path, outcome)| Revalidated {
            path,
            outcome: outcome.to_owned(),
        })
        .collect();
    paths.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Json(RevalidateResponse {
        revalidated: true,
        replayed: false,
        paths,
        generation: state.snapshot().generation,
        purged,
    })
    .into_response())
}

/// Renders the pages again, tells the other servers sharing the database (before the
/// purge, which they do not need), then purges the proxy in front.
async fn revalidate(
    state: &AppState,
    paths: Vec<String>,
    tags: Vec<String>,
) -> Result<crate::state::Revalidation, ApiFailure> {
    let mut done = match state.revalidate_pages(paths.clone(), tags.clone()).await {
        Ok(Ok(done)) => done,
        Ok(Err((index, tag))) => {
            return Err(ApiFailure::bad_request(
                &format!("tags[{index}]"),
                format!("unknown cache tag `{tag}`"),
            ));
        }
        Err(err) => {
            return Err(ApiFailure::content(
                state,
                "the content could not be reloaded",
                &err,
            ));
        }
    };
    // A GitHub push names nothing: the other servers revalidate whatever changed.
    if let Err(error) = crate::cluster::announce(state, paths, tags).await {
        tracing::error!(%error, "cannot tell the other servers about the revalidation");
        return Err(ApiFailure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            "the pages were rendered here, but the other servers could not be told (database unreachable); retry",
        )
        .with_header(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("5"),
        ));
    }
    done.purged = state.purge(&done.purge_tags).await;
    Ok(done)
}

/// Checks the signature; returns the delivery id and whether GitHub signed it.
fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    github: Option<&[u8]>,
) -> Result<(String, bool), ApiFailure> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let unauthorized = |message: String| ApiFailure::new(StatusCode::UNAUTHORIZED, None, message);
    if let (Some(secret), Some(signature)) = (github, header("x-hub-signature-256")) {
        if !verify_github(secret, signature, body) {
            return Err(unauthorized("`X-Hub-Signature-256` does not match".into()));
        }
        // GitHub signs neither the delivery id nor a time: replays are recognised by
        // the id, or by the signature itself when there is none.
        let id = match header("x-github-delivery").filter(|id| !id.is_empty()) {
            Some(id) => format!("github:{id}"),
            None => format!("github-signature:{signature}"),
        };
        return Ok((id, true));
    }
    let id =
        header("webhook-id").ok_or_else(|| unauthorized("missing header `webhook-id`".into()))?;
    let timestamp = header("webhook-timestamp")
        .ok_or_else(|| unauthorized("missing header `webhook-timestamp`".into()))?;
    let signature = header("webhook-signature")
        .ok_or_else(|| unauthorized("missing header `webhook-signature`".into()))?;
    let now = super::unix_now(state);
    verify(
        &state.rendering().webhook_secrets,
        id,
        timestamp,
        signature,
        body,
        now,
    )
    .map_err(|err| unauthorized(err.to_string()))?;
    Ok((id.to_owned(), false))
}

/// How long an unfinished delivery blocks its retries: after 2 minutes it is taken to
/// be abandoned (its server died mid-work) and a retry does the work.
const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(120);

/// Records a delivery id as being worked on; `false` when it was recorded before (a
/// replay, or a duplicate arriving while the first is worked on). With a database the
/// id is recorded there, so that a replay to another server sharing it is recognised
/// and survives restarts; ids older than twice the tolerance are forgotten (their
/// deliveries would be refused by the timestamp check anyway). Without one, or when it
/// cannot be reached, this server's memory decides (a revalidation done twice is
/// harmless; one refused is not).
async fn reserve(state: &AppState, id: &str) -> bool {
    let now = state.cache().now();
    if let Some(store) = state.services().store.clone() {
        let key = id.to_owned();
        let at = chrono::DateTime::<chrono::Utc>::from(now);
        let abandoned = chrono::DateTime::<chrono::Utc>::from(now - ABANDONED_AFTER);
        match tokio::task::spawn_blocking(move || store.reserve_webhook(&key, at, abandoned)).await
        {
            Ok(Ok(taken)) => return taken,
            Ok(Err(error)) => {
                tracing::warn!(%error, "webhook id not recorded in the database; replays to other servers are not recognised")
            }
            Err(_) => tracing::warn!("recording the webhook id panicked"),
        }
    }
    let mut ids = state.webhook_ids().lock().expect("webhook ids lock");
    ids.retain(|_, at| {
        now.duration_since(*at)
            .map_or(true, |age| age.as_secs() <= 2 * TOLERANCE)
    });
    if ids.contains_key(id) {
        return false;
    }
    ids.insert(id.to_owned(), now);
    true
}

/// Marks a delivery's work done (its retries are replays from now on).
async fn finish(state: &AppState, id: &str) {
    if let Some(store) = state.services().store.clone() {
        let key = id.to_owned();
        let at = chrono::DateTime::<chrono::Utc>::from(state.cache().now());
        if let Ok(Err(error)) =
            tokio::task::spawn_blocking(move || store.finish_webhook(&key, at)).await
        {
            tracing::warn!(%error, "cannot mark the webhook done in the database");
        }
    }
}

/// Forgets a delivery id whose work failed.
async fn release(state: &AppState, id: &str) {
    state
        .webhook_ids()
        .lock()
        .expect("webhook ids lock")
        .remove(id);
    if let Some(store) = state.services().store.clone() {
        let key = id.to_owned();
        if let Ok(Err(error)) =
            tokio::task::spawn_blocking(move || store.release_webhook(&key)).await
        {
            tracing::warn!(%error, "cannot forget the webhook id in the database");
        }
    }
}

/// The cache tags named by the body (its `tags` and its event).
fn tags_of(request: &RevalidateRequest) -> Result<Vec<String>, ApiFailure> {
    let mut tags = request.tags.clone();
    match (&request.event, &request.data) {
        (None, None) => {}
        (Some(event), Some(entry)) => {
            const EVENTS: [&str; 5] = [
                "entry.created",
                "entry.updated",
                "entry.deleted",
                "entry.published",
                "entry.unpublished",
            ];
            if !EVENTS.contains(&event.as_str()) {
                return Err(ApiFailure::bad_request(
                    "type",
                    format!("unknown event type `{event}`; expected one of {EVENTS:?}"),
                ));
            }
            if !matches!(entry.kind.as_str(), "post" | "product" | "page" | "doc") {
                return Err(ApiFailure::bad_request(
                    "data.type",
                    "the entry type is `post`, `product`, `page` or `doc`",
                ));
            }
            if entry.slug.is_empty() {
                return Err(ApiFailure::bad_request("data.slug", "the slug is empty"));
            }
            tags.push(format!("{}:{}", entry.kind, entry.slug));
        }
        (Some(_), None) => return Err(ApiFailure::bad_request("data", "an event needs `data`")),
        (None, Some(_)) => return Err(ApiFailure::bad_request("type", "an event needs `type`")),
    }
    if tags.is_empty() && request.paths.is_empty() {
        return Err(ApiFailure::bad_request(
            "paths",
            "name `paths`, `tags` or an event",
        ));
    }
    Ok(tags)
}

/// A `POST /api/revalidate` request signed with `key`: the headers to send with `body`.
pub fn signed_headers(key: &[u8], id: &str, now: u64, body: &[u8]) -> [(&'static str, String); 3] {
    [
        ("webhook-id", id.to_owned()),
        ("webhook-timestamp", now.to_string()),
        (
            "webhook-signature",
            crate::webhook::sign(key, id, now, body),
        ),
    ]
}

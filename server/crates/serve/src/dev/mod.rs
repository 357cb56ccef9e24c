//! `atoll serve --dev`: live reload and errors in the browser while developing.
//!
//! * A watcher checks `content/`, `public/` and the islands bundle every
//!   [`POLL_INTERVAL`] (file stamps, as [`crate::snapshot`]). A content change reloads
//!   the content (no Rust is compiled), renders the pages whose read-set changed, and
//!   tells the open tabs to reload; a change in `public/` or the bundle (rebuilt by
//!   `trunk watch`/`trunk serve`) only tells them to reload.
//! * Every HTML page gets a dev script (`/api/_atoll/dev.js`) that listens to
//!   [`EVENTS_PATH`] (server-sent events): `reload` reloads the tab; `failure` replaces
//!   the page with the error (`#atoll-dev-error`: file, line, message); `hello` on
//!   (re)connection carries the current state, so a tab opened while the content is
//!   broken shows the error, and a tab that missed a reload (the server restarted)
//!   reloads.
//! * While the content is broken, page requests answer 500 with the same error page; the
//!   last good pages stay cached, and fixing the file recovers without a restart.
//! * With `--dev-site DIR` ([`SiteWriter`]), the pages are also kept as files in `DIR`,
//!   written before each `reload`, for `trunk serve` to serve (`scripts/dev`).

mod site;

pub use site::{file_of, link_entries, link_stage, SiteWriter, WriteReport, MARKER};

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::Stream;
use tokio::sync::broadcast;

use crate::state::AppState;
pub use crate::state::{Dev, DevEvent};

/// The event stream of the dev script (this server's content events).
pub const EVENTS_PATH: &str = "/api/_atoll/events";
/// The build stream of the dev script, answered by the supervisor (`atoll dev`, the
/// `atoll-dev` crate) in front of this server: `hello` (data `{"stamp", "state",
/// "errors"}`), `building`, `failure` (data `{"errors"}`) and `reload`.
pub const BUILD_PATH: &str = "/api/_atoll/build";
/// The dev script.
pub const SCRIPT_PATH: &str = "/api/_atoll/dev.js";
/// How often the watcher looks at the files.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// The dev script's tag, inserted before `</body>` of every HTML page.
const SCRIPT_TAG: &str = "<script type=\"module\" src=\"/api/_atoll/dev.js\"></script>";

/// Watches the content, `public/` and the islands bundle until the process ends (see
/// the module docs); with a `site` writer, its folder is brought up to date before each
/// `reload`.
pub async fn watch(state: AppState, mut site: Option<SiteWriter>) {
    let Some(dev) = state.dev() else { return };
    let (public, islands) = state.dev_dirs();
    let mut public_stamp = folder_stamp(public.clone()).await;
    let mut islands_stamp = folder_stamp(islands.clone()).await;
    let mut generation = state.snapshot().generation;
    let mut every = tokio::time::interval(POLL_INTERVAL);
    loop {
        every.tick().await;
        match state.content().refresh(false).await {
            Ok(snapshot) if snapshot.generation != generation || dev.error().is_some() => {
                generation = snapshot.generation;
                match render_changes(&state).await {
                    Ok(()) => {
                        site = write_site(&state, site).await;
                        dev.send(DevEvent::Reload { reason: "content" });
                    }
                    Err(err) => dev.send(DevEvent::Failure {
                        message: err.chain(),
                    }),
                }
                continue;
            }
            Ok(_) => {}
            Err(err) => {
                let message = err.chain();
                if dev.error().as_deref() != Some(message.as_str()) {
                    tracing::warn!("content error: {message}");
                    dev.send(DevEvent::Failure { message });
                }
                continue;
            }
        }
        let stamp = folder_stamp(public.clone()).await;
        if stamp != public_stamp {
            public_stamp = stamp;
            // While the content is broken the pages are not written (the last good
            // ones stay); the fix writes everything.
            if dev.error().is_none() {
                site = write_site(&state, site).await;
            }
            dev.send(DevEvent::Reload { reason: "public" });
            continue;
        }
        let stamp = folder_stamp(islands.clone()).await;
        if stamp != islands_stamp {
            islands_stamp = stamp;
            dev.send(DevEvent::Reload { reason: "islands" });
        }
    }
}

/// Reloads the content, re-renders the cached pages whose read-set changed and renders
/// every pre-rendered page not cached yet (an entry added, or everything after a start
/// on broken content), so that the cache, and a dev site, hold every page.
///
/// # Errors
/// The content's reload error; nothing was changed.
pub async fn render_changes(
    state: &AppState,
) -> Result<(), std::sync::Arc<crate::error::ServeError>> {
    // Not forced: the watcher has just checked (within the reload interval), so this
    // is the snapshot it saw; revalidate_on_demand checks once more.
    let snapshot = state.content().refresh(false).await?;
    let missing: Vec<String> = crate::targets::Target::all(&snapshot)
        .iter()
        .map(crate::targets::Target::path)
        .filter(|path| state.cache().get(path).is_none())
        .collect();
    // The inner error is for unknown tags; none are given.
    let _ = state.revalidate_on_demand(missing, Vec::new()).await?;
    Ok(())
}

/// Runs `site`'s writer off the async workers; a failure is logged (the next change
/// writes again).
async fn write_site(state: &AppState, site: Option<SiteWriter>) -> Option<SiteWriter> {
    let mut writer = site?;
    let state = state.clone();
    let joined = tokio::task::spawn_blocking(move || {
        let written = writer.write(&state);
        (writer, written)
    })
    .await;
    match joined {
        Ok((writer, written)) => {
            match written {
                Ok(report) => {
                    tracing::info!(
                        "dev site {}: {} file(s) written, {} removed",
                        writer.dir().display(),
                        report.written.len(),
                        report.removed.len()
                    );
                    for (file, err) in &report.failed {
                        tracing::error!("dev site: cannot write {}: {err}", file.display());
                    }
                }
                Err(err) => {
                    tracing::error!(
                        "cannot write the dev site {}: {err}",
                        writer.dir().display()
                    )
                }
            }
            Some(writer)
        }
        Err(err) => {
            tracing::error!("the dev site writer panicked: {err}");
            None
        }
    }
}

async fn folder_stamp(dir: std::path::PathBuf) -> u64 {
    tokio::task::spawn_blocking(move || crate::snapshot::folder_fingerprint(&dir))
        .await
        .unwrap_or(0)
}

/// `GET /api/_atoll/events`: the server-sent events of the dev script: `hello` (data
/// `{"stamp", "error"}`) on connection, then `reload` (data: the reason) and `failure`
/// (data: the message).
pub async fn events(
    State(state): State<AppState>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, StatusCode> {
    let dev = state.dev().ok_or(StatusCode::NOT_FOUND)?;
    // A short retry: after a restart of the server, tabs reconnect (and reload) at once.
    let hello = Event::default()
        .event("hello")
        .retry(Duration::from_millis(300))
        .data(serde_json::json!({"stamp": dev.stamp(), "error": dev.error()}).to_string());
    let rest = futures_util::stream::unfold(dev.events.subscribe(), |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(DevEvent::Closing) => return None,
                Ok(event) => return Some((Ok(sse_event(event)), receiver)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    let stream =
        futures_util::StreamExt::chain(futures_util::stream::once(async move { Ok(hello) }), rest);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

fn sse_event(event: DevEvent) -> Event {
    match event {
        DevEvent::Reload { reason } => Event::default().event("reload").data(reason),
        DevEvent::Failure { message } => Event::default().event("failure").data(message),
        DevEvent::Closing => Event::default().comment("closing"),
    }
}

/// `GET /api/_atoll/dev.js`: the dev script (404 outside dev mode).
pub async fn script(State(state): State<AppState>) -> Response {
    if state.dev().is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        script_source(),
    )
        .into_response()
}

/// The dev script's source, with the paths of its event streams ([`EVENTS_PATH`],
/// [`BUILD_PATH`]) filled in: the protocol's names are spelled once, here. Served by
/// this server and by the `atoll dev` supervisor.
pub fn script_source() -> String {
    include_str!("dev.js")
        .replace("%EVENTS_PATH%", EVENTS_PATH)
        .replace("%BUILD_PATH%", BUILD_PATH)
}

/// The dev layer: pages go out uncompressed with the dev script; while the content is
/// broken, page requests get the error page (500).
pub async fn layer(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let Some(dev) = state.dev() else {
        return next.run(request).await;
    };
    request.headers_mut().remove(header::ACCEPT_ENCODING);
    let path = request.uri().path();
    let page_like = path.ends_with('/') || path.ends_with(".html");
    if matches!(*request.method(), Method::GET | Method::HEAD)
        && page_like
        && !path.starts_with("/api/")
    {
        if let Some(message) = dev.error() {
            return error_page(&message);
        }
    }
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let html = with_script(&bytes);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::ETAG);
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Response::from_parts(parts, Body::from(html))
}

/// `html` with the dev script's tag inserted before its last `</body>` (or appended).
pub fn with_script(html: &[u8]) -> Vec<u8> {
    let at = html
        .windows(b"</body>".len())
        .rposition(|w| w == b"</body>")
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + SCRIPT_TAG.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(SCRIPT_TAG.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The page shown while the content is broken.
fn error_page(message: &str) -> Response {
    let escaped = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error — Atoll dev</title>\
         <style>body{{font:16px/1.5 system-ui,sans-serif;margin:2rem;color:#1f2933}}\
         pre{{background:#fff5f5;border-left:4px solid #c53030;padding:1rem;white-space:pre-wrap}}</style></head>\
         <body><main id=\"atoll-dev-error\"><h1>The content cannot be loaded</h1><pre>{escaped}</pre>\
         <p>Fix the file and save: this page reloads by itself.</p></main>{SCRIPT_TAG}</body></html>"
    );
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

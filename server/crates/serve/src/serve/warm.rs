//! The front of a starting server: it listens at once and answers the ISR pages of
//! the cache folder that this build wrote, read from disk per request, while the content
//! loads and the state is built; every other request waits for the state (a second or
//! two). Then every request goes to the [`super::router`] of the state. A restart
//! answers its first request in milliseconds instead of after the content load, as a
//! CDN keeps serving while its origin restarts.

use std::path::PathBuf;

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::sync::watch;
use tower::ServiceExt;

use super::response::page_response;
use crate::isr::{read_disk_page, CacheStatus};

/// The cache folder a starting server answers from: pages written by `build_id` only.
#[derive(Clone, Debug)]
pub struct DiskPages {
    /// The cache folder (`--cache-dir`).
    pub dir: PathBuf,
    /// [`crate::build_id`] of this binary.
    pub build_id: String,
    /// `stale-while-revalidate` seconds of ISR pages' `Cache-Control`.
    pub stale_while_revalidate: u32,
}

/// Hands the state's router to the front, or says that the start failed.
#[derive(Debug)]
pub struct Ready(watch::Sender<Option<Result<Router, String>>>);

impl Ready {
    /// From now on, every request goes to `router`.
    pub fn serve(self, router: Router) {
        let _ = self.0.send(Some(Ok(router)));
    }

    /// The start failed: requests waiting for the state get a 503 naming `reason`.
    pub fn fail(self, reason: String) {
        let _ = self.0.send(Some(Err(reason)));
    }
}

#[derive(Clone)]
struct Front {
    ready: watch::Receiver<Option<Result<Router, String>>>,
    disk: Option<DiskPages>,
}

/// The front's router and its [`Ready`] handle. `disk`: the cache folder to answer
/// from meanwhile (`None`: every request waits).
pub fn front(disk: Option<DiskPages>) -> (Router, Ready) {
    let (send, ready) = watch::channel(None);
    let router = Router::new()
        .fallback(answer)
        .with_state(Front { ready, disk });
    (router, Ready(send))
}

async fn answer(State(front): State<Front>, request: Request) -> Response {
    let mut ready = front.ready.clone();
    let started = ready.borrow().clone();
    let state = match started {
        Some(state) => state,
        None if request.uri().path() == crate::api::ready::READY_PATH => {
            return crate::api::ready::not_ready_yet();
        }
        None => {
            // Before the state: a cached page, for a plain GET (a preview cookie
            // needs the state, and so does any other cookie's page, to be safe).
            if let Some(disk) = &front.disk {
                let plain = matches!(*request.method(), Method::GET | Method::HEAD)
                    && !request.headers().contains_key(header::COOKIE);
                let path = request.uri().path().to_owned();
                let page = plain
                    .then(|| {
                        read_disk_page(
                            &disk.dir,
                            &path,
                            &disk.build_id,
                            disk.stale_while_revalidate,
                        )
                    })
                    .flatten();
                // ISR pages only, with a 200: a Static page is sent with a year of CDN
                // lifetime and the state renders it again at every start, and error
                // pages go out `no-store` through the state's guard.
                let page = page.filter(|e| e.mode.revalidate().is_some() && e.page.status == 200);
                if let Some(entry) = page {
                    // An ISR page past its `revalidate` says so; the state regenerates
                    // it on its next request.
                    let status = if entry.is_stale(std::time::SystemTime::now()) {
                        CacheStatus::Stale
                    } else {
                        CacheStatus::Hit
                    };
                    let mut response = page_response(
                        &entry.page,
                        entry.cache_control.clone(),
                        Some(status),
                        request.headers(),
                    );
                    // The headers the state's guard adds to every answer (CSP, …).
                    let headers = response.headers_mut();
                    for (name, value) in atoll_render::headers::SECURITY_HEADERS {
                        headers
                            .entry(name)
                            .or_insert_with(|| axum::http::HeaderValue::from_static(value));
                    }
                    return response;
                }
            }
            match ready.wait_for(Option::is_some).await {
                Ok(state) => state.clone().expect("waited for it"),
                Err(_) => Err("the server is stopping".to_owned()),
            }
        }
    };
    match state {
        Ok(router) => match router.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            axum::Json(
                serde_json::json!({ "error": format!("the server could not start: {reason}") }),
            ),
        )
            .into_response(),
    }
}

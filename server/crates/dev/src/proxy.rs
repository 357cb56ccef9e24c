//! The supervisor's HTTP side on the API port (Trunk proxies `/api/` and `/status/`
//! here): the build stream, the dev script, and everything else forwarded to the
//! server, waiting for one while it is built or restarted.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use atoll_serve::dev::{script_source, BUILD_PATH, SCRIPT_PATH};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::Stream;
use tokio::sync::broadcast;

use crate::supervisor::{BuildEvent, Supervisor};

/// How long a request (not an event stream) waits for a server being built or started.
const WAIT: Duration = Duration::from_secs(120);

/// The API port's routes.
pub(crate) fn router(supervisor: Arc<Supervisor>) -> Router {
    Router::new()
        .route(BUILD_PATH, get(build_stream))
        .route(SCRIPT_PATH, get(script))
        .fallback(forward)
        .with_state(supervisor)
}

/// `GET /api/_atoll/build`: server-sent events: `hello` (data `{"stamp", "state",
/// "errors"}`) at connection, then `building`, `failure` (data `{"errors"}`) and
/// `reload`.
async fn build_stream(
    State(supervisor): State<Arc<Supervisor>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = supervisor.events.subscribe();
    let hello = supervisor
        .event(&BuildEvent::Hello)
        .retry(Duration::from_millis(500));
    let rest = futures_util::stream::unfold(
        (receiver, supervisor),
        |(mut receiver, supervisor)| async move {
            loop {
                match receiver.recv().await {
                    Ok(BuildEvent::Closing) | Err(broadcast::error::RecvError::Closed) => {
                        return None
                    }
                    Ok(event) => {
                        let event = supervisor.event(&event);
                        return Some((Ok(event), (receiver, supervisor)));
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                }
            }
        },
    );
    let stream =
        futures_util::StreamExt::chain(futures_util::stream::once(async move { Ok(hello) }), rest);
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// `GET /api/_atoll/dev.js`, from the supervisor: tabs get it while no server runs.
async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        script_source(),
    )
        .into_response()
}

/// Forwards a request to the server. While it is being built or restarted, a request
/// waits (up to [`WAIT`]; an event stream as long as it takes, since a browser gives up
/// on a stream that answers an error); with no server and none coming until the next
/// save, 503.
async fn forward(State(supervisor): State<Arc<Supervisor>>, request: Request) -> Response {
    let stream = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"));
    let (mut parts, body) = request.into_parts();
    let mut body = Some(body);
    loop {
        let Some(port) = supervisor.wait_for_server(stream, WAIT).await else {
            return unavailable();
        };
        let Ok(uri) = Uri::builder()
            .scheme("http")
            .authority(format!("127.0.0.1:{port}"))
            .path_and_query(parts.uri.path_and_query().map_or("/", |p| p.as_str()))
            .build()
        else {
            return StatusCode::BAD_REQUEST.into_response();
        };
        parts.uri = uri;
        let upstream = Request::from_parts(parts.clone(), body.take().unwrap_or_default());
        match supervisor.client.request(upstream).await {
            Ok(answer) => return answer.map(Body::new),
            // The server went away (a restart): an event stream waits for the next one.
            Err(_) if stream => tokio::time::sleep(Duration::from_millis(200)).await,
            Err(err) => {
                return json(
                    StatusCode::BAD_GATEWAY,
                    &format!("the dev server did not answer: {err}"),
                )
            }
        }
    }
}

fn unavailable() -> Response {
    let mut response = json(
        StatusCode::SERVICE_UNAVAILABLE,
        "the dev server is not running: see the terminal of scripts/dev",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
    response
}

fn json(status: StatusCode, error: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "error": error }).to_string(),
    )
        .into_response()
}

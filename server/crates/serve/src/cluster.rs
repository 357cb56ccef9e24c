//! Revalidation that reaches every server sharing a PostgreSQL database, through
//! PostgreSQL's `LISTEN`/`NOTIFY`.
//!
//! A server that carried out an on-demand revalidation (a signed webhook) sends a
//! [`Notice`] on the channel [`CHANNEL`] with what it was asked: the paths and tags.
//! Every server listens on the channel ([`listen`]) and, for a notice from another
//! server, does the same revalidation: it reloads its content and renders again the
//! named pages and every cached page whose read-set changed, then purges its changes
//! from the proxy. The webhook's delivery id is recorded in the database first
//! ([`crate::store::Store::reserve_webhook`]), so a replay to any server is answered as
//! a replay and sends no notice.
//!
//! `NOTIFY` is delivered to every listening connection once the sending transaction
//! commits, in order; a server whose listening connection broke reconnects (waiting
//! 1 s, doubling up to 30 s). Each time it starts listening (the first time too: the
//! server answered before) it revalidates every page whose content changed, since it
//! may have missed notices meanwhile; a missed notice that named paths or tags of
//! unchanged content is not replayed. A notice is at most 8,000 bytes (PostgreSQL's limit):
//! a larger one is sent as the tag `all` (every page rendered again).
//!
//! Why `LISTEN`/`NOTIFY`: the servers already share the database, it needs no other
//! service, and notices are delivered within milliseconds. A server that is down when
//! a notice is sent misses it, but a server always reloads its content when it starts.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator as _;
use serde::{Deserialize, Serialize};

use crate::state::AppState;
use crate::store::Store;

/// The notification channel.
pub const CHANNEL: &str = "atoll_revalidate";

/// PostgreSQL's largest `NOTIFY` payload is 8,000 bytes; keep a margin.
const MAX_PAYLOAD: usize = 7_900;

/// What a server sends after a revalidation: JSON on [`CHANNEL`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The sending server's [`crate::Rendering::instance_id`] (it skips its own notices).
    pub origin: String,
    /// The paths the webhook named.
    pub paths: Vec<String>,
    /// The cache tags the webhook named (its event's entry included).
    pub tags: Vec<String>,
}

impl Notice {
    /// The payload to send: the JSON, or, past [`MAX_PAYLOAD`] bytes, a notice naming
    /// the tag `all` instead of the paths and tags.
    pub fn payload(&self) -> String {
        let json = serde_json::to_string(self).expect("a notice serializes");
        if json.len() <= MAX_PAYLOAD {
            return json;
        }
        serde_json::to_string(&Notice {
            origin: self.origin.clone(),
            paths: Vec::new(),
            tags: vec![app::cache_tags::ALL.to_owned()],
        })
        .expect("a notice serializes")
    }
}

/// Tells the other servers on the database what this one revalidated. Nothing to do
/// on SQLite (one server).
///
/// # Errors
/// The database's error (the revalidation itself is done; the caller logs it).
pub async fn announce(
    state: &AppState,
    paths: Vec<String>,
    tags: Vec<String>,
) -> Result<(), crate::store::StoreError> {
    let Some(store) = state.services().store.clone() else {
        return Ok(());
    };
    if store.postgres().is_none() {
        return Ok(());
    }
    let notice = Notice {
        origin: state.rendering().instance_id.clone(),
        paths,
        tags,
    };
    let payload = notice.payload();
    tokio::task::spawn_blocking(move || match store.postgres() {
        Some(db) => db.notify(CHANNEL, &payload),
        None => Ok(()),
    })
    .await
    .unwrap_or_else(|_| {
        Err(crate::store::StoreError::Unreachable(
            "sending the notice panicked".into(),
        ))
    })
}

/// Stops a [`listen`] thread when dropped or [`Listening::stop`]ped.
#[derive(Debug)]
pub struct Listening {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Listening {
    /// Stops listening and waits for the thread (at most about a second).
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Listens on [`CHANNEL`] on a connection of its own (a thread), and revalidates on
/// `runtime` for every notice from another server. `None` without a PostgreSQL store.
pub fn listen(state: &AppState, runtime: tokio::runtime::Handle) -> Option<Listening> {
    let store = state.services().store.clone()?;
    store.postgres()?;
    let stop = Arc::new(AtomicBool::new(false));
    let thread = {
        let stop = Arc::clone(&stop);
        let state = state.clone();
        std::thread::Builder::new()
            .name("atoll-listen".into())
            .spawn(move || listen_loop(&store, &state, &runtime, &stop))
            .expect("cannot start a thread")
    };
    Some(Listening {
        stop,
        thread: Some(thread),
    })
}

fn listen_loop(
    store: &Store,
    state: &AppState,
    runtime: &tokio::runtime::Handle,
    stop: &AtomicBool,
) {
    let db = store.postgres().expect("checked by listen");
    let own = state.rendering().instance_id.clone();
    let mut wait = Duration::from_secs(1);
    while !stop.load(Ordering::Relaxed) {
        let mut client = match db.dedicated_client().and_then(|mut client| {
            client
                .batch_execute(&format!("LISTEN {CHANNEL}"))
                .map_err(crate::store::StoreError::Postgres)?;
            Ok(client)
        }) {
            Ok(client) => client,
            Err(error) => {
                tracing::warn!(%error, retry_in_ms = wait.as_millis() as u64, "revalidation notices: cannot listen");
                sleep_unless_stopped(wait, stop);
                wait = (wait * 2).min(Duration::from_secs(30));
                continue;
            }
        };
        wait = Duration::from_secs(1);
        tracing::info!(channel = CHANNEL, "revalidation notices: listening");
        // Notices sent before this connection listened (while the server started, or
        // while the connection was down) are lost: catch up with whatever changed.
        revalidate(state, runtime, Vec::new(), Vec::new(), "listening");
        let mut idle_rounds = 0u32;
        'connection: while !stop.load(Ordering::Relaxed) {
            let mut got = false;
            let mut notifications = client.notifications();
            let mut iter = notifications.timeout_iter(Duration::from_millis(500));
            loop {
                match iter.next() {
                    Ok(None) => break,
                    Ok(Some(notification)) => {
                        got = true;
                        match serde_json::from_str::<Notice>(notification.payload()) {
                            Ok(notice) if notice.origin == own => {}
                            Ok(notice) => {
                                revalidate(state, runtime, notice.paths, notice.tags, "notice")
                            }
                            Err(error) => {
                                tracing::warn!(%error, "revalidation notices: unreadable notice ignored")
                            }
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, "revalidation notices: connection lost");
                        break 'connection;
                    }
                }
                if stop.load(Ordering::Relaxed) {
                    break 'connection;
                }
            }
            drop(iter);
            drop(notifications);
            // Every ~15 s without a notice, check that the connection still works (a
            // half-open connection would otherwise wait forever).
            idle_rounds = if got { 0 } else { idle_rounds + 1 };
            if idle_rounds >= 30 {
                idle_rounds = 0;
                if let Err(error) = client.simple_query("SELECT 1") {
                    tracing::warn!(%error, "revalidation notices: connection lost");
                    break 'connection;
                }
            }
        }
    }
}

fn sleep_unless_stopped(wait: Duration, stop: &AtomicBool) {
    let until = std::time::Instant::now() + wait;
    while !stop.load(Ordering::Relaxed) && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs a revalidation on the async runtime (not waited for: notices keep flowing).
fn revalidate(
    state: &AppState,
    runtime: &tokio::runtime::Handle,
    paths: Vec<String>,
    tags: Vec<String>,
    why: &'static str,
) {
    let state = state.clone();
    runtime.spawn(async move {
        match state.revalidate_on_demand(paths, tags).await {
            Ok(Ok(done)) => tracing::info!(
                why,
                pages = done.paths.len(),
                purged = done.purged.len(),
                "revalidated for another server"
            ),
            Ok(Err((_, tag))) => {
                tracing::warn!(why, tag, "revalidation notice names an unknown tag")
            }
            Err(error) => tracing::error!(why, %error, "revalidation for another server failed"),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_over_the_payload_limit_becomes_all() {
        let small = Notice {
            origin: "a".into(),
            paths: vec!["/posts/hello/".into()],
            tags: vec!["post:hello".into()],
        };
        let back: Notice = serde_json::from_str(&small.payload()).unwrap();
        assert_eq!(back, small);
        let large = Notice {
            origin: "a".into(),
            paths: (0..1000).map(|i| format!("/posts/p{i}/")).collect(),
            tags: Vec::new(),
        };
        let payload = large.payload();
        assert!(payload.len() <= MAX_PAYLOAD);
        let back: Notice = serde_json::from_str(&payload).unwrap();
        assert_eq!(back.tags, ["all"]);
        assert!(back.paths.is_empty());
    }
}

//! The outbox: retries with backoff against a real HTTP server on 127.0.0.1, and gives up.

use super::*;

/// A webhook receiver on 127.0.0.1 that fails the first `fail` requests with 500.
async fn receiver(fail: usize) -> (String, Arc<AtomicUsize>, Arc<std::sync::Mutex<Vec<Value>>>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let received = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (h, r) = (Arc::clone(&hits), Arc::clone(&received));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let (hits, received) = (Arc::clone(&h), Arc::clone(&r));
            async move {
                if hits.fetch_add(1, Ordering::SeqCst) < fail {
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                received
                    .lock()
                    .unwrap()
                    .push(serde_json::from_slice(&body).unwrap());
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, hits, received)
}

fn forwarding(url: &str) -> Forwarding {
    let mut forwarding = Forwarding::new(url.parse().unwrap());
    forwarding.base_delay = Duration::from_millis(50);
    forwarding.max_attempts = 3;
    forwarding.timeout = Duration::from_secs(5);
    forwarding
}

/// Runs outbox passes until `done` or 100 passes (10 ms apart).
async fn deliver_until(store: &Arc<Store>, forwarding: &Forwarding, done: impl Fn() -> bool) {
    let client = reqwest::Client::new();
    for _ in 0..100 {
        deliver_due(store, &client, forwarding).await;
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn outbox_retries_with_backoff_and_survives_a_restart() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("atoll.db");
    let (url, hits, received) = receiver(1).await;
    {
        // A message accepted while forwarding could not run (the server stopped).
        let store = Store::open(&db).unwrap();
        let message = atoll::store::NewMessage {
            name: "Ada",
            email: "ada@example.org",
            message: "Queued before a restart",
            client: "127.0.0.1",
            idempotency_key: None,
            request_hash: "",
            content_hash: "queued-before-a-restart",
        };
        store.insert_message(&message, true).unwrap();
    }
    // "Restart": a new store on the same file delivers it.
    let store = Arc::new(Store::open(&db).unwrap());
    let forwarding = forwarding(&url);
    let r = Arc::clone(&received);
    deliver_until(&store, &forwarding, move || !r.lock().unwrap().is_empty()).await;
    assert_eq!(
        hits.load(Ordering::SeqCst),
        2,
        "one failure, then the retry"
    );
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["message"], "Queued before a restart");
    assert_eq!(got[0]["type"], "contact");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NOT NULL AND attempts = 1"
        ),
        1
    );
}

#[tokio::test]
async fn outbox_gives_up_after_max_attempts() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("atoll.db");
    let (url, hits, _) = receiver(usize::MAX).await;
    let store = Arc::new(Store::open(&db).unwrap());
    let message = atoll::store::NewMessage {
        name: "Ada",
        email: "ada@example.org",
        message: "Never delivered",
        client: "127.0.0.1",
        idempotency_key: None,
        request_hash: "",
        content_hash: "never-delivered",
    };
    store.insert_message(&message, true).unwrap();
    let forwarding = forwarding(&url);
    let path = db.clone();
    deliver_until(&store, &forwarding, move || {
        count(
            &path,
            "SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL",
        ) == 1
    })
    .await;
    assert_eq!(hits.load(Ordering::SeqCst), 3);
    assert_eq!(
        count(
            &db,
            "SELECT attempts FROM outbox WHERE failed_at IS NOT NULL AND last_error LIKE '%500%'"
        ),
        3
    );
    // The message itself stays stored.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM contact_messages"), 1);
}

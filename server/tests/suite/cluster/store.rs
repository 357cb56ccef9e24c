//! The PostgreSQL store against a real server: the SQLite store's semantics, what two
//! servers sharing it rely on (one migration, disjoint outbox claims, shared webhook
//! ids, a restock applied once), and a lost database answered with 503 and recovered.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use atoll::store::{CheckoutError, MessageError, NewMessage, NewOrder, Store, PG_MIGRATIONS};
use atoll_api::QuoteLine;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::Utc;

use super::Pg;
use crate::common::{get, root, send};

fn connect(url: &str) -> Store {
    Store::connect(url, 4, Duration::from_secs(5)).expect("PostgreSQL store opens")
}

fn product(id: &str, stock: u32) -> app::Product {
    let site =
        atoll::content::load_site(&root().join("content"), &Default::default()).expect("demo");
    let mut product = site.products[0].clone();
    product.id = id.to_owned();
    product.stock = stock;
    product
}

fn line(product_id: &str, quantity: u32) -> QuoteLine {
    QuoteLine {
        product_id: product_id.to_owned(),
        name: "Mug".into(),
        url: "/products/mug/".into(),
        unit_price_cents: 1800,
        quantity,
        line_total_cents: 1800 * u64::from(quantity),
        stock: None,
    }
}

fn order<'a>(key: &'a str, hash: &'a str, lines: &'a [QuoteLine]) -> NewOrder<'a> {
    NewOrder {
        idempotency_key: key,
        request_hash: hash,
        name: "Ada",
        email: "ada@example.org",
        address: "12 Analytical Row",
        lines,
        currency: "EUR",
    }
}

fn message<'a>(key: Option<&'a str>, hash: &'a str, text: &'a str) -> NewMessage<'a> {
    NewMessage {
        name: "Ada",
        email: "ada@example.org",
        message: text,
        client: "127.0.0.1",
        idempotency_key: key,
        request_hash: hash,
        content_hash: text,
    }
}

#[test]
fn two_servers_share_one_postgres_store_with_sqlite_semantics() {
    let Some(pg) = Pg::start() else { return };
    let url = pg.create_db("shared");
    // Two servers starting at once: one migrates, the other finds it done.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| connect(&url));
        let b = s.spawn(|| connect(&url));
        (a.join().unwrap(), b.join().unwrap())
    });
    let mut client = pg.client("shared");
    let version: i64 = client
        .query_one("SELECT version FROM atoll_schema", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, PG_MIGRATIONS.len() as i64);
    assert_eq!(
        client
            .query_one("SELECT count(*) FROM atoll_schema", &[])
            .unwrap()
            .get::<_, i64>(0),
        1
    );

    // The catalog's stock, applied once whoever applies it; a restock adds once.
    a.sync_catalog(&[product("mug", 5)]).unwrap();
    b.sync_catalog(&[product("mug", 5)]).unwrap();
    assert_eq!(b.inventory("mug").unwrap().unwrap().stock, 5);
    let lines = [line("mug", 2)];
    let placed = a.place_order(&order("k1", "h1", &lines)).unwrap();
    assert!(!placed.replayed);
    assert_eq!(placed.order.total_cents, 3600);
    // A retry on the other server is the same order.
    let again = b.place_order(&order("k1", "h1", &lines)).unwrap();
    assert!(again.replayed);
    assert_eq!(again.order, placed.order);
    assert!(matches!(
        b.place_order(&order("k1", "other", &lines)),
        Err(CheckoutError::KeyReused)
    ));
    a.sync_catalog(&[product("mug", 15)]).unwrap();
    b.sync_catalog(&[product("mug", 15)]).unwrap();
    assert_eq!(a.inventory("mug").unwrap().unwrap().stock, 13, "5 - 2 + 10");
    // Short on the second line: nothing is taken, and the line is named.
    a.sync_catalog(&[product("mug", 15), product("cup", 1)])
        .unwrap();
    let lines = [line("mug", 1), line("cup", 2)];
    match b.place_order(&order("k2", "h2", &lines)) {
        Err(CheckoutError::OutOfStock {
            line,
            product_id,
            available,
        }) => assert_eq!((line, product_id.as_str(), available), (1, "cup", 1)),
        other => panic!("expected out of stock, got {other:?}"),
    }
    assert_eq!(a.inventory("mug").unwrap().unwrap().stock, 13);

    // Contact messages: a key's retry and an identical message are replays.
    let first = a
        .insert_message(&message(Some("m1"), "r1", "Hello"), true)
        .unwrap();
    assert!(!first.replayed);
    let retry = b
        .insert_message(&message(Some("m1"), "r1", "Hello"), true)
        .unwrap();
    assert_eq!((retry.id, retry.replayed), (first.id, true));
    assert!(matches!(
        b.insert_message(&message(Some("m1"), "r2", "Other"), true),
        Err(MessageError::KeyReused)
    ));
    let plain = a
        .insert_message(&message(None, "r3", "Twice"), true)
        .unwrap();
    let twice = b
        .insert_message(&message(None, "r3", "Twice"), true)
        .unwrap();
    assert_eq!((twice.id, twice.replayed), (plain.id, true));

    // The outbox: two servers polling at once split it; a claimed entry is not
    // claimed again until its lease ends.
    for i in 0..20 {
        let text = format!("Queued {i}");
        a.insert_message(&message(None, &text, &text), true)
            .unwrap();
    }
    let now = Utc::now();
    let lease = now + chrono::Duration::seconds(60);
    let (claimed_a, claimed_b) = std::thread::scope(|s| {
        let x = s.spawn(|| a.claim_outbox(now, 15, lease).unwrap());
        let y = s.spawn(|| b.claim_outbox(now, 15, lease).unwrap());
        (x.join().unwrap(), y.join().unwrap())
    });
    let mut ids: Vec<i64> = claimed_a.iter().chain(&claimed_b).map(|i| i.id).collect();
    let total = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), total, "an entry was claimed by both servers");
    assert_eq!(total, 22, "every due entry (2 messages + 20) claimed once");
    assert!(a.claim_outbox(now, 50, lease).unwrap().is_empty());
    a.outbox_delivered(ids[0]).unwrap();
    b.outbox_failed(ids[1], "503", Some(now)).unwrap();
    let retried = a.claim_outbox(Utc::now(), 50, lease).unwrap();
    assert_eq!(
        retried
            .iter()
            .map(|i| (i.id, i.attempts))
            .collect::<Vec<_>>(),
        [(ids[1], 1)]
    );
    let after_lease = a
        .claim_outbox(
            lease + chrono::Duration::seconds(1),
            50,
            lease + chrono::Duration::seconds(61),
        )
        .unwrap();
    assert_eq!(after_lease.len(), 21, "a lease that ended is claimed again");

    // Webhook ids: a replay to the other server is a replay, while the first is
    // worked on and once it is done; an attempt released (its work failed) or abandoned
    // (its server died: not finished after the abandon time) is done again.
    let long_ago = now - chrono::Duration::seconds(120);
    assert!(a.reserve_webhook("msg_1", now, long_ago).unwrap());
    assert!(
        !b.reserve_webhook("msg_1", now, long_ago).unwrap(),
        "in progress"
    );
    a.finish_webhook("msg_1", now).unwrap();
    let much_later = now + chrono::Duration::seconds(300);
    assert!(
        !b.reserve_webhook("msg_1", now, much_later).unwrap(),
        "done"
    );
    assert!(a.reserve_webhook("msg_2", now, long_ago).unwrap());
    b.release_webhook("msg_2").unwrap();
    assert!(
        b.reserve_webhook("msg_2", now, long_ago).unwrap(),
        "released"
    );
    assert!(
        a.reserve_webhook(
            "msg_2",
            now + chrono::Duration::seconds(200),
            now + chrono::Duration::seconds(80)
        )
        .unwrap(),
        "abandoned by a server that died"
    );
    // Forgotten after twice the signature tolerance.
    let later = now + chrono::Duration::seconds(601);
    assert!(a.reserve_webhook("msg_1", later, long_ago).unwrap());
    a.ping().unwrap();
    assert!(a.limit_pages(10).is_err(), "SQLite only");
}

#[test]
fn a_newer_postgres_schema_is_refused() {
    let Some(pg) = Pg::start() else { return };
    let url = pg.create_db("newer");
    drop(connect(&url));
    pg.client("newer")
        .batch_execute("UPDATE atoll_schema SET version = 99")
        .unwrap();
    let error = Store::connect(&url, 2, Duration::from_secs(5)).unwrap_err();
    assert!(error.to_string().contains("newer"), "{error}");
    // The password never shows in errors.
    let error = Store::connect(
        &format!("postgres://atoll:hunter2@127.0.0.1:{}/missing", pg.port),
        1,
        Duration::from_secs(2),
    )
    .unwrap_err();
    assert!(!error.to_string().contains("hunter2"), "{error}");
    assert!(error.to_string().contains("atoll@127.0.0.1"), "{error}");
}

/// The database goes away under a running server: the checkout answers 503 with a JSON
/// error and `Retry-After`, `/status/ready` says why, nothing half-done is stored; once
/// the database is back, the next checkout succeeds without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_database_answers_503_and_recovers_on_its_own() {
    // `postgres::Client` runs its own runtime: the harness is driven off this one.
    let Some(pg) = tokio::task::spawn_blocking(Pg::start).await.unwrap() else {
        return;
    };
    let (pg, url) = tokio::task::spawn_blocking(move || {
        let url = pg.create_db("lost");
        (pg, url)
    })
    .await
    .unwrap();
    let site =
        atoll::content::load_site(&root().join("content"), &Default::default()).expect("demo");
    let store = {
        let url = url.clone();
        Arc::new(
            tokio::task::spawn_blocking(move || connect(&url))
                .await
                .unwrap(),
        )
    };
    {
        let store = Arc::clone(&store);
        let products = site.products.clone();
        tokio::task::spawn_blocking(move || store.sync_catalog(&products).unwrap())
            .await
            .unwrap();
    }
    let services = atoll::Services {
        store: Some(Arc::clone(&store)),
        checkout_per_minute: NonZeroU32::new(1000).unwrap(),
        ..Default::default()
    };
    let dirs = atoll::Dirs {
        public: root().join("public"),
        islands: root().join("target/islands"),
    };
    let app = atoll::router(atoll::AppState::with_services(site, dirs, services));
    let checkout = |key: &str| {
        Request::post(atoll_api::CHECKOUT_PATH)
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", key)
            .body(Body::from(
                serde_json::json!({"name": "Ada", "email": "ada@example.org", "address": "12 Row",
                    "items": [{"product_id": "atoll-mug", "quantity": 1}]})
                .to_string(),
            ))
            .unwrap()
    };
    assert_eq!(
        send(&app, checkout("before")).await.status,
        StatusCode::CREATED
    );
    let ready = get(&app, "/status/ready").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    assert!(
        ready.body.contains(r#""backend":"postgres""#),
        "{}",
        ready.body
    );

    let mut pg = pg;
    let mut pg = tokio::task::spawn_blocking(move || {
        pg.stop();
        pg
    })
    .await
    .unwrap();
    let down = send(&app, checkout("during")).await;
    assert_eq!(
        down.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        down.body
    );
    assert_eq!(down.headers[header::RETRY_AFTER], "5");
    assert!(down.error().error.contains("unreachable"), "{}", down.body);
    let ready = get(&app, "/status/ready").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(ready.body.contains(r#""ready":false"#), "{}", ready.body);

    let pg = tokio::task::spawn_blocking(move || {
        pg.run();
        pg
    })
    .await
    .unwrap();
    let back = send(&app, checkout("after")).await;
    assert_eq!(back.status, StatusCode::CREATED, "{}", back.body);
    assert_eq!(get(&app, "/status/ready").await.status, StatusCode::OK);
    let orders: i64 = tokio::task::spawn_blocking(move || {
        pg.client("lost")
            .query_one("SELECT count(*) FROM orders", &[])
            .unwrap()
            .get(0)
    })
    .await
    .unwrap();
    assert_eq!(
        orders, 2,
        "the order refused while the database was down is not stored"
    );
}

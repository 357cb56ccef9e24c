//! Two `atoll serve` processes on one PostgreSQL database: checkouts spread over both
//! (one killed with SIGKILL mid-run), a webhook to one revalidating the other, and
//! Varnish in front purged by tag.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{free_port, signal, Atoll, Pg, Site, Varnish, SECRET};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The final answer to one buyer.
#[derive(Debug)]
struct Outcome {
    status: u16,
    order_id: Option<i64>,
    replayed: bool,
    attempts: u32,
}

/// 400 buyers of a product with stock 100, half sent to each server; the second is
/// killed with SIGKILL after 100 answers, and its buyers retry on the first with the
/// same `Idempotency-Key`, as a client does after a lost connection.
#[test]
fn two_servers_sell_exactly_the_stock_and_lose_no_acknowledged_order() {
    let Some(pg) = Pg::start() else { return };
    let db = pg.create_db("shop");
    let site = Site::demo(100);
    let a = Atoll::start(&site, &db, &[]);
    let mut b = Atoll::start(&site, &db, &[]);
    let (a_base, b_base) = (a.base(), b.base());
    let b_pid = b.pid();
    let outcomes: BTreeMap<String, Outcome> = runtime().block_on(async move {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let answered = Arc::new(AtomicUsize::new(0));
        let killer = {
            let answered = Arc::clone(&answered);
            tokio::spawn(async move {
                let until = Instant::now() + Duration::from_secs(60);
                while answered.load(Ordering::SeqCst) < 100 && Instant::now() < until {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                signal(b_pid, "-KILL");
            })
        };
        let mut tasks = Vec::new();
        for i in 0..400u32 {
            let client = client.clone();
            let answered = Arc::clone(&answered);
            let (a_base, b_base) = (a_base.clone(), b_base.clone());
            tasks.push(tokio::spawn(async move {
                // Spread over about a second, so that the kill lands mid-run.
                tokio::time::sleep(Duration::from_millis(u64::from(i) * 2)).await;
                let key = format!("buyer-{i:03}");
                let body = json!({"name": "Ada", "email": "ada@example.org",
                    "address": "12 Analytical Row", "items": [{"product_id": "atoll-mug", "quantity": 1}]});
                let mut base = if i % 2 == 0 { a_base.clone() } else { b_base };
                for attempts in 1..=5 {
                    let sent = client
                        .post(format!("{base}/api/checkout"))
                        .header("idempotency-key", &key)
                        .json(&body)
                        .send()
                        .await;
                    let response = match sent {
                        Ok(response) => response,
                        Err(_) => {
                            base = a_base.clone();
                            continue;
                        }
                    };
                    let status = response.status().as_u16();
                    let replayed = response.headers().contains_key("idempotent-replayed");
                    let Ok(json) = response.json::<Value>().await else {
                        base = a_base.clone();
                        continue;
                    };
                    answered.fetch_add(1, Ordering::SeqCst);
                    return (
                        key,
                        Outcome {
                            status,
                            order_id: json["order_id"].as_i64(),
                            replayed,
                            attempts,
                        },
                    );
                }
                panic!("{key}: no answer after 5 attempts");
            }));
        }
        let mut outcomes = BTreeMap::new();
        for task in tasks {
            let (key, outcome) = task.await.unwrap();
            outcomes.insert(key, outcome);
        }
        killer.await.unwrap();
        outcomes
    });
    b.reap();

    let sold: Vec<(&String, &Outcome)> = outcomes
        .iter()
        .filter(|(_, o)| matches!(o.status, 200 | 201))
        .collect();
    let refused = outcomes.values().filter(|o| o.status == 409).count();
    let other: Vec<_> = outcomes
        .iter()
        .filter(|(_, o)| !matches!(o.status, 200 | 201 | 409))
        .collect();
    assert!(other.is_empty(), "unexpected answers: {other:?}");
    assert_eq!(sold.len(), 100, "exactly the stock is sold");
    assert_eq!(refused, 300, "every other buyer gets a clean 409");
    let retried = outcomes.values().filter(|o| o.attempts > 1).count();
    let replayed = sold.iter().filter(|(_, o)| o.replayed).count();
    eprintln!(
        "checkouts: {} sold, {refused} refused, {retried} retried after the kill ({replayed} answered as replays)",
        sold.len()
    );
    assert!(
        retried > 0,
        "the kill landed after every request to it was answered"
    );
    // A replay answer (200) only comes from a retry whose first answer was lost.
    assert!(sold
        .iter()
        .all(|(_, o)| o.status == 201 || (o.replayed && o.attempts > 1)));
    let acknowledged: BTreeSet<i64> = sold.iter().map(|(_, o)| o.order_id.unwrap()).collect();
    assert_eq!(acknowledged.len(), 100, "no order acknowledged twice");

    let mut client = pg.client("shop");
    let stored: BTreeMap<String, i64> = client
        .query("SELECT idempotency_key, id FROM orders", &[])
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    assert_eq!(stored.len(), 100, "exactly 100 orders, one per key");
    for (key, outcome) in &sold {
        assert_eq!(
            stored.get(*key),
            outcome.order_id.as_ref(),
            "{key}: an acknowledged order is on disk"
        );
    }
    let stock: i64 = client
        .query_one(
            "SELECT stock FROM inventory WHERE product_id = 'atoll-mug'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(stock, 0);

    // Retrying acknowledged keys on the surviving server places nothing new.
    let again: Vec<(String, i64)> = sold
        .iter()
        .take(20)
        .map(|(key, o)| ((*key).clone(), o.order_id.unwrap()))
        .collect();
    let base = a.base();
    runtime().block_on(async move {
        let client = reqwest::Client::new();
        for (key, id) in again {
            let response = client
                .post(format!("{base}/api/checkout"))
                .header("idempotency-key", &key)
                .json(&json!({"name": "Ada", "email": "ada@example.org",
                    "address": "12 Analytical Row", "items": [{"product_id": "atoll-mug", "quantity": 1}]}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{key}");
            assert!(response.headers().contains_key("idempotent-replayed"));
            let json: Value = response.json().await.unwrap();
            assert_eq!(json["order_id"].as_i64(), Some(id), "{key}");
        }
    });
    let count: i64 = client
        .query_one("SELECT count(*) FROM orders", &[])
        .unwrap()
        .get(0);
    assert_eq!(count, 100);
}

/// Signed webhook headers for `body`.
fn signed(id: &str, body: &str) -> Vec<(&'static str, String)> {
    let key = atoll::webhook::decode_secret(SECRET).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    atoll::signed_headers(&key, id, now, body.as_bytes()).to_vec()
}

async fn webhook(client: &reqwest::Client, base: &str, id: &str, body: &str) -> Value {
    let mut request = client
        .post(format!("{base}/api/revalidate"))
        .header("content-type", "application/json")
        .body(body.to_owned());
    for (name, value) in signed(id, body) {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// `GET url`: the status, the `X-Cache-Hits` Varnish adds (0 without it) and the body.
async fn fetch(client: &reqwest::Client, url: &str) -> (u16, u64, String) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let hits = response
        .headers()
        .get("x-cache-hits")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (status, hits, response.text().await.unwrap())
}

const POST: &str = "/posts/atomic-exports/";
const UNRELATED: &str = "/docs/getting-started/dev-loop/";
const EDIT: &str = "Edited in the CMS a moment ago.";

/// A webhook to server A: server B, sharing the database, serves the new page within a
/// second; the same delivery replayed to B is a replay; Varnish in front drops exactly
/// the pages that changed (by their tags) and keeps serving the rest from its cache.
#[test]
fn a_webhook_to_one_server_revalidates_every_server_and_purges_varnish_by_tag() {
    let Some(pg) = Pg::start() else { return };
    let db = pg.create_db("content");
    let site = Site::demo(25);
    let varnish_port = free_port();
    let purge = format!("varnish=http://127.0.0.1:{varnish_port}/");
    let a = Atoll::start(&site, &db, &["--purge", &purge]);
    let b = Atoll::start(&site, &db, &["--purge", &purge]);
    let Some(varnish) = Varnish::start(varnish_port, &[a.addr, b.addr]) else {
        return;
    };
    let (a_base, b_base, proxy) = (a.base(), b.base(), varnish.base());
    let post_file = site.content().join("posts/atomic-exports.md");
    runtime().block_on(async move {
        let client = reqwest::Client::new();
        // Both backends healthy (the probes of /status/ready), then cached at the proxy.
        let until = Instant::now() + Duration::from_secs(20);
        while fetch(&client, &format!("{proxy}{UNRELATED}")).await.0 != 200 {
            assert!(
                Instant::now() < until,
                "Varnish never got a healthy backend"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        for path in [POST, UNRELATED] {
            let _ = fetch(&client, &format!("{proxy}{path}")).await;
            let (status, hits, _) = fetch(&client, &format!("{proxy}{path}")).await;
            assert_eq!(status, 200);
            assert!(hits >= 1, "{path} is cached at the proxy");
        }
        let unrelated_hits = fetch(&client, &format!("{proxy}{UNRELATED}")).await.1;

        let text = std::fs::read_to_string(&post_file).unwrap();
        std::fs::write(&post_file, format!("{text}\n{EDIT}\n")).unwrap();
        let body =
            r#"{"type": "entry.updated", "data": {"type": "post", "slug": "atomic-exports"}}"#;
        let sent = Instant::now();
        let answer = webhook(&client, &a_base, "msg_cluster_1", body).await;
        assert_eq!(answer["replayed"], false, "{answer}");
        assert!(answer["purged"].as_u64().unwrap() >= 1, "{answer}");
        // B renders it too, within a second of the webhook.
        loop {
            let (_, _, page) = fetch(&client, &format!("{b_base}{POST}")).await;
            if page.contains(EDIT) {
                break;
            }
            assert!(
                sent.elapsed() < Duration::from_secs(1),
                "B did not serve the new page within 1 s"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        eprintln!(
            "webhook to A → new page on B after {} ms",
            sent.elapsed().as_millis()
        );
        let replay = webhook(&client, &b_base, "msg_cluster_1", body).await;
        assert_eq!(
            replay["replayed"], true,
            "a replay to the other server: {replay}"
        );

        // Through Varnish: the post is fetched again (new text), the unrelated page is
        // still the cached copy (its hit counter went on).
        let (status, hits, page) = fetch(&client, &format!("{proxy}{POST}")).await;
        assert_eq!(status, 200);
        assert!(page.contains(EDIT), "the proxy still had the old post");
        assert_eq!(hits, 0, "the post was purged and fetched again");
        let (_, hits, _) = fetch(&client, &format!("{proxy}{UNRELATED}")).await;
        assert_eq!(hits, unrelated_hits + 1, "an unrelated page stayed cached");
    });
    drop(varnish);
}

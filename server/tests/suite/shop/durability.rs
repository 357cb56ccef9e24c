//! An acknowledged contact message is on disk once, and a full database answers 503 and loses nothing.

use super::*;

#[tokio::test]
async fn contact_retries_are_stored_once() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("atoll.db");
    let (app, _) = app_with(dir.path(), 100);
    let stored = |text: &str| {
        count(
            &db,
            &format!("SELECT COUNT(*) FROM contact_messages WHERE message = '{text}'"),
        )
    };

    // With an Idempotency-Key: the retry gets the same answer, marked, nothing stored.
    let body = json!({"name": "Ada", "email": "ada@example.org", "message": "Keyed hello"});
    let first = post_json(&app, "/api/contact", &body, Some("msg-1")).await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.text());
    assert!(!first.headers.contains_key("idempotent-replayed"));
    let again = post_json(&app, "/api/contact", &body, Some("msg-1")).await;
    assert_eq!(again.status, StatusCode::ACCEPTED);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>(), json!({"received": true}));
    assert_eq!(stored("Keyed hello"), 1);
    // The same key with another message is refused, and stores nothing.
    let other = json!({"name": "Ada", "email": "ada@example.org", "message": "Another text"});
    let reused = post_json(&app, "/api/contact", &other, Some("msg-1")).await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.error().field.as_deref(), Some("Idempotency-Key"));
    assert_eq!(stored("Another text"), 0);
    let bad_key = post_json(&app, "/api/contact", &other, Some("two words")).await;
    assert_eq!(bad_key.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_key.error().field.as_deref(), Some("Idempotency-Key"));

    // The no-JS form has no key: the same email and text within ten minutes is one
    // message, and the retry is answered as a replay.
    let form = "name=Grace&email=grace%40example.org&message=Form+hello";
    let post_form = || {
        send(
            &app,
            contact_request(form, "application/x-www-form-urlencoded"),
        )
    };
    let first = post_form().await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert!(!first.headers.contains_key("idempotent-replayed"));
    let again = post_form().await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.headers[header::LOCATION], "/contact/thanks/");
    // The same text from the island (JSON, other case in the address, spaces around).
    let island =
        json!({"name": "Grace H.", "email": " Grace@example.org", "message": "Form hello "});
    let replay = post_json(&app, "/api/contact", &island, None).await;
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    assert_eq!(stored("Form hello"), 1);
    // Another text from the same sender is a new message.
    let next = "name=Grace&email=grace%40example.org&message=Second+thought";
    let answer = send(
        &app,
        contact_request(next, "application/x-www-form-urlencoded"),
    )
    .await;
    assert!(!answer.headers.contains_key("idempotent-replayed"));
    assert_eq!(stored("Second thought"), 1);

    // Ten minutes later the same text is a new message again.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let earlier = (chrono::Utc::now() - chrono::Duration::seconds(601))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    conn.execute(
        "UPDATE contact_messages SET created_at = ?1 WHERE message = 'Form hello'",
        [earlier],
    )
    .unwrap();
    let later = post_form().await;
    assert_eq!(later.status, StatusCode::SEE_OTHER);
    assert!(!later.headers.contains_key("idempotent-replayed"));
    assert_eq!(stored("Form hello"), 2);
}

#[tokio::test]
async fn a_full_database_answers_503_and_loses_nothing() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("atoll.db");
    let (app, store) = app_with(dir.path(), 1000);
    // No page may be added to the file: the next write that needs one fails with
    // SQLITE_FULL, as on a full disk.
    let pages = store.page_count().unwrap();
    assert_eq!(store.limit_pages(pages).unwrap(), pages);
    let mut body = checkout_body(json!([{"product_id": "atoll-sticker-pack", "quantity": 1}]));
    body["address"] = json!("x".repeat(480));
    body["name"] = json!("n".repeat(100));
    let mut placed = 0;
    let mut full = None;
    // Large orders fill the orders table's free page space within a few checkouts.
    for attempt in 0..40 {
        let answer = post_json(
            &app,
            "/api/checkout",
            &body,
            Some(&format!("fill-{attempt}")),
        )
        .await;
        match answer.status {
            StatusCode::CREATED => placed += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                full = Some((attempt, answer));
                break;
            }
            other => panic!("checkout {attempt}: {other} {}", answer.text()),
        }
    }
    let (attempt, answer) = full.expect("the database filled up within 40 orders");
    assert_eq!(answer.headers[header::CACHE_CONTROL], atoll::NO_STORE);
    assert_eq!(answer.headers[header::RETRY_AFTER], "60");
    assert!(answer.error().error.contains("full"), "{}", answer.text());
    // No partial order: the failed transaction left neither order, lines nor stock.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM orders"), placed);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM order_lines"), placed);
    assert_eq!(
        count(
            &db,
            "SELECT stock FROM inventory WHERE product_id = 'atoll-sticker-pack'"
        ),
        140 - placed
    );
    // A contact message is refused the same way, nothing half-written.
    let message = json!({"name": "Ada", "email": "ada@example.org", "message": "m".repeat(4000)});
    let refused = post_json(&app, "/api/contact", &message, None).await;
    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        refused.text()
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM contact_messages"), 0);

    // Space again: the retry with the same key places the order once.
    store.limit_pages(1_000_000).unwrap();
    let retry = post_json(
        &app,
        "/api/checkout",
        &body,
        Some(&format!("fill-{attempt}")),
    )
    .await;
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.text());
    assert_eq!(count(&db, "SELECT COUNT(*) FROM orders"), placed + 1);
    let stored = post_json(&app, "/api/contact", &message, None).await;
    assert_eq!(stored.status, StatusCode::ACCEPTED);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM contact_messages"), 1);
}

//! The storefront, contact and OpenAPI endpoints against a real SQLite file, driven
//! through the `Router` with `oneshot`; the outbox against a real HTTP server on
//! 127.0.0.1.

mod durability;
mod openapi;
mod outbox;

use std::num::NonZeroU32;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::common::{get, root, send, Answer};
use atoll::content::{load_site, LoadOptions};
use atoll::outbox::{deliver_due, Forwarding};
use atoll::store::Store;
use atoll::{router, AppState, Dirs, Services};
use atoll_api::{Order, ProductStatus, Quote};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use tempfile::TempDir;

/// The demo site with a fresh database in `dir`; `per_minute` contact messages.
fn app_with(dir: &Path, per_minute: u32) -> (Router, Arc<Store>) {
    app_with_proxy(dir, per_minute, false)
}

/// [`app_with`], trusting `X-Forwarded-For` when `proxy`.
fn app_with_proxy(dir: &Path, per_minute: u32, proxy: bool) -> (Router, Arc<Store>) {
    let site = load_site(&root().join("content"), &LoadOptions::default()).expect("demo loads");
    let store = Arc::new(Store::open(&dir.join("atoll.db")).expect("database opens"));
    store.sync_catalog(&site.products).unwrap();
    let services = Services {
        store: Some(Arc::clone(&store)),
        contact_per_minute: NonZeroU32::new(per_minute).unwrap(),
        checkout_per_minute: NonZeroU32::new(1000).unwrap(),
        forward_contact: false,
        trust_forwarded_for: proxy,
    };
    let dirs = Dirs {
        public: root().join("public"),
        islands: root().join("target/islands"),
    };
    (router(AppState::with_services(site, dirs, services)), store)
}

async fn post_json(app: &Router, uri: &str, body: &Value, key: Option<&str>) -> Answer {
    let mut request = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    send(app, request.body(Body::from(body.to_string())).unwrap()).await
}

fn checkout_body(items: Value) -> Value {
    json!({"name": "Ada Lovelace", "email": "ada@example.org", "address": "12 Analytical Row, London", "items": items})
}

fn count(path: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(sql, [], |row| row.get(0)).unwrap()
}

#[tokio::test]
async fn product_status_is_live() {
    let dir = TempDir::new().unwrap();
    let (app, _) = app_with(dir.path(), 5);
    let answer = get(&app, "/api/products/atoll-mug").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
    let status: ProductStatus = answer.json();
    assert_eq!(
        (
            status.id.as_str(),
            status.price_cents,
            status.currency.as_str(),
            status.stock
        ),
        ("atoll-mug", 1800, "EUR", 25)
    );
    assert!(chrono::DateTime::parse_from_rfc3339(&status.updated_at).is_ok());

    let missing = get(&app, "/api/products/nope").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.error().field.as_deref(), Some("id"));

    let post = send(
        &app,
        Request::post("/api/products/atoll-mug")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(post.headers[header::ALLOW], "GET, HEAD");
    post.error();
}

#[tokio::test]
async fn without_a_database_the_shop_answers_503() {
    let site = load_site(&root().join("content"), &LoadOptions::default()).unwrap();
    let app = router(AppState::new(
        site,
        Dirs {
            public: root().join("public"),
            islands: root().join("target/islands"),
        },
    ));
    let answer = get(&app, "/api/products/atoll-mug").await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(answer.error().error.contains("--db"));
}

#[tokio::test]
async fn quote_prices_from_the_catalog_and_names_bad_lines() {
    let dir = TempDir::new().unwrap();
    let (app, _) = app_with(dir.path(), 5);
    // A price sent by the client is ignored.
    let answer = post_json(
        &app,
        "/api/cart/quote",
        &json!({"items": [
            {"product_id": "atoll-mug", "quantity": 2, "price_cents": 1},
            {"product_id": "atoll-notebook", "quantity": 1, "unit_price_cents": 0}
        ]}),
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let quote: Quote = answer.json();
    assert_eq!(quote.total_cents, 2 * 1800 + 1400);
    assert_eq!(quote.item_count, 3);
    assert_eq!(quote.currency, "EUR");
    assert_eq!(quote.lines[0].line_total_cents, 3600);
    assert_eq!(quote.lines[1].stock, Some(42));

    let cases = [
        (
            json!({"items": []}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "items",
        ),
        (
            json!({"items": [{"product_id": "nope", "quantity": 1}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "items[0].product_id",
        ),
        (
            json!({"items": [{"product_id": "atoll-mug", "quantity": 1}, {"product_id": "atoll-mug", "quantity": 0}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "items[1].product_id",
        ),
        (
            json!({"items": [{"product_id": "atoll-mug", "quantity": 0}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "items[0].quantity",
        ),
        (
            json!({"items": [{"product_id": "atoll-notebook", "quantity": 1}, {"product_id": "atoll-mug", "quantity": -3}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "items[1].quantity",
        ),
        (
            json!({"items": [{"product_id": "atoll-mug", "quantity": 26}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "items[0].quantity",
        ),
        (
            json!({"items": [{"product_id": "atoll-mug", "quantity": "two"}]}),
            StatusCode::BAD_REQUEST,
            "items[0].quantity",
        ),
        (json!({"lines": []}), StatusCode::BAD_REQUEST, "body"),
    ];
    for (body, status, field) in cases {
        let answer = post_json(&app, "/api/cart/quote", &body, None).await;
        assert_eq!(answer.status, status, "{body}: {}", answer.text());
        assert_eq!(answer.error().field.as_deref(), Some(field), "{body}");
    }
    let above = post_json(
        &app,
        "/api/cart/quote",
        &json!({"items": [{"product_id": "atoll-mug", "quantity": 26}]}),
        None,
    )
    .await;
    assert!(above.error().error.contains("only 25"), "{}", above.text());

    let not_json = send(
        &app,
        Request::post("/api/cart/quote")
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from("{}"))
            .unwrap(),
    )
    .await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    not_json.error();

    let huge = json!({"items": [{"product_id": "x".repeat(70 * 1024), "quantity": 1}]});
    let answer = post_json(&app, "/api/cart/quote", &huge, None).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);

    let get = get(&app, "/api/cart/quote").await;
    assert_eq!(get.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(get.headers[header::ALLOW], "POST");
}

#[tokio::test]
async fn checkout_is_idempotent_and_decrements_stock() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("atoll.db");
    let (app, _) = app_with(dir.path(), 5);
    let body = checkout_body(json!([
        {"product_id": "atoll-mug", "quantity": 2},
        {"product_id": "atoll-notebook", "quantity": 1}
    ]));

    let missing_key = post_json(&app, "/api/checkout", &body, None).await;
    assert_eq!(missing_key.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        missing_key.error().field.as_deref(),
        Some("Idempotency-Key")
    );

    let first = post_json(&app, "/api/checkout", &body, Some("order-1")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let order: Order = first.json();
    assert_eq!(order.total_cents, 2 * 1800 + 1400);
    assert_eq!(order.lines.len(), 2);

    // The same key and request: the same order, nothing written.
    let again = post_json(&app, "/api/checkout", &body, Some("order-1")).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.json::<Order>(), order);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM orders"), 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM order_lines"), 2);
    let status: ProductStatus = get(&app, "/api/products/atoll-mug").await.json();
    assert_eq!(status.stock, 23);

    // The same key with another request is refused.
    let other = checkout_body(json!([{"product_id": "atoll-mug", "quantity": 1}]));
    let reused = post_json(&app, "/api/checkout", &other, Some("order-1")).await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.error().field.as_deref(), Some("Idempotency-Key"));

    // More than the stock: 409 naming the line, nothing taken from any line.
    let short = checkout_body(json!([
        {"product_id": "atoll-notebook", "quantity": 1},
        {"product_id": "atoll-mug", "quantity": 24}
    ]));
    let conflict = post_json(&app, "/api/checkout", &short, Some("order-2")).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT, "{}", conflict.text());
    let error = conflict.error();
    assert_eq!(error.field.as_deref(), Some("items[1].quantity"));
    assert!(error.error.contains("only 23"), "{}", error.error);
    let notebook: ProductStatus = get(&app, "/api/products/atoll-notebook").await.json();
    assert_eq!(notebook.stock, 41, "the first line was rolled back");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM orders"), 1);

    // Invalid buyer fields are 422 naming the field.
    for (field, value) in [
        ("name", json!(" ")),
        ("email", json!("ada@")),
        ("address", json!("")),
    ] {
        let mut body = checkout_body(json!([{"product_id": "atoll-mug", "quantity": 1}]));
        body[field] = value;
        let answer = post_json(&app, "/api/checkout", &body, Some(&format!("bad-{field}"))).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert_eq!(answer.error().field.as_deref(), Some(field));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_checkouts_never_oversell() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("atoll.db");
    let (app, _) = app_with(dir.path(), 5);
    // 20 buyers of 3 mugs each against a stock of 25: exactly 8 orders.
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                let body = checkout_body(json!([{"product_id": "atoll-mug", "quantity": 3}]));
                post_json(&app, "/api/checkout", &body, Some(&format!("buyer-{i}")))
                    .await
                    .status
            })
        })
        .collect();
    let mut created = 0;
    let mut conflicts = 0;
    for task in tasks {
        match task.await.unwrap() {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => conflicts += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((created, conflicts), (8, 12));
    assert_eq!(
        count(
            &db,
            "SELECT stock FROM inventory WHERE product_id = 'atoll-mug'"
        ),
        1
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM orders"), 8);
    assert_eq!(count(&db, "SELECT SUM(quantity) FROM order_lines"), 24);
}

#[tokio::test]
async fn catalog_restock_is_added_once() {
    let dir = TempDir::new().unwrap();
    let (app, store) = app_with(dir.path(), 5);
    let body = checkout_body(json!([{"product_id": "atoll-mug", "quantity": 5}]));
    assert_eq!(
        post_json(&app, "/api/checkout", &body, Some("k"))
            .await
            .status,
        StatusCode::CREATED
    );
    let mut site = load_site(&root().join("content"), &LoadOptions::default()).unwrap();
    let mug = site
        .products
        .iter_mut()
        .find(|p| p.id == "atoll-mug")
        .unwrap();
    mug.stock += 10;
    store.sync_catalog(&site.products).unwrap();
    store.sync_catalog(&site.products).unwrap();
    assert_eq!(
        store.inventory("atoll-mug").unwrap().unwrap().stock,
        25 - 5 + 10
    );
}

fn contact_request(body: &str, content_type: &str) -> Request<Body> {
    Request::post("/api/contact")
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body.to_owned()))
        .unwrap()
}

#[tokio::test]
async fn contact_json_is_stored_before_the_answer() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("atoll.db");
    let (app, _) = app_with(dir.path(), 100);
    let body =
        json!({"name": "Ada", "email": "ada@example.org", "message": "Hello from the tests"});
    let answer = post_json(&app, "/api/contact", &body, None).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.text());
    assert_eq!(answer.json::<Value>(), json!({"received": true}));
    // The answer came after the commit: the row is there now.
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM contact_messages WHERE message = 'Hello from the tests'"
        ),
        1
    );

    let invalid = [
        (
            json!({"name": "", "email": "ada@example.org", "message": "x"}),
            "name",
        ),
        (
            json!({"name": "Ada", "email": "not-an-email", "message": "x"}),
            "email",
        ),
        (
            json!({"name": "Ada", "email": "ada@example.org", "message": "x".repeat(5001)}),
            "message",
        ),
    ];
    for (body, field) in invalid {
        let answer = post_json(&app, "/api/contact", &body, None).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert_eq!(answer.error().field.as_deref(), Some(field));
    }
    let malformed = send(&app, contact_request(r#"{"name": 5}"#, "application/json")).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.error().field.as_deref(), Some("name"));
    let unsupported = send(&app, contact_request("hello", "text/plain")).await;
    assert_eq!(unsupported.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let big = json!({"name": "Ada", "email": "ada@example.org", "message": "x".repeat(17 * 1024)});
    let too_large = post_json(&app, "/api/contact", &big, None).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    too_large.error();

    for method in [Method::GET, Method::PUT, Method::DELETE] {
        let answer = send(
            &app,
            Request::builder()
                .method(method.clone())
                .uri("/api/contact")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(answer.headers[header::ALLOW], "POST");
    }

    // The honeypot: answered like a success, never stored.
    let bot = json!({"name": "Bot", "email": "bot@example.org", "message": "spam", "website": "http://spam.example"});
    let answer = post_json(&app, "/api/contact", &bot, None).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM contact_messages"), 1);
}

#[tokio::test]
async fn contact_form_posts_work_without_javascript() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("atoll.db");
    let (app, _) = app_with(dir.path(), 100);
    let form = "application/x-www-form-urlencoded";
    let ok = send(
        &app,
        contact_request(
            "name=Grace&email=grace%40example.org&message=Plain+form&website=",
            form,
        ),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.headers[header::LOCATION], "/contact/thanks/");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM contact_messages WHERE name = 'Grace'"
        ),
        1
    );
    let thanks = get(&app, "/contact/thanks/").await;
    assert_eq!(thanks.status, StatusCode::OK);
    assert!(thanks.text().contains("Thank you!"));

    let bad = send(
        &app,
        contact_request("name=Grace+%3Cb%3E&email=grace%40&message=", form),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = scraper::Html::parse_document(&bad.text());
    let text = |selector: &str| {
        html.select(&scraper::Selector::parse(selector).unwrap())
            .next()
            .unwrap_or_else(|| panic!("{selector} missing"))
            .text()
            .collect::<String>()
    };
    assert_eq!(text("#contact-name-error"), "");
    assert_eq!(
        text("#contact-email-error"),
        "Email must look like name@example.com"
    );
    assert_eq!(text("#contact-message-error"), "Message is required");
    let value = html
        .select(&scraper::Selector::parse("#contact-name").unwrap())
        .next()
        .unwrap()
        .value()
        .attr("value")
        .map(str::to_owned);
    assert_eq!(
        value.as_deref(),
        Some("Grace <b>"),
        "typed value kept, escaped"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM contact_messages"), 1);

    // What the visitor typed comes back escaped: no element can be injected.
    let hostile = send(
        &app,
        contact_request(
            "name=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E&email=x&message=%3C%2Ftextarea%3E%3Cscript%3Ealert(2)%3C%2Fscript%3E",
            form,
        ),
    )
    .await;
    assert_eq!(hostile.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&hostile.text());
    let injected = page
        .select(&scraper::Selector::parse("script").unwrap())
        .filter(|script| script.text().any(|t| t.contains("alert(")))
        .count();
    assert_eq!(injected, 0, "{}", hostile.text());
    let message = page
        .select(&scraper::Selector::parse("#contact-message").unwrap())
        .next()
        .unwrap()
        .text()
        .collect::<String>();
    assert_eq!(message.trim(), "</textarea><script>alert(2)</script>");

    let bot = send(
        &app,
        contact_request(
            "name=Bot&email=bot%40example.org&message=spam&website=x",
            form,
        ),
    )
    .await;
    assert_eq!(bot.status, StatusCode::SEE_OTHER);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM contact_messages"), 1);
}

#[tokio::test]
async fn contact_is_rate_limited_per_client() {
    let dir = TempDir::new().unwrap();
    let (app, _) = app_with(dir.path(), 2);
    let body = json!({"name": "Ada", "email": "ada@example.org", "message": "Hi"});
    for _ in 0..2 {
        assert_eq!(
            post_json(&app, "/api/contact", &body, None).await.status,
            StatusCode::ACCEPTED
        );
    }
    let limited = post_json(&app, "/api/contact", &body, None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = limited.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    limited.error();
}

#[tokio::test]
async fn limits_are_per_peer_address_and_ipv6_block() {
    use axum::extract::ConnectInfo;
    let dir = TempDir::new().unwrap();
    let (app, _) = app_with(dir.path(), 1);
    let body = json!({"name": "Ada", "email": "ada@example.org", "message": "Hi"}).to_string();
    let from = |peer: &str| {
        let mut request = Request::post("/api/contact")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.clone()))
            .unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(peer.parse::<std::net::SocketAddr>().unwrap()));
        request
    };
    assert_eq!(
        send(&app, from("192.0.2.1:5000")).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        send(&app, from("192.0.2.1:5001")).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        send(&app, from("192.0.2.2:5000")).await.status,
        StatusCode::ACCEPTED
    );
    // One IPv6 subscriber (/64) is one client, whatever its interface id.
    assert_eq!(
        send(&app, from("[2001:db8:1:2::1]:5000")).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        send(&app, from("[2001:db8:1:2::ffff]:5000")).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn checkout_attempts_are_rate_limited() {
    let dir = TempDir::new().unwrap();
    let site = load_site(&root().join("content"), &LoadOptions::default()).unwrap();
    let store = Arc::new(Store::open(&dir.path().join("atoll.db")).unwrap());
    store.sync_catalog(&site.products).unwrap();
    let services = Services {
        store: Some(store),
        checkout_per_minute: NonZeroU32::new(1).unwrap(),
        ..Services::default()
    };
    let app = router(AppState::with_services(
        site,
        Dirs {
            public: root().join("public"),
            islands: root().join("target/islands"),
        },
        services,
    ));
    let body = checkout_body(json!([{"product_id": "atoll-mug", "quantity": 1}]));
    let first = post_json(&app, "/api/checkout", &body, Some("a")).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let second = post_json(&app, "/api/checkout", &body, Some("b")).await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(second.headers.contains_key(header::RETRY_AFTER));
    second.error();
}

#[tokio::test]
async fn trailing_garbage_after_json_is_a_400() {
    let dir = TempDir::new().unwrap();
    let (app, _) = app_with(dir.path(), 5);
    let answer = send(
        &app,
        Request::post("/api/cart/quote")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"items": []} trailing"#))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.error().field.as_deref(), Some("body"));
}

#[tokio::test]
async fn behind_a_proxy_each_forwarded_client_has_its_own_limit() {
    let dir = TempDir::new().unwrap();
    let (app, _) = app_with_proxy(dir.path(), 1, true);
    let body = json!({"name": "Ada", "email": "ada@example.org", "message": "Hi"}).to_string();
    let post = |forwarded: &'static str| {
        Request::post("/api/contact")
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-forwarded-for", forwarded)
            .body(Body::from(body.clone()))
            .unwrap()
    };
    // The last entry is the one the proxy appended; a client cannot choose it.
    assert_eq!(
        send(&app, post("6.6.6.6, 192.0.2.1")).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        send(&app, post("7.7.7.7, 192.0.2.1")).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        send(&app, post("192.0.2.2")).await.status,
        StatusCode::ACCEPTED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn product_pages_render_the_live_stock_when_regenerated() {
    let dir = TempDir::new().unwrap();
    let site = load_site(&root().join("content"), &LoadOptions::default()).unwrap();
    let store = Arc::new(Store::open(&dir.path().join("atoll.db")).unwrap());
    store.sync_catalog(&site.products).unwrap();
    let services = Services {
        store: Some(Arc::clone(&store)),
        ..Services::default()
    };
    let dirs = Dirs {
        public: root().join("public"),
        islands: root().join("target/islands"),
    };
    let state = AppState::with_services(site, dirs, services);
    let app = router(state.clone());
    let page = get(&app, "/products/atoll-mug/").await;
    assert!(page.text().contains("In stock (25)"), "{}", page.text());
    let order = post_json(
        &app,
        atoll_api::CHECKOUT_PATH,
        &checkout_body(json!([{"product_id": "atoll-mug", "quantity": 3}])),
        Some("stock-page-1"),
    )
    .await;
    assert_eq!(order.status, StatusCode::CREATED);
    // The cached page keeps its stock until it is regenerated (ISR, 30 s), then shows
    // the database's.
    assert!(get(&app, "/products/atoll-mug/")
        .await
        .text()
        .contains("In stock (25)"));
    state
        .revalidate_on_demand(vec!["/products/atoll-mug/".into()], Vec::new())
        .await
        .unwrap()
        .unwrap();
    let page = get(&app, "/products/atoll-mug/").await;
    assert!(page.text().contains("In stock (22)"), "{}", page.text());
}

#[tokio::test]
async fn an_integral_float_quantity_is_its_integer() {
    let dir = TempDir::new().unwrap();
    let (app, _) = app_with(dir.path(), 5);
    // JSON Schema's `integer` includes 2.0; a fraction is still refused.
    let whole = json!({"items": [{"product_id": "atoll-mug", "quantity": 2.0}]});
    let answer = post_json(&app, "/api/cart/quote", &whole, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json::<Quote>().item_count, 2);
    let fraction = json!({"items": [{"product_id": "atoll-mug", "quantity": 2.5}]});
    let answer = post_json(&app, "/api/cart/quote", &fraction, None).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.error().field.unwrap().contains("quantity"));
}

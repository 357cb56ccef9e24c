//! `POST /api/webhooks/{kind}` with requests signed at test time by the vendors' own
//! npm packages (`tests/cms-webhooks`: `@sanity/webhook`, `@contentful/node-apps-toolkit`),
//! valid and forged, and Strapi's shared secret; each accepted event re-renders the
//! entry's pages from the CMS.

use atoll::cms::vendors::Settings;
use atoll::cms::CmsSource;
use atoll::snapshot::ContentSource;
use atoll::{router, AppState, Dirs, Rendering, Services};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};

use super::{contentful_entry, rich, sanity_post, serve, strapi_article, Fake};
use crate::common::{get, root, send};

/// Whether the vendors' packages must be there (`scripts/test` installs them).
fn required() -> bool {
    std::env::var("ATOLL_REQUIRE_CLUSTER").is_ok_and(|v| v == "1")
}

/// Headers the vendor's package computes for `input`, or `None` (test skipped) when
/// `tests/cms-webhooks/node_modules` is missing.
fn vendor_sign(input: &Value) -> Option<serde_json::Map<String, Value>> {
    let dir = root().join("tests/cms-webhooks");
    if !dir.join("node_modules/@sanity/webhook").exists() {
        assert!(
            !required(),
            "tests/cms-webhooks/node_modules is missing (npm ci there)"
        );
        eprintln!("skipped: tests/cms-webhooks/node_modules is missing (npm ci there)");
        return None;
    }
    let out = std::process::Command::new("node")
        .arg(dir.join("sign.mjs"))
        .arg(input.to_string())
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// The demo site with posts from the CMS of `settings`, and the webhook secret.
async fn app(settings_toml: &str, secret: &str) -> Router {
    app_with(settings_toml, secret, None).await
}

/// [`app`], with a draft preview secret.
async fn app_with(settings_toml: &str, secret: &str, preview: Option<&str>) -> Router {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cms.toml");
    std::fs::write(&path, settings_toml).unwrap();
    let settings = Settings::read(&path).unwrap();
    let source = ContentSource::Cms {
        dir: root().join("content"),
        options: Default::default(),
        cms: CmsSource::vendor(settings, None).unwrap(),
    };
    let site = source.load().await.expect("the CMS loads");
    let rendering = Rendering {
        cms_webhook_secret: Some(secret.to_owned()),
        preview_secret: preview.map(str::to_owned),
        ..Rendering::default()
    };
    let dirs = Dirs {
        public: root().join("public"),
        islands: root().join("target/islands"),
    };
    let state = tokio::task::spawn_blocking(move || {
        AppState::start(source, site, dirs, Services::default(), rendering)
    })
    .await
    .unwrap();
    router(state)
}

fn post(uri: &str, headers: &serde_json::Map<String, Value>, body: &str) -> Request<Body> {
    let mut request = Request::post(uri).header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str().unwrap());
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sanity_webhooks_signed_by_sanity_webhook_revalidate_the_entry() {
    let secret = "a-sanity-webhook-secret";
    let body = r#"{"_id":"p1","_type":"post","slug":{"current":"s-1"}}"#;
    let Some(signed) = vendor_sign(
        &json!({"kind": "sanity", "secret": secret, "body": body, "timestamp": now_ms()}),
    ) else {
        return;
    };
    let fake = Fake::default();
    fake.entries.lock().unwrap().insert(
        "post".into(),
        vec![sanity_post("p1", "s-1"), sanity_post("p2", "s-2")],
    );
    let base = serve(fake.clone()).await;
    let app = app(
        &format!("kind = \"sanity\"\nurl = \"{base}\"\nproject = \"abc123\"\n"),
        secret,
    )
    .await;
    assert!(get(&app, "/posts/s-1/").await.body.contains("Sanity s-1"));
    // The editor changes the title in Sanity; Sanity calls the webhook.
    fake.entries.lock().unwrap().get_mut("post").unwrap()[0]["title"] = json!("Renamed in Sanity");
    let mut headers = signed.clone();
    headers.insert("idempotency-key".into(), json!("msg-sanity-1"));
    let answer = send(&app, post("/api/webhooks/sanity", &headers, body)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let json: Value = answer.json();
    assert_eq!(json["replayed"], false);
    assert!(
        json["paths"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["path"] == "/posts/s-1/"),
        "{json}"
    );
    assert!(get(&app, "/posts/s-1/")
        .await
        .body
        .contains("Renamed in Sanity"));
    // The same delivery again: a replay.
    let again = send(&app, post("/api/webhooks/sanity", &headers, body)).await;
    assert_eq!(again.json::<Value>()["replayed"], true);
    // Forged: the body changed after signing; no signature; another secret's.
    let forged = send(
        &app,
        post("/api/webhooks/sanity", &signed, &body.replace("s-1", "s-2")),
    )
    .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    assert!(
        forged.error().error.contains("does not match"),
        "{}",
        forged.body
    );
    let unsigned = send(
        &app,
        post("/api/webhooks/sanity", &Default::default(), body),
    )
    .await;
    assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED);
    let other = vendor_sign(
        &json!({"kind": "sanity", "secret": "another-secret", "body": body, "timestamp": now_ms()}),
    )
    .unwrap();
    assert_eq!(
        send(&app, post("/api/webhooks/sanity", &other, body))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // Signed ten minutes ago: refused (a replay of an old capture).
    let old = vendor_sign(
        &json!({"kind": "sanity", "secret": secret, "body": body, "timestamp": now_ms() - 600_000}),
    )
    .unwrap();
    let answer = send(&app, post("/api/webhooks/sanity", &old, body)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(answer.body.contains("timestamp"), "{}", answer.body);
    // Another vendor's path is not configured; an unknown vendor is not a route.
    let wrong = send(&app, post("/api/webhooks/contentful", &signed, body)).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert_eq!(wrong.error().field.as_deref(), Some("kind"));
    let unknown = send(&app, post("/api/webhooks/drupal", &signed, body)).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contentful_webhooks_verified_as_node_apps_toolkit_signs_them() {
    // The toolkit wants a 64-character secret.
    let secret = "k3pQ9vX2mL7rT4wY8zB1nC6dF0gH5jS2aE9uI3oP7qR4tW8yZ1xV6bN0mK5lJ2hG";
    assert_eq!(secret.len(), 64);
    let body = json!({"sys": {"id": "post1", "type": "Entry", "contentType": {"sys": {"type": "Link", "linkType": "ContentType", "id": "blogPost"}}},
        "fields": {"slug": {"en-US": "first"}, "title": {"en-US": "Renamed"}}})
    .to_string();
    let request_headers = json!({"content-type": "application/vnd.contentful.management.v1+json",
        "x-contentful-topic": "ContentManagement.Entry.publish"});
    let sign = |timestamp: u64| {
        vendor_sign(
            &json!({"kind": "contentful", "secret": secret, "method": "POST",
            "path": "/api/webhooks/contentful", "headers": request_headers, "body": body, "timestamp": timestamp}),
        )
    };
    let Some(signed) = sign(now_ms()) else {
        return;
    };
    let fake = Fake::default();
    fake.entries.lock().unwrap().insert(
        "blogPost".into(),
        vec![contentful_entry(
            "post1",
            "blogPost",
            json!({"title": "First", "slug": "first", "body": rich("x")}),
        )],
    );
    let base = serve(fake.clone()).await;
    let app = app(
        &format!("kind = \"contentful\"\nurl = \"{base}\"\nspace = \"space1\"\n"),
        secret,
    )
    .await;
    fake.entries.lock().unwrap().get_mut("blogPost").unwrap()[0]["fields"]["title"] =
        json!("Renamed");
    let mut headers = signed.clone();
    headers.insert(
        "x-contentful-topic".into(),
        json!("ContentManagement.Entry.publish"),
    );
    let send_body = |headers: serde_json::Map<String, Value>, body: String| {
        let mut request = Request::post("/api/webhooks/contentful").header(
            "content-type",
            "application/vnd.contentful.management.v1+json",
        );
        for (name, value) in &headers {
            request = request.header(name.as_str(), value.as_str().unwrap());
        }
        request.body(Body::from(body)).unwrap()
    };
    let answer = send(&app, send_body(headers.clone(), body.clone())).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(get(&app, "/posts/first/").await.body.contains("Renamed"));
    // Tampered body, tampered signed header, expired (the toolkit's 30 s).
    let tampered = send(
        &app,
        send_body(headers.clone(), body.replace("first", "other")),
    )
    .await;
    assert_eq!(tampered.status, StatusCode::UNAUTHORIZED);
    let mut topic = headers.clone();
    topic.insert(
        "x-contentful-topic".into(),
        json!("ContentManagement.Entry.delete"),
    );
    assert_eq!(
        send(&app, send_body(topic, body.clone())).await.status,
        StatusCode::UNAUTHORIZED
    );
    let mut expired = sign(now_ms() - 60_000).unwrap();
    expired.insert(
        "x-contentful-topic".into(),
        json!("ContentManagement.Entry.publish"),
    );
    let answer = send(&app, send_body(expired, body.clone())).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strapi_webhooks_carry_a_shared_secret() {
    let fake = Fake::default();
    fake.entries
        .lock()
        .unwrap()
        .insert("articles".into(), vec![strapi_article(2, true)]);
    let base = serve(fake.clone()).await;
    let secret = "strapi-shared-secret-0123456789";
    let app = app(&format!("kind = \"strapi\"\nurl = \"{base}\"\n"), secret).await;
    fake.entries.lock().unwrap().get_mut("articles").unwrap()[0]["title"] =
        json!("Updated in Strapi");
    // Strapi's payload for an update of an article.
    let body = json!({"event": "entry.update", "createdAt": "2026-12-04T10:00:00.000Z", "model": "article",
        "uid": "api::article.article", "entry": {"id": 2, "documentId": "doc0002", "slug": "strapi-2", "title": "Updated in Strapi"}})
    .to_string();
    let mut headers = serde_json::Map::new();
    headers.insert("authorization".into(), json!(format!("Bearer {secret}")));
    let answer = send(&app, post("/api/webhooks/strapi", &headers, &body)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let json: Value = answer.json();
    assert!(
        json["paths"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["path"] == "/posts/strapi-2/"),
        "{json}"
    );
    assert!(get(&app, "/posts/strapi-2/")
        .await
        .body
        .contains("Updated in Strapi"));
    headers.insert("authorization".into(), json!("Bearer wrong"));
    assert_eq!(
        send(&app, post("/api/webhooks/strapi", &headers, &body))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(
            &app,
            post("/api/webhooks/strapi", &Default::default(), &body)
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
}

/// Draft preview reads the CMS' drafts: Sanity's `drafts` perspective behind the
/// preview cookie, while visitors without it get a 404 for the draft.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draft_preview_reads_the_cms_drafts() {
    let fake = Fake::default();
    fake.entries.lock().unwrap().insert(
        "post".into(),
        vec![
            sanity_post("p1", "published-one"),
            sanity_post("drafts.p2", "still-a-draft"),
        ],
    );
    let base = serve(fake.clone()).await;
    let app = app_with(
        &format!("kind = \"sanity\"\nurl = \"{base}\"\nproject = \"abc123\"\n"),
        "unused",
        Some("preview-secret"),
    )
    .await;
    assert_eq!(
        get(&app, "/posts/still-a-draft/").await.status,
        StatusCode::NOT_FOUND
    );
    let enter = get(
        &app,
        "/api/preview?secret=preview-secret&path=/posts/still-a-draft/",
    )
    .await;
    assert_eq!(
        enter.status,
        StatusCode::TEMPORARY_REDIRECT,
        "{}",
        enter.body
    );
    let cookie = enter.headers["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let page = send(
        &app,
        Request::get("/posts/still-a-draft/")
            .header("cookie", cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Sanity still-a-draft"));
    assert!(
        fake.seen
            .lock()
            .unwrap()
            .iter()
            .any(|s| s.contains("perspective=previewDrafts")),
        "the preview asked Sanity for drafts"
    );
}

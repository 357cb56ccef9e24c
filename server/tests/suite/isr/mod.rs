//! Hybrid rendering: ISR with an injected clock (no sleeps), single-flight
//! regeneration, the blocking fallback, SSR, the cache folder, signed webhooks, draft
//! preview, and the headless CMS source against a real Atoll server on 127.0.0.1.

mod cms;
mod images;
mod on_demand;
mod restart;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use atoll::cms::CmsSource;
use atoll::content::{load_site, LoadOptions};
use atoll::isr::ManualClock;
use atoll::snapshot::ContentSource;
use atoll::{router, signed_headers, AppState, Dirs, Rendering, Services};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use tempfile::TempDir;

use crate::common::root;
pub(crate) use crate::common::{get, send, Answer};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER_SECRET: &str = "whsec_c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24=";
pub(crate) const START: u64 = 1_800_000_000;
/// `POST /api/revalidate`'s body limit (1 MiB), as documented in the OpenAPI document.
const WEBHOOK_MAX_BODY: usize = 1024 * 1024;

/// A copy of the basic fixture in a temporary folder (tests edit it).
pub(crate) fn content() -> TempDir {
    fixture_copy("basic")
}

/// A copy of `tests/fixtures/<name>` in a temporary folder.
fn fixture_copy(name: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    let fixture = root().join("tests/fixtures").join(name);
    for entry in walk(&fixture) {
        let to = dir.path().join(entry.strip_prefix(&fixture).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &to).unwrap();
    }
    dir
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

pub(crate) struct Server {
    pub(crate) state: AppState,
    pub(crate) app: Router,
    clock: Arc<ManualClock>,
}

pub(crate) fn dirs() -> Dirs {
    Dirs {
        public: root().join("public"),
        islands: root().join("target/islands"),
    }
}

pub(crate) fn rendering(clock: &Arc<ManualClock>) -> Rendering {
    Rendering {
        clock: clock.clone(),
        reload_interval: Duration::ZERO,
        webhook_secrets: atoll::webhook::decode_secrets(&format!("{SECRET} {OTHER_SECRET}"))
            .unwrap(),
        preview_secret: Some("let-me-see".into()),
        github_secret: Some(b"It's a Secret to Everybody".to_vec()),
        build_id: "test-build".into(),
        ..Rendering::default()
    }
}

/// Loads `source` and starts the server's state (on this worker thread, letting the
/// runtime's other tasks move: the CMS test's source is served by this runtime).
pub(crate) fn server_with(
    source: ContentSource,
    rendering: Rendering,
    clock: Arc<ManualClock>,
) -> Server {
    let state = tokio::task::block_in_place(|| {
        let site = futures_load(&source).unwrap();
        AppState::start(source, site, dirs(), Services::default(), rendering)
    });
    Server {
        app: router(state.clone()),
        state,
        clock,
    }
}

pub(crate) fn futures_load(source: &ContentSource) -> anyhow::Result<app::Site> {
    let source = source.clone();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(source.load())
    })
    .join()
    .unwrap()
    .map_err(anyhow::Error::from)
}

fn server(content: &Path) -> Server {
    let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(START)));
    let source = ContentSource::Files {
        dir: content.to_owned(),
        options: LoadOptions::default(),
    };
    server_with(source, rendering(&clock), clock)
}

fn edit(content: &Path, file: &str, from: &str, to: &str) {
    let path = content.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} lacks {from:?}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

pub(crate) const POST: &str = "/posts/hello-leptos/";

/// Waits for the background regenerations (bounded: a leaked flight fails the test).
async fn settle(state: &AppState) {
    tokio::time::timeout(Duration::from_secs(30), state.cache().settle())
        .await
        .expect("regenerations finish within 30 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fresh_is_a_hit_stale_is_served_then_regenerated() {
    let content = content();
    let s = server(content.path());
    let first = get(&s.app, POST).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.cache(), "HIT");
    assert_eq!(
        first.headers[header::CACHE_CONTROL],
        "public, s-maxage=60, stale-while-revalidate=31536000"
    );
    assert!(first.body.contains("Nothing else."));

    edit(
        content.path(),
        "posts/hello-leptos.md",
        "Nothing else.",
        "Edited while serving.",
    );
    s.clock.advance(Duration::from_secs(59));
    let fresh = get(&s.app, POST).await;
    assert_eq!(fresh.cache(), "HIT");
    assert!(fresh.body.contains("Nothing else."));

    s.clock.advance(Duration::from_secs(1));
    let stale = get(&s.app, POST).await;
    assert_eq!(stale.cache(), "STALE");
    assert!(
        stale.body.contains("Nothing else."),
        "the stale page is served"
    );
    settle(&s.state).await;
    let regenerated = get(&s.app, POST).await;
    assert_eq!(regenerated.cache(), "HIT");
    assert!(regenerated.body.contains("Edited while serving."));
    assert_ne!(
        regenerated.headers[header::ETAG],
        first.headers[header::ETAG]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_regeneration_keeps_the_last_good_page() {
    let content = content();
    let s = server(content.path());
    let good = get(&s.app, POST).await;
    edit(
        content.path(),
        "posts/hello-leptos.md",
        "title: Hello, Leptos",
        "title: [unclosed",
    );
    s.clock.advance(Duration::from_secs(61));
    let stale = get(&s.app, POST).await;
    assert_eq!(stale.cache(), "STALE");
    settle(&s.state).await;
    let still = get(&s.app, POST).await;
    assert_eq!(still.status, StatusCode::OK);
    assert_eq!(still.body, good.body, "the last good page stays");
    assert_eq!(still.cache(), "STALE", "and is retried on the next request");
    settle(&s.state).await;
    assert!(s.state.cache().stats.failures.load(Ordering::Relaxed) >= 1);

    // Fixed: the next regeneration succeeds.
    edit(
        content.path(),
        "posts/hello-leptos.md",
        "title: [unclosed",
        "title: Hello again",
    );
    get(&s.app, POST).await;
    settle(&s.state).await;
    let fixed = get(&s.app, POST).await;
    assert_eq!(fixed.cache(), "HIT");
    assert!(fixed.body.contains("Hello again"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_content_answers_404_after_revalidation() {
    let content = content();
    let s = server(content.path());
    assert_eq!(get(&s.app, "/posts/second/").await.status, StatusCode::OK);
    std::fs::remove_file(content.path().join("posts/second.md")).unwrap();
    s.clock.advance(Duration::from_secs(61));
    let stale = get(&s.app, "/posts/second/").await;
    assert_eq!((stale.status, stale.cache()), (StatusCode::OK, "STALE"));
    settle(&s.state).await;
    let gone = get(&s.app, "/posts/second/").await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert!(gone.body.contains("Page not found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_requests_on_a_stale_page_cause_one_render() {
    let content = content();
    let s = server(content.path());
    edit(
        content.path(),
        "posts/hello-leptos.md",
        "Nothing else.",
        "Rendered once.",
    );
    s.clock.advance(Duration::from_secs(120));
    let renders = s.state.cache().stats.renders.load(Ordering::SeqCst);
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let app = s.app.clone();
        tasks.push(tokio::spawn(async move { get(&app, POST).await }));
    }
    for task in tasks {
        let answer = task.await.unwrap();
        assert_eq!(answer.status, StatusCode::OK);
        assert!(
            ["STALE", "HIT"].contains(&answer.cache()),
            "{}",
            answer.cache()
        );
    }
    settle(&s.state).await;
    let stats = &s.state.cache().stats;
    assert_eq!(stats.renders.load(Ordering::SeqCst) - renders, 1);
    assert_eq!(stats.regenerations.load(Ordering::SeqCst), 1);
    assert!(get(&s.app, POST).await.body.contains("Rendered once."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_added_while_serving_renders_at_its_first_request() {
    let content = content();
    let s = server(content.path());
    assert_eq!(
        get(&s.app, "/posts/fresh-news/").await.status,
        StatusCode::NOT_FOUND
    );
    std::fs::write(
        content.path().join("posts/fresh-news.md"),
        "---\ntitle: Fresh news\ndate: 2025-03-01\n---\nJust added.\n",
    )
    .unwrap();
    let first = get(&s.app, "/posts/fresh-news/").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.cache(), "MISS");
    assert!(first.body.contains("Just added."));
    let second = get(&s.app, "/posts/fresh-news/").await;
    assert_eq!(second.cache(), "HIT");
    // Without the slash: a redirect, as for every page.
    let bare = get(&s.app, "/posts/fresh-news").await;
    assert_eq!(bare.status, StatusCode::PERMANENT_REDIRECT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_per_render_mode_and_etags() {
    let content = content();
    let s = server(content.path());
    let search = get(&s.app, "/search/").await;
    assert_eq!(search.cache(), "HIT");
    assert_eq!(
        search.headers[header::CACHE_CONTROL],
        "public, max-age=0, s-maxage=31536000"
    );
    let etag = search.headers[header::ETAG].to_str().unwrap().to_owned();
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "strong: {etag}"
    );
    let not_modified = send(
        &s.app,
        Request::get("/search/")
            .header(header::IF_NONE_MATCH, &etag)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
    assert!(not_modified.body.is_empty());

    // Brotli from the page's cached encodings, with its own strong ETag.
    let br = send(
        &s.app,
        Request::get(POST)
            .header(header::ACCEPT_ENCODING, "gzip, br")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(br.headers[header::CONTENT_ENCODING], "br");
    assert!(br.headers[header::ETAG]
        .to_str()
        .unwrap()
        .ends_with("-br\""));

    let status = get(&s.app, "/status/").await;
    assert_eq!(status.status, StatusCode::OK);
    assert_eq!(
        status.headers[header::CACHE_CONTROL],
        "private, no-cache, no-store, max-age=0, must-revalidate"
    );
    assert!(status.headers.get("x-atoll-cache").is_none());
    assert!(status.body.contains("test-build"));
    assert!(
        status.body.contains("2027-01-15T08:00:00Z"),
        "server time from the clock"
    );
    s.clock.advance(Duration::from_secs(1));
    assert!(get(&s.app, "/status/")
        .await
        .body
        .contains("2027-01-15T08:00:01Z"));

    let feed = get(&s.app, "/atom.xml").await;
    assert_eq!(feed.cache(), "HIT");
    assert_eq!(
        feed.headers[header::CACHE_CONTROL],
        "public, s-maxage=60, stale-while-revalidate=31536000"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rendered_pages_survive_a_restart_and_corruption_is_re_rendered() {
    let content = content();
    let cache = TempDir::new().unwrap();
    let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(START)));
    let source = ContentSource::Files {
        dir: content.path().to_owned(),
        options: LoadOptions::default(),
    };
    let with_cache = |clock: &Arc<ManualClock>| Rendering {
        cache_dir: Some(cache.path().to_owned()),
        ..rendering(clock)
    };
    let first = server_with(source.clone(), with_cache(&clock), clock.clone());
    let before = get(&first.app, POST).await;
    drop(first);

    // Edited while stopped: the restart reads the page back, sees that what it read
    // changed, and renders it again.
    edit(
        content.path(),
        "posts/hello-leptos.md",
        "Nothing else.",
        "Edited while stopped.",
    );
    let corrupt = atoll::isr::file_of(cache.path(), "/posts/second/");
    let mut bytes = std::fs::read(&corrupt).unwrap();
    let at = bytes.len() - 10;
    bytes[at] ^= 0x20;
    std::fs::write(&corrupt, bytes).unwrap();

    let second = server_with(source, with_cache(&clock), clock.clone());
    let stats = &second.state.cache().stats;
    assert!(stats.loaded_from_disk.load(Ordering::Relaxed) > 5);
    assert_eq!(stats.corrupted.load(Ordering::Relaxed), 1);
    let after = get(&second.app, POST).await;
    assert!(
        after.body.contains("Edited while stopped."),
        "rendered again"
    );
    assert_ne!(after.headers[header::ETAG], before.headers[header::ETAG]);
    // An unchanged page is the folder's, byte for byte.
    let kept = get(&second.app, "/tags/").await;
    assert_eq!(kept.cache(), "HIT");
    let repaired = get(&second.app, "/posts/second/").await;
    assert_eq!(repaired.status, StatusCode::OK);
    assert!(repaired.body.contains("A TOML front matter."));
}

fn now(s: &Server) -> u64 {
    use atoll::isr::Clock;
    s.clock.now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

fn webhook(secret: &str, id: &str, timestamp: u64, body: &str, sent_body: &str) -> Request<Body> {
    let key = atoll::webhook::decode_secret(secret).unwrap();
    let mut request =
        Request::post("/api/revalidate").header(header::CONTENT_TYPE, "application/json");
    for (name, value) in signed_headers(&key, id, timestamp, body.as_bytes()) {
        request = request.header(name, value);
    }
    request.body(Body::from(sent_body.to_owned())).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_webhooks_revalidate_at_once_and_bad_ones_are_refused() {
    let content = content();
    let s = server(content.path());
    edit(
        content.path(),
        "posts/hello-leptos.md",
        "title: Hello, Leptos",
        "title: Hello, webhooks",
    );
    let body = r#"{"type": "entry.updated", "data": {"type": "post", "slug": "hello-leptos"}}"#;
    let t = now(&s);

    // Tampered body, wrong secret, old and future timestamps: 401, nothing changes.
    let tampered = body.replace("hello-leptos", "second");
    for (request, why) in [
        (webhook(SECRET, "msg_1", t, body, &tampered), "tampered"),
        (
            webhook(
                "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                "msg_1",
                t,
                body,
                body,
            ),
            "wrong secret",
        ),
        (webhook(SECRET, "msg_1", t - 301, body, body), "old"),
        (webhook(SECRET, "msg_1", t + 301, body, body), "future"),
    ] {
        let answer = send(&s.app, request).await;
        assert_eq!(
            answer.status,
            StatusCode::UNAUTHORIZED,
            "{why}: {}",
            answer.body
        );
        assert!(answer.body.contains("\"error\""), "{why}");
    }
    let unsigned = send(
        &s.app,
        Request::post("/api/revalidate")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED);
    assert!(get(&s.app, POST).await.body.contains("Hello, Leptos"));

    // Valid: the post, the lists that show it and the feed are rendered before the 200.
    let answer = send(&s.app, webhook(SECRET, "msg_1", t, body, body)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let json: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(json["replayed"], false);
    let paths: Vec<&str> = json["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    for expected in [
        POST,
        "/",
        "/posts/",
        "/tags/leptos/",
        "/atom.xml",
        "/posts/second/",
    ] {
        assert!(paths.contains(&expected), "{expected} in {paths:?}");
    }
    assert!(
        !paths.contains(&"/search/"),
        "unchanged pages are left alone: {paths:?}"
    );
    let post = get(&s.app, POST).await;
    assert_eq!(post.cache(), "HIT");
    assert!(post.body.contains("Hello, webhooks"));
    assert!(get(&s.app, "/").await.body.contains("Hello, webhooks"));

    // Replayed id: acknowledged, no work.
    let renders = s.state.cache().stats.renders.load(Ordering::SeqCst);
    let replay = send(&s.app, webhook(SECRET, "msg_1", t, body, body)).await;
    assert_eq!(replay.status, StatusCode::OK);
    assert!(replay.body.contains("\"replayed\":true"));
    assert_eq!(
        s.state.cache().stats.renders.load(Ordering::SeqCst),
        renders
    );

    // Rotated key: the second secret signs, accepted.
    let paths_body = r#"{"paths": ["/posts/second/"]}"#;
    let rotated = send(
        &s.app,
        webhook(OTHER_SECRET, "msg_2", t, paths_body, paths_body),
    )
    .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    assert!(rotated.body.contains("/posts/second/"));

    // Bad bodies: 400 naming the field; oversized: 413.
    for (bad, field) in [
        (r#"{"paths": "/x/"}"#, "paths"),
        (r#"{"tags": ["nonsense"]}"#, "tags[0]"),
        (
            r#"{"type": "entry.exploded", "data": {"type": "post", "slug": "x"}}"#,
            "type",
        ),
        (r#"{"paths": ["no-slash"]}"#, "paths[0]"),
        (r#"{}"#, "paths"),
    ] {
        let answer = send(
            &s.app,
            webhook(SECRET, &format!("bad-{field}"), t, bad, bad),
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            answer.body
        );
        let json: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(json["field"], field, "{bad}");
    }
    let huge = format!(r#"{{"paths": ["/{}/"]}}"#, "x".repeat(1024 * 1024));
    let answer = send(&s.app, webhook(SECRET, "msg_huge", t, &huge, &huge)).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_entry_event_removes_its_page() {
    let content = content();
    let s = server(content.path());
    std::fs::remove_file(content.path().join("posts/second.md")).unwrap();
    let body = r#"{"type": "entry.deleted", "data": {"type": "post", "slug": "second"}}"#;
    let answer = send(&s.app, webhook(SECRET, "msg_del", now(&s), body, body)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(
        answer
            .body
            .contains(r#"{"path":"/posts/second/","outcome":"removed"}"#),
        "{}",
        answer.body
    );
    assert_eq!(
        get(&s.app, "/posts/second/").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!get(&s.app, "/posts/").await.body.contains("Second post"));
}

fn cookie_of(answer: &Answer) -> String {
    let set = answer.headers[header::SET_COOKIE].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draft_preview_cookie_round_trip() {
    let content = content();
    let s = server(content.path());
    assert_eq!(
        get(&s.app, "/posts/draft/").await.status,
        StatusCode::NOT_FOUND
    );
    let wrong = get(&s.app, "/api/preview?secret=nope&path=/posts/draft/").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.headers.get(header::SET_COOKIE).is_none());
    let open = get(
        &s.app,
        "/api/preview?secret=//evil.example&path=//evil.example/",
    )
    .await;
    assert_eq!(open.status, StatusCode::UNAUTHORIZED);
    let bad_path = get(
        &s.app,
        "/api/preview?secret=let-me-see&path=//evil.example/",
    )
    .await;
    assert_eq!(bad_path.status, StatusCode::BAD_REQUEST);

    let start = get(&s.app, "/api/preview?secret=let-me-see&path=/posts/draft/").await;
    assert_eq!(start.status, StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(start.headers[header::LOCATION], "/posts/draft/");
    let set = start.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"),
        "{set}"
    );
    let cookie = cookie_of(&start);

    let with = |uri: &str, cookie: &str| {
        Request::get(uri)
            .header(header::COOKIE, format!("theme=dark; {cookie}"))
            .body(Body::empty())
            .unwrap()
    };
    let draft = send(&s.app, with("/posts/draft/", &cookie)).await;
    assert_eq!(draft.status, StatusCode::OK);
    assert!(draft.body.contains("Not published."));
    assert_eq!(
        draft.headers[header::CACHE_CONTROL],
        "private, no-cache, no-store, max-age=0, must-revalidate"
    );
    assert!(
        draft.headers.get("x-atoll-cache").is_none(),
        "the cache is bypassed"
    );
    // Lists include the draft too, and an edit shows at once (per request, no cache).
    edit(
        content.path(),
        "posts/hello-leptos.md",
        "Nothing else.",
        "Previewed edit.",
    );
    assert!(send(&s.app, with(POST, &cookie))
        .await
        .body
        .contains("Previewed edit."));
    assert!(
        get(&s.app, POST).await.body.contains("Nothing else."),
        "visitors see the cache"
    );

    // A forged or expired cookie is ignored.
    let forged = cookie.replacen("atoll_preview=", "atoll_preview=9", 1);
    assert_eq!(
        send(&s.app, with("/posts/draft/", &forged)).await.status,
        StatusCode::NOT_FOUND
    );
    s.clock.advance(Duration::from_secs(3601));
    assert_eq!(
        send(&s.app, with("/posts/draft/", &cookie)).await.status,
        StatusCode::NOT_FOUND
    );

    let exit = get(&s.app, "/api/preview/exit?path=/posts/").await;
    assert_eq!(exit.status, StatusCode::TEMPORARY_REDIRECT);
    assert!(exit.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
}

/// An Atoll server on 127.0.0.1 (port 0) serving `content`; returns its base URL.
async fn listen(state: AppState) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (format!("http://{addr}/"), task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_is_published_at_its_publish_date_with_no_file_changed() {
    let content = content();
    // Hugo's `publishDate`, two seconds from now (whole seconds, UTC).
    let at = chrono::Utc::now() + chrono::Duration::seconds(2);
    let stamp = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    std::fs::write(
        content.path().join("posts/scheduled.md"),
        format!("---\ntitle: Scheduled\npublishDate: {stamp}\n---\nOut on time.\n"),
    )
    .unwrap();
    let s = server(content.path());
    let early = get(&s.app, "/posts/scheduled/").await;
    assert_eq!(early.status, StatusCode::NOT_FOUND, "not before its moment");
    // Past the moment (bounded wait), the same files: the content is loaded again.
    let wait = (at - chrono::Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait + Duration::from_millis(300)).await;
    let published = get(&s.app, "/posts/scheduled/").await;
    assert_eq!(published.status, StatusCode::OK);
    assert!(published.body.contains("Out on time."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zola_sites_sections_and_their_feeds_are_served_and_follow_edits() {
    let site = fixture_copy("rust-blog");
    let s = server(site.path());
    let section = get(&s.app, "/inside-rust/").await;
    assert_eq!(section.status, StatusCode::OK);
    assert!(section.body.contains("Welcome to the Inside Rust blog!"));
    let feed = get(&s.app, "/inside-rust/atom.xml").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/atom+xml"));
    assert!(feed.body.contains("Core Team updates"));
    assert_eq!(
        get(&s.app, "/releases/atom.xml").await.status,
        StatusCode::NOT_FOUND
    );
    // A post at its `path`; its old `.html` URL redirects.
    assert_eq!(
        get(&s.app, "/inside-rust/2019/09/25/Welcome/").await.status,
        StatusCode::OK
    );
    let old = get(&s.app, "/inside-rust/2019/09/25/Welcome.html").await;
    assert_eq!(old.status, StatusCode::MOVED_PERMANENTLY);
    // An edited title reaches the section's list and its feed.
    edit(
        site.path(),
        "content/inside-rust/Welcome.md",
        "title = \"Welcome to the Inside Rust blog!\"",
        "title = \"Welcome, edited\"",
    );
    s.clock.advance(Duration::from_secs(61));
    get(&s.app, "/inside-rust/").await;
    get(&s.app, "/inside-rust/atom.xml").await;
    settle(&s.state).await;
    assert!(get(&s.app, "/inside-rust/")
        .await
        .body
        .contains("Welcome, edited"));
    assert!(get(&s.app, "/inside-rust/atom.xml")
        .await
        .body
        .contains("Welcome, edited"));
}

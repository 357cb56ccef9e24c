//! A restart: the front answers the cache folder's pages before the state exists, and
//! the background start fills the cache while requests render what they need.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use atoll::content::LoadOptions;
use atoll::isr::ManualClock;
use atoll::snapshot::ContentSource;
use atoll::warm::{front, DiskPages};
use atoll::{router, AppState, Rendering, Services};
use axum::http::{header, Request, StatusCode};
use tempfile::TempDir;

use super::{content, dirs, futures_load, get, rendering, send, server_with, POST, START};

fn source(dir: &std::path::Path) -> ContentSource {
    ContentSource::Files {
        dir: dir.to_owned(),
        options: LoadOptions::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_front_answers_the_cache_folder_until_the_state_is_ready() {
    let content = content();
    let cache = TempDir::new().unwrap();
    let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(START)));
    let with_cache = Rendering {
        cache_dir: Some(cache.path().to_owned()),
        ..rendering(&clock)
    };
    let first = server_with(source(content.path()), with_cache, clock.clone());
    let before = get(&first.app, POST).await;
    drop(first);

    // Restarted: no state yet. The page the folder has is answered from it, with the
    // same bytes and headers as before.
    let disk = DiskPages {
        dir: cache.path().to_owned(),
        build_id: "test-build".into(),
        stale_while_revalidate: 31_536_000,
    };
    let (app, ready) = front(Some(disk.clone()));
    let early = get(&app, POST).await;
    assert_eq!(early.status, StatusCode::OK);
    assert_eq!(early.body, before.body);
    assert_eq!(early.headers[header::ETAG], before.headers[header::ETAG]);
    // Answered from the folder (the front reads the system clock, this test's pages
    // were rendered on a manual one: fresh or stale depends on it).
    assert!(
        matches!(early.cache(), "HIT" | "STALE"),
        "{}",
        early.cache()
    );
    // Another build's pages are not answered: that request waits for the state.
    let (other, _other_ready) = front(Some(DiskPages {
        build_id: "another-build".into(),
        ..disk
    }));
    let waiting_other = tokio::time::timeout(Duration::from_millis(200), get(&other, POST)).await;
    assert!(waiting_other.is_err(), "another build's page must wait");
    // What the folder does not have (the API, an unknown page) waits for the state…
    let waiting = {
        let app = app.clone();
        tokio::spawn(async move { get(&app, "/api/search?q=leptos").await })
    };
    let with_cookie = {
        let app = app.clone();
        tokio::spawn(async move {
            send(
                &app,
                Request::get(POST)
                    .header(header::COOKIE, "atoll_preview=1")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!waiting.is_finished() && !with_cookie.is_finished());
    // … and is answered by it once it is there.
    let state = tokio::task::block_in_place(|| {
        let source = source(content.path());
        let site = futures_load(&source).unwrap();
        AppState::start_unfilled(
            source,
            site,
            dirs(),
            Services::default(),
            Rendering {
                cache_dir: Some(cache.path().to_owned()),
                ..rendering(&clock)
            },
        )
    });
    ready.serve(router(state));
    let answered = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("answered once ready")
        .unwrap();
    // The API answers, once the search index (built beside the start) is there.
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    assert!(
        answered.body.contains("/posts/hello-leptos/"),
        "{}",
        answered.body
    );
    assert_eq!(with_cookie.await.unwrap().status, StatusCode::OK);

    // A start that fails answers the waiting requests with a 503 naming the reason.
    let (failing, ready) = front(None);
    let waiting = {
        let app = failing.clone();
        tokio::spawn(async move { get(&app, POST).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    ready.fail("cannot load the site: bad front matter".into());
    let failed = waiting.await.unwrap();
    assert_eq!(failed.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(failed.body.contains("bad front matter"), "{}", failed.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_background_start_renders_requested_pages_first_and_fills_the_rest() {
    let content = content();
    let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(START)));
    let state = tokio::task::block_in_place(|| {
        let source = source(content.path());
        let site = futures_load(&source).unwrap();
        AppState::start_unfilled(source, site, dirs(), Services::default(), rendering(&clock))
    });
    let app = router(state.clone());
    assert!(state.cache().is_empty(), "nothing rendered before the fill");
    // Requested before the fill: rendered for the request.
    let first = get(&app, POST).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.cache(), "MISS");
    let rendered = state.cache().get(POST).unwrap().rendered_at;
    tokio::task::block_in_place(|| state.fill());
    let stats = &state.cache().stats;
    let total = stats.start_pages.load(Ordering::Relaxed);
    assert!(total > 10, "{total} pages");
    assert_eq!(stats.start_done.load(Ordering::Relaxed), total);
    assert!(state.cache().len() as u64 >= total - 1);
    // The fill kept the page the request rendered.
    assert_eq!(state.cache().get(POST).unwrap().rendered_at, rendered);
    assert_eq!(get(&app, POST).await.cache(), "HIT");
    // `/status/` shows the progress.
    let status = get(&app, "/status/").await;
    assert!(
        status.body.contains("start: pages checked"),
        "{}",
        status.body
    );
}

//! The headless CMS source and the content API it reads, against a real Atoll server on 127.0.0.1.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cms_source_reads_another_atoll_server() {
    // The CMS: a real Atoll server whose content API needs a token.
    let cms_content = content();
    let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(START)));
    let cms_rendering = Rendering {
        content_token: Some("cms-token".into()),
        ..rendering(&clock)
    };
    let cms = server_with(
        ContentSource::Files {
            dir: cms_content.path().to_owned(),
            options: LoadOptions::default(),
        },
        cms_rendering,
        clock.clone(),
    );
    let (base, task) = listen(cms.state.clone()).await;

    // Without the token: 401 after no retries (a 4xx is final).
    let anonymous = CmsSource::new(base.parse().unwrap(), None).unwrap();
    let started = std::time::Instant::now();
    let err = anonymous.fetch(false).await.unwrap_err();
    assert!(format!("{err:#}").contains("401"), "{err:#}");
    assert!(
        started.elapsed() < Duration::from_millis(250),
        "a 4xx is not retried (the first backoff is 250 ms)"
    );

    // The site: local settings, the CMS' posts and products.
    let local = TempDir::new().unwrap();
    std::fs::write(local.path().join("site.toml"), "title = \"Reader\"\n").unwrap();
    let source = ContentSource::Cms {
        dir: local.path().to_owned(),
        options: LoadOptions::default(),
        cms: CmsSource::new(base.parse().unwrap(), Some("cms-token".into())).unwrap(),
    };
    let reader_clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(START)));
    let reader = server_with(source, rendering(&reader_clock), reader_clock.clone());
    let fixture = load_site(
        &root().join("tests/fixtures/basic"),
        &LoadOptions::default(),
    )
    .unwrap();
    let site = reader.state.snapshot();
    assert_eq!(site.site.posts.len(), fixture.posts.len());
    assert_eq!(site.site.config.title, "Reader");
    let page = get(&reader.app, POST).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Nothing else."));
    assert!(page.body.contains("Reader"));

    // An edit in the CMS reaches the reader's page at its next regeneration.
    edit(
        cms_content.path(),
        "posts/hello-leptos.md",
        "Nothing else.",
        "Edited in the CMS.",
    );
    reader_clock.advance(Duration::from_secs(61));
    assert_eq!(get(&reader.app, POST).await.cache(), "STALE");
    settle(&reader.state).await;
    assert!(get(&reader.app, POST)
        .await
        .body
        .contains("Edited in the CMS."));

    // The CMS goes down: regeneration fails after its retries, the last good page stays.
    task.abort();
    let _ = task.await;
    reader_clock.advance(Duration::from_secs(61));
    let stale = get(&reader.app, POST).await;
    assert_eq!(stale.cache(), "STALE");
    settle(&reader.state).await;
    let kept = get(&reader.app, POST).await;
    assert_eq!(kept.status, StatusCode::OK);
    assert!(kept.body.contains("Edited in the CMS."));
    assert!(reader.state.cache().stats.failures.load(Ordering::Relaxed) >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_content_api_lists_pages_and_names_missing_posts() {
    let content = content();
    let s = server(content.path());
    let list = get(&s.app, "/api/content/posts").await;
    assert_eq!(list.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&list.body).unwrap();
    assert_eq!(json["total"], 3, "drafts are not listed");
    assert!(json["next"].is_null());
    assert_eq!(json["items"][0]["slug"], "second");
    assert!(json["items"][0]["html"]
        .as_str()
        .unwrap()
        .contains("<table>"));
    let one = get(&s.app, "/api/content/posts/hello-leptos").await;
    assert_eq!(one.status, StatusCode::OK);
    let missing = get(&s.app, "/api/content/posts/nope").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("\"field\":\"slug\""));
    let bad = get(&s.app, "/api/content/posts?page=0").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let drafts = get(&s.app, "/api/content/posts?drafts=true").await;
    assert_eq!(
        drafts.status,
        StatusCode::UNAUTHORIZED,
        "drafts need the token"
    );
    let products = get(&s.app, "/api/content/products").await;
    assert_eq!(products.status, StatusCode::OK);
}

/// A stand-in islands bundle (the export copies it; no page here hydrates).
fn islands_stub(dir: &Path) -> PathBuf {
    let islands = dir.join("islands");
    std::fs::create_dir_all(&islands).unwrap();
    for (name, bytes) in [
        (
            "islands.js",
            &b"export default async function init() {}\n"[..],
        ),
        ("islands_bg.wasm", b"\0asm\x01\0\0\0"),
        ("loader.js", b"// loader\n"),
        ("search.js", b"export async function search() {}\n"),
        ("search_bg.wasm", b"\0asm\x01\0\0\0"),
    ] {
        std::fs::write(islands.join(name), bytes).unwrap();
    }
    islands
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_reads_posts_from_a_cms() {
    let cms_content = content();
    let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(START)));
    let cms = server_with(
        ContentSource::Files {
            dir: cms_content.path().to_owned(),
            options: LoadOptions::default(),
        },
        Rendering {
            content_token: Some("cms-token".into()),
            ..rendering(&clock)
        },
        clock,
    );
    let (base, _task) = listen(cms.state.clone()).await;
    let work = TempDir::new().unwrap();
    let local = work.path().join("content");
    std::fs::create_dir_all(&local).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/basic/site.toml"),
        local.join("site.toml"),
    )
    .unwrap();
    let islands = islands_stub(work.path());
    let out = work.path().join("dist");
    let args: Vec<String> = vec![
        "export".into(),
        "--content".into(),
        local.display().to_string(),
        "--public".into(),
        root().join("public").display().to_string(),
        "--islands".into(),
        islands.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--cms-url".into(),
        base,
    ];
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_atoll"))
            .args(&args)
            .env("ATOLL_CMS_TOKEN", "cms-token")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let post = std::fs::read_to_string(out.join("posts/hello-leptos/index.html")).unwrap();
    assert!(post.contains("Nothing else."));
    assert!(out.join("posts/second/index.html").exists());
    assert!(!out.join("posts/draft/index.html").exists());
    assert!(
        !out.join("status/index.html").exists(),
        "SSR pages are not exported"
    );
}

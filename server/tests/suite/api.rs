//! The JSON API and the page routes, driven through the `Router` with `oneshot`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use atoll::content::{load_site, LoadOptions};
use atoll::{router, AppState, Dirs};
use atoll_api::{ApiError, SearchResponse};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/basic")
}

fn app() -> Router {
    app_at(&fixture())
}

/// The site in `content`, with the repository's `public/` and islands folder.
fn app_at(content: &std::path::Path) -> Router {
    let site = load_site(content, &LoadOptions::default()).expect("the site loads");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    router(AppState::new(
        site,
        Dirs {
            public: root.join("public"),
            islands: root.join("target/islands"),
        },
    ))
}

async fn send(app: Router, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let answer = crate::common::send(&app, request).await;
    (answer.status, answer.headers, answer.body.into_bytes())
}

async fn get(uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    send(app(), Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn search_error(uri: &str) -> ApiError {
    let (status, headers, body) = get(uri).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    serde_json::from_slice(&body).expect("JSON error body")
}

#[tokio::test]
async fn search_finds_posts() {
    let (status, headers, body) = get("/api/search?q=leptos").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let response: SearchResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!(response.query, "leptos");
    assert!(response.total >= 1);
    assert_eq!(response.results[0].url, "/posts/hello-leptos/");
    assert_eq!(response.results[0].title, "Hello, Leptos");
    assert!(response.results[0]
        .excerpt
        .to_lowercase()
        .contains("leptos"));
}

#[tokio::test]
async fn search_excludes_drafts() {
    let (_, _, body) = get("/api/search?q=unfinished").await;
    let response: SearchResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!(response.total, 0);
}

#[tokio::test]
async fn empty_or_missing_query_is_400_naming_q() {
    for uri in [
        "/api/search",
        "/api/search?q=",
        "/api/search?q=%20%20",
        "/api/search?limit=3",
    ] {
        let error = search_error(uri).await;
        assert_eq!(error.field.as_deref(), Some("q"), "{uri}");
        assert!(
            error.error.contains("must not be empty"),
            "{uri}: {error:?}"
        );
    }
    let long = "a".repeat(257);
    let error = search_error(&format!("/api/search?q={long}")).await;
    assert_eq!(error.field.as_deref(), Some("q"));
}

#[tokio::test]
async fn limit_is_bounded() {
    for bad in ["0", "51", "-1", "ten", "1.5", "99999999999999999999999"] {
        let error = search_error(&format!("/api/search?q=post&limit={bad}")).await;
        assert_eq!(error.field.as_deref(), Some("limit"), "limit={bad}");
        assert!(error.error.contains("between 1 and 50"), "{error:?}");
    }
    for (limit, expected) in [("1", 1), ("50", 3)] {
        let (status, _, body) = get(&format!("/api/search?q=post&limit={limit}")).await;
        assert_eq!(status, StatusCode::OK);
        let response: SearchResponse = serde_json::from_slice(&body).unwrap();
        assert_eq!(response.results.len(), expected, "limit={limit}");
        assert_eq!(response.total, 3);
    }
}

#[tokio::test]
async fn unicode_queries_work() {
    // "Déťáíls" folds to "details", which is a heading in two posts.
    let (status, _, body) = get("/api/search?q=D%C3%A9%C5%A5%C3%A1%C3%AD%C4%BEs").await;
    assert_eq!(status, StatusCode::OK);
    let response: SearchResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!(response.query, "Déťáíľs");
    assert_eq!(response.total, 2);
    // Scripts the corpus does not contain: a valid, empty answer.
    let (status, _, body) = get("/api/search?q=%E6%A4%9C%E7%B4%A2%20%F0%9F%A6%80").await;
    assert_eq!(status, StatusCode::OK);
    let response: SearchResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!(response.query, "検索 🦀");
    assert_eq!(response.total, 0);
    assert!(response.results.is_empty());
}

#[tokio::test]
async fn trailing_space_ends_prefix_matching() {
    let total = |body: Vec<u8>| {
        serde_json::from_slice::<SearchResponse>(&body)
            .unwrap()
            .total
    };
    let (_, _, body) = get("/api/search?q=detai").await;
    assert_eq!(
        total(body),
        2,
        "the last word matches as a prefix while typing"
    );
    let (_, _, body) = get("/api/search?q=detai%20").await;
    assert_eq!(
        total(body),
        0,
        "a trailing space marks the word as complete"
    );
    let (_, _, body) = get("/api/search?q=details%20").await;
    let response: SearchResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!((response.total, response.query.as_str()), (2, "details"));
}

#[tokio::test]
async fn wrong_method_is_405_with_allow() {
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/search?q=x")
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = send(app(), request).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[header::ALLOW], "GET, HEAD");
    let error: ApiError = serde_json::from_slice(&body).unwrap();
    assert!(error.error.contains("GET"));
}

#[tokio::test]
async fn unknown_api_path_is_json_404() {
    let (status, _, body) = get("/api/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let error: ApiError = serde_json::from_slice(&body).unwrap();
    assert_eq!(error.error, "no API endpoint at /api/nope");
}

#[tokio::test]
async fn pages_are_served_with_etags() {
    let (status, headers, body) = get("/posts/hello-leptos/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains("Leptos renders this page on the server."));
    // No executable script: only JSON-LD structured data.
    assert_eq!(
        html.matches("<script").count(),
        html.matches(r#"<script type="application/ld+json">"#)
            .count()
    );
    let etag = headers[header::ETAG].to_str().unwrap().to_owned();
    let request = Request::get("/posts/hello-leptos/")
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = send(app(), request).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    for (if_none_match, expected) in [
        ("\"other\"".to_owned(), StatusCode::OK),
        (format!("\"x\", W/{etag}"), StatusCode::NOT_MODIFIED),
    ] {
        let request = Request::get("/posts/hello-leptos/")
            .header(header::IF_NONE_MATCH, &if_none_match)
            .body(Body::empty())
            .unwrap();
        let (status, _, body) = send(app(), request).await;
        assert_eq!(status, expected, "If-None-Match: {if_none_match}");
        assert_eq!(body.is_empty(), expected == StatusCode::NOT_MODIFIED);
    }
}

#[tokio::test]
async fn missing_slash_redirects_and_unknown_is_404_page() {
    let (status, headers, _) = get("/posts/second?x=1").await;
    assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(headers[header::LOCATION], "/posts/second/?x=1");
    let (status, _, body) = get("/posts/does-not-exist/").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(String::from_utf8(body).unwrap().contains("Page not found"));
    let (status, _, _) = get("/posts/draft/").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get("/404.html").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn public_files_are_served() {
    let (status, headers, body) = get("/style.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert!(!body.is_empty());
}

#[tokio::test]
async fn the_layouts_own_files_are_served_when_the_static_folder_lacks_them() {
    let site = load_site(&fixture(), &LoadOptions::default()).expect("the site loads");
    let empty = tempfile::TempDir::new().unwrap();
    let app = router(AppState::new(
        site,
        Dirs {
            public: empty.path().to_owned(),
            islands: empty.path().to_owned(),
        },
    ));
    let get = |uri: &str| send(app.clone(), Request::get(uri).body(Body::empty()).unwrap());
    let (status, headers, body) = get("/style.css").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/css");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    assert_eq!(body, std::fs::read(root.join("public/style.css")).unwrap());
    let (status, headers, _) = get("/favicon.svg").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/svg+xml");
    let (status, _, _) = get("/missing.css").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn aliases_redirect_permanently() {
    let (status, headers, _) = get("/old/second/").await;
    assert_eq!(status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(headers[header::LOCATION], "/posts/second/");
    let (status, headers, _) = get("/posts/page/1/").await;
    assert_eq!(status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(headers[header::LOCATION], "/posts/");
}

/// Issue 16, items 1 and 3: hostile paths get the HTML 404 page (or a 414), never a
/// cacheable empty error, and never reach the file system with an impossible name.
#[tokio::test]
async fn hostile_paths_get_the_404_page_or_414_and_no_store() {
    let long_segment = "a".repeat(256);
    let long_path = format!("/{}/", ["b"; 2100].join("/"));
    for uri in [
        format!("/{long_segment}"),
        format!("/pkg/{long_segment}"),
        format!("/images/{long_segment}.png"),
        long_path,
        "/pkg/..%2f..%2fCargo.toml".to_owned(),
        "/pkg/no-such-file.js".to_owned(),
    ] {
        let (status, headers, body) = get(&uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(
            headers[header::CACHE_CONTROL],
            atoll::NO_STORE,
            "{uri}: errors are never cached"
        );
        let body = String::from_utf8_lossy(&body);
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{uri}"
        );
        assert!(body.contains("<!DOCTYPE html>"), "{uri}: the 404 page");
        assert!(!body.contains("[package]"), "{uri}: nothing leaks");
    }
    // A segment of 255 bytes is a possible name: an ordinary 404, not refused early.
    let (status, _, _) = get(&format!("/{}/", "c".repeat(255))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let too_long = format!("/search/?q={}", "x".repeat(8 * 1024));
    let (status, headers, _) = get(&too_long).await;
    assert_eq!(status, StatusCode::URI_TOO_LONG);
    assert_eq!(headers[header::CACHE_CONTROL], atoll::NO_STORE);
    // The API keeps its JSON errors, also uncached.
    let (status, headers, body) = get("/api/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers[header::CACHE_CONTROL], atoll::NO_STORE);
    assert!(serde_json::from_slice::<ApiError>(&body).is_ok());
}

/// `app()` behind [`atoll::listen::serve`] on 127.0.0.1:0 with `limits`.
async fn listen(limits: atoll::listen::ConnectionLimits) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(atoll::listen::serve(
        listener,
        app(),
        limits,
        std::future::pending(),
    ));
    addr
}

/// Reads one response with a `Content-Length` from `stream`: its status line and body.
async fn read_response(stream: &mut tokio::net::TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    use tokio::io::AsyncReadExt;
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&bytes[..end]).to_string();
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if bytes.len() >= end + 4 + length {
                let status = head.lines().next().unwrap_or_default().to_owned();
                return Ok((status, bytes[end + 4..end + 4 + length].to_vec()));
            }
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
}

/// Waits (at most `within`) for the server to close `stream`; the time it took.
async fn closed_within(stream: &mut tokio::net::TcpStream, within: Duration) -> Option<Duration> {
    use tokio::io::AsyncReadExt;
    let start = Instant::now();
    let mut sink = [0u8; 1024];
    tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => return start.elapsed(),
                Ok(_) => {}
            }
        }
    })
    .await
    .ok()
}

const SEARCH: &[u8] = b"GET /api/search?q=leptos HTTP/1.1\r\nHost: t\r\n\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_clients_are_cut_while_others_are_served() {
    use tokio::io::AsyncWriteExt;
    let limits = atoll::listen::ConnectionLimits {
        header_timeout: Duration::from_millis(800),
        keep_alive_timeout: Duration::from_millis(1500),
        ..Default::default()
    };
    let addr = listen(limits).await;

    // Slowloris: 20 connections sending a header byte every 100 ms, never finishing.
    let mut slow = Vec::new();
    for _ in 0..20 {
        slow.push(tokio::spawn(async move {
            let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            stream
                .write_all(b"GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ")
                .await
                .unwrap();
            let start = Instant::now();
            // Bounded: 60 bytes (6 s), far past the 0.8 s allowed.
            for _ in 0..60 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if stream.write_all(b"a").await.is_err() {
                    return start.elapsed();
                }
            }
            panic!("a client trickling its head was never cut off");
        }));
    }
    // Meanwhile ordinary clients are served, on one keep-alive connection and on new ones.
    let mut kept = tokio::net::TcpStream::connect(addr).await.unwrap();
    for round in 0..8 {
        kept.write_all(SEARCH).await.unwrap();
        let (status, body) = read_response(&mut kept).await.unwrap();
        assert!(status.contains("200"), "round {round}: {status}");
        assert!(String::from_utf8_lossy(&body).contains("results"));
        let mut fresh = tokio::net::TcpStream::connect(addr).await.unwrap();
        fresh.write_all(SEARCH).await.unwrap();
        assert!(read_response(&mut fresh).await.unwrap().0.contains("200"));
        // Requests 200 ms apart: the keep-alive connection is never idle for long.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for client in slow {
        let cut = client.await.unwrap();
        // The head had 0.8 s from its first byte; writes notice the close a little later.
        assert!(cut >= Duration::from_millis(700), "cut too early: {cut:?}");
        assert!(cut < Duration::from_millis(3000), "cut too late: {cut:?}");
    }

    // An idle keep-alive connection is closed after its timeout, not before.
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    idle.write_all(SEARCH).await.unwrap();
    read_response(&mut idle).await.unwrap();
    let after = closed_within(&mut idle, Duration::from_secs(5))
        .await
        .expect("an idle keep-alive connection is closed");
    assert!(
        after >= Duration::from_millis(1300),
        "idle cut too early: {after:?}"
    );
    // A connection that never sends a byte gets the head time.
    let mut silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    let after = closed_within(&mut silent, Duration::from_secs(5))
        .await
        .expect("a silent connection is closed");
    assert!(after < Duration::from_millis(1400), "{after:?}");
}

#[tokio::test]
async fn past_the_connection_cap_clients_wait_and_the_server_says_so() {
    use tokio::io::AsyncWriteExt;
    use tracing_subscriber::layer::SubscriberExt as _;
    // The log, captured: this test's runtime runs the server on this thread.
    let log = Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let writer = {
        let log = Arc::clone(&log);
        move || LogWriter(Arc::clone(&log))
    };
    let subscriber = tracing_subscriber::registry().with(
        tracing_subscriber::fmt::layer()
            .with_writer(writer)
            .with_ansi(false),
    );
    let _guard = tracing::subscriber::set_default(subscriber);

    let limits = atoll::listen::ConnectionLimits {
        max_connections: 2,
        ..Default::default()
    };
    let addr = listen(limits).await;
    let mut first = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut second = tokio::net::TcpStream::connect(addr).await.unwrap();
    for stream in [&mut first, &mut second] {
        stream.write_all(SEARCH).await.unwrap();
        assert!(read_response(stream).await.unwrap().0.contains("200"));
    }
    // The third waits in the backlog while both stay open…
    let mut third = tokio::net::TcpStream::connect(addr).await.unwrap();
    third.write_all(SEARCH).await.unwrap();
    let waited = tokio::time::timeout(Duration::from_millis(500), read_response(&mut third)).await;
    assert!(waited.is_err(), "served past the cap");
    let text = String::from_utf8_lossy(&log.lock().unwrap()).to_string();
    assert!(
        text.contains("connection limit reached: 2 connections open"),
        "{text}"
    );
    // …and is served once one of them closes.
    drop(first);
    let answer = tokio::time::timeout(Duration::from_secs(5), read_response(&mut third))
        .await
        .expect("served after a slot freed")
        .unwrap();
    assert!(answer.0.contains("200"));
    second.write_all(SEARCH).await.unwrap();
    assert!(read_response(&mut second).await.unwrap().0.contains("200"));
}

struct LogWriter(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn served_pages_carry_the_exports_security_headers() {
    for uri in [
        "/",
        "/posts/hello-leptos/",
        "/no-such-page/",
        "/api/search?q=x",
    ] {
        let (_, headers, _) = get(uri).await;
        for (name, value) in atoll::export::SECURITY_HEADERS {
            assert_eq!(headers[name], value, "{uri}: {name}");
        }
    }
}

/// Whether `bytes` hold a whole response: as many body bytes as `Content-Length` says,
/// or a chunked body's last chunk.
fn is_whole(bytes: &[u8]) -> bool {
    let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase();
    match head.lines().find_map(|l| l.strip_prefix("content-length:")) {
        Some(length) => bytes.len() - end - 4 == length.trim().parse::<usize>().unwrap(),
        None => bytes.ends_with(b"0\r\n\r\n"),
    }
}

/// The files `atoll serve` checks for when pages have islands (not a working bundle).
fn islands_stub(dir: &std::path::Path) -> PathBuf {
    let islands = dir.join("islands");
    std::fs::create_dir_all(&islands).unwrap();
    for name in atoll::ISLANDS_FILES {
        std::fs::write(islands.join(name), b"// stub\n").unwrap();
    }
    islands
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_in_flight_requests_and_exits_cleanly() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let work = tempfile::tempdir().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let db = work.path().join("atoll.db");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_atoll"))
        .args(["serve", "--addr", "127.0.0.1:0", "--no-cache-dir"])
        .args(["--contact-per-minute", "100000", "--drain-timeout", "5"])
        .arg("--content")
        .arg(root.join("content"))
        .arg("--public")
        .arg(root.join("public"))
        .arg("--islands")
        .arg(islands_stub(work.path()))
        .arg("--db")
        .arg(&db)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).await.unwrap();
    let addr: std::net::SocketAddr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .parse()
        .unwrap();

    // Ten messages in flight: head and half the body sent when SIGTERM arrives.
    let mut in_flight = Vec::new();
    for i in 0..10 {
        let body = format!(
            r#"{{"name": "Ada", "email": "ada@example.org", "message": "In flight number {i}"}}"#
        );
        let (first, rest) = body.split_at(body.len() / 2);
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST /api/contact HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{first}",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        in_flight.push((stream, rest.to_owned()));
    }
    // Background load: pages on new connections, bounded in count and time.
    let load = tokio::spawn(async move {
        let mut outcomes = (0u32, 0u32, 0u32); // complete, refused or unanswered, truncated
        let until = Instant::now() + Duration::from_secs(4);
        for _ in 0..2000 {
            if Instant::now() > until {
                break;
            }
            let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else {
                outcomes.1 += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            };
            let sent = stream
                .write_all(b"GET /posts/ HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                .await;
            let mut bytes = Vec::new();
            use tokio::io::AsyncReadExt;
            let read = stream.read_to_end(&mut bytes).await;
            match (sent, read) {
                _ if bytes.is_empty() => outcomes.1 += 1,
                (Ok(()), Ok(_)) if bytes.starts_with(b"HTTP/1.1 200") && is_whole(&bytes) => {
                    outcomes.0 += 1;
                }
                _ => outcomes.2 += 1,
            }
        }
        outcomes
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pid = child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    // No new connections once draining…
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "still accepting after SIGTERM"
    );
    // …but the requests already accepted finish.
    for (i, (mut stream, rest)) in in_flight.into_iter().enumerate() {
        stream.write_all(rest.as_bytes()).await.unwrap();
        let (status, _) = read_response(&mut stream).await.unwrap();
        assert!(status.contains("202"), "message {i}: {status}");
    }
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("exits within the drain time")
        .unwrap();
    assert!(status.success(), "{status}");
    let (complete, refused, truncated) = load.await.unwrap();
    assert!(complete > 0, "the load ran");
    assert_eq!(
        truncated, 0,
        "{truncated} responses cut ({complete} complete, {refused} refused)"
    );

    // Every acknowledged message is in the file, which needs no WAL beside it.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let stored: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM contact_messages WHERE message LIKE 'In flight number %'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(stored, 10);
    let wal = work.path().join("atoll.db-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "the WAL was checkpointed"
    );
}

#[tokio::test]
async fn a_page_bundles_files_are_served_beside_the_page() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("posts/bundled");
    std::fs::create_dir_all(&bundle).unwrap();
    std::fs::write(
        bundle.join("index.md"),
        "---\ntitle: Bundled\n---\n![A note](note.txt)\n",
    )
    .unwrap();
    std::fs::write(bundle.join("note.txt"), "beside the page\n").unwrap();
    let app = app_at(tmp.path());
    let get = |uri: &str| send(app.clone(), Request::get(uri).body(Body::empty()).unwrap());
    let (status, _, body) = get("/posts/bundled/").await;
    assert_eq!(status, StatusCode::OK, "the bundle is the post `bundled`");
    assert!(String::from_utf8_lossy(&body).contains("note.txt"));
    let (status, headers, body) = get("/posts/bundled/note.txt").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(body, b"beside the page\n");
    let (status, _, _) = get("/posts/bundled/index.md").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the Markdown is not published"
    );
}

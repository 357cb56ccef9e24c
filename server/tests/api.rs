//! The JSON API and the page routes, driven through the `Router` with `oneshot`.

use std::path::PathBuf;

use atoll::content::{load_site, LoadOptions};
use atoll::{router, AppState, Dirs};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use islands::api::{ApiError, SearchResponse};
use tower::ServiceExt;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/basic")
}

fn app() -> Router {
    let site = load_site(&fixture(), &LoadOptions::default()).expect("fixture loads");
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
    let response = app.oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    (status, headers, body)
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

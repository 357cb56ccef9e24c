//! The Cloudflare, Fastly and Varnish purgers against a local HTTP server on
//! 127.0.0.1 that records each request and answers as the vendor's API documents
//! (Cloudflare's `purge_cache` envelope, Fastly's bulk purge map, Varnish's synthetic
//! 200), including a rate limit (429 with `Retry-After`) and a refused token.

use std::sync::{Arc, Mutex};

use atoll::purge::{PurgeError, PurgerConfig};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// One request as the recorder saw it.
#[derive(Clone, Debug)]
struct Recorded {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Clone, Default)]
struct Recorder {
    requests: Arc<Mutex<Vec<Recorded>>>,
    /// Answers to give first, in order (then the vendor's success answer).
    scripted: Arc<Mutex<Vec<Response>>>,
}

async fn record(
    State(recorder): State<Recorder>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    recorder.requests.lock().unwrap().push(Recorded {
        method,
        path: uri.path().to_owned(),
        headers,
        body,
    });
    let scripted = {
        let mut scripted = recorder.scripted.lock().unwrap();
        (!scripted.is_empty()).then(|| scripted.remove(0))
    };
    scripted.unwrap_or_else(|| {
        if uri.path().contains("/zones/") {
            // Cloudflare's answer to a purge (API v4 envelope).
            axum::Json(json!({"success": true, "errors": [], "messages": [],
                "result": {"id": "023e105f4ecef8ad9ca31a8372d0c353"}}))
            .into_response()
        } else if uri.path().starts_with("/service/") {
            // Fastly's bulk purge answer: each key with its purge id.
            axum::Json(json!({"url:/posts/p0/": "108-1391560174-974124"})).into_response()
        } else {
            (StatusCode::OK, "Purged 1").into_response()
        }
    })
}

async fn recorder() -> (String, Recorder) {
    let recorder = Recorder::default();
    let app = axum::Router::new()
        .fallback(record)
        .with_state(recorder.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/"), recorder)
}

fn tags(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("url:/posts/p{i}/")).collect()
}

#[tokio::test]
async fn cloudflare_purges_by_tag_in_batches_of_100_and_honours_retry_after() {
    let (base, recorder) = recorder().await;
    recorder.scripted.lock().unwrap().push(
        (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "1")],
            axum::Json(json!({"success": false, "errors": [{"code": 971, "message": "Please wait and consider throttling your request speed"}]})),
        )
            .into_response(),
    );
    let purger = PurgerConfig::Cloudflare {
        api: format!("{base}client/v4/").parse().unwrap(),
        zone: "023e105f4ecef8ad9ca31a8372d0c353".into(),
        token: "cf-token".into(),
    }
    .build()
    .unwrap();
    assert_eq!(purger.name(), "cloudflare");
    let all = tags(250);
    purger.purge(&all).await.unwrap();
    let requests = recorder.requests.lock().unwrap().clone();
    assert_eq!(
        requests.len(),
        4,
        "three batches, the first sent twice (429)"
    );
    let mut sent = Vec::new();
    for request in &requests[1..] {
        assert_eq!(request.method, Method::POST);
        assert_eq!(
            request.path,
            "/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/purge_cache"
        );
        assert_eq!(request.headers["authorization"], "Bearer cf-token");
        assert_eq!(request.headers["content-type"], "application/json");
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let batch: Vec<String> = serde_json::from_value(body["tags"].clone()).unwrap();
        assert!(batch.len() <= 100);
        assert_eq!(body.as_object().unwrap().len(), 1, "only `tags`: {body}");
        sent.extend(batch);
    }
    assert_eq!(sent, all);
    assert_eq!(
        requests[0].body, requests[1].body,
        "the retry is the same request"
    );

    // A refused token is an error naming the status and Cloudflare's message.
    recorder.scripted.lock().unwrap().push(
        (
            StatusCode::FORBIDDEN,
            axum::Json(json!({"success": false, "errors": [{"code": 10000, "message": "Authentication error"}]})),
        )
            .into_response(),
    );
    let error = purger.purge(&tags(1)).await.unwrap_err();
    assert!(
        matches!(error, PurgeError::Status { status, .. } if status == 403),
        "{error}"
    );
    assert!(
        error.to_string().contains("Authentication error"),
        "{error}"
    );
    // Nothing to purge sends nothing.
    let before = recorder.requests.lock().unwrap().len();
    purger.purge(&[]).await.unwrap();
    assert_eq!(recorder.requests.lock().unwrap().len(), before);
}

#[tokio::test]
async fn fastly_purges_surrogate_keys_in_batches_of_256() {
    let (base, recorder) = recorder().await;
    let purger = PurgerConfig::Fastly {
        api: base.parse().unwrap(),
        service: "SU1Z0isxPaozGVKXdv0eY".into(),
        token: "fastly-token".into(),
    }
    .build()
    .unwrap();
    let all = tags(300);
    purger.purge(&all).await.unwrap();
    let requests = recorder.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2);
    let mut sent = Vec::new();
    for request in &requests {
        assert_eq!(request.method, Method::POST);
        assert_eq!(request.path, "/service/SU1Z0isxPaozGVKXdv0eY/purge");
        assert_eq!(request.headers["fastly-key"], "fastly-token");
        assert_eq!(request.headers["accept"], "application/json");
        let keys = request.headers["surrogate-key"].to_str().unwrap();
        let batch: Vec<&str> = keys.split(' ').collect();
        assert!(batch.len() <= 256);
        sent.extend(batch.iter().map(|k| (*k).to_owned()));
    }
    assert_eq!(sent, all);
    // A 5xx is retried, then reported.
    for _ in 0..3 {
        recorder.scripted.lock().unwrap().push(
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [("retry-after", "0")],
                "busy",
            )
                .into_response(),
        );
    }
    let error = purger.purge(&tags(1)).await.unwrap_err();
    assert!(error.to_string().contains("503"), "{error}");
    assert_eq!(recorder.requests.lock().unwrap().len(), 5, "three attempts");
}

#[tokio::test]
async fn varnish_purges_with_xkey_headers_under_its_header_limit() {
    let (base, recorder) = recorder().await;
    let purger = PurgerConfig::Varnish {
        url: base.parse().unwrap(),
    }
    .build()
    .unwrap();
    let all = tags(600);
    purger.purge(&all).await.unwrap();
    let requests = recorder.requests.lock().unwrap().clone();
    assert!(requests.len() > 1, "600 tags do not fit one 4 KB header");
    let mut sent = Vec::new();
    for request in &requests {
        assert_eq!(request.method.as_str(), "PURGE");
        assert_eq!(request.path, "/");
        let keys = request.headers["xkey-purge"].to_str().unwrap();
        assert!(keys.len() <= 4096);
        sent.extend(keys.split(' ').map(str::to_owned));
    }
    assert_eq!(sent, all);
}

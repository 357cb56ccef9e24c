//! JSON over `fetch`, the browser's side of the contract (feature `client`: the islands
//! and the search engine module). Without the feature (the server, where the islands
//! are only rendered and their effects never run) these answer an error without I/O.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::ApiError;

/// What an API call came back with.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer<T> {
    /// 2xx with the expected body; the status is kept (200 vs 201).
    Ok(u16, T),
    /// 4xx/5xx with the API's error body, or any answer that is not JSON (with a
    /// message and no `field`).
    Err(u16, ApiError),
}

/// `GET path` → JSON. `Err` holds a message for the visitor when the server could not
/// be reached; an answer that is not JSON is an [`Answer::Err`] without `field`.
#[cfg(feature = "client")]
pub async fn get_json<T: DeserializeOwned>(path: &str) -> Result<Answer<T>, String> {
    fetch::<T>("GET", path, None, &[]).await
}

/// `POST path` with a JSON body and extra headers.
#[cfg(feature = "client")]
pub async fn post_json<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
    headers: &[(&str, &str)],
) -> Result<Answer<T>, String> {
    let body = serde_json::to_string(body).map_err(|err| err.to_string())?;
    fetch::<T>("POST", path, Some(&body), headers).await
}

/// `fetch()` through web-sys (no HTTP client crate: the bundle stays small). Only the
/// body text crosses into Rust; serde_json reads it.
#[cfg(feature = "client")]
async fn fetch<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> Result<Answer<T>, String> {
    let (status, text) = send(method, path, body, headers)
        .await
        .map_err(|err| format!("the server could not be reached ({err})"))?;
    let Some(text) = text else {
        // Not the API (a static host's 404 page, an SPA fallback's 200): an error answer
        // with the status, so that callers can tell it from an unreachable server.
        return Ok(Answer::Err(
            status,
            ApiError::message(format!("the server answered {status} without JSON")),
        ));
    };
    if (200..300).contains(&status) {
        serde_json::from_str(&text)
            .map(|body| Answer::Ok(status, body))
            .map_err(|err| format!("unexpected answer ({err})"))
    } else {
        serde_json::from_str(&text)
            .map(|error| Answer::Err(status, error))
            .map_err(|_| format!("the server answered {status}"))
    }
}

/// Status and, when the answer is JSON, its text. Not generic, so it is compiled once.
#[cfg(feature = "client")]
async fn send(
    method: &str,
    path: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> Result<(u16, Option<String>), String> {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    let js_error = |value: JsValue| {
        value
            .dyn_ref::<js_sys::Error>()
            .map_or_else(|| format!("{value:?}"), |e| String::from(e.message()))
    };
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let list = web_sys::Headers::new().map_err(js_error)?;
    list.set("accept", "application/json").map_err(js_error)?;
    if let Some(body) = body {
        list.set("content-type", "application/json")
            .map_err(js_error)?;
        init.set_body(&JsValue::from_str(body));
    }
    for (name, value) in headers {
        list.set(name, value).map_err(js_error)?;
    }
    init.set_headers(&list);
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(js_error)?
        .unchecked_into();
    let status = response.status();
    let json = response
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .is_some_and(|t| t.starts_with("application/json"));
    if !json {
        return Ok((status, None));
    }
    let text = JsFuture::from(response.text().map_err(js_error)?)
        .await
        .map_err(js_error)?;
    Ok((status, text.as_string()))
}

/// Server side: never called (effects and event handlers run only in the browser).
#[cfg(not(feature = "client"))]
pub async fn get_json<T: DeserializeOwned>(_path: &str) -> Result<Answer<T>, String> {
    Err("fetch only in the browser".to_owned())
}

/// Server side: never called.
#[cfg(not(feature = "client"))]
pub async fn post_json<B: Serialize, T: DeserializeOwned>(
    _path: &str,
    _body: &B,
    _headers: &[(&str, &str)],
) -> Result<Answer<T>, String> {
    Err("fetch only in the browser".to_owned())
}

/// Percent-encodes `text` for a URL query value or path segment (RFC 3986: only the
/// unreserved characters are kept).
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(byte >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(byte & 15)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(super::encode_component("atoll-mug_1.~"), "atoll-mug_1.~");
        assert_eq!(
            super::encode_component("a b/ü&q=1"),
            "a%20b%2F%C3%BC%26q%3D1"
        );
    }
}

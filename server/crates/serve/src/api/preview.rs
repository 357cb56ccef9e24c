//! Draft preview: `GET /api/preview?secret=…&path=…` sets a signed, HttpOnly cookie and
//! redirects to `path`; while the cookie is valid, pages render per request from the
//! content with drafts, bypassing the cache (`Cache-Control: private, no-store`), as
//! Next.js' Draft Mode. `GET /api/preview/exit` clears it.
//!
//! The cookie is `atoll_preview=<expiry Unix seconds>.<base64url HMAC-SHA256>`, keyed
//! by a key derived from `ATOLL_PREVIEW_SECRET`, valid for [`PREVIEW_SECONDS`].

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::ApiFailure;
use crate::state::AppState;

/// Where preview starts.
pub const PREVIEW_PATH: &str = "/api/preview";
/// Where preview ends.
pub const PREVIEW_EXIT_PATH: &str = "/api/preview/exit";
/// The cookie's name.
pub const COOKIE: &str = "atoll_preview";
/// How long a preview lasts: one hour.
pub const PREVIEW_SECONDS: u64 = 3600;

/// Query of `GET /api/preview`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewParams {
    /// `ATOLL_PREVIEW_SECRET`.
    pub secret: Option<String>,
    /// Site-relative path to open, e.g. `/posts/draft-post/` (default `/`).
    pub path: Option<String>,
}

fn key(secret: &str) -> Hmac<Sha256> {
    let mut derive =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    derive.update(b"atoll preview cookie v1");
    let key = derive.finalize().into_bytes();
    Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes keys of any length")
}

/// The cookie value for a preview ending at `expires` (Unix seconds).
pub fn cookie_value(secret: &str, expires: u64) -> String {
    let mut mac = key(secret);
    mac.update(expires.to_string().as_bytes());
    format!(
        "{expires}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

/// Whether the request carries a valid, unexpired preview cookie.
pub fn is_preview(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(secret) = state.rendering().preview_secret.as_deref() else {
        return false;
    };
    let now = super::unix_now(state);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
        .any(|value| {
            let Some((expires, tag)) = value.split_once('.') else {
                return false;
            };
            let (Ok(expires_at), Ok(tag)) = (expires.parse::<u64>(), URL_SAFE_NO_PAD.decode(tag))
            else {
                return false;
            };
            let mut mac = key(secret);
            mac.update(expires.as_bytes());
            expires_at > now && mac.verify_slice(&tag).is_ok()
        })
}

/// A site-relative path that is safe to redirect to (no `//host`, no `\`).
/// A query string axum cannot read (a repeated key, bad percent-encoding): a JSON 400
/// like every other API error, not axum's plain-text one.
fn query_error(rejection: QueryRejection) -> ApiFailure {
    ApiFailure::bad_request(
        "path",
        format!("invalid query string: {}", rejection.body_text()),
    )
}

fn local_path(path: Option<&str>) -> Result<String, ApiFailure> {
    let path = path.unwrap_or("/");
    if !path.starts_with('/')
        || path.starts_with("//")
        || path.contains('\\')
        || path.chars().any(char::is_control)
    {
        return Err(ApiFailure::bad_request(
            "path",
            "`path` must be a site-relative path such as `/posts/hello/`",
        ));
    }
    Ok(path.to_owned())
}

fn cookie_header(value: &str, max_age: u64, headers: &HeaderMap) -> HeaderValue {
    // `Secure` when the client reached us over HTTPS (through a TLS-terminating proxy);
    // plain-HTTP development keeps working.
    let secure = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"));
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    ))
    .expect("the cookie is ASCII")
}

fn redirect(to: &str, cookie: HeaderValue) -> Response {
    let mut response = StatusCode::TEMPORARY_REDIRECT.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::LOCATION,
        HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/")),
    );
    headers.insert(header::SET_COOKIE, cookie);
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(crate::isr::NO_STORE),
    );
    response
}

/// `GET /api/preview?secret=…&path=…`: starts a draft preview.
#[utoipa::path(
    get,
    path = "/api/preview",
    tag = "preview",
    params(PreviewParams),
    responses(
        (status = 307, description = "Preview cookie set; redirects to `path`"),
        (status = 400, description = "`path` is not site-relative", body = super::ApiError),
        (status = 401, description = "Wrong or missing `secret`", body = super::ApiError),
        (status = 503, description = "No preview secret is configured", body = super::ApiError)
    )
)]
pub async fn preview_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<PreviewParams>, QueryRejection>,
) -> Result<Response, ApiFailure> {
    let Query(params) = params.map_err(query_error)?;
    let Some(secret) = state.rendering().preview_secret.as_deref() else {
        return Err(ApiFailure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            "draft preview is off: set ATOLL_PREVIEW_SECRET",
        ));
    };
    let given = params.secret.as_deref().unwrap_or("");
    if !super::secret_matches(given, secret) {
        return Err(ApiFailure::new(
            StatusCode::UNAUTHORIZED,
            Some("secret"),
            "wrong preview secret",
        ));
    }
    let path = local_path(params.path.as_deref())?;
    let value = cookie_value(secret, super::unix_now(&state) + PREVIEW_SECONDS);
    Ok(redirect(
        &path,
        cookie_header(&value, PREVIEW_SECONDS, &headers),
    ))
}

/// Query of `GET /api/preview/exit`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExitParams {
    /// Where to go afterwards (default `/`).
    pub path: Option<String>,
}

/// `GET /api/preview/exit?path=…`: ends the draft preview (clears the cookie).
#[utoipa::path(
    get,
    path = "/api/preview/exit",
    tag = "preview",
    params(ExitParams),
    responses(
        (status = 307, description = "Cookie cleared; redirects to `path`"),
        (status = 400, description = "`path` is not site-relative", body = super::ApiError)
    )
)]
pub async fn preview_exit(
    headers: HeaderMap,
    params: Result<Query<ExitParams>, QueryRejection>,
) -> Result<Response, ApiFailure> {
    let Query(params) = params.map_err(query_error)?;
    let path = local_path(params.path.as_deref())?;
    Ok(redirect(&path, cookie_header("", 0, &headers)))
}

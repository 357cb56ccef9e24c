//! The CMS vendors' own webhook signatures, and what their events name.
//!
//! * **Sanity** (`@sanity/webhook`): `sanity-webhook-signature: t=<Unix ms>,v1=<sig>`,
//!   `sig` the unpadded base64url HMAC-SHA256, keyed with the secret's UTF-8 bytes, of
//!   `"{t}.{raw body}"`. Atoll also refuses a `t` more than 5 minutes from its clock.
//! * **Contentful** (request verification, `@contentful/node-apps-toolkit`
//!   `verifyRequest`): `x-contentful-signature` is the hex HMAC-SHA256, keyed with the
//!   64-character secret, of `"{METHOD}\n{path}\n{headers}\n{raw body}"`, where
//!   `headers` are the request headers named in `x-contentful-signed-headers`
//!   (lowercased, values trimmed), sorted by name, as `name:value` joined by `;`; the
//!   `x-contentful-timestamp` (Unix ms) must be less than 30 s old (the toolkit's
//!   default time to live).
//! * **Strapi** signs nothing: its webhook settings can only add headers. Atoll wants
//!   the secret in `Authorization: Bearer <secret>` or `X-Atoll-Webhook-Secret`,
//!   compared in constant time. Weaker than a signature: anyone who sees one request
//!   (a log, a proxy) can send others, and nothing stops a replay but Atoll's record of
//!   the body (10 minutes). Use HTTPS.
//! * **WordPress** has no webhooks of its own: a small plugin (README) posts
//!   `{"action", "post_type", "slug"}` on `transition_post_status` with the same shared
//!   secret header.
//!
//! Every comparison is constant-time ([`subtle`]).

use axum::http::HeaderMap;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::vendors::{Kind, Settings};

type HmacSha256 = Hmac<Sha256>;

/// How far Sanity's `t` may be from the server's clock, in milliseconds (5 minutes).
pub const SANITY_TOLERANCE_MS: u64 = 5 * 60 * 1000;
/// How old Contentful's `x-contentful-timestamp` may be, in milliseconds (30 s, the
/// toolkit's default).
pub const CONTENTFUL_TTL_MS: u64 = 30 * 1000;

/// Why a delivery was refused (a 401 for the sender).
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum VendorWebhookError {
    /// A header is missing or malformed.
    #[error("missing or malformed header `{0}`")]
    Header(&'static str),
    /// The timestamp is outside the allowed window.
    #[error("the signature's timestamp is {0} ms away from the server's clock")]
    Expired(u64),
    /// The signature or secret does not match.
    #[error("the signature does not match")]
    Mismatch,
}

fn header<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<&'a str, VendorWebhookError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or(VendorWebhookError::Header(name))
}

fn equal(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Checks Sanity's `sanity-webhook-signature` over `body` at `now_ms`.
///
/// # Errors
/// See [`VendorWebhookError`].
pub fn verify_sanity(
    secret: &str,
    headers: &HeaderMap,
    body: &[u8],
    now_ms: u64,
) -> Result<(), VendorWebhookError> {
    const NAME: &str = "sanity-webhook-signature";
    let value = header(headers, NAME)?.trim();
    let malformed = VendorWebhookError::Header(NAME);
    let rest = value.strip_prefix("t=").ok_or(malformed.clone())?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let timestamp: u64 = rest[..digits].parse().map_err(|_| malformed.clone())?;
    let signature = rest[digits..]
        .trim_start_matches([',', ' '])
        .strip_prefix("v1=")
        .filter(|s| !s.is_empty() && !s.contains([',', ' ']))
        .ok_or(malformed)?;
    let skew = now_ms.abs_diff(timestamp);
    if skew > SANITY_TOLERANCE_MS {
        return Err(VendorWebhookError::Expired(skew));
    }
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let expected = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    if equal(expected.as_bytes(), signature.as_bytes()) {
        Ok(())
    } else {
        Err(VendorWebhookError::Mismatch)
    }
}

/// The characters Node's `querystring.escape` leaves as they are (`encodeURIComponent`'s).
const QUERYSTRING_ESCAPE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// The characters JavaScript's `encodeURI` leaves as they are: those and the URI
/// delimiters.
const ENCODE_URI: &AsciiSet = &QUERYSTRING_ESCAPE
    .remove(b';')
    .remove(b',')
    .remove(b'/')
    .remove(b'?')
    .remove(b':')
    .remove(b'@')
    .remove(b'&')
    .remove(b'=')
    .remove(b'+')
    .remove(b'$')
    .remove(b'#');

/// The toolkit's `getNormalizedEncodedURI`: the query escaped, then the whole
/// `encodeURI`d.
fn contentful_path(path: &str) -> String {
    let joined = match path.split_once('?') {
        Some((path, query)) if !query.is_empty() => {
            format!("{path}?{}", utf8_percent_encode(query, QUERYSTRING_ESCAPE))
        }
        Some((path, _)) => path.to_owned(),
        None => path.to_owned(),
    };
    utf8_percent_encode(&joined, ENCODE_URI).to_string()
}

/// Checks Contentful's request verification: `path_and_query` as requested.
///
/// # Errors
/// See [`VendorWebhookError`].
pub fn verify_contentful(
    secret: &str,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    now_ms: u64,
) -> Result<(), VendorWebhookError> {
    let signature = header(headers, "x-contentful-signature")?.trim();
    let signed: Vec<String> = header(headers, "x-contentful-signed-headers")?
        .split(',')
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    // The timestamp is checked below: it must be among what the signature covers.
    if !["x-contentful-timestamp", "x-contentful-signed-headers"]
        .iter()
        .all(|name| signed.iter().any(|s| s == name))
    {
        return Err(VendorWebhookError::Header("x-contentful-signed-headers"));
    }
    let timestamp: u64 = header(headers, "x-contentful-timestamp")?
        .trim()
        .parse()
        .map_err(|_| VendorWebhookError::Header("x-contentful-timestamp"))?;
    if now_ms.saturating_sub(timestamp) >= CONTENTFUL_TTL_MS {
        return Err(VendorWebhookError::Expired(
            now_ms.saturating_sub(timestamp),
        ));
    }
    let mut picked: Vec<(String, String)> = Vec::new();
    for name in &signed {
        // A signed header that is absent is not signed (as the toolkit picks).
        if let Some(value) = headers.get(name.as_str()).and_then(|v| v.to_str().ok()) {
            picked.push((name.clone(), value.trim().to_owned()));
        }
    }
    picked.sort_by(|a, b| a.0.cmp(&b.0));
    let joined: Vec<String> = picked.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    let canonical = format!(
        "{method}\n{}\n{}\n",
        contentful_path(path_and_query),
        joined.join(";")
    );
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(canonical.as_bytes());
    mac.update(body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if equal(expected.as_bytes(), signature.as_bytes()) {
        Ok(())
    } else {
        Err(VendorWebhookError::Mismatch)
    }
}

/// Checks a shared secret sent as `Authorization: Bearer <secret>` or
/// `X-Atoll-Webhook-Secret: <secret>` (Strapi, WordPress).
///
/// # Errors
/// [`VendorWebhookError::Header`] when neither is sent, else
/// [`VendorWebhookError::Mismatch`].
pub fn verify_shared_secret(secret: &str, headers: &HeaderMap) -> Result<(), VendorWebhookError> {
    let sent = headers
        .get("x-atoll-webhook-secret")
        .and_then(|v| v.to_str().ok())
        .or_else(|| {
            headers
                .get(axum::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
        })
        .ok_or(VendorWebhookError::Header("x-atoll-webhook-secret"))?;
    if equal(sent.trim().as_bytes(), secret.as_bytes()) {
        Ok(())
    } else {
        Err(VendorWebhookError::Mismatch)
    }
}

/// An id for replay protection, from what the signature covers: Sanity's signature
/// header (its timestamp and MAC; the `idempotency-key` header is not signed, so a
/// replay could change it), Contentful's signature, else a hash of the body (Strapi;
/// WordPress, whose plugin sends the post's modification time so two edits differ).
pub fn delivery_id(kind: Kind, headers: &HeaderMap, body: &[u8]) -> String {
    use sha2::Digest as _;
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match (
        kind,
        get("sanity-webhook-signature"),
        get("x-contentful-signature"),
    ) {
        (Kind::Sanity, Some(signature), _) => format!("sanity:{}", signature.trim()),
        (Kind::Contentful, _, Some(signature)) => format!("contentful:{signature}"),
        _ => format!("{}:{}", kind.name(), STANDARD.encode(Sha256::digest(body))),
    }
}

/// The cache tags an event names: the entry's tag when its type is mapped and its slug
/// is in the payload; empty otherwise (then every page whose content changed is
/// rendered again).
pub fn event_tags(settings: &Settings, headers: &HeaderMap, body: &Value) -> Vec<String> {
    let posts = settings.posts();
    let products = settings.products.clone();
    // A string, Sanity's `{current}`, or Contentful's map by locale (the settings'
    // locale, else `en-US`, else any).
    let first_locale = |value: &Value| -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Object(map) => map
                .get("current")
                .or_else(|| settings.locale.as_deref().and_then(|l| map.get(l)))
                .or_else(|| map.get("en-US"))
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| map.values().find_map(|v| v.as_str().map(str::to_owned))),
            _ => None,
        }
    };
    let is_product = |kind: Option<&str>| {
        products.as_ref().is_some_and(|p| {
            kind.is_some_and(|k| p.kind == k || p.kind.strip_suffix('s') == Some(k))
        })
    };
    let slug_field = |kind: Option<&str>| match &products {
        Some(p) if is_product(kind) => p.slug.clone(),
        _ => posts.slug.clone(),
    };
    let (kind, slug) = match settings.kind {
        Kind::Sanity => {
            let kind = body.get("_type").and_then(Value::as_str);
            let slug = body.get(slug_field(kind)).and_then(first_locale);
            (kind.map(str::to_owned), slug)
        }
        Kind::Contentful => {
            let kind = body
                .pointer("/sys/contentType/sys/id")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let field = match &products {
                Some(p) if kind.as_deref() == Some(p.kind.as_str()) => p.slug.clone(),
                _ => posts.slug.clone(),
            };
            (
                kind,
                body.pointer(&format!("/fields/{field}"))
                    .and_then(first_locale),
            )
        }
        Kind::Strapi => {
            let model = body.get("model").and_then(Value::as_str).map(str::to_owned);
            let field = posts.slug.clone();
            (
                model,
                body.get("entry")
                    .and_then(|e| e.get(&field))
                    .and_then(first_locale),
            )
        }
        Kind::WordPress => (
            body.get("post_type")
                .and_then(Value::as_str)
                .map(str::to_owned),
            body.get("slug").and_then(Value::as_str).map(str::to_owned),
        ),
        Kind::Atoll => (None, None),
    };
    let _ = headers;
    let (Some(kind), Some(slug)) = (kind, slug) else {
        return Vec::new();
    };
    // Strapi's `model` is the singular of the REST plural; WordPress' `post_type` is
    // `post` for the `posts` base.
    let same = |mapped: &str| mapped == kind || mapped.strip_suffix('s') == Some(kind.as_str());
    let tag = if same(&posts.kind) {
        "post"
    } else if products.as_ref().is_some_and(|p| same(&p.kind)) {
        "product"
    } else {
        return Vec::new();
    };
    if !crate::content::is_valid_slug(&slug) {
        return Vec::new();
    }
    vec![app::cache_tags::entry_tag(tag, &slug)]
}

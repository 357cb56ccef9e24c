//! Verifying and signing webhooks per the Standard Webhooks specification (v1,
//! <https://www.standardwebhooks.com/>), and GitHub's `X-Hub-Signature-256`.
//!
//! A delivery carries `webhook-id`, `webhook-timestamp` (Unix seconds) and
//! `webhook-signature`: space-separated `v1,<base64 HMAC-SHA256>` entries, each the MAC
//! of `"{id}.{timestamp}.{raw body}"` under one secret. Secrets are written
//! `whsec_<base64 of the key bytes>`. A delivery is accepted when its timestamp is
//! within [`TOLERANCE`] of now and any signature matches any configured secret (key
//! rotation: old and new secrets side by side); MACs are compared in constant time.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How far a delivery's timestamp may be from the server's clock: 5 minutes, either
/// way (the specification's recommendation; older deliveries may be replays).
pub const TOLERANCE: u64 = 5 * 60;

/// Why a delivery was refused (each is a 401 for the sender).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WebhookError {
    /// A required header is absent or not ASCII.
    #[error("missing or invalid header `{0}`")]
    MissingHeader(&'static str),
    /// `webhook-timestamp` is not an integer.
    #[error("`webhook-timestamp` is not Unix seconds")]
    BadTimestamp,
    /// The timestamp is more than [`TOLERANCE`] seconds away from now.
    #[error("`webhook-timestamp` is {0} s away from the server's clock (tolerance {TOLERANCE} s)")]
    OutsideTolerance(u64),
    /// No signature matches a configured secret.
    #[error("no `v1` signature matches")]
    NoMatch,
}

/// Why a secret could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a webhook secret must be `whsec_` followed by base64 (at least 16 bytes): {0}")]
pub struct SecretError(String);

/// Decodes a `whsec_<base64>` secret into its key bytes. A secret without the prefix
/// is decoded as base64 too (some senders print it that way).
///
/// # Errors
/// Invalid base64, or a key shorter than 16 bytes (128 bits).
pub fn decode_secret(secret: &str) -> Result<Vec<u8>, SecretError> {
    let encoded = secret.trim();
    let encoded = encoded.strip_prefix("whsec_").unwrap_or(encoded);
    let key = STANDARD
        .decode(encoded)
        .map_err(|err| SecretError(err.to_string()))?;
    if key.len() < 16 {
        return Err(SecretError(format!("only {} bytes", key.len())));
    }
    Ok(key)
}

/// Reads secrets from a list separated by spaces, commas or line breaks (several
/// during a key rotation).
///
/// # Errors
/// The first invalid secret.
pub fn decode_secrets(list: &str) -> Result<Vec<Vec<u8>>, SecretError> {
    list.split([' ', ',', '\n', '\r', '\t'])
        .filter(|s| !s.is_empty())
        .map(decode_secret)
        .collect()
}

fn mac(key: &[u8], id: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `webhook-signature` value for a delivery: `v1,<base64>`.
pub fn sign(key: &[u8], id: &str, timestamp: u64, body: &[u8]) -> String {
    let tag = mac(key, id, &timestamp.to_string(), body)
        .finalize()
        .into_bytes();
    format!("v1,{}", STANDARD.encode(tag))
}

/// Checks a delivery: `id`, `timestamp` and `signatures` are the three headers'
/// values, `now` the server's Unix time in seconds.
///
/// # Errors
/// See [`WebhookError`].
pub fn verify(
    keys: &[Vec<u8>],
    id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
    now: u64,
) -> Result<(), WebhookError> {
    if id.is_empty() {
        return Err(WebhookError::MissingHeader("webhook-id"));
    }
    let sent: u64 = timestamp
        .trim()
        .parse()
        .map_err(|_| WebhookError::BadTimestamp)?;
    let skew = now.abs_diff(sent);
    if skew > TOLERANCE {
        return Err(WebhookError::OutsideTolerance(skew));
    }
    for signature in signatures.split(' ') {
        let Some(encoded) = signature.strip_prefix("v1,") else {
            continue; // other schemes (v1a: asymmetric) are not ours
        };
        let Ok(tag) = STANDARD.decode(encoded) else {
            continue;
        };
        for key in keys {
            if mac(key, id, timestamp.trim(), body)
                .verify_slice(&tag)
                .is_ok()
            {
                return Ok(());
            }
        }
    }
    Err(WebhookError::NoMatch)
}

/// Checks GitHub's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>` with the
/// raw `secret` (GitHub's secrets are plain strings). GitHub signs no timestamp, so
/// replays are caught by the delivery id only.
pub fn verify_github(secret: &[u8], header: &str, body: &[u8]) -> bool {
    let Some(hex) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Some(tag) = decode_hex(hex) else {
        return false;
    };
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.verify_slice(&tag).is_ok()
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of the Standard Webhooks reference libraries' tests.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TIMESTAMP: u64 = 1_614_265_330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn reference_vector() {
        let key = decode_secret(SECRET).unwrap();
        assert_eq!(sign(&key, ID, TIMESTAMP, BODY), SIGNATURE);
        assert_eq!(
            verify(
                &[key],
                ID,
                &TIMESTAMP.to_string(),
                SIGNATURE,
                BODY,
                TIMESTAMP
            ),
            Ok(())
        );
    }

    #[test]
    fn refusals() {
        let key = decode_secret(SECRET).unwrap();
        let keys = [key.clone()];
        let ts = TIMESTAMP.to_string();
        // Tampered body.
        assert_eq!(
            verify(
                &keys,
                ID,
                &ts,
                SIGNATURE,
                br#"{"test": 2432232315}"#,
                TIMESTAMP
            ),
            Err(WebhookError::NoMatch)
        );
        // Wrong secret.
        let other = decode_secret("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();
        assert_eq!(
            verify(
                std::slice::from_ref(&other),
                ID,
                &ts,
                SIGNATURE,
                BODY,
                TIMESTAMP
            ),
            Err(WebhookError::NoMatch)
        );
        // Too old, too new.
        assert_eq!(
            verify(&keys, ID, &ts, SIGNATURE, BODY, TIMESTAMP + TOLERANCE + 1),
            Err(WebhookError::OutsideTolerance(TOLERANCE + 1))
        );
        assert!(verify(&keys, ID, &ts, SIGNATURE, BODY, TIMESTAMP - TOLERANCE - 1).is_err());
        assert_eq!(
            verify(&keys, ID, "soon", SIGNATURE, BODY, TIMESTAMP),
            Err(WebhookError::BadTimestamp)
        );
        // Rotation: the right signature among others, the right key among others.
        let several = format!("v1,Zm9v {SIGNATURE} v1a,xyz");
        assert_eq!(
            verify(&[other, key], ID, &ts, &several, BODY, TIMESTAMP),
            Ok(())
        );
        assert!(decode_secret("whsec_c2hvcnQ=").is_err());
        assert!(decode_secret("whsec_???").is_err());
    }

    #[test]
    fn github_signature() {
        // From GitHub's documentation of validating webhook deliveries.
        let header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert!(verify_github(
            b"It's a Secret to Everybody",
            header,
            b"Hello, World!"
        ));
        assert!(!verify_github(
            b"It's a Secret to Everybody",
            header,
            b"Hello, World?"
        ));
        assert!(!verify_github(b"other", header, b"Hello, World!"));
        assert!(!verify_github(b"x", "sha1=00", b""));
    }
}

//! `POST /api/contact`: the contact form, as JSON from the island or as a plain HTML
//! form post (`application/x-www-form-urlencoded`) when JavaScript is off.

use atoll_api::{validate_contact, ApiError, ContactReceipt, ContactRequest, CONTACT_MAX_BODY};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use sha2::{Digest, Sha256};

use super::shop::{blocking, idempotency_key, read_body, replayed_header, store};
use super::{check_limit, client_of, media_type, parse_json, ApiFailure};
use crate::state::AppState;
use crate::store::{MessageError, NewMessage};

/// Where a JavaScript-less form post lands once stored (303, "See Other").
pub const THANKS_PATH: &str = "/contact/thanks/";

/// `POST /api/contact` → 202 [`ContactReceipt`] once the message is stored.
///
/// In order: more than the configured number of posts per client address and minute →
/// 429 with `Retry-After` (seconds); a body over 16 KiB → 413; a body neither JSON nor
/// form-urlencoded → 415; malformed JSON → 400; a filled honeypot (`website`) →
/// the same 202 (or 303) as a success, nothing stored; invalid fields → 422 naming the
/// first one (a form post gets the contact page again, with every error and the values
/// kept). The message is committed to SQLite (and, when forwarding is on, queued in
/// the outbox in the same transaction) before the 2xx or 303 is sent.
///
/// Retries are safe: an `Idempotency-Key` works as on checkout (same key and message →
/// the same answer with `Idempotent-Replayed: true`, nothing stored; same key, another
/// message → 422), and without a key the same email and text within
/// [`crate::store::CONTACT_DEDUPE_SECONDS`] is stored once and answered as a replay
/// (the no-JS form is a static page and cannot carry a per-visitor key).
#[utoipa::path(
    post,
    path = "/api/contact",
    tag = "forms",
    request_body(content(
        (ContactRequest = "application/json"),
        (ContactRequest = "application/x-www-form-urlencoded")
    )),
    params(("Idempotency-Key" = Option<String>, Header, description = "Optional: a unique key per message (1 to 255 visible ASCII characters); a retry with the same key and message is answered as the first one was, with `Idempotent-Replayed: true`")),
    responses(
        (status = 202, description = "Stored (JSON request)", body = ContactReceipt),
        (status = 303, description = "Stored (form post): see the thank-you page"),
        (status = 400, description = "Malformed JSON or a bad `Idempotency-Key`; `field` names the bad key", body = ApiError),
        (status = 405, description = "Not POST", body = ApiError),
        (status = 413, description = "Body over 16 KiB", body = ApiError),
        (status = 415, description = "Neither JSON nor form-urlencoded", body = ApiError),
        (status = 422, description = "A field is missing, too long or not an email address (JSON: `field` names it; form post: the page again with the errors), or the `Idempotency-Key` was used for another message", body = ApiError),
        (status = 429, description = "Too many messages from this address; retry after `Retry-After` seconds", body = ApiError),
        (status = 503, description = "The server runs without a database, or the database is full or unreachable (nothing stored; retry after `Retry-After` seconds)", body = ApiError)
    )
)]
pub async fn contact_post(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, ApiFailure> {
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    let client = client_of(&state, &parts);
    check_limit(state.contact_limiter(), client, "messages")?;
    let key = idempotency_key(headers)?;
    let body = read_body(headers, body, CONTACT_MAX_BODY).await?;
    let form = media_type(headers).as_deref() == Some("application/x-www-form-urlencoded");
    let request: ContactRequest = if form {
        serde_urlencoded::from_bytes(&body).map_err(|error| {
            ApiFailure::bad_request("body", format!("invalid form body: {error}"))
        })?
    } else {
        parse_json(headers, &body)?
    };
    let accepted = |replayed: bool| -> Response {
        let mut response = if form {
            (StatusCode::SEE_OTHER, [(header::LOCATION, THANKS_PATH)]).into_response()
        } else {
            (
                StatusCode::ACCEPTED,
                Json(ContactReceipt { received: true }),
            )
                .into_response()
        };
        if replayed {
            response.headers_mut().extend(replayed_header());
        }
        response
    };
    if !request.website.is_empty() {
        tracing::info!(%client, "contact: honeypot filled, message dropped");
        return Ok(accepted(false));
    }
    let errors = validate_contact(&request);
    if let Some(first) = errors.first() {
        if form {
            let page = app::render_contact_form(&state.snapshot().site, request, errors);
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                page.html,
            )
                .into_response());
        }
        return Err(ApiFailure::unprocessable(&first.field, first.error.clone()));
    }
    let store = store(&state)?;
    let forward = state.services().forward_contact;
    let client_text = client.to_string();
    let (name, email, message) = (
        request.name.trim().to_owned(),
        request.email.trim().to_owned(),
        request.message.trim().to_owned(),
    );
    // The request as parsed (form or JSON, any whitespace around the fields) tells a
    // retry from a reused key; the email and text alone find a double submit.
    let hash = |parts: &[&str]| {
        let mut digest = Sha256::new();
        for part in parts {
            digest.update(part.len().to_le_bytes());
            digest.update(part.as_bytes());
        }
        format!("{:x}", digest.finalize())
    };
    let request_hash = hash(&[&name, &email, &message]);
    let content_hash = hash(&[&email.to_lowercase(), &message]);
    let stored = blocking(move || {
        store.insert_message(
            &NewMessage {
                name: &name,
                email: &email,
                message: &message,
                client: &client_text,
                idempotency_key: key.as_deref(),
                request_hash: &request_hash,
                content_hash: &content_hash,
            },
            forward,
        )
    })
    .await?;
    match stored {
        Ok(stored) if stored.replayed => {
            tracing::info!(id = stored.id, %client, "contact: retry of a stored message, nothing stored");
            Ok(accepted(true))
        }
        Ok(stored) => {
            tracing::info!(id = stored.id, %client, "contact: message stored");
            Ok(accepted(false))
        }
        Err(MessageError::KeyReused) => Err(ApiFailure::unprocessable(
            "Idempotency-Key",
            "this Idempotency-Key was already used for a different message",
        )),
        Err(MessageError::Store(error)) => Err(ApiFailure::store(&error)),
    }
}

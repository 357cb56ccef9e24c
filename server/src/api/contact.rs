//! `POST /api/contact`: the contact form, as JSON from the island or as a plain HTML
//! form post (`application/x-www-form-urlencoded`) when JavaScript is off.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use islands::api::{validate_contact, ApiError, ContactReceipt, ContactRequest, CONTACT_MAX_BODY};

use super::shop::{blocking, read_body, store};
use super::{check_limit, client_of, media_type, parse_json, ApiFailure};
use crate::serve::AppState;
use crate::store::NewMessage;

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
#[utoipa::path(
    post,
    path = "/api/contact",
    tag = "forms",
    request_body(content(
        (ContactRequest = "application/json"),
        (ContactRequest = "application/x-www-form-urlencoded")
    )),
    responses(
        (status = 202, description = "Stored (JSON request)", body = ContactReceipt),
        (status = 303, description = "Stored (form post): see the thank-you page"),
        (status = 400, description = "Malformed JSON; `field` names the bad key", body = ApiError),
        (status = 405, description = "Not POST", body = ApiError),
        (status = 413, description = "Body over 16 KiB", body = ApiError),
        (status = 415, description = "Neither JSON nor form-urlencoded", body = ApiError),
        (status = 422, description = "A field is missing, too long or not an email address (JSON: `field` names it; form post: the page again with the errors)", body = ApiError),
        (status = 429, description = "Too many messages from this address; retry after `Retry-After` seconds", body = ApiError),
        (status = 503, description = "The server runs without a database", body = ApiError)
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
    let body = read_body(headers, body, CONTACT_MAX_BODY).await?;
    let form = media_type(headers).as_deref() == Some("application/x-www-form-urlencoded");
    let request: ContactRequest = if form {
        serde_urlencoded::from_bytes(&body).map_err(|error| {
            ApiFailure::bad_request("body", format!("invalid form body: {error}"))
        })?
    } else {
        parse_json(headers, &body)?
    };
    let accepted = || -> Response {
        if form {
            (StatusCode::SEE_OTHER, [(header::LOCATION, THANKS_PATH)]).into_response()
        } else {
            (
                StatusCode::ACCEPTED,
                Json(ContactReceipt { received: true }),
            )
                .into_response()
        }
    };
    if !request.website.is_empty() {
        tracing::info!(%client, "contact: honeypot filled, message dropped");
        return Ok(accepted());
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
    let id = blocking(move || {
        store.insert_message(
            &NewMessage {
                name: request.name.trim(),
                email: request.email.trim(),
                message: request.message.trim(),
                client: &client_text,
            },
            forward,
        )
    })
    .await?
    .map_err(|error| ApiFailure::internal(&error))?;
    tracing::info!(id, %client, "contact: message stored");
    Ok(accepted())
}

//! `POST /api/webhooks/{kind}`: a CMS vendor's own webhook (Strapi, Contentful, Sanity,
//! WordPress), verified with the vendor's scheme ([`crate::cms::webhooks`]) and mapped
//! to the cache tag of the entry it names; then the same work as `POST
//! /api/revalidate` (pages rendered again, the other servers told, the proxy purged,
//! replays recognised).

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::shop::read_body;
use super::ApiFailure;
use crate::cms::vendors::Kind;
use crate::cms::webhooks::{
    delivery_id, event_tags, verify_contentful, verify_sanity, verify_shared_secret,
};
use crate::snapshot::ContentSource;
use crate::state::AppState;

/// Where the endpoint is served.
pub const CMS_WEBHOOK_PATH: &str = "/api/webhooks/{kind}";

/// `POST /api/webhooks/{kind}`.
#[utoipa::path(
    post,
    path = "/api/webhooks/{kind}",
    tag = "revalidation",
    params(
        ("kind" = String, Path, description = "The CMS of the settings: `strapi`, `contentful`, `sanity` or `wordpress`"),
        ("sanity-webhook-signature" = Option<String>, Header, description = "Sanity: `t=<Unix ms>,v1=<base64url HMAC-SHA256 of \"{t}.{body}\">`"),
        ("x-contentful-signature" = Option<String>, Header, description = "Contentful request verification: hex HMAC-SHA256 of the canonical request, with `x-contentful-signed-headers` and `x-contentful-timestamp`"),
        ("x-atoll-webhook-secret" = Option<String>, Header, description = "Strapi and WordPress: the shared secret (or `Authorization: Bearer <secret>`)")
    ),
    request_body(content = String, content_type = "application/json", description = "The vendor's event payload"),
    responses(
        (status = 200, description = "Pages rendered again (or a replay acknowledged)", body = super::revalidate::RevalidateResponse),
        (status = 400, description = "The body is not JSON", body = super::ApiError),
        (status = 401, description = "Missing or wrong signature or secret", body = super::ApiError),
        (status = 404, description = "Not a CMS Atoll knows, or not the one configured (`field`: `kind`)", body = super::ApiError),
        (status = 413, description = "Body over 1 MiB", body = super::ApiError),
        (status = 500, description = "The content could not be reloaded (the previous pages stay)", body = super::ApiError),
        (status = 503, description = "No webhook secret is set, or the other servers could not be told", body = super::ApiError)
    )
)]
pub async fn cms_webhook_post(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    request: Request,
) -> Result<Response, ApiFailure> {
    if !matches!(
        kind.as_str(),
        "strapi" | "contentful" | "sanity" | "wordpress"
    ) {
        return Err(ApiFailure::new(
            StatusCode::NOT_FOUND,
            Some("kind"),
            format!("unknown CMS `{kind}`; expected strapi, contentful, sanity or wordpress"),
        ));
    }
    let settings = match state.content().source() {
        ContentSource::Cms { cms, .. } => cms.settings.clone(),
        _ => None,
    }
    .filter(|settings| settings.kind.name() == kind && settings.kind != Kind::Atoll)
    .ok_or_else(|| {
        ApiFailure::new(
            StatusCode::NOT_FOUND,
            Some("kind"),
            format!("no `{kind}` CMS is configured (--cms-config)"),
        )
    })?;
    let secret = state
        .rendering()
        .cms_webhook_secret
        .clone()
        .ok_or_else(|| {
            ApiFailure::new(
                StatusCode::SERVICE_UNAVAILABLE,
                None,
                format!(
                    "CMS webhooks are off: set {}",
                    settings.webhook_secret_env()
                ),
            )
        })?;
    let (parts, body) = request.into_parts();
    let body = read_body(&parts.headers, body, super::revalidate::MAX_BODY).await?;
    let now_ms = state
        .cache()
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64;
    let path = parts
        .uri
        .path_and_query()
        .map_or(parts.uri.path(), |p| p.as_str());
    let verified = match settings.kind {
        Kind::Sanity => verify_sanity(&secret, &parts.headers, &body, now_ms),
        Kind::Contentful => verify_contentful(
            &secret,
            parts.method.as_str(),
            path,
            &parts.headers,
            &body,
            now_ms,
        ),
        Kind::Strapi | Kind::WordPress | Kind::Atoll => {
            verify_shared_secret(&secret, &parts.headers)
        }
    };
    verified.map_err(|err| ApiFailure::new(StatusCode::UNAUTHORIZED, None, err.to_string()))?;
    let event: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|err| ApiFailure::bad_request("body", format!("not JSON: {err}")))?;
    let tags = event_tags(&settings, &parts.headers, &event);
    let id = delivery_id(settings.kind, &parts.headers, &body);
    tracing::info!(kind, ?tags, "CMS webhook");
    super::revalidate::run(state, id, Vec::new(), tags).await
}

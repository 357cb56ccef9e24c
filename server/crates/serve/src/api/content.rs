//! The read-only content API: the site's posts and products as JSON, so that a mobile
//! app or another Atoll server ([`crate::cms::CmsSource`]) can use this one as its
//! headless CMS. Shapes: [`crate::cms`].
//!
//! With `ATOLL_CONTENT_TOKEN` set, every request needs `Authorization: Bearer <token>`
//! (401 otherwise), and `?drafts=true` includes drafts; without a token the API is
//! public and drafts are never listed.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::ApiFailure;
use crate::cms::{ListPage, PostRecord, ProductRecord, PAGE_SIZE};
use crate::snapshot::Snapshot;
use crate::state::AppState;

/// The posts, newest first.
pub const POSTS_PATH: &str = "/api/content/posts";
/// One post.
pub const POST_PATH: &str = "/api/content/posts/{slug}";
/// The products, by name.
pub const PRODUCTS_PATH: &str = "/api/content/products";

/// `Cache-Control` of the content API: caches revalidate (content changes at any time).
const CONTENT_CACHE: &str = "public, max-age=0, must-revalidate";

/// Query of the lists.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Page number, from 1 (default 1); 100 items per page.
    pub page: Option<String>,
    /// `true` to include drafts (needs the token).
    pub drafts: Option<String>,
}

/// Checks the bearer token (when one is configured); returns whether drafts may be
/// included.
fn authorize(state: &AppState, headers: &HeaderMap) -> Result<bool, ApiFailure> {
    let Some(token) = state.rendering().content_token.as_deref() else {
        return Ok(false);
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if super::secret_matches(given, token) {
        Ok(true)
    } else {
        Err(ApiFailure::new(
            StatusCode::UNAUTHORIZED,
            None,
            "this content API needs `Authorization: Bearer <token>`",
        )
        .with_header(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"atoll-content\""),
        ))
    }
}

fn list_params(
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<(usize, bool), ApiFailure> {
    let Query(params) = params.map_err(|r| ApiFailure::bad_request("page", r.body_text()))?;
    let page = match params.page.as_deref() {
        None => 1,
        Some(text) => match text.parse::<u32>() {
            Ok(n) if n >= 1 => n as usize,
            _ => {
                return Err(ApiFailure::bad_request(
                    "page",
                    format!("`page` is an integer from 1 to {}", u32::MAX),
                ))
            }
        },
    };
    let drafts = match params.drafts.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(ApiFailure::bad_request(
                "drafts",
                "`drafts` is `true` or `false`",
            ))
        }
    };
    Ok((page, drafts))
}

/// The snapshot to list from: with drafts only when allowed.
async fn snapshot_for(
    state: &AppState,
    drafts: bool,
    allowed: bool,
) -> Result<std::sync::Arc<Snapshot>, ApiFailure> {
    if !drafts {
        return Ok(fresh(state).await);
    }
    if !allowed {
        return Err(ApiFailure::new(
            StatusCode::UNAUTHORIZED,
            Some("drafts"),
            "drafts are listed only with the content token (ATOLL_CONTENT_TOKEN)",
        ));
    }
    let content = state
        .preview_content()
        .await
        .map_err(|err| ApiFailure::content(state, "the drafts could not be loaded", &err))?;
    Ok(content
        .refresh(false)
        .await
        .unwrap_or_else(|_| content.current()))
}

/// The current content, reloaded first if it changed (at most once per reload
/// interval): clients of the API see edits without waiting for a page to go stale.
async fn fresh(state: &AppState) -> std::sync::Arc<Snapshot> {
    if !state.content().cheap_to_check() {
        return state.snapshot();
    }
    state
        .content()
        .refresh(false)
        .await
        .unwrap_or_else(|_| state.snapshot())
}

/// Page `page` (from 1) of `items`, each turned into a record.
fn page_of<T, R>(
    items: &[T],
    page: usize,
    record: impl Fn(&T) -> R,
    next: impl Fn(usize) -> String,
) -> ListPage<R> {
    let start = (page - 1).saturating_mul(PAGE_SIZE);
    let slice = items.get(start..).unwrap_or(&[]);
    let end = slice.len().min(PAGE_SIZE);
    ListPage {
        items: slice[..end].iter().map(record).collect(),
        total: items.len(),
        next: (start.saturating_add(PAGE_SIZE) < items.len()).then(|| next(page + 1)),
    }
}

/// JSON with the content API's caching: public without a token; with one, the answer
/// depends on `Authorization` and may hold drafts, so no shared cache may keep it
/// (RFC 9111 §3.5).
fn json<T: serde::Serialize>(state: &AppState, value: &T) -> Response {
    let mut response = Json(value).into_response();
    let headers = response.headers_mut();
    if state.rendering().content_token.is_some() {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
        headers.insert(header::VARY, HeaderValue::from_static("authorization"));
    } else {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(CONTENT_CACHE),
        );
    }
    response
}

/// `GET /api/content/posts?page=N`: the posts, newest first, 100 per page, bodies
/// included.
#[utoipa::path(
    get,
    path = "/api/content/posts",
    tag = "content",
    params(ListParams),
    responses(
        (status = 200, description = "One page of posts", body = crate::cms::PostList),
        (status = 400, description = "Bad `page` or `drafts`", body = super::ApiError),
        (status = 401, description = "Token required or drafts without it", body = super::ApiError)
    )
)]
pub async fn posts_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, ApiFailure> {
    let allowed = authorize(&state, &headers)?;
    let (page, drafts) = list_params(params)?;
    let snapshot = snapshot_for(&state, drafts, allowed).await?;
    let query = if drafts { "&drafts=true" } else { "" };
    let list = page_of(
        &snapshot.site.posts,
        page,
        |p| PostRecord::from(p),
        |n| format!("{POSTS_PATH}?page={n}{query}"),
    );
    Ok(json(&state, &list))
}

/// `GET /api/content/posts/{slug}`: one post.
#[utoipa::path(
    get,
    path = "/api/content/posts/{slug}",
    tag = "content",
    params(("slug" = String, Path, description = "The post's slug")),
    responses(
        (status = 200, description = "The post", body = PostRecord),
        (status = 401, description = "Token required", body = super::ApiError),
        (status = 404, description = "No such post; `field` is `slug`", body = super::ApiError)
    )
)]
pub async fn post_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, ApiFailure> {
    authorize(&state, &headers)?;
    let snapshot = fresh(&state).await;
    let post = snapshot.site.post(&slug).ok_or_else(|| {
        ApiFailure::new(
            StatusCode::NOT_FOUND,
            Some("slug"),
            format!("no post has the slug `{slug}`"),
        )
    })?;
    Ok(json(&state, &PostRecord::from(post)))
}

/// `GET /api/content/products?page=N`: the products, by name, 100 per page.
#[utoipa::path(
    get,
    path = "/api/content/products",
    tag = "content",
    params(ListParams),
    responses(
        (status = 200, description = "One page of products", body = crate::cms::ProductList),
        (status = 400, description = "Bad `page`", body = super::ApiError),
        (status = 401, description = "Token required", body = super::ApiError)
    )
)]
pub async fn products_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, ApiFailure> {
    authorize(&state, &headers)?;
    let (page, _) = list_params(params)?;
    let snapshot = fresh(&state).await;
    let list = page_of(
        &snapshot.site.products,
        page,
        |p| ProductRecord::from(p),
        |n| format!("{PRODUCTS_PATH}?page={n}"),
    );
    Ok(json(&state, &list))
}

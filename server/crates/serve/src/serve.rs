//! The axum router: pages from the ISR cache (static, ISR, SSR per route), `public/`,
//! the islands bundle and the JSON API.

use std::sync::Arc;
use std::time::Duration;

use app::RenderMode;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get, post};
use axum::Router;
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::api;
use crate::isr::{CacheStats, CacheStatus};
use crate::snapshot::Snapshot;
use crate::targets::{fallback_of, Target};

mod guard;
mod response;
pub mod warm;

pub use crate::isr::{cache_control, NO_STORE, STATIC_CACHE};
pub use crate::state::{build_id, AppState, Dirs, Rendering, Revalidation, Services};
use guard::guard_target;
use response::page_response;

/// `Cache-Control` of `public/` and the islands bundle: their names are not
/// content-hashed yet, so caches revalidate after a minute.
const ASSET_CACHE: &str = "public, max-age=60, must-revalidate";
/// Time limit of one request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The response header telling how a page was answered.
pub const CACHE_HEADER: &str = "x-atoll-cache";

/// The application: API routes, the islands bundle at `/pkg/`, and pages or `public/`
/// files for every other path (the 404 page, with status 404, when neither has it).
pub fn router(state: AppState) -> Router {
    let pkg = ServeDir::new(&state.inner.dirs.islands);
    Router::new()
        .route(
            atoll_api::SEARCH_PATH,
            get(api::search_get).fallback(api::search_method_not_allowed),
        )
        .route(
            atoll_api::PRODUCT_PATH,
            get(api::shop::product_get).fallback(api::shop::get_only),
        )
        .route(
            atoll_api::QUOTE_PATH,
            post(api::shop::quote_post).fallback(api::shop::post_only),
        )
        .route(
            atoll_api::CHECKOUT_PATH,
            post(api::shop::checkout_post).fallback(api::shop::post_only),
        )
        .route(
            atoll_api::CONTACT_PATH,
            post(api::contact::contact_post).fallback(api::shop::post_only),
        )
        .route(
            api::openapi::OPENAPI_PATH,
            get(api::openapi::openapi_get).fallback(api::shop::get_only),
        )
        .route(
            api::revalidate::REVALIDATE_PATH,
            post(api::revalidate::revalidate_post).fallback(api::shop::post_only),
        )
        .route(
            api::cms_webhook::CMS_WEBHOOK_PATH,
            post(api::cms_webhook::cms_webhook_post).fallback(api::shop::post_only),
        )
        .route(
            api::preview::PREVIEW_PATH,
            get(api::preview::preview_get).fallback(api::shop::get_only),
        )
        .route(
            api::preview::PREVIEW_EXIT_PATH,
            get(api::preview::preview_exit).fallback(api::shop::get_only),
        )
        .route(
            api::content::POSTS_PATH,
            get(api::content::posts_get).fallback(api::shop::get_only),
        )
        .route(
            api::content::POST_PATH,
            get(api::content::post_get).fallback(api::shop::get_only),
        )
        .route(
            api::content::PRODUCTS_PATH,
            get(api::content::products_get).fallback(api::shop::get_only),
        )
        .route(
            api::ready::READY_PATH,
            get(api::ready::ready_get).fallback(api::shop::get_only),
        )
        .route(crate::dev::EVENTS_PATH, get(crate::dev::events))
        .route(crate::dev::SCRIPT_PATH, get(crate::dev::script))
        .route("/api", any(api::api_not_found))
        .route("/api/{*rest}", any(api::api_not_found))
        .nest_service(
            "/pkg",
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(ASSET_CACHE),
                ))
                .service(pkg),
        )
        .fallback(page_or_asset)
        .with_state(state.clone())
        // Pages come with their own cached encodings; this compresses the rest.
        .layer(CompressionLayer::new())
        // 503, not 408: the time limit is the server's, the client was not slow.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cache_first,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard_target,
        ))
        // Outermost: in dev mode, adds the dev script to pages (and the error page).
        .layer(axum::middleware::from_fn_with_state(
            state,
            crate::dev::layer,
        ))
}

/// A page (from the cache, rendered per request, or rendered at its first request), a
/// redirect, a `public/` file, or the 404 page.
async fn page_or_asset(State(state): State<AppState>, request: Request) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        let mut response = StatusCode::METHOD_NOT_ALLOWED.into_response();
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let arrived = std::time::Instant::now();
    let path = request.uri().path().to_owned();
    let headers = request.headers();
    if api::preview::is_preview(&state, headers) {
        if let Some(response) = preview_page(&state, &path, headers).await {
            return response;
        }
    }
    if let Some(response) = from_cache(&state, &path, headers) {
        return response;
    }
    let snapshot = state.snapshot();
    // Aliases answer 301, like the export's `_redirects` on a CDN.
    if let Some(target) = snapshot.redirects.get(&path) {
        return (
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, target.as_str())],
        )
            .into_response();
    }
    // An image variant (encoded on its first request into the cache folder).
    if let Some(name) = path.strip_prefix(atoll_images::IMAGES_DIR) {
        let rendering = state.rendering();
        let cache = atoll_images::cache_folder(
            &rendering
                .images_dir
                .clone()
                .or_else(|| rendering.cache_dir.clone())
                .unwrap_or_else(atoll_images::default_cache_dir),
        );
        if let Some(response) = crate::images::variant(&snapshot.images, cache, name).await {
            return response;
        }
    }
    // A page bundle's file, beside its page (`/posts/<slug>/photo.jpg`).
    let decoded = percent_encoding::percent_decode_str(&path).decode_utf8_lossy();
    if let Some(file) = snapshot.site.bundle_files.get(decoded.as_ref()).cloned() {
        let served = tower_http::services::ServeFile::new(file)
            .oneshot(request)
            .await;
        let mut response = match served {
            Ok(response) => response.map(Body::new),
            Err(never) => match never {},
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(ASSET_CACHE));
        return response;
    }
    let uri = request.uri().clone();
    if let Some(response) = render_now(&state, snapshot, &uri, headers).await {
        return response;
    }
    // `public/x/index.html` answers `/x/`, as on a static host.
    let public = ServeDir::new(&state.inner.dirs.public);
    let request_headers = request.headers().clone();
    let mut response = match public.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    if response.status() == StatusCode::NOT_FOUND {
        if let Some(response) = layout_asset(&state, uri.path()) {
            return response;
        }
        // A page that did not exist when the cache was filled (a post added while the
        // server runs): check the content as it is now (one check per reload interval
        // for a burst of such requests) and render the page during this request
        // (Next.js `fallback: 'blocking'`).
        let canonical = if uri.path().ends_with('/') {
            uri.path().to_owned()
        } else {
            format!("{}/", uri.path())
        };
        if fallback_of(&state.snapshot(), &canonical) == app::Fallback::Blocking
            && state.content().cheap_to_check()
        {
            if let Ok(snapshot) = state.content().refresh_after(arrived).await {
                let headers = HeaderMap::new();
                if let Some(response) = render_now(&state, snapshot, &uri, &headers).await {
                    return response;
                }
            }
        }
        return not_found(&state, &request_headers);
    }
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static(ASSET_CACHE));
    response
}

/// A file the layout references and the site's static folder does not have
/// ([`app::LayoutAsset`]): the copy compiled into the binary.
fn layout_asset(state: &AppState, path: &str) -> Option<Response> {
    let (url, bytes) = state
        .snapshot()
        .routes
        .assets()
        .iter()
        .find(|(url, _)| *url == path)?;
    let mime = mime_guess::from_path(url).first_or_octet_stream();
    Some(
        (
            [
                (header::CONTENT_TYPE, mime.essence_str().to_owned()),
                (header::CACHE_CONTROL, ASSET_CACHE.to_owned()),
            ],
            *bytes,
        )
            .into_response(),
    )
}

/// The cached page at `path` (`HIT`, or `STALE` with a background regeneration).
fn from_cache(state: &AppState, path: &str, headers: &HeaderMap) -> Option<Response> {
    let cache = state.cache();
    let entry = cache.get(path)?;
    let status = if entry.is_stale(cache.now()) {
        CacheStats::bump(&cache.stats.stale);
        state.regenerate_in_background(path);
        CacheStatus::Stale
    } else {
        CacheStats::bump(&cache.stats.hits);
        CacheStatus::Hit
    };
    Some(page_response(
        &entry.page,
        entry.cache_control.clone(),
        Some(status),
        headers,
    ))
}

/// Answers cached pages before the middleware stack (tracing, time limit, compression):
/// a cache hit is a map lookup and a copy of headers, and the pages come with their own
/// encodings. Everything else (previews, misses, files, the API) goes down the stack.
async fn cache_first(
    State(state): State<AppState>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD)
        && !api::preview::is_preview(&state, request.headers())
    {
        if let Some(response) = from_cache(&state, request.uri().path(), request.headers()) {
            return response;
        }
    }
    next.run(request).await
}

/// The page at `path` of `snapshot` rendered now: an SSR page, or a page not cached
/// yet (rendered once, then cached: `MISS`); a 308 to the slash-terminated URL of
/// such a page. `None` when `snapshot` has no page there.
async fn render_now(
    state: &AppState,
    snapshot: Arc<Snapshot>,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
) -> Option<Response> {
    let path = uri.path();
    let Some(target) = Target::resolve(&snapshot, path) else {
        // `/posts/x` → `/posts/x/`, as static hosts do for folders with an index.html.
        if !path.ends_with('/') && Target::resolve(&snapshot, &format!("{path}/")).is_some() {
            let target = match uri.query() {
                Some(query) => format!("{path}/?{query}"),
                None => format!("{path}/"),
            };
            return Some(Redirect::permanent(&target).into_response());
        }
        return None;
    };
    if target.mode() == RenderMode::Ssr {
        let live = crate::targets::Live {
            store: state.inner.services.store.as_deref(),
            status: Some(state.status_info()),
        };
        let page = target.render_live(&snapshot, &live)?;
        return Some(page_response(
            &page,
            HeaderValue::from_static(NO_STORE),
            None,
            headers,
        ));
    }
    let entry = state.render_blocking(snapshot, target).await?;
    CacheStats::bump(&state.cache().stats.misses);
    Some(page_response(
        &entry.page,
        entry.cache_control.clone(),
        Some(CacheStatus::Miss),
        headers,
    ))
}

/// A page rendered for a draft preview: per request, drafts included, never cached.
async fn preview_page(state: &AppState, path: &str, headers: &HeaderMap) -> Option<Response> {
    let content = match state.preview_content().await {
        Ok(content) => content,
        Err(err) => {
            tracing::warn!("draft preview: cannot load the content: {}", err.chain());
            return None;
        }
    };
    // Pages (not the files a previewing browser also fetches) check the content for
    // changes, at most once per reload interval.
    let snapshot = if path.ends_with('/') || path.ends_with(".xml") {
        match content.refresh(false).await {
            Ok(snapshot) => snapshot,
            Err(_) => content.current(),
        }
    } else {
        content.current()
    };
    let target = Target::resolve(&snapshot, path)?;
    let store = state.services().store.clone();
    let page = tokio::task::spawn_blocking(move || target.render(&snapshot, store.as_deref()))
        .await
        .ok()??;
    Some(page_response(
        &page,
        HeaderValue::from_static(NO_STORE),
        None,
        headers,
    ))
}

/// The 404 page with status 404 (in the encoding `request_headers` accept).
fn not_found(state: &AppState, request_headers: &HeaderMap) -> Response {
    match state.cache().get("/404.html") {
        Some(entry) => page_response(
            &entry.page,
            HeaderValue::from_static(NO_STORE),
            None,
            request_headers,
        ),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "404 Not Found\n",
        )
            .into_response(),
    }
}

//! The axum router: pre-rendered pages from memory, `public/`, the islands bundle and
//! the JSON API.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use app::Site;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get, post};
use axum::Router;
use islands::search::{Document, SearchIndex};
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::api;
use crate::pages::{Page, PageSet};
use crate::store::Store;

/// `Cache-Control` of HTML pages: caches must revalidate (cheap with the `ETag`).
const HTML_CACHE: &str = "public, max-age=0, must-revalidate";
/// `Cache-Control` of `public/` and the islands bundle: their names are not
/// content-hashed yet, so caches revalidate after a minute.
const ASSET_CACHE: &str = "public, max-age=60, must-revalidate";
/// Time limit of one request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Folders the server reads files from.
#[derive(Clone, Debug)]
pub struct Dirs {
    /// Static assets served at `/` (`public/`).
    pub public: PathBuf,
    /// The islands bundle served at `/pkg/` (Trunk's output).
    pub islands: PathBuf,
}

/// What the dynamic endpoints (shop, contact) need beside the site.
#[derive(Clone, Debug)]
pub struct Services {
    /// The database of stock, orders and messages; without it the shop and contact
    /// endpoints answer 503.
    pub store: Option<Arc<Store>>,
    /// Contact submissions accepted per client address and minute; more is a 429.
    pub contact_per_minute: NonZeroU32,
    /// Checkout attempts accepted per client address and minute; more is a 429 (a
    /// script cannot empty the stock with fake orders as fast as it likes).
    pub checkout_per_minute: NonZeroU32,
    /// Whether accepted contact messages are queued in the outbox for forwarding.
    pub forward_contact: bool,
    /// Take the client address from the last `X-Forwarded-For` entry (the one the
    /// reverse proxy in front of Atoll appended) instead of the connection's peer.
    /// Only behind such a proxy: otherwise clients could pick their address.
    pub trust_forwarded_for: bool,
}

impl Default for Services {
    fn default() -> Self {
        Self {
            store: None,
            contact_per_minute: NonZeroU32::new(5).expect("5 > 0"),
            checkout_per_minute: NonZeroU32::new(10).expect("10 > 0"),
            forward_contact: false,
            trust_forwarded_for: false,
        }
    }
}

/// Limits requests per client address (GCRA, as governor implements it).
pub type ClientLimiter = governor::DefaultKeyedRateLimiter<std::net::IpAddr>;

/// Shared state of the handlers: the rendered pages and the search index.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    site: Site,
    /// Product id → index in `site.products`.
    products: std::collections::HashMap<String, usize>,
    services: Services,
    contact_limiter: ClientLimiter,
    checkout_limiter: ClientLimiter,
    pages: PageSet,
    search: SearchIndex,
    /// `aliases` (and `/…/page/1/`) → the URL they redirect to, as in the export's
    /// `_redirects`.
    redirects: std::collections::HashMap<String, String>,
    dirs: Dirs,
}

impl AppState {
    /// Pre-renders every page of `site` and indexes its posts for search; no database.
    pub fn new(site: Site, dirs: Dirs) -> Self {
        Self::with_services(site, dirs, Services::default())
    }

    /// [`AppState::new`] with the database and the contact settings.
    pub fn with_services(site: Site, dirs: Dirs, services: Services) -> Self {
        let (mut pages, search) = rayon::join(|| PageSet::render(&site), || search_index(&site));
        let robots = std::fs::read_to_string(dirs.public.join("robots.txt")).ok();
        pages.insert(Page::document(
            "/robots.txt",
            crate::sitemap::robots(&site, robots.as_deref()),
            "text/plain; charset=utf-8",
        ));
        Self {
            inner: Arc::new(Inner {
                redirects: crate::export::redirects(&site).into_iter().collect(),
                products: site
                    .products
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p.id.clone(), i))
                    .collect(),
                contact_limiter: governor::RateLimiter::keyed(governor::Quota::per_minute(
                    services.contact_per_minute,
                )),
                checkout_limiter: governor::RateLimiter::keyed(governor::Quota::per_minute(
                    services.checkout_per_minute,
                )),
                services,
                site,
                pages,
                search,
                dirs,
            }),
        }
    }

    /// The rendered pages.
    pub fn pages(&self) -> &PageSet {
        &self.inner.pages
    }

    /// The search index.
    pub fn search(&self) -> &SearchIndex {
        &self.inner.search
    }

    /// The site.
    pub fn site(&self) -> &Site {
        &self.inner.site
    }

    /// A product by id (SKU).
    pub fn product(&self, id: &str) -> Option<&app::Product> {
        let index = *self.inner.products.get(id)?;
        self.inner.site.products.get(index)
    }

    /// The dynamic endpoints' settings.
    pub fn services(&self) -> &Services {
        &self.inner.services
    }

    /// The per-client limiter of `POST /api/contact`.
    pub(crate) fn contact_limiter(&self) -> &ClientLimiter {
        &self.inner.contact_limiter
    }

    /// The per-client limiter of `POST /api/checkout`.
    pub(crate) fn checkout_limiter(&self) -> &ClientLimiter {
        &self.inner.checkout_limiter
    }

    /// Forgets clients whose limits have fully recovered, so that the limiters' memory
    /// stays bounded; `atoll serve` calls it every minute.
    pub fn prune_limiters(&self) {
        for limiter in [&self.inner.contact_limiter, &self.inner.checkout_limiter] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// The search documents of a site: one per post, newest first.
pub fn search_index(site: &Site) -> SearchIndex {
    SearchIndex::new(site.posts.iter().map(search_document).collect())
}

/// The search document of a post: its URL, title, summary and text.
pub fn search_document(post: &app::Post) -> Document {
    Document {
        url: post.url(),
        title: post.title.clone(),
        summary: post.summary.clone(),
        body: post.text.clone(),
    }
}

/// The application: API routes, the islands bundle at `/pkg/`, and pages or `public/`
/// files for every other path (the 404 page, with status 404, when neither has it).
pub fn router(state: AppState) -> Router {
    let pkg = ServeDir::new(&state.inner.dirs.islands);
    Router::new()
        .route(
            islands::api::SEARCH_PATH,
            get(api::search_get).fallback(api::search_method_not_allowed),
        )
        .route(
            islands::api::PRODUCT_PATH,
            get(api::shop::product_get).fallback(api::shop::get_only),
        )
        .route(
            islands::api::QUOTE_PATH,
            post(api::shop::quote_post).fallback(api::shop::post_only),
        )
        .route(
            islands::api::CHECKOUT_PATH,
            post(api::shop::checkout_post).fallback(api::shop::post_only),
        )
        .route(
            islands::api::CONTACT_PATH,
            post(api::contact::contact_post).fallback(api::shop::post_only),
        )
        .route(
            api::openapi::OPENAPI_PATH,
            get(api::openapi::openapi_get).fallback(api::shop::get_only),
        )
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
        .with_state(state)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(CompressionLayer::new())
        // 503, not 408: the time limit is the server's, the client was not slow.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(TraceLayer::new_for_http())
}

/// A pre-rendered page, a redirect to the slash-terminated URL of one, a `public/` file,
/// or the 404 page.
async fn page_or_asset(State(state): State<AppState>, request: Request) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        let mut response = StatusCode::METHOD_NOT_ALLOWED.into_response();
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let path = request.uri().path();
    let pages = state.pages();
    if let Some(page) = pages.get(path) {
        return page_response(page, request.headers());
    }
    // Aliases answer 301, like the export's `_redirects` on a CDN.
    if let Some(target) = state.inner.redirects.get(path) {
        return (
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, target.as_str())],
        )
            .into_response();
    }
    // `/posts/x` → `/posts/x/`, as static hosts do for folders with an index.html.
    if !path.ends_with('/') && pages.get(&format!("{path}/")).is_some() {
        let target = match request.uri().query() {
            Some(query) => format!("{path}/?{query}"),
            None => format!("{path}/"),
        };
        return Redirect::permanent(&target).into_response();
    }
    // `public/x/index.html` answers `/x/`, as on a static host.
    let public = ServeDir::new(&state.inner.dirs.public);
    let mut response = match public.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    if response.status() == StatusCode::NOT_FOUND {
        return match pages.not_found() {
            Some(page) => page_response(page, &HeaderMap::new()),
            None => StatusCode::NOT_FOUND.into_response(),
        };
    }
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static(ASSET_CACHE));
    response
}

/// A page with its `ETag`; 304 when `If-None-Match` names it (RFC 9110 §13.1.2).
/// The status is the page's own (404 for the not-found page, also at `/404.html`, as
/// static hosts serve it).
fn page_response(page: &Page, request_headers: &HeaderMap) -> Response {
    let status = StatusCode::from_u16(page.status).unwrap_or(StatusCode::OK);
    let etag = HeaderValue::from_str(&page.etag).expect("an ETag is ASCII hex");
    let matches = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || tag.trim_start_matches("W/") == page.etag)
        });
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(page.content_type),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static(HTML_CACHE)),
        (header::ETAG, etag),
    ];
    if matches && status == StatusCode::OK {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    (status, headers, page.html.clone()).into_response()
}

//! The server's state: its folders, services and rendering settings, and [`AppState`],
//! which owns the content snapshots and the ISR page cache and orchestrates rendering
//! into it (start-up, blocking fallback, background regeneration, on-demand
//! revalidation). The router and its handlers are in [`crate::serve`].

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use app::{RenderMode, Site};
use rayon::prelude::*;
use tokio::sync::broadcast;

use crate::error::ServeError;
use crate::isr::{CacheStats, CachedPage, Clock, PageCache, SystemClock};
use crate::snapshot::{Content, ContentSource, Snapshot};
use crate::store::Store;
use crate::targets::Target;

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

/// How pages are rendered and kept: the ISR cache's settings and the secrets of
/// on-demand revalidation and draft preview.
#[derive(Clone, Debug)]
pub struct Rendering {
    /// Where the cache reads the time.
    pub clock: Arc<dyn Clock>,
    /// Folder that keeps rendered pages across restarts (`None`: memory only).
    pub cache_dir: Option<PathBuf>,
    /// Folder whose `images/` holds the image variants (shared with `atoll export`'s
    /// `--cache-dir`); `None`: `cache_dir`, else the user's cache folder
    /// ([`atoll_images::default_cache_dir`]). Set in the dev loop too, where pages are
    /// not cached on disk but variants are.
    pub images_dir: Option<PathBuf>,
    /// Least time between two checks of the content for changes (stale pages and
    /// unknown URLs trigger checks; webhooks always reload).
    pub reload_interval: Duration,
    /// Seconds a shared cache may serve an ISR page stale while it revalidates
    /// (`stale-while-revalidate`, RFC 5861); Next.js' default `expireTime` is a year.
    pub stale_while_revalidate: u32,
    /// Identifies this build in `/status/` and in the cache folder.
    pub build_id: String,
    /// Secrets of `POST /api/revalidate` (Standard Webhooks `whsec_…` keys, decoded);
    /// several during a key rotation. Empty, and no GitHub secret: the endpoint answers
    /// 503.
    pub webhook_secrets: Vec<Vec<u8>>,
    /// GitHub webhook secret (`X-Hub-Signature-256`), as an alternative to Standard
    /// Webhooks.
    pub github_secret: Option<Vec<u8>>,
    /// Secret of `POST /api/webhooks/{kind}` (a CMS vendor's webhook: Sanity's and
    /// Contentful's signing secret, Strapi's and WordPress' shared secret); `None`: off
    /// (503).
    pub cms_webhook_secret: Option<String>,
    /// Secret of `GET /api/preview`; `None`: draft preview is off (503).
    pub preview_secret: Option<String>,
    /// Bearer token of the content API; `None`: the API is public, without drafts.
    pub content_token: Option<String>,
    /// The site's route table (default [`app::routes`]): which pages exist, their
    /// render modes and views.
    pub routes: &'static app::Routes,
    /// Development mode ([`crate::dev`]): live reload and errors in the browser.
    pub dev: bool,
    /// Drops changed pages from the caching proxy or CDN in front after each
    /// revalidation ([`crate::purge`]); `None`: nothing in front to purge.
    pub purger: Option<Arc<dyn crate::purge::Purger>>,
    /// This server's name among the servers sharing a database ([`new_instance_id`]):
    /// the origin of the revalidation notices it sends, so it skips its own.
    pub instance_id: String,
}

impl Default for Rendering {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            cache_dir: None,
            images_dir: None,
            reload_interval: Duration::from_secs(1),
            stale_while_revalidate: 31_536_000,
            build_id: build_id(),
            webhook_secrets: Vec::new(),
            github_secret: None,
            preview_secret: None,
            cms_webhook_secret: None,
            content_token: None,
            dev: false,
            routes: app::routes(),
            purger: None,
            instance_id: new_instance_id(),
        }
    }
}

/// A name for this server process, unique among the servers of a group: the process
/// id and the start time in nanoseconds, in hex.
pub fn new_instance_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:x}-{:x}", std::process::id(), nanos)
}

/// The build id: the crate version and the size and modification time of the running
/// executable (a rebuild changes it, so cached pages of an older build are dropped).
pub fn build_id() -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    if let Some(meta) = std::env::current_exe()
        .ok()
        .and_then(|exe| std::fs::metadata(exe).ok())
    {
        meta.len().hash(&mut hasher);
        meta.modified().ok().hash(&mut hasher);
    }
    format!("{}-{:016x}", env!("CARGO_PKG_VERSION"), hasher.finish())
}

/// Limits requests per client address (GCRA, as governor implements it).
pub type ClientLimiter = governor::DefaultKeyedRateLimiter<std::net::IpAddr>;

/// Shared state of the handlers: the content, the page cache and the services.
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) content: Content,
    /// The drafts-included content of draft previews, loaded on the first preview.
    pub(crate) preview: tokio::sync::OnceCell<Content>,
    pub(crate) cache: PageCache,
    pub(crate) rendering: Rendering,
    pub(crate) started_at: SystemTime,
    pub(crate) services: Services,
    pub(crate) contact_limiter: ClientLimiter,
    pub(crate) checkout_limiter: ClientLimiter,
    /// Standard Webhooks ids already processed, with when (replays are acknowledged
    /// without work).
    pub(crate) webhook_ids: std::sync::Mutex<std::collections::HashMap<String, SystemTime>>,
    pub(crate) dev: Option<Dev>,
    pub(crate) dirs: Dirs,
}

impl AppState {
    /// Pre-renders every page of `site` and indexes its posts for search; the content
    /// never changes (no source to reload), no database.
    pub fn new(site: Site, dirs: Dirs) -> Self {
        Self::with_services(site, dirs, Services::default())
    }

    /// [`AppState::new`] with the database and the contact settings.
    pub fn with_services(site: Site, dirs: Dirs, services: Services) -> Self {
        let source = ContentSource::Fixed(Box::new(site.clone()));
        Self::start(source, site, dirs, services, Rendering::default())
    }

    /// The server's state: `site` (already loaded from `source`) as the first content
    /// snapshot, the pages of the cache folder written by this build, and every
    /// `Static` page plus every `Isr` page the folder did not have rendered now.
    pub fn start(
        source: ContentSource,
        site: Site,
        dirs: Dirs,
        services: Services,
        rendering: Rendering,
    ) -> Self {
        let state = Self::start_unfilled(source, site, dirs, services, rendering);
        state.fill();
        state
    }

    /// [`AppState::fill`] on a thread of its own.
    pub fn fill_in_background(&self) {
        let filling = self.clone();
        std::thread::Builder::new()
            .name("atoll-start".into())
            .spawn(move || filling.fill())
            .expect("cannot start a thread");
    }

    /// Reads back the pages of the cache folder written by this build (a page already
    /// cached, rendered for a request meanwhile, stays), forgets those whose content is
    /// gone, and renders every `Static` page and every page still missing, in parallel.
    pub fn fill(&self) {
        let cache = &self.inner.cache;
        let started = std::time::Instant::now();
        let loaded = cache.load_disk();
        let read_ms = started.elapsed().as_millis();
        let snapshot = self.snapshot();
        let targets = Target::all(&snapshot);
        cache
            .stats
            .start_pages
            .store(targets.len() as u64, std::sync::atomic::Ordering::Relaxed);
        let known: std::collections::HashSet<String> = targets.iter().map(Target::path).collect();
        // Pages of the folder whose content is gone since (removed while stopped).
        for path in cache.paths() {
            if !known.contains(&path) {
                // Not a page rendered meanwhile from newer content.
                cache.remove(&path, snapshot.generation);
            }
        }
        let store = self.inner.services.store.as_deref();
        let rendered = std::sync::atomic::AtomicUsize::new(0);
        targets.par_iter().for_each(|target| {
            let mode = target.mode();
            let cached = cache.get(&target.path());
            // A static page is rendered once per start, unless a request or a reload
            // rendered it from this content already.
            // A page read back from the folder (generation 0) is kept only while what
            // it read is unchanged: content edited while stopped, or by a webhook that
            // came before the fill reached this page, is rendered again.
            let fresh = cached.is_some_and(|c| {
                c.generation > 0
                    || (mode != RenderMode::Static
                        && !target.changed(&self.snapshot(), &c.page, c.inputs))
            });
            if !fresh {
                // Content reloaded meanwhile (a webhook during the start): render from
                // it, not from the content the list of pages came from.
                let current = self.snapshot();
                let target = if current.generation == snapshot.generation {
                    Some(target.clone())
                } else {
                    Target::resolve(&current, &target.path())
                };
                if let Some(page) = target.as_ref().and_then(|t| t.render(&current, store)) {
                    let target = target.as_ref().expect("rendered from it");
                    let inputs = target.fingerprint(&current, &page);
                    cache.insert(page, mode, inputs, current.generation);
                    rendered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
            CacheStats::bump(&cache.stats.start_done);
        });
        tracing::info!(
            "start: {loaded} pages read from the cache folder in {read_ms} ms, {} rendered in {} ms",
            rendered.into_inner(),
            started.elapsed().as_millis() - read_ms
        );
    }

    /// [`AppState::start`] without the pages: it returns once the content is in place;
    /// then [`AppState::fill_in_background`] reads the cache folder back and renders
    /// the pages it lacks (`/status/` shows its progress). Requests meanwhile get pages
    /// as they are cached, and a page not cached yet is rendered for its request
    /// (single-flight), as a page added while serving is.
    pub fn start_unfilled(
        source: ContentSource,
        site: Site,
        dirs: Dirs,
        services: Services,
        rendering: Rendering,
    ) -> Self {
        let content = Content::new(source, site, dirs.public.clone(), rendering.reload_interval)
            .with_routes(rendering.routes)
            .with_island_bundles(atoll_render::bundle::available_bundles(&dirs.islands))
            .with_store(services.store.clone());
        let cache = PageCache::new(
            Arc::clone(&rendering.clock),
            rendering.cache_dir.clone(),
            rendering.build_id.clone(),
            rendering.stale_while_revalidate,
        );
        Self {
            inner: Arc::new(Inner {
                contact_limiter: governor::RateLimiter::keyed(governor::Quota::per_minute(
                    services.contact_per_minute,
                )),
                checkout_limiter: governor::RateLimiter::keyed(governor::Quota::per_minute(
                    services.checkout_per_minute,
                )),
                dev: rendering.dev.then(Dev::default),
                content,
                preview: tokio::sync::OnceCell::new(),
                cache,
                rendering,
                started_at: SystemTime::now(),
                services,
                webhook_ids: Default::default(),
                dirs,
            }),
        }
    }

    /// The dev mode's state (`atoll serve --dev`).
    pub fn dev(&self) -> Option<&Dev> {
        self.inner.dev.as_ref()
    }

    /// `public/` and the islands bundle folder (watched in dev mode).
    pub fn dev_dirs(&self) -> (PathBuf, PathBuf) {
        (
            self.inner.dirs.public.clone(),
            self.inner.dirs.islands.clone(),
        )
    }

    /// The content currently served.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.inner.content.current()
    }

    /// The content and its reloading.
    pub fn content(&self) -> &Content {
        &self.inner.content
    }

    /// The page cache.
    pub fn cache(&self) -> &PageCache {
        &self.inner.cache
    }

    /// The rendering settings.
    pub fn rendering(&self) -> &Rendering {
        &self.inner.rendering
    }

    /// A product by id (SKU), from the current content.
    pub fn product(&self, id: &str) -> Option<app::Product> {
        self.snapshot().product(id).cloned()
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

    /// Webhook ids processed, for replay detection.
    pub(crate) fn webhook_ids(
        &self,
    ) -> &std::sync::Mutex<std::collections::HashMap<String, SystemTime>> {
        &self.inner.webhook_ids
    }

    /// The drafts-included content of draft previews (loaded on first use).
    ///
    /// # Errors
    /// The content's load error.
    pub(crate) async fn preview_content(&self) -> Result<&Content, ServeError> {
        self.inner
            .preview
            .get_or_try_init(|| async {
                let source = self.inner.content.source().with_drafts();
                let site = source.load().await?;
                Ok(Content::new(
                    source,
                    site,
                    self.inner.dirs.public.clone(),
                    self.inner.rendering.reload_interval,
                )
                // The site's own route table and bundles, as the published pages.
                .with_routes(self.inner.rendering.routes)
                .with_island_bundles(atoll_render::bundle::available_bundles(
                    &self.inner.dirs.islands,
                )))
            })
            .await
    }

    /// Forgets clients whose limits have fully recovered, so that the limiters' memory
    /// stays bounded; `atoll serve` calls it every minute.
    pub fn prune_limiters(&self) {
        for limiter in [&self.inner.contact_limiter, &self.inner.checkout_limiter] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// What `/status/` shows.
    pub fn status_info(&self) -> app::StatusInfo {
        let snapshot = self.snapshot();
        app::StatusInfo {
            build_id: self.inner.rendering.build_id.clone(),
            server_time: rfc3339(self.inner.cache.now()),
            started_at: rfc3339(self.inner.started_at),
            content_generation: snapshot.generation,
            content_loaded_at: rfc3339(snapshot.loaded_at),
            cache: self.inner.cache.rows(),
        }
    }

    /// Renders `target` from `snapshot` and caches the page; when the entry is not in the
    /// site, forgets the path and returns `None`. Blocking: call it off the async workers.
    pub(crate) fn render_and_cache(
        &self,
        snapshot: &Snapshot,
        target: &Target,
    ) -> Option<Arc<CachedPage>> {
        let cache = &self.inner.cache;
        match target.render(snapshot, self.inner.services.store.as_deref()) {
            Some(page) => {
                let inputs = target.fingerprint(snapshot, &page);
                Some(cache.insert(page, target.mode(), inputs, snapshot.generation))
            }
            None => {
                cache.remove(&target.path(), snapshot.generation);
                None
            }
        }
    }

    /// Renders `target` from `snapshot` on a blocking thread and caches it; `None` (and
    /// the path forgotten) when the entry is not in the site.
    pub(crate) async fn render_into_cache(
        &self,
        snapshot: Arc<Snapshot>,
        target: Target,
    ) -> Option<Arc<CachedPage>> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || state.render_and_cache(&snapshot, &target))
            .await
            .unwrap_or_else(|err| {
                tracing::error!("rendering panicked: {err}");
                None
            })
    }

    /// Regenerates the stale page at `path` in the background, unless a render of it is
    /// already in progress (single-flight). The content is reloaded first if it changed;
    /// a failed reload keeps the last good page (and the next request tries again); a
    /// path whose entry is gone is removed from the cache (404 from then on).
    pub fn regenerate_in_background(&self, path: &str) {
        let state = self.clone();
        let owned = path.to_owned();
        self.single_flight(path, async move { state.regenerate(&owned).await });
    }

    /// Runs `work` for `path` in a task of its own unless a render of `path` is in
    /// progress; returns a receiver that turns `true` when the render in progress (this
    /// one or the other) is over. The task runs to its end even if every request that
    /// waits for it goes away, and the flight ends even if it panics.
    pub(crate) fn single_flight<F>(&self, path: &str, work: F) -> tokio::sync::watch::Receiver<bool>
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        match self.inner.cache.take_off(path) {
            Ok(done) => {
                let landed = done.subscribe();
                let landing = Landing {
                    state: self.clone(),
                    path: path.to_owned(),
                    done,
                };
                tokio::spawn(async move {
                    let _landing = landing;
                    work.await;
                });
                landed
            }
            Err(landed) => landed,
        }
    }

    pub(crate) async fn regenerate(&self, path: &str) {
        let stats = &self.inner.cache.stats;
        let snapshot = match self.inner.content.refresh(false).await {
            Ok(snapshot) => snapshot,
            Err(err) => {
                CacheStats::bump(&stats.failures);
                tracing::warn!(
                    path,
                    "regeneration failed, serving the last good page: {}",
                    err.chain()
                );
                return;
            }
        };
        match Target::resolve(&snapshot, path) {
            Some(target) => {
                if self.render_into_cache(snapshot, target).await.is_some() {
                    CacheStats::bump(&stats.regenerations);
                } else {
                    CacheStats::bump(&stats.failures);
                }
            }
            None => {
                tracing::info!(path, "content gone: the page now answers 404");
                self.inner.cache.remove(path, snapshot.generation);
            }
        }
    }

    /// Renders `target` during the request (blocking fallback), one render per path at
    /// a time: concurrent requests wait for the same render.
    pub(crate) async fn render_blocking(
        &self,
        snapshot: Arc<Snapshot>,
        target: Target,
    ) -> Option<Arc<CachedPage>> {
        let path = target.path();
        let state = self.clone();
        let mut landed = self.single_flight(&path, async move {
            state.render_into_cache(snapshot, target).await;
        });
        let _ = landed.wait_for(|done| *done).await;
        self.inner.cache.get(&path)
    }

    /// On-demand revalidation: [`AppState::revalidate_pages`], then
    /// [`AppState::purge`] of what changed. Returns each path with `rendered`,
    /// `removed` or `unknown` (not a page) and the tags purged, or `Err((index, tag))`
    /// for an unknown tag (nothing done).
    ///
    /// # Errors
    /// The content's reload error; nothing was changed.
    pub async fn revalidate_on_demand(
        &self,
        paths: Vec<String>,
        tags: Vec<String>,
    ) -> Result<Result<Revalidation, (usize, String)>, Arc<ServeError>> {
        let mut done = match self.revalidate_pages(paths, tags).await? {
            Ok(done) => done,
            Err(unknown) => return Ok(Err(unknown)),
        };
        done.purged = self.purge(&done.purge_tags).await;
        Ok(Ok(done))
    }

    /// Reloads the content now, then renders again (before returning) `paths`, the
    /// pages of `tags` ([`crate::targets::tagged`]) and every cached page whose read-set
    /// changed; pages whose content is gone are removed (404). Returns what it did and
    /// what a proxy in front must drop ([`Revalidation::purge_tags`]: the `url:` tag of
    /// every page whose HTML differs from before the reload, whoever rendered it
    /// meanwhile, and `tags`), or `Err((index, tag))` for an unknown tag (nothing done).
    /// Nothing is purged here.
    ///
    /// # Errors
    /// The content's reload error; nothing was changed.
    pub async fn revalidate_pages(
        &self,
        paths: Vec<String>,
        tags: Vec<String>,
    ) -> Result<Result<Revalidation, (usize, String)>, Arc<ServeError>> {
        for (i, tag) in tags.iter().enumerate() {
            if !crate::targets::is_tag(tag) {
                return Ok(Err((i, tag.clone())));
            }
        }
        // "Whatever changed" (a webhook naming no mapped entry, a GitHub push, another
        // server's catch-up): a CMS is read in full, not only its changed entries, so
        // that a linked entry or asset changed alone is seen too.
        if paths.is_empty() && tags.is_empty() {
            if let crate::snapshot::ContentSource::Cms { cms, .. } = self.inner.content.source() {
                cms.forget_sync();
            }
        }
        let started = std::time::Instant::now();
        // Every cached page's entity tag before the reload: a page a request renders
        // from the new content meanwhile (a stale ISR page) still counts as changed.
        let before = self.etags();
        let snapshot = self.inner.content.refresh(true).await?;
        let reload_ms = started.elapsed().as_millis() as u64;
        let state = self.clone();
        let named_tags = tags.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let cache = &state.inner.cache;
            let mut wanted: std::collections::BTreeSet<String> = paths.into_iter().collect();
            if !tags.is_empty() {
                wanted.extend(crate::targets::tagged(&snapshot, &tags, cache));
            }
            // Every cached page rendered from content that changed since.
            let outdated: Vec<String> = cache
                .paths()
                .into_par_iter()
                .filter(|path| {
                    let Some(entry) = cache.get(path) else {
                        return false;
                    };
                    match Target::resolve(&snapshot, path) {
                        Some(target) => target.changed(&snapshot, &entry.page, entry.inputs),
                        None => true,
                    }
                })
                .collect();
            let checked_ms = started.elapsed().as_millis() as u64 - reload_ms;
            wanted.extend(outdated);
            let count = wanted.len();
            let outcome = wanted
                .into_par_iter()
                .map(|path| match Target::resolve(&snapshot, &path) {
                    Some(target) => match state.render_and_cache(&snapshot, &target) {
                        Some(_) => (path, "rendered"),
                        None => (path, "removed"),
                    },
                    None if cache.remove(&path, snapshot.generation) => (path, "removed"),
                    None => (path, "unknown"),
                })
                .collect::<Vec<_>>();
            tracing::info!(
                reload_ms,
                checked_ms,
                pages = count,
                total_ms = started.elapsed().as_millis() as u64,
                "revalidated on demand"
            );
            outcome
        })
        .await
        .map_err(|err| Arc::new(crate::snapshot::panicked("rendering", err)))?;
        let after = self.etags();
        let mut purge_tags = named_tags;
        for (path, etag) in &before {
            if after.get(path) != Some(etag) {
                purge_tags.push(app::cache_tags::url_tag(path));
            }
        }
        for path in after.keys().filter(|path| !before.contains_key(*path)) {
            purge_tags.push(app::cache_tags::url_tag(path));
        }
        purge_tags.sort();
        purge_tags.dedup();
        Ok(Ok(Revalidation {
            paths: outcome,
            purge_tags,
            purged: Vec::new(),
        }))
    }

    /// Each cached page's path and strong entity tag.
    fn etags(&self) -> std::collections::HashMap<String, String> {
        let cache = &self.inner.cache;
        cache
            .paths()
            .into_iter()
            .filter_map(|path| {
                let etag = cache.get(&path)?.page.etag.clone();
                Some((path, etag))
            })
            .collect()
    }

    /// Drops every response carrying one of `tags` from the proxy in front, through the
    /// configured [`crate::purge::Purger`]; returns the tags purged (empty without a
    /// purger, or when the purge failed: logged, and the proxy's copies expire by their
    /// `Cache-Control`).
    pub async fn purge(&self, tags: &[String]) -> Vec<String> {
        let Some(purger) = &self.inner.rendering.purger else {
            return Vec::new();
        };
        if tags.is_empty() {
            return Vec::new();
        }
        let started = std::time::Instant::now();
        match purger.purge(tags).await {
            Ok(()) => {
                tracing::info!(
                    purger = purger.name(),
                    tags = tags.len(),
                    ms = started.elapsed().as_millis() as u64,
                    "purged the proxy's copies"
                );
                tags.to_vec()
            }
            Err(error) => {
                tracing::error!(purger = purger.name(), %error, "purge failed; the proxy's copies expire by their Cache-Control");
                Vec::new()
            }
        }
    }
}

/// What [`AppState::revalidate_on_demand`] did.
#[derive(Debug, Default)]
pub struct Revalidation {
    /// Each path rendered again, removed (its content is gone: now 404) or `unknown`
    /// (not a page), in no particular order.
    pub paths: Vec<(String, &'static str)>,
    /// What a proxy in front must drop, sorted: the `url:` tag of each page whose HTML
    /// changed (compared with before the reload) or that is gone, and the tags named
    /// by the request.
    pub purge_tags: Vec<String>,
    /// The tags the purger dropped ([`Revalidation::purge_tags`] once purged); empty
    /// without a purger, before [`AppState::purge`], or when the purge failed (logged).
    pub purged: Vec<String>,
}

/// Ends a flight when the task that renders goes away (done or panicked).
struct Landing {
    state: AppState,
    path: String,
    done: tokio::sync::watch::Sender<bool>,
}

impl Drop for Landing {
    fn drop(&mut self) {
        self.state.inner.cache.land(&self.path);
        let _ = self.done.send(true);
    }
}

fn rfc3339(time: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(time).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

// ---- dev mode's channel (`atoll serve --dev`, see `crate::dev`) ----

/// What the open tabs are told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DevEvent {
    /// Something changed: reload.
    Reload {
        /// `content`, `public` or `islands`.
        reason: &'static str,
    },
    /// The content cannot be loaded: show the error.
    Failure {
        /// The loader's message: file, line, column and what is wrong.
        message: String,
    },
    /// The server is shutting down: the event streams end (so that the graceful
    /// shutdown does not wait for them), and the tabs reconnect to the next server.
    Closing,
}

/// The dev mode's state: the event channel and the current error.
#[derive(Debug)]
pub struct Dev {
    pub(crate) events: broadcast::Sender<DevEvent>,
    error: Mutex<Option<String>>,
    /// Differs between two runs of the server, so a tab that reconnects to a restarted
    /// server reloads.
    run: u64,
    /// Counts the reloads sent.
    stamp: std::sync::atomic::AtomicU64,
}

impl Default for Dev {
    fn default() -> Self {
        let run = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Self {
            events: broadcast::channel(64).0,
            error: Mutex::new(None),
            run,
            stamp: std::sync::atomic::AtomicU64::new(1),
        }
    }
}

impl Dev {
    /// The current content error, if any.
    pub fn error(&self) -> Option<String> {
        self.error.lock().expect("dev lock").clone()
    }

    /// Reports a content error to the open tabs (and to the pages requested until it is
    /// fixed).
    pub fn report_failure(&self, message: String) {
        self.send(DevEvent::Failure { message });
    }

    /// `<run>.<reloads>`: changes with every reload and every restart of the server.
    pub(crate) fn stamp(&self) -> String {
        format!(
            "{:x}.{}",
            self.run,
            self.stamp.load(std::sync::atomic::Ordering::SeqCst)
        )
    }

    /// Ends the open event streams (at shutdown).
    pub fn close(&self) {
        self.send(DevEvent::Closing);
    }

    pub(crate) fn send(&self, event: DevEvent) {
        match &event {
            DevEvent::Closing => {}
            DevEvent::Reload { .. } => {
                *self.error.lock().expect("dev lock") = None;
                self.stamp.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            DevEvent::Failure { message } => {
                *self.error.lock().expect("dev lock") = Some(message.clone());
            }
        }
        // No tab open: nobody to tell.
        let _ = self.events.send(event);
    }
}

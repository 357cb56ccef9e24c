//! The content the server renders from, and how it is reloaded while the server runs.
//!
//! A [`Snapshot`] is one loaded [`Site`] with the indexes the handlers need (products by
//! id, redirects, the search index). [`Content`] holds the current snapshot and replaces
//! it when the source changed: for `content/` on disk, when any file's path, size or
//! modification time changed; for a headless CMS, on every reload (see
//! [`crate::cms`]). Reloads are single-flight and rate-limited (`min_interval`), so
//! that a burst of stale pages or unknown URLs costs one reload, not one per request.
//! A failed reload keeps the previous snapshot (the last good content) and is reported
//! to the caller, which keeps serving the last good pages.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

use app::Site;
use atoll_search::SearchIndex;

use crate::cms::CmsSource;
use crate::content::{load, load_bodies, load_with_cache, ContentCache, LoadOptions};
use crate::error::ServeError;

/// One loaded version of the site, with its lookup tables.
#[derive(Debug)]
pub struct Snapshot {
    /// The site.
    pub site: Site,
    /// `aliases` (and `/…/page/1/`) → the URL they redirect to (301), as the export's
    /// `_redirects`.
    pub redirects: HashMap<String, String>,
    /// `public/robots.txt` at load time, if any.
    pub robots: Option<String>,
    /// 1 for the first load, +1 for each reload (a folder is reloaded only when a file
    /// changed; a CMS at every check).
    pub generation: u64,
    /// When it was loaded.
    pub loaded_at: SystemTime,
    /// The route table its pages come from.
    pub routes: &'static app::Routes,
    products: HashMap<String, usize>,
    /// Entry source → hash of its rendered body.
    bodies: HashMap<String, u64>,
    /// The variants of the site's images (`GET /_img/<name>`).
    pub images: Arc<crate::images::ImageTable>,
}

impl Snapshot {
    /// Indexes `site`, whose pages are those of `routes`.
    pub fn new(
        site: Site,
        robots: Option<String>,
        generation: u64,
        routes: &'static app::Routes,
    ) -> Self {
        Snapshot {
            routes,
            redirects: atoll_render::headers::redirects(&site)
                .into_iter()
                .collect(),
            products: site
                .products
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id.clone(), i))
                .collect(),
            bodies: body_hashes(&site),
            images: Arc::default(),
            robots,
            generation,
            loaded_at: SystemTime::now(),
            site,
        }
    }

    /// A hash of the body of the entry read from `source` (0 for none): what a
    /// read-set's `body` deps compare ([`app::ReadSet::fingerprint`]).
    pub fn body_hash(&self, source: &str) -> u64 {
        self.bodies.get(source).copied().unwrap_or(0)
    }

    /// A product by id (SKU).
    pub fn product(&self, id: &str) -> Option<&app::Product> {
        self.site.products.get(*self.products.get(id)?)
    }
}

/// The input hash of a generated document (feed, sitemap, robots.txt): its bytes.
pub(crate) fn document_hash(bytes: &[u8]) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// Hash of each entry's body, by source.
fn body_hashes(site: &Site) -> HashMap<String, u64> {
    let hash = |html: &str| {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        html.hash(&mut hasher);
        hasher.finish()
    };
    let mut bodies = HashMap::with_capacity(site.posts.len() + site.docs.len() + site.pages.len());
    for post in &site.posts {
        bodies.insert(post.source.clone(), hash(&post.html));
    }
    for doc in &site.docs {
        bodies.insert(doc.source.clone(), hash(&doc.html));
    }
    for page in &site.pages {
        bodies.insert(page.source.clone(), hash(&page.html));
    }
    bodies
}

/// Where the site's content comes from.
#[derive(Clone, Debug)]
pub enum ContentSource {
    /// A site given once and never reloaded (tests, embedding).
    Fixed(Box<Site>),
    /// The content folder (`content/`), reloaded when a file changes.
    Files {
        /// The folder.
        dir: PathBuf,
        /// Drafts, base URL.
        options: LoadOptions,
    },
    /// Posts and products from a headless CMS over HTTP; the rest (settings, docs,
    /// pages) from the content folder.
    Cms {
        /// The content folder.
        dir: PathBuf,
        /// Drafts, base URL.
        options: LoadOptions,
        /// The CMS.
        cms: CmsSource,
    },
}

impl ContentSource {
    /// The content folder read from disk (`None` for a fixed site).
    pub fn dir(&self) -> Option<&Path> {
        match self {
            ContentSource::Fixed(_) => None,
            ContentSource::Files { dir, .. } | ContentSource::Cms { dir, .. } => Some(dir),
        }
    }

    /// The same source with drafts included (draft preview).
    pub fn with_drafts(&self) -> ContentSource {
        let mut source = self.clone();
        match &mut source {
            ContentSource::Fixed(_) => {}
            ContentSource::Files { options, .. } | ContentSource::Cms { options, .. } => {
                options.include_drafts = true;
            }
        }
        source
    }

    /// A cheap summary of the source's state: `Some` of a hash of every file's path,
    /// size and modification time for a folder (unchanged hash: nothing to reload),
    /// `None` when it cannot tell (CMS: always reload).
    fn fingerprint(&self) -> Option<u64> {
        match self {
            ContentSource::Fixed(_) => Some(0),
            ContentSource::Files { dir, .. } => Some(folder_fingerprint(dir)),
            ContentSource::Cms { .. } => None,
        }
    }

    /// Loads the site.
    ///
    /// # Errors
    /// Any content error (naming the file and line), or the CMS' failure after its
    /// retries.
    pub async fn load(&self) -> Result<Site, ServeError> {
        let site = self.load_unchecked().await?;
        checked_redirects(&site)?;
        Ok(site)
    }

    async fn load_unchecked(&self) -> Result<Site, ServeError> {
        match self {
            ContentSource::Fixed(site) => Ok((**site).clone()),
            ContentSource::Files { dir, options } => {
                let (dir, options) = (dir.clone(), options.clone());
                tokio::task::spawn_blocking(move || {
                    load(&dir, &options)
                        .map(|loaded| loaded.site)
                        .map_err(|source| ServeError::Content { dir, source })
                })
                .await
                .map_err(|err| panicked("the content loader", err))?
            }
            ContentSource::Cms { dir, options, cms } => {
                let fetched = cms.fetch(options.include_drafts).await?;
                let (dir, options) = (dir.clone(), options.clone());
                tokio::task::spawn_blocking(move || {
                    let loaded = load(&dir, &options)
                        .map_err(|source| ServeError::Content { dir, source })?;
                    let site = loaded.site;
                    let products = fetched.products.unwrap_or(site.products);
                    let mut merged =
                        Site::new(site.config, fetched.posts, site.docs, site.pages, products);
                    merged.bundle_files = site.bundle_files;
                    merged.bundle_files.extend(fetched.files);
                    Ok(merged)
                })
                .await
                .map_err(|err| panicked("the content loader", err))?
            }
        }
    }
}

/// Loads the content folder again, parsing only the Markdown files whose size or
/// modification time changed since `previous` was loaded (`cache`); the bodies of the
/// others are taken from `previous`. Returns the site and the cache for the next time.
fn load_files(
    dir: &Path,
    options: &LoadOptions,
    previous: Option<(&Site, &ContentCache)>,
) -> Result<(Site, ContentCache), ServeError> {
    let context = |source| ServeError::Content {
        dir: dir.to_owned(),
        source,
    };
    let mut loaded =
        load_with_cache(dir, options, previous.map(|(_, cache)| cache)).map_err(context)?;
    if let Some((site, _)) = previous {
        let mut bodies: HashMap<&str, (&str, &str)> = HashMap::new();
        for post in &site.posts {
            bodies.insert(&post.source, (&post.html, &post.text));
        }
        for doc in &site.docs {
            bodies.insert(&doc.source, (&doc.html, &doc.text));
        }
        for page in &site.pages {
            bodies.insert(&page.source, (&page.html, &page.text));
        }
        let deferred = &mut loaded.deferred;
        let mut fill = |source: &str, html: &mut String, text: &mut String| {
            if deferred.contains(source) {
                if let Some((h, t)) = bodies.get(source) {
                    *html = (*h).to_owned();
                    *text = (*t).to_owned();
                    deferred.remove(source);
                }
            }
        };
        for post in &mut loaded.site.posts {
            fill(&post.source, &mut post.html, &mut post.text);
        }
        for doc in &mut loaded.site.docs {
            fill(&doc.source, &mut doc.html, &mut doc.text);
        }
        for page in &mut loaded.site.pages {
            fill(&page.source, &mut page.html, &mut page.text);
        }
    }
    if !loaded.deferred.is_empty() {
        let all = loaded.deferred.clone();
        load_bodies(dir, &mut loaded.site, &mut loaded.deferred, &all).map_err(context)?;
    }
    checked_redirects(&loaded.site)?;
    let cache = ContentCache::from_parts(&loaded.site, &loaded.sources);
    Ok((loaded.site, cache))
}

/// The export's alias checks ([`crate::export::check_redirects`]), so that `atoll serve`
/// refuses (at start) or does not take (on reload, keeping the last good content) a site
/// that `atoll export` refuses.
fn checked_redirects(site: &Site) -> Result<(), ServeError> {
    atoll_render::headers::check_redirects(
        site,
        app::routes(),
        &atoll_render::headers::redirects(site),
    )
    .map_err(ServeError::Urls)
}

/// A blocking task's panic (or cancellation) as a [`ServeError`].
pub(crate) fn panicked(what: &'static str, err: tokio::task::JoinError) -> ServeError {
    ServeError::Panicked {
        what,
        message: err.to_string(),
    }
}

/// Hash of the path, size and modification time of every file under `dir`.
pub fn folder_fingerprint(dir: &Path) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for entry in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        entry.path().hash(&mut hasher);
        if let Ok(meta) = entry.metadata() {
            meta.len().hash(&mut hasher);
            meta.modified().ok().hash(&mut hasher);
        }
    }
    hasher.finish()
}

struct Reload {
    /// The parsed Markdown of the last load of a folder (incremental reloads).
    cache: Option<ContentCache>,
    /// The fingerprint of the files whose load failed: not loaded again until a file
    /// changes (a broken file is reported once, not at every check).
    failed_fingerprint: Option<u64>,
    last_attempt: Option<Instant>,
    fingerprint: Option<u64>,
    last_error: Option<Arc<ServeError>>,
}

/// The current snapshot of a source, reloaded on demand.
pub struct Content {
    source: ContentSource,
    /// The search index and the generation it was built from: rebuilt in the
    /// background after a reload (searches use the previous one meanwhile).
    search: Arc<RwLock<(u64, Arc<SearchIndex>)>>,
    /// Turns `true` once the first index is built (in the background from the start:
    /// searches wait for it, nothing else does).
    search_ready: tokio::sync::watch::Receiver<bool>,
    store: Option<Arc<crate::store::Store>>,
    public: PathBuf,
    /// [`Site::island_bundles`], given to every snapshot.
    island_bundles: Vec<String>,
    min_interval: Duration,
    current: RwLock<Arc<Snapshot>>,
    reload: tokio::sync::Mutex<Reload>,
}

impl std::fmt::Debug for Content {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Content")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl Content {
    /// Content whose first snapshot is `site` (already loaded from `source`).
    /// `public` is the public folder (its `robots.txt`); reloads that are not forced
    /// happen at most once per `min_interval`.
    pub fn new(
        source: ContentSource,
        mut site: Site,
        public: PathBuf,
        min_interval: Duration,
    ) -> Self {
        let robots = read_robots(&public);
        let images = Arc::new(crate::images::plan(&mut site, &public));
        let fingerprint = source.fingerprint();
        // The first index is built beside the start (about 1.2 s of CPU for 10,000
        // posts): the pages do not wait for it.
        let search = Arc::new(RwLock::new((0, Arc::new(SearchIndex::default()))));
        let (ready, search_ready) = tokio::sync::watch::channel(false);
        index_in_background(Arc::clone(&search), site.posts.clone(), 1, Some(ready));
        Content {
            search,
            search_ready,
            store: None,
            current: RwLock::new(Arc::new(Snapshot {
                images,
                ..Snapshot::new(site, robots, 1, app::routes())
            })),
            reload: tokio::sync::Mutex::new(Reload {
                cache: None,
                failed_fingerprint: None,
                last_attempt: Some(Instant::now()),
                fingerprint,
                last_error: None,
            }),
            source,
            public,
            island_bundles: Vec::new(),
            min_interval,
        }
    }

    /// The same content with pages loading the islands bundles of groups `bundles`
    /// ([`Site::island_bundles`]: those the islands folder holds), now and after every
    /// reload.
    pub fn with_island_bundles(mut self, bundles: Vec<String>) -> Self {
        {
            let mut current = self.current.write().expect("snapshot lock");
            if current.site.island_bundles != bundles {
                let old = &**current;
                let mut site = old.site.clone();
                site.island_bundles = bundles.clone();
                *current = Arc::new(Snapshot {
                    images: Arc::clone(&old.images),
                    ..Snapshot::new(site, old.robots.clone(), old.generation, old.routes)
                });
            }
        }
        self.island_bundles = bundles;
        self
    }

    /// The same content rendered with the route table `routes` (the site's own table;
    /// [`app::routes`] by default).
    pub fn with_routes(self, routes: &'static app::Routes) -> Self {
        {
            let mut current = self.current.write().expect("snapshot lock");
            if !std::ptr::eq(current.routes, routes) {
                let old = &**current;
                *current = Arc::new(Snapshot {
                    images: Arc::clone(&old.images),
                    ..Snapshot::new(old.site.clone(), old.robots.clone(), old.generation, routes)
                });
            }
        }
        self
    }

    /// Gives the parsed Markdown of the load the first snapshot came from
    /// ([`ContentCache::from_parts`] of [`crate::content::Loaded`]), so that the first
    /// reload already parses only the files that changed.
    pub async fn seed_cache(&self, cache: ContentCache) {
        self.reload.lock().await.cache = Some(cache);
    }

    /// The search index of the posts (of the current content, or of the previous one
    /// for the moment its rebuild takes after a reload).
    /// Waits for the first index when the content has just been loaded.
    pub async fn search(&self) -> Arc<SearchIndex> {
        let mut ready = self.search_ready.clone();
        // An error: the builder thread panicked; the empty index answers.
        let _ = ready.wait_for(|built| *built).await;
        Arc::clone(&self.search.read().expect("search lock").1)
    }

    /// Applies the catalog's stock to `store` after each reload (a product added while
    /// the server runs can be bought; a restock in the catalog is applied).
    pub fn with_store(mut self, store: Option<Arc<crate::store::Store>>) -> Self {
        self.store = store;
        self
    }

    /// Whether checking the source for changes is cheap (a folder: file stamps), so
    /// that requests from anyone (unknown URLs, the content API) may trigger it. A CMS
    /// is reloaded only by ISR regenerations and webhooks.
    pub fn cheap_to_check(&self) -> bool {
        !matches!(self.source, ContentSource::Cms { .. })
    }

    /// Makes the next check reload the content whatever the files' stamps (the first
    /// snapshot did not come from them: `atoll serve --dev` started on broken content).
    pub async fn forget_fingerprint(&self) {
        self.reload.lock().await.fingerprint = None;
    }

    /// The source.
    pub fn source(&self) -> &ContentSource {
        &self.source
    }

    /// The current snapshot.
    pub fn current(&self) -> Arc<Snapshot> {
        Arc::clone(&self.current.read().expect("snapshot lock"))
    }

    /// Reloads the content if it changed and returns the snapshot to render from.
    ///
    /// Without `force`, a reload attempted less than `min_interval` ago is not repeated:
    /// its outcome stands (the current snapshot, or its error). Concurrent callers wait
    /// for one reload.
    ///
    /// # Errors
    /// The reload's error; the current snapshot (the last good content) is unchanged.
    pub async fn refresh(&self, force: bool) -> Result<Arc<Snapshot>, Arc<ServeError>> {
        let mut reload = self.reload.lock().await;
        let recent = reload
            .last_attempt
            .is_some_and(|at| at.elapsed() < self.min_interval);
        if recent && !force {
            return self.outcome(&reload);
        }
        self.reload_locked(&mut reload).await
    }

    /// The outcome of a check of the content that started at or after `since` (a
    /// request's arrival): a page that did not exist then must see the content as it is
    /// now. When the last check is older than `since` but within the reload interval,
    /// waits for the interval to pass, so that a burst of unknown URLs still costs one
    /// check per interval.
    ///
    /// # Errors
    /// As [`Content::refresh`].
    pub async fn refresh_after(&self, since: Instant) -> Result<Arc<Snapshot>, Arc<ServeError>> {
        let mut reload = self.reload.lock().await;
        if let Some(at) = reload.last_attempt {
            if at >= since {
                return self.outcome(&reload);
            }
            let next = at + self.min_interval;
            if next > Instant::now() {
                tokio::time::sleep_until(next.into()).await;
            }
        }
        self.reload_locked(&mut reload).await
    }

    fn outcome(&self, reload: &Reload) -> Result<Arc<Snapshot>, Arc<ServeError>> {
        match &reload.last_error {
            Some(err) => Err(Arc::clone(err)),
            None => Ok(self.current()),
        }
    }

    async fn reload_locked(&self, reload: &mut Reload) -> Result<Arc<Snapshot>, Arc<ServeError>> {
        reload.last_attempt = Some(Instant::now());
        let fingerprint = {
            let source = self.source.clone();
            tokio::task::spawn_blocking(move || source.fingerprint())
                .await
                .ok()
                .flatten()
        };
        // A scheduled change (Hugo's `publishDate`/`expiryDate`) that has come is a
        // change of the content even though no file changed: load it again.
        let due = self
            .current()
            .site
            .next_change
            .is_some_and(|at| at <= chrono::Utc::now());
        if !due
            && fingerprint.is_some()
            && fingerprint == reload.fingerprint
            && reload.last_error.is_none()
        {
            return Ok(self.current());
        }
        if fingerprint.is_some() && fingerprint == reload.failed_fingerprint {
            return self.outcome(reload);
        }
        let started = Instant::now();
        let loaded = match &self.source {
            ContentSource::Files { dir, options } => {
                let (dir, options) = (dir.clone(), options.clone());
                let previous = self.current();
                let cache = reload.cache.take();
                tokio::task::spawn_blocking(move || {
                    let previous = cache.as_ref().map(|cache| (&previous.site, cache));
                    load_files(&dir, &options, previous)
                })
                .await
                .map_err(|err| panicked("the content loader", err))
                .and_then(|result| result)
                .map(|(site, cache)| {
                    reload.cache = Some(cache);
                    site
                })
            }
            _ => self.source.load().await,
        };
        let load_ms = started.elapsed().as_millis();
        match loaded {
            Ok(site) => {
                let generation = self.current().generation + 1;
                let robots = read_robots(&self.public);
                let routes = self.current().routes;
                let public = self.public.clone();
                let island_bundles = self.island_bundles.clone();
                let snapshot = tokio::task::spawn_blocking(move || {
                    let mut site = site;
                    site.island_bundles = island_bundles;
                    let images = Arc::new(crate::images::plan(&mut site, &public));
                    Arc::new(Snapshot {
                        images,
                        ..Snapshot::new(site, robots, generation, routes)
                    })
                })
                .await
                .map_err(|err| Arc::new(panicked("indexing", err)))?;
                *self.current.write().expect("snapshot lock") = Arc::clone(&snapshot);
                if let Some(store) = &self.store {
                    if let Err(err) = store.sync_catalog(&snapshot.site.products) {
                        tracing::warn!("cannot apply the catalog's stock to the database: {err}");
                    }
                }
                index_in_background(
                    Arc::clone(&self.search),
                    snapshot.site.posts.clone(),
                    snapshot.generation,
                    None,
                );
                reload.fingerprint = fingerprint;
                reload.failed_fingerprint = None;
                reload.last_error = None;
                tracing::info!(
                    generation,
                    load_ms,
                    total_ms = started.elapsed().as_millis() as u64,
                    "content reloaded"
                );
                Ok(snapshot)
            }
            Err(err) => {
                tracing::warn!(
                    "content reload failed, keeping the last good content: {}",
                    err.chain()
                );
                let err = Arc::new(err);
                reload.last_error = Some(Arc::clone(&err));
                reload.failed_fingerprint = fingerprint;
                Err(err)
            }
        }
    }
}

/// Builds the search index of `posts` (content `generation`) on a thread pool of its
/// own with one thread at the lowest CPU priority (`nice 19`; Linux: that thread only),
/// so that it does not slow the renders of a webhook or of a start down (about 1.2 s
/// of CPU for 10,000 posts, which the global pool's threads would otherwise take),
/// then puts it in `slot` unless a newer one is there, and tells `ready`.
fn index_in_background(
    slot: Arc<RwLock<(u64, Arc<SearchIndex>)>>,
    posts: Vec<app::Post>,
    generation: u64,
    ready: Option<tokio::sync::watch::Sender<bool>>,
) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "atoll-search-index".into())
        .start_handler(|_| {
            #[cfg(target_os = "linux")]
            let _ = rustix::process::nice(19);
        })
        .build()
        .expect("cannot start a thread");
    // The pool ends once this job is done.
    pool.spawn(move || {
        // A panic here would abort the process (a rayon pool's spawned job): caught,
        // logged, and the previous (or empty) index keeps answering.
        let built = std::panic::catch_unwind(|| atoll_render::search::search_index(&posts));
        let index = match built {
            Ok(index) => Arc::new(index),
            Err(_) => {
                tracing::error!("building the search index panicked; the previous index answers");
                if let Some(ready) = ready {
                    let _ = ready.send(true);
                }
                return;
            }
        };
        let mut slot = slot.write().expect("search lock");
        if slot.0 < generation {
            *slot = (generation, index);
        }
        drop(slot);
        if let Some(ready) = ready {
            let _ = ready.send(true);
        }
    });
}

fn read_robots(public: &Path) -> Option<String> {
    std::fs::read_to_string(public.join("robots.txt")).ok()
}

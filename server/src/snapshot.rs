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

use anyhow::Context as _;
use app::Site;
use islands::search::SearchIndex;

use crate::cms::CmsSource;
use crate::content::{load, LoadOptions};
use crate::targets::Target;

/// One loaded version of the site, with its lookup tables.
#[derive(Debug)]
pub struct Snapshot {
    /// The site.
    pub site: Site,
    /// The search index of its posts.
    pub search: SearchIndex,
    /// `aliases` (and `/…/page/1/`) → the URL they redirect to (301), as the export's
    /// `_redirects`.
    pub redirects: HashMap<String, String>,
    /// `public/robots.txt` at load time, if any.
    pub robots: Option<String>,
    /// 1 for the first load, +1 for each reload that changed something.
    pub generation: u64,
    /// When it was loaded.
    pub loaded_at: SystemTime,
    products: HashMap<String, usize>,
    inputs: app::Inputs,
    /// Entry source → hash of its rendered body.
    bodies: HashMap<String, u64>,
}

impl Snapshot {
    /// Indexes `site`.
    pub fn new(site: Site, robots: Option<String>, generation: u64) -> Self {
        Snapshot {
            search: crate::serve::search_index(&site),
            redirects: crate::export::redirects(&site).into_iter().collect(),
            products: site
                .products
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id.clone(), i))
                .collect(),
            inputs: app::Inputs::new(&site),
            bodies: body_hashes(&site),
            robots,
            generation,
            loaded_at: SystemTime::now(),
            site,
        }
    }

    /// A hash of everything the page of `target` shows ([`app::Inputs`]): a cached page
    /// whose hash differs from the current snapshot's is out of date. For the feed,
    /// sitemaps and `robots.txt`, the hash of the rendered document.
    pub fn input_hash(&self, target: &Target) -> u64 {
        match target {
            Target::Route(route) => self.inputs.route(&self.site, route, &|source| {
                self.bodies.get(source).copied().unwrap_or(0)
            }),
            _ => target
                .render(self, None)
                .map_or(0, |page| document_hash(&page.html)),
        }
    }

    /// The input hash of `page`, just rendered from this snapshot for `target`
    /// (without rendering documents twice).
    pub fn page_hash(&self, target: &Target, page: &crate::pages::Page) -> u64 {
        match target {
            Target::Route(_) => self.input_hash(target),
            _ => document_hash(&page.html),
        }
    }

    /// A product by id (SKU).
    pub fn product(&self, id: &str) -> Option<&app::Product> {
        self.site.products.get(*self.products.get(id)?)
    }
}

/// The input hash of a generated document (feed, sitemap, robots.txt): its bytes.
fn document_hash(bytes: &[u8]) -> u64 {
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
    pub async fn load(&self) -> anyhow::Result<Site> {
        match self {
            ContentSource::Fixed(site) => Ok((**site).clone()),
            ContentSource::Files { dir, options } => {
                let (dir, options) = (dir.clone(), options.clone());
                tokio::task::spawn_blocking(move || {
                    load(&dir, &options)
                        .map(|loaded| loaded.site)
                        .with_context(|| format!("cannot load the site in `{}`", dir.display()))
                })
                .await
                .context("the content loader panicked")?
            }
            ContentSource::Cms { dir, options, cms } => {
                let (posts, products) = cms.fetch(options.include_drafts).await?;
                let (dir, options) = (dir.clone(), options.clone());
                tokio::task::spawn_blocking(move || {
                    let loaded = load(&dir, &options)
                        .with_context(|| format!("cannot load the site in `{}`", dir.display()))?;
                    let site = loaded.site;
                    Ok(Site::new(
                        site.config,
                        posts,
                        site.docs,
                        site.pages,
                        products,
                    ))
                })
                .await
                .context("the content loader panicked")?
            }
        }
    }
}

/// Hash of the path, size and modification time of every file under `dir`.
fn folder_fingerprint(dir: &Path) -> u64 {
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
    last_attempt: Option<Instant>,
    fingerprint: Option<u64>,
    last_error: Option<Arc<anyhow::Error>>,
}

/// The current snapshot of a source, reloaded on demand.
pub struct Content {
    source: ContentSource,
    public: PathBuf,
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
    pub fn new(source: ContentSource, site: Site, public: PathBuf, min_interval: Duration) -> Self {
        let robots = read_robots(&public);
        let fingerprint = source.fingerprint();
        Content {
            current: RwLock::new(Arc::new(Snapshot::new(site, robots, 1))),
            reload: tokio::sync::Mutex::new(Reload {
                last_attempt: Some(Instant::now()),
                fingerprint,
                last_error: None,
            }),
            source,
            public,
            min_interval,
        }
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
    pub async fn refresh(&self, force: bool) -> Result<Arc<Snapshot>, Arc<anyhow::Error>> {
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
    pub async fn refresh_after(&self, since: Instant) -> Result<Arc<Snapshot>, Arc<anyhow::Error>> {
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

    fn outcome(&self, reload: &Reload) -> Result<Arc<Snapshot>, Arc<anyhow::Error>> {
        match &reload.last_error {
            Some(err) => Err(Arc::clone(err)),
            None => Ok(self.current()),
        }
    }

    async fn reload_locked(
        &self,
        reload: &mut Reload,
    ) -> Result<Arc<Snapshot>, Arc<anyhow::Error>> {
        reload.last_attempt = Some(Instant::now());
        let fingerprint = {
            let source = self.source.clone();
            tokio::task::spawn_blocking(move || source.fingerprint())
                .await
                .ok()
                .flatten()
        };
        if fingerprint.is_some() && fingerprint == reload.fingerprint && reload.last_error.is_none()
        {
            return Ok(self.current());
        }
        match self.source.load().await {
            Ok(site) => {
                let generation = self.current().generation + 1;
                let robots = read_robots(&self.public);
                let snapshot = tokio::task::spawn_blocking(move || {
                    Arc::new(Snapshot::new(site, robots, generation))
                })
                .await
                .map_err(|err| Arc::new(anyhow::anyhow!("indexing panicked: {err}")))?;
                *self.current.write().expect("snapshot lock") = Arc::clone(&snapshot);
                reload.fingerprint = fingerprint;
                reload.last_error = None;
                tracing::info!(generation, "content reloaded");
                Ok(snapshot)
            }
            Err(err) => {
                tracing::warn!("content reload failed, keeping the last good content: {err:#}");
                let err = Arc::new(err);
                reload.last_error = Some(Arc::clone(&err));
                Err(err)
            }
        }
    }
}

fn read_robots(public: &Path) -> Option<String> {
    std::fs::read_to_string(public.join("robots.txt")).ok()
}

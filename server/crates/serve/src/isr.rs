//! The page cache behind ISR: rendered pages by path, their age, single-flight
//! regeneration, statistics, and a folder that keeps them across restarts.
//!
//! Freshness follows Next.js' incremental static regeneration: a page rendered at `t`
//! with `revalidate = r` seconds is fresh until `t + r`; after that it is *stale*: it is
//! still served (`x-atoll-cache: STALE`) while one background render replaces it. The
//! clock is injected ([`Clock`]) so that tests move time without sleeping.
//!
//! On disk (`--cache-dir`), each page is one file `pages/<sha256(path)>.page`: a JSON
//! header line ([`DiskHeader`]) and the body. The header carries the SHA-256 of the body
//! and the build id; a file whose body does not match (torn write, disk error, edit) or
//! that another build wrote is ignored and deleted, and the page is rendered again.

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use app::RenderMode;
use axum::http::HeaderValue;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::{watch, Notify};

use crate::pages::{hex, Page};

/// `Cache-Control` of `Static` pages: shared caches keep them a year (until an
/// on-demand revalidation purges them), browsers revalidate with the `ETag`.
pub const STATIC_CACHE: &str = "public, max-age=0, s-maxage=31536000";
/// `Cache-Control` of SSR pages and draft previews (Next.js' value for them).
pub const NO_STORE: &str = "private, no-cache, no-store, max-age=0, must-revalidate";

/// The `Cache-Control` of a page rendered in `mode` (see [`STATIC_CACHE`], [`NO_STORE`];
/// ISR: `public, s-maxage=<revalidate>, stale-while-revalidate=<seconds>`, as Next.js).
pub fn cache_control(mode: RenderMode, stale_while_revalidate: u32) -> HeaderValue {
    match mode {
        RenderMode::Static => HeaderValue::from_static(STATIC_CACHE),
        RenderMode::Ssr => HeaderValue::from_static(NO_STORE),
        RenderMode::Isr { revalidate } => HeaderValue::from_str(&format!(
            "public, s-maxage={revalidate}, stale-while-revalidate={stale_while_revalidate}"
        ))
        .expect("digits are a valid header value"),
    }
}

/// Where the cache reads the time: the system clock in production, a [`ManualClock`]
/// in tests.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// [`SystemTime::now`].
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that moves only when told to (tests of freshness without sleeping).
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<SystemTime>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: SystemTime) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        *self.now.lock().expect("clock lock") += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.now.lock().expect("clock lock")
    }
}

/// One cached page and when it was rendered.
#[derive(Clone, Debug)]
pub struct CachedPage {
    /// The rendered page.
    pub page: Page,
    /// When it was rendered (by the cache's clock).
    pub rendered_at: SystemTime,
    /// The route's render mode when it was rendered (`Static` or `Isr`).
    pub mode: RenderMode,
    /// [`crate::targets::Target::fingerprint`] of the content it was rendered from.
    pub inputs: u64,
    /// Its `Cache-Control` header ([`crate::cache_control`]).
    pub cache_control: axum::http::HeaderValue,
    /// Generation of the content it was rendered from (0: read from the cache folder).
    /// A render from older content never replaces it.
    pub generation: u64,
}

impl CachedPage {
    /// Whether the page is older than its `revalidate` seconds at `now`. `Static` pages
    /// never go stale (only an on-demand revalidation replaces them).
    pub fn is_stale(&self, now: SystemTime) -> bool {
        match self.mode.revalidate() {
            // A page "rendered in the future" (the clock stepped back) is stale too.
            Some(seconds) => now
                .duration_since(self.rendered_at)
                .map_or(true, |age| age >= Duration::from_secs(u64::from(seconds))),
            None => false,
        }
    }
}

/// How a page was answered, sent as `x-atoll-cache` (Next.js' `x-nextjs-cache`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheStatus {
    /// Fresh from the cache.
    Hit,
    /// From the cache, older than `revalidate`; a background render was started (or
    /// one was already running).
    Stale,
    /// Not cached: rendered during this request (blocking fallback), then cached.
    Miss,
}

impl CacheStatus {
    /// The header value: `HIT`, `STALE` or `MISS`.
    pub fn as_str(self) -> &'static str {
        match self {
            CacheStatus::Hit => "HIT",
            CacheStatus::Stale => "STALE",
            CacheStatus::Miss => "MISS",
        }
    }
}

/// Counters of the cache since the server started (shown on `/status/`).
#[derive(Debug, Default)]
pub struct CacheStats {
    /// Requests answered with a fresh cached page.
    pub hits: AtomicU64,
    /// Requests answered with a stale page (each may start a regeneration).
    pub stale: AtomicU64,
    /// Requests that rendered the page (blocking fallback).
    pub misses: AtomicU64,
    /// Pages rendered into the cache (start-up, misses, regenerations, webhooks).
    pub renders: AtomicU64,
    /// Background regenerations of stale pages that completed.
    pub regenerations: AtomicU64,
    /// Regenerations that failed (the last good page stays).
    pub failures: AtomicU64,
    /// Pages removed because their content disappeared (now 404).
    pub removed: AtomicU64,
    /// Pages read back from the cache folder at start.
    pub loaded_from_disk: AtomicU64,
    /// Files of the cache folder ignored because they were corrupted.
    pub corrupted: AtomicU64,
    /// Pages the start checks (read back or rendered), and how many it has done: the
    /// background start's progress ([`crate::AppState::fill_in_background`]).
    pub start_pages: AtomicU64,
    /// See [`CacheStats::start_pages`].
    pub start_done: AtomicU64,
}

impl CacheStats {
    /// Adds one to `counter`.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// The header line of a page file in the cache folder.
#[derive(Debug, Serialize, Deserialize)]
pub struct DiskHeader {
    /// Format version of the file: 1.
    pub format: u32,
    /// Build id of the server that wrote it; other builds ignore the file.
    pub build: String,
    /// Site-relative path of the page.
    pub path: String,
    /// Milliseconds since the Unix epoch at render time.
    pub rendered_at_ms: u64,
    /// `None` for `Static`, else `revalidate` seconds.
    pub revalidate: Option<u32>,
    /// HTTP status of the page.
    pub status: u16,
    /// `Content-Type` of the page.
    pub content_type: String,
    /// Whether the page loads the islands bundle.
    pub has_islands: bool,
    /// Input hash of the content it was rendered from.
    pub inputs: u64,
    /// The page's cache tags (`Cache-Tag`, `Surrogate-Key`); absent in files written
    /// before tags existed.
    #[serde(default)]
    pub tags: Vec<String>,
    /// What the page read ([`app::ReadSet`] as strings); empty for documents.
    #[serde(default)]
    pub reads: Vec<String>,
    /// Length of the body in bytes.
    pub len: u64,
    /// Lowercase hex SHA-256 of the body.
    pub sha256: String,
}

/// The rendered pages, by path.
#[derive(Debug)]
pub struct PageCache {
    entries: RwLock<HashMap<String, Arc<CachedPage>>>,
    in_flight: Mutex<HashMap<String, watch::Receiver<bool>>>,
    landed: Notify,
    clock: Arc<dyn Clock>,
    dir: Option<PathBuf>,
    build_id: String,
    stale_while_revalidate: u32,
    /// The counters.
    pub stats: CacheStats,
}

impl PageCache {
    /// An empty cache reading time from `clock`; with `dir`, rendered pages are also
    /// written there (see the module docs) for [`PageCache::load_disk`] after a restart.
    /// ISR pages are sent with `stale-while-revalidate=<stale_while_revalidate>`.
    pub fn new(
        clock: Arc<dyn Clock>,
        dir: Option<PathBuf>,
        build_id: String,
        stale_while_revalidate: u32,
    ) -> Self {
        Self {
            stale_while_revalidate,
            entries: RwLock::default(),
            in_flight: Mutex::default(),
            landed: Notify::new(),
            clock,
            dir,
            build_id,
            stats: CacheStats::default(),
        }
    }

    /// The clock.
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// The page cached at `path`.
    pub fn get(&self, path: &str) -> Option<Arc<CachedPage>> {
        self.entries.read().expect("cache lock").get(path).cloned()
    }

    /// Number of cached pages.
    pub fn len(&self) -> usize {
        self.entries.read().expect("cache lock").len()
    }

    /// Whether no page is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every cached path.
    pub fn paths(&self) -> Vec<String> {
        self.entries
            .read()
            .expect("cache lock")
            .keys()
            .cloned()
            .collect()
    }

    /// The paths of the cached pages whose `Cache-Tag` carries one of `wanted` (every
    /// cached path with `all`).
    pub fn tagged(&self, wanted: &std::collections::HashSet<&str>, all: bool) -> Vec<String> {
        self.entries
            .read()
            .expect("cache lock")
            .iter()
            .filter(|(_, entry)| {
                all || entry
                    .page
                    .cache_tags
                    .iter()
                    .any(|tag| wanted.contains(tag.as_str()))
            })
            .map(|(path, _)| path.clone())
            .collect()
    }

    /// Caches `page` as rendered now from content of `generation` whose input hash is
    /// `inputs` (and writes it to the cache folder). A page already cached from newer
    /// content stays (a slow render does not undo a faster, later one); it is returned.
    pub fn insert(
        &self,
        page: Page,
        mode: RenderMode,
        inputs: u64,
        generation: u64,
    ) -> Arc<CachedPage> {
        CacheStats::bump(&self.stats.renders);
        let entry = Arc::new(CachedPage {
            page,
            rendered_at: self.clock.now(),
            mode,
            inputs,
            cache_control: cache_control(mode, self.stale_while_revalidate),
            generation,
        });
        {
            let mut entries = self.entries.write().expect("cache lock");
            if let Some(newer) = entries
                .get(&entry.page.path)
                .filter(|old| old.generation > generation)
            {
                return Arc::clone(newer);
            }
            entries.insert(entry.page.path.clone(), Arc::clone(&entry));
        }
        if let Some(dir) = &self.dir {
            if let Err(err) = write_entry(dir, &self.build_id, &entry) {
                tracing::warn!(path = %entry.page.path, "cannot write the page to the cache folder: {err}");
            }
        }
        entry
    }

    /// Forgets the page at `path` (its content is gone: the path now answers 404),
    /// unless it was rendered from content newer than `generation`.
    pub fn remove(&self, path: &str, generation: u64) -> bool {
        let removed = {
            let mut entries = self.entries.write().expect("cache lock");
            match entries.get(path) {
                Some(entry) if entry.generation <= generation => entries.remove(path).is_some(),
                _ => false,
            }
        };
        if let (Some(dir), true) = (&self.dir, removed) {
            let _ = std::fs::remove_file(file_of(dir, path));
        }
        if removed {
            CacheStats::bump(&self.stats.removed);
        }
        removed
    }

    /// Single-flight: starts the render of `path` (`Ok`: the caller renders, then
    /// calls [`PageCache::land`] and sends `true`, whatever happens: use a drop guard)
    /// or joins the one in progress (`Err`: a receiver that turns `true` when it is
    /// over). At most one render per path at a time.
    pub fn take_off(&self, path: &str) -> Result<watch::Sender<bool>, watch::Receiver<bool>> {
        let mut in_flight = self.in_flight.lock().expect("flight lock");
        if let Some(landed) = in_flight.get(path) {
            return Err(landed.clone());
        }
        let (done, landed) = watch::channel(false);
        in_flight.insert(path.to_owned(), landed);
        Ok(done)
    }

    /// Ends the render of `path` started by [`PageCache::take_off`].
    pub fn land(&self, path: &str) {
        let mut in_flight = self.in_flight.lock().expect("flight lock");
        in_flight.remove(path);
        let idle = in_flight.is_empty();
        drop(in_flight);
        if idle {
            self.landed.notify_waiters();
        }
    }

    /// Whether a render of `path` is in progress.
    pub fn is_in_flight(&self, path: &str) -> bool {
        self.in_flight
            .lock()
            .expect("flight lock")
            .contains_key(path)
    }

    /// Waits until no render is in progress (tests use it to observe a regeneration).
    pub async fn settle(&self) {
        loop {
            let landed = self.landed.notified();
            tokio::pin!(landed);
            landed.as_mut().enable();
            if self.in_flight.lock().expect("flight lock").is_empty() {
                return;
            }
            landed.await;
        }
    }

    /// Reads the pages of the cache folder written by this build (a page cached already
    /// stays); corrupted files and files of other builds are deleted. Returns the
    /// number of pages read.
    pub fn load_disk(&self) -> usize {
        let Some(dir) = &self.dir else { return 0 };
        let folder = dir.join("pages");
        let Ok(read) = std::fs::read_dir(&folder) else {
            return 0;
        };
        let mut loaded = 0;
        for file in read.flatten() {
            let path = file.path();
            if path.extension().and_then(|e| e.to_str()) != Some("page") {
                continue;
            }
            match read_entry(&path, &self.build_id, self.stale_while_revalidate) {
                Ok(Some(entry)) if file_of(dir, &entry.page.path) == path => {
                    // A page rendered meanwhile (a request during a background start)
                    // is newer than its file.
                    self.entries
                        .write()
                        .expect("cache lock")
                        .entry(entry.page.path.clone())
                        .or_insert_with(|| Arc::new(entry));
                    loaded += 1;
                }
                Ok(_) => {
                    // Another build's page (or a file under a name it does not own).
                    let _ = std::fs::remove_file(&path);
                }
                Err(err) => {
                    CacheStats::bump(&self.stats.corrupted);
                    tracing::warn!(
                        file = %path.display(),
                        "ignoring a corrupted page of the cache folder: {err}"
                    );
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        self.stats
            .loaded_from_disk
            .fetch_add(loaded as u64, Ordering::Relaxed);
        loaded
    }

    /// The statistics as `(name, value)` rows, for `/status/`.
    pub fn rows(&self) -> Vec<(String, u64)> {
        let s = &self.stats;
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        vec![
            ("cached pages".into(), self.len() as u64),
            ("renders in progress".into(), {
                self.in_flight.lock().expect("flight lock").len() as u64
            }),
            ("hits".into(), get(&s.hits)),
            ("stale hits".into(), get(&s.stale)),
            ("misses".into(), get(&s.misses)),
            ("renders".into(), get(&s.renders)),
            ("regenerations".into(), get(&s.regenerations)),
            ("failed regenerations".into(), get(&s.failures)),
            ("removed (now 404)".into(), get(&s.removed)),
            (
                "loaded from the cache folder".into(),
                get(&s.loaded_from_disk),
            ),
            ("corrupted files ignored".into(), get(&s.corrupted)),
            ("start: pages to check".into(), get(&s.start_pages)),
            ("start: pages checked".into(), get(&s.start_done)),
        ]
    }
}

/// The page at `path` in the cache folder `dir`, if this build (`build`) wrote it and
/// it is whole: what a restarting server answers before its content is loaded
/// ([`crate::warm`]). `swr`: the `stale-while-revalidate` seconds of its
/// `Cache-Control`.
pub fn read_disk_page(dir: &Path, path: &str, build: &str, swr: u32) -> Option<CachedPage> {
    let file = file_of(dir, path);
    match read_entry(&file, build, swr) {
        Ok(Some(entry)) if entry.page.path == path => Some(entry),
        _ => None,
    }
}

/// The file of `path` in the cache folder `dir`.
pub fn file_of(dir: &Path, path: &str) -> PathBuf {
    let digest = Sha256::digest(path.as_bytes());
    dir.join("pages")
        .join(format!("{}.page", hex(&digest[..16])))
}

/// Writes `entry` to its file atomically (a temporary file renamed over it).
fn write_entry(dir: &Path, build: &str, entry: &CachedPage) -> std::io::Result<()> {
    let file = file_of(dir, &entry.page.path);
    let folder = file.parent().expect("a page file has a folder");
    std::fs::create_dir_all(folder)?;
    let header = DiskHeader {
        format: 1,
        build: build.to_owned(),
        path: entry.page.path.clone(),
        rendered_at_ms: entry
            .rendered_at
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis() as u64,
        revalidate: entry.mode.revalidate(),
        status: entry.page.status,
        content_type: entry.page.content_type.to_owned(),
        has_islands: entry.page.has_islands,
        inputs: entry.inputs,
        tags: entry.page.cache_tags.clone(),
        reads: entry.page.reads.to_strings(),
        len: entry.page.html.len() as u64,
        sha256: hex(&Sha256::digest(&entry.page.html)),
    };
    let mut temp = tempfile_in(folder)?;
    serde_json::to_writer(&mut temp.1, &header)?;
    temp.1.write_all(b"\n")?;
    temp.1.write_all(&entry.page.html)?;
    temp.1.flush()?;
    drop(temp.1);
    std::fs::rename(&temp.0, &file)
}

fn tempfile_in(folder: &Path) -> std::io::Result<(PathBuf, std::io::BufWriter<std::fs::File>)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        ".tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let path = folder.join(name);
    let file = std::fs::File::create(&path)?;
    Ok((path, std::io::BufWriter::new(file)))
}

/// Reads a page file: `Ok(None)` when another build wrote it, `Err` when it is
/// corrupted (unreadable header, wrong length or checksum).
fn read_entry(file: &Path, build: &str, swr: u32) -> Result<Option<CachedPage>, String> {
    let bytes = std::fs::read(file).map_err(|e| e.to_string())?;
    let newline = bytes
        .iter()
        .position(|&b| b == b'\n')
        .ok_or("no header line")?;
    let header: DiskHeader =
        serde_json::from_slice(&bytes[..newline]).map_err(|e| format!("header: {e}"))?;
    if header.format != 1 || header.build != build {
        return Ok(None);
    }
    let body = &bytes[newline + 1..];
    if body.len() as u64 != header.len {
        return Err(format!(
            "body is {} bytes, the header says {}",
            body.len(),
            header.len
        ));
    }
    if hex(&Sha256::digest(body)) != header.sha256 {
        return Err("body does not match its SHA-256".into());
    }
    let content_type = match header.content_type.as_str() {
        crate::pages::HTML => crate::pages::HTML,
        crate::pages::ATOM => crate::pages::ATOM,
        crate::pages::XML => crate::pages::XML,
        crate::pages::TEXT => crate::pages::TEXT,
        other => return Err(format!("unknown content type {other}")),
    };
    let mut page = Page::from_bytes(
        header.path,
        Bytes::copy_from_slice(body),
        header.status,
        content_type,
    );
    page.has_islands = header.has_islands;
    let mut page = page.with_cache_tags(header.tags);
    // A read-set this build cannot read: the fingerprint never matches, so the page is
    // rendered again at the next reload.
    page.reads = Arc::new(app::ReadSet::from_strings(&header.reads).unwrap_or_default());
    let mode = match header.revalidate {
        Some(revalidate) => RenderMode::Isr { revalidate },
        None => RenderMode::Static,
    };
    Ok(Some(CachedPage {
        page,
        rendered_at: UNIX_EPOCH + Duration::from_millis(header.rendered_at_ms),
        mode,
        inputs: header.inputs,
        cache_control: cache_control(mode, swr),
        generation: 0,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, html: &str) -> Page {
        Page::from_bytes(
            path.into(),
            Bytes::from(html.to_owned()),
            200,
            crate::pages::HTML,
        )
    }

    #[test]
    fn freshness_follows_revalidate() {
        let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(1000)));
        let cache = PageCache::new(clock.clone(), None, "b".into(), 0);
        let entry = cache.insert(page("/a/", "a"), RenderMode::Isr { revalidate: 60 }, 0, 1);
        assert!(!entry.is_stale(clock.now()));
        clock.advance(Duration::from_secs(59));
        assert!(!entry.is_stale(clock.now()));
        clock.advance(Duration::from_secs(1));
        assert!(entry.is_stale(clock.now()));
        let fixed = cache.insert(page("/b/", "b"), RenderMode::Static, 0, 1);
        clock.advance(Duration::from_secs(1_000_000));
        assert!(!fixed.is_stale(clock.now()));
    }

    #[test]
    fn pages_survive_a_restart_and_corruption_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(5000)));
        let cache = PageCache::new(clock.clone(), Some(dir.path().into()), "b1".into(), 0);
        cache.insert(
            page("/a/", "<p>a</p>"),
            RenderMode::Isr { revalidate: 60 },
            0,
            1,
        );
        cache.insert(page("/b/", "<p>b</p>"), RenderMode::Static, 0, 1);

        let again = PageCache::new(clock.clone(), Some(dir.path().into()), "b1".into(), 0);
        assert_eq!(again.load_disk(), 2);
        let a = again.get("/a/").unwrap();
        assert_eq!(&a.page.html[..], b"<p>a</p>");
        assert_eq!(a.mode, RenderMode::Isr { revalidate: 60 });
        assert_eq!(a.rendered_at, UNIX_EPOCH + Duration::from_secs(5000));
        assert_eq!(a.page.etag, cache.get("/a/").unwrap().page.etag);

        // One flipped byte in the body: detected, deleted, not served.
        let file = file_of(dir.path(), "/b/");
        let mut bytes = std::fs::read(&file).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 1;
        std::fs::write(&file, bytes).unwrap();
        let third = PageCache::new(clock.clone(), Some(dir.path().into()), "b1".into(), 0);
        assert_eq!(third.load_disk(), 1);
        assert!(third.get("/b/").is_none());
        assert_eq!(third.stats.corrupted.load(Ordering::Relaxed), 1);
        assert!(!file.exists());

        // Another build ignores (and deletes) the files.
        let other = PageCache::new(clock, Some(dir.path().into()), "b2".into(), 0);
        assert_eq!(other.load_disk(), 0);
        assert!(!file_of(dir.path(), "/a/").exists());
    }

    #[tokio::test]
    async fn one_render_per_path_at_a_time() {
        let cache = Arc::new(PageCache::new(Arc::new(SystemClock), None, "b".into(), 0));
        let renders = Arc::new(AtomicU64::new(0));
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let (cache, renders, gate) = (cache.clone(), renders.clone(), gate.clone());
            tasks.push(tokio::spawn(async move {
                match cache.take_off("/x/") {
                    Ok(done) => {
                        let _permit = gate.acquire().await.unwrap();
                        renders.fetch_add(1, Ordering::SeqCst);
                        let _ = done.send(true);
                        cache.land("/x/");
                    }
                    Err(mut landed) => {
                        let _ = landed.wait_for(|done| *done).await;
                    }
                }
            }));
        }
        tokio::task::yield_now().await;
        assert!(cache.is_in_flight("/x/"));
        gate.add_permits(100);
        for task in tasks {
            task.await.unwrap();
        }
        cache.settle().await;
        assert_eq!(renders.load(Ordering::SeqCst), 1);
        assert!(!cache.is_in_flight("/x/"));
    }
}

//! What an export is asked to do, and what it reports.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Where to export and how.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    /// The output folder, replaced as a whole.
    pub out: PathBuf,
    /// The content folder (the output must not be inside it, nor contain it).
    pub content: PathBuf,
    /// Static assets, fingerprinted and copied; `None` to copy nothing.
    pub public: Option<PathBuf>,
    /// The islands bundle (Trunk's output), published under `OUT/pkg/` when a page has
    /// an island.
    pub islands: PathBuf,
    /// Minify the HTML (default). `false` keeps Leptos' output as is, for debugging.
    pub minify: bool,
    /// Write `.br` and `.gz` beside each text file (default). Hosts that compress on
    /// the fly (Cloudflare Pages, Netlify) do not need them.
    pub compress: bool,
    /// Write the static search index (default), for search without the API. Costs one
    /// file per post and a rebuild of the index whenever a post changes.
    pub search: bool,
    /// The site's route table ([`app::routes`] for the demo site's).
    pub routes: &'static app::Routes,
    /// The cache folder shared with `atoll serve` (`data/cache` by default on the
    /// command line): image variants are kept in its `images/` and encoded only once.
    /// `None`: `atoll-cache` in the system's temporary folder.
    pub cache_dir: Option<PathBuf>,
}

/// What happens during an export, for progress display.
pub trait Progress: Sync {
    /// A stage starts: `name` and the number of steps (0 when unknown).
    fn stage(&self, name: &'static str, steps: u64);
    /// One step of the current stage is done.
    fn step(&self);
    /// Image variants are encoded alongside the pages: `images` images lack some
    /// (called once, before the first is encoded, and only when `images > 0`).
    fn images(&self, images: u64) {
        let _ = images;
    }
    /// One image's missing variants are encoded.
    fn image_done(&self) {}
}

/// A [`Progress`] that shows nothing.
pub struct Quiet;

impl Progress for Quiet {
    fn stage(&self, _: &'static str, _: u64) {}
    fn step(&self) {}
}

/// What an export wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportReport {
    /// HTML pages.
    pub pages: usize,
    /// Files in the output, compressed siblings and manifest included.
    pub files: usize,
    /// Bytes of all files in the output.
    pub bytes: u64,
    /// Files newly written by this export (the others were kept from the previous one).
    pub written: usize,
    /// Bytes of JavaScript + WebAssembly the page with islands that loads the most
    /// downloads (the loader and its islands bundle), uncompressed (0 when no page has
    /// an island).
    pub islands_bytes: u64,
    /// The same, as brotli (what a visitor downloads).
    pub islands_brotli_bytes: u64,
    /// Per page type (`post`, `search`, …): (pages, JS + WASM bytes the one that loads
    /// the most downloads — the loader and its islands bundle — as brotli; uncompressed
    /// with `compress: false`).
    pub page_types: BTreeMap<String, (usize, u64)>,
    /// Broken internal links let through by `link_check = "warn"` (a Zola or Hugo site
    /// root's default), for the caller to show.
    pub link_warnings: Vec<crate::error::BrokenLink>,
    /// Wall time.
    pub elapsed: Duration,
}

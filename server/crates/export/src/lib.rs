//! The static export: a folder any CDN or static file server can host.
//!
//! ```text
//! OUT/index.html, OUT/<path>/index.html   every page (minified unless --no-minify)
//! OUT/404.html                            the not-found page
//! OUT/sitemap.xml (+ sitemap-N.xml)       sitemap, an index past 50,000 URLs
//! OUT/atom.xml                            Atom feed of the latest posts, full content
//! OUT/robots.txt                          public/robots.txt + the Sitemap line
//! OUT/_headers, OUT/_redirects            Netlify / Cloudflare Pages formats
//! OUT/<asset>.<hash>.<ext>                fingerprinted public/ files
//! OUT/pkg/…                               the islands bundle, only if a page has an island
//! OUT/search/…                            the static search index (see [`search`])
//! OUT/**.br, OUT/**.gz                    precompressed text files
//! OUT/.atoll-export                       manifest (see [`manifest`])
//! ```
//!
//! **Atomic**: a first export (or one with other options or another `atoll` binary) is
//! written whole to a staging folder beside `OUT` and swapped in only when complete and
//! every internal link resolves. **Incremental**: when `OUT` holds a previous export of
//! this binary, only pages whose read-set changed are rendered, only files whose bytes
//! changed are written — to the staging folder, then renamed into `OUT` once every check
//! passed — and unchanged files keep their inode and mtime. Either way a failed export
//! leaves the previous output untouched.
#![deny(missing_docs)]

mod assets;
mod commit;
mod plan;
pub(crate) use atoll_render::compress;
use atoll_render::headers;
pub use headers::SECURITY_HEADERS;
mod html;
mod links;
pub mod manifest;
pub mod search;
mod writer;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use app::{render_in, Cx, Site};
use rayon::prelude::*;

pub use atoll_render::bundle::{check_islands_bundle, ISLANDS_FILES};
pub use headers::{check_redirects, redirects, CSP};
pub use links::BrokenLink;
pub use manifest::{Manifest, MARKER};

use atoll_content::{ContentCache, Loaded};
pub use commit::page_file;
use commit::{absolute, check_output, commit_in_place, is_generated, swap};
use manifest::{digest, PageRecord};
use plan::{dep_table, PageOutput, PageReads, Plan};
use writer::{siblings, Writer};

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
}

/// What happens during an export, for progress display.
pub trait Progress: Sync {
    /// A stage starts: `name` and the number of steps (0 when unknown).
    fn stage(&self, name: &'static str, steps: u64);
    /// One step of the current stage is done.
    fn step(&self);
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
    /// Bytes of JavaScript + WebAssembly a page with islands loads, uncompressed (0 when
    /// no page has one).
    pub islands_bytes: u64,
    /// The same, as brotli (what a visitor downloads).
    pub islands_brotli_bytes: u64,
    /// Per page type (`post`, `search`, …): (pages, JS + WASM bytes each downloads, as
    /// brotli; uncompressed with `compress: false`).
    pub page_types: BTreeMap<String, (usize, u64)>,
    /// Wall time.
    pub elapsed: Duration,
}

/// Why an export failed. The previous output is untouched in every case.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The output folder is unsafe to replace.
    #[error("refusing to export to `{}`: {reason}", out.display())]
    UnsafeOutput {
        /// The output folder.
        out: PathBuf,
        /// Why.
        reason: String,
    },
    /// The islands bundle is missing while a page needs it.
    #[error("{0}")]
    MissingBundle(String),
    /// A page and a `public/` file want the same output path.
    #[error("`{}` in the public folder collides with {what}: rename the file", file.display())]
    Collision {
        /// The public file.
        file: PathBuf,
        /// What else wants the path.
        what: String,
    },
    /// Internal links or asset references that do not resolve inside the output.
    #[error("{} broken internal link(s) (page → target):{}", .0.len(), BrokenList(.0))]
    BrokenLinks(Vec<BrokenLink>),
    /// A page could not be processed (a bug in Atoll).
    #[error("{0}")]
    Html(String),
    /// Moving the changed files of an incremental export into the output failed
    /// midway: the output is a mix of old and new files, and its manifest is marked
    /// incomplete so that the next export rebuilds it in full.
    #[error("updating `{}` in place failed midway ({reason}); the output is partly updated and the next export rebuilds it in full", out.display())]
    PartialCommit {
        /// The output folder.
        out: PathBuf,
        /// The error.
        reason: String,
    },
    /// A cached content file changed during the export and no longer parses.
    #[error("{0}")]
    Content(String),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

struct BrokenList<'a>(&'a [BrokenLink]);

impl std::fmt::Display for BrokenList<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        /// Lines shown; a site-wide mistake (a layout link) would print one per page.
        const SHOWN: usize = 50;
        for link in self.0.iter().take(SHOWN) {
            write!(f, "\n  {} → {} ({})", link.page, link.target, link.reason)?;
        }
        if self.0.len() > SHOWN {
            write!(f, "\n  … and {} more", self.0.len() - SHOWN)?;
        }
        Ok(())
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Exports `site` as described by `options`, without progress output.
///
/// # Errors
/// As [`export_with_progress`].
pub fn export(site: &Site, options: &ExportOptions) -> Result<ExportReport, ExportError> {
    let loaded = Loaded {
        site: site.clone(),
        warnings: Vec::new(),
        sources: HashMap::new(),
        deferred: HashSet::new(),
    };
    let previous = previous_manifest(&options.out);
    export_with_progress(loaded, options, previous, &Quiet)
}

/// The manifest of the export in `out` if this very `atoll` binary wrote it (another
/// version or build may render differently): pass its [`Manifest::content`] to
/// [`atoll_content::load_with_cache`] and the manifest to [`export_with_progress`].
pub fn previous_manifest(out: &Path) -> Option<Manifest> {
    Manifest::read(out).filter(|m| m.generator == generator())
}

/// Exports the `loaded` site as described by `options`, reporting stages to `progress`.
///
/// With a previous export in `options.out` written by the same binary with the same
/// options, the export is **incremental**: pages whose read-set ([`app::ReadSet`]: what
/// they showed of the content) did not change are not rendered, bodies of cached entries ([`Loaded::deferred`]) are parsed
/// only for pages that are, and only changed files are written — into a staging folder,
/// then renamed into place once everything (links included) checked out; files the site
/// no longer has are removed. Otherwise the whole output is built beside `out` and
/// swapped in.
///
/// # Errors
/// [`ExportError`]; on any error the staging folder is removed and `options.out` is as
/// it was.
pub fn export_with_progress(
    loaded: Loaded,
    options: &ExportOptions,
    previous: Option<Manifest>,
    progress: &dyn Progress,
) -> Result<ExportReport, ExportError> {
    let started = Instant::now();
    let out = absolute(&options.out).map_err(io_err(&options.out))?;
    check_output(&out, options)?;

    let parent = out.parent().unwrap_or(Path::new("/"));
    std::fs::create_dir_all(parent).map_err(io_err(parent))?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staging = parent.join(format!(".{name}.atoll-staging-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io_err(&staging))?;
    }
    std::fs::create_dir(&staging).map_err(io_err(&staging))?;

    let result = build(loaded, options, previous, &out, &staging, progress).and_then(
        |(mut report, commit)| {
            match commit {
                Commit::Swap => swap(&staging, &out)?,
                Commit::InPlace { staged, removed } => {
                    commit_in_place(&staging, &out, &staged, &removed).map_err(|err| {
                        ExportError::PartialCommit {
                            out: out.clone(),
                            reason: err.to_string(),
                        }
                    })?;
                    if let Err(err) = std::fs::remove_dir_all(&staging) {
                        tracing::warn!("could not remove {}: {err}", staging.display());
                    }
                }
            }
            report.elapsed = started.elapsed();
            Ok(report)
        },
    );
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// How the staging folder becomes the output.
enum Commit {
    /// The staging folder holds the whole output: swap the folders.
    Swap,
    /// The staging folder holds the changed files only (relative paths, siblings
    /// included): rename them into the output, then delete `removed`.
    InPlace {
        staged: Vec<String>,
        removed: Vec<String>,
    },
}

/// Writes the output (or, incrementally, its changed files) into `staging`.
fn build(
    loaded: Loaded,
    options: &ExportOptions,
    previous: Option<Manifest>,
    out: &Path,
    staging: &Path,
    progress: &dyn Progress,
) -> Result<(ExportReport, Commit), ExportError> {
    let Loaded {
        mut site,
        sources,
        mut deferred,
        ..
    } = loaded;
    let options_key = format!(
        "minify={} compress={} search={}",
        options.minify, options.compress, options.search
    );
    let previous = previous.filter(|m| m.generator == generator() && m.options == options_key);
    let in_place = previous.is_some();
    let writer = Writer {
        staging,
        out,
        in_place,
        staged: std::sync::Mutex::new(Vec::new()),
        previous: previous.as_ref(),
        written: AtomicUsize::new(0),
        files: AtomicUsize::new(0),
        bytes: AtomicU64::new(0),
        hashes: std::sync::Mutex::new(BTreeMap::new()),
        compress: options.compress,
    };

    // Assets first: pages refer to their fingerprinted names.
    progress.stage("assets", 0);
    let assets = assets::collect(
        options.public.as_deref(),
        &site.bundle_files,
        Some((options.islands.as_path(), &ISLANDS_FILES[..])),
    )?;
    site.assets = assets
        .iter()
        .filter(|a| a.fingerprinted())
        .map(|a| (a.url.clone(), a.out_url.clone()))
        .collect();

    let Plan {
        pages,
        body_ids,
        carried,
        needed,
        search_unchanged,
    } = plan::plan(
        &site,
        &sources,
        options.routes,
        previous.as_ref(),
        out,
        options.search,
    );
    let body_id = |source: &str| body_ids.get(source).copied().unwrap_or(0);
    if !deferred.is_empty() {
        atoll_content::load_bodies(&options.content, &mut site, &mut deferred, &needed)
            .map_err(|err| ExportError::Content(err.to_string()))?;
    }
    // The documents of the static index when it is rebuilt. A post whose body was not
    // parsed (unchanged since the previous export) takes its text from the previous
    // export's document for its URL; only posts without one are parsed now.
    let search_docs = if search_unchanged {
        None
    } else {
        let previous_out = previous.is_some().then_some(out);
        Some(search::documents(
            &options.content,
            &mut site,
            &mut deferred,
            previous_out,
        )?)
    };
    let to_render = carried.iter().filter(|c| c.is_none()).count();
    progress.stage("pages", to_render as u64);
    // The islands bundle is compressed at maximum quality (~0.5 s for the WASM module)
    // while the pages render, unless the previous export already has it.
    let bundle = || -> HashMap<String, (Vec<u8>, Vec<u8>)> {
        assets
            .par_iter()
            .filter(|a| {
                options.compress
                    && a.islands
                    && compress::is_compressible(&a.out_url, a.bytes.len())
            })
            .filter(|a| !writer.unchanged(a.out_url.trim_start_matches('/'), &a.bytes))
            .map(|a| {
                let prebuilt = a
                    .url
                    .strip_prefix(app::PKG_PATH)
                    .and_then(|name| compress::prebuilt(&options.islands.join(name), &a.bytes));
                let pair = prebuilt.unwrap_or_else(|| compress::compress(&a.bytes, true));
                (a.out_url.clone(), pair)
            })
            .collect()
    };
    // One page, rendered and written; `Missed` when it read a body that is not loaded.
    let render_one = |site: &Site,
                      deferred: &HashSet<String>,
                      i: usize|
     -> Option<Result<Rendered, ExportError>> {
        let page = &pages[i];
        let cx = Cx::new(site, Some(deferred), None);
        let rendered = render_in(&cx, page)?;
        if cx.missed_body() {
            let sources = rendered.reads.body_sources(site);
            return Some(Ok(Rendered::Missed(
                i,
                sources.into_iter().map(str::to_owned).collect(),
            )));
        }
        let key = format!("{:016x}", rendered.reads.fingerprint(site, &body_id));
        let reads = PageReads::New(rendered.reads.to_strings());
        let result = html::process(&rendered.html, &rendered.path, &site.assets, options.minify)
            .map_err(ExportError::Html)
            .and_then(|processed| {
                let file = page_file(&rendered.path);
                let rel = file.to_string_lossy().replace('\\', "/");
                let bytes = writer.emit(&rel, &processed.html, false)?;
                Ok(Rendered::Out(PageOutput {
                    kind: page.name().to_owned(),
                    path: rendered.path,
                    file: format!("/{rel}"),
                    has_islands: rendered.has_islands,
                    links: processed.links,
                    ids: processed.ids,
                    key,
                    reads,
                    bytes,
                }))
            });
        progress.step();
        Some(result)
    };
    let render_all = || {
        pages
            .par_iter()
            .enumerate()
            .zip(&carried)
            .filter_map(|((i, page), carried)| {
                if let Some(record) = carried {
                    let path = page.path().to_owned();
                    let rel = page_file(&path).to_string_lossy().replace('\\', "/");
                    writer.keep(&rel, record.bytes);
                    return Some(Ok(Rendered::Out(PageOutput {
                        kind: record.kind.clone(),
                        path,
                        file: format!("/{rel}"),
                        has_islands: record.has_islands,
                        links: record.links.clone(),
                        ids: record.ids.clone(),
                        key: record.key.clone(),
                        reads: PageReads::Kept(record.reads.clone()),
                        bytes: record.bytes,
                    })));
                }
                render_one(&site, &deferred, i)
            })
            .collect::<Result<Vec<Rendered>, _>>()
    };
    let (rendered, mut precompressed) = rayon::join(render_all, bundle);
    let mut outputs = Vec::with_capacity(pages.len());
    let mut missed = Vec::new();
    for page in rendered? {
        match page {
            Rendered::Out(output) => outputs.push(output),
            Rendered::Missed(i, sources) => missed.push((i, sources)),
        }
    }
    // Pages that read a body the previous export did not lead us to load: load those
    // bodies, render the pages again (each new body can lead to one more round).
    let mut rounds = 0;
    while !missed.is_empty() {
        rounds += 1;
        let wanted: HashSet<String> = missed.iter().flat_map(|(_, s)| s.clone()).collect();
        atoll_content::load_bodies(&options.content, &mut site, &mut deferred, &wanted)
            .map_err(|err| ExportError::Content(err.to_string()))?;
        let again: Vec<usize> = missed.drain(..).map(|(i, _)| i).collect();
        let results = again
            .par_iter()
            .filter_map(|&i| render_one(&site, &deferred, i))
            .collect::<Result<Vec<Rendered>, _>>()?;
        for page in results {
            match page {
                Rendered::Out(output) => outputs.push(output),
                Rendered::Missed(i, _) if rounds > 3 => {
                    return Err(ExportError::Content(format!(
                        "the page {} reads a body that cannot be loaded",
                        pages[i].path()
                    )))
                }
                Rendered::Missed(i, sources) => missed.push((i, sources)),
            }
        }
    }
    let pages = outputs;

    progress.stage("feeds, sitemap, headers", 0);
    let needs_islands = pages.iter().any(|page| page.has_islands);
    if needs_islands {
        check_islands_bundle(&options.islands).map_err(ExportError::MissingBundle)?;
    }
    let page_files: HashMap<&str, &str> = pages
        .iter()
        .map(|p| (p.file.as_str(), p.path.as_str()))
        .collect();
    let mut immutable = Vec::new();
    let mut islands_bytes = 0;
    let mut islands_brotli_bytes = 0;
    let published: Vec<&assets::Asset> = assets
        .iter()
        .filter(|a| needs_islands || !a.islands)
        .collect();
    let asset_urls: HashSet<&str> = published.iter().map(|a| a.out_url.as_str()).collect();
    let mut seen: HashSet<&str> = HashSet::new();
    for asset in &published {
        let url = asset.out_url.as_str();
        let collision = |what: String| ExportError::Collision {
            file: options
                .public
                .clone()
                .unwrap_or_default()
                .join(asset.url.trim_start_matches('/')),
            what,
        };
        if let Some(page) = page_files.get(url) {
            return Err(collision(format!("the page at {page}")));
        }
        if is_generated(url) {
            return Err(collision(format!("the generated file {url}")));
        }
        if !seen.insert(url) {
            return Err(collision(format!(
                "another file published as {url} (the islands bundle?)"
            )));
        }
        // `x.br`/`x.gz` beside a compressible output are the export's own.
        if let Some(stem) = url.strip_suffix(".br").or_else(|| url.strip_suffix(".gz")) {
            if options.compress
                && (page_files.contains_key(stem)
                    || asset_urls.contains(stem)
                    || is_generated(stem))
            {
                return Err(collision(format!("the precompressed copy of {stem}")));
            }
        }
        if asset.fingerprinted() {
            immutable.push(asset.out_url.clone());
        }
    }
    published
        .iter()
        .map(|asset| (asset, precompressed.remove(&asset.out_url)))
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(asset, compressed)| {
            writer.emit_with(
                asset.out_url.trim_start_matches('/'),
                &asset.bytes,
                asset.fingerprinted(),
                compressed,
            )
        })
        .collect::<Result<Vec<u64>, _>>()?;
    // The islands bundle a page with islands downloads; the search engine module is
    // fetched only by the search page of a host without the API, so not counted.
    for asset in published
        .iter()
        .filter(|a| a.islands && !a.out_url.starts_with("/pkg/search"))
    {
        islands_bytes += asset.bytes.len() as u64;
        let name = format!("{}.br", asset.out_url.trim_start_matches('/'));
        let br = [staging.join(&name), out.join(&name)]
            .into_iter()
            .find(|path| path.is_file())
            .unwrap_or_default();
        islands_brotli_bytes +=
            std::fs::metadata(&br).map_or(asset.bytes.len() as u64, |m| m.len());
    }

    let read_special = |name: &str| -> Result<Option<String>, ExportError> {
        let Some(public) = &options.public else {
            return Ok(None);
        };
        let path = public.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text)),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(ExportError::Io { path, source }),
        }
    };
    let sitemaps = atoll_render::sitemap::sitemaps(&site, options.routes);
    let redirects = headers::redirects(&site);
    // An alias must not hide a page, nor be claimed twice.
    headers::check_redirects(&site, options.routes, &redirects).map_err(ExportError::Content)?;
    // The static search index.
    if !options.search {
        // No index: nothing written, and the previous one (if any) is removed with the
        // other files this export does not write.
    } else if search_unchanged {
        let previous_files = previous.as_ref().map(|m| &m.files);
        for rel in previous_files
            .into_iter()
            .flat_map(|files| files.keys())
            .filter(|rel| search::is_search_file(&format!("/{rel}")))
        {
            // The size with the compressed siblings, as `keep` counts them.
            let file = out.join(rel);
            let size: u64 = std::iter::once(file.clone())
                .chain(siblings(&file))
                .filter_map(|path| std::fs::metadata(path).ok())
                .map(|meta| meta.len())
                .sum();
            writer.keep(rel, size);
        }
    } else {
        progress.stage("search index", 0);
        let files = search::files(search_docs.unwrap_or_default());
        files
            .par_iter()
            .try_for_each(|file| writer.emit(&file.rel, &file.bytes, false).map(|_| ()))?;
    }
    // One rule for every shard (their names carry their hash), so that `_headers` does
    // not change with the index.
    immutable.push("/search/shards/*".to_owned());
    let user_redirects = read_special("_redirects")?;
    let mut generated: Vec<(String, String)> = sitemaps;
    generated.push((
        "atom.xml".to_owned(),
        atoll_render::feed::atom_with(&site, &|content, url| {
            html::rewrite_fragment(content, url, &site.assets)
        }),
    ));
    generated.push((
        "robots.txt".to_owned(),
        atoll_render::sitemap::robots(&site, read_special("robots.txt")?.as_deref()),
    ));
    generated.push((
        "_headers".to_owned(),
        headers::headers(&immutable, read_special("_headers")?.as_deref()),
    ));
    generated.push((
        "_redirects".to_owned(),
        headers::redirects_file(&redirects, user_redirects.as_deref()),
    ));
    for (name, text) in &generated {
        writer.emit(name, text.as_bytes(), false)?;
    }

    progress.stage("links", 0);
    let mut output = links::Output {
        files: published.iter().map(|a| a.out_url.clone()).collect(),
        ids: HashMap::with_capacity(pages.len()),
        redirects: redirects.iter().map(|(from, _)| from.clone()).collect(),
    };
    // The site's own redirect rules (first column of public/_redirects) count as targets.
    for line in user_redirects.iter().flat_map(|text| text.lines()) {
        if let Some(from) = line
            .split_whitespace()
            .next()
            .filter(|f| f.starts_with('/'))
        {
            output.redirects.insert(from.to_owned());
        }
    }
    output
        .files
        .extend(generated.iter().map(|(name, _)| format!("/{name}")));
    for page in &pages {
        output.files.insert(page.file.clone());
        output.ids.insert(
            page.file.clone(),
            page.ids.iter().cloned().collect::<HashSet<_>>(),
        );
    }
    let broken = links::check(
        pages.iter().map(|p| (p.path.as_str(), p.links.as_slice())),
        &output,
    );
    if !broken.is_empty() {
        return Err(ExportError::BrokenLinks(broken));
    }

    // The manifest last: it lists everything above.
    let (deps, reads) = dep_table(previous.as_ref().map(|m| &m.deps[..]), &pages);
    let records: BTreeMap<String, PageRecord> = pages
        .iter()
        .zip(reads)
        .map(|(page, reads)| {
            (
                page.path.clone(),
                PageRecord {
                    key: page.key.clone(),
                    reads,
                    kind: page.kind.clone(),
                    has_islands: page.has_islands,
                    links: page.links.clone(),
                    ids: page.ids.clone(),
                    bytes: page.bytes,
                },
            )
        })
        .collect();
    let cache = ContentCache::from_parts(&site, &sources);
    let files = writer.finish(&options_key, records, deps, cache)?;
    let commit = if in_place {
        let staged = std::mem::take(
            &mut *writer
                .staged
                .lock()
                .expect("no panic while holding the lock"),
        );
        let kept = writer
            .hashes
            .lock()
            .expect("no panic while holding the lock");
        let removed = previous
            .as_ref()
            .map(|m| {
                m.files
                    .keys()
                    .filter(|rel| !kept.contains_key(*rel))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        drop(kept);
        Commit::InPlace { staged, removed }
    } else {
        Commit::Swap
    };

    let mut page_types: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    for page in &pages {
        let entry = page_types.entry(page.kind.clone()).or_insert((0, 0));
        entry.0 += 1;
        if page.has_islands {
            entry.1 = islands_brotli_bytes;
        }
    }
    Ok((
        ExportReport {
            pages: pages.len(),
            files,
            bytes: writer.bytes.load(Ordering::Relaxed),
            written: writer.written.load(Ordering::Relaxed),
            islands_bytes: if needs_islands { islands_bytes } else { 0 },
            islands_brotli_bytes: if needs_islands {
                islands_brotli_bytes
            } else {
                0
            },
            page_types,
            elapsed: Duration::ZERO,
        },
        commit,
    ))
}

/// `atoll <version> <size>-<mtime of the executable>`: a rebuilt binary may render
/// differently, so its caches start afresh.
fn generator() -> String {
    let build = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|meta| {
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}-{modified}", meta.len())
        })
        .unwrap_or_default();
    format!("atoll {} {build}", env!("CARGO_PKG_VERSION"))
}

/// A page of the render pass.
enum Rendered {
    /// Written (or carried over).
    Out(PageOutput),
    /// It read the body of one of these sources before it was loaded: load them and
    /// render it again.
    Missed(usize, Vec<String>),
}

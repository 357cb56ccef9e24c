//! One export, as named steps: [`build`] runs [`Build::collect_assets`],
//! [`plan::plan`], [`Build::load_bodies`], [`Build::render_pages`],
//! [`Build::search_index`] (alongside the pages), [`Build::publish_assets`],
//! [`Build::generated_files`], [`Build::check_links`] and [`Build::write_manifest`], and says how the staging folder
//! becomes the output ([`Commit`]); `export_with_progress` commits it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use app::{render_in, Cx, LinkCheck, PagePath, Site};
use atoll_content::{ContentCache, Loaded, Sources};
use atoll_render::bundle::{available_bundles, check_islands_bundle, islands_files};
use atoll_render::{compress, headers, page_file};
use rayon::prelude::*;

use crate::assets::{self, Asset};
use crate::commit::is_generated;
use crate::error::{BrokenLink, ExportError};
use crate::images::{self, Images};
use crate::manifest::{generator, Manifest, PageRecord};
use crate::options::{ExportOptions, ExportReport, Progress};
use crate::plan::{self, dep_table, PageOutput, PageReads, Plan};
use crate::writer::Writer;
use crate::{html, links, search};

/// How the staging folder becomes the output.
pub(crate) enum Commit {
    /// The staging folder holds the whole output: swap the folders.
    Swap,
    /// The staging folder holds the changed files only (relative paths, siblings
    /// included): rename them into the output, then delete `removed`.
    InPlace {
        staged: Vec<String>,
        removed: Vec<String>,
    },
}

/// A page of the render pass.
enum Rendered {
    /// Written (or carried over).
    Out(PageOutput),
    /// It read the body of one of these sources before it was loaded: load them and
    /// render it again.
    Missed(usize, Vec<String>),
}

/// Precompressed islands bundle files: published URL → (brotli, gzip).
type Precompressed = HashMap<String, (Vec<u8>, Vec<u8>)>;

/// What the steps of one export share.
struct Build<'a> {
    options: &'a ExportOptions,
    out: &'a Path,
    staging: &'a Path,
    progress: &'a dyn Progress,
    previous: Option<&'a Manifest>,
    writer: Writer<'a>,
}

/// The published assets, as the later steps need them.
struct Published {
    /// Published URLs (`/style.3f2a9c1b.css`).
    urls: Vec<String>,
    /// URLs (or patterns) served as immutable in `_headers`.
    immutable: Vec<String>,
    /// Per islands bundle (`islands`, `islands-search`, …): the JS + WASM a page that
    /// loads it downloads, the loader included: (raw bytes, as brotli).
    bundles: BTreeMap<String, (u64, u64)>,
}

/// The generated files (sitemaps, feed, robots.txt, `_headers`, `_redirects`), as the
/// link check needs them.
struct Generated {
    names: Vec<String>,
    /// Alias paths (`_redirects` of the site's own aliases).
    redirects: Vec<(String, String)>,
    /// The site's own `public/_redirects`, if any.
    user_redirects: Option<String>,
}

/// Writes the output (or, incrementally, its changed files) into `staging`.
pub(crate) fn build(
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
    let build = Build {
        options,
        out,
        staging,
        progress,
        previous: previous.as_ref(),
        writer: Writer {
            staging,
            out,
            in_place: previous.is_some(),
            staged: std::sync::Mutex::new(Vec::new()),
            previous: previous.as_ref(),
            written: AtomicUsize::new(0),
            files: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            hashes: std::sync::Mutex::new(BTreeMap::new()),
            compress: options.compress,
        },
    };
    // Assets first: pages refer to their fingerprinted names, and to the variants of
    // the images among them.
    let assets = build.collect_assets(&mut site)?;
    let cache_dir = options
        .cache_dir
        .clone()
        .unwrap_or_else(images::default_cache_dir);
    let images = Images::plan(&assets, &site.config.images, &cache_dir);
    site.images = images.infos.clone();
    let plan = plan::plan(&site, &sources, options.routes, previous.as_ref(), out);
    let search_docs = build.load_bodies(&mut site, &mut deferred, &plan)?;
    // The static search index is built and written while the pages render: its serial
    // parts (merging the postings, splitting and serializing the shards) would leave a
    // core idle if they ran after them.
    // Image variants the cache lacks are encoded meanwhile too.
    let (rendered, (searched, encoded)) = rayon::join(
        || build.render_pages(&mut site, &mut deferred, &plan, &assets),
        || {
            rayon::join(
                || build.search_index(search_docs),
                || images.encode(&assets, progress),
            )
        },
    );
    let (pages, precompressed) = rendered?;
    searched?;
    encoded?;
    let mut published = build.publish_assets(&assets, &pages, precompressed)?;
    build.publish_images(&images, &mut published)?;
    let mut immutable = published.immutable.clone();
    // One rule for every shard (their names carry their hash), so that `_headers` does
    // not change with the index.
    immutable.push("/search/shards/*".to_owned());
    let generated = build.generated_files(&site, &immutable)?;
    let link_warnings = build.check_links(&site, &pages, &published, &generated)?;
    let files = build.write_manifest(&site, &sources, &pages, &options_key)?;
    let commit = build.commit();
    let mut report = build.report(&pages, &published, files);
    report.link_warnings = link_warnings;
    Ok((report, commit))
}

impl Build<'_> {
    /// Reads `public/`, the page bundles' files and the islands bundle, fingerprints
    /// them, and gives the site their published names.
    fn collect_assets(&self, site: &mut Site) -> Result<Vec<Asset>, ExportError> {
        self.progress.stage("assets", 0);
        let islands = islands_files(&self.options.islands);
        let islands: Vec<&str> = islands.iter().map(String::as_str).collect();
        let assets = assets::collect(
            self.options.public.as_deref(),
            &site.bundle_files,
            Some((self.options.islands.as_path(), &islands[..])),
            self.options.routes.assets(),
        )?;
        site.island_bundles = available_bundles(&self.options.islands);
        site.assets = assets
            .iter()
            .filter(|a| a.fingerprinted())
            .map(|a| (a.url.clone(), a.out_url.clone()))
            .collect();
        Ok(assets)
    }

    /// Parses the bodies the plan needs (cached entries are loaded without them), and
    /// decides how the static index is made ([`search::prepare`]: patched, or rebuilt
    /// from documents whose unchanged posts take their text from the previous export).
    fn load_bodies(
        &self,
        site: &mut Site,
        deferred: &mut HashSet<String>,
        plan: &Plan,
    ) -> Result<Option<search::Work>, ExportError> {
        if !deferred.is_empty() {
            atoll_content::load_bodies(&self.options.content, site, deferred, &plan.needed)
                .map_err(|err| ExportError::Content(err.to_string()))?;
        }
        if !self.options.search {
            return Ok(None);
        }
        let previous = self.previous.map(|manifest| (self.out, manifest));
        search::prepare(&self.options.content, site, deferred, previous).map(Some)
    }

    /// Renders and writes the pages the plan does not carry over (in parallel, while
    /// the islands bundle is compressed at maximum quality, ~0.5 s for the WASM module,
    /// unless the previous export has it). A page that read a body not loaded yet is
    /// rendered again once it is (at most three more rounds).
    fn render_pages(
        &self,
        site: &mut Site,
        deferred: &mut HashSet<String>,
        plan: &Plan,
        assets: &[Asset],
    ) -> Result<(Vec<PageOutput>, Precompressed), ExportError> {
        let pages = &plan.pages;
        let to_render = plan.carried.iter().filter(|c| c.is_none()).count();
        self.progress.stage("pages", to_render as u64);
        let render_all = || {
            pages
                .par_iter()
                .enumerate()
                .zip(&plan.carried)
                .filter_map(|((i, page), carried)| match carried {
                    Some(record) => Some(Ok(Rendered::Out(self.keep_page(page, record)))),
                    None => self.render_one(site, deferred, plan, i),
                })
                .collect::<Result<Vec<Rendered>, _>>()
        };
        let (rendered, precompressed) = rayon::join(render_all, || self.compress_bundle(assets));
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
            atoll_content::load_bodies(&self.options.content, site, deferred, &wanted)
                .map_err(|err| ExportError::Content(err.to_string()))?;
            let again: Vec<usize> = missed.drain(..).map(|(i, _)| i).collect();
            let results = again
                .par_iter()
                .filter_map(|&i| self.render_one(site, deferred, plan, i))
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
        Ok((outputs, precompressed))
    }

    /// A page carried over from the previous export: its file is kept as it is.
    fn keep_page(&self, page: &PagePath, record: &PageRecord) -> PageOutput {
        let path = page.path().to_owned();
        let rel = page_file(&path).to_string_lossy().replace('\\', "/");
        self.writer.keep(&rel, record.bytes);
        PageOutput {
            kind: record.kind.clone(),
            path,
            file: format!("/{rel}"),
            has_islands: record.has_islands,
            bundle: record.bundle.clone(),
            links: record.links.clone(),
            ids: record.ids.clone(),
            key: record.key.clone(),
            reads: PageReads::Kept(record.reads.clone()),
            bytes: record.bytes,
        }
    }

    /// Page `i` of the plan, rendered and written; `Missed` when it read a body that is
    /// not loaded; `None` when its route renders nothing there.
    fn render_one(
        &self,
        site: &Site,
        deferred: &HashSet<String>,
        plan: &Plan,
        i: usize,
    ) -> Option<Result<Rendered, ExportError>> {
        let page = &plan.pages[i];
        let cx = Cx::new(site, Some(deferred), None);
        let rendered = render_in(&cx, page)?;
        if cx.missed_body() {
            let sources = rendered.reads.body_sources(site);
            return Some(Ok(Rendered::Missed(
                i,
                sources.into_iter().map(str::to_owned).collect(),
            )));
        }
        let body_id = |source: &str| plan.body_ids.get(source).copied().unwrap_or(0);
        let key = format!("{:016x}", rendered.reads.fingerprint(site, &body_id));
        let reads = PageReads::New(rendered.reads.to_strings());
        let result = html::process(
            &rendered.html,
            &rendered.path,
            &site.assets,
            self.options.minify,
        )
        .map_err(ExportError::Html)
        .and_then(|processed| {
            let file = page_file(&rendered.path);
            let rel = file.to_string_lossy().replace('\\', "/");
            let bytes = self.writer.emit(&rel, &processed.html, false)?;
            Ok(Rendered::Out(PageOutput {
                kind: page.name().to_owned(),
                path: rendered.path,
                file: format!("/{rel}"),
                has_islands: rendered.has_islands,
                bundle: rendered.bundle.map(str::to_owned),
                links: processed.links,
                ids: processed.ids,
                key,
                reads,
                bytes,
            }))
        });
        self.progress.step();
        Some(result)
    }

    /// Brotli and gzip of the islands bundle's files at maximum quality (or the ones
    /// `scripts/build-islands` wrote beside them), unless the output has them already.
    fn compress_bundle(&self, assets: &[Asset]) -> Precompressed {
        assets
            .par_iter()
            .filter(|a| {
                self.options.compress
                    && a.islands
                    && compress::is_compressible(&a.out_url, a.bytes.len())
            })
            .filter(|a| {
                !self
                    .writer
                    .unchanged(a.out_url.trim_start_matches('/'), &a.bytes)
            })
            .map(|a| {
                let prebuilt = a.url.strip_prefix(app::PKG_PATH).and_then(|name| {
                    compress::prebuilt(&self.options.islands.join(name), &a.bytes)
                });
                let pair = prebuilt.unwrap_or_else(|| compress::compress(&a.bytes, true));
                (a.out_url.clone(), pair)
            })
            .collect()
    }

    /// Writes the assets (the islands bundle only when a page has an island), after
    /// checking that none takes the path of a page, a generated file, another asset or
    /// a precompressed copy.
    fn publish_assets(
        &self,
        assets: &[Asset],
        pages: &[PageOutput],
        mut precompressed: Precompressed,
    ) -> Result<Published, ExportError> {
        self.progress.stage("feeds, sitemap, headers", 0);
        let needs_islands = pages.iter().any(|page| page.has_islands);
        if needs_islands {
            check_islands_bundle(&self.options.islands).map_err(ExportError::MissingBundle)?;
        }
        let page_files: HashMap<&str, &str> = pages
            .iter()
            .map(|p| (p.file.as_str(), p.path.as_str()))
            .collect();
        let published: Vec<&Asset> = assets
            .iter()
            .filter(|a| needs_islands || !a.islands)
            .collect();
        let asset_urls: HashSet<&str> = published.iter().map(|a| a.out_url.as_str()).collect();
        let mut immutable = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for asset in &published {
            let url = asset.out_url.as_str();
            let collision = |what: String| ExportError::Collision {
                file: self
                    .options
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
                if self.options.compress
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
                self.writer.emit_with(
                    asset.out_url.trim_start_matches('/'),
                    &asset.bytes,
                    asset.fingerprinted(),
                    compressed,
                )
            })
            .collect::<Result<Vec<u64>, _>>()?;
        // The islands bundles a page with islands downloads; the search engine module is
        // fetched only by the search page of a host without the API, so not counted.
        let mut loader = (0, 0);
        let mut bundles: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for asset in published.iter().filter(|a| a.islands) {
            let file = asset.url.rsplit('/').next().unwrap_or_default();
            let bundle = file
                .strip_suffix("_bg.wasm")
                .or_else(|| file.strip_suffix(".js"))
                .unwrap_or(file);
            if bundle == "search" {
                continue;
            }
            let name = format!("{}.br", asset.out_url.trim_start_matches('/'));
            let br = [self.staging.join(&name), self.out.join(&name)]
                .into_iter()
                .find(|path| path.is_file())
                .unwrap_or_default();
            let raw = asset.bytes.len() as u64;
            let br = std::fs::metadata(&br).map_or(raw, |m| m.len());
            let entry = if bundle == "loader" {
                &mut loader
            } else {
                bundles.entry(bundle.to_owned()).or_default()
            };
            entry.0 += raw;
            entry.1 += br;
        }
        for entry in bundles.values_mut() {
            entry.0 += loader.0;
            entry.1 += loader.1;
        }
        Ok(Published {
            urls: published.iter().map(|a| a.out_url.clone()).collect(),
            immutable,
            bundles,
        })
    }

    /// Publishes the image variants from the cache under `/_img/` (immutable: their
    /// names carry their hash), after checking that no other file takes their path.
    fn publish_images(
        &self,
        images: &Images,
        published: &mut Published,
    ) -> Result<(), ExportError> {
        let files = images.files();
        if files.is_empty() {
            return Ok(());
        }
        let taken: HashSet<&str> = published.urls.iter().map(String::as_str).collect();
        if let Some(url) = taken
            .iter()
            .find(|url| url.starts_with(atoll_images::IMAGES_DIR))
        {
            return Err(ExportError::Collision {
                file: self
                    .options
                    .public
                    .clone()
                    .unwrap_or_default()
                    .join(&url[1..]),
                what: format!("the image variants under {}", atoll_images::IMAGES_DIR),
            });
        }
        files
            .par_iter()
            .map(|(rel, cached)| {
                let bytes = std::fs::read(cached).map_err(crate::error::io_err(cached))?;
                self.writer.emit(rel, &bytes, true)
            })
            .collect::<Result<Vec<u64>, _>>()?;
        published
            .urls
            .extend(files.into_iter().map(|(rel, _)| format!("/{rel}")));
        published
            .immutable
            .push(format!("{}*", atoll_images::IMAGES_DIR));
        Ok(())
    }

    /// The static search index: patched or rebuilt ([`search::Work`]), or none
    /// (`search: false`; a previous one is removed with the other files this export does
    /// not write).
    fn search_index(&self, work: Option<search::Work>) -> Result<(), ExportError> {
        // No stage of its own: it runs alongside "pages" (see `build`).
        work.map_or(Ok(()), |work| search::write(work, &self.writer))
    }

    /// A file of the site's `public/` that the export merges into a generated one
    /// (`_redirects`, `_headers`, `robots.txt`).
    fn read_special(&self, name: &str) -> Result<Option<String>, ExportError> {
        let Some(public) = &self.options.public else {
            return Ok(None);
        };
        let path = public.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text)),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(ExportError::Io { path, source }),
        }
    }

    /// Writes the sitemaps, the Atom feeds, `robots.txt`, `_headers` and `_redirects`
    /// (merged with the site's own), after checking that no alias hides a page or is
    /// claimed twice.
    fn generated_files(&self, site: &Site, immutable: &[String]) -> Result<Generated, ExportError> {
        let routes = self.options.routes;
        let redirects = headers::redirects(site);
        headers::check_redirects(site, routes, &redirects).map_err(ExportError::Content)?;
        let user_redirects = self.read_special("_redirects")?;
        let mut files = atoll_render::sitemap::sitemaps(site, routes);
        // The site's feed, and the terms' and sections' that have one.
        for feed in atoll_render::feed::feeds(site) {
            files.push((
                feed.path.trim_start_matches('/').to_owned(),
                atoll_render::feed::atom_of(site, &feed, &|content, url| {
                    html::rewrite_fragment(content, url, &site.assets)
                }),
            ));
        }
        files.push((
            "robots.txt".to_owned(),
            atoll_render::sitemap::robots(site, self.read_special("robots.txt")?.as_deref()),
        ));
        files.push((
            "_headers".to_owned(),
            headers::headers(immutable, self.read_special("_headers")?.as_deref()),
        ));
        files.push((
            "_redirects".to_owned(),
            headers::redirects_file(&redirects, user_redirects.as_deref()),
        ));
        for (name, text) in &files {
            self.writer.emit(name, text.as_bytes(), false)?;
        }
        Ok(Generated {
            names: files.into_iter().map(|(name, _)| name).collect(),
            redirects,
            user_redirects,
        })
    }

    /// Every internal link and asset reference of every page resolves to a file, a
    /// redirect (the site's aliases and its own `_redirects` rules) or an `id`. With
    /// `link_check = "warn"` the broken ones are returned instead of failing; with
    /// `"off"` nothing is checked.
    fn check_links(
        &self,
        site: &Site,
        pages: &[PageOutput],
        published: &Published,
        generated: &Generated,
    ) -> Result<Vec<BrokenLink>, ExportError> {
        if site.config.link_check == LinkCheck::Off {
            return Ok(Vec::new());
        }
        self.progress.stage("links", 0);
        let mut output = links::Output {
            files: published.urls.iter().cloned().collect(),
            ids: HashMap::with_capacity(pages.len()),
            redirects: generated
                .redirects
                .iter()
                .map(|(from, _)| from.clone())
                .collect(),
        };
        // The site's own redirect rules (first column of public/_redirects) count as
        // targets.
        for line in generated.user_redirects.iter().flat_map(|t| t.lines()) {
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
            .extend(generated.names.iter().map(|name| format!("/{name}")));
        for page in pages {
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
        if broken.is_empty() || site.config.link_check == LinkCheck::Warn {
            Ok(broken)
        } else {
            Err(ExportError::BrokenLinks(broken))
        }
    }

    /// The manifest, last (it lists everything above): each page's record and reads,
    /// the dep table, and the parsed-content cache. Returns the number of files.
    fn write_manifest(
        &self,
        site: &Site,
        sources: &Sources,
        pages: &[PageOutput],
        options_key: &str,
    ) -> Result<usize, ExportError> {
        let (deps, reads) = dep_table(self.previous.map(|m| &m.deps[..]), pages);
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
                        bundle: page.bundle.clone(),
                        links: page.links.clone(),
                        ids: page.ids.clone(),
                        bytes: page.bytes,
                    },
                )
            })
            .collect();
        let cache = ContentCache::from_parts(site, sources);
        self.writer.finish(options_key, records, deps, cache)
    }

    /// A full export swaps the staging folder in; an incremental one renames its
    /// changed files into the output and removes the files it no longer writes.
    fn commit(&self) -> Commit {
        if !self.writer.in_place {
            return Commit::Swap;
        }
        let staged = std::mem::take(
            &mut *self
                .writer
                .staged
                .lock()
                .expect("no panic while holding the lock"),
        );
        let kept = self
            .writer
            .hashes
            .lock()
            .expect("no panic while holding the lock");
        let removed = self
            .previous
            .map(|m| {
                m.files
                    .keys()
                    .filter(|rel| !kept.contains_key(*rel))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        Commit::InPlace { staged, removed }
    }

    /// What the export wrote (its wall time is filled in by the caller).
    fn report(&self, pages: &[PageOutput], published: &Published, files: usize) -> ExportReport {
        let bundle_bytes = |page: &PageOutput| {
            page.bundle
                .as_deref()
                .and_then(|bundle| published.bundles.get(bundle))
                .copied()
                .unwrap_or_default()
        };
        // The largest download of a page with islands.
        let (islands_bytes, islands_brotli_bytes) = pages
            .iter()
            .map(bundle_bytes)
            .max_by_key(|(_, br)| *br)
            .unwrap_or_default();
        let mut page_types: BTreeMap<String, (usize, u64)> = BTreeMap::new();
        for page in pages {
            let entry = page_types.entry(page.kind.clone()).or_insert((0, 0));
            entry.0 += 1;
            entry.1 = entry.1.max(bundle_bytes(page).1);
        }
        ExportReport {
            pages: pages.len(),
            files,
            bytes: self.writer.bytes.load(Ordering::Relaxed),
            written: self.writer.written.load(Ordering::Relaxed),
            islands_bytes,
            islands_brotli_bytes,
            page_types,
            link_warnings: Vec::new(),
            elapsed: Duration::ZERO,
        }
    }
}

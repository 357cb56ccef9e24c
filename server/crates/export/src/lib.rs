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
mod build;
mod commit;
mod error;
mod html;
mod images;
mod links;
pub mod manifest;
mod options;
mod plan;
pub mod search;
mod writer;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use app::Site;
use atoll_content::Loaded;

pub use atoll_render::bundle::{check_islands_bundle, ISLANDS_FILES};
pub use atoll_render::headers::{check_redirects, redirects, CSP, SECURITY_HEADERS};
use build::{build, Commit};
pub use commit::page_file;
use commit::{absolute, check_output, commit_in_place, swap};
use error::io_err;
pub use error::{BrokenLink, ExportError};
use manifest::generator;
pub use manifest::{Manifest, MARKER};
pub use options::{ExportOptions, ExportReport, Progress, Quiet};

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

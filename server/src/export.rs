//! The static export: every page as `OUT/<path>/index.html`, `OUT/404.html`, the
//! `public/` files and, when a page has an island, the islands bundle in `OUT/pkg/`.
//!
//! The export is atomic: it is written to a fresh folder beside `OUT` and swapped in
//! only when complete, so a failed export leaves the previous output untouched.

use std::io;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use app::Site;
use rayon::prelude::*;

use crate::pages::{Page, PageSet};
use crate::ISLANDS_FILES;

/// Name of the marker file that identifies a folder as an Atoll export (so that `atoll
/// export` never replaces a folder it did not write).
pub const MARKER: &str = ".atoll-export";

/// Where to export and what to copy.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    /// The output folder, replaced as a whole.
    pub out: PathBuf,
    /// The content folder (the output must not be inside it, nor contain it).
    pub content: PathBuf,
    /// Static assets copied as they are; `None` to copy nothing.
    pub public: Option<PathBuf>,
    /// The islands bundle (Trunk's output), copied to `OUT/pkg/` when a page has an
    /// island.
    pub islands: PathBuf,
}

/// What an export wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportReport {
    /// HTML pages written.
    pub pages: usize,
    /// Files written in all (pages, assets, bundle).
    pub files: usize,
    /// Bytes written in all.
    pub bytes: u64,
    /// Bytes of JavaScript + WebAssembly a page with islands loads (0 when no page has
    /// one).
    pub islands_bytes: u64,
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
    #[error("`{}` in the public folder collides with the page at {page}: rename the file", file.display())]
    Collision {
        /// The public file.
        file: PathBuf,
        /// The page path.
        page: String,
    },
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

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Exports `site` as described by `options`.
///
/// # Errors
/// [`ExportError`]; on any error the staging folder is removed and `options.out` is as
/// it was.
pub fn export(site: &Site, options: &ExportOptions) -> Result<ExportReport, ExportError> {
    let started = Instant::now();
    let out = absolute(&options.out).map_err(io_err(&options.out))?;
    check_output(&out, options)?;

    let pages = PageSet::render(site);
    let needs_islands = pages.iter().any(|page| page.has_islands);
    if needs_islands {
        crate::check_islands_bundle(&options.islands).map_err(ExportError::MissingBundle)?;
    }

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

    let written = write_all(&staging, &pages, needs_islands, options);
    let (files, bytes, islands_bytes) = match written {
        Ok(counts) => counts,
        Err(err) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(err);
        }
    };
    if let Err(err) = swap(&staging, &out) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(err);
    }
    Ok(ExportReport {
        pages: pages.len(),
        files,
        bytes,
        islands_bytes,
        elapsed: started.elapsed(),
    })
}

/// Writes pages, public files, the bundle and the marker into `dir`; returns (files,
/// bytes, islands bytes).
fn write_all(
    dir: &Path,
    pages: &PageSet,
    needs_islands: bool,
    options: &ExportOptions,
) -> Result<(usize, u64, u64), ExportError> {
    let page_list: Vec<&Page> = pages.iter().collect();
    let page_bytes: u64 = page_list
        .par_iter()
        .map(|page| {
            let path = dir.join(page_file(&page.path));
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io_err(parent))?;
            }
            std::fs::write(&path, &page.html).map_err(io_err(&path))?;
            Ok(page.html.len() as u64)
        })
        .collect::<Result<Vec<u64>, ExportError>>()?
        .into_iter()
        .sum();
    let mut files = page_list.len();
    let mut bytes = page_bytes;

    if let Some(public) = &options.public {
        let (n, b) = copy_public(public, dir, pages)?;
        files += n;
        bytes += b;
    }

    let mut islands_bytes = 0;
    if needs_islands {
        let pkg = dir.join("pkg");
        let (n, b) = copy_tree(&options.islands, &pkg, |rel| {
            // Trunk's index.html stub and its lock and staging files are not part of the
            // bundle.
            rel != Path::new("index.html") && !is_hidden(rel)
        })?;
        files += n;
        bytes += b;
        for file in ISLANDS_FILES {
            let path = pkg.join(file);
            islands_bytes += std::fs::metadata(&path).map_err(io_err(&path))?.len();
        }
    }

    let marker = dir.join(MARKER);
    let text = format!(
        "{{\"generator\": \"atoll {}\"}}\n",
        env!("CARGO_PKG_VERSION")
    );
    std::fs::write(&marker, &text).map_err(io_err(&marker))?;
    Ok((files + 1, bytes + text.len() as u64, islands_bytes))
}

/// Output file of a page path: `/` → `index.html`, `/a/b/` → `a/b/index.html`,
/// `/404.html` → `404.html`.
pub fn page_file(path: &str) -> PathBuf {
    let relative = path.trim_start_matches('/');
    if relative.is_empty() || relative.ends_with('/') {
        PathBuf::from(relative).join("index.html")
    } else {
        PathBuf::from(relative)
    }
}

/// Copies `public` into `dir`, refusing files that would replace a page.
fn copy_public(public: &Path, dir: &Path, pages: &PageSet) -> Result<(usize, u64), ExportError> {
    let page_files: std::collections::HashMap<PathBuf, String> = pages
        .iter()
        .map(|page| (page_file(&page.path), page.path.clone()))
        .collect();
    let mut collision = None;
    let counts = copy_tree(public, dir, |rel| {
        if let Some(page) = page_files.get(rel) {
            collision.get_or_insert((rel.to_owned(), page.clone()));
        }
        true
    })?;
    if let Some((file, page)) = collision {
        return Err(ExportError::Collision {
            file: public.join(file),
            page,
        });
    }
    Ok(counts)
}

/// Whether any component of `relative` starts with a dot.
fn is_hidden(relative: &Path) -> bool {
    relative
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}

/// Copies every regular file under `from` to the same relative path under `to` when
/// `keep(relative path)`; returns (files, bytes). A missing `from` copies nothing.
fn copy_tree(
    from: &Path,
    to: &Path,
    mut keep: impl FnMut(&Path) -> bool,
) -> Result<(usize, u64), ExportError> {
    if !from.exists() {
        return Ok((0, 0));
    }
    let mut files = 0;
    let mut bytes = 0;
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.map_err(|err| ExportError::Io {
            path: err.path().unwrap_or(from).to_owned(),
            source: err.into(),
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry
            .path()
            .strip_prefix(from)
            .expect("walkdir stays under its root");
        if !keep(relative) {
            continue;
        }
        let target = to.join(relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        bytes += std::fs::copy(entry.path(), &target).map_err(io_err(entry.path()))?;
        files += 1;
    }
    Ok((files, bytes))
}

/// Replaces `out` with `staging`: `out` is moved aside, `staging` renamed to `out`, then
/// the old output removed. If the second rename fails the old output is put back.
fn swap(staging: &Path, out: &Path) -> Result<(), ExportError> {
    if !out.exists() {
        return std::fs::rename(staging, out).map_err(io_err(out));
    }
    let parent = out.parent().unwrap_or(Path::new("/"));
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let old = parent.join(format!(".{name}.atoll-old-{}", std::process::id()));
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(io_err(&old))?;
    }
    std::fs::rename(out, &old).map_err(io_err(out))?;
    if let Err(source) = std::fs::rename(staging, out) {
        let _ = std::fs::rename(&old, out);
        return Err(ExportError::Io {
            path: out.to_owned(),
            source,
        });
    }
    if let Err(err) = std::fs::remove_dir_all(&old) {
        tracing::warn!(
            "could not remove the previous output at {}: {err}",
            old.display()
        );
    }
    Ok(())
}

/// Refuses outputs that would destroy content or a folder Atoll did not write.
fn check_output(out: &Path, options: &ExportOptions) -> Result<(), ExportError> {
    let unsafe_output = |reason: String| ExportError::UnsafeOutput {
        out: out.to_owned(),
        reason,
    };
    let content = absolute(&options.content).map_err(io_err(&options.content))?;
    if out.starts_with(&content) {
        return Err(unsafe_output(format!(
            "it is inside the content folder `{}`; choose an output outside it, e.g. --out dist",
            options.content.display()
        )));
    }
    if content.starts_with(out) {
        return Err(unsafe_output(format!(
            "it contains the content folder `{}`, which the export would delete",
            options.content.display()
        )));
    }
    for source in [options.public.as_deref(), Some(options.islands.as_path())]
        .into_iter()
        .flatten()
    {
        let source_abs = absolute(source).map_err(io_err(source))?;
        if source_abs.starts_with(out) || out.starts_with(&source_abs) {
            return Err(unsafe_output(format!(
                "it overlaps `{}`, which the export reads",
                source.display()
            )));
        }
    }
    if out.exists() {
        if !out.is_dir() {
            return Err(unsafe_output("it exists and is not a folder".to_owned()));
        }
        let empty = std::fs::read_dir(out)
            .map_err(io_err(out))?
            .next()
            .is_none();
        if !empty && !out.join(MARKER).exists() {
            return Err(unsafe_output(format!(
                "the folder is not empty and was not written by `atoll export` (no {MARKER} file); remove it or choose another --out"
            )));
        }
    }
    Ok(())
}

/// `path` made absolute and lexically normalised (`.` and `..` resolved), following
/// symbolic links for the part that exists.
fn absolute(path: &Path) -> io::Result<PathBuf> {
    let joined = std::env::current_dir()?.join(path);
    let mut normal = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    // Resolve symlinks of the longest existing ancestor.
    let mut existing = normal.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return Ok(normal),
        }
    }
    let mut resolved = existing.canonicalize()?;
    for name in rest.into_iter().rev() {
        resolved.push(name);
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_files() {
        assert_eq!(page_file("/"), PathBuf::from("index.html"));
        assert_eq!(page_file("/posts/"), PathBuf::from("posts/index.html"));
        assert_eq!(
            page_file("/posts/a-b/"),
            PathBuf::from("posts/a-b/index.html")
        );
        assert_eq!(page_file("/404.html"), PathBuf::from("404.html"));
    }
}

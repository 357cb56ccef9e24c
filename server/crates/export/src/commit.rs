//! Putting a build in place: the incremental commit, the atomic swap of a full build,
//! and the checks that the output folder is safe to replace.

use std::collections::HashSet;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::error::{io_err, ExportError};
use crate::manifest::{Manifest, MARKER};
use crate::options::ExportOptions;
use crate::search;
use crate::writer::siblings;

/// Moves the changed files of an incremental build from `staging` into `out`, removes
/// the files the site no longer has (with their siblings and emptied folders), and
/// renames the new manifest into place last.
pub(super) fn commit_in_place(
    staging: &Path,
    out: &Path,
    staged: &[String],
    removed: &[String],
) -> Result<(), ExportError> {
    // From here until the new manifest is in place, the output is a mix: say so in the
    // manifest, so that an interrupted commit makes the next export a full rebuild.
    let manifest = out.join(MARKER);
    let incomplete = serde_json::to_vec(&Manifest {
        generator: INCOMPLETE.to_owned(),
        ..Manifest::default()
    })
    .expect("a manifest serializes");
    std::fs::write(&manifest, incomplete).map_err(io_err(&manifest))?;
    // Deletions first: a page that became a file (or the reverse) frees its path.
    for rel in removed {
        let path = out.join(rel);
        remove_if_present(&path)?;
        for sibling in siblings(&path) {
            remove_if_present(&sibling)?;
        }
        // Remove the folders this emptied, up to the output.
        let mut dir = path.parent();
        while let Some(folder) = dir.filter(|d| d.starts_with(out) && *d != out) {
            if std::fs::remove_dir(folder).is_err() {
                break;
            }
            dir = folder.parent();
        }
    }
    for rel in staged {
        let target = out.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        std::fs::rename(staging.join(rel), &target).map_err(io_err(&target))?;
    }
    // A file that is no longer compressible (or compression turned off) loses its
    // siblings too.
    let staged_set: HashSet<&str> = staged.iter().map(String::as_str).collect();
    for rel in staged
        .iter()
        .filter(|rel| !rel.ends_with(".br") && !rel.ends_with(".gz"))
    {
        if !staged_set.contains(format!("{rel}.br").as_str()) {
            for sibling in siblings(&out.join(rel)) {
                remove_if_present(&sibling)?;
            }
        }
    }
    std::fs::rename(staging.join(MARKER), &manifest).map_err(io_err(&manifest))
}

/// Whether the export writes this URL itself (sitemaps, feed, headers, manifest).
pub(super) fn is_generated(url: &str) -> bool {
    let numbered_sitemap = url
        .strip_prefix("/sitemap-")
        .and_then(|rest| rest.strip_suffix(".xml"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    numbered_sitemap
        || [
            "/sitemap.xml",
            "/atom.xml",
            "/robots.txt",
            "/_headers",
            "/_redirects",
        ]
        .contains(&url)
        || url == format!("/{MARKER}")
        || url == format!("/{}", search::STATE)
        || search::is_search_file(url)
}

/// The generator of a manifest whose output is being updated in place.
const INCOMPLETE: &str = "incomplete";

fn remove_if_present(path: &Path) -> Result<(), ExportError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(ExportError::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

pub use atoll_render::page_file;

/// Replaces `out` with `staging`: `out` is moved aside, `staging` renamed to `out`, then
/// the old output removed. If the second rename fails the old output is put back.
pub(super) fn swap(staging: &Path, out: &Path) -> Result<(), ExportError> {
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
pub(super) fn check_output(out: &Path, options: &ExportOptions) -> Result<(), ExportError> {
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
pub(super) fn absolute(path: &Path) -> io::Result<PathBuf> {
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

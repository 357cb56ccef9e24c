//! The staging writer: files into the staging folder, skipping those the previous export
//! already has, with their compressed siblings and hashes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use atoll_content::ContentCache;
use atoll_render::compress;

use crate::error::{io_err, ExportError};
use crate::manifest::{digest, generator, Manifest, PageRecord, MARKER};

/// Writes files into the staging folder. In an in-place build, a file whose bytes equal
/// the previous export's (per the manifest) is not written: it stays where it is.
pub(super) struct Writer<'a> {
    pub(super) staging: &'a Path,
    pub(super) out: &'a Path,
    /// Incremental: only changed files go to `staging`, listed in `staged`.
    pub(super) in_place: bool,
    pub(super) staged: std::sync::Mutex<Vec<String>>,
    pub(super) previous: Option<&'a Manifest>,
    pub(super) written: AtomicUsize,
    pub(super) files: AtomicUsize,
    pub(super) bytes: AtomicU64,
    pub(super) hashes: std::sync::Mutex<BTreeMap<String, String>>,
    pub(super) compress: bool,
}

/// `path.br` and `path.gz`.
pub(super) fn siblings(path: &Path) -> [PathBuf; 2] {
    let name = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    [
        path.with_file_name(format!("{name}.br")),
        path.with_file_name(format!("{name}.gz")),
    ]
}

impl Writer<'_> {
    /// Whether the previous export has exactly these bytes at `rel`.
    pub(super) fn unchanged(&self, rel: &str, bytes: &[u8]) -> bool {
        self.previous
            .and_then(|m| m.files.get(rel))
            .is_some_and(|previous| *previous == digest(bytes))
    }

    /// Keeps the previous export's file at `rel` (an in-place build of a page that was
    /// not rendered again); `bytes` is its size with its siblings.
    pub(super) fn keep(&self, rel: &str, bytes: u64) {
        let hash = self
            .previous
            .and_then(|m| m.files.get(rel))
            .cloned()
            .unwrap_or_default();
        // Same options as the previous export (see `build`): the same siblings.
        let siblings_count = if self.compress && compress::is_compressible(rel, bytes as usize) {
            2
        } else {
            0
        };
        self.files.fetch_add(1 + siblings_count, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.hashes
            .lock()
            .expect("no panic while holding the lock")
            .insert(rel.to_owned(), hash);
    }

    /// Writes `bytes` at `rel` (relative path), plus `.br`/`.gz` siblings for text
    /// files; `best` compresses harder (fingerprinted assets). Returns the bytes of the
    /// file and its siblings.
    pub(super) fn emit(&self, rel: &str, bytes: &[u8], best: bool) -> Result<u64, ExportError> {
        self.emit_with(rel, bytes, best, None)
    }

    /// [`Writer::emit`] with the `(brotli, gzip)` siblings already computed.
    pub(super) fn emit_with(
        &self,
        rel: &str,
        bytes: &[u8],
        best: bool,
        compressed: Option<(Vec<u8>, Vec<u8>)>,
    ) -> Result<u64, ExportError> {
        let hash = digest(bytes);
        let target = self.staging.join(rel);
        let compressible = self.compress && compress::is_compressible(rel, bytes.len());
        let unchanged = self
            .previous
            .and_then(|m| m.files.get(rel))
            .is_some_and(|previous| *previous == hash);
        let old = self.out.join(rel);
        let old_siblings = siblings(&old);
        let complete = unchanged
            && old.is_file()
            && (!compressible || old_siblings.iter().all(|s| s.is_file()));
        let mut total = bytes.len() as u64;
        let mut count = 1;
        // A previous manifest is only used in place (see `build`).
        let reused = complete && self.in_place;
        if !reused {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(io_err(parent))?;
            }
        }
        if reused {
            if compressible {
                for sibling in &old_siblings {
                    total += std::fs::metadata(sibling).map_err(io_err(sibling))?.len();
                    count += 1;
                }
            }
        } else {
            // The staging folder is new for every export (see `export_with_progress`):
            // nothing to remove first.
            std::fs::write(&target, bytes).map_err(io_err(&target))?;
            let mut staged = vec![rel.to_owned()];
            if compressible {
                let (br, gz) = compressed.unwrap_or_else(|| compress::compress(bytes, best));
                let [br_path, gz_path] = siblings(&target);
                std::fs::write(&br_path, &br).map_err(io_err(&br_path))?;
                std::fs::write(&gz_path, &gz).map_err(io_err(&gz_path))?;
                total += (br.len() + gz.len()) as u64;
                count += 2;
                staged.push(format!("{rel}.br"));
                staged.push(format!("{rel}.gz"));
            }
            self.written.fetch_add(staged.len(), Ordering::Relaxed);
            if self.in_place {
                self.staged
                    .lock()
                    .expect("no panic while holding the lock")
                    .extend(staged);
            }
        }
        self.files.fetch_add(count, Ordering::Relaxed);
        self.bytes.fetch_add(total, Ordering::Relaxed);
        self.hashes
            .lock()
            .expect("no panic while holding the lock")
            .insert(rel.to_owned(), hash);
        Ok(total)
    }

    /// Writes the manifest of everything emitted into the staging folder; returns the
    /// number of files of the output.
    pub(super) fn finish(
        &self,
        options_key: &str,
        pages: BTreeMap<String, PageRecord>,
        deps: Vec<String>,
        content: ContentCache,
    ) -> Result<usize, ExportError> {
        let files = self
            .hashes
            .lock()
            .expect("no panic while holding the lock")
            .clone();
        let manifest = Manifest {
            generator: generator(),
            options: options_key.to_owned(),
            files,
            pages,
            deps,
            content,
        };
        let path = self.staging.join(MARKER);
        let text = manifest.to_json();
        std::fs::write(&path, &text).map_err(io_err(&path))?;
        self.bytes.fetch_add(text.len() as u64, Ordering::Relaxed);
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(self.files.load(Ordering::Relaxed) + 1)
    }
}

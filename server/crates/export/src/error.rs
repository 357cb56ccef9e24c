//! Why an export fails.

use std::io;
use std::path::{Path, PathBuf};

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
    /// An image's variants could not be made (its pages name them).
    #[error("{0}")]
    Image(#[from] atoll_images::ImageError),
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

pub(crate) fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A reference that does not resolve.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct BrokenLink {
    /// The page that has the link (site-relative URL).
    pub page: String,
    /// The target as resolved, fragment included.
    pub target: String,
    /// `missing page or file` or `missing #fragment`.
    pub reason: &'static str,
}

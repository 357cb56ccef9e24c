//! The supervisor's errors.

use std::path::PathBuf;

/// Why `atoll dev` cannot start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum DevError {
    /// A folder given as the dev site or Trunk's dist is not empty and was not written by
    /// the dev loop: both get emptied and rewritten, so a mistyped option must not lose
    /// files.
    #[error("refusing to use {dir} as {what}: it is not empty and has no {marker}")]
    Refused {
        /// The folder.
        dir: PathBuf,
        /// `the dev site (--site)` or `Trunk's dist folder (--dist)`.
        what: &'static str,
        /// The file that marks a folder as the dev loop's.
        marker: &'static str,
    },
    /// A file or folder of the dev loop could not be read or written.
    #[error("{what} {path}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The API port is taken (or not allowed).
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Listen {
        /// The `--api-port`.
        port: u16,
        /// The cause.
        source: std::io::Error,
    },
    /// `trunk` could not be started (not installed: `scripts/bootstrap` installs it).
    #[error("cannot run trunk ({source}); run scripts/dev, which installs it")]
    Trunk {
        /// The cause.
        source: std::io::Error,
    },
    /// `ATOLL_DEV_SITE` or `TRUNK_STAGING_DIR` is missing (`atoll link-stage` runs as
    /// Trunk's hook only).
    #[error("{0} is not set: `atoll link-stage` is Trunk's post_build hook in the dev loop")]
    HookEnv(&'static str),
}

impl DevError {
    pub(crate) fn io(
        what: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { what, path, source }
    }
}

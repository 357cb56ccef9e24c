//! The errors of `atoll-serve`: loading content for the server (a folder or a headless
//! CMS) and rendering it in the background. The binary reports them with `anyhow`;
//! handlers turn them into JSON (`ApiFailure::content`).

use std::path::PathBuf;

use atoll_content::ContentError;

/// Why the server could not (re)load or render its content.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The content folder has an error (file, line and column in the source).
    #[error("cannot load the site in `{}`", dir.display())]
    Content {
        /// The content folder.
        dir: PathBuf,
        /// What is wrong in it.
        #[source]
        source: ContentError,
    },
    /// Two pages at one URL, or an alias that would hide a page (the export's check).
    #[error("{0}")]
    Urls(String),
    /// The headless CMS failed after its retries, or sent what Atoll cannot use.
    #[error(transparent)]
    Cms(#[from] CmsError),
    /// A blocking task (loading, indexing, rendering) panicked.
    #[error("{what} panicked: {message}")]
    Panicked {
        /// What was running.
        what: &'static str,
        /// The panic, as the runtime reported it.
        message: String,
    },
}

/// A headless CMS failure: a message naming the URL or record, and the underlying error
/// (HTTP, JSON) when there is one.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CmsError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl CmsError {
    /// An error with `message` and no underlying cause.
    pub fn msg(message: impl Into<String>) -> Self {
        CmsError {
            message: message.into(),
            source: None,
        }
    }

    /// `message`, caused by `source`.
    pub fn caused(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        CmsError {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }

    /// This error with `context` in front (`gave up after 3 attempts: GET …: 503`).
    pub fn context(self, context: impl std::fmt::Display) -> Self {
        CmsError {
            message: format!("{context}: {}", self.message),
            source: self.source,
        }
    }
}

/// `error` and its causes, `: `-separated (what `anyhow`'s `{:#}` prints).
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        text.push_str(": ");
        text.push_str(&next.to_string());
        cause = next.source();
    }
    text
}

impl ServeError {
    /// The error and its causes on one line ([`chain`]).
    pub fn chain(&self) -> String {
        chain(self)
    }
}

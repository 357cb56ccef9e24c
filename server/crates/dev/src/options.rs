//! The options of `atoll dev`.

use std::path::PathBuf;

/// Where the dev loop's files are and which ports it takes (all on 127.0.0.1).
#[derive(Clone, Debug)]
pub struct Options {
    /// The workspace root (cargo and Trunk run there); relative paths below are
    /// relative to the current folder.
    pub root: PathBuf,
    /// Trunk's port (the browser's).
    pub port: u16,
    /// The supervisor's port, behind Trunk's `/api/` and `/status/` proxies.
    pub api_port: u16,
    /// The content folder.
    pub content: PathBuf,
    /// The static files (`atoll serve`'s default when `None`: `public`, or a Zola or
    /// Hugo site root's `static/`).
    pub public: Option<PathBuf>,
    /// The dev SQLite database (its folder is created).
    pub db: PathBuf,
    /// Where `atoll serve --dev` writes the pages (refused if not empty and without
    /// [`atoll_serve::dev::MARKER`]).
    pub site: PathBuf,
    /// Trunk's dist folder (refused if not empty and without `.trunk-lock`).
    pub dist: PathBuf,
}

impl Options {
    pub(crate) fn absolute(mut self) -> Self {
        for path in [
            &mut self.root,
            &mut self.content,
            &mut self.db,
            &mut self.site,
            &mut self.dist,
        ] {
            if let Ok(absolute) = std::path::absolute(&*path) {
                *path = absolute;
            }
        }
        if let Some(public) = &mut self.public {
            if let Ok(absolute) = std::path::absolute(&*public) {
                *public = absolute;
            }
        }
        self
    }
}

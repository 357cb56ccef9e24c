//! The pre-rendered site as files, for a static file server in front of the dev server.
//!
//! `trunk serve` can proxy fixed prefixes only (a `[[proxy]]` at `/` panics in Trunk
//! 0.22), so in the dev loop (`scripts/dev`) Trunk serves the pages as files:
//! `atoll serve --dev --dev-site DIR` keeps `DIR` equal to what the server would answer.
//!
//! ```text
//! DIR/index.html, DIR/<path>/index.html   every cached page, with the dev script
//! DIR/404.html, DIR/atom.xml, DIR/sitemap.xml, DIR/robots.txt
//! DIR/<alias>/index.html                  a redirect page (meta refresh) per alias
//! DIR/<name> -> public/<name>             a symbolic link per top-level entry of public/
//! DIR/.atoll-dev-site                     marker: this folder is Atoll's to rewrite
//! ```
//!
//! Each file is written atomically (a temporary file renamed over the old one), so a
//! file server never reads half a page. The first write of a writer (at each start of
//! the server) writes every file and removes whatever else is in `DIR`; later writes
//! touch only the files whose content changed and remove the pages that are gone.
//! A folder that is not empty and lacks the marker is refused, so a mistyped `DIR`
//! cannot lose files.
//!
//! With [`SiteWriter::link_into`], each top-level entry of `DIR` is also linked into the
//! folder a static file server serves (Trunk's dist), before the tabs are told to reload.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::state::AppState;

/// The file that marks a folder as a dev site.
pub const MARKER: &str = ".atoll-dev-site";

/// What one [`SiteWriter::write`] changed, as paths relative to the folder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files (and links) written or replaced.
    pub written: Vec<PathBuf>,
    /// Files (and links) removed.
    pub removed: Vec<PathBuf>,
    /// Files that could not be written or removed, with the error (the others were).
    pub failed: Vec<(PathBuf, String)>,
}

/// Keeps a folder equal to the pages an [`AppState`] serves (see the module docs).
#[derive(Debug)]
pub struct SiteWriter {
    dir: PathBuf,
    public: PathBuf,
    /// Relative file → what was written there (a page's ETag, a redirect's target, a
    /// link's target).
    written: HashMap<PathBuf, String>,
    swept: bool,
    link_into: Option<PathBuf>,
}

/// One file to have in the folder.
/// Its bytes are made only when the file is (re)written.
enum Item {
    /// A cached page or document.
    Page(std::sync::Arc<crate::isr::CachedPage>),
    /// A redirect page to this path (an alias).
    Redirect(String),
    /// A symbolic link to a `public/` entry (absolute).
    Link(PathBuf),
    /// A file the layout references that `public/` does not have (compiled in).
    Layout(&'static [u8]),
}

impl Item {
    /// Changes whenever what is written changes (a page's ETag, a redirect's target, a
    /// link's target).
    fn tag(&self) -> String {
        match self {
            Item::Page(entry) => entry.page.etag.clone(),
            Item::Redirect(to) => format!("redirect:{to}"),
            Item::Link(target) => format!("link:{}", target.display()),
            Item::Layout(bytes) => format!("layout:{}", bytes.len()),
        }
    }
}

impl SiteWriter {
    /// A writer into `dir` (created if missing, and marked with [`MARKER`]); `public`
    /// is the folder whose top-level entries are linked.
    ///
    /// # Errors
    /// `dir` is not empty and has no [`MARKER`] (it is not a dev site), or it cannot be
    /// created.
    pub fn open(dir: PathBuf, public: PathBuf) -> io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        if !dir.join(MARKER).is_file() {
            if std::fs::read_dir(&dir)?.next().is_some() {
                return Err(io::Error::other(format!(
                    "refusing to write the dev site into {}: the folder is not empty and has no {MARKER} (it was not written by atoll)",
                    dir.display()
                )));
            }
            std::fs::write(
                dir.join(MARKER),
                "Written by `atoll serve --dev --dev-site`.\n",
            )?;
        }
        Ok(Self {
            dir,
            public,
            written: HashMap::new(),
            swept: false,
            link_into: None,
        })
    }

    /// Also links each top-level entry of the folder into `serve_dir` (Trunk's dist) at
    /// each write, and removes the links whose entry is gone; skipped while
    /// `serve_dir/.stage` exists (Trunk is building, and its hook links them).
    pub fn link_into(mut self, serve_dir: PathBuf) -> Self {
        self.link_into = Some(serve_dir);
        self
    }

    /// The folder written.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Brings the folder up to date with `state`'s page cache, redirects and `public/`.
    /// HTML pages get the dev script before `</body>`. A file that cannot be written is
    /// reported in [`WriteReport::failed`] and tried again at the next call; the other
    /// files are written.
    ///
    /// # Errors
    /// The folder or `public/` cannot be read.
    pub fn write(&mut self, state: &AppState) -> io::Result<WriteReport> {
        let wanted = self.wanted(state)?;
        let mut report = WriteReport::default();
        // Removals first: a page may take the name of a link that goes away.
        if self.swept {
            let gone: Vec<PathBuf> = self
                .written
                .keys()
                .filter(|rel| !wanted.contains_key(*rel))
                .cloned()
                .collect();
            for rel in gone {
                match remove_entry(&self.dir, &rel) {
                    Ok(removed) => {
                        self.written.remove(&rel);
                        if removed {
                            report.removed.push(rel);
                        }
                    }
                    Err(err) => report.failed.push((rel, err.to_string())),
                }
            }
        } else {
            report.removed = sweep(&self.dir, &wanted)?;
            self.swept = true;
        }
        for (rel, item) in wanted {
            let tag = item.tag();
            let path = self.dir.join(&rel);
            let present = path.symlink_metadata().is_ok();
            if present && self.written.get(&rel) == Some(&tag) {
                continue;
            }
            let written = match item {
                Item::Page(entry) if entry.page.content_type.starts_with("text/html") => {
                    write_file(&self.dir, &rel, &super::with_script(&entry.page.html))
                }
                Item::Page(entry) => write_file(&self.dir, &rel, &entry.page.html),
                Item::Redirect(to) => write_file(&self.dir, &rel, redirect_page(&to).as_bytes()),
                Item::Link(target) => write_link(&self.dir, &rel, &target),
                Item::Layout(bytes) => write_file(&self.dir, &rel, bytes),
            };
            match written {
                Ok(()) => {
                    self.written.insert(rel.clone(), tag);
                    report.written.push(rel);
                }
                Err(err) => {
                    self.written.remove(&rel);
                    report.failed.push((rel, err.to_string()));
                }
            }
        }
        if let Some(serve_dir) = &self.link_into {
            if let Err(err) = link_entries(&self.dir, serve_dir) {
                report
                    .failed
                    .push((serve_dir.clone(), format!("cannot link the pages: {err}")));
            }
        }
        Ok(report)
    }

    /// Every file the folder should hold.
    fn wanted(&self, state: &AppState) -> io::Result<BTreeMap<PathBuf, Item>> {
        let mut wanted = BTreeMap::new();
        for path in state.cache().paths() {
            let (Some(entry), Some(rel)) = (state.cache().get(&path), file_of(&path)) else {
                continue;
            };
            wanted.insert(rel, Item::Page(entry));
        }
        let snapshot = state.snapshot();
        for (from, to) in &snapshot.redirects {
            let Some(rel) = file_of(from) else { continue };
            if rel.extension().is_some_and(|e| e == "html") {
                wanted
                    .entry(rel)
                    .or_insert_with(|| Item::Redirect(to.clone()));
            }
        }
        // public/ entries, unless a page uses the name (pages win, as in `atoll serve`).
        let taken: HashSet<std::ffi::OsString> = wanted
            .keys()
            .filter_map(|rel| rel.components().next())
            .map(|c| c.as_os_str().to_owned())
            .collect();
        let public = match std::path::absolute(&self.public) {
            Ok(public) => public,
            Err(_) => return Ok(wanted),
        };
        let entries = match std::fs::read_dir(&public) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(wanted),
            Err(err) => return Err(err),
        };
        for entry in entries {
            let name = entry?.file_name();
            if taken.contains(&name) || name.to_string_lossy().starts_with('.') {
                continue;
            }
            wanted.insert(PathBuf::from(&name), Item::Link(public.join(&name)));
        }
        // The layout's own files where neither a page nor `public/` has one.
        for (url, bytes) in snapshot.routes.assets() {
            let Some(rel) = file_of(url) else { continue };
            let top = rel.components().next().map(|c| c.as_os_str().to_owned());
            if !wanted.contains_key(&rel)
                && top.is_some_and(|top| !wanted.contains_key(Path::new(&top)))
            {
                wanted.insert(rel, Item::Layout(bytes));
            }
        }
        Ok(wanted)
    }
}

/// The file of a site path: `/` → `index.html`, `/a/b/` → `a/b/index.html`, `/atom.xml`
/// → `atom.xml`; percent-decoded. `None` for a path that would leave the folder.
pub fn file_of(path: &str) -> Option<PathBuf> {
    let rel = path.strip_prefix('/')?;
    let rel = percent_encoding::percent_decode_str(rel)
        .decode_utf8()
        .ok()?
        .into_owned();
    let rel = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel
    };
    let rel = PathBuf::from(rel);
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then_some(rel)
}

/// A page that sends the browser to `to` (what a static host does with an alias
/// without `_redirects`).
fn redirect_page(to: &str) -> String {
    let to = to
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Redirecting…</title>\
         <link rel=\"canonical\" href=\"{to}\"><meta http-equiv=\"refresh\" content=\"0; url={to}\">\
         </head><body><p>Moved to <a href=\"{to}\">{to}</a>.</p></body></html>"
    )
}

/// The temporary name a file is written under before it is renamed into place.
fn temporary(path: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(".atoll-tmp");
    path.with_file_name(name)
}

/// Makes `rel`'s parent folders, replacing any non-folder in the way (a link to a
/// `public/` entry, an old file): nothing is ever written through a link.
fn prepare(dir: &Path, rel: &Path) -> io::Result<PathBuf> {
    let mut at = dir.to_path_buf();
    if let Some(parent) = rel.parent() {
        for part in parent.components() {
            at.push(part);
            match at.symlink_metadata() {
                Ok(meta) if meta.is_dir() => {}
                Ok(_) => {
                    std::fs::remove_file(&at)?;
                    std::fs::create_dir(&at)?;
                }
                Err(_) => std::fs::create_dir(&at)?,
            }
        }
    }
    let path = dir.join(rel);
    if path
        .symlink_metadata()
        .is_ok_and(|meta| meta.is_dir() && !meta.file_type().is_symlink())
    {
        std::fs::remove_dir_all(&path)?;
    }
    Ok(path)
}

fn write_file(dir: &Path, rel: &Path, bytes: &[u8]) -> io::Result<()> {
    let path = prepare(dir, rel)?;
    let tmp = temporary(&path);
    // Never through a link left at the temporary name.
    let _ = std::fs::remove_file(&tmp);
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, &path)
}

fn write_link(dir: &Path, rel: &Path, target: &Path) -> io::Result<()> {
    let path = prepare(dir, rel)?;
    let tmp = temporary(&path);
    let _ = std::fs::remove_file(&tmp);
    symlink(target, &tmp)?;
    std::fs::rename(&tmp, &path)
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(_target: &Path, _link: &Path) -> io::Result<()> {
    Err(io::Error::other(
        "--dev-site links public/ entries and needs a Unix system",
    ))
}

/// Removes `rel` (a file or link, never followed) and the folders it leaves empty;
/// whether there was something to remove.
fn remove_entry(dir: &Path, rel: &Path) -> io::Result<bool> {
    let path = dir.join(rel);
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(err) => return Err(err),
    }
    let mut parent = path.parent();
    while let Some(folder) = parent.filter(|p| *p != dir) {
        if std::fs::remove_dir(folder).is_err() {
            break;
        }
        parent = folder.parent();
    }
    Ok(true)
}

/// Trunk's `post_build` hook in the dev loop (`atoll link-stage`, see `Trunk.toml`): in
/// Trunk's staging folder `stage`, moves Trunk's own output into `stage/pkg/` (the
/// pages load the bundle from `/pkg/`) and links each top-level entry of the dev site
/// `site` beside it ([`link_entries`]), so that the folder Trunk swaps in serves the
/// pages from its first request.
///
/// # Errors
/// The file system's, naming nothing else: a failed hook fails Trunk's build, which
/// Trunk shows in the browser.
pub fn link_stage(site: &Path, stage: &Path) -> io::Result<()> {
    let pkg = stage.join("pkg");
    std::fs::create_dir_all(&pkg)?;
    for entry in std::fs::read_dir(stage)? {
        let entry = entry?;
        if entry.file_name() != "pkg" {
            std::fs::rename(entry.path(), pkg.join(entry.file_name()))?;
        }
    }
    link_entries(site, stage)
}

/// Links each top-level entry of `site` (but dot files and `pkg`, Trunk's output) into
/// `serve_dir`, and removes the links into `site` whose entry is gone. Does nothing
/// while `serve_dir/.stage` exists (Trunk is building; its hook links the entries).
///
/// # Errors
/// The file system's (reading either folder, creating or removing a link).
pub fn link_entries(site: &Path, serve_dir: &Path) -> io::Result<()> {
    if serve_dir.join(".stage").exists() || !serve_dir.is_dir() {
        return Ok(());
    }
    let site = std::path::absolute(site)?;
    let mut names = HashSet::new();
    for entry in std::fs::read_dir(&site)? {
        let name = entry?.file_name();
        if name != "pkg" && !name.to_string_lossy().starts_with('.') {
            names.insert(name);
        }
    }
    for entry in std::fs::read_dir(serve_dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if !entry.file_type()?.is_symlink() {
            continue;
        }
        let into_site = std::fs::read_link(entry.path())
            .is_ok_and(|target| target.parent() == Some(site.as_path()));
        if into_site && !names.contains(&name) {
            std::fs::remove_file(entry.path())?;
        }
        names.remove(&name);
    }
    for name in names {
        let link = serve_dir.join(&name);
        if link.symlink_metadata().is_err() {
            symlink(&site.join(&name), &link)?;
        }
    }
    Ok(())
}

/// Removes every file, link and empty folder under `dir` that is not in `wanted`.
fn sweep(dir: &Path, wanted: &BTreeMap<PathBuf, Item>) -> io::Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .min_depth(1)
        .follow_links(false)
        .contents_first(true)
    {
        let entry = entry.map_err(io::Error::other)?;
        let rel = entry
            .path()
            .strip_prefix(dir)
            .map_err(io::Error::other)?
            .to_path_buf();
        if entry.file_type().is_dir() {
            // Fails (and stays) when not empty.
            let _ = std::fs::remove_dir(entry.path());
        } else if !wanted.contains_key(&rel) && rel != Path::new(MARKER) {
            std::fs::remove_file(entry.path())?;
            removed.push(rel);
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_of_paths() {
        assert_eq!(file_of("/"), Some(PathBuf::from("index.html")));
        assert_eq!(
            file_of("/posts/a/"),
            Some(PathBuf::from("posts/a/index.html"))
        );
        assert_eq!(file_of("/atom.xml"), Some(PathBuf::from("atom.xml")));
        assert_eq!(
            file_of("/tags/caf%C3%A9/"),
            Some(PathBuf::from("tags/café/index.html"))
        );
        assert_eq!(file_of("/../etc/passwd"), None);
        assert_eq!(file_of("/a/%2e%2e/%2e%2e/x"), None);
        assert_eq!(file_of("relative"), None);
    }

    #[test]
    fn redirect_pages_escape_the_target() {
        let page = redirect_page("/a\"><script>/");
        assert!(page.contains("url=/a&quot;&gt;&lt;script&gt;/"));
        assert!(!page.contains("<script>"));
    }
}

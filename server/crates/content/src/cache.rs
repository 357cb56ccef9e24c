//! The content cache of incremental exports: the parsed metadata of every Markdown file
//! (front matter, title, summary, slug — not the body), keyed by the file's [`Stamp`].
//! An export loads unchanged files from it without parsing them, and parses the body of
//! an unchanged file only when a page that shows it has to be rendered again.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use app::{Doc, Page, Post, Site};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{load_entry, ContentError, ContentWarning, Entry, Kind};

/// Size (bytes) and modification time (nanoseconds since the Unix epoch) of a source
/// file: how the cache recognises an unchanged file, as make and cargo do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stamp {
    /// Size in bytes.
    pub len: u64,
    /// Modification time, ns since the epoch.
    pub modified_ns: i128,
}

impl Stamp {
    /// The stamp of the file at `path`.
    ///
    /// # Errors
    /// [`ContentError::Io`] when the file cannot be examined.
    pub fn of(path: &Path) -> Result<Stamp, ContentError> {
        let meta = std::fs::metadata(path).map_err(|source| ContentError::Io {
            path: path.to_owned(),
            source,
        })?;
        let modified_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i128);
        Ok(Stamp {
            len: meta.len(),
            modified_ns,
        })
    }
}

/// Every Markdown source (relative path) with its stamp and its warnings as
/// `(line, message)`.
pub type Sources = HashMap<String, (Stamp, Vec<(usize, String)>)>;

/// The cached metadata of one Markdown file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CachedEntry {
    /// The file's stamp when it was parsed.
    pub stamp: Stamp,
    /// Its warnings, `(line, message)`, printed again on every load.
    pub warnings: Vec<(usize, String)>,
    /// The entry, without its body.
    pub entry: CachedKind,
}

/// A cached entry of one of the Markdown content types.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum CachedKind {
    /// A post.
    Post(Post),
    /// A doc.
    Doc(Doc),
    /// A standalone page.
    Page(Page),
}

impl CachedEntry {
    /// The entry (body empty) and its warnings, for the file at `path`.
    pub(super) fn restore(&self, path: &Path) -> (Entry, Vec<ContentWarning>) {
        let entry = match &self.entry {
            CachedKind::Post(post) => Entry::Post(post.clone()),
            CachedKind::Doc(doc) => Entry::Doc(doc.clone()),
            CachedKind::Page(page) => Entry::Page(page.clone()),
        };
        let warnings = self
            .warnings
            .iter()
            .map(|(line, message)| ContentWarning {
                path: path.to_owned(),
                line: *line,
                message: message.clone(),
            })
            .collect();
        (entry, warnings)
    }
}

/// The cached metadata of a site's Markdown files, by source path (relative to the
/// content folder).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ContentCache {
    /// Entries by source path.
    pub entries: HashMap<String, CachedEntry>,
    /// `sections::settings_key` of the load that made it: entries are parsed with the site's
    /// settings and its sections' (`insert_anchor_links`, `page_template`), so a change
    /// to any of those parses every file again.
    #[serde(default)]
    pub settings: u64,
}

impl ContentCache {
    /// The cache of a loaded site: every post, doc and page of `site` that has a source
    /// in `sources` ([`super::Loaded::sources`]); drafts left out of the site are simply parsed
    /// again next time.
    pub fn from_parts(site: &Site, sources: &Sources) -> ContentCache {
        let mut entries = HashMap::with_capacity(sources.len());
        let mut add = |source: &str, entry: CachedKind| {
            if let Some((stamp, warnings)) = sources.get(source) {
                entries.insert(
                    source.to_owned(),
                    CachedEntry {
                        stamp: *stamp,
                        warnings: warnings.clone(),
                        entry,
                    },
                );
            }
        };
        // An entry with an `expiryDate` is parsed at every load (never cached), so that
        // the load after that moment leaves it out. (One with a `publishDate` to come is
        // left out already, so not in `site`, so not cached either.)
        for post in site.posts.iter().filter(|p| p.expires.is_none()) {
            add(&post.source, CachedKind::Post(without_body(post.clone())));
        }
        for doc in site.docs.iter().filter(|d| d.expires.is_none()) {
            add(
                &doc.source,
                CachedKind::Doc(Doc {
                    html: String::new(),
                    text: String::new(),
                    ..doc.clone()
                }),
            );
        }
        for page in site.pages.iter().filter(|p| p.expires.is_none()) {
            add(
                &page.source,
                CachedKind::Page(Page {
                    html: String::new(),
                    text: String::new(),
                    ..page.clone()
                }),
            );
        }
        ContentCache {
            entries,
            settings: crate::sections::settings_key(&site.config, &site.sections),
        }
    }
}

fn without_body(post: Post) -> Post {
    Post {
        html: String::new(),
        text: String::new(),
        ..post
    }
}

/// Parses the Markdown files `sources` (relative to `dir`) again and fills in the body
/// (`html`, `text`) of their entries in `site`; removes them from `deferred`.
///
/// # Errors
/// The file's [`ContentError`] (it changed since it was cached and is now invalid).
pub fn load_bodies(
    dir: &Path,
    site: &mut Site,
    deferred: &mut HashSet<String>,
    sources: &HashSet<String>,
) -> Result<(), ContentError> {
    let wanted: Vec<&String> = sources.iter().filter(|s| deferred.contains(*s)).collect();
    if wanted.is_empty() {
        return Ok(());
    }
    // A Zola or Hugo site root: the sources are relative to its `content/`.
    let dir = crate::site_root::content_dir(dir);
    // Each source's kind as loaded (a template may have made a page a post).
    let kinds: HashMap<&str, Kind> = site
        .posts
        .iter()
        .map(|p| (p.source.as_str(), Kind::Post))
        .chain(site.docs.iter().map(|d| (d.source.as_str(), Kind::Doc)))
        .chain(site.pages.iter().map(|p| (p.source.as_str(), Kind::Page)))
        .collect();
    let parsed: Vec<(String, Entry)> = wanted
        .par_iter()
        .filter_map(|source| Some((*source, *kinds.get(source.as_str())?)))
        .map(|(source, kind)| {
            let (entry, _, _) =
                load_entry(&dir, kind, &dir.join(source), &site.config, &site.sections)?;
            Ok((source.clone(), entry))
        })
        .collect::<Result<_, ContentError>>()?;
    let mut bodies: HashMap<String, (String, String)> = parsed
        .into_iter()
        .filter_map(|(source, entry)| match entry {
            Entry::Post(p) => Some((source, (p.html, p.text))),
            Entry::Doc(d) => Some((source, (d.html, d.text))),
            Entry::Page(p) => Some((source, (p.html, p.text))),
            Entry::Product(_) => None,
        })
        .collect();
    let mut fill = |source: &str, html: &mut String, text: &mut String| {
        if let Some((h, t)) = bodies.remove(source) {
            *html = h;
            *text = t;
        }
    };
    for post in &mut site.posts {
        fill(&post.source, &mut post.html, &mut post.text);
    }
    for doc in &mut site.docs {
        fill(&doc.source, &mut doc.html, &mut doc.text);
    }
    for page in &mut site.pages {
        fill(&page.source, &mut page.html, &mut page.text);
    }
    for source in wanted {
        deferred.remove(source);
    }
    super::resolve_internal_links(&dir, site)
}

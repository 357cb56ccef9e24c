//! Planning an export: which pages of the route table to render and which to carry over
//! from the previous export by their read-sets, and the manifest's table of deps.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::Path;

use app::{PagePath, ReadSet, RenderMode, Site};
use atoll_content::Sources;
use rayon::prelude::*;

use crate::manifest::{Manifest, PageRecord};
use atoll_render::page_file;

/// What [`plan`] decided.
pub(crate) struct Plan<'m> {
    /// The pages to export, in the route table's order.
    pub(crate) pages: Vec<PagePath>,
    /// What identifies each entry's body without parsing it, by source file.
    pub(crate) body_ids: HashMap<String, u64>,
    /// Per page: the previous export's record when the page is carried over.
    pub(crate) carried: Vec<Option<&'m PageRecord>>,
    /// Sources whose bodies must be loaded (the pages to render read them last time, or
    /// the feed shows them).
    pub(crate) needed: HashSet<String>,
}

/// Which pages to render: every page of `routes` but the `Ssr` ones; for each, the
/// previous export's record when what it read ([`app::ReadSet`]) is unchanged in `site`
/// and its file is still in `out` (the page is carried over); the bodies the pages to
/// render read last time.
pub(crate) fn plan<'m>(
    site: &Site,
    sources: &Sources,
    routes: &app::Routes,
    previous: Option<&'m Manifest>,
    out: &Path,
) -> Plan<'m> {
    let pages: Vec<PagePath> = routes
        .pages(site)
        .into_iter()
        .filter(|page| page.mode() != RenderMode::Ssr)
        .collect();
    // What identifies each body without parsing it: the source file's stamp (size and
    // mtime, from the content cache), else a hash of its HTML.
    let body_ids: HashMap<String, u64> = site
        .posts
        .iter()
        .map(|p| (p.source.as_str(), &p.html))
        .chain(site.docs.iter().map(|d| (d.source.as_str(), &d.html)))
        .chain(site.pages.iter().map(|p| (p.source.as_str(), &p.html)))
        .map(|(source, html)| {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            match sources.get(source) {
                Some((stamp, _)) => stamp.hash(&mut hasher),
                None => html.hash(&mut hasher),
            }
            (source.to_owned(), hasher.finish())
        })
        .collect();
    let body_id = |source: &str| body_ids.get(source).copied().unwrap_or(0);
    // A page is carried over when it is of the same route, what it read when it was
    // rendered ([`app::ReadSet`]) is unchanged in the new content, and its file is still
    // there (a file deleted by hand is rendered again).
    // Each dep of the previous export is read once (a post's neighbours, the settings
    // and list pages are shared by many pages); `None`: not a dep of this version.
    let dep_fingerprints: Vec<Option<u64>> = previous
        .as_ref()
        .map(|m| {
            m.deps
                .par_iter()
                .map(|dep| {
                    let parsed = dep.parse::<app::Dep>().ok();
                    parsed.map(|d| d.fingerprint(site, &body_id))
                })
                .collect()
        })
        .unwrap_or_default();
    let carried: Vec<Option<&PageRecord>> = pages
        .par_iter()
        .map(|page| {
            let record = previous?.pages.get(page.path())?;
            let fingerprints = record
                .reads
                .iter()
                .map(|&dep| dep_fingerprints.get(dep as usize).copied().flatten())
                .collect::<Option<Vec<u64>>>()?;
            let key = format!("{:016x}", app::combine(fingerprints));
            (record.kind == page.name()
                && record.key == key
                && out.join(page_file(page.path())).is_file())
            .then_some(record)
        })
        .collect();
    drop(dep_fingerprints);
    // Bodies of cached entries that a page to render read last time, or a feed shows.
    // A page that reads a body not loaded yet (new reads) is rendered again once it is.
    let mut needed: HashSet<String> = HashSet::new();
    for (page, carried) in pages.iter().zip(&carried) {
        if carried.is_some() {
            continue;
        }
        let record = previous.and_then(|m| m.pages.get(page.path()));
        let strings = previous.zip(record).map(|(m, r)| {
            r.reads
                .iter()
                .filter_map(|&i| m.deps.get(i as usize).cloned())
                .collect::<Vec<String>>()
        });
        if let Some(reads) = strings.and_then(|s| ReadSet::from_strings(&s)) {
            needed.extend(reads.body_sources(site).into_iter().map(str::to_owned));
        }
    }
    needed.extend(
        atoll_render::feed::feeds(site)
            .iter()
            .flat_map(|feed| &feed.entries)
            .map(|entry| entry.source().to_owned()),
    );
    Plan {
        pages,
        body_ids,
        carried,
        needed,
    }
}

/// A written page and what the link checker and the next export need from it.
pub(crate) struct PageOutput {
    pub(crate) kind: String,
    pub(crate) path: String,
    pub(crate) file: String,
    pub(crate) has_islands: bool,
    pub(crate) bundle: Option<String>,
    pub(crate) links: Vec<String>,
    pub(crate) ids: Vec<String>,
    pub(crate) key: String,
    pub(crate) reads: PageReads,
    pub(crate) bytes: u64,
}

/// What a written page read.
pub(crate) enum PageReads {
    /// Carried over: its indexes into the previous manifest's deps.
    Kept(Vec<u32>),
    /// Rendered now: its deps as strings.
    New(Vec<String>),
}

/// The manifest's dep table and each page's indexes into it: the deps of kept pages keep
/// their strings from `previous`, new ones are added, and deps no page reads any more
/// are dropped.
pub(crate) fn dep_table(
    previous: Option<&[String]>,
    pages: &[PageOutput],
) -> (Vec<String>, Vec<Vec<u32>>) {
    let previous = previous.unwrap_or_default();
    let mut table: Vec<String> = Vec::new();
    let mut by_string: HashMap<String, u32> = HashMap::new();
    let mut renumbered: Vec<Option<u32>> = vec![None; previous.len()];
    let mut intern = |dep: &str, table: &mut Vec<String>| -> u32 {
        *by_string.entry(dep.to_owned()).or_insert_with(|| {
            table.push(dep.to_owned());
            (table.len() - 1) as u32
        })
    };
    let reads = pages
        .iter()
        .map(|page| match &page.reads {
            PageReads::Kept(old) => old
                .iter()
                .filter_map(|&i| {
                    let slot = renumbered.get_mut(i as usize)?;
                    Some(*slot.get_or_insert_with(|| intern(&previous[i as usize], &mut table)))
                })
                .collect(),
            PageReads::New(deps) => deps.iter().map(|dep| intern(dep, &mut table)).collect(),
        })
        .collect();
    (table, reads)
}

//! The static search index of an export: what the search island reads when no API
//! server answers (a site on a plain CDN).
//!
//! ```text
//! OUT/search/index.json                      atoll_search::StaticMeta (revalidated)
//! OUT/search/shards/<hex key>.<hash>.json    atoll_search::Shard (immutable: one
//!                                            `/search/shards/*` rule in `_headers`)
//! OUT/search/docs/<n>.json                   atoll_search::Document of result n
//! OUT/.atoll-search                          [`State`] (postcard): what the next export
//!                                            needs to patch the index in place
//! ```
//!
//! The documents and the ranking are the server's (`atoll_render::search::search_index`,
//! `atoll_search`): a query finds the same results, in the same order, with or
//! without the API. A query downloads the index file, the shards of its terms and the
//! documents of the results it shows — not the whole index.
//!
//! **Incremental exports** patch the index ([`Work::Patch`]): when the posts are the
//! same URLs in the same order and the collection's average field lengths (rounded to
//! whole terms, see [`atoll_search::average_lengths`]) stay the same, only the postings
//! of the changed documents move, so only the shards holding their old or new terms and
//! their own `docs/<n>.json` are serialized again. Anything else (a post added,
//! removed or re-dated, a missing file, an unreadable state) rebuilds the index
//! ([`Work::Full`]); both give the same bytes.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use atoll_search::{
    average_lengths, shard_file, shard_groups, DocTerms, Document, Posting, Shard, ShardGroup,
    StaticMeta, TermIndex, FIELDS as FIELD_COUNT, STATIC_VERSION,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ExportError;
use crate::manifest::{digest, Manifest};
use crate::writer::Writer;

/// Upper bound of a shard's JSON, in bytes (estimated while splitting), unless one
/// term alone is larger: about 8–10 KB once brotli-compressed.
pub const SHARD_TARGET_BYTES: usize = 24 * 1024;

/// Whether the export writes the file at `url` for the static index.
pub fn is_search_file(url: &str) -> bool {
    url == "/search/index.json"
        || url.starts_with("/search/shards/")
        || url.starts_with("/search/docs/")
}

/// The documents of the static index, in the server's order (`atoll_render::search::search_index`).
/// Posts whose body is still `deferred` (not parsed: unchanged since the previous
/// export) take their text from `previous_out`'s `search/docs/*.json` with the same URL;
/// the others, and any without such a document, are parsed.
///
/// # Errors
/// A post that cannot be parsed ([`ExportError::Content`]).
fn documents(
    content: &Path,
    site: &mut app::Site,
    deferred: &mut HashSet<String>,
    previous_out: Option<&Path>,
) -> Result<Vec<Document>, ExportError> {
    let waiting = site.posts.iter().any(|p| deferred.contains(&p.source));
    let mut previous = match previous_out {
        Some(out) if waiting => previous_bodies(out),
        _ => HashMap::new(),
    };
    let missing: HashSet<String> = site
        .posts
        .iter()
        .filter(|p| deferred.contains(&p.source) && !previous.contains_key(&p.url()))
        .map(|p| p.source.clone())
        .collect();
    if !missing.is_empty() {
        atoll_content::load_bodies(content, site, deferred, &missing)
            .map_err(|err| ExportError::Content(err.to_string()))?;
    }
    Ok(site
        .posts
        .iter()
        .map(|post| {
            let mut doc = atoll_render::search::search_document(post);
            if deferred.contains(&post.source) {
                doc.body = previous.remove(&doc.url).unwrap_or_default();
            }
            doc
        })
        .collect())
}

/// URL → body text of the previous export's index documents (unreadable ones skipped:
/// their posts are parsed instead).
fn previous_bodies(out: &Path) -> HashMap<String, String> {
    let Ok(entries) = std::fs::read_dir(out.join("search/docs")) else {
        return HashMap::new();
    };
    let paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths
        .par_iter()
        .filter_map(|path| {
            let bytes = std::fs::read(path).ok()?;
            let doc: Document = serde_json::from_slice(&bytes).ok()?;
            Some((doc.url, doc.body))
        })
        .collect()
}

/// File name of the index state in the output folder (postcard, see [`State`]).
pub const STATE: &str = ".atoll-search";
/// Version of [`State`]'s layout.
const STATE_VERSION: u32 = 1;
/// Above this share of changed documents (1 in N) and [`PATCH_MAX_DOCS`], rebuilding
/// beats patching (a patch costs O(terms) per changed document).
const PATCH_MAX_SHARE: usize = 8;
/// See [`PATCH_MAX_SHARE`].
const PATCH_MAX_DOCS: usize = 32;

/// What an export keeps about its static index so that the next one can patch it:
/// every term's postings, each document's field lengths and fingerprints, and each
/// shard's terms and file. Written as `OUT/.atoll-search` with the other files (so it
/// always describes the index beside it; the manifest holds its SHA-256).
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct State {
    version: u32,
    /// Document `n` (`search/docs/<n>.json`).
    docs: Vec<DocState>,
    /// Every term with its postings, in the shards' format.
    terms: Shard,
    /// Every shard, sorted by key.
    shards: Vec<ShardState>,
    /// Bytes of `search/index.json` and its compressed siblings.
    meta_bytes: u64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct DocState {
    url: String,
    /// Fingerprint of the URL, title and summary.
    meta: u64,
    /// Fingerprint of the body text.
    body: u64,
    /// Field lengths in terms ([`DocTerms::length`]).
    length: [u32; FIELD_COUNT],
    /// Bytes of its file and its compressed siblings.
    bytes: u64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct ShardState {
    key: String,
    hash: String,
    /// Number of terms.
    terms: u32,
    /// Bytes of its file and its compressed siblings.
    bytes: u64,
}

/// How this export makes its static index.
pub(crate) enum Work {
    /// Rebuild it from these documents, in index order.
    Full(Vec<Document>),
    /// Patch the previous one.
    Patch(Box<Patch>),
}

/// A patch of the previous export's index: the documents that changed, counted.
pub(crate) struct Patch {
    state: State,
    average: [f32; FIELD_COUNT],
    /// `(n, document, its terms)`.
    changed: Vec<(u32, Document, DocTerms)>,
}

fn fingerprint(parts: &[&str]) -> u64 {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
}

fn meta_fingerprint(doc: &Document) -> u64 {
    fingerprint(&[&doc.url, &doc.title, &doc.summary])
}

fn doc_rel(n: usize) -> String {
    format!("search/docs/{n}.json")
}

fn shard_rel(key: &str, hash: &str) -> String {
    format!("search/{}", shard_file(key, hash))
}

impl State {
    /// The state beside the previous export in `out`, if it is the one its manifest
    /// recorded and every file it names is listed there and present.
    fn read(out: &Path, manifest: &Manifest) -> Option<State> {
        let bytes = std::fs::read(out.join(STATE)).ok()?;
        if manifest.files.get(STATE) != Some(&digest(&bytes)) {
            return None;
        }
        let state: State = postcard::from_bytes(&bytes).ok()?;
        if state.version != STATE_VERSION {
            return None;
        }
        // A file deleted by hand is written again: one directory listing each, no stat.
        let names = |dir: &str| -> HashSet<String> {
            std::fs::read_dir(out.join(dir))
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect()
        };
        let (docs, shards) = (names("search/docs"), names("search/shards"));
        let listed = |rel: &str| manifest.files.contains_key(rel);
        let docs_ok = (0..state.docs.len())
            .all(|n| docs.contains(&format!("{n}.json")) && listed(&doc_rel(n)));
        let shards_ok = state.shards.iter().all(|shard| {
            let rel = shard_rel(&shard.key, &shard.hash);
            let name = rel.rsplit('/').next().unwrap_or_default();
            shards.contains(name) && listed(&rel)
        });
        (docs_ok
            && shards_ok
            && listed("search/index.json")
            && out.join("search/index.json").is_file())
        .then_some(state)
    }
}

/// Decides how to make the index: a [`Work::Patch`] when the previous export's state
/// allows one (see the module documentation), else the documents of a full build.
/// Posts whose body is still `deferred` count as unchanged unless their URL, title or
/// summary changed (then their text comes from the previous `docs/<n>.json`).
///
/// # Errors
/// A post that cannot be parsed ([`ExportError::Content`]).
pub(crate) fn prepare(
    content: &Path,
    site: &mut app::Site,
    deferred: &mut HashSet<String>,
    previous: Option<(&Path, &Manifest)>,
) -> Result<Work, ExportError> {
    if let Some((out, manifest)) = previous {
        let patch = State::read(out, manifest)
            .ok_or("no usable state of the previous index")
            .and_then(|state| Patch::new(state, site, deferred, out));
        match patch {
            Ok(patch) => return Ok(Work::Patch(Box::new(patch))),
            Err(reason) => tracing::info!("search index: rebuilt ({reason})"),
        }
    }
    documents(content, site, deferred, previous.map(|(out, _)| out)).map(Work::Full)
}

impl Patch {
    /// Why the index must be rebuilt instead, if it must.
    fn new(
        state: State,
        site: &app::Site,
        deferred: &HashSet<String>,
        out: &Path,
    ) -> Result<Patch, &'static str> {
        if state.docs.len() != site.posts.len()
            || state
                .docs
                .iter()
                .zip(&site.posts)
                .any(|(d, p)| d.url != p.url())
        {
            return Err("posts added, removed or reordered");
        }
        let unreadable = "a previous document is unreadable";
        let mut changed = Vec::new();
        for (n, (post, before)) in site.posts.iter().zip(&state.docs).enumerate() {
            let mut doc = atoll_render::search::search_document(post);
            let meta = meta_fingerprint(&doc);
            if deferred.contains(&post.source) {
                if meta == before.meta {
                    continue;
                }
                let bytes = std::fs::read(out.join(doc_rel(n))).map_err(|_| unreadable)?;
                doc.body = serde_json::from_slice::<Document>(&bytes)
                    .map_err(|_| unreadable)?
                    .body;
            } else if meta == before.meta && fingerprint(&[&doc.body]) == before.body {
                continue;
            }
            let terms = DocTerms::of(&doc);
            changed.push((n as u32, doc, terms));
            if changed.len() > PATCH_MAX_DOCS && changed.len() * PATCH_MAX_SHARE > state.docs.len()
            {
                return Err("too many posts changed");
            }
        }
        let average = average_lengths(state.docs.iter().map(|d| d.length));
        let mut lengths: Vec<[u32; FIELD_COUNT]> = state.docs.iter().map(|d| d.length).collect();
        for (n, _, terms) in &changed {
            lengths[*n as usize] = terms.length;
        }
        // The stored frequencies of every other document depend on the averages.
        if average_lengths(lengths) != average {
            return Err("the average field lengths changed");
        }
        Ok(Patch {
            state,
            average,
            changed,
        })
    }
}

/// Serializes a shard: its file and hash.
fn shard_file_of(group: &ShardGroup<'_>) -> (String, Vec<u8>) {
    let bytes = serde_json::to_vec(&group.shard()).expect("a shard serialises");
    let hash: String = format!("{:x}", Sha256::digest(&bytes))[..8].to_owned();
    (hash, bytes)
}

/// Makes the static index and its state with `writer`: every file for a
/// [`Work::Full`], the changed ones for a [`Work::Patch`] (the others kept).
///
/// # Errors
/// A file that cannot be written.
pub(crate) fn write(work: Work, writer: &Writer<'_>) -> Result<(), ExportError> {
    match work {
        Work::Full(docs) => write_full(docs, writer),
        Work::Patch(patch) => write_patch(*patch, writer),
    }
}

fn write_full(docs: Vec<Document>, writer: &Writer<'_>) -> Result<(), ExportError> {
    // Each document is counted and written, then dropped: the index keeps its terms only
    // (at 100,000 posts the texts are ~0.4 GB).
    let (counted, states): (Vec<DocTerms>, Vec<DocState>) = docs
        .into_par_iter()
        .enumerate()
        .map(|(n, doc)| {
            let terms = DocTerms::of(&doc);
            let bytes = serde_json::to_vec(&doc).expect("a document serialises");
            let state = DocState {
                url: doc.url.clone(),
                meta: meta_fingerprint(&doc),
                body: fingerprint(&[&doc.body]),
                length: terms.length,
                bytes: writer.emit(&doc_rel(n), &bytes, false)?,
            };
            Ok((terms, state))
        })
        .collect::<Result<Vec<_>, ExportError>>()?
        .into_iter()
        .unzip();
    let index = TermIndex::from_terms(&counted);
    drop(counted);
    write_shards(&index, &BTreeSet::new(), &[], states, writer)
}

fn write_patch(patch: Patch, writer: &Writer<'_>) -> Result<(), ExportError> {
    let Patch {
        mut state,
        average,
        changed,
    } = patch;
    if changed.is_empty() {
        for (n, doc) in state.docs.iter().enumerate() {
            writer.keep(&doc_rel(n), doc.bytes);
        }
        for shard in &state.shards {
            writer.keep(&shard_rel(&shard.key, &shard.hash), shard.bytes);
        }
        writer.keep("search/index.json", state.meta_bytes);
        let bytes = std::fs::metadata(writer.out.join(STATE)).map_or(0, |m| m.len());
        writer.keep(STATE, bytes);
        return Ok(());
    }
    tracing::info!(
        "search index: patched ({} of {} documents changed)",
        changed.len(),
        state.docs.len()
    );
    let mut index = TermIndex::default();
    index.insert_shard(&std::mem::take(&mut state.terms));
    let mut affected = BTreeSet::new();
    let mut docs = std::mem::take(&mut state.docs);
    for (n, doc, terms) in &changed {
        index.remove_doc(*n, &mut affected);
        for (term, tf) in terms.weigh(&average) {
            index.insert(term, Posting { doc: *n, tf });
            affected.insert(term.to_owned());
        }
        let bytes = serde_json::to_vec(doc).expect("a document serialises");
        let entry = &mut docs[*n as usize];
        entry.meta = meta_fingerprint(doc);
        entry.body = fingerprint(&[&doc.body]);
        entry.length = terms.length;
        entry.bytes = writer.emit(&doc_rel(*n as usize), &bytes, false)?;
    }
    let written: HashSet<usize> = changed.iter().map(|(n, _, _)| *n as usize).collect();
    for (n, doc) in docs.iter().enumerate() {
        if !written.contains(&n) {
            writer.keep(&doc_rel(n), doc.bytes);
        }
    }
    write_shards(&index, &affected, &state.shards, docs, writer)
}

/// Writes the shards of `index` (those of `previous` whose terms are the same and not
/// `affected` are kept), `search/index.json` and the state.
fn write_shards(
    index: &TermIndex,
    affected: &BTreeSet<String>,
    previous: &[ShardState],
    docs: Vec<DocState>,
    writer: &Writer<'_>,
) -> Result<(), ExportError> {
    let previous: HashMap<&str, &ShardState> =
        previous.iter().map(|s| (s.key.as_str(), s)).collect();
    let groups = shard_groups(index, SHARD_TARGET_BYTES);
    let shards: Vec<ShardState> = groups
        .par_iter()
        .map(|group| {
            if let Some(before) = previous.get(group.key.as_str()) {
                // A key is either "every term with this prefix" or, once its group was
                // split further, the one term equal to it: any affected term (removed
                // ones included) under the key makes the shard dirty.
                let dirty = affected
                    .range::<str, _>((
                        std::ops::Bound::Included(group.key.as_str()),
                        std::ops::Bound::Unbounded,
                    ))
                    .next()
                    .is_some_and(|term| term.starts_with(group.key.as_str()));
                let same = before.terms as usize == group.terms.len() && !dirty;
                if same {
                    writer.keep(&shard_rel(&before.key, &before.hash), before.bytes);
                    return Ok((*before).clone());
                }
            }
            let (hash, bytes) = shard_file_of(group);
            let written = writer.emit(&shard_rel(&group.key, &hash), &bytes, false)?;
            Ok(ShardState {
                key: group.key.clone(),
                hash,
                terms: group.terms.len() as u32,
                bytes: written,
            })
        })
        .collect::<Result<_, ExportError>>()?;
    let meta = StaticMeta {
        version: STATIC_VERSION,
        docs: docs.len() as u32,
        shards: shards
            .iter()
            .map(|s| (s.key.clone(), s.hash.clone()))
            .collect(),
    };
    let meta_json = serde_json::to_vec(&meta).expect("the index serialises");
    let meta_bytes = writer.emit("search/index.json", &meta_json, false)?;
    let state = State {
        version: STATE_VERSION,
        docs,
        terms: ShardGroup {
            key: String::new(),
            terms: index.iter().collect(),
        }
        .shard(),
        shards,
        meta_bytes,
    };
    let bytes = postcard::to_stdvec(&state).expect("the search state serialises");
    writer.emit(STATE, &bytes, false)?;
    Ok(())
}

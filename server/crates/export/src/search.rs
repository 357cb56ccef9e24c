//! The static search index of an export: what the search island reads when no API
//! server answers (a site on a plain CDN).
//!
//! ```text
//! OUT/search/index.json                      atoll_search::StaticMeta (revalidated)
//! OUT/search/shards/<hex key>.<hash>.json    atoll_search::Shard (immutable: one
//!                                            `/search/shards/*` rule in `_headers`)
//! OUT/search/docs/<n>.json                   atoll_search::Document of result n
//! ```
//!
//! The documents and the ranking are the server's (`atoll_render::search::search_index`,
//! `atoll_search`): a query finds the same results, in the same order, with or
//! without the API. A query downloads the index file, the shards of its terms and the
//! documents of the results it shows — not the whole index.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use atoll_search::{build_shards, shard_file, Document, StaticMeta, STATIC_VERSION};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::error::ExportError;

/// Upper bound of a shard's JSON, in bytes (estimated while splitting), unless one
/// term alone is larger: about 8–10 KB once brotli-compressed.
pub const SHARD_TARGET_BYTES: usize = 24 * 1024;

/// A generated file of the static index.
pub struct SearchFile {
    /// Path relative to the output folder (`search/shards/6c65.1a2b3c4d.json`).
    pub rel: String,
    /// The JSON.
    pub bytes: Vec<u8>,
}

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
pub fn documents(
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

/// Builds every file of the static index of `docs` (see [`documents`]).
pub fn files(docs: Vec<Document>) -> Vec<SearchFile> {
    let index = atoll_search::SearchIndex::new(docs);
    let shards = build_shards(index.terms(), SHARD_TARGET_BYTES);
    let mut files = Vec::with_capacity(shards.len() + index.len() + 1);
    let mut meta = StaticMeta {
        version: STATIC_VERSION,
        docs: index.len() as u32,
        shards: Default::default(),
    };
    for (key, shard) in &shards {
        let bytes = serde_json::to_vec(shard).expect("a shard serialises");
        let hash: String = format!("{:x}", Sha256::digest(&bytes))[..8].to_owned();
        files.push(SearchFile {
            rel: format!("search/{}", shard_file(key, &hash)),
            bytes,
        });
        meta.shards.insert(key.clone(), hash);
    }
    for (n, doc) in index.docs().iter().enumerate() {
        files.push(SearchFile {
            rel: format!("search/docs/{n}.json"),
            bytes: serde_json::to_vec(doc).expect("a document serialises"),
        });
    }
    files.push(SearchFile {
        rel: "search/index.json".to_owned(),
        bytes: serde_json::to_vec(&meta).expect("the index serialises"),
    });
    files
}

//! The static search index of an export: what the search island reads when no API
//! server answers (a site on a plain CDN).
//!
//! ```text
//! OUT/search/index.json                      islands::search::StaticMeta (revalidated)
//! OUT/search/shards/<hex key>.<hash>.json    islands::search::Shard (immutable: one
//!                                            `/search/shards/*` rule in `_headers`)
//! OUT/search/docs/<n>.json                   islands::search::Document of result n
//! ```
//!
//! The documents and the ranking are the server's (`serve::search_index`,
//! `islands::search`): a query finds the same results, in the same order, with or
//! without the API. A query downloads the index file, the shards of its terms and the
//! documents of the results it shows — not the whole index.

use islands::search::{build_shards, shard_file, StaticMeta, STATIC_VERSION};
use sha2::{Digest, Sha256};

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

/// Builds every file of the static index of `site`.
pub fn files(site: &app::Site) -> Vec<SearchFile> {
    let index = crate::serve::search_index(site);
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

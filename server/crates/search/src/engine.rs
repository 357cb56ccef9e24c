//! The search engine module: the export's static index searched in the browser, with
//! the ranking code the server uses (the crate root). Built from this crate with the
//! feature `engine` into its own WASM file (`search.js` + `search_bg.wasm`), so
//! the islands bundle stays small: the loader downloads it only when the search island
//! finds no API (a static host), and calls [`search`].

use std::cell::RefCell;
use std::collections::BTreeMap;

use wasm_bindgen::prelude::*;

use atoll_api::client::{get_json, Answer};
use atoll_api::SearchResponse;

use crate::{rank, result, shard_file, Document, Query, Shard, StaticMeta, TermIndex, STATIC_DIR};

thread_local! {
    /// The static index: its `index.json`, and the shards and documents loaded so far.
    static LOADED: RefCell<Loaded> = RefCell::new(Loaded::default());
}

#[derive(Default)]
struct Loaded {
    meta: Option<StaticMeta>,
    shards: Vec<String>,
    terms: TermIndex,
    docs: BTreeMap<u32, Document>,
}

/// Fetches `STATIC_DIR` + `file` as JSON.
async fn static_json<T: serde::de::DeserializeOwned>(file: &str) -> Result<T, String> {
    match get_json::<T>(&format!("{STATIC_DIR}{file}")).await? {
        Answer::Ok(_, value) => Ok(value),
        Answer::Err(status, _) => Err(format!("the search index answered {status}")),
    }
}

/// Searches the static index for `query` (raw, untrimmed) and resolves with the JSON
/// of a [`SearchResponse`], exactly as `GET /api/search` would answer it: the
/// shards the query's terms need are fetched (once per visit), ranked, and the best
/// `limit` documents fetched for their excerpts.
///
/// # Errors
/// A message when the index or one of its files cannot be fetched.
#[wasm_bindgen]
pub async fn search(query: String, limit: u32) -> Result<String, JsValue> {
    let response = static_results(&query, limit as usize)
        .await
        .map_err(|message| JsValue::from_str(&message))?;
    serde_json::to_string(&response).map_err(|err| JsValue::from_str(&err.to_string()))
}

async fn static_results(raw: &str, limit: usize) -> Result<SearchResponse, String> {
    // Asked on every query (a conditional request the browser answers from its cache
    // while the site is unchanged): after a redeploy the shards and document numbers
    // of the old index are dropped.
    let meta: StaticMeta = static_json("index.json").await?;
    LOADED.with_borrow_mut(|l| {
        if l.meta.as_ref() != Some(&meta) {
            *l = Loaded {
                meta: Some(meta),
                ..Loaded::default()
            };
        }
    });
    let query = Query::parse(raw);
    let missing: Vec<(String, String)> = LOADED.with_borrow(|l| {
        let meta = l.meta.as_ref().expect("loaded above");
        meta.shards_for(&query)
            .into_iter()
            .filter(|key| !l.shards.contains(key))
            .map(|key| {
                let file = shard_file(&key, &meta.shards[&key]);
                (key, file)
            })
            .collect()
    });
    for (key, file) in missing {
        let shard: Shard = static_json(&file).await?;
        LOADED.with_borrow_mut(|l| {
            l.terms.insert_shard(&shard);
            l.shards.push(key);
        });
    }
    let (hits, total) = LOADED.with_borrow(|l| {
        let docs = l.meta.as_ref().map_or(0, |m| m.docs as usize);
        let hits = rank(&query, docs, &l.terms);
        let total = hits.len();
        (hits.into_iter().take(limit).collect::<Vec<_>>(), total)
    });
    let mut results = Vec::with_capacity(hits.len());
    for (doc, score) in hits {
        let cached = LOADED.with_borrow(|l| l.docs.get(&doc).cloned());
        let document = match cached {
            Some(document) => document,
            None => {
                let document: Document = static_json(&format!("docs/{doc}.json")).await?;
                LOADED.with_borrow_mut(|l| l.docs.insert(doc, document.clone()));
                document
            }
        };
        results.push(result(&document, &query, score));
    }
    Ok(SearchResponse {
        query: raw.trim().to_owned(),
        total,
        results,
    })
}

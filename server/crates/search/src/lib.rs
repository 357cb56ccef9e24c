//! Full-text search: a small inverted index ranked with BM25F.
//!
//! Documents have three fields, weighted title 3.0, summary 1.5 and body 1.0; each
//! field's term frequency is normalised by its length as in BM25F (Robertson &
//! Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond", 2009), with
//! `k1 = 1.2` and `b = 0.75`. A document matches when it contains every query term
//! (AND, as Pagefind and most site searches do); the last query term also matches as a
//! prefix so results appear while the visitor types ("isl" finds "islands").
//!
//! Tokens are runs of alphanumeric characters, lowercased, with diacritics removed
//! (NFKD, combining marks dropped: "Café" and "cafe" are the same term). Han, Hiragana
//! and Katakana characters, which are written without spaces, are indexed one
//! character per token, so a CJK query matches documents that contain all of its
//! characters.
//!
//! The crate (`atoll-search`) is pure Rust without I/O, so the same ranking runs on the
//! server (`GET /api/search`; feature `parallel` indexes with rayon) and, compiled to
//! WebAssembly with the feature `engine`, in the browser ([`engine`]: the static index
//! of an export, searched on hosts without the API). The islands bundle does not
//! contain it: the engine is its own WASM file, loaded only where needed.
#![deny(missing_docs)]

#[cfg(feature = "engine")]
pub mod engine;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use serde::{Deserialize, Serialize};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use atoll_api::SearchResult;

/// Weights of the fields title, summary, body.
const FIELD_WEIGHTS: [f32; FIELDS] = [3.0, 1.5, 1.0];
/// Number of fields of a [`Document`]: title, summary, body.
pub const FIELDS: usize = 3;
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// Weight of a term matched only as a prefix of the last query term.
const PREFIX_WEIGHT: f32 = 0.7;
/// Shortest last term (in characters) that also matches as a prefix.
const PREFIX_MIN_CHARS: usize = 2;
/// Length of an excerpt, in characters (before the ellipses).
const EXCERPT_CHARS: usize = 180;
/// Characters of context kept before the first match in an excerpt.
const EXCERPT_LEAD_CHARS: usize = 60;
/// Stored term frequencies are BM25F's `tf~` × this, rounded: integers keep the static
/// index compact, and the server ranks with the very same numbers.
pub const TF_SCALE: f32 = 100.0;

/// A document to index. `body` is plain text (Markdown already rendered and stripped).
/// Also the JSON of one document of the static index (`search/docs/<id>.json`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Site-relative URL, returned as is in results.
    pub url: String,
    /// Title, the most heavily weighted field.
    pub title: String,
    /// Summary (front matter `summary` or the first paragraph).
    pub summary: String,
    /// The whole text of the page.
    pub body: String,
}

/// One document containing a term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Posting {
    /// Document number (position in the indexed list).
    pub doc: u32,
    /// The term's BM25F `tf~` in the document (field-weighted, length-normalised) ×
    /// [`TF_SCALE`].
    pub tf: u32,
}

/// The result of [`SearchIndex::search`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchOutcome {
    /// Number of matching documents in all.
    pub total: usize,
    /// At most `limit` results, best first.
    pub results: Vec<SearchResult>,
}

/// A parsed query: its distinct terms and which one, if any, also matches as a prefix.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// Distinct normalised terms, in the order typed.
    pub terms: Vec<String>,
    /// Index in `terms` of the term typed last, when it matches as a prefix: the query
    /// does not end with a separator ("rust " means the word is complete) and the term
    /// has at least 2 characters.
    pub prefix: Option<usize>,
}

impl Query {
    /// Parses raw query text (untrimmed: a trailing space matters).
    pub fn parse(query: &str) -> Query {
        let mut terms: Vec<String> = Vec::new();
        let mut last = 0;
        for token in tokens(query) {
            last = match terms.iter().position(|term| *term == token.term) {
                Some(i) => i,
                None => {
                    terms.push(token.term);
                    terms.len() - 1
                }
            };
        }
        let typing = query.chars().last().is_some_and(char::is_alphanumeric);
        let prefix = Some(last).filter(|&i| {
            typing
                && terms
                    .get(i)
                    .is_some_and(|t| t.chars().count() >= PREFIX_MIN_CHARS)
        });
        Query { terms, prefix }
    }
}

/// Terms and their postings, sorted by term so that the terms sharing a prefix are one
/// range. The server holds every term; the browser holds the shards it loaded.
#[derive(Clone, Debug, Default)]
pub struct TermIndex {
    postings: BTreeMap<String, Vec<Posting>>,
}

impl TermIndex {
    /// The indexed terms equal to `term`, or starting with it when `prefix`.
    pub fn matching<'a>(
        &'a self,
        term: &'a str,
        prefix: bool,
    ) -> impl Iterator<Item = (&'a str, &'a [Posting])> + 'a {
        let upper = if prefix {
            Bound::Unbounded
        } else {
            Bound::Included(term)
        };
        self.postings
            .range::<str, _>((Bound::Included(term), upper))
            .take_while(move |(indexed, _)| indexed.starts_with(term))
            .map(|(indexed, postings)| (indexed.as_str(), postings.as_slice()))
    }

    /// Adds the terms of a static shard (see [`Shard`]).
    pub fn insert_shard(&mut self, shard: &Shard) {
        for (term, flat) in shard.terms.iter().zip(&shard.postings) {
            let mut doc = 0u32;
            let postings = flat
                .chunks_exact(2)
                .map(|pair| {
                    doc += pair[0];
                    Posting { doc, tf: pair[1] }
                })
                .collect();
            self.postings.insert(term.clone(), postings);
        }
    }

    /// Every term and its postings, sorted by term.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[Posting])> {
        self.postings
            .iter()
            .map(|(term, postings)| (term.as_str(), postings.as_slice()))
    }

    /// The terms of documents `0..counted.len()` with their weighted frequencies
    /// ([`DocTerms::weigh`] against [`average_lengths`] of them all): what
    /// [`SearchIndex::from_terms`] indexes, without keeping the documents.
    pub fn from_terms(counted: &[DocTerms]) -> TermIndex {
        let average = average_lengths(counted.iter().map(|c| c.length));
        let mut postings: BTreeMap<String, Vec<Posting>> = BTreeMap::new();
        for (id, counts) in counted.iter().enumerate() {
            let doc = u32::try_from(id).expect("fewer than 4 billion documents");
            for (term, tf) in counts.weigh(&average) {
                match postings.get_mut(term) {
                    Some(list) => list.push(Posting { doc, tf }),
                    None => {
                        postings.insert(term.to_owned(), vec![Posting { doc, tf }]);
                    }
                }
            }
        }
        TermIndex { postings }
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        self.postings.len()
    }

    /// Whether the index holds no term.
    pub fn is_empty(&self) -> bool {
        self.postings.is_empty()
    }

    /// Removes every posting of document `doc`, and the terms left without any; adds
    /// the terms it was found in to `affected`. O(terms × log postings).
    pub fn remove_doc(&mut self, doc: u32, affected: &mut BTreeSet<String>) {
        self.postings.retain(|term, postings| {
            if let Ok(at) = postings.binary_search_by_key(&doc, |p| p.doc) {
                postings.remove(at);
                affected.insert(term.clone());
            }
            !postings.is_empty()
        });
    }

    /// Adds `posting` to `term`'s postings, keeping them sorted by document (a posting
    /// of the same document is replaced).
    pub fn insert(&mut self, term: &str, posting: Posting) {
        let postings = match self.postings.get_mut(term) {
            Some(postings) => postings,
            None => self.postings.entry(term.to_owned()).or_default(),
        };
        match postings.binary_search_by_key(&posting.doc, |p| p.doc) {
            Ok(at) => postings[at] = posting,
            Err(at) => postings.insert(at, posting),
        }
    }
}

/// Ranks the documents that contain every term of `query` (BM25F, see the module
/// documentation): `(doc, score)` of every match, best first; equal scores keep the
/// documents' order. `docs` is the number of indexed documents (for the IDF).
pub fn rank(query: &Query, docs: usize, index: &TermIndex) -> Vec<(u32, f32)> {
    if query.terms.is_empty() || docs == 0 {
        return Vec::new();
    }
    let n = docs as f32;
    let mut scores: BTreeMap<u32, (f32, usize)> = BTreeMap::new();
    for (i, term) in query.terms.iter().enumerate() {
        // Weighted, length-normalised term frequency per document (BM25F's tf~).
        let mut tf: BTreeMap<u32, f32> = BTreeMap::new();
        for (indexed, postings) in index.matching(term, query.prefix == Some(i)) {
            let weight = if indexed == term { 1.0 } else { PREFIX_WEIGHT };
            for posting in postings {
                *tf.entry(posting.doc).or_default() += weight * posting.tf as f32 / TF_SCALE;
            }
        }
        let df = tf.len() as f32;
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        for (doc, tf) in tf {
            // Only documents that matched every earlier term can still match them all.
            if i > 0 && scores.get(&doc).is_none_or(|(_, matched)| *matched < i) {
                continue;
            }
            let entry = scores.entry(doc).or_default();
            entry.0 += idf * tf * (K1 + 1.0) / (K1 + tf);
            entry.1 += 1;
        }
    }
    let all = query.terms.len();
    let mut hits: Vec<(u32, f32)> = scores
        .into_iter()
        .filter(|(_, (_, matched))| *matched == all)
        .map(|(doc, (score, _))| (doc, score))
        .collect();
    hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    hits
}

/// An in-memory inverted index over [`Document`]s.
#[derive(Clone, Debug, Default)]
pub struct SearchIndex {
    docs: Vec<Document>,
    terms: TermIndex,
}

impl SearchIndex {
    /// Builds the index. Documents keep their order, which breaks ties between equal
    /// scores (put the newest first).
    pub fn new(docs: Vec<Document>) -> Self {
        // Term counts and field lengths of each document: in parallel on the server.
        #[cfg(feature = "parallel")]
        let counted: Vec<DocTerms> = {
            use rayon::prelude::*;
            docs.par_iter().map(DocTerms::of).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let counted: Vec<DocTerms> = docs.iter().map(DocTerms::of).collect();
        Self::from_terms(docs, &counted)
    }

    /// Builds the index from the documents and their [`DocTerms`] (`counted[i]` of
    /// `docs[i]`), which the caller may have kept from an earlier build.
    ///
    /// # Panics
    /// When the two lists differ in length.
    pub fn from_terms(docs: Vec<Document>, counted: &[DocTerms]) -> Self {
        assert_eq!(docs.len(), counted.len(), "one DocTerms per document");
        Self {
            docs,
            terms: TermIndex::from_terms(counted),
        }
    }

    /// Number of indexed documents.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether the index holds no document.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The documents, in index order.
    pub fn docs(&self) -> &[Document] {
        &self.docs
    }

    /// The terms and their postings.
    pub fn terms(&self) -> &TermIndex {
        &self.terms
    }

    /// Ranks the documents that contain every term of `query` and returns the best
    /// `limit` of them. A query without any term (only punctuation, say) matches
    /// nothing.
    pub fn search(&self, query: &str, limit: usize) -> SearchOutcome {
        let query = Query::parse(query);
        let hits = rank(&query, self.docs.len(), &self.terms);
        let total = hits.len();
        let results = hits
            .into_iter()
            .take(limit)
            .map(|(doc, score)| result(&self.docs[doc as usize], &query, score))
            .collect();
        SearchOutcome { total, results }
    }
}

/// A document's count of each term per field, and its field lengths in terms: what
/// BM25F weighs ([`DocTerms::weigh`]). An export keeps these to patch its static index
/// when a few documents change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocTerms {
    /// Term → occurrences in the title, summary and body.
    pub counts: BTreeMap<String, [u16; FIELDS]>,
    /// Length of the title, summary and body, in terms.
    pub length: [u32; FIELDS],
}

impl DocTerms {
    /// The term counts per field of `doc`, and its field lengths.
    pub fn of(doc: &Document) -> DocTerms {
        let mut counts: BTreeMap<String, [u16; FIELDS]> = BTreeMap::new();
        let mut length = [0u32; FIELDS];
        for (field, text) in [&doc.title, &doc.summary, &doc.body]
            .into_iter()
            .enumerate()
        {
            for token in tokens(text) {
                let tf = &mut counts.entry(token.term).or_default()[field];
                *tf = tf.saturating_add(1);
                length[field] += 1;
            }
        }
        DocTerms { counts, length }
    }

    /// Each term of the document with its stored frequency: BM25F's field-weighted,
    /// length-normalised `tf~` × [`TF_SCALE`], rounded (at least 1), against the
    /// collection's `average` field lengths ([`average_lengths`]). Sorted by term.
    pub fn weigh<'a>(
        &'a self,
        average: &'a [f32; FIELDS],
    ) -> impl Iterator<Item = (&'a str, u32)> + 'a {
        self.counts.iter().map(move |(term, tf)| {
            let mut sum = 0.0;
            for f in 0..FIELDS {
                if tf[f] > 0 {
                    let norm = 1.0 - B + B * self.length[f] as f32 / average[f];
                    sum += FIELD_WEIGHTS[f] * f32::from(tf[f]) / norm;
                }
            }
            (term.as_str(), ((sum * TF_SCALE).round() as u32).max(1))
        })
    }
}

/// The average length of each field over the collection, in terms, **rounded to a
/// whole term** (at least 1): BM25F's `avgdl`. Rounding keeps it the same when one
/// document of many is edited (a few terms more or less move the mean by a fraction),
/// so an export can patch its static index in place. Rankings move slightly (a 5-term
/// title against an average of 5.4 rounded to 5 weighs ~6% more), identically on the
/// server and in the static index.
pub fn average_lengths(lengths: impl IntoIterator<Item = [u32; FIELDS]>) -> [f32; FIELDS] {
    let mut totals = [0u64; FIELDS];
    let mut n = 0u64;
    for length in lengths {
        n += 1;
        for (total, len) in totals.iter_mut().zip(length) {
            *total += u64::from(len);
        }
    }
    let n = n.max(1) as f64;
    totals.map(|total| (total as f64 / n).round().max(1.0) as f32)
}

/// A search result for `doc`: its title, URL and the excerpt around the first match.
pub fn result(doc: &Document, query: &Query, score: f32) -> SearchResult {
    SearchResult {
        title: doc.title.clone(),
        url: doc.url.clone(),
        excerpt: excerpt(doc, query),
        score,
    }
}

/// Version of the static index format ([`StaticMeta::version`]).
pub const STATIC_VERSION: u32 = 1;

/// Where an export puts the static index: `index.json` ([`StaticMeta`]),
/// `shards/<hex key>.<hash>.json` ([`Shard`]), `docs/<n>.json` ([`Document`]).
pub const STATIC_DIR: &str = "/search/";

/// Longest shard key, in characters: terms sharing a longer prefix stay in one shard.
const MAX_KEY_CHARS: usize = 8;

/// `search/index.json`: what a browser needs to search an export without a server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StaticMeta {
    /// [`STATIC_VERSION`].
    pub version: u32,
    /// Number of documents (document `n` is `docs/<n>.json`).
    pub docs: u32,
    /// Shard key (a term prefix) → content hash; the file is
    /// `shards/<key as UTF-8 hex>.<hash>.json`.
    pub shards: BTreeMap<String, String>,
}

/// One shard of the static index: sorted terms that share a prefix (the shard's key),
/// each with its postings flattened as `[doc delta, tf, doc delta, tf, …]` (document
/// numbers delta-encoded, ascending).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// The terms.
    pub terms: Vec<String>,
    /// The postings of each term, flattened.
    pub postings: Vec<Vec<u32>>,
}

/// The first `n` characters of `text`.
fn prefix_chars(text: &str, n: usize) -> &str {
    text.char_indices().nth(n).map_or(text, |(i, _)| &text[..i])
}

/// The file name of a shard: its key's UTF-8 bytes in hex (any script is a safe file
/// name), then the content hash.
pub fn shard_file(key: &str, hash: &str) -> String {
    let hex: String = key.bytes().map(|b| format!("{b:02x}")).collect();
    format!("shards/{hex}.{hash}.json")
}

impl StaticMeta {
    /// Keys of the shards holding every indexed term that `query` can match: for each
    /// term, the shard whose key is its longest prefix, and for the term matched as a
    /// prefix also every shard whose key starts with it.
    pub fn shards_for(&self, query: &Query) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        let mut add = |key: &str| {
            if !keys.iter().any(|k| k == key) {
                keys.push(key.to_owned());
            }
        };
        for (i, term) in query.terms.iter().enumerate() {
            let chars = term.chars().count();
            if let Some(key) = (1..=chars.min(MAX_KEY_CHARS))
                .rev()
                .map(|n| prefix_chars(term, n))
                .find(|key| self.shards.contains_key(*key))
            {
                add(key);
            }
            if query.prefix == Some(i) {
                for (key, _) in self
                    .shards
                    .range::<str, _>((Bound::Included(term.as_str()), Bound::Unbounded))
                    .take_while(|(key, _)| key.starts_with(term.as_str()))
                {
                    add(key);
                }
            }
        }
        keys
    }
}

/// Splits `index` into shards of about `target` bytes of JSON at most: terms are
/// grouped by their first character, and a group over `target` is split by one more
/// character, down to [`MAX_KEY_CHARS`] (a term shorter than its group's key length gets
/// a shard of its own prefix, its whole self). Returns `(key, shard)` sorted by key.
pub fn build_shards(index: &TermIndex, target: usize) -> Vec<(String, Shard)> {
    shard_groups(index, target)
        .into_iter()
        .map(|group| {
            let shard = group.shard();
            (group.key, shard)
        })
        .collect()
}

/// The terms of one shard before serialisation (see [`shard_groups`]).
#[derive(Clone, Debug)]
pub struct ShardGroup<'a> {
    /// The shard's key: the prefix its terms share.
    pub key: String,
    /// Its terms and their postings, sorted by term.
    pub terms: Vec<(&'a str, &'a [Posting])>,
}

impl ShardGroup<'_> {
    /// The shard: each term's postings delta-encoded and flattened.
    pub fn shard(&self) -> Shard {
        let mut shard = Shard::default();
        for (term, postings) in &self.terms {
            let mut flat = Vec::with_capacity(postings.len() * 2);
            let mut last = 0;
            for posting in *postings {
                flat.push(posting.doc - last);
                flat.push(posting.tf);
                last = posting.doc;
            }
            shard.terms.push((*term).to_owned());
            shard.postings.push(flat);
        }
        shard
    }
}

/// The split of [`build_shards`] without the serialisation: which terms go to which
/// shard, sorted by key. The split depends only on the terms and their numbers of
/// postings, so an export can tell which shards a patch of a few documents changed.
pub fn shard_groups(index: &TermIndex, target: usize) -> Vec<ShardGroup<'_>> {
    let terms: Vec<(&str, &[Posting])> = index.iter().collect();
    let mut out = Vec::new();
    split(&terms, 1, target, &mut out);
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

fn split<'a>(
    terms: &[(&'a str, &'a [Posting])],
    chars: usize,
    target: usize,
    out: &mut Vec<ShardGroup<'a>>,
) {
    let mut start = 0;
    while start < terms.len() {
        let key = prefix_chars(terms[start].0, chars);
        // Terms are sorted, so a key's terms are one run.
        let end = start
            + terms[start..]
                .iter()
                .take_while(|(term, _)| prefix_chars(term, chars) == key)
                .count();
        let group = &terms[start..end];
        let size: usize = group.iter().map(|(t, p)| t.len() + 6 + p.len() * 8).sum();
        let splittable = chars < MAX_KEY_CHARS && group.len() > 1 && key.chars().count() == chars;
        if size > target && splittable {
            split(group, chars + 1, target, out);
        } else {
            out.push(ShardGroup {
                key: key.to_owned(),
                terms: group.to_vec(),
            });
        }
        start = end;
    }
}

/// A normalised term and where it was found in the original text (byte offsets).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Token {
    term: String,
    start: usize,
    end: usize,
}

/// Whether `c` belongs to a script written without spaces between words.
fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3400..=0x4DBF // CJK Extension A
        | 0x4E00..=0x9FFF // CJK Unified Ideographs
        | 0xF900..=0xFAFF // CJK Compatibility Ideographs
        | 0x20000..=0x2FFFF)
}

/// Splits `text` into normalised terms (see the module documentation).
fn tokens(text: &str) -> impl Iterator<Item = Token> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        // Skip separators.
        while let Some(&(_, c)) = chars.peek() {
            if c.is_alphanumeric() {
                break;
            }
            chars.next();
        }
        let &(start, first) = chars.peek()?;
        let mut term = String::new();
        let mut end = start;
        if is_unspaced_script(first) {
            chars.next();
            push_normalised(&mut term, first);
            end += first.len_utf8();
        } else {
            while let Some(&(at, c)) = chars.peek() {
                if !c.is_alphanumeric() || is_unspaced_script(c) {
                    break;
                }
                push_normalised(&mut term, c);
                end = at + c.len_utf8();
                chars.next();
            }
        }
        Some(Token { term, start, end })
    })
    .filter(|token| !token.term.is_empty())
}

fn push_normalised(term: &mut String, c: char) {
    // ASCII needs no decomposition (the common case by far).
    if c.is_ascii() {
        term.push(c.to_ascii_lowercase());
        return;
    }
    for d in c.nfkd().filter(|d| !is_combining_mark(*d)) {
        term.extend(d.to_lowercase());
    }
}

/// Plain text around the first query term in the body, else the start of the summary.
fn excerpt(doc: &Document, query: &Query) -> String {
    let hit = tokens(&doc.body).find(|token| {
        query.terms.iter().enumerate().any(|(i, term)| {
            token.term == *term
                || (query.prefix == Some(i) && token.term.starts_with(term.as_str()))
        })
    });
    match hit {
        Some(token) => window(&doc.body, token.start),
        None if !doc.summary.is_empty() => window(&doc.summary, 0),
        None => window(&doc.body, 0),
    }
}

/// About [`EXCERPT_CHARS`] characters of `text` around byte offset `at`, cut at word
/// boundaries, with an ellipsis on each side that was cut.
fn window(text: &str, at: usize) -> String {
    let lead_start = text[..at]
        .char_indices()
        .rev()
        .nth(EXCERPT_LEAD_CHARS.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    // Start at a word boundary unless the context already starts the text.
    let start = if lead_start == 0 {
        0
    } else {
        text[lead_start..at]
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
            .map_or(lead_start, |(i, c)| lead_start + i + c.len_utf8())
    };
    let rest = &text[start..];
    let mut end = rest
        .char_indices()
        .nth(EXCERPT_CHARS)
        .map_or(rest.len(), |(i, _)| i);
    if end < rest.len() {
        if let Some(space) = rest[..end].rfind(char::is_whitespace) {
            if space > 0 {
                end = space;
            }
        }
    }
    let mut out = String::with_capacity(end + 8);
    if start > 0 {
        out.push('…');
    }
    // Block boundaries are newlines in the text; an excerpt is one line.
    for (i, word) in rest[..end].split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    if end < rest.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(url: &str, title: &str, summary: &str, body: &str) -> Document {
        Document {
            url: url.into(),
            title: title.into(),
            summary: summary.into(),
            body: body.into(),
        }
    }

    fn urls(outcome: &SearchOutcome) -> Vec<&str> {
        outcome.results.iter().map(|r| r.url.as_str()).collect()
    }

    fn corpus() -> SearchIndex {
        SearchIndex::new(vec![
            doc(
                "/a/",
                "Deploying to a CDN",
                "Ship the export.",
                "Upload dist to any static host. Leptos renders pages.",
            ),
            doc(
                "/b/",
                "Leptos islands",
                "Islands hydrate.",
                "Only islands ship WebAssembly to the browser.",
            ),
            doc(
                "/c/",
                "Caching",
                "ISR and revalidate.",
                "Leptos leptos leptos is mentioned often in this body, but not in the title.",
            ),
            doc(
                "/d/",
                "Café culture",
                "Naïve résumé.",
                "東京で検索する方法。 Nothing else here.",
            ),
        ])
    }

    #[test]
    fn title_match_outranks_body_match() {
        let out = corpus().search("leptos", 10);
        assert_eq!(out.total, 3);
        assert_eq!(urls(&out)[0], "/b/", "{out:?}");
        assert!(out.results.windows(2).all(|w| w[0].score >= w[1].score));
    }

    #[test]
    fn every_term_must_match() {
        let out = corpus().search("leptos cdn", 10);
        assert_eq!(urls(&out), ["/a/"]);
        assert_eq!(corpus().search("leptos nonexistentword", 10).total, 0);
    }

    #[test]
    fn last_term_matches_as_prefix_while_typing() {
        assert_eq!(urls(&corpus().search("isla", 10)), ["/b/"]);
        // A finished word (trailing space) must match exactly.
        assert_eq!(corpus().search("isla ", 10).total, 0);
        // The repeated term being typed is the one that expands.
        assert_eq!(urls(&corpus().search("isla only isla", 10)), ["/b/"]);
        // One character is too short to expand.
        assert_eq!(corpus().search("i", 10).total, 0);
    }

    #[test]
    fn limit_caps_results_but_not_total() {
        let out = corpus().search("leptos", 1);
        assert_eq!(out.total, 3);
        assert_eq!(out.results.len(), 1);
    }

    #[test]
    fn case_and_diacritics_are_folded() {
        assert_eq!(urls(&corpus().search("CAFE", 10)), ["/d/"]);
        assert_eq!(urls(&corpus().search("resume naive", 10)), ["/d/"]);
        assert_eq!(urls(&corpus().search("café", 10)), ["/d/"]);
    }

    #[test]
    fn cjk_is_searched_per_character() {
        let out = corpus().search("検索", 10);
        assert_eq!(urls(&out), ["/d/"]);
        assert!(out.results[0].excerpt.contains("検索"), "{out:?}");
    }

    #[test]
    fn punctuation_only_query_matches_nothing() {
        assert_eq!(corpus().search("?!…", 10), SearchOutcome::default());
        assert_eq!(
            SearchIndex::new(vec![]).search("x", 10),
            SearchOutcome::default()
        );
    }

    #[test]
    fn excerpt_surrounds_the_first_match() {
        let body = format!("{} needle {}", "word ".repeat(100), "tail ".repeat(100));
        let index = SearchIndex::new(vec![doc("/x/", "X", "", &body)]);
        let excerpt = &index.search("needle", 1).results[0].excerpt;
        assert!(
            excerpt.starts_with('…') && excerpt.ends_with('…'),
            "{excerpt}"
        );
        assert!(excerpt.contains(" needle "));
        let index = SearchIndex::new(vec![doc("/y/", "Y", "", "Heading\nFirst  line\n\nneedle")]);
        assert_eq!(
            index.search("needle", 1).results[0].excerpt,
            "Heading First line needle"
        );
        assert!(excerpt.chars().count() <= EXCERPT_CHARS + 2);
    }

    #[test]
    fn excerpt_cuts_at_multibyte_whitespace() {
        // U+3000 (ideographic space) is three bytes long.
        let body = format!("{}needle", "語\u{3000}".repeat(80));
        let index = SearchIndex::new(vec![doc("/z/", "Z", "", &body)]);
        let excerpt = &index.search("needle", 1).results[0].excerpt;
        assert!(
            excerpt.starts_with('…') && excerpt.ends_with("needle"),
            "{excerpt}"
        );
    }

    #[test]
    fn excerpt_falls_back_to_summary() {
        let index = SearchIndex::new(vec![doc("/x/", "Needle", "A short summary.", "Body.")]);
        assert_eq!(
            index.search("needle", 1).results[0].excerpt,
            "A short summary."
        );
    }

    /// Searches like the browser on a static host: only the shards the query needs,
    /// loaded into a fresh term index, the documents fetched for the results.
    fn static_search(
        index: &SearchIndex,
        target: usize,
        query: &str,
        limit: usize,
    ) -> SearchOutcome {
        let shards = build_shards(index.terms(), target);
        let meta = StaticMeta {
            version: STATIC_VERSION,
            docs: index.len() as u32,
            shards: shards
                .iter()
                .map(|(k, _)| (k.clone(), "h".to_owned()))
                .collect(),
        };
        // Through JSON, as over the network.
        let meta: StaticMeta =
            serde_json::from_str(&serde_json::to_string(&meta).unwrap()).unwrap();
        let parsed = Query::parse(query);
        let mut loaded = TermIndex::default();
        for key in meta.shards_for(&parsed) {
            let shard = &shards.iter().find(|(k, _)| *k == key).unwrap().1;
            let shard: Shard =
                serde_json::from_str(&serde_json::to_string(shard).unwrap()).unwrap();
            loaded.insert_shard(&shard);
        }
        let hits = rank(&parsed, meta.docs as usize, &loaded);
        SearchOutcome {
            total: hits.len(),
            results: hits
                .into_iter()
                .take(limit)
                .map(|(doc, score)| result(&index.docs()[doc as usize], &parsed, score))
                .collect(),
        }
    }

    #[test]
    fn static_shards_give_the_server_results() {
        let words = [
            "leptos", "lepton", "lens", "island", "isle", "islands", "deploy", "cdn", "café", "東",
            "京", "a", "ab",
        ];
        let docs: Vec<Document> = (0..60)
            .map(|i| {
                let body: Vec<&str> = (0..40)
                    .map(|j| words[(i * 7 + j * j) % words.len()])
                    .collect();
                doc(
                    &format!("/p{i}/"),
                    words[i % words.len()],
                    words[(i + 3) % words.len()],
                    &body.join(" "),
                )
            })
            .collect();
        let index = SearchIndex::new(docs);
        let shards = build_shards(index.terms(), 64);
        assert!(shards.len() > 5, "small target splits: {}", shards.len());
        assert!(
            shards.iter().any(|(k, _)| k.chars().count() > 2),
            "deeper keys exist"
        );
        for target in [64, 1 << 20] {
            for query in [
                "leptos",
                "lep",
                "le",
                "isl",
                "island isle",
                "islands ",
                "café cdn",
                "東京",
                "a",
                "ab",
                "zz",
                "l",
            ] {
                assert_eq!(
                    static_search(&index, target, query, 5),
                    index.search(query, 5),
                    "query {query:?}, target {target}"
                );
            }
        }
    }

    #[test]
    fn shard_files_are_safe_names() {
        assert_eq!(shard_file("le", "abc"), "shards/6c65.abc.json");
        assert_eq!(shard_file("東", "x"), "shards/e69db1.x.json");
    }

    #[test]
    fn tokens_keep_byte_offsets() {
        let text = "Héllo, wörld!";
        let toks: Vec<_> = tokens(text).collect();
        assert_eq!(toks.len(), 2);
        assert_eq!(toks[0].term, "hello");
        assert_eq!(&text[toks[1].start..toks[1].end], "wörld");
    }

    #[test]
    fn a_patched_index_equals_a_fresh_one() {
        let before = vec![
            doc("/a/", "Alpha post", "First.", "cache render static site"),
            doc("/b/", "Beta post", "Second.", "router islands hydrate rust"),
            doc("/c/", "Gamma post", "Third.", "static cache zebra rust"),
        ];
        let mut after = before.clone();
        // The same lengths (so the same averages), other terms.
        after[1].body = "router islands yak rust".into();
        let counted: Vec<DocTerms> = before.iter().map(DocTerms::of).collect();
        let average = average_lengths(counted.iter().map(|c| c.length));
        let mut patched = SearchIndex::new(before).terms().clone();
        let mut affected = BTreeSet::new();
        patched.remove_doc(1, &mut affected);
        assert!(affected.contains("hydrate") && affected.contains("rust"));
        assert!(
            patched.matching("hydrate", false).next().is_none(),
            "a term left without postings is removed"
        );
        let new_terms = DocTerms::of(&after[1]);
        assert_eq!(
            average_lengths(after.iter().map(|d| DocTerms::of(d).length)),
            average
        );
        for (term, tf) in new_terms.weigh(&average) {
            patched.insert(term, Posting { doc: 1, tf });
        }
        let fresh = SearchIndex::new(after);
        let flat = |index: &TermIndex| -> Vec<(String, Vec<Posting>)> {
            index
                .iter()
                .map(|(t, p)| (t.to_owned(), p.to_vec()))
                .collect()
        };
        assert_eq!(flat(&patched), flat(fresh.terms()));
        assert_eq!(
            build_shards(&patched, 64),
            build_shards(fresh.terms(), 64),
            "the same shards"
        );
    }

    #[test]
    fn average_lengths_are_rounded_to_whole_terms() {
        assert_eq!(average_lengths([[1, 2, 10], [2, 2, 11]]), [2.0, 2.0, 11.0]);
        assert_eq!(average_lengths([[0, 0, 0]]), [1.0, 1.0, 1.0]);
        assert_eq!(average_lengths(std::iter::empty()), [1.0, 1.0, 1.0]);
    }
}

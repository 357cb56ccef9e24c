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
//! The module is pure Rust without I/O, so the same ranking can run on the server and,
//! compiled to WebAssembly, in the browser.

use std::collections::BTreeMap;
use std::ops::Bound;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::api::SearchResult;

/// Weights of the fields title, summary, body.
const FIELD_WEIGHTS: [f32; FIELDS] = [3.0, 1.5, 1.0];
const FIELDS: usize = 3;
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

/// A document to index. `body` is plain text (Markdown already rendered and stripped).
#[derive(Clone, Debug, Default)]
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

#[derive(Clone, Copy, Debug)]
struct Posting {
    doc: u32,
    tf: [u16; FIELDS],
}

/// The result of [`SearchIndex::search`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchOutcome {
    /// Number of matching documents in all.
    pub total: usize,
    /// At most `limit` results, best first.
    pub results: Vec<SearchResult>,
}

/// An in-memory inverted index over [`Document`]s.
#[derive(Clone, Debug, Default)]
pub struct SearchIndex {
    docs: Vec<Document>,
    lengths: Vec<[u32; FIELDS]>,
    average_length: [f32; FIELDS],
    /// Sorted by term, so that the terms sharing a prefix are one range.
    postings: BTreeMap<String, Vec<Posting>>,
}

impl SearchIndex {
    /// Builds the index. Documents keep their order, which breaks ties between equal
    /// scores (put the newest first).
    pub fn new(docs: Vec<Document>) -> Self {
        let mut postings: BTreeMap<String, Vec<Posting>> = BTreeMap::new();
        let mut lengths = Vec::with_capacity(docs.len());
        let mut totals = [0u64; FIELDS];
        for (id, doc) in docs.iter().enumerate() {
            let id = u32::try_from(id).expect("fewer than 4 billion documents");
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
            for (total, len) in totals.iter_mut().zip(length) {
                *total += u64::from(len);
            }
            lengths.push(length);
            for (term, tf) in counts {
                postings
                    .entry(term)
                    .or_default()
                    .push(Posting { doc: id, tf });
            }
        }
        let n = docs.len().max(1) as f32;
        let average_length = totals.map(|total| (total as f32 / n).max(1.0));
        Self {
            docs,
            lengths,
            average_length,
            postings,
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

    /// Ranks the documents that contain every term of `query` and returns the best
    /// `limit` of them. A query without any term (only punctuation, say) matches
    /// nothing.
    pub fn search(&self, query: &str, limit: usize) -> SearchOutcome {
        // Distinct terms, and the index of the one typed last.
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
        if terms.is_empty() || self.docs.is_empty() {
            return SearchOutcome::default();
        }
        // The term typed last also matches as a prefix, unless the query ends with a
        // separator ("rust " means the word is complete) or the term is too short.
        let typing = query.chars().last().is_some_and(char::is_alphanumeric);
        let prefix = Some(last).filter(|&i| typing && terms[i].chars().count() >= PREFIX_MIN_CHARS);

        let mut scores = vec![0f32; self.docs.len()];
        let mut matched = vec![0usize; self.docs.len()];
        let n = self.docs.len() as f32;
        for (i, term) in terms.iter().enumerate() {
            // Weighted, length-normalised term frequency per document (BM25F's tf~).
            let mut tf: BTreeMap<u32, f32> = BTreeMap::new();
            for (indexed, postings) in self.matching_terms(term, prefix == Some(i)) {
                let weight = if indexed == term { 1.0 } else { PREFIX_WEIGHT };
                for posting in postings {
                    let len = &self.lengths[posting.doc as usize];
                    let mut sum = 0.0;
                    for f in 0..FIELDS {
                        if posting.tf[f] > 0 {
                            let norm = 1.0 - B + B * len[f] as f32 / self.average_length[f];
                            sum += FIELD_WEIGHTS[f] * f32::from(posting.tf[f]) / norm;
                        }
                    }
                    *tf.entry(posting.doc).or_default() += weight * sum;
                }
            }
            let df = tf.len() as f32;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            for (doc, tf) in tf {
                scores[doc as usize] += idf * tf * (K1 + 1.0) / (K1 + tf);
                matched[doc as usize] += 1;
            }
        }

        let mut hits: Vec<(usize, f32)> = (0..self.docs.len())
            .filter(|&doc| matched[doc] == terms.len())
            .map(|doc| (doc, scores[doc]))
            .collect();
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let total = hits.len();
        let results = hits
            .into_iter()
            .take(limit)
            .map(|(doc, score)| {
                let doc = &self.docs[doc];
                SearchResult {
                    title: doc.title.clone(),
                    url: doc.url.clone(),
                    excerpt: excerpt(doc, &terms, prefix),
                    score,
                }
            })
            .collect();
        SearchOutcome { total, results }
    }

    /// The indexed terms equal to `term`, or starting with it when `prefix`.
    fn matching_terms<'a>(
        &'a self,
        term: &'a str,
        prefix: bool,
    ) -> Box<dyn Iterator<Item = (&'a str, &'a [Posting])> + 'a> {
        if prefix {
            Box::new(
                self.postings
                    .range::<str, _>((Bound::Included(term), Bound::Unbounded))
                    .take_while(move |(indexed, _)| indexed.starts_with(term))
                    .map(|(indexed, postings)| (indexed.as_str(), postings.as_slice())),
            )
        } else {
            Box::new(
                self.postings
                    .get_key_value(term)
                    .map(|(indexed, postings)| (indexed.as_str(), postings.as_slice()))
                    .into_iter(),
            )
        }
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
    for d in c.nfkd().filter(|d| !is_combining_mark(*d)) {
        term.extend(d.to_lowercase());
    }
}

/// Plain text around the first query term in the body, else the start of the summary.
/// `prefix` is the index of the term that also matches as a prefix, if any.
fn excerpt(doc: &Document, terms: &[String], prefix: Option<usize>) -> String {
    let hit = tokens(&doc.body).find(|token| {
        terms.iter().enumerate().any(|(i, term)| {
            token.term == *term || (prefix == Some(i) && token.term.starts_with(term.as_str()))
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

    #[test]
    fn tokens_keep_byte_offsets() {
        let text = "Héllo, wörld!";
        let toks: Vec<_> = tokens(text).collect();
        assert_eq!(toks.len(), 2);
        assert_eq!(toks[0].term, "hello");
        assert_eq!(&text[toks[1].start..toks[1].end], "wörld");
    }
}

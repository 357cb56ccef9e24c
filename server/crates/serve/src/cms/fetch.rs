//! Reading each vendor's lists ([`super::vendors`]): pagination, linked entries and
//! assets, drafts, and the vendors' rate-limit answers.

use std::collections::{BTreeSet, HashMap};

use reqwest::header::HeaderMap;
use serde_json::{Map, Value};

use super::vendors::{post_of, product_of, Entry, Fetched, Kind, Renderer, Settings, MAX_PAGES};
use super::{CmsSource, Credentials};
use crate::error::CmsError;

/// Items asked for per page.
const PAGE: usize = 100;

/// The token a request sends, and where it came from (for the error of a refusal).
#[derive(Clone, Copy)]
struct Token<'a> {
    value: Option<&'a str>,
    source: &'a str,
}

/// What a list request asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Listing {
    /// Every entry, whole.
    Full,
    /// Every entry's id only (Strapi `fields[0]=documentId`, Contentful
    /// `select=sys.id`, Sanity `{_id}`, WordPress `_fields=id`): what still exists.
    Ids,
    /// Whole entries changed after the vendor's timestamp (Strapi
    /// `filters[updatedAt][$gt]`, Contentful `sys.updatedAt[gt]`, Sanity
    /// `_updatedAt > $since`, WordPress newest `modified` first down to it).
    ChangedSince(String),
}

/// Which list to read, and how.
struct List<'a> {
    /// The type.
    kind: &'a str,
    /// Sanity: a custom GROQ filter.
    query: Option<&'a str>,
    /// Drafts too.
    drafts: bool,
    /// What of it.
    listing: Listing,
}

/// A list as last read, for the next reload to fetch only what changed.
#[derive(Clone, Debug, Default)]
pub(super) struct Synced {
    items: Vec<Value>,
    included: HashMap<String, Value>,
    /// The newest change among `items`, in the vendor's own clock and format.
    newest: Option<String>,
}

/// How far before the newest change a reload asks from, in seconds: a write that
/// committed late with an earlier timestamp is still seen.
const SYNC_MARGIN_SECONDS: i64 = 60;

/// One list's raw items, with what resolves their links.
#[derive(Clone, Debug, Default)]
struct Raw {
    items: Vec<Value>,
    /// Contentful: entries and assets by id (`includes` and the items themselves).
    included: HashMap<String, Value>,
}

impl CmsSource {
    /// Reads posts (and products, when mapped) from the vendor of `settings`.
    pub(super) async fn fetch_vendor(
        &self,
        settings: &Settings,
        drafts: bool,
    ) -> Result<Fetched, CmsError> {
        let base = settings.base(drafts)?;
        let origin = base.as_str().trim_end_matches('/').to_owned();
        let (token, token_name) = self.vendor_token(settings, drafts);
        let token = Token {
            value: token.as_deref(),
            source: &token_name,
        };
        let mut fetched = Fetched::default();
        let posts = settings.posts();
        let query = posts.query.as_deref();
        let raw = self
            .list_synced(settings, &base, token, &posts.kind, query, drafts)
            .await?;
        // Strapi 5 answers `status=draft` with the draft version of every document, each
        // with `publishedAt: null`: the published ones tell which are drafts only, and
        // give the others their publication date.
        let published: HashMap<String, Value> = if drafts && settings.kind == Kind::Strapi {
            self.list_published(settings, &base, token, &posts.kind, Listing::Full)
                .await?
                .items
                .into_iter()
                .filter_map(|item| {
                    let id = item.get("documentId")?.as_str()?.to_owned();
                    Some((id, item.get("publishedAt")?.clone()))
                })
                .collect()
        } else {
            HashMap::new()
        };
        let mut seen = BTreeSet::new();
        for item in &raw.items {
            let mut item = item.clone();
            let draft = match settings.kind {
                Kind::Strapi if drafts => {
                    let id = item
                        .get("documentId")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned();
                    match published.get(&id) {
                        Some(at) => {
                            item["publishedAt"] = at.clone();
                            false
                        }
                        None => true,
                    }
                }
                kind => is_draft(kind, &item),
            };
            let entry = entry_of(settings, &item, &raw, &base, &posts);
            let post = post_of(
                &entry,
                &posts,
                &origin,
                settings.kind == Kind::WordPress,
                &mut fetched.warnings,
            );
            // A draft may lack what publishing requires (WordPress gives a draft its slug
            // only when it is published): it is left out of the preview, named.
            let mut post = match post {
                Ok(post) => post,
                Err(error) if drafts && draft => {
                    fetched
                        .warnings
                        .insert(format!("a draft left out of the preview: {error}"));
                    continue;
                }
                Err(error) => return Err(error),
            };
            if !seen.insert(post.slug.clone()) {
                return Err(CmsError::msg(format!(
                    "{origin}: two {} entries have the slug `{}`",
                    posts.kind, post.slug
                )));
            }
            post.draft = draft;
            if post.draft && !drafts {
                continue;
            }
            fetched.posts.push(post);
        }
        if let Some(mapping) = &settings.products {
            let query = mapping.query.as_deref();
            let raw = self
                .list_synced(settings, &base, token, &mapping.kind, query, false)
                .await?;
            let mut products = Vec::with_capacity(raw.items.len());
            for item in &raw.items {
                let entry = entry_of(settings, item, &raw, &base, &posts);
                products.push(product_of(&entry, mapping, &origin, &mut fetched.warnings)?);
            }
            fetched.products = Some(products);
        }
        for warning in &fetched.warnings {
            tracing::warn!("{origin}: {warning}");
        }
        Ok(fetched)
    }

    /// The token and where it came from: the preview token for drafts (when set),
    /// else the settings' token variable, else `--cms-token`.
    fn vendor_token(&self, settings: &Settings, drafts: bool) -> (Option<String>, String) {
        let from = |name: &str| std::env::var(name).ok().filter(|t| !t.is_empty());
        if drafts {
            if let Some(name) = settings.preview_token_env.as_deref() {
                if let Some(token) = from(name) {
                    return (
                        Some(token),
                        format!("the environment variable {name} (`preview_token_env`)"),
                    );
                }
            }
        }
        let name = settings.token_env();
        match (from(name), &self.token) {
            (Some(token), _) => (
                Some(token),
                format!("the environment variable {name} (`token_env`)"),
            ),
            (None, Some(token)) => (
                Some(token.clone()),
                "--cms-token (ATOLL_CMS_TOKEN)".to_owned(),
            ),
            (None, None) => (
                None,
                format!("the environment variable {name} (`token_env`), which is empty"),
            ),
        }
    }

    /// Forgets the lists read before: the next read is a full one (a change of
    /// something the lists only link to, which no change time of theirs shows).
    pub(crate) fn forget_sync(&self) {
        self.synced
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }

    /// Every raw item of type `kind`, fetching only what changed when this source read
    /// the list before: the ids of what exists now, then the entries changed since the
    /// newest change seen (less [`SYNC_MARGIN_SECONDS`]), merged into the previous list
    /// (deleted entries dropped, changed ones replaced, new ones added). Drafts and a
    /// custom Sanity query are always read in full. A linked entry (Contentful) changed
    /// alone is seen at the next full read, which `atoll serve` does at start.
    async fn list_synced(
        &self,
        settings: &Settings,
        base: &reqwest::Url,
        token: Token<'_>,
        kind: &str,
        query: Option<&str>,
        drafts: bool,
    ) -> Result<Raw, CmsError> {
        if drafts || query.is_some() {
            return self
                .list_vendor(
                    settings,
                    base,
                    token,
                    &List {
                        kind,
                        query,
                        drafts,
                        listing: Listing::Full,
                    },
                )
                .await;
        }
        let previous = self
            .synced
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(kind)
            .cloned();
        let since = previous
            .as_ref()
            .and_then(|p| p.newest.as_deref())
            .and_then(|newest| earlier(settings.kind, newest));
        let merged = match (previous, since) {
            (Some(previous), Some(since)) => {
                let existing: BTreeSet<String> = self
                    .list_published(settings, base, token, kind, Listing::Ids)
                    .await?
                    .items
                    .iter()
                    .filter_map(|item| item_id(settings.kind, item))
                    .collect();
                let changed = self
                    .list_published(settings, base, token, kind, Listing::ChangedSince(since))
                    .await?;
                let changed_count = changed.items.len();
                let gone: Vec<String> = previous
                    .items
                    .iter()
                    .filter_map(|item| item_id(settings.kind, item))
                    .filter(|id| !existing.contains(id))
                    .collect();
                let mut by_id: std::collections::BTreeMap<String, Value> = previous
                    .items
                    .into_iter()
                    .filter_map(|item| Some((item_id(settings.kind, &item)?, item)))
                    .filter(|(id, _)| existing.contains(id))
                    .collect();
                for item in changed.items {
                    if let Some(id) = item_id(settings.kind, &item) {
                        by_id.insert(id, item);
                    }
                }
                // An entry listed but neither known nor changed (a scheduled post gone
                // live, one published without a new change time, one skipped by a
                // delete while paging): the list is read again in full.
                if existing.iter().all(|id| by_id.contains_key(id)) {
                    tracing::info!(
                        kind,
                        changed = changed_count,
                        entries = existing.len(),
                        "CMS: fetched what changed"
                    );
                    let mut included = previous.included;
                    for id in &gone {
                        included.remove(id);
                    }
                    included.extend(changed.included);
                    let mut raw = Raw {
                        items: by_id.into_values().collect(),
                        included,
                    };
                    if settings.kind == Kind::Contentful {
                        for item in &raw.items {
                            if let Some(id) = item.pointer("/sys/id").and_then(Value::as_str) {
                                raw.included.insert(id.to_owned(), item.clone());
                            }
                        }
                    }
                    Some(raw)
                } else {
                    None
                }
            }
            _ => None,
        };
        let raw = match merged {
            Some(raw) => raw,
            None => {
                self.list_published(settings, base, token, kind, Listing::Full)
                    .await?
            }
        };
        let newest = raw
            .items
            .iter()
            .filter_map(|item| updated_at(settings.kind, item))
            .max();
        self.synced
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(
                kind.to_owned(),
                Synced {
                    items: raw.items.clone(),
                    included: raw.included.clone(),
                    newest,
                },
            );
        Ok(raw)
    }

    /// [`CmsSource::list_vendor`] of published entries, without a custom query.
    async fn list_published(
        &self,
        settings: &Settings,
        base: &reqwest::Url,
        token: Token<'_>,
        kind: &str,
        listing: Listing,
    ) -> Result<Raw, CmsError> {
        let list = List {
            kind,
            query: None,
            drafts: false,
            listing,
        };
        self.list_vendor(settings, base, token, &list).await
    }

    /// Every raw item of type `kind`, page by page (at most [`MAX_PAGES`]).
    async fn list_vendor(
        &self,
        settings: &Settings,
        base: &reqwest::Url,
        token: Token<'_>,
        list: &List<'_>,
    ) -> Result<Raw, CmsError> {
        let List {
            kind,
            query,
            drafts,
            ref listing,
        } = *list;
        let mut raw = Raw {
            items: Vec::new(),
            included: HashMap::new(),
        };
        for page in 0..MAX_PAGES {
            let url = page_url(settings, base, kind, query, drafts, page, listing)?;
            let (body, headers) = match self.get_vendor(&url, token, settings).await {
                // Without `X-WP-TotalPages`, a full last page is followed by WordPress'
                // 400 `rest_post_invalid_page_number`: the end of the list.
                Err(error)
                    if settings.kind == Kind::WordPress
                        && page > 0
                        && !raw.items.is_empty()
                        && error.to_string().contains(": 400 ") =>
                {
                    break;
                }
                other => other?,
            };
            let (items, last) = match settings.kind {
                Kind::WordPress => {
                    let Value::Array(items) = body else {
                        return Err(CmsError::msg(format!(
                            "GET {url}: not a JSON list of entries"
                        )));
                    };
                    let pages = headers
                        .get("x-wp-totalpages")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<usize>().ok());
                    // A host that strips the header: go on while pages are full.
                    let last = match pages {
                        Some(pages) => page + 1 >= pages,
                        None => items.len() < PAGE,
                    };
                    (items, last)
                }
                Kind::Strapi => {
                    let pages = body
                        .pointer("/meta/pagination/pageCount")
                        .and_then(Value::as_u64)
                        .unwrap_or(1) as usize;
                    (take_list(body, "data", &url)?, page + 1 >= pages)
                }
                Kind::Contentful => {
                    for key in ["Entry", "Asset"] {
                        let Some(Value::Array(included)) =
                            body.pointer(&format!("/includes/{key}"))
                        else {
                            continue;
                        };
                        for item in included {
                            if let Some(id) = item.pointer("/sys/id").and_then(Value::as_str) {
                                raw.included.insert(id.to_owned(), item.clone());
                            }
                        }
                    }
                    let total = body.get("total").and_then(Value::as_u64).unwrap_or(0);
                    let last = ((page + 1) * PAGE) as u64 >= total;
                    (take_list(body, "items", &url)?, last)
                }
                // A slice shorter than asked for is the last.
                Kind::Sanity | Kind::Atoll => {
                    let items = take_list(body, "result", &url)?;
                    let last = items.len() < PAGE;
                    (items, last)
                }
            };
            // WordPress cannot filter on the modification time in UTC: newest first,
            // down to the first entry not newer than the mark.
            let (items, last) = match (settings.kind, listing) {
                (Kind::WordPress, Listing::ChangedSince(since)) => {
                    let all = items.len();
                    let newer: Vec<Value> = items
                        .into_iter()
                        .filter(|item| {
                            updated_at(Kind::WordPress, item).is_some_and(|at| at > *since)
                        })
                        .collect();
                    let done = newer.len() < all;
                    (newer, last || done)
                }
                _ => (items, last),
            };
            let empty = items.is_empty();
            raw.items.extend(items);
            if last || empty {
                break;
            }
            if page + 1 == MAX_PAGES {
                return Err(CmsError::msg(format!(
                    "{base}: `{kind}` has more than {MAX_PAGES} pages of {PAGE} entries (does the CMS paginate forever?)"
                )));
            }
        }
        if settings.kind == Kind::Contentful {
            for item in &raw.items {
                if let Some(id) = item.pointer("/sys/id").and_then(Value::as_str) {
                    raw.included.insert(id.to_owned(), item.clone());
                }
            }
        }
        Ok(raw)
    }

    /// GET `url` with the vendor's authentication and the retries of
    /// [`CmsSource::get_with_retries`]; the JSON body and the headers.
    async fn get_vendor(
        &self,
        url: &reqwest::Url,
        token: Token<'_>,
        settings: &Settings,
    ) -> Result<(Value, HeaderMap), CmsError> {
        let credentials = Credentials {
            token: token.value,
            // WordPress application passwords: `user:password` as HTTP Basic.
            basic: settings.kind == Kind::WordPress && token.value.is_some_and(|t| t.contains(':')),
            source: token.source,
        };
        let (bytes, headers) = self.get_with_retries(url, credentials).await?;
        let body = serde_json::from_slice(&bytes).map_err(|err| {
            CmsError::caused(
                format!("GET {url}: not the JSON of {}", settings.kind.name()),
                err,
            )
        })?;
        Ok((body, headers))
    }
}

/// The URL of page `page` (from 0) of type `kind`.
fn page_url(
    settings: &Settings,
    base: &reqwest::Url,
    kind: &str,
    query: Option<&str>,
    drafts: bool,
    page: usize,
    listing: &Listing,
) -> Result<reqwest::Url, CmsError> {
    let path = match settings.kind {
        Kind::Strapi => format!("api/{kind}"),
        Kind::Contentful => format!(
            "spaces/{}/environments/{}/entries",
            settings.space.as_deref().unwrap_or_default(),
            settings.environment.as_deref().unwrap_or("master")
        ),
        Kind::Sanity => format!(
            "{}/data/query/{}",
            settings.api_version.as_deref().unwrap_or("v2021-10-21"),
            settings.dataset.as_deref().unwrap_or("production")
        ),
        Kind::WordPress => format!("wp-json/wp/v2/{kind}"),
        Kind::Atoll => String::new(),
    };
    let mut url = base
        .join(&path)
        .map_err(|err| CmsError::caused(format!("bad CMS URL {base}{path}"), err))?;
    {
        let mut pairs = url.query_pairs_mut();
        match settings.kind {
            Kind::Strapi => {
                match listing {
                    Listing::Ids => pairs.append_pair("fields[0]", "documentId"),
                    Listing::Full => pairs.append_pair("populate", "*"),
                    Listing::ChangedSince(since) => pairs
                        .append_pair("populate", "*")
                        .append_pair("filters[updatedAt][$gt]", since),
                };
                pairs
                    .append_pair("pagination[page]", &(page + 1).to_string())
                    .append_pair("pagination[pageSize]", &PAGE.to_string())
                    // A stable order: pages neither skip nor repeat an entry.
                    .append_pair("sort", "id:asc")
                    .append_pair("status", if drafts { "draft" } else { "published" });
            }
            Kind::Contentful => {
                pairs
                    .append_pair("content_type", kind)
                    .append_pair("skip", &(page * PAGE).to_string())
                    .append_pair("limit", &PAGE.to_string())
                    .append_pair("order", "sys.id")
                    .append_pair("include", "2");
                match listing {
                    Listing::Full => {}
                    Listing::Ids => {
                        pairs.append_pair("select", "sys.id");
                    }
                    Listing::ChangedSince(since) => {
                        pairs.append_pair("sys.updatedAt[gt]", since);
                    }
                }
                if let Some(locale) = &settings.locale {
                    pairs.append_pair("locale", locale);
                }
            }
            Kind::Sanity => {
                let filter = match listing {
                    Listing::ChangedSince(_) => "*[_type == $type && _updatedAt > $since]",
                    _ => query.unwrap_or("*[_type == $type]"),
                };
                let projection = if *listing == Listing::Ids {
                    " {_id}"
                } else {
                    ""
                };
                let groq = format!(
                    "{filter} | order(_id asc) [{}...{}]{projection}",
                    page * PAGE,
                    (page + 1) * PAGE
                );
                if let Listing::ChangedSince(since) = listing {
                    pairs.append_pair("$since", &serde_json::to_string(since).expect("a string"));
                }
                pairs
                    .append_pair("query", &groq)
                    .append_pair("$type", &serde_json::to_string(kind).expect("a string"))
                    .append_pair("perspective", sanity_perspective(settings, drafts));
            }
            Kind::WordPress => {
                pairs
                    .append_pair("page", &(page + 1).to_string())
                    .append_pair("per_page", &PAGE.to_string());
                match listing {
                    Listing::Full => pairs
                        .append_pair("orderby", "id")
                        .append_pair("order", "asc")
                        .append_pair("_embed", "1"),
                    Listing::Ids => pairs
                        .append_pair("orderby", "id")
                        .append_pair("order", "asc")
                        .append_pair("_fields", "id"),
                    Listing::ChangedSince(_) => pairs
                        .append_pair("orderby", "modified")
                        .append_pair("order", "desc")
                        .append_pair("_embed", "1"),
                };
                if drafts {
                    pairs.append_pair("status", "publish,draft");
                }
            }
            Kind::Atoll => {}
        }
    }
    Ok(url)
}

/// Sanity's perspective: `published`, or the drafts overlaid on it, named `drafts`
/// from API version 2025-02-19 and `previewDrafts` before.
fn sanity_perspective(settings: &Settings, drafts: bool) -> &'static str {
    if !drafts {
        return "published";
    }
    let version = settings.api_version.as_deref().unwrap_or("v2021-10-21");
    if version.trim_start_matches('v') >= "2025-02-19" {
        "drafts"
    } else {
        "previewDrafts"
    }
}

/// An item as an [`Entry`]: its id and flat fields, with its vendor's renderer.
fn entry_of<'a>(
    settings: &'a Settings,
    item: &Value,
    raw: &'a Raw,
    base: &'a reqwest::Url,
    posts: &'a super::vendors::PostMapping,
) -> Entry<'a> {
    let id_at = |pointer: &str| item.pointer(pointer).map(value_id).unwrap_or_default();
    match settings.kind {
        Kind::Contentful => {
            let mut fields = item
                .get("fields")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            for value in fields.values_mut() {
                resolve_entry_links(value, &raw.included, 0);
            }
            Entry {
                id: id_at("/sys/id"),
                fields,
                renderer: Renderer::Contentful {
                    included: &raw.included,
                    posts,
                },
            }
        }
        Kind::Sanity => Entry {
            id: id_at("/_id"),
            fields: item.as_object().cloned().unwrap_or_default(),
            renderer: Renderer::Sanity {
                project: settings.project.as_deref().unwrap_or_default(),
                dataset: settings.dataset.as_deref().unwrap_or("production"),
            },
        },
        Kind::Strapi => Entry {
            id: item
                .get("documentId")
                .or_else(|| item.get("id"))
                .map(value_id)
                .unwrap_or_default(),
            fields: item.as_object().cloned().unwrap_or_default(),
            renderer: Renderer::Strapi { base },
        },
        Kind::WordPress | Kind::Atoll => Entry {
            id: id_at("/id"),
            fields: wordpress_fields(item),
            renderer: Renderer::WordPress,
        },
    }
}

/// The list at `key` of a JSON object answer.
fn take_list(body: Value, key: &str, url: &reqwest::Url) -> Result<Vec<Value>, CmsError> {
    match body {
        Value::Object(mut map) => match map.remove(key) {
            Some(Value::Array(items)) => Ok(items),
            _ => Err(CmsError::msg(format!(
                "GET {url}: no `{key}` list in the answer"
            ))),
        },
        _ => Err(CmsError::msg(format!("GET {url}: not a JSON object"))),
    }
}

/// An item's id in its vendor's list (Strapi `documentId`, Contentful `sys.id`,
/// Sanity `_id`, WordPress `id`).
fn item_id(kind: Kind, item: &Value) -> Option<String> {
    let value = match kind {
        Kind::Strapi => item.get("documentId").or_else(|| item.get("id")),
        Kind::Contentful => item.pointer("/sys/id"),
        Kind::Sanity => item.get("_id"),
        Kind::WordPress | Kind::Atoll => item.get("id"),
    }?;
    Some(value_id(value))
}

/// An item's last change as its vendor writes it (Strapi `updatedAt`, Contentful
/// `sys.updatedAt`, Sanity `_updatedAt`, WordPress `modified_gmt`, all UTC).
fn updated_at(kind: Kind, item: &Value) -> Option<String> {
    let value = match kind {
        Kind::Strapi => item.get("updatedAt"),
        Kind::Contentful => item.pointer("/sys/updatedAt"),
        Kind::Sanity => item.get("_updatedAt"),
        Kind::WordPress | Kind::Atoll => item.get("modified_gmt"),
    }?;
    value.as_str().map(str::to_owned)
}

/// `newest` less [`SYNC_MARGIN_SECONDS`], in the vendor's format (RFC 3339 in UTC;
/// WordPress without a zone).
fn earlier(kind: Kind, newest: &str) -> Option<String> {
    let at = match chrono::DateTime::parse_from_rfc3339(newest) {
        Ok(at) => at.with_timezone(&chrono::Utc),
        Err(_) => chrono::NaiveDateTime::parse_from_str(newest, "%Y-%m-%dT%H:%M:%S")
            .ok()?
            .and_utc(),
    } - chrono::Duration::seconds(SYNC_MARGIN_SECONDS);
    Some(match kind {
        Kind::WordPress => at.format("%Y-%m-%dT%H:%M:%S").to_string(),
        // GROQ compares the strings: Sanity's own shape, without fractions.
        Kind::Sanity => at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        _ => at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    })
}

fn value_id(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether a raw item is a draft (not published).
fn is_draft(kind: Kind, item: &Value) -> bool {
    match kind {
        Kind::Strapi => item.get("publishedAt").is_some_and(Value::is_null),
        // The drafts perspective overlays a draft on its published document: the draft's
        // own id is `_originalId`.
        Kind::Sanity => item
            .get("_originalId")
            .or_else(|| item.get("_id"))
            .and_then(Value::as_str)
            .is_some_and(|id| id.starts_with("drafts.") || id.starts_with("versions.")),
        Kind::WordPress => item
            .get("status")
            .and_then(Value::as_str)
            .is_some_and(|status| status != "publish"),
        // The Preview API serves drafts and published entries alike, unmarked.
        Kind::Contentful | Kind::Atoll => false,
    }
}

/// Replaces Contentful links to entries (`{"sys": {"type": "Link", "linkType":
/// "Entry"}}`) by the linked entry's fields (tags as entries, authors), two levels
/// deep; links to assets stay (images resolve them), unresolvable links stay as they
/// are.
fn resolve_entry_links(value: &mut Value, included: &HashMap<String, Value>, depth: usize) {
    if depth > 2 {
        return;
    }
    match value {
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| resolve_entry_links(item, included, depth)),
        Value::Object(map) => {
            let link = map.get("sys").filter(|sys| {
                sys.get("type").and_then(Value::as_str) == Some("Link")
                    && sys.get("linkType").and_then(Value::as_str) == Some("Entry")
            });
            match link.and_then(|sys| sys.get("id")).and_then(Value::as_str) {
                Some(id) => {
                    if let Some(fields) = included.get(id).and_then(|entry| entry.get("fields")) {
                        let mut fields = fields.clone();
                        if let Value::Object(inner) = &mut fields {
                            for inner in inner.values_mut() {
                                resolve_entry_links(inner, included, depth + 1);
                            }
                        }
                        *value = fields;
                    }
                }
                // Rich Text documents keep their links (the renderer resolves them).
                None if map.contains_key("nodeType") => {}
                None => {
                    for inner in map.values_mut() {
                        resolve_entry_links(inner, included, depth + 1);
                    }
                }
            }
        }
        _ => {}
    }
}

/// A WordPress post's fields, flattened: `title`, `content` and `excerpt` as their
/// rendered HTML, `date`/`modified` from the GMT fields, `tags` and `categories` as
/// term names and `featured_image` as a URL (from `_embed`), the ACF fields (`acf`) at
/// the top; links and ids of the REST envelope left out.
fn wordpress_fields(item: &Value) -> Map<String, Value> {
    let mut fields = Map::new();
    let Some(object) = item.as_object() else {
        return fields;
    };
    for (key, value) in object {
        match key.as_str() {
            "title" | "content" | "excerpt" | "guid" => {
                if let Some(rendered) = value.get("rendered") {
                    fields.insert(key.clone(), rendered.clone());
                }
            }
            "date_gmt" => {
                fields.insert("date".into(), value.clone());
            }
            "modified_gmt" => {
                fields.insert("modified".into(), value.clone());
            }
            "date" | "modified" | "_links" | "_embedded" | "tags" | "categories"
            | "featured_media" => {}
            "acf" => {
                if let Some(acf) = value.as_object() {
                    fields.extend(acf.clone());
                }
            }
            _ => {
                fields.insert(key.clone(), value.clone());
            }
        }
    }
    let embedded = item.get("_embedded");
    let terms = embedded
        .and_then(|e| e.get("wp:term"))
        .and_then(Value::as_array)
        .map(|groups| {
            groups
                .iter()
                .flat_map(|g| g.as_array().cloned().unwrap_or_default())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    for (taxonomy, field) in [("post_tag", "tags"), ("category", "categories")] {
        let names: Vec<Value> = terms
            .iter()
            .filter(|term| term.get("taxonomy").and_then(Value::as_str) == Some(taxonomy))
            .filter_map(|term| term.get("name").cloned())
            .map(|name| {
                Value::String(super::vendors::html_to_text(
                    name.as_str().unwrap_or_default(),
                ))
            })
            .collect();
        fields.insert(field.into(), Value::Array(names));
    }
    if let Some(url) = embedded
        .and_then(|e| e.pointer("/wp:featuredmedia/0/source_url"))
        .and_then(Value::as_str)
    {
        fields.insert("featured_image".into(), Value::String(url.to_owned()));
    }
    fields
}

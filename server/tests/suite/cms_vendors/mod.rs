//! The CMS vendors as content sources, against a local HTTP server on 127.0.0.1 that
//! answers as each vendor's API documents it (Contentful's Content Delivery API with
//! `includes`, Sanity's query API, WordPress' `wp/v2` with `_embed`, Strapi 5's REST),
//! over several pages; and the bad inputs: a missing slug, an unknown type, a refused
//! token, a rate limit, a CMS that paginates forever.

mod strapi;
mod webhooks;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use atoll::cms::vendors::Settings;
use atoll::cms::CmsSource;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// A file the fake serves: its bytes and `ETag`.
pub(crate) type Served = (Vec<u8>, String);

/// What the fake CMS answers, and what it saw.
#[derive(Clone, Default)]
pub(crate) struct Fake {
    /// Raw entries by type (Contentful content type, Sanity `_type`, WordPress REST
    /// base, Strapi plural).
    pub(crate) entries: Arc<Mutex<HashMap<String, Vec<Value>>>>,
    /// Contentful `includes`.
    pub(crate) includes: Arc<Mutex<Value>>,
    /// The token every request must carry (`Bearer …`, or WordPress' Basic).
    pub(crate) token: Option<String>,
    /// Requests answered 429 first (with a one-second reset).
    pub(crate) rate_limited: Arc<AtomicUsize>,
    /// Strapi: claim this many pages whatever is asked (a CMS that paginates forever).
    pub(crate) endless: bool,
    /// Every request's path and query.
    pub(crate) seen: Arc<Mutex<Vec<String>>>,
    /// Files served as they are (images), with their `ETag`: path → (bytes, etag).
    pub(crate) files: Arc<Mutex<HashMap<String, Served>>>,
    /// Answers 304 to a file request whose `If-None-Match` matched.
    pub(crate) not_modified: Arc<AtomicUsize>,
}

fn authorized(fake: &Fake, headers: &HeaderMap) -> bool {
    let Some(token) = &fake.token else {
        return true;
    };
    let sent = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    sent == format!("Bearer {token}") || {
        use base64::Engine as _;
        sent == format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(token)
        )
    }
}

async fn answer(
    State(fake): State<Fake>,
    uri: Uri,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    fake.seen
        .lock()
        .unwrap()
        .push(uri.path_and_query().unwrap().to_string());
    if fake.rate_limited.load(Ordering::SeqCst) > 0 {
        fake.rate_limited.fetch_sub(1, Ordering::SeqCst);
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [("x-contentful-ratelimit-reset", "1")],
            axum::Json(json!({"sys": {"type": "Error", "id": "RateLimitExceeded"}, "message": "You have exceeded the rate limit of the Organization this Space belongs to by making too many API requests within a short timespan."})),
        )
            .into_response();
    }
    if !authorized(&fake, &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"sys": {"type": "Error", "id": "AccessTokenInvalid"}, "message": "The access token you sent could not be found or is invalid."})),
        )
            .into_response();
    }
    let path = uri.path();
    if let Some((bytes, etag)) = fake.files.lock().unwrap().get(path).cloned() {
        if headers.get("if-none-match").and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
            fake.not_modified.fetch_add(1, Ordering::SeqCst);
            return (StatusCode::NOT_MODIFIED, [("etag", etag)]).into_response();
        }
        return (
            [("etag", etag), ("content-type", "image/jpeg".to_owned())],
            bytes,
        )
            .into_response();
    }
    let entries = fake.entries.lock().unwrap().clone();
    let list = |kind: &str| entries.get(kind).cloned();
    if let Some(rest) = path.strip_prefix("/spaces/space1/environments/master/entries") {
        assert!(rest.is_empty());
        let kind = query.get("content_type").cloned().unwrap_or_default();
        let Some(items) = list(&kind) else {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"sys": {"type": "Error", "id": "InvalidQuery"}, "message": "The query you sent was invalid. Probably a filter or ordering specification is not applicable to the type of a field.", "details": {"errors": [{"name": "unknownContentType", "value": "DOESNOTEXIST"}]}})),
            )
                .into_response();
        };
        // `sys.updatedAt[gt]` and `select=sys.id`, as the Content Delivery API.
        let items: Vec<Value> = items
            .into_iter()
            .filter(|item| {
                query.get("sys.updatedAt[gt]").is_none_or(|since| {
                    item["sys"]["updatedAt"].as_str().unwrap_or("") > since.as_str()
                })
            })
            .map(|item| {
                if query.get("select").map(String::as_str) == Some("sys.id") {
                    json!({"sys": {"id": item["sys"]["id"]}})
                } else {
                    item
                }
            })
            .collect();
        let skip: usize = query["skip"].parse().unwrap();
        let limit: usize = query["limit"].parse().unwrap();
        let page: Vec<Value> = items.iter().skip(skip).take(limit).cloned().collect();
        return axum::Json(json!({
            "sys": {"type": "Array"}, "total": items.len(), "skip": skip, "limit": limit,
            "items": page, "includes": fake.includes.lock().unwrap().clone()
        }))
        .into_response();
    }
    if path == "/v2021-10-21/data/query/production" {
        let groq = &query["query"];
        // `{_id}` after the slice: ids only; `_updatedAt > $since`: what changed.
        let ids_only = groq.ends_with(" {_id}");
        let since: Option<String> = query
            .get("$since")
            .map(|v| serde_json::from_str(v).unwrap());
        let groq = &groq.trim_end_matches(" {_id}").to_owned();
        let kind: String = serde_json::from_str(&query["$type"]).unwrap();
        let perspective = query.get("perspective").cloned().unwrap_or_default();
        let (from, to) = groq
            .rsplit_once('[')
            .and_then(|(_, slice)| slice.trim_end_matches(']').split_once("..."))
            .map(|(a, b)| {
                (
                    a.trim().parse::<usize>().unwrap(),
                    b.trim().parse::<usize>().unwrap(),
                )
            })
            .expect("a sliced query");
        // As Sanity: `published` leaves drafts out; `previewDrafts`/`drafts` overlay each
        // draft on its document, under the published id, the draft's in `_originalId`.
        let docs = list(&kind).unwrap_or_default();
        let items: Vec<Value> = if perspective == "previewDrafts" || perspective == "drafts" {
            let drafted: std::collections::HashSet<String> = docs
                .iter()
                .filter_map(|d| {
                    d["_id"]
                        .as_str()?
                        .strip_prefix("drafts.")
                        .map(str::to_owned)
                })
                .collect();
            docs.into_iter()
                .filter(|d| !drafted.contains(d["_id"].as_str().unwrap_or("")))
                .map(|mut d| {
                    let id = d["_id"].as_str().unwrap_or("").to_owned();
                    d["_id"] = json!(id.strip_prefix("drafts.").unwrap_or(&id));
                    d["_originalId"] = json!(id);
                    d
                })
                .collect()
        } else {
            docs.into_iter()
                .filter(|doc| !doc["_id"].as_str().unwrap_or("").starts_with("drafts."))
                .collect()
        };
        let items: Vec<Value> = items
            .into_iter()
            .filter(|doc| {
                !groq.contains("_updatedAt > $since")
                    || doc["_updatedAt"].as_str().unwrap_or("") > since.as_deref().unwrap()
            })
            .map(|doc| {
                if ids_only {
                    json!({"_id": doc["_id"]})
                } else {
                    doc
                }
            })
            .collect();
        let slice: Vec<Value> = items.iter().skip(from).take(to - from).cloned().collect();
        return axum::Json(json!({"query": groq, "result": slice, "ms": 3})).into_response();
    }
    if let Some(kind) = path.strip_prefix("/wp-json/wp/v2/") {
        // As WordPress: published posts only, unless `status` asks for more.
        let statuses: Vec<String> = query.get("status").map_or(vec!["publish".to_owned()], |s| {
            s.split(',').map(str::to_owned).collect()
        });
        let items: Vec<Value> = list(kind)
            .unwrap_or_default()
            .into_iter()
            .filter(|item| statuses.iter().any(|s| item["status"] == s.as_str()))
            .map(|item| {
                if query.get("_fields").map(String::as_str) == Some("id") {
                    json!({"id": item["id"]})
                } else {
                    item
                }
            })
            .collect();
        let mut items = items;
        if query.get("orderby").map(String::as_str) == Some("modified") {
            items.sort_by(|a, b| {
                b["modified_gmt"]
                    .as_str()
                    .unwrap_or("")
                    .cmp(a["modified_gmt"].as_str().unwrap_or(""))
            });
        }
        let page: usize = query["page"].parse().unwrap();
        let per_page: usize = query["per_page"].parse().unwrap();
        let pages = items.len().div_ceil(per_page).max(1);
        if page > pages {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"code": "rest_post_invalid_page_number", "message": "The page number requested is larger than the number of pages available.", "data": {"status": 400}})),
            )
                .into_response();
        }
        let slice: Vec<Value> = items
            .iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .cloned()
            .collect();
        return (
            [
                ("x-wp-total", items.len().to_string()),
                ("x-wp-totalpages", pages.to_string()),
            ],
            axum::Json(Value::Array(slice)),
        )
            .into_response();
    }
    if let Some(kind) = path.strip_prefix("/api/") {
        let items = list(kind).unwrap_or_default();
        let page: usize = query["pagination[page]"].parse().unwrap();
        let size: usize = query["pagination[pageSize]"].parse().unwrap();
        // As Strapi 5: `status=draft` answers the draft version of every document, each
        // with `publishedAt: null`; `published` only the published ones.
        let draft = query.get("status").map(String::as_str) == Some("draft");
        let items: Vec<Value> = items
            .into_iter()
            .filter(|item| draft || !item["publishedAt"].is_null())
            .filter(|item| {
                query
                    .get("filters[updatedAt][$gt]")
                    .is_none_or(|since| item["updatedAt"].as_str().unwrap_or("") > since.as_str())
            })
            .map(|mut item| {
                if draft {
                    item["publishedAt"] = Value::Null;
                }
                item
            })
            .collect();
        let pages = if fake.endless {
            100_000
        } else {
            items.len().div_ceil(size).max(1)
        };
        let slice: Vec<Value> = if fake.endless {
            items
                .iter()
                .take(1)
                .cloned()
                .map(|mut item| {
                    item["documentId"] = json!(format!("doc{page}"));
                    item["slug"] = json!(format!("endless-{page}"));
                    item
                })
                .collect()
        } else {
            items
                .iter()
                .skip((page - 1) * size)
                .take(size)
                .cloned()
                .collect()
        };
        return axum::Json(json!({
            "data": slice,
            "meta": {"pagination": {"page": page, "pageSize": size, "pageCount": pages, "total": items.len()}}
        }))
        .into_response();
    }
    (StatusCode::NOT_FOUND, "not found").into_response()
}

/// Serves `fake` on 127.0.0.1; its base URL.
pub(crate) async fn serve(fake: Fake) -> String {
    let app = axum::Router::new().fallback(answer).with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/")
}

fn settings(toml: &str) -> Settings {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cms.toml");
    std::fs::write(&path, toml).unwrap();
    Settings::read(&path).unwrap()
}

fn rich(text: &str) -> Value {
    json!({"nodeType": "document", "data": {}, "content": [
        {"nodeType": "paragraph", "data": {}, "content": [
            {"nodeType": "text", "value": text, "marks": [{"type": "bold"}], "data": {}}
        ]}
    ]})
}

/// A Contentful entry as the Content Delivery API sends it (one locale).
fn contentful_entry(id: &str, kind: &str, fields: Value) -> Value {
    json!({
        "metadata": {"tags": []},
        "sys": {"space": {"sys": {"type": "Link", "linkType": "Space", "id": "space1"}},
            "id": id, "type": "Entry", "createdAt": "2026-01-01T10:00:00.000Z",
            "updatedAt": "2026-01-02T10:00:00.000Z", "environment": {"sys": {"id": "master", "type": "Link", "linkType": "Environment"}},
            "revision": 1, "contentType": {"sys": {"type": "Link", "linkType": "ContentType", "id": kind}}, "locale": "en-US"},
        "fields": fields
    })
}

fn link(kind: &str, id: &str) -> Value {
    json!({"sys": {"type": "Link", "linkType": kind, "id": id}})
}

#[tokio::test]
async fn contentful_entries_become_posts_with_rich_text_links_assets_and_pages() {
    let fake = Fake {
        token: Some("cda-token".into()),
        rate_limited: Arc::new(AtomicUsize::new(1)),
        ..Fake::default()
    };
    let mut posts: Vec<Value> = (0..149)
        .map(|i| {
            contentful_entry(
                &format!("post{i}"),
                "blogPost",
                json!({"title": format!("Post {i}"), "slug": format!("post-{i}"),
                       "publishDate": "2026-03-01T09:00+00:00", "description": "A summary",
                       "body": rich(&format!("Body {i}")), "tags": ["reef"], "readingTime": 4}),
            )
        })
        .collect();
    posts.push(contentful_entry(
        "hero",
        "blogPost",
        json!({"title": "Hero post", "slug": "hero", "publishDate": "2026-04-01",
               "heroImage": link("Asset", "img1"), "tags": [link("Entry", "tag1")],
               "body": {"nodeType": "document", "data": {}, "content": [
                   {"nodeType": "heading-2", "data": {}, "content": [{"nodeType": "text", "value": "Reefs", "marks": [], "data": {}}]},
                   {"nodeType": "unordered-list", "data": {}, "content": [{"nodeType": "list-item", "data": {}, "content": [{"nodeType": "paragraph", "data": {}, "content": [{"nodeType": "text", "value": "coral", "marks": [{"type": "italic"}], "data": {}}]}]}]},
                   {"nodeType": "paragraph", "data": {}, "content": [
                       {"nodeType": "entry-hyperlink", "data": {"target": link("Entry", "post3")}, "content": [{"nodeType": "text", "value": "see post 3", "marks": [], "data": {}}]}
                   ]},
                   {"nodeType": "embedded-asset-block", "data": {"target": link("Asset", "img1")}, "content": []},
                   {"nodeType": "mystery-widget", "data": {}, "content": [{"nodeType": "text", "value": "still here", "marks": [], "data": {}}]}
               ]}}),
    ));
    fake.entries
        .lock()
        .unwrap()
        .insert("blogPost".into(), posts);
    *fake.includes.lock().unwrap() = json!({
        "Entry": [contentful_entry("tag1", "tag", json!({"name": "Lagoon"}))],
        "Asset": [{"sys": {"id": "img1", "type": "Asset"}, "fields": {"title": "Atoll", "description": "An atoll from above",
            "file": {"url": "//images.ctfassets.net/space1/img1/abc/atoll.jpg", "contentType": "image/jpeg",
                     "details": {"size": 1000, "image": {"width": 1600, "height": 900}}, "fileName": "atoll.jpg"}}}]
    });
    let base = serve(fake.clone()).await;
    std::env::set_var("CONTENTFUL_TEST_TOKEN", "cda-token");
    let source = CmsSource::vendor(
        settings(&format!(
            "kind = \"contentful\"\nurl = \"{base}\"\nspace = \"space1\"\ntoken_env = \"CONTENTFUL_TEST_TOKEN\"\n"
        )),
        None,
    )
    .unwrap();
    let atoll::cms::Fetched {
        posts, products, ..
    } = source.fetch(false).await.unwrap();
    assert!(products.is_none(), "products stay the content folder's");
    assert_eq!(posts.len(), 150, "two pages of 100");
    let seen = fake.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "one 429 retried, then two pages: {seen:?}");
    assert!(seen[2].contains("skip=100"), "{seen:?}");
    let post = posts.iter().find(|p| p.slug == "post-7").unwrap();
    assert_eq!(post.title, "Post 7");
    assert_eq!(post.html, "<p><strong>Body 7</strong></p>");
    assert_eq!(post.tags, ["reef"]);
    assert_eq!(post.summary, "A summary");
    assert_eq!(post.date.unwrap().to_rfc3339(), "2026-03-01T09:00:00+00:00");
    assert_eq!(
        post.extra.fields["readingTime"], 4,
        "unmapped fields go to extra"
    );
    let hero = posts.iter().find(|p| p.slug == "hero").unwrap();
    assert_eq!(hero.tags, ["Lagoon"], "a tag entry resolved from includes");
    assert_eq!(
        hero.extra.fields["image"],
        "https://images.ctfassets.net/space1/img1/abc/atoll.jpg"
    );
    assert!(
        hero.html
            .starts_with("<h2>Reefs</h2><ul><li><p><em>coral</em></p></li></ul>"),
        "{}",
        hero.html
    );
    assert!(
        hero.html.contains("<a href=\"/posts/post-3/\""),
        "{}",
        hero.html
    );
    assert!(hero.html.contains("<img src=\"https://images.ctfassets.net/space1/img1/abc/atoll.jpg\" alt=\"An atoll from above\" width=\"1600\" height=\"900\">"), "{}", hero.html);
    assert!(
        hero.html.contains("<p>still here</p>"),
        "an unknown node is kept as text: {}",
        hero.html
    );
}

#[tokio::test]
async fn contentful_bad_input_is_named() {
    let fake = Fake {
        token: Some("right".into()),
        ..Fake::default()
    };
    fake.entries.lock().unwrap().insert(
        "blogPost".into(),
        vec![contentful_entry(
            "noslug",
            "blogPost",
            json!({"title": "No slug", "body": rich("x")}),
        )],
    );
    let base = serve(fake).await;
    let config = |extra: &str| {
        settings(&format!(
            "kind = \"contentful\"\nurl = \"{base}\"\nspace = \"space1\"\ntoken_env = \"ATOLL_TEST_UNSET_TOKEN\"\n{extra}"
        ))
    };
    // A refused token names the setting.
    let refused = CmsSource::vendor(config(""), Some("wrong".into()))
        .unwrap()
        .fetch(false)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("401") && refused.contains("--cms-token"),
        "{refused}"
    );
    // An entry without its slug names the entry and the field.
    let source = CmsSource::vendor(config(""), Some("right".into())).unwrap();
    let missing = source.fetch(false).await.unwrap_err().to_string();
    assert!(
        missing.contains("noslug") && missing.contains("field `slug`"),
        "{missing}"
    );
    // An unknown content type: Contentful's 400, with the URL.
    let unknown = CmsSource::vendor(
        config("[posts]\ntype = \"doesNotExist\"\n"),
        Some("right".into()),
    )
    .unwrap()
    .fetch(false)
    .await
    .unwrap_err()
    .to_string();
    assert!(
        unknown.contains("400") && unknown.contains("content_type=doesNotExist"),
        "{unknown}"
    );
}

/// A Sanity document as the query API returns it.
fn sanity_post(id: &str, slug: &str) -> Value {
    json!({
        "_id": id, "_type": "post", "_rev": "r1", "_createdAt": "2026-01-01T00:00:00Z", "_updatedAt": "2026-01-02T00:00:00Z",
        "title": format!("Sanity {slug}"), "slug": {"_type": "slug", "current": slug},
        "publishedAt": "2026-02-03T04:05:06Z", "tags": ["sea"],
        "mainImage": {"_type": "image", "asset": {"_ref": "image-Tb9Ew8CXIwaY6R1kjMvI0uRR-2000x3000-jpg", "_type": "reference"}},
        "body": [
            {"_type": "block", "_key": "k1", "style": "normal", "markDefs": [{"_key": "m1", "_type": "link", "href": "https://example.org"}],
             "children": [{"_type": "span", "_key": "s1", "text": "Hello ", "marks": []}, {"_type": "span", "_key": "s2", "text": "world", "marks": ["m1", "em"]}]},
            {"_type": "block", "_key": "k2", "style": "normal", "listItem": "bullet", "level": 1, "markDefs": [], "children": [{"_type": "span", "_key": "s3", "text": "item", "marks": []}]}
        ]
    })
}

#[tokio::test]
async fn sanity_documents_become_posts_over_several_slices_and_drafts_need_the_perspective() {
    let fake = Fake::default();
    let mut docs: Vec<Value> = (0..130)
        .map(|i| sanity_post(&format!("p{i}"), &format!("s-{i}")))
        .collect();
    docs.push(sanity_post("drafts.p999", "draft-only"));
    fake.entries.lock().unwrap().insert("post".into(), docs);
    let base = serve(fake.clone()).await;
    let config = settings(&format!(
        "kind = \"sanity\"\nurl = \"{base}\"\nproject = \"abc123\"\ndataset = \"production\"\n"
    ));
    let source = CmsSource::vendor(config, None).unwrap();
    let atoll::cms::Fetched {
        posts, products: _, ..
    } = source.fetch(false).await.unwrap();
    assert_eq!(posts.len(), 130);
    let post = posts.iter().find(|p| p.slug == "s-5").unwrap();
    assert_eq!(post.title, "Sanity s-5");
    assert_eq!(
        post.html,
        "<p>Hello <em><a href=\"https://example.org\">world</a></em></p><ul><li>item</li></ul>"
    );
    assert_eq!(
        post.extra.fields["image"],
        "https://cdn.sanity.io/images/abc123/production/Tb9Ew8CXIwaY6R1kjMvI0uRR-2000x3000.jpg"
    );
    let seen = fake.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "slices of 100: {seen:?}");
    assert!(seen.iter().all(|s| s.contains("perspective=published")));
    // Preview: the drafts perspective (`previewDrafts` in API v2021-10-21) brings the
    // draft, marked as one by its `_originalId`; published documents are not drafts.
    let atoll::cms::Fetched {
        posts: with_drafts,
        warnings,
        ..
    } = source.fetch(true).await.unwrap();
    let draft = with_drafts
        .iter()
        .find(|p| p.slug == "draft-only")
        .unwrap_or_else(|| panic!("{:?} {warnings:?}", fake.seen.lock().unwrap().last()));
    assert!(draft.draft);
    assert!(!with_drafts.iter().find(|p| p.slug == "s-5").unwrap().draft);
    assert!(fake
        .seen
        .lock()
        .unwrap()
        .last()
        .unwrap()
        .contains("perspective=previewDrafts"));
}

/// A WordPress post as `wp/v2/posts?_embed=1` sends it.
fn wordpress_post(id: u64, slug: &str) -> Value {
    json!({
        "id": id, "date": "2026-05-01T12:00:00", "date_gmt": "2026-05-01T10:00:00",
        "guid": {"rendered": format!("https://blog.example/?p={id}")},
        "modified": "2026-05-02T12:00:00", "modified_gmt": "2026-05-02T10:00:00",
        "slug": slug, "status": "publish", "type": "post", "link": format!("https://blog.example/{slug}/"),
        "title": {"rendered": "Tides &#8211; and &amp; currents"},
        "content": {"rendered": "<p>Waves <script>alert(1)</script><strong>rise</strong>.</p>\n", "protected": false},
        "excerpt": {"rendered": "<p>About tides&hellip;</p>\n", "protected": false},
        "author": 1, "featured_media": 7, "comment_status": "open", "sticky": false, "format": "standard",
        "categories": [3], "tags": [5],
        "acf": {"mood": "calm"},
        "_links": {"self": [{"href": "https://blog.example/wp-json/wp/v2/posts/1"}]},
        "_embedded": {
            "wp:featuredmedia": [{"id": 7, "source_url": "https://blog.example/wp-content/uploads/2026/05/tide.jpg", "media_type": "image"}],
            "wp:term": [[{"id": 3, "name": "Ocean", "taxonomy": "category"}], [{"id": 5, "name": "Tides &amp; Moons", "taxonomy": "post_tag"}]]
        }
    })
}

#[tokio::test]
async fn wordpress_posts_come_with_embedded_terms_media_and_sanitized_html() {
    let fake = Fake {
        token: Some("editor:abcd efgh".into()),
        ..Fake::default()
    };
    let mut posts: Vec<Value> = (1..=120)
        .map(|i| wordpress_post(i, &format!("wp-{i}")))
        .collect();
    // A new draft: WordPress gives it a slug only when it is published.
    let mut untitled = wordpress_post(999, "");
    untitled["status"] = json!("draft");
    posts.push(untitled);
    fake.entries.lock().unwrap().insert("posts".into(), posts);
    let base = serve(fake.clone()).await;
    let config = settings(&format!("kind = \"wordpress\"\nurl = \"{base}\"\n"));
    let source = CmsSource::vendor(config, Some("editor:abcd efgh".into())).unwrap();
    let atoll::cms::Fetched {
        posts, products: _, ..
    } = source.fetch(false).await.unwrap();
    assert_eq!(posts.len(), 120, "X-WP-TotalPages: 2 followed");
    let post = &posts[0];
    assert_eq!(post.title, "Tides – and & currents");
    assert_eq!(post.html, "<p>Waves <strong>rise</strong>.</p>\n");
    assert_eq!(post.summary, "About tides…");
    assert_eq!(post.tags, ["Tides & Moons"]);
    assert_eq!(post.date.unwrap().to_rfc3339(), "2026-05-01T10:00:00+00:00");
    assert_eq!(post.extra.fields["mood"], "calm", "ACF fields go to extra");
    assert_eq!(post.extra.fields["categories"], json!(["Ocean"]));
    assert_eq!(
        post.extra.fields["image"],
        "https://blog.example/wp-content/uploads/2026/05/tide.jpg"
    );
    assert!(fake
        .seen
        .lock()
        .unwrap()
        .iter()
        .all(|s| s.contains("_embed=1")));
    // The preview leaves a slug-less draft out instead of failing.
    let atoll::cms::Fetched {
        posts: preview,
        warnings,
        ..
    } = source.fetch(true).await.unwrap();
    assert_eq!(preview.len(), 120);
    assert!(
        warnings.iter().any(|w| w.contains("draft left out")),
        "{warnings:?}"
    );
}

/// A Strapi 5 article (flat, `documentId`).
fn strapi_article(i: usize, published: bool) -> Value {
    json!({
        "id": i, "documentId": format!("doc{i:04}"), "title": format!("Strapi {i}"), "slug": format!("strapi-{i}"),
        "description": "From Strapi",
        "content": if i == 4 {
            json!([{"type": "image", "image": {"url": "/uploads/reef.jpg", "alternativeText": "Reef", "width": 10, "height": 10}, "children": [{"type": "text", "text": ""}]}])
        } else if i.is_multiple_of(2) {
            json!([{"type": "paragraph", "children": [{"type": "text", "text": "Blocks "}, {"type": "text", "text": "bold", "bold": true}]}])
        } else {
            json!("Markdown *body*")
        },
        "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-02T00:00:00.000Z",
        "publishedAt": if published { json!("2026-01-03T00:00:00.000Z") } else { Value::Null },
        "locale": null,
        "cover": {"id": 1, "documentId": "m1", "url": "/uploads/cover_1.jpg", "alternativeText": "Cover", "width": 800, "height": 600},
        "tags": [{"id": 1, "documentId": "t1", "name": "strapi"}]
    })
}

#[tokio::test]
async fn strapi_articles_map_blocks_markdown_media_and_paginate_within_bounds() {
    let fake = Fake::default();
    let mut articles: Vec<Value> = (0..205).map(|i| strapi_article(i, true)).collect();
    articles.push(strapi_article(999, false));
    fake.entries
        .lock()
        .unwrap()
        .insert("articles".into(), articles);
    let base = serve(fake.clone()).await;
    let source = CmsSource::vendor(
        settings(&format!("kind = \"strapi\"\nurl = \"{base}\"\n")),
        None,
    )
    .unwrap();
    let atoll::cms::Fetched {
        posts, products: _, ..
    } = source.fetch(false).await.unwrap();
    assert_eq!(posts.len(), 205, "three pages");
    assert_eq!(posts[0].html, "<p>Blocks <strong>bold</strong></p>");
    assert_eq!(posts[1].html, "<p>Markdown <em>body</em></p>\n");
    assert_eq!(posts[0].tags, ["strapi"]);
    assert!(
        posts[4]
            .html
            .contains(&format!("src=\"{base}uploads/reef.jpg\"")),
        "Strapi's relative upload joined to its URL: {}",
        posts[4].html
    );
    assert_eq!(
        posts[0].extra.fields["image"],
        format!("{base}uploads/cover_1.jpg")
    );
    assert!(fake.seen.lock().unwrap()[0].contains("status=published"));
    let atoll::cms::Fetched {
        posts: drafts,
        products: _,
        ..
    } = source.fetch(true).await.unwrap();
    assert!(drafts.iter().any(|p| p.slug == "strapi-999" && p.draft));
    // Published documents, whose draft versions Strapi sends without `publishedAt`,
    // are not drafts and keep their date.
    let published = drafts.iter().find(|p| p.slug == "strapi-1").unwrap();
    assert!(!published.draft);
    assert_eq!(
        published.date.unwrap().to_rfc3339(),
        "2026-01-03T00:00:00+00:00"
    );

    // A CMS that always claims another page stops at the bound with a clear error.
    let endless = Fake {
        endless: true,
        ..Fake::default()
    };
    endless
        .entries
        .lock()
        .unwrap()
        .insert("articles".into(), vec![strapi_article(1, true)]);
    let base = serve(endless).await;
    let error = CmsSource::vendor(
        settings(&format!("kind = \"strapi\"\nurl = \"{base}\"\n")),
        None,
    )
    .unwrap()
    .fetch(false)
    .await
    .unwrap_err()
    .to_string();
    assert!(error.contains("more than 1000 pages"), "{error}");
}

#[tokio::test]
async fn products_map_from_a_cms_type() {
    let fake = Fake::default();
    fake.entries
        .lock()
        .unwrap()
        .insert("blogPost".into(), vec![]);
    fake.entries.lock().unwrap().insert(
        "product".into(),
        vec![contentful_entry(
            "prod1",
            "product",
            json!({"name": "Reef Mug", "slug": "reef-mug", "price": 18.5, "stock": 12,
                   "description": rich("A mug"), "images": [link("Asset", "img1")]}),
        )],
    );
    *fake.includes.lock().unwrap() = json!({"Asset": [{"sys": {"id": "img1"}, "fields": {"title": "Mug",
        "file": {"url": "//images.ctfassets.net/s/mug.png", "details": {"image": {"width": 10, "height": 10}}}}}]});
    let base = serve(fake).await;
    let source = CmsSource::vendor(
        settings(&format!(
            "kind = \"contentful\"\nurl = \"{base}\"\nspace = \"space1\"\n[products]\ntype = \"product\"\nprice = \"price\"\ncurrency_code = \"EUR\"\n"
        )),
        None,
    )
    .unwrap();
    let atoll::cms::Fetched {
        posts: _, products, ..
    } = source.fetch(false).await.unwrap();
    let products = products.unwrap();
    assert_eq!(products.len(), 1);
    let mug = &products[0];
    assert_eq!(
        (
            mug.id.as_str(),
            mug.price_cents,
            mug.currency.as_str(),
            mug.stock
        ),
        ("prod1", 1850, "EUR", 12)
    );
    assert_eq!(mug.images, ["https://images.ctfassets.net/s/mug.png"]);
    assert_eq!(mug.html, "<p><strong>A mug</strong></p>");
}

/// The demo's products and settings without its posts, docs and pages (which link to
/// the demo's posts): every post comes from the CMS.
pub(crate) fn cms_only_site() -> crate::cluster::Site {
    let site = crate::cluster::Site::demo(25);
    for folder in ["docs", "pages", "posts"] {
        std::fs::remove_dir_all(site.content().join(folder)).unwrap();
    }
    std::fs::write(
        site.content().join("site.toml"),
        "title = \"Reef notes\"\nbase_url = \"http://127.0.0.1:3000\"\n",
    )
    .unwrap();
    site
}

/// A JPEG of `width` × `height`.
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 120])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Jpeg)
        .unwrap();
    bytes.into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cms_images_are_fetched_into_a_self_contained_export_and_revalidated_by_etag() {
    let fake = Fake::default();
    fake.files
        .lock()
        .unwrap()
        .insert("/assets/reef.jpg".into(), (jpeg(640, 480), "\"v1\"".into()));
    let base = serve(fake.clone()).await;
    let asset = json!({"sys": {"id": "img1", "type": "Asset"}, "fields": {"title": "Reef", "description": "A reef",
        "file": {"url": format!("{base}assets/reef.jpg"), "details": {"image": {"width": 640, "height": 480}}}}});
    *fake.includes.lock().unwrap() = json!({"Asset": [asset]});
    fake.entries.lock().unwrap().insert(
        "blogPost".into(),
        vec![contentful_entry(
            "p1",
            "blogPost",
            json!({"title": "Reef day", "slug": "reef-day", "publishDate": "2026-06-01",
                   "heroImage": link("Asset", "img1"),
                   "body": {"nodeType": "document", "data": {}, "content": [
                       {"nodeType": "paragraph", "data": {}, "content": [{"nodeType": "text", "value": "Look:", "marks": [], "data": {}}]},
                       {"nodeType": "embedded-asset-block", "data": {"target": link("Asset", "img1")}, "content": []}
                   ]}}),
        )],
    );
    let site = cms_only_site();
    let settings = site.dir.path().join("cms.toml");
    std::fs::write(
        &settings,
        format!("kind = \"contentful\"\nurl = \"{base}\"\nspace = \"space1\"\n"),
    )
    .unwrap();
    let out = site.dir.path().join("dist");
    let cache = site.dir.path().join("cache");
    let (content, islands, out_dir) =
        (site.content(), site.dir.path().join("islands"), out.clone());
    let export = move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_atoll"))
            .arg("export")
            .arg("--content")
            .arg(&content)
            .arg("--public")
            .arg(crate::common::root().join("public"))
            .arg("--islands")
            .arg(&islands)
            .arg("--cms-config")
            .arg(&settings)
            .arg("--out")
            .arg(&out_dir)
            .arg("--cache-dir")
            .arg(&cache)
            .arg("--no-search-index")
            .output()
            .unwrap()
    };
    let second_export = export.clone();
    let first = tokio::task::spawn_blocking(export).await.unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let page = std::fs::read_to_string(out.join("posts/reef-day/index.html")).unwrap();
    assert!(
        !page.contains(&base),
        "the export references the CMS: {page}"
    );
    assert!(
        page.contains("/_img/"),
        "the image has responsive variants: {page}"
    );
    let published: Vec<_> = std::fs::read_dir(out.join("cms-assets"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".jpg"))
        .collect();
    assert_eq!(published.len(), 1, "{published:?}");
    assert_eq!(
        std::fs::read(out.join("cms-assets").join(&published[0])).unwrap(),
        fake.files.lock().unwrap()["/assets/reef.jpg"].0
    );
    // Again: the image is asked for with its ETag and not downloaded again.
    let second = tokio::task::spawn_blocking(second_export).await.unwrap();
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(fake.not_modified.load(Ordering::SeqCst), 1);
}

/// A reload fetches only what changed: the ids of what exists, then the entries
/// changed since the newest change seen (less a minute), for each vendor.
#[tokio::test]
async fn a_reload_fetches_only_what_changed() {
    // Entries a, b, c changed on Jan 1, 2, 3; then b is edited, c deleted, d added.
    let day = |d: u32| format!("2026-01-{d:02}T00:00:00.000Z");
    let later = "2026-06-01T00:00:00.000Z".to_owned();
    type Make = fn(&str, &str, &str) -> Value;
    let strapi: Make = |id, title, at| {
        let mut item = strapi_article(1, true);
        item["documentId"] = json!(id);
        item["slug"] = json!(id);
        item["title"] = json!(title);
        item["updatedAt"] = json!(at);
        item
    };
    let contentful: Make = |id, title, at| {
        let mut item = contentful_entry(
            id,
            "blogPost",
            json!({"title": title, "slug": id, "body": rich("x")}),
        );
        item["sys"]["updatedAt"] = json!(at);
        item
    };
    let sanity: Make = |id, title, at| {
        let mut item = sanity_post(id, id);
        item["title"] = json!(title);
        item["_updatedAt"] = json!(at.replace(".000", ""));
        item
    };
    let wordpress: Make = |id, title, at| {
        let mut item = wordpress_post(id.as_bytes()[0] as u64, id);
        item["title"] = json!({"rendered": title});
        item["modified_gmt"] = json!(at[..19]);
        item
    };
    let cases: [(&str, &str, Make, &str, &str); 4] = [
        (
            "strapi",
            "articles",
            strapi,
            "filters%5BupdatedAt%5D%5B%24gt%5D=2026-01-02T23%3A59%3A00.000Z",
            "fields%5B0%5D=documentId",
        ),
        (
            "contentful",
            "blogPost",
            contentful,
            "sys.updatedAt%5Bgt%5D=2026-01-02T23%3A59%3A00.000Z",
            "select=sys.id",
        ),
        (
            "sanity",
            "post",
            sanity,
            "%24since=%222026-01-02T23%3A59%3A00Z%22",
            "%7B_id%7D",
        ),
        (
            "wordpress",
            "posts",
            wordpress,
            "orderby=modified&order=desc",
            "_fields=id",
        ),
    ];
    for (kind, kind_type, make, changed_marker, ids_marker) in cases {
        let fake = Fake::default();
        fake.entries.lock().unwrap().insert(
            kind_type.into(),
            vec![
                make("a", "A", &day(1)),
                make("b", "B", &day(2)),
                make("c", "C", &day(3)),
            ],
        );
        let base = serve(fake.clone()).await;
        let extra = match kind {
            "contentful" => "space = \"space1\"\n",
            "sanity" => "project = \"abc123\"\n",
            _ => "",
        };
        let source = CmsSource::vendor(
            settings(&format!("kind = \"{kind}\"\nurl = \"{base}\"\n{extra}")),
            None,
        )
        .unwrap();
        let first = source.fetch(false).await.unwrap();
        assert_eq!(first.posts.len(), 3, "{kind}");
        // Edits in the CMS.
        {
            let mut entries = fake.entries.lock().unwrap();
            let list = entries.get_mut(kind_type).unwrap();
            list.retain(|item| item_slug(item) != "c");
            list[1] = make("b", "B edited", &later);
            list.push(make("d", "D", &later));
        }
        let before = fake.seen.lock().unwrap().len();
        let second = source.fetch(false).await.unwrap();
        let mut got: Vec<(String, String)> = second
            .posts
            .iter()
            .map(|p| (p.slug.clone(), p.title.clone()))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [("a", "A"), ("b", "B edited"), ("d", "D")].map(|(s, t)| (s.to_owned(), t.to_owned())),
            "{kind}"
        );
        let requests = fake.seen.lock().unwrap()[before..].to_vec();
        assert!(
            requests.iter().any(|r| r.contains(ids_marker)),
            "{kind}: ids listed: {requests:?}"
        );
        assert!(
            requests.iter().any(|r| r.contains(changed_marker)),
            "{kind}: changes asked since the newest change less a minute: {requests:?}"
        );
        assert_eq!(
            requests.len(),
            2,
            "{kind}: only the ids and the changes: {requests:?}"
        );
        // An entry that appears without a newer change time (a scheduled post gone
        // live): the list is read again in full.
        fake.entries
            .lock()
            .unwrap()
            .get_mut(kind_type)
            .unwrap()
            .push(make("e", "E", &day(1)));
        let before = fake.seen.lock().unwrap().len();
        let third = source.fetch(false).await.unwrap();
        let mut got: Vec<String> = third.posts.iter().map(|p| p.slug.clone()).collect();
        got.sort();
        assert_eq!(got, ["a", "b", "d", "e"], "{kind}");
        let requests = fake.seen.lock().unwrap()[before..].to_vec();
        assert_eq!(
            requests.len(),
            3,
            "{kind}: ids, changes, then in full: {requests:?}"
        );
    }
}

/// The slug of a raw entry of any of the fakes' vendors.
fn item_slug(item: &Value) -> String {
    let slug = item
        .get("slug")
        .or_else(|| item.pointer("/fields/slug"))
        .cloned()
        .unwrap_or_default();
    match slug {
        Value::String(s) => s,
        Value::Object(map) => map["current"].as_str().unwrap_or("").to_owned(),
        _ => String::new(),
    }
}

#[test]
fn settings_name_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cms.toml");
    std::fs::write(&path, "kind = \"contentful\"\n").unwrap();
    let error = Settings::read(&path).unwrap_err().to_string();
    assert!(error.contains("`space` is required"), "{error}");
    std::fs::write(&path, "kind = \"drupal\"\n").unwrap();
    let error = Settings::read(&path).unwrap_err().to_string();
    assert!(
        error.contains("cms.toml") && error.contains("drupal"),
        "{error}"
    );
    std::fs::write(
        &path,
        "kind = \"strapi\"\nurl = \"http://x/\"\ntoken = \"secret\"\n",
    )
    .unwrap();
    let error = Settings::read(&path).unwrap_err().to_string();
    assert!(
        error.contains("token"),
        "a token in the file is refused: {error}"
    );
}

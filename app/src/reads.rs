//! What a page depends on, recorded while it renders: the read-set.
//!
//! Pages read the content through a [`Cx`], never through [`Site`] directly. Every
//! accessor records a [`Dep`]: which entry (or list of entries) it handed out and which
//! [`Facet`] of it the page shows. After the render the [`ReadSet`] is kept with the
//! page (the export's manifest, the ISR cache); [`ReadSet::fingerprint`] hashes what
//! those deps read in a site, so a page whose fingerprint did not change in new content
//! is not rendered again (the export carries it over, `atoll serve` keeps its cached
//! copy), and one whose fingerprint changed is — whatever kind of page it is. Nothing is
//! kept in step with the pages by hand: this is the same idea as Salsa's or Turbopack's
//! recorded dependencies, at the granularity of entries and facets.
//!
//! The same read-set names the page's cache tags ([`ReadSet::cache_tags`]).
//!
//! # Facets
//!
//! | facet | post | doc | page | product | tag |
//! |---|---|---|---|---|---|
//! | `link` | slug, title | URL, title | slug, title | the whole product | slug, name |
//! | `card` | + date, summary | + weight, summary, section | + summary | the whole product | + number of posts |
//! | `page` | every front matter field | every front matter field | every front matter field | the whole product | + number of posts |
//! | `body` | HTML, text, TOC | HTML, text, TOC | HTML, text, TOC | — | — |
//!
//! A list ([`Dep::List`]) depends on which entries are at its positions and on their
//! card (or link); a neighbour link ([`Dep::Beside`]) on which post is next to a given
//! one, wherever it stands; [`Dep::Count`] on its length; [`Dep::Site`] on the settings, the
//! fingerprinted assets and the images' variants, which every page's layout reads.

use std::cell::{Cell, RefCell};
use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Range;

use chrono::{DateTime, FixedOffset};

use crate::cache_tags::{entry_tag, ALL};
use crate::model::{Doc, Page, Post, Product, Section, Site, SiteConfig, Tag};

/// Which fields of an entry a page shows; see the [module](self) table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Facet {
    /// What a link to it shows.
    Link,
    /// What a list shows of it.
    Card,
    /// Everything its own page shows but the body.
    Page,
    /// Its rendered body.
    Body,
}

impl Facet {
    fn as_str(self) -> &'static str {
        match self {
            Facet::Link => "link",
            Facet::Card => "card",
            Facet::Page => "page",
            Facet::Body => "body",
        }
    }

    fn parse(s: &str) -> Option<Facet> {
        Some(match s {
            "link" => Facet::Link,
            "card" => Facet::Card,
            "page" => Facet::Page,
            "body" => Facet::Body,
            _ => return None,
        })
    }
}

/// A kind of entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A post, by slug.
    Post,
    /// A doc, by URL.
    Doc,
    /// A standalone page, by slug.
    Page,
    /// A product, by slug.
    Product,
    /// A tag (taxonomy term), by slug.
    Tag,
    /// A section of a Zola or Hugo site, by path.
    Section,
}

impl Kind {
    /// Its name in tags and deps: `post`, `doc`, `page`, `product`, `tag`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Post => "post",
            Kind::Doc => "doc",
            Kind::Page => "page",
            Kind::Product => "product",
            Kind::Tag => "tag",
            Kind::Section => "section",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "post" => Kind::Post,
            "doc" => Kind::Doc,
            "page" => Kind::Page,
            "product" => Kind::Product,
            "tag" => Kind::Tag,
            "section" => Kind::Section,
            _ => return None,
        })
    }
}

/// An ordered list of entries a page can read a part of.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum List {
    /// Every post, newest first.
    Posts,
    /// The posts of a tag (by slug), newest first.
    Tagged(String),
    /// Every tag, by slug.
    Tags,
    /// Every doc, in reading order.
    Docs,
    /// Every product.
    Products,
    /// The pages of a section (by path), in its `sort_by` order.
    Section(String),
}

impl List {
    /// Its collection tag ([`crate::cache_tags`]): `posts`, `docs`, `products`; a tag's
    /// posts are `posts`; the tag index is `posts` (it counts them).
    fn collection(&self) -> &'static str {
        match self {
            List::Posts | List::Tagged(_) | List::Tags => "posts",
            List::Docs => "docs",
            List::Products => "products",
            List::Section(_) => "pages",
        }
    }

    fn write(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            List::Posts => f.write_str("posts"),
            List::Tagged(slug) => f.write_str(&entry_tag("tag", slug)),
            List::Tags => f.write_str("tags"),
            List::Docs => f.write_str("docs"),
            List::Products => f.write_str("products"),
            List::Section(path) => f.write_str(&entry_tag("section", path)),
        }
    }

    fn parse(s: &str) -> Option<List> {
        Some(match s {
            "posts" => List::Posts,
            "tags" => List::Tags,
            "docs" => List::Docs,
            "products" => List::Products,
            _ => match s.strip_prefix("section:") {
                Some(path) => List::Section(decode(path)?),
                None => List::Tagged(decode(s.strip_prefix("tag:")?)?),
            },
        })
    }
}

/// One thing a page read.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dep {
    /// The settings and fingerprinted assets (every page's layout).
    Site,
    /// A facet of one entry (or its absence).
    Entry {
        /// Its kind.
        kind: Kind,
        /// Its slug (a doc's URL).
        key: String,
        /// What of it the page shows.
        facet: Facet,
    },
    /// The entries at `start..end` of a list, each by `facet` (`Link` or `Card`).
    List {
        /// The list.
        list: List,
        /// First position.
        start: u32,
        /// Position after the last.
        end: u32,
        /// What of each entry the page shows.
        facet: Facet,
    },
    /// The length of a list.
    Count(List),
    /// The post `offset` places from post `of` in the list of all posts (newest first;
    /// `-1` the newer neighbour, `1` the older), or its absence. Relative to the post, so
    /// that a post added elsewhere in the list, which moves every position after it,
    /// changes only the pages whose neighbour it really changes.
    Beside {
        /// The post's slug.
        of: String,
        /// Places from it.
        offset: i32,
        /// What of the neighbour the page shows.
        facet: Facet,
    },
}

/// `Dep`s are stored as short strings (`page post:hello`, `card posts[0..10]`,
/// `count tag:rust`, `site`): the export's manifest keeps one list per page.
impl fmt::Display for Dep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dep::Site => f.write_str("site"),
            Dep::Entry { kind, key, facet } => {
                write!(f, "{} {}", facet.as_str(), entry_tag(kind.as_str(), key))
            }
            Dep::List {
                list,
                start,
                end,
                facet,
            } => {
                write!(f, "{} ", facet.as_str())?;
                list.write(f)?;
                write!(f, "[{start}..{end}]")
            }
            Dep::Count(list) => {
                f.write_str("count ")?;
                list.write(f)
            }
            Dep::Beside { of, offset, facet } => {
                write!(f, "{} {offset:+} {}", facet.as_str(), entry_tag("post", of))
            }
        }
    }
}

impl std::str::FromStr for Dep {
    type Err = String;

    /// Reads what [`Dep`]'s `Display` wrote.
    fn from_str(s: &str) -> Result<Dep, String> {
        let bad = || format!("not a read-set dep: {s:?}");
        if s == "site" {
            return Ok(Dep::Site);
        }
        let (head, rest) = s.split_once(' ').ok_or_else(bad)?;
        if head == "count" {
            return List::parse(rest).map(Dep::Count).ok_or_else(bad);
        }
        let facet = Facet::parse(head).ok_or_else(bad)?;
        if let Some((offset, post)) = rest
            .split_once(' ')
            .filter(|(offset, _)| offset.starts_with(['+', '-']))
        {
            return Ok(Dep::Beside {
                of: decode(post.strip_prefix("post:").ok_or_else(bad)?).ok_or_else(bad)?,
                offset: offset.parse().map_err(|_| bad())?,
                facet,
            });
        }
        if let Some(open) = rest.strip_suffix(']').and_then(|r| r.rfind('[')) {
            let list = List::parse(&rest[..open]).ok_or_else(bad)?;
            let (start, end) = rest[open + 1..rest.len() - 1]
                .split_once("..")
                .ok_or_else(bad)?;
            return Ok(Dep::List {
                list,
                start: start.parse().map_err(|_| bad())?,
                end: end.parse().map_err(|_| bad())?,
                facet,
            });
        }
        let (kind, key) = rest.split_once(':').ok_or_else(bad)?;
        Ok(Dep::Entry {
            kind: Kind::parse(kind).ok_or_else(bad)?,
            key: decode(key).ok_or_else(bad)?,
            facet,
        })
    }
}

impl Dep {
    /// A hash of the dep and of what it reads in `site` (`body` as in
    /// [`ReadSet::fingerprint`]). A page's fingerprint is [`combine`] of its deps', so a
    /// caller checking many pages computes each distinct dep once.
    pub fn fingerprint(&self, site: &Site, body: &dyn Fn(&str) -> u64) -> u64 {
        let mut h = DefaultHasher::new();
        self.hash(&mut h);
        hash_dep(site, self, body, &mut h);
        h.finish()
    }
}

/// A page's fingerprint from its deps' [`Dep::fingerprint`]s, in reading order: what
/// [`ReadSet::fingerprint`] returns.
pub fn combine(dep_fingerprints: impl IntoIterator<Item = u64>) -> u64 {
    let mut h = DefaultHasher::new();
    for fingerprint in dep_fingerprints {
        fingerprint.hash(&mut h);
    }
    h.finish()
}

/// Undoes [`entry_tag`]'s percent-encoding.
fn decode(key: &str) -> Option<String> {
    let bytes = key.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = key.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// What one page read, in the order it first read each dep.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadSet {
    deps: Vec<Dep>,
}

impl ReadSet {
    /// The deps, in reading order.
    pub fn deps(&self) -> &[Dep] {
        &self.deps
    }

    /// The deps as strings ([`Dep`]'s `Display`), for storing.
    pub fn to_strings(&self) -> Vec<String> {
        self.deps.iter().map(Dep::to_string).collect()
    }

    /// A read-set from stored strings; `None` if one is not a dep (a file from another
    /// version: render the page again).
    pub fn from_strings(strings: &[String]) -> Option<ReadSet> {
        let deps = strings
            .iter()
            .map(|s| s.parse().ok())
            .collect::<Option<Vec<Dep>>>()?;
        Some(ReadSet { deps })
    }

    /// Whether the page read the body of the entry with this source file.
    pub fn reads_body_of(&self, site: &Site, source: &str) -> bool {
        self.deps.iter().any(|dep| match dep {
            Dep::Entry {
                kind,
                key,
                facet: Facet::Body,
            } => body_source(site, *kind, key) == Some(source),
            _ => false,
        })
    }

    /// The source files of the bodies the page read, as far as `site` has them.
    pub fn body_sources<'s>(&self, site: &'s Site) -> Vec<&'s str> {
        self.deps
            .iter()
            .filter_map(|dep| match dep {
                Dep::Entry {
                    kind,
                    key,
                    facet: Facet::Body,
                } => body_source(site, *kind, key),
                _ => None,
            })
            .collect()
    }

    /// A hash of everything the deps read in `site`: equal for two sites in which the
    /// page shows the same. `body(source)` identifies the body of the entry read from
    /// `source` without loading it (the export: the file's size and mtime; the server: a
    /// hash of the HTML).
    pub fn fingerprint(&self, site: &Site, body: &dyn Fn(&str) -> u64) -> u64 {
        combine(self.deps.iter().map(|dep| dep.fingerprint(site, body)))
    }

    /// The page's cache tags ([`crate::cache_tags`]), most important first: the entry
    /// whose page it is (read for its `page` facet), `all`, then the collection of each
    /// list it shows (as cards) and the entries of the list, then every other entry it
    /// links to (neighbours, terms). A
    /// doc, standalone page or product page also carries its collection (`docs`, `pages`,
    /// `products`): it is part of that collection's sidebar, menu or catalogue. Tags
    /// appear once.
    pub fn cache_tags(&self, site: &Site) -> Vec<String> {
        let mut own = Vec::new();
        let mut rest = Vec::new();
        for dep in &self.deps {
            match dep {
                Dep::Site => {}
                Dep::Entry {
                    kind,
                    key,
                    facet: Facet::Page,
                } if exists(site, *kind, key) => {
                    own.push(entry_tag(kind.as_str(), key));
                    let collection = match kind {
                        Kind::Doc => Some("docs"),
                        Kind::Page | Kind::Section => Some("pages"),
                        Kind::Product => Some("products"),
                        Kind::Post | Kind::Tag => None,
                    };
                    rest.extend(collection.map(str::to_owned));
                }
                Dep::Entry { kind, key, .. } if exists(site, *kind, key) => {
                    rest.push(entry_tag(kind.as_str(), key));
                }
                Dep::Entry { .. } => {}
                Dep::List {
                    list,
                    start,
                    end,
                    facet,
                } => {
                    // A page that shows a list is one of the collection's lists; links
                    // to neighbours do not make a page a list.
                    if *facet != Facet::Link {
                        rest.push(list.collection().to_owned());
                    }
                    rest.extend(
                        list_keys(site, list, *start, *end)
                            .iter()
                            .map(|(kind, key)| entry_tag(kind.as_str(), key)),
                    );
                }
                Dep::Count(list) => rest.push(list.collection().to_owned()),
                Dep::Beside { of, offset, .. } => {
                    if let Some(post) = beside(site, of, *offset) {
                        rest.push(entry_tag("post", &post.slug));
                    }
                }
            }
        }
        let mut seen = HashSet::new();
        own.into_iter()
            .chain(std::iter::once(ALL.to_owned()))
            .chain(rest)
            .filter(|tag| seen.insert(tag.clone()))
            .collect()
    }
}

/// The post `offset` places from post `of` in all posts.
fn beside<'s>(site: &'s Site, of: &str, offset: i32) -> Option<&'s Post> {
    let at = site
        .post_position(of)?
        .checked_add_signed(offset as isize)?;
    site.posts.get(at)
}

fn clip(start: u32, end: u32, len: usize) -> Range<usize> {
    let end = (end as usize).min(len);
    (start as usize).min(end)..end
}

fn exists(site: &Site, kind: Kind, key: &str) -> bool {
    match kind {
        Kind::Post => site.post(key).is_some(),
        Kind::Doc => site.doc(key).is_some(),
        Kind::Page => site.page(key).is_some(),
        Kind::Product => site.product(key).is_some(),
        Kind::Tag => site.tag(key).is_some(),
        Kind::Section => site.section(key).is_some(),
    }
}

fn body_source<'s>(site: &'s Site, kind: Kind, key: &str) -> Option<&'s str> {
    match kind {
        Kind::Post => site.post(key).map(|p| p.source.as_str()),
        Kind::Doc => site.doc(key).map(|d| d.source.as_str()),
        Kind::Page => site.page(key).map(|p| p.source.as_str()),
        Kind::Product | Kind::Tag | Kind::Section => None,
    }
}

/// The length of `list` in `site`.
fn list_len(site: &Site, list: &List) -> usize {
    match list {
        List::Posts => site.posts.len(),
        List::Tagged(slug) => site.tag(slug).map_or(0, |tag| tag.posts.len()),
        List::Tags => site.tags.len(),
        List::Docs => site.docs.len(),
        List::Products => site.products.len(),
        List::Section(path) => site.section(path).map_or(0, |s| s.pages.len()),
    }
}

/// The entries at `start..end` (clipped) of `list` in `site`, as `(kind, key)`: only
/// those, however long the list (a post page reads its two neighbours of 100,000).
fn list_keys<'s>(site: &'s Site, list: &List, start: u32, end: u32) -> Vec<(Kind, &'s str)> {
    let range = clip(start, end, list_len(site, list));
    match list {
        List::Posts => site.posts[range]
            .iter()
            .map(|p| (Kind::Post, p.slug.as_str()))
            .collect(),
        List::Tagged(slug) => site.tag(slug).map_or_else(Vec::new, |tag| {
            tag.posts[range]
                .iter()
                .map(|&i| (Kind::Post, site.posts[i].slug.as_str()))
                .collect()
        }),
        List::Tags => site.tags[range]
            .iter()
            .map(|t| (Kind::Tag, t.slug.as_str()))
            .collect(),
        List::Docs => site.docs[range]
            .iter()
            .map(|d| (Kind::Doc, d.url.as_str()))
            .collect(),
        List::Products => site.products[range]
            .iter()
            .map(|p| (Kind::Product, p.slug.as_str()))
            .collect(),
        List::Section(path) => site.section(path).map_or_else(Vec::new, |section| {
            section.pages[range]
                .iter()
                .map(|&i| (Kind::Page, site.pages[i].slug.as_str()))
                .collect()
        }),
    }
}

/// A date as the pages show it: chrono hashes only the instant, but pages print the
/// local date and offset, so the offset is part of it.
fn date(date: Option<DateTime<FixedOffset>>) -> Option<(i64, i32)> {
    date.map(|d| (d.timestamp(), d.offset().local_minus_utc()))
}

fn hash_dep(site: &Site, dep: &Dep, body: &dyn Fn(&str) -> u64, h: &mut DefaultHasher) {
    match dep {
        Dep::Site => {
            site.config.hash(h);
            let mut assets: Vec<_> = site.assets.iter().collect();
            assets.sort();
            assets.hash(h);
            let mut images: Vec<_> = site.images.iter().collect();
            images.sort_by(|a, b| a.0.cmp(b.0));
            images.hash(h);
            site.island_bundles.hash(h);
        }
        Dep::Entry { kind, key, facet } => hash_entry(site, *kind, key, *facet, body, h),
        Dep::List {
            list,
            start,
            end,
            facet,
        } => {
            let members = list_keys(site, list, *start, *end);
            members.len().hash(h);
            for (kind, key) in &members {
                key.hash(h);
                hash_entry(site, *kind, key, *facet, body, h);
            }
        }
        Dep::Count(list) => list_len(site, list).hash(h),
        Dep::Beside { of, offset, facet } => match beside(site, of, *offset) {
            None => 0u8.hash(h),
            Some(post) => {
                post.slug.hash(h);
                hash_post(post, *facet, body, h);
            }
        },
    }
}

fn hash_entry(
    site: &Site,
    kind: Kind,
    key: &str,
    facet: Facet,
    body: &dyn Fn(&str) -> u64,
    h: &mut DefaultHasher,
) {
    match kind {
        Kind::Post => match site.post(key) {
            None => 0u8.hash(h),
            Some(post) => hash_post(post, facet, body, h),
        },
        Kind::Doc => match site.doc(key) {
            None => 0u8.hash(h),
            Some(doc) => hash_doc(doc, facet, body, h),
        },
        Kind::Page => match site.page(key) {
            None => 0u8.hash(h),
            Some(page) => hash_page(page, facet, body, h),
        },
        Kind::Product => site.product(key).hash(h),
        Kind::Tag => match site.tag(key) {
            None => 0u8.hash(h),
            Some(tag) => {
                (&tag.slug, &tag.name).hash(h);
                if facet != Facet::Link {
                    tag.posts.len().hash(h);
                }
            }
        },
        Kind::Section => match site.section(key) {
            None => 0u8.hash(h),
            Some(section) => hash_section(section, facet, h),
        },
    }
}

fn hash_section(section: &Section, facet: Facet, h: &mut DefaultHasher) {
    1u8.hash(h);
    match facet {
        // A link is shown only to a section that has a list page.
        Facet::Link => (&section.path, &section.title, section.has_list()).hash(h),
        Facet::Card => (&section.path, &section.title, &section.description).hash(h),
        // Sections are read on every load (never deferred): the body is at hand.
        Facet::Body => section.html.hash(h),
        Facet::Page => {
            let mut copy = section.clone();
            copy.html.clear();
            copy.pages.clear();
            copy.hash(h);
        }
    }
}

fn hash_post(post: &Post, facet: Facet, body: &dyn Fn(&str) -> u64, h: &mut DefaultHasher) {
    1u8.hash(h);
    match facet {
        Facet::Link => (&post.slug, &post.permalink, &post.title).hash(h),
        Facet::Card => {
            (&post.slug, &post.permalink, &post.title, date(post.date)).hash(h);
            post.summary.hash(h);
        }
        Facet::Page => {
            (&post.slug, &post.permalink, &post.title, date(post.date)).hash(h);
            date(post.updated).hash(h);
            (&post.tags, &post.summary, post.draft, &post.aliases).hash(h);
            (&post.authors, &post.extra).hash(h);
        }
        Facet::Body => body(&post.source).hash(h),
    }
}

fn hash_doc(doc: &Doc, facet: Facet, body: &dyn Fn(&str) -> u64, h: &mut DefaultHasher) {
    1u8.hash(h);
    match facet {
        Facet::Link => (&doc.url, &doc.title).hash(h),
        Facet::Card => (
            &doc.url,
            &doc.title,
            doc.weight,
            &doc.summary,
            doc.is_section,
        )
            .hash(h),
        Facet::Page => {
            (
                &doc.url,
                &doc.title,
                doc.weight,
                &doc.summary,
                doc.is_section,
            )
                .hash(h);
            (date(doc.updated), doc.draft, &doc.aliases, &doc.extra).hash(h);
        }
        Facet::Body => body(&doc.source).hash(h),
    }
}

fn hash_page(page: &Page, facet: Facet, body: &dyn Fn(&str) -> u64, h: &mut DefaultHasher) {
    1u8.hash(h);
    match facet {
        Facet::Link => (&page.slug, &page.permalink, &page.title).hash(h),
        Facet::Card => {
            (&page.slug, &page.permalink, &page.title, &page.summary).hash(h);
            date(page.date).hash(h);
        }
        Facet::Page => {
            (&page.slug, &page.permalink, &page.title, &page.summary).hash(h);
            (
                date(page.date),
                date(page.updated),
                page.weight,
                &page.section,
            )
                .hash(h);
            (page.draft, &page.aliases, &page.extra).hash(h);
        }
        Facet::Body => body(&page.source).hash(h),
    }
}

/// What `/status/` shows: filled by the server for every request (the page is `Ssr`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusInfo {
    /// Identifies the running build (the server's version and binary).
    pub build_id: String,
    /// The server's clock at render time, RFC 3339.
    pub server_time: String,
    /// When the server started, RFC 3339.
    pub started_at: String,
    /// Counter of content reloads; 1 after the start.
    pub content_generation: u64,
    /// When the content in use was loaded, RFC 3339.
    pub content_loaded_at: String,
    /// Cache statistics, as `(name, value)` rows in display order.
    pub cache: Vec<(String, u64)>,
}

/// Data only the running server has, for the pages it renders per request or per
/// regeneration: the live stock of products, `/status/`'s numbers.
pub trait Live: Sync {
    /// The current stock of the product with this id (SKU), if known.
    fn stock(&self, product_id: &str) -> Option<u32>;
    /// What `/status/` shows, when rendering it.
    fn status(&self) -> Option<StatusInfo>;
}

/// The rendering context of one page: the site, read through accessors that record
/// the page's [`ReadSet`].
pub struct Cx<'a> {
    site: &'a Site,
    reads: RefCell<ReadSet>,
    deferred: Option<&'a HashSet<String>>,
    missing: Cell<bool>,
    live: Option<&'a dyn Live>,
}

impl<'a> Cx<'a> {
    /// A context over `site`. `deferred`: sources whose body is not loaded yet (a read
    /// of one marks the render as [`Cx::missed_body`]); `live`: the server's live data.
    pub fn new(
        site: &'a Site,
        deferred: Option<&'a HashSet<String>>,
        live: Option<&'a dyn Live>,
    ) -> Self {
        Cx {
            site,
            reads: RefCell::new(ReadSet {
                deps: vec![Dep::Site],
            }),
            deferred,
            missing: Cell::new(false),
            live,
        }
    }

    /// Records `dep` (once).
    pub fn record(&self, dep: Dep) {
        let mut reads = self.reads.borrow_mut();
        if !reads.deps.contains(&dep) {
            reads.deps.push(dep);
        }
    }

    /// What the page read so far.
    pub fn reads(&self) -> ReadSet {
        self.reads.borrow().clone()
    }

    /// Whether the page read a body that was not loaded: render it again once it is.
    pub fn missed_body(&self) -> bool {
        self.missing.get()
    }

    fn entry(&self, kind: Kind, key: &str, facet: Facet) {
        self.record(Dep::Entry {
            kind,
            key: key.to_owned(),
            facet,
        });
    }

    fn list(&self, list: List, range: Range<usize>, facet: Facet) {
        self.record(Dep::List {
            list,
            start: range.start as u32,
            end: range.end as u32,
            facet,
        });
    }

    /// The settings (recorded for every page: the layout reads them).
    pub fn config(&self) -> &'a SiteConfig {
        &self.site.config
    }

    /// The site, for what only needs settings and asset names (the layout, SEO).
    pub(crate) fn site(&self) -> &'a Site {
        self.site
    }

    /// Number of pages of a paginated list of `items` entries.
    pub fn page_count(&self, items: usize) -> usize {
        self.site.page_count(items)
    }

    /// The live data of the server, if rendering there.
    pub fn live(&self) -> Option<&'a dyn Live> {
        self.live
    }

    /// The post `slug` and its position, showing `facet`.
    pub fn post(&self, slug: &str, facet: Facet) -> Option<(usize, &'a Post)> {
        self.entry(Kind::Post, slug, facet);
        let i = self.site.post_position(slug)?;
        Some((i, &self.site.posts[i]))
    }

    /// The post at position `i` of all posts (a neighbour), showing `facet`.
    pub fn post_at(&self, i: usize, facet: Facet) -> Option<&'a Post> {
        self.list(List::Posts, i..i + 1, facet);
        self.site.posts.get(i)
    }

    /// The post `offset` places from post `of` in all posts, newest first (`-1`: the
    /// newer neighbour, `1`: the older), showing `facet`. Prefer it to [`Cx::post_at`]
    /// for neighbours: the page then depends on the neighbour itself, not on a position
    /// that every post added before it moves.
    pub fn post_beside(&self, of: &str, offset: i32, facet: Facet) -> Option<&'a Post> {
        self.record(Dep::Beside {
            of: of.to_owned(),
            offset,
            facet,
        });
        beside(self.site, of, offset)
    }

    /// The number of posts.
    pub fn post_count(&self) -> usize {
        self.record(Dep::Count(List::Posts));
        self.site.posts.len()
    }

    /// The posts at `range` of all posts (clipped), as cards.
    pub fn posts(&self, range: Range<usize>) -> &'a [Post] {
        self.list(List::Posts, range.clone(), Facet::Card);
        let all = &self.site.posts;
        &all[range.start.min(all.len())..range.end.min(all.len())]
    }

    /// The tag `slug`, showing `facet`.
    pub fn tag(&self, slug: &str, facet: Facet) -> Option<&'a Tag> {
        self.entry(Kind::Tag, slug, facet);
        self.site.tag(slug)
    }

    /// Every tag, as cards (name and number of posts).
    pub fn tags(&self) -> &'a [Tag] {
        self.list(List::Tags, 0..u32::MAX as usize, Facet::Card);
        &self.site.tags
    }

    /// The number of posts of `tag`.
    pub fn tag_post_count(&self, tag: &Tag) -> usize {
        self.record(Dep::Count(List::Tagged(tag.slug.clone())));
        tag.posts.len()
    }

    /// The posts at `range` of `tag`'s (clipped), as cards.
    pub fn tag_posts(&self, tag: &Tag, range: Range<usize>) -> Vec<&'a Post> {
        self.list(List::Tagged(tag.slug.clone()), range.clone(), Facet::Card);
        let end = range.end.min(tag.posts.len());
        tag.posts[range.start.min(end)..end]
            .iter()
            .map(|&i| &self.site.posts[i])
            .collect()
    }

    /// The doc at `url` and its position in reading order, showing `facet`.
    pub fn doc(&self, url: &str, facet: Facet) -> Option<(usize, &'a Doc)> {
        self.entry(Kind::Doc, url, facet);
        let i = self.site.doc_position(url)?;
        Some((i, &self.site.docs[i]))
    }

    /// Every doc in reading order, as cards (the sidebar, the neighbours).
    pub fn docs(&self) -> &'a [Doc] {
        self.list(List::Docs, 0..u32::MAX as usize, Facet::Card);
        &self.site.docs
    }

    /// The standalone page `slug`, showing `facet`.
    pub fn page(&self, slug: &str, facet: Facet) -> Option<&'a Page> {
        self.entry(Kind::Page, slug, facet);
        self.site.page(slug)
    }

    /// The section at `path`, showing `facet`.
    pub fn section(&self, path: &str, facet: Facet) -> Option<&'a Section> {
        self.entry(Kind::Section, path, facet);
        self.site.section(path)
    }

    /// The section at `path` as a link (a subsection, a breadcrumb).
    pub fn section_link(&self, path: &str) -> Option<&'a Section> {
        self.section(path, Facet::Link)
    }

    /// The number of pages of `section`.
    pub fn section_page_count(&self, section: &Section) -> usize {
        self.record(Dep::Count(List::Section(section.path.clone())));
        section.pages.len()
    }

    /// The pages at `range` of `section`'s (clipped), as cards.
    pub fn section_pages(&self, section: &Section, range: Range<usize>) -> Vec<&'a Page> {
        self.list(
            List::Section(section.path.clone()),
            range.clone(),
            Facet::Card,
        );
        let end = range.end.min(section.pages.len());
        section.pages[range.start.min(end)..end]
            .iter()
            .map(|&i| &self.site.pages[i])
            .collect()
    }

    /// The product `slug` (every field).
    pub fn product(&self, slug: &str) -> Option<&'a Product> {
        self.entry(Kind::Product, slug, Facet::Page);
        self.site.product(slug)
    }

    /// Every product.
    pub fn products(&self) -> &'a [Product] {
        self.list(List::Products, 0..u32::MAX as usize, Facet::Card);
        &self.site.products
    }

    /// The stock to show for `product`: the server's live count, else the catalogue's.
    pub fn stock(&self, product: &Product) -> u32 {
        self.live
            .and_then(|live| live.stock(&product.id))
            .unwrap_or(product.stock)
    }

    /// The rendered body (HTML) of a post, doc or page.
    pub fn body(&self, entry: &'a dyn Body) -> &'a str {
        let (kind, key, source, html) = entry.body_parts();
        self.entry(kind, key, Facet::Body);
        if self.deferred.is_some_and(|d| d.contains(source)) {
            self.missing.set(true);
        }
        html
    }
}

/// An entry with a Markdown body: post, doc, standalone page.
pub trait Body: Sync {
    /// `(kind, key, source file, HTML)`.
    fn body_parts(&self) -> (Kind, &str, &str, &str);
}

impl Body for Post {
    fn body_parts(&self) -> (Kind, &str, &str, &str) {
        (Kind::Post, &self.slug, &self.source, &self.html)
    }
}

impl Body for Doc {
    fn body_parts(&self) -> (Kind, &str, &str, &str) {
        (Kind::Doc, &self.url, &self.source, &self.html)
    }
}

impl Body for Page {
    fn body_parts(&self) -> (Kind, &str, &str, &str) {
        (Kind::Page, &self.slug, &self.source, &self.html)
    }
}

impl Body for Section {
    fn body_parts(&self) -> (Kind, &str, &str, &str) {
        (Kind::Section, &self.path, &self.source, &self.html)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dated_post(slug: &str, day: u32) -> Post {
        Post {
            permalink: None,
            slug: slug.into(),
            title: slug.to_uppercase(),
            date: chrono::DateTime::parse_from_rfc3339(&format!("2025-03-{day:02}T10:00:00Z")).ok(),
            updated: None,
            tags: vec![],
            summary: String::new(),
            draft: false,
            expires: None,
            aliases: vec![],
            authors: Vec::new(),
            taxonomies: Default::default(),
            extra: Default::default(),
            toc: vec![],
            html: String::new(),
            text: String::new(),
            source: format!("posts/{slug}.md"),
        }
    }

    #[test]
    fn a_post_added_elsewhere_leaves_a_neighbour_link_unchanged() {
        let site_of = |posts: &[(&str, u32)]| {
            Site::new(
                SiteConfig::default(),
                posts.iter().map(|(s, d)| dated_post(s, *d)).collect(),
                vec![],
                vec![],
                vec![],
            )
        };
        // Newest first: d, c, b, a.
        let before = site_of(&[("a", 1), ("b", 2), ("c", 3), ("d", 4)]);
        let cx = Cx::new(&before, None, None);
        assert_eq!(cx.post_beside("b", -1, Facet::Link).unwrap().slug, "c");
        assert_eq!(cx.post_beside("b", 1, Facet::Link).unwrap().slug, "a");
        assert!(cx.post_beside("a", 1, Facet::Link).is_none());
        let reads = cx.reads();
        let body = |_: &str| 0;
        let fingerprint = reads.fingerprint(&before, &body);
        // A newer post moves b's position, not its neighbours.
        let newer = site_of(&[("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5)]);
        assert_eq!(reads.fingerprint(&newer, &body), fingerprint);
        // One between b and c is its new neighbour.
        let between = site_of(&[("a", 1), ("b", 2), ("bc", 2), ("c", 3), ("d", 4)]);
        assert_ne!(reads.fingerprint(&between, &body), fingerprint);
        assert!(reads.cache_tags(&before).contains(&"post:c".to_owned()));
    }

    #[test]
    fn deps_round_trip_as_strings() {
        let deps = vec![
            Dep::Site,
            Dep::Entry {
                kind: Kind::Doc,
                key: "/docs/a b,c/".into(),
                facet: Facet::Body,
            },
            Dep::List {
                list: List::Tagged("c++".into()),
                start: 10,
                end: 20,
                facet: Facet::Card,
            },
            Dep::Count(List::Posts),
            Dep::Beside {
                of: "a b-1".into(),
                offset: -1,
                facet: Facet::Link,
            },
            Dep::Beside {
                of: "x".into(),
                offset: 2,
                facet: Facet::Card,
            },
            Dep::List {
                list: List::Docs,
                start: 0,
                end: u32::MAX,
                facet: Facet::Link,
            },
            Dep::List {
                list: List::Section("/a b/".into()),
                start: 0,
                end: 10,
                facet: Facet::Card,
            },
            Dep::Entry {
                kind: Kind::Section,
                key: "/projects/".into(),
                facet: Facet::Page,
            },
        ];
        let set = ReadSet { deps: deps.clone() };
        let strings = set.to_strings();
        assert_eq!(strings[1], "body doc:/docs/a%20b%2Cc/");
        assert_eq!(strings[2], "card tag:c++[10..20]");
        assert_eq!(strings[4], "link -1 post:a%20b-1");
        assert_eq!(strings[5], "card +2 post:x");
        assert_eq!(strings[7], "card section:/a%20b/[0..10]");
        assert_eq!(ReadSet::from_strings(&strings).unwrap().deps, deps);
        assert!(ReadSet::from_strings(&["nonsense".into()]).is_none());
    }
}

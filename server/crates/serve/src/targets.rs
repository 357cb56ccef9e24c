//! What a URL path renders: a route of the app, or one of the generated documents
//! (feed, sitemaps, `robots.txt`), with its render mode.

use app::{Cx, PagePath, RenderMode, POSTS_REVALIDATE};

use crate::pages::{Page, ATOM, TEXT, XML};
use crate::snapshot::Snapshot;
use crate::store::Store;

/// What only the running server knows, for the pages it renders ([`app::Live`]).
pub struct Live<'a> {
    /// The database: products show its stock instead of the catalogue's.
    pub store: Option<&'a Store>,
    /// `/status/`'s numbers, when rendering it for a request.
    pub status: Option<app::StatusInfo>,
}

impl app::Live for Live<'_> {
    fn stock(&self, product_id: &str) -> Option<u32> {
        let store = self.store?;
        store
            .inventory(product_id)
            .ok()
            .flatten()
            .map(|live| live.stock)
    }

    fn status(&self) -> Option<app::StatusInfo> {
        self.status.clone()
    }
}

/// Something the server renders at a path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// A page of the app's route table.
    Route(PagePath),
    /// A feed ([`crate::feed::feeds`]) by path: `/atom.xml`, a term's or a section's.
    Feed(String),
    /// `/sitemap.xml` or `/sitemap-N.xml` (file name).
    Sitemap(String),
    /// `/robots.txt`.
    Robots,
}

impl Target {
    /// The path it answers.
    pub fn path(&self) -> String {
        match self {
            Target::Route(page) => page.path().to_owned(),
            Target::Feed(path) => path.clone(),
            Target::Sitemap(name) => format!("/{name}"),
            Target::Robots => "/robots.txt".to_owned(),
        }
    }

    /// Its render mode: the route table's for pages; the feed and sitemaps follow the
    /// posts (`Isr`, 60 s); `robots.txt` is `Static`.
    pub fn mode(&self) -> RenderMode {
        match self {
            Target::Route(page) => page.mode(),
            Target::Feed(_) | Target::Sitemap(_) => RenderMode::Isr {
                revalidate: POSTS_REVALIDATE,
            },
            Target::Robots => RenderMode::Static,
        }
    }

    /// The target at exactly `path` (canonical form: `/posts/x/`, not `/posts/x`) in
    /// `snapshot`, if the site has it.
    pub fn resolve(snapshot: &Snapshot, path: &str) -> Option<Target> {
        match path {
            crate::feed::FEED_PATH => return Some(Target::Feed(path.to_owned())),
            "/robots.txt" => return Some(Target::Robots),
            _ if path.ends_with("/atom.xml") => {
                return crate::feed::feed_at(&snapshot.site, path)
                    .map(|_| Target::Feed(path.to_owned()));
            }
            _ => {}
        }
        if let Some(name) = path.strip_prefix('/').filter(|name| {
            name.starts_with("sitemap") && name.ends_with(".xml") && !name.contains('/')
        }) {
            return crate::sitemap::sitemap_names(&snapshot.site, snapshot.routes)
                .iter()
                .any(|n| n == name)
                .then(|| Target::Sitemap(name.to_owned()));
        }
        let page = snapshot.routes.resolve(&snapshot.site, path)?;
        (page.path() == path).then_some(Target::Route(page))
    }

    /// Every target of `snapshot` that is pre-rendered: every page of the route table
    /// but the `Ssr` ones (`/status/`), the feed, the sitemaps and `robots.txt`.
    pub fn all(snapshot: &Snapshot) -> Vec<Target> {
        let mut all: Vec<Target> = snapshot
            .routes
            .pages(&snapshot.site)
            .into_iter()
            .filter(|page| page.mode() != RenderMode::Ssr)
            .map(Target::Route)
            .collect();
        all.extend(
            crate::feed::feeds(&snapshot.site)
                .into_iter()
                .map(|feed| Target::Feed(feed.path)),
        );
        all.extend(
            crate::sitemap::sitemap_names(&snapshot.site, snapshot.routes)
                .into_iter()
                .map(Target::Sitemap),
        );
        all.push(Target::Robots);
        all
    }

    /// Renders it from `snapshot`; `None` when the entry is not in the site. Pages are
    /// rendered with the server's `live` data (the store's stock, `/status/`'s numbers)
    /// and carry their own `url:` tag, then the cache tags of what they read; the feed carries `posts` and the
    /// posts it holds; sitemaps and `robots.txt` carry `all`, and the sitemaps every
    /// collection.
    pub fn render(&self, snapshot: &Snapshot, store: Option<&Store>) -> Option<Page> {
        self.render_live(
            snapshot,
            &Live {
                store,
                status: None,
            },
        )
    }

    /// [`Target::render`] with the live data of `live` (an SSR page's per-request data).
    pub fn render_live(&self, snapshot: &Snapshot, live: &Live) -> Option<Page> {
        use app::cache_tags::ALL;
        let site = &snapshot.site;
        // The page and its tags; the header values are made once, with the page's own
        // `url:` tag first.
        let (page, tags): (Page, Vec<String>) = match self {
            Target::Route(page) => {
                let cx = Cx::new(site, None, Some(live));
                let rendered = app::render_in(&cx, page)?;
                let tags = rendered.reads.cache_tags(site);
                (Page::from(rendered), tags)
            }
            Target::Feed(path) => {
                let feed = crate::feed::feed_at(site, path)?;
                let xml = crate::feed::atom_of(site, &feed, &|html, _| html.to_owned());
                // A section's feed shows pages; the others posts.
                let section =
                    feed.path != crate::feed::FEED_PATH && site.section(&feed.page).is_some();
                let collection = if section { "pages" } else { "posts" };
                let tags = [ALL.to_owned(), collection.to_owned()]
                    .into_iter()
                    .chain(feed.entries.iter().map(crate::feed::Entry::cache_tag))
                    .collect();
                (Page::document(path, xml, ATOM), tags)
            }
            Target::Sitemap(name) => {
                let xml = crate::sitemap::sitemaps(site, snapshot.routes)
                    .into_iter()
                    .find(|(n, _)| n == name)?
                    .1;
                let tags = ["all", "posts", "docs", "pages", "products"]
                    .map(str::to_owned)
                    .to_vec();
                (Page::document(&self.path(), xml, XML), tags)
            }
            Target::Robots => (
                Page::document(
                    &self.path(),
                    crate::sitemap::robots(site, snapshot.robots.as_deref()),
                    TEXT,
                ),
                vec![ALL.to_owned()],
            ),
        };
        let mut all = Vec::with_capacity(tags.len() + 1);
        all.push(app::cache_tags::url_tag(&page.path));
        all.extend(tags);
        Some(page.with_cache_tags(all))
    }

    /// The fingerprint of `page`, just rendered for it from `snapshot`: for a
    /// page of the route table, what it read ([`app::ReadSet::fingerprint`]); for the
    /// feed, sitemaps and `robots.txt`, a hash of the document.
    pub fn fingerprint(&self, snapshot: &Snapshot, page: &Page) -> u64 {
        match self {
            Target::Route(_) => page
                .reads
                .fingerprint(&snapshot.site, &|source| snapshot.body_hash(source)),
            _ => crate::snapshot::document_hash(&page.html),
        }
    }

    /// Whether `cached` (rendered for it from content whose fingerprint was
    /// `inputs`) shows something else in `snapshot`: the deps it read changed, or, for
    /// a generated document, its bytes would.
    pub fn changed(&self, snapshot: &Snapshot, cached: &Page, inputs: u64) -> bool {
        match self {
            Target::Route(_) => self.fingerprint(snapshot, cached) != inputs,
            _ => self
                .render(snapshot, None)
                .is_none_or(|page| crate::snapshot::document_hash(&page.html) != inputs),
        }
    }
}

/// The fallback of the route whose pattern has the shape of `path` in `snapshot`'s
/// route table (the entry may not exist yet): `/posts/<slug>/` is a post whatever the
/// slug ([`app::Routes::fallback_of`]).
pub fn fallback_of(snapshot: &Snapshot, path: &str) -> app::Fallback {
    snapshot.routes.fallback_of(path)
}

/// Whether `tag` follows the cache-tag grammar ([`app::cache_tags`]).
pub fn is_tag(tag: &str) -> bool {
    app::cache_tags::is_valid(tag)
}

/// The paths of the pages that `tags` name, in `snapshot` (Next.js `revalidateTag`):
/// every page of `cache` whose `Cache-Tag` carries one of them (from what it read when
/// rendered), so that the revalidation API and a CDN purge by the same tag reach the
/// same pages. A page not cached is not stale: it is rendered from the current content
/// when it is first asked for (a scan of the cached pages' tags, ~ms for 13,500 pages,
/// instead of listing and rendering every page of the site). An entry tag of a post,
/// product, page or doc also names the entry's own path when the entry is gone, so
/// that its cached page is removed.
pub fn tagged(
    snapshot: &Snapshot,
    tags: &[String],
    cache: &crate::isr::PageCache,
) -> std::collections::BTreeSet<String> {
    let wanted: std::collections::HashSet<&str> = tags.iter().map(String::as_str).collect();
    let mut paths: std::collections::BTreeSet<String> = cache
        .tagged(&wanted, wanted.contains(app::cache_tags::ALL))
        .into_iter()
        .collect();
    for tag in tags {
        let Some((kind, key)) = tag.split_once(':') else {
            continue;
        };
        let own = match kind {
            "doc" => Some(key.to_owned()),
            "post" | "product" | "page" => snapshot.routes.get(kind).and_then(|route| {
                app::PagePath::new(route, app::Params::new().with("slug", key))
                    .map(|page| page.path().to_owned())
            }),
            _ => None,
        };
        paths.extend(own);
    }
    paths
}

//! What a URL path renders: a route of the app, or one of the generated documents
//! (feed, sitemaps, `robots.txt`), with its render mode.

use app::{render, routes, RenderMode, Route, POSTS_REVALIDATE};

use crate::pages::{Page, ATOM, TEXT, XML};
use crate::snapshot::Snapshot;
use crate::store::Store;

/// Something the server renders at a path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// A page of the app.
    Route(Route),
    /// `/atom.xml`.
    Feed,
    /// `/sitemap.xml` or `/sitemap-N.xml` (file name).
    Sitemap(String),
    /// `/robots.txt`.
    Robots,
}

impl Target {
    /// The path it answers.
    pub fn path(&self) -> String {
        match self {
            Target::Route(route) => route.path(),
            Target::Feed => crate::feed::FEED_PATH.to_owned(),
            Target::Sitemap(name) => format!("/{name}"),
            Target::Robots => "/robots.txt".to_owned(),
        }
    }

    /// Its render mode: the route table's for pages; the feed and sitemaps follow the
    /// posts (`Isr`, 60 s); `robots.txt` is `Static`.
    pub fn mode(&self) -> RenderMode {
        match self {
            Target::Route(route) => route.mode(),
            Target::Feed | Target::Sitemap(_) => RenderMode::Isr {
                revalidate: POSTS_REVALIDATE,
            },
            Target::Robots => RenderMode::Static,
        }
    }

    /// The target at exactly `path` (canonical form: `/posts/x/`, not `/posts/x`) in
    /// `snapshot`, if the site has it.
    pub fn resolve(snapshot: &Snapshot, path: &str) -> Option<Target> {
        match path {
            crate::feed::FEED_PATH => return Some(Target::Feed),
            "/robots.txt" => return Some(Target::Robots),
            "/404.html" => return Some(Target::Route(Route::NotFound)),
            _ => {}
        }
        if let Some(name) = path.strip_prefix('/').filter(|name| {
            name.starts_with("sitemap") && name.ends_with(".xml") && !name.contains('/')
        }) {
            return crate::sitemap::sitemap_names(&snapshot.site)
                .iter()
                .any(|n| n == name)
                .then(|| Target::Sitemap(name.to_owned()));
        }
        let route = Route::resolve(&snapshot.site, path)?;
        (route.path() == path).then_some(Target::Route(route))
    }

    /// Every target of `snapshot` that is pre-rendered: every route (`/status/` is
    /// `Ssr` and not among them), the feed, the sitemaps and `robots.txt`.
    pub fn all(snapshot: &Snapshot) -> Vec<Target> {
        let mut all: Vec<Target> = routes(&snapshot.site)
            .into_iter()
            .filter(|route| route.mode() != RenderMode::Ssr)
            .map(Target::Route)
            .collect();
        all.push(Target::Feed);
        all.extend(
            crate::sitemap::sitemap_names(&snapshot.site)
                .into_iter()
                .map(Target::Sitemap),
        );
        all.push(Target::Robots);
        all
    }

    /// Renders it from `snapshot`; `None` when the entry is not in the site. With a
    /// `store`, product pages show its live stock instead of the catalog's.
    pub fn render(&self, snapshot: &Snapshot, store: Option<&Store>) -> Option<Page> {
        let site = &snapshot.site;
        let page = self.render_page(snapshot, store)?;
        Some(page.with_cache_tags(self.cache_tags(site)))
    }

    /// The cache tags of its page ([`app::cache_tags`]): the route's; the feed carries
    /// `posts` and the posts it holds; sitemaps and `robots.txt` carry `all`, and the
    /// sitemaps every collection.
    pub fn cache_tags(&self, site: &app::Site) -> Vec<String> {
        use app::cache_tags::{entry_tag, ALL};
        match self {
            Target::Route(route) => route.cache_tags(site),
            Target::Feed => [ALL.to_owned(), "posts".to_owned()]
                .into_iter()
                .chain(
                    site.posts
                        .iter()
                        .take(site.config.feed_limit.max(1))
                        .map(|post| entry_tag("post", &post.slug)),
                )
                .collect(),
            Target::Sitemap(_) => ["all", "posts", "docs", "pages", "products"]
                .map(str::to_owned)
                .to_vec(),
            Target::Robots => vec![ALL.to_owned()],
        }
    }

    fn render_page(&self, snapshot: &Snapshot, store: Option<&Store>) -> Option<Page> {
        let site = &snapshot.site;
        Some(match self {
            Target::Route(Route::Product(slug)) if store.is_some() => {
                let mut product = site.product(slug)?.clone();
                let live = store.and_then(|store| store.inventory(&product.id).ok().flatten());
                if let Some(live) = live {
                    product.stock = live.stock;
                }
                Page::from(app::render_product(site, &product))
            }
            Target::Route(route) => Page::from(render(site, route)?),
            Target::Feed => Page::document(&self.path(), crate::feed::atom(site), ATOM),
            Target::Sitemap(name) => {
                let xml = crate::sitemap::sitemaps(site)
                    .into_iter()
                    .find(|(n, _)| n == name)?
                    .1;
                Page::document(&self.path(), xml, XML)
            }
            Target::Robots => Page::document(
                &self.path(),
                crate::sitemap::robots(site, snapshot.robots.as_deref()),
                TEXT,
            ),
        })
    }
}

/// The fallback of the route family `path` belongs to, judged by its shape alone
/// (the entry may not exist yet): `/posts/<slug>/` is a post whatever the slug.
pub fn fallback_of(path: &str) -> app::Fallback {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let route = match segments.as_slice() {
        ["posts", "page", _] => Route::Blog { page: 2 },
        ["posts", slug] => Route::Post((*slug).to_owned()),
        ["tags", slug] | ["tags", slug, "page", _] => Route::Tag {
            slug: (*slug).to_owned(),
            page: 1,
        },
        ["docs", ..] => Route::Doc(path.to_owned()),
        ["products", slug] => Route::Product((*slug).to_owned()),
        [slug] if !slug.is_empty() && !slug.contains('.') => Route::Page((*slug).to_owned()),
        _ => return app::Fallback::NotFound,
    };
    route.fallback()
}

/// Whether `tag` follows the cache-tag grammar ([`app::cache_tags`]).
pub fn is_tag(tag: &str) -> bool {
    app::cache_tags::is_valid(tag)
}

/// The paths of the pages that `tags` name, in `snapshot` (Next.js `revalidateTag`):
/// every page whose `Cache-Tag` carries one of them ([`Target::cache_tags`]), so that the
/// revalidation API and a CDN purge by the same tag reach the same pages. An entry tag
/// of a post, product, page or doc also names the entry's own path when the entry is
/// gone, so that its cached page is removed. Each page's tags are computed once,
/// however many tags are asked for.
pub fn tagged(snapshot: &Snapshot, tags: &[String]) -> std::collections::BTreeSet<String> {
    let site = &snapshot.site;
    let wanted: std::collections::HashSet<&str> = tags.iter().map(String::as_str).collect();
    let mut paths: std::collections::BTreeSet<String> = Target::all(snapshot)
        .into_iter()
        .filter(|target| {
            wanted.contains(app::cache_tags::ALL)
                || target
                    .cache_tags(site)
                    .iter()
                    .any(|t| wanted.contains(t.as_str()))
        })
        .map(|target| target.path())
        .collect();
    for tag in tags {
        let own = if let Some(slug) = tag.strip_prefix("post:") {
            Some(Route::Post(slug.to_owned()).path())
        } else if let Some(slug) = tag.strip_prefix("product:") {
            Some(Route::Product(slug.to_owned()).path())
        } else if let Some(slug) = tag.strip_prefix("page:") {
            Some(Route::Page(slug.to_owned()).path())
        } else {
            tag.strip_prefix("doc:").map(str::to_owned)
        };
        paths.extend(own);
    }
    paths
}

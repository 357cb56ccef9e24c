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

/// Whether `tag` is a cache tag [`tagged`] knows.
pub fn is_tag(tag: &str) -> bool {
    matches!(tag, "posts" | "products" | "docs" | "all")
        || ["post:", "product:", "page:", "doc:", "tag:"]
            .iter()
            .any(|prefix| {
                tag.strip_prefix(prefix)
                    .is_some_and(|rest| !rest.is_empty())
            })
}

/// The paths of the pages a cache tag names, in `snapshot` (Next.js `revalidateTag`):
///
/// * `post:<slug>`, `product:<slug>`, `page:<slug>`: the entry's page (also when it is
///   gone, so that it is removed); `doc:<url>`: the doc at that URL;
/// * `tag:<slug>`: every page of the tag;
/// * `posts`: the home page, every blog and tag page, the tags index and the feed;
///   `products`: the products index and every product; `docs`: every doc;
/// * `all`: every page.
///
/// Pages that show an entry elsewhere (lists, neighbours, the sitemap) are found by
/// their inputs instead ([`crate::AppState::revalidate_on_demand`]).
pub fn tagged(snapshot: &Snapshot, tag: &str) -> Vec<String> {
    let all = || Target::all(snapshot);
    if let Some(slug) = tag.strip_prefix("post:") {
        return vec![Route::Post(slug.to_owned()).path()];
    }
    if let Some(slug) = tag.strip_prefix("product:") {
        return vec![Route::Product(slug.to_owned()).path()];
    }
    if let Some(slug) = tag.strip_prefix("page:") {
        return vec![Route::Page(slug.to_owned()).path()];
    }
    if let Some(url) = tag.strip_prefix("doc:") {
        return vec![url.to_owned()];
    }
    if let Some(slug) = tag.strip_prefix("tag:") {
        return all()
            .into_iter()
            .filter(|t| matches!(t, Target::Route(Route::Tag { slug: s, .. }) if s == slug))
            .map(|t| t.path())
            .collect();
    }
    let keep = |target: &Target| match tag {
        "posts" => matches!(
            target,
            Target::Route(Route::Home | Route::Blog { .. } | Route::Tags | Route::Tag { .. })
                | Target::Feed
        ),
        "products" => matches!(target, Target::Route(Route::Products | Route::Product(_))),
        "docs" => matches!(target, Target::Route(Route::Doc(_))),
        "all" => true,
        _ => false,
    };
    all().into_iter().filter(keep).map(|t| t.path()).collect()
}

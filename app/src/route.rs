//! What a route is: one page type of the site, declared once in `app/src/pages/<name>.rs`
//! and listed in the route table ([`crate::routes`]).
//!
//! A [`Route`] states, in one `impl`, everything the framework needs of a page type:
//!
//! | item | what | modelled on |
//! |---|---|---|
//! | [`Route::patterns`] | path patterns: `/posts/{slug}/`, `/docs/{..path}/` | Astro `src/pages/posts/[slug].astro`, Leptos `path!("/posts/:slug")` |
//! | [`Route::owns`] | concrete paths it owns instead (Zola `path`, Hugo `url`) | Zola's per-page `path` |
//! | [`Route::mode`], [`Route::fallback`] | `Static`, `Isr { revalidate }` or `Ssr`; what an unknown path of the pattern does | Next.js `revalidate`, `dynamic`, `fallback` |
//! | [`Route::paths`] | every page of the route in the content | Next.js `generateStaticParams`, Astro `getStaticPaths` |
//! | [`Route::view`] | the page, reading the content through a [`Cx`] that records what it reads | Leptos components |
//! | [`Route::sitemap`] | whether and with which `<lastmod>` the page is in `sitemap.xml` | Next.js `sitemap.ts` |
//!
//! A trait object per route (not an enum the framework matches on) lets a site add a page
//! type with one new file and one line in the table, and lets the framework hold the
//! table as data: the export, the ISR cache, the sitemap, the dev site and the link
//! checker all walk [`Routes`]. A declarative macro would hide the same trait behind a
//! second syntax; plain `impl Route` keeps compiler errors and rustdoc readable.
//!
//! # Patterns
//!
//! A pattern is a site-relative path of `/`-separated segments ending in `/`: a literal
//! (`posts`), a parameter `{name}` (one non-empty segment) or, last, a rest parameter
//! `{..name}` (zero or more segments, Astro's `[...name]`). When several patterns match a
//! request path, the most specific wins, as in Astro and Next.js: segment by segment a
//! literal beats a parameter, which beats a rest parameter; then the route table's order.
//! A match whose page does not exist ([`Route::exists`]) lets the next pattern try.

use std::fmt;

use chrono::{DateTime, FixedOffset};
use leptos::prelude::AnyView;

use crate::layout::PageMeta;
use crate::model::Site;
use crate::modes::{Fallback, RenderMode};
use crate::reads::Cx;

/// One page type of the site. See the [module](self) documentation.
pub trait Route: Send + Sync + 'static {
    /// The route's name: unique in the table, shown in logs and the export summary, and
    /// the name templates map to (`"post"`, `"blog index"`).
    fn name(&self) -> &'static str;

    /// Its path patterns ([module](self) grammar); empty for a route that only
    /// [`owns`](Route::owns) concrete paths. A page's path is made from the pattern whose
    /// parameters are exactly the page's [`Params`] (`/posts/` for `{}`,
    /// `/posts/page/{page}/` for `{page}`).
    fn patterns(&self) -> &'static [&'static str];

    /// How `atoll serve` renders it (default `Static`).
    fn mode(&self) -> RenderMode {
        RenderMode::Static
    }

    /// What `atoll serve` does for a path of its patterns that it has not rendered
    /// (default `NotFound`, Next.js `fallback: false`).
    fn fallback(&self) -> Fallback {
        Fallback::NotFound
    }

    /// HTTP status of its pages (default 200; the 404 page says 404).
    fn status(&self) -> u16 {
        200
    }

    /// Every page of the route in `site` (Next.js `generateStaticParams`), in the order
    /// the export lists them.
    fn paths(&self, site: &Site) -> Vec<Params>;

    /// Whether `params`, matched from a request path, names a page of `site`. The
    /// default asks [`Route::paths`]; routes with many pages answer from an index.
    fn exists(&self, site: &Site, params: &Params) -> bool {
        self.paths(site).contains(params)
    }

    /// The params of the page at `path` when the route owns that concrete path (an entry
    /// with its own permalink); `None` by default.
    fn owns(&self, _site: &Site, _path: &str) -> Option<Params> {
        None
    }

    /// The path of the page of `params`, for a route that owns concrete paths. The
    /// default fills the route's patterns.
    fn path_of(&self, params: &Params) -> Option<String> {
        self.patterns()
            .iter()
            .find_map(|pattern| Pattern::parse(pattern).fill(params))
    }

    /// The page: its meta and the inside of `<main>`, reading the content through `cx`;
    /// `None` when `params` names no page of the site.
    fn view(&self, cx: &Cx, params: &Params) -> Option<(PageMeta, AnyView)>;

    /// Whether the page is listed in `sitemap.xml`, and its `<lastmod>` (default: listed,
    /// no date).
    fn sitemap(&self, _site: &Site, _params: &Params) -> Sitemap {
        Sitemap::Listed(None)
    }
}

/// A page's place in `sitemap.xml` ([`Route::sitemap`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sitemap {
    /// Listed, with its `<lastmod>` when the content has a date.
    Listed(Option<DateTime<FixedOffset>>),
    /// Not for search engines (404, cart, drafts, page 2 and after of a list).
    Unlisted,
}

/// The parameters of one page of a route: `{slug: "hello"}`. Order is the pattern's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Params(Vec<(&'static str, String)>);

impl Params {
    /// No parameters: the page of a pattern without any (`/posts/`).
    pub fn new() -> Self {
        Params(Vec::new())
    }

    /// These parameters and `name` = `value`.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.0.push((name, value.into()));
        self
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The page number in `page`: 1 when absent (the first page has no number in its
    /// path); `None` when it is not a canonical number of 2 or more (`/page/02/`,
    /// `/page/1/` are not pages).
    pub fn page(&self) -> Option<usize> {
        match self.get("page") {
            None => Some(1),
            Some(n) => {
                let page: usize = n.parse().ok()?;
                (page >= 2 && page.to_string() == n).then_some(page)
            }
        }
    }

    /// The params of page `page` of a paginated list: none for page 1, `{page}` after.
    pub fn paginated(self, page: usize) -> Self {
        if page <= 1 {
            self
        } else {
            self.with("page", page.to_string())
        }
    }

    fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.iter().map(|(n, _)| *n)
    }
}

/// One segment of a parsed pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Literal(&'static str),
    Param(&'static str),
    Rest(&'static str),
}

impl Segment {
    /// Specificity for ranking: lower wins.
    fn rank(&self) -> u8 {
        match self {
            Segment::Literal(_) => 0,
            Segment::Param(_) => 1,
            Segment::Rest(_) => 2,
        }
    }
}

/// A parsed path pattern ([module](self) grammar).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    source: &'static str,
    segments: Vec<Segment>,
}

/// A pattern that breaks the [module](self) grammar: a bug in the site's route table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// The pattern as written.
    pub pattern: &'static str,
    /// What is wrong.
    pub reason: &'static str,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "route pattern {:?}: {}", self.pattern, self.reason)
    }
}

impl std::error::Error for PatternError {}

impl Pattern {
    /// Parses `source`.
    ///
    /// # Panics
    /// On a pattern that breaks the grammar (see [`Pattern::try_parse`]): patterns are
    /// constants of the site's code.
    pub fn parse(source: &'static str) -> Pattern {
        Pattern::try_parse(source).unwrap_or_else(|err| panic!("{err}"))
    }

    /// Parses `source`: it must start and end with `/`, have no empty segment, and a
    /// rest parameter only last.
    ///
    /// # Errors
    /// [`PatternError`] naming the pattern and the rule it breaks.
    pub fn try_parse(source: &'static str) -> Result<Pattern, PatternError> {
        let err = |reason| PatternError {
            pattern: source,
            reason,
        };
        if !source.starts_with('/') || !source.ends_with('/') {
            return Err(err("must start and end with '/'"));
        }
        let inner = source.get(1..source.len() - 1).unwrap_or("");
        let mut segments = Vec::new();
        if !inner.is_empty() {
            for part in inner.split('/') {
                let segment = if let Some(name) =
                    part.strip_prefix("{..").and_then(|p| p.strip_suffix('}'))
                {
                    Segment::Rest(name)
                } else if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}'))
                {
                    Segment::Param(name)
                } else if part.is_empty() || part.contains(['{', '}']) {
                    return Err(err("has an empty or malformed segment"));
                } else {
                    Segment::Literal(part)
                };
                if matches!(segments.last(), Some(Segment::Rest(_))) {
                    return Err(err("a rest parameter {..name} must be the last segment"));
                }
                segments.push(segment);
            }
        }
        Ok(Pattern { source, segments })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &'static str {
        self.source
    }

    fn param_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.segments.iter().filter_map(|s| match s {
            Segment::Param(n) | Segment::Rest(n) => Some(*n),
            Segment::Literal(_) => None,
        })
    }

    /// The params of `path` (with or without its trailing slash), if it has this
    /// pattern's shape.
    pub fn matches(&self, path: &str) -> Option<Params> {
        let trimmed = path.strip_prefix('/')?.trim_end_matches('/');
        let parts: Vec<&str> = if trimmed.is_empty() {
            Vec::new()
        } else {
            trimmed.split('/').collect()
        };
        let mut params = Params::new();
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Literal(lit) => {
                    if parts.get(i) != Some(lit) {
                        return None;
                    }
                }
                Segment::Param(name) => {
                    let part = parts.get(i).filter(|p| !p.is_empty())?;
                    params = params.with(name, *part);
                }
                Segment::Rest(name) => {
                    let rest = parts.get(i..).unwrap_or_default();
                    if rest.iter().any(|p| p.is_empty()) {
                        return None;
                    }
                    return Some(params.with(name, rest.join("/")));
                }
            }
        }
        (parts.len() == self.segments.len()).then_some(params)
    }

    /// The path of `params` with this pattern, if its parameters are exactly `params`'
    /// names.
    pub fn fill(&self, params: &Params) -> Option<String> {
        let mut names: Vec<&str> = self.param_names().collect();
        let mut given: Vec<&str> = params.names().collect();
        names.sort_unstable();
        given.sort_unstable();
        if names != given {
            return None;
        }
        let mut path = String::from("/");
        for segment in &self.segments {
            let part = match segment {
                Segment::Literal(lit) => *lit,
                Segment::Param(name) => params.get(name)?,
                Segment::Rest(name) => params.get(name)?,
            };
            if !part.is_empty() {
                path.push_str(part);
                path.push('/');
            }
        }
        Some(path)
    }

    /// Sort key: more specific patterns first.
    fn rank(&self) -> Vec<u8> {
        let mut key: Vec<u8> = self.segments.iter().map(Segment::rank).collect();
        // A longer pattern is more specific than its prefix.
        key.push(3);
        key
    }
}

/// One page: a route of the table and its params, with its path.
#[derive(Clone)]
pub struct PagePath {
    route: &'static dyn Route,
    params: Params,
    path: String,
}

impl PagePath {
    /// The page of `route` with `params`; `None` when no pattern of the route takes
    /// exactly these params.
    pub fn new(route: &'static dyn Route, params: Params) -> Option<PagePath> {
        let path = route.path_of(&params)?;
        Some(PagePath {
            route,
            params,
            path,
        })
    }

    /// Site-relative URL path: directory-style (`/posts/x/`) so that a static host
    /// serves `posts/x/index.html`; the 404 page is `/404.html`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The route.
    pub fn route(&self) -> &'static dyn Route {
        self.route
    }

    /// The route's name ([`Route::name`]).
    pub fn name(&self) -> &'static str {
        self.route.name()
    }

    /// The params.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The route's render mode.
    pub fn mode(&self) -> RenderMode {
        self.route.mode()
    }

    /// The route's fallback.
    pub fn fallback(&self) -> Fallback {
        self.route.fallback()
    }

    /// The page's place in `sitemap.xml`.
    pub fn sitemap(&self, site: &Site) -> Sitemap {
        self.route.sitemap(site, &self.params)
    }
}

impl PartialEq for PagePath {
    fn eq(&self, other: &Self) -> bool {
        self.route.name() == other.route.name() && self.path == other.path
    }
}

impl Eq for PagePath {}

impl std::hash::Hash for PagePath {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.route.name().hash(state);
        self.path.hash(state);
    }
}

impl fmt::Debug for PagePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.route.name(), self.path)
    }
}

/// The route table: the site's routes, their patterns ranked, and the template names
/// that map to them.
pub struct Routes {
    routes: Vec<&'static dyn Route>,
    /// `(pattern, index into routes)`, most specific first.
    ranked: Vec<(Pattern, usize)>,
    templates: Vec<(&'static str, usize)>,
    assets: &'static [LayoutAsset],
}

/// A file the layout itself references, shipped with it (compiled in): its site path
/// (`/style.css`) and bytes. The site's own static folder (`public/`, or a Zola or Hugo
/// site's `static/`) adds to these and overrides one by having a file at that path, so
/// a site without Atoll's `public/` still renders styled pages (as a Zola theme ships
/// its own `static/`).
pub type LayoutAsset = (&'static str, &'static [u8]);

impl Routes {
    /// A table of `routes`, earlier ones first among equally specific patterns.
    ///
    /// # Panics
    /// When two routes have one name or a pattern breaks the grammar: the table is the
    /// site's code, and such a table must not start.
    pub fn new(routes: Vec<&'static dyn Route>) -> Routes {
        let mut ranked = Vec::new();
        for (i, route) in routes.iter().enumerate() {
            assert!(
                routes[..i].iter().all(|r| r.name() != route.name()),
                "two routes are named {:?}",
                route.name()
            );
            for pattern in route.patterns() {
                ranked.push((Pattern::parse(pattern), i));
            }
        }
        ranked.sort_by(|(a, i), (b, j)| a.rank().cmp(&b.rank()).then(i.cmp(j)));
        Routes {
            routes,
            ranked,
            templates: Vec::new(),
            assets: &[],
        }
    }

    /// This table with the files its layout references ([`LayoutAsset`]s), published
    /// by the export and answered by `atoll serve` unless the site's static folder has
    /// a file at the same path.
    pub fn layout_assets(mut self, assets: &'static [LayoutAsset]) -> Routes {
        self.assets = assets;
        self
    }

    /// The files the layout references ([`Routes::layout_assets`]).
    pub fn assets(&self) -> &'static [LayoutAsset] {
        self.assets
    }

    /// This table with template `name` (Zola `template`/`page_template`, Hugo
    /// `layout`/`type`, file extension optional: `"post.html"` = `"post"`) mapped to the
    /// route named `route`.
    ///
    /// # Panics
    /// When the table has no route named `route`.
    pub fn template(mut self, name: &'static str, route: &str) -> Routes {
        let index = self
            .routes
            .iter()
            .position(|r| r.name() == route)
            .unwrap_or_else(|| panic!("template {name:?}: no route named {route:?}"));
        self.templates.push((name, index));
        self
    }

    /// The route template `name` maps to (`"page.html"` and `"page"` alike), if any.
    pub fn for_template(&self, name: &str) -> Option<&'static dyn Route> {
        let bare = name.strip_suffix(".html").unwrap_or(name);
        self.templates
            .iter()
            .find(|(t, _)| t.strip_suffix(".html").unwrap_or(t) == bare)
            .map(|&(_, i)| self.routes[i])
    }

    /// The route named `name`.
    pub fn get(&self, name: &str) -> Option<&'static dyn Route> {
        self.routes.iter().copied().find(|r| r.name() == name)
    }

    /// The routes, in table order.
    pub fn iter(&self) -> impl Iterator<Item = &'static dyn Route> + '_ {
        self.routes.iter().copied()
    }

    /// Every page of `site`, route by route in table order, each route's pages in its
    /// [`Route::paths`] order.
    pub fn pages(&self, site: &Site) -> Vec<PagePath> {
        let mut pages = Vec::new();
        for &route in &self.routes {
            pages.extend(
                route
                    .paths(site)
                    .into_iter()
                    .filter_map(|params| PagePath::new(route, params)),
            );
        }
        pages
    }

    /// The page at `path` in `site` (with or without the trailing slash): an owned
    /// concrete path first, then the most specific pattern whose page exists.
    pub fn resolve(&self, site: &Site, path: &str) -> Option<PagePath> {
        for &route in &self.routes {
            if let Some(params) = route.owns(site, path) {
                return PagePath::new(route, params);
            }
        }
        self.ranked.iter().find_map(|(pattern, i)| {
            let route = self.routes[*i];
            let params = pattern.matches(path)?;
            if !route.exists(site, &params) {
                return None;
            }
            let path = pattern.fill(&params)?;
            Some(PagePath {
                route,
                params,
                path,
            })
        })
    }

    /// The fallback of the route whose most specific pattern has the shape of `path`,
    /// whether or not its entry exists yet (`/posts/<slug>/` is a post whatever the
    /// slug); `NotFound` when no pattern has it. Paths with a dot in their last segment
    /// are files, never pages.
    pub fn fallback_of(&self, path: &str) -> Fallback {
        let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        if last.contains('.') {
            return Fallback::NotFound;
        }
        self.ranked
            .iter()
            .find(|(pattern, _)| pattern.matches(path).is_some())
            .map_or(Fallback::NotFound, |(_, i)| self.routes[*i].fallback())
    }
}

impl fmt::Debug for Routes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.routes.iter().map(|r| r.name()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_and_fill() {
        let post = Pattern::parse("/posts/{slug}/");
        assert_eq!(
            post.matches("/posts/hello/"),
            Some(Params::new().with("slug", "hello"))
        );
        assert_eq!(
            post.matches("/posts/hello"),
            Some(Params::new().with("slug", "hello"))
        );
        assert_eq!(post.matches("/posts/"), None);
        assert_eq!(post.matches("/posts/a/b/"), None);
        assert_eq!(
            post.fill(&Params::new().with("slug", "x")).as_deref(),
            Some("/posts/x/")
        );
        assert_eq!(post.fill(&Params::new()), None);
        let docs = Pattern::parse("/docs/{..path}/");
        assert_eq!(docs.matches("/docs/"), Some(Params::new().with("path", "")));
        assert_eq!(
            docs.matches("/docs/a/b/"),
            Some(Params::new().with("path", "a/b"))
        );
        assert_eq!(
            docs.fill(&Params::new().with("path", "")).as_deref(),
            Some("/docs/")
        );
        let home = Pattern::parse("/");
        assert_eq!(home.matches("/"), Some(Params::new()));
        assert_eq!(home.matches("/x/"), None);
        assert_eq!(home.fill(&Params::new()).as_deref(), Some("/"));
    }

    #[test]
    fn malformed_patterns_are_named() {
        for bad in ["posts/", "/posts", "/a//b/", "/{..rest}/x/", "/a{b}/"] {
            let err = Pattern::try_parse(bad).unwrap_err();
            assert_eq!(err.pattern, bad);
            assert!(err.to_string().contains(bad));
        }
    }

    #[test]
    fn literals_beat_params_beat_rest() {
        let mut patterns = [
            Pattern::parse("/{..rest}/"),
            Pattern::parse("/{slug}/"),
            Pattern::parse("/search/"),
            Pattern::parse("/posts/{slug}/"),
            Pattern::parse("/posts/page/{page}/"),
        ];
        patterns.sort_by_key(Pattern::rank);
        let order: Vec<&str> = patterns.iter().map(Pattern::as_str).collect();
        assert_eq!(
            order,
            [
                "/posts/page/{page}/",
                "/posts/{slug}/",
                "/search/",
                "/{slug}/",
                "/{..rest}/"
            ]
        );
    }

    #[test]
    fn page_numbers_are_canonical() {
        assert_eq!(Params::new().page(), Some(1));
        assert_eq!(Params::new().with("page", "2").page(), Some(2));
        for bad in ["1", "02", "x", "0"] {
            assert_eq!(Params::new().with("page", bad).page(), None, "{bad}");
        }
        assert_eq!(Params::new().paginated(1), Params::new());
    }
}

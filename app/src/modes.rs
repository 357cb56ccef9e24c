//! How the production server renders each route: the route table's render modes.
//!
//! The names and semantics follow Next.js: `Static` pages are pre-rendered (at export
//! and at server start), `Isr` pages are incremental static regeneration with a
//! `revalidate` time in seconds (served from cache, regenerated in the background once
//! stale), `Ssr` pages render for every request. A path whose entry was not known when
//! the cache was filled (a post added while the server runs) follows the route's
//! [`Fallback`], as `getStaticPaths`' `fallback: 'blocking'` or `false` does.

/// How a route is rendered by `atoll serve`. The static export pre-renders every
/// `Static` and `Isr` route and leaves `Ssr` routes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RenderMode {
    /// Rendered once, when the server starts (and by the export); replaced only by an
    /// on-demand revalidation (webhook). `Cache-Control: public, max-age=0,
    /// s-maxage=31536000`.
    Static,
    /// Incremental static regeneration: the cached page is served; once it is older than
    /// `revalidate` seconds it is served stale while one background render replaces it
    /// (stale-while-revalidate, Next.js `revalidate`).
    Isr {
        /// Seconds a rendered page counts as fresh.
        revalidate: u32,
    },
    /// Rendered for every request, never cached (`private, no-cache, no-store`).
    Ssr,
}

impl RenderMode {
    /// Seconds a cached page stays fresh: `None` for `Static` (until revalidated on
    /// demand) and `Ssr` (never cached).
    pub fn revalidate(self) -> Option<u32> {
        match self {
            RenderMode::Isr { revalidate } => Some(revalidate),
            RenderMode::Static | RenderMode::Ssr => None,
        }
    }
}

/// What the server does for a path of a route family (`/posts/<slug>/`) whose entry it
/// does not know yet: Next.js `fallback: false` (`NotFound`) or `'blocking'`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fallback {
    /// 404 without looking again.
    NotFound,
    /// Reload the content, render the page during the request if the entry now exists,
    /// then cache it like the route's pre-rendered pages.
    Blocking,
}

/// Seconds posts and the lists of posts (home, blog, tags, feed, sitemap) stay fresh.
pub const POSTS_REVALIDATE: u32 = 60;
/// Seconds product pages (which show the stock) stay fresh.
pub const PRODUCTS_REVALIDATE: u32 = 30;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_isr_has_a_revalidate_time() {
        assert_eq!(RenderMode::Static.revalidate(), None);
        assert_eq!(RenderMode::Ssr.revalidate(), None);
        assert_eq!(RenderMode::Isr { revalidate: 60 }.revalidate(), Some(60));
    }
}

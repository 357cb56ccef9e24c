//! How the production server renders each route: the route table's render modes.
//!
//! The names and semantics follow Next.js: `Static` pages are pre-rendered (at export
//! and at server start), `Isr` pages are incremental static regeneration with a
//! `revalidate` time in seconds (served from cache, regenerated in the background once
//! stale), `Ssr` pages render for every request. A path whose entry was not known when
//! the cache was filled (a post added while the server runs) follows the route's
//! [`Fallback`], as `getStaticPaths`' `fallback: 'blocking'` or `false` does.

use crate::routes::Route;

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

impl Route {
    /// The route table's render mode of this route:
    ///
    /// | route | mode |
    /// |---|---|
    /// | home, blog pages, posts, tags, tag pages | `Isr { revalidate: 60 }` |
    /// | products, product pages | `Isr { revalidate: 30 }` |
    /// | `/status/` | `Ssr` |
    /// | docs, standalone pages, search, cart, contact, 404 | `Static` |
    pub fn mode(&self) -> RenderMode {
        match self {
            Route::Home | Route::Blog { .. } | Route::Post(_) | Route::Tags | Route::Tag { .. } => {
                RenderMode::Isr {
                    revalidate: POSTS_REVALIDATE,
                }
            }
            Route::Products | Route::Product(_) => RenderMode::Isr {
                revalidate: PRODUCTS_REVALIDATE,
            },
            Route::Status => RenderMode::Ssr,
            Route::Doc(_)
            | Route::Page(_)
            | Route::Search
            | Route::Cart
            | Route::Contact
            | Route::ContactThanks
            | Route::NotFound => RenderMode::Static,
        }
    }

    /// The route table's fallback for a path of this route's family that the server
    /// has not rendered yet: `Blocking` for entries that can appear while the server
    /// runs (posts, tags, blog pages, docs, pages, products), `NotFound` for the rest.
    pub fn fallback(&self) -> Fallback {
        match self {
            Route::Blog { .. }
            | Route::Post(_)
            | Route::Tag { .. }
            | Route::Doc(_)
            | Route::Page(_)
            | Route::Product(_) => Fallback::Blocking,
            _ => Fallback::NotFound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_table() {
        assert_eq!(
            Route::Post("x".into()).mode(),
            RenderMode::Isr { revalidate: 60 }
        );
        assert_eq!(
            Route::Product("x".into()).mode(),
            RenderMode::Isr { revalidate: 30 }
        );
        assert_eq!(Route::Status.mode(), RenderMode::Ssr);
        assert_eq!(Route::Doc("/docs/".into()).mode(), RenderMode::Static);
        assert_eq!(Route::Post("x".into()).fallback(), Fallback::Blocking);
        assert_eq!(Route::Search.fallback(), Fallback::NotFound);
        assert_eq!(RenderMode::Static.revalidate(), None);
        assert_eq!(Route::Home.mode().revalidate(), Some(60));
    }
}

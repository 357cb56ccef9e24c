//! Atoll's server: `atoll serve` as a library (the `atoll-serve` crate). It sits on top
//! of `atoll-content` and `atoll-render` (never the export), which it re-exports under
//! their old paths (`content`, `feed`, `sitemap`).
//!
//! * [`content::load`]: Markdown + front matter, product JSON, `site.toml` →
//!   [`app::Site`] (with [`content::load_with_cache`] for incremental exports).
//! * [`targets::Target`]: what a path renders (a route, the feed, a sitemap), and
//!   [`isr::PageCache`]: the rendered pages, kept fresh per route (static, ISR, SSR).
//! * [`export::export_with_progress`]: writes a site to a folder any static host can
//!   serve: fingerprinted, minified, precompressed, link-checked, atomic, incremental.
//! * [`router`]: the axum `Router` serving the pre-rendered pages, `public/`, the islands
//!   bundle and the JSON API; tests drive it with `tower::ServiceExt::oneshot`.
#![deny(missing_docs)]

mod api;
pub mod cluster;
pub mod cms;
pub mod dev;
pub mod error;
pub mod images;
pub mod isr;
pub mod listen;
pub mod outbox;
pub mod purge;
mod serve;
pub mod snapshot;
mod state;
pub mod store;
pub mod targets;
pub mod webhook;

pub use api::revalidate::signed_headers;
/// Content loading: the `atoll-content` crate.
pub use atoll_content as content;
/// The user's cache folder (`~/.cache/atoll`), where images go without `--cache-dir`.
pub use atoll_images::default_cache_dir;
pub use atoll_render::bundle::{check_islands_bundle, ISLANDS_FILES};
use atoll_render::page as pages;
/// The Atom feed and the sitemaps: from the `atoll-render` crate.
pub use atoll_render::{feed, sitemap};
pub use pages::Page;
pub use serve::{
    build_id, cache_control, router, warm, AppState, Dirs, Rendering, Revalidation, Services,
    CACHE_HEADER, NO_STORE, STATIC_CACHE,
};

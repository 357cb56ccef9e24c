//! Atoll's pages, layout and route table, rendered to HTML strings on the server.
//!
//! The content model ([`Site`], [`Post`]) is plain data filled by the server's content
//! loader; [`routes`] lists every page of a site; [`render`] turns one [`Route`] into a
//! complete HTML document. The same function serves the static export and the server.
//!
//! A page whose body contains no island gets no `<script>` at all: the islands loader is
//! added to the `<head>` only when the rendered body holds a `<leptos-island>`.
#![deny(missing_docs)]

pub mod cache_tags;
mod hydration;
mod inputs;
mod layout;
mod model;
mod modes;
mod pages;
mod render;
mod routes;
mod seo;

pub use hydration::{hydrate, Hydrate};
pub use inputs::Inputs;
pub use model::{
    tag_slug, AnchorLinks, Doc, Extra, Heading, MenuItem, Page, Post, Product, Site, SiteConfig,
    Tag, RESERVED_SLUGS,
};
pub use modes::{Fallback, RenderMode, POSTS_REVALIDATE, PRODUCTS_REVALIDATE};
pub use pages::StatusInfo;
pub use render::{
    island_end, render, render_contact_form, render_product, render_status, RenderedPage,
    ISLANDS_JS, ISLANDS_LOADER, ISLANDS_WASM, ISLAND_TAG, PKG_PATH, SEARCH_JS, SEARCH_WASM,
};
pub use routes::{routes, Route};

//! Atoll's pages, layout and route table, rendered to HTML strings on the server.
//!
//! The content model ([`Site`], [`Post`]) is plain data filled by the server's content
//! loader. Each page type is a [`Route`] in `pages/`; [`routes`] is the table of them,
//! which the export, the ISR cache, the sitemap and the dev site walk; [`render`] turns
//! one [`PagePath`] into a complete HTML document, recording what it read ([`ReadSet`]).
//! The same function serves the static export and the server.
//!
//! A page whose body contains no island gets no `<script>` at all: the islands loader is
//! added to the `<head>` only when the rendered body holds a `<leptos-island>`.
#![deny(missing_docs)]

pub mod cache_tags;
mod hydration;
pub mod images;
mod layout;
mod model;
mod modes;
pub mod pages;
mod reads;
mod render;
pub mod route;
mod routes;
mod seo;
pub mod urls;

pub use hydration::{
    bundle_files, bundle_for, island_end, ISLANDS_JS, ISLANDS_LOADER, ISLANDS_WASM, ISLAND_TAG,
    PKG_PATH, SEARCH_JS, SEARCH_WASM,
};
pub use hydration::{hydrate, Hydrate};
pub use images::{Image, ImageInfo, ImageVariant, ResponsiveImage};
/// The islands bundles: the one of every island and one per group of islands.
pub use islands::{ALL_BUNDLE, BUNDLES as ISLAND_BUNDLES};
pub use layout::PageMeta;
pub use model::{
    last_change, tag_slug, AnchorLinks, BlogSettings, Doc, Extra, Flavor, Heading, ImageFormat,
    ImageSettings, LinkCheck, MenuItem, Page, Post, Product, Section, Sections, Site, SiteConfig,
    SortBy, Tag, Taxonomy, RESERVED_SLUGS,
};
pub use modes::{Fallback, RenderMode, POSTS_REVALIDATE, PRODUCTS_REVALIDATE};
pub use reads::{combine, Body, Cx, Dep, Facet, Kind, List, Live, ReadSet, StatusInfo};
pub use render::{render, render_contact_form, render_in, RenderedPage};
pub use route::{LayoutAsset, PagePath, Params, Route, Routes, Sitemap};
pub use routes::routes;

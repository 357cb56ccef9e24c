//! Atoll's islands: the only crate compiled to WebAssembly.
//!
//! * [`api`]: the JSON request/response types of Atoll's HTTP API, shared by the
//!   islands (which call it with `fetch`) and the axum handlers (which answer it),
//!   so a contract change fails to compile on both sides.
//! * [`search`]: the full-text search index (BM25F over title, summary and body). Pure
//!   Rust with no I/O, so the same ranking can run on the server and in the browser.
//! * [`cart`]: the cart the shop islands share, in `localStorage`.
//! * The `#[island]` components ([`SearchBox`], [`BuyBox`], [`AddToCart`],
//!   [`CartIcon`], [`CartPage`], [`ContactForm`]): rendered to HTML on the server
//!   (feature `ssr`), hydrated in the browser (feature `hydrate`).
//!
//! With the feature `search-engine` instead of `hydrate`, the crate builds the search
//! engine module (`engine`): the static index searched in the browser, a separate
//! WASM file loaded only on static hosts.
//!
//! The browser entry point is `hydrate()`, called by Atoll's islands loader
//! (`islands/loader.js`) once the bundle is instantiated.
#![deny(missing_docs)]

pub mod api;
#[cfg(not(feature = "search-engine"))]
pub mod cart;
#[cfg(not(feature = "search-engine"))]
mod contact;
#[cfg(feature = "search-engine")]
mod engine;
mod net;
pub mod search;
#[cfg(not(feature = "search-engine"))]
mod search_box;
#[cfg(not(feature = "search-engine"))]
mod shop;

// The search engine build has no islands: nothing of Leptos ends up in its module.
#[cfg(not(feature = "search-engine"))]
pub use contact::ContactForm;
#[cfg(not(feature = "search-engine"))]
pub use search_box::SearchBox;
#[cfg(not(feature = "search-engine"))]
pub use shop::{AddToCart, BuyBox, CartIcon, CartPage};

/// Browser entry point: installs the panic hook and prepares islands hydration.
///
/// Called once by `loader.js` after `islands_bg.wasm` is instantiated; the loader
/// then calls the exported hydrate function of every `<leptos-island>` on the page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Panic messages in the console in debug builds; release builds leave the
    // formatting code out of the bundle (a panic still aborts with a stack trace).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

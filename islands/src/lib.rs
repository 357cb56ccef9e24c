//! Atoll's islands: the only crate compiled to WebAssembly.
//!
//! The JSON API they call is the `atoll-api` crate (shared with the server, so a
//! contract change fails to compile on both sides); the search engine module they load
//! on static hosts is the `atoll-search` crate, a WASM file of its own.
//!
//! * [`cart`]: the cart the shop islands share, in `localStorage`.
//! * The `#[island]` components ([`SearchBox`], [`BuyBox`], [`AddToCart`],
//!   [`CartIcon`], [`CartPage`], [`ContactForm`]): rendered to HTML on the server
//!   (feature `ssr`), hydrated in the browser (feature `hydrate`).
//!
//! The browser entry point is `hydrate()`, called by Atoll's islands loader
//! (`islands/loader.js`) once the bundle is instantiated.
#![deny(missing_docs)]

pub mod cart;
mod contact;
mod search_box;
mod shop;

/// The API contract the islands call (the `atoll-api` crate).
pub use atoll_api as api;
pub use contact::ContactForm;
pub use search_box::SearchBox;
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

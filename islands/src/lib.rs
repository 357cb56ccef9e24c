//! Atoll's islands: the only crate compiled to WebAssembly.
//!
//! * [`api`]: the JSON request/response types of Atoll's HTTP API, shared by the
//!   islands (which call it with `gloo-net`) and the axum handlers (which answer it),
//!   so a contract change fails to compile on both sides.
//! * [`search`]: the full-text search index (BM25F over title, summary and body). Pure
//!   Rust with no I/O, so the same ranking can run on the server and in the browser.
//! * The `#[island]` components ([`SearchBox`]): rendered to HTML on the server
//!   (feature `ssr`), hydrated in the browser (feature `hydrate`).
//!
//! The browser entry point is `hydrate()`, called by Atoll's islands loader
//! (`islands/loader.js`) once the bundle is instantiated.
#![deny(missing_docs)]

pub mod api;
pub mod search;
mod search_box;

pub use search_box::SearchBox;

/// Browser entry point: installs the panic hook and prepares islands hydration.
///
/// Called once by `loader.js` after `islands_bg.wasm` is instantiated; the loader
/// then calls the exported hydrate function of every `<leptos-island>` on the page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

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
//!
//! ## Bundles
//!
//! Each group of islands is a cargo feature (`search`, `product`, `cart`, `contact`;
//! `all` for every one), and `scripts/build-islands` builds one WASM bundle per group
//! ([`BUNDLES`]) besides the bundle of all of them: a page loads the bundle of the one
//! group that holds all its islands, so the search page does not download the
//! storefront. The server (feature `ssr`) renders every island.
#![deny(missing_docs)]

#[cfg(any(feature = "product", feature = "cart"))]
pub mod cart;
#[cfg(feature = "cart")]
mod cart_page;
#[cfg(feature = "contact")]
mod contact;
#[cfg(feature = "product")]
mod product;
#[cfg(feature = "search")]
mod search_box;
#[cfg(any(feature = "product", feature = "cart"))]
mod shop;

/// The API contract the islands call (the `atoll-api` crate).
pub use atoll_api as api;
#[cfg(feature = "cart")]
pub use cart_page::CartPage;
#[cfg(feature = "contact")]
pub use contact::ContactForm;
#[cfg(feature = "product")]
pub use product::{AddToCart, BuyBox};
#[cfg(feature = "search")]
pub use search_box::SearchBox;
#[cfg(any(feature = "product", feature = "cart"))]
pub use shop::CartIcon;

/// The bundle with every island (`islands.js` + `islands_bg.wasm`): pages whose islands
/// span groups load it, and so does the dev loop, which builds only this one (Trunk).
pub const ALL_BUNDLE: &str = "islands";

/// One bundle per group of islands: `(name, islands)`. `scripts/build-islands` builds
/// `<name>.js` + `<name>_bg.wasm` with the cargo feature named after the part of
/// `name` after `islands-`; the names of the islands are those of their components.
/// A page uses the first bundle that holds all its islands, else [`ALL_BUNDLE`].
pub const BUNDLES: &[(&str, &[&str])] = &[
    ("islands-search", &["SearchBox"]),
    ("islands-product", &["BuyBox", "AddToCart", "CartIcon"]),
    ("islands-cart", &["CartPage", "CartIcon"]),
    ("islands-contact", &["ContactForm"]),
];

/// Escapes text for HTML content and double-quoted attribute values.
#[cfg(any(feature = "search", feature = "cart", feature = "contact"))]
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

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

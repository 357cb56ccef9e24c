//! When an island hydrates: Astro's client directives, per island instance.
//!
//! An island placed with [`hydrate`] is wrapped in `<atoll-hydrate client="…">` (styled
//! `display: contents`, so layout is unaffected). The islands loader reads the directive
//! and downloads the islands bundle only when the first island of the page needs it:
//!
//! | directive | hydrates | like Astro's |
//! |---|---|---|
//! | `load` (default, also for islands placed without [`hydrate`]) | at once | `client:load` |
//! | `idle` | when the main thread is idle (`requestIdleCallback`, at most 2 s later) | `client:idle` |
//! | `visible` | when the island enters the viewport (`IntersectionObserver`) | `client:visible` |
//! | `media` | when the media query matches (at once, or on the first change that makes it match) | `client:media` |
//!
//! When wrappers nest, the innermost one decides (the loader reads the closest
//! `<atoll-hydrate>` around an island).
//!
//! The page preloads the bundle (`modulepreload` + `preload`) only when it holds an
//! island hydrated at load; a page with only lazy islands loads nothing but the 0.7 KB
//! loader until one of them wakes up.

use leptos::prelude::*;

/// URL folder of the islands bundle (Trunk's output, copied by the export).
pub const PKG_PATH: &str = "/pkg/";
/// The wasm-bindgen JS glue of the islands bundle.
pub const ISLANDS_JS: &str = "/pkg/islands.js";
/// The islands WebAssembly module.
pub const ISLANDS_WASM: &str = "/pkg/islands_bg.wasm";
/// The search engine module's JS glue (the static index searched in WASM).
pub const SEARCH_JS: &str = "/pkg/search.js";
/// The search engine WebAssembly module.
pub const SEARCH_WASM: &str = "/pkg/search_bg.wasm";
/// Atoll's islands loader (`islands/loader.js`): instantiates the bundle and hydrates
/// every `<leptos-island>` of the page.
pub const ISLANDS_LOADER: &str = "/pkg/loader.js";

/// The islands bundle a page whose body is `body` loads: the first of the site's
/// group bundles ([`Site::island_bundles`](crate::Site::island_bundles), in
/// [`islands::BUNDLES`] order) that holds every island of the page, nested ones
/// included; else the bundle of all islands ([`islands::ALL_BUNDLE`]). An island is
/// known by its component name (`SearchBox` in `data-component="SearchBox_1923…"`).
pub fn bundle_for(body: &str, available: &[String]) -> &'static str {
    let mut components: Vec<&str> = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find(ISLAND_TAG) {
        rest = &rest[at + ISLAND_TAG.len()..];
        let name = &rest[..rest.find('"').unwrap_or(rest.len())];
        // Leptos appends a hash of the definition: `SearchBox_1923605440275369806`.
        let name = name.rsplit_once('_').map_or(name, |(name, _)| name);
        if !components.contains(&name) {
            components.push(name);
        }
    }
    islands::BUNDLES
        .iter()
        .filter(|(bundle, _)| available.iter().any(|a| a == bundle))
        .find(|(_, held)| components.iter().all(|c| held.contains(c)))
        .map_or(islands::ALL_BUNDLE, |(bundle, _)| bundle)
}

/// The JS glue and the WebAssembly module of the islands bundle `bundle`
/// ([`bundle_for`]): `/pkg/<bundle>.js`, `/pkg/<bundle>_bg.wasm`.
pub fn bundle_files(bundle: &str) -> (String, String) {
    (
        format!("{PKG_PATH}{bundle}.js"),
        format!("{PKG_PATH}{bundle}_bg.wasm"),
    )
}

/// The opening tag Leptos renders for every island. Its first attribute is matched too:
/// a Markdown attribute value cannot contain it (ammonia escapes the `"`), so text such
/// as `title="<leptos-island"` does not count as an island.
pub const ISLAND_TAG: &str = "<leptos-island data-component=\"";

/// The closing tag of an island.
const ISLAND_CLOSE: &str = "</leptos-island>";

/// Length of the island element that `html` starts with (at an [`ISLAND_TAG`]), nested
/// islands included; `None` when it is not closed.
pub fn island_end(html: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = 0;
    loop {
        let close = html[at..].find(ISLAND_CLOSE)? + at;
        let open = html[at + 1..].find(ISLAND_TAG).map(|i| i + at + 1);
        match open {
            Some(open) if open < close => {
                depth += 1;
                at = open;
            }
            _ if depth > 0 => {
                depth -= 1;
                at = close + 1;
            }
            _ => return Some(close + ISLAND_CLOSE.len()),
        }
    }
}

/// The opening of a wrapper that delays hydration (any directive but `load`).
pub(crate) const LAZY_TAGS: [&str; 3] = [
    "<atoll-hydrate client=\"idle\"",
    "<atoll-hydrate client=\"visible\"",
    "<atoll-hydrate client=\"media\"",
];

/// The closing tag of a wrapper.
pub(crate) const WRAPPER_CLOSE: &str = "</atoll-hydrate>";

/// When an island hydrates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hydrate {
    /// At once, when the page loads.
    Load,
    /// When the browser is idle.
    Idle,
    /// When the island scrolls into view.
    Visible,
    /// When the media query (e.g. `(max-width: 50em)`) matches.
    Media(String),
}

impl Hydrate {
    fn directive(&self) -> &'static str {
        match self {
            Hydrate::Load => "load",
            Hydrate::Idle => "idle",
            Hydrate::Visible => "visible",
            Hydrate::Media(_) => "media",
        }
    }
}

/// Places `island` (an `#[island]` component's view) to hydrate `when`.
/// Returns an `AnyView` (type-erased): page views stay shallow for the compiler.
pub fn hydrate(when: Hydrate, island: impl IntoView + 'static) -> AnyView {
    let media = match &when {
        Hydrate::Media(query) => Some(query.clone()),
        _ => None,
    };
    leptos::html::custom("atoll-hydrate")
        .attr("client", when.directive())
        .attr("media", media)
        .child(island)
        .into_any()
}

/// Whether `body` holds a top-level island that hydrates at load: one whose innermost
/// wrapper is not lazy (or that has none), as the loader decides. Nested islands
/// hydrate with their parent and do not count.
pub(crate) fn has_eager_island(body: &str, island_tag: &str) -> bool {
    const OPEN: &str = "<atoll-hydrate";
    // The directives of the wrappers open at the current position, innermost last.
    let mut open: Vec<bool> = Vec::new();
    let mut at = 0;
    loop {
        let next = [
            body[at..].find(OPEN),
            body[at..].find(WRAPPER_CLOSE),
            body[at..].find(island_tag),
        ];
        let Some((which, offset)) = next
            .iter()
            .enumerate()
            .filter_map(|(i, found)| found.map(|f| (i, f)))
            .min_by_key(|(_, f)| *f)
        else {
            return false;
        };
        let here = at + offset;
        match which {
            0 => {
                let lazy = LAZY_TAGS.iter().any(|tag| body[here..].starts_with(tag));
                open.push(lazy);
            }
            1 => {
                open.pop();
            }
            _ => {
                if !open.last().copied().unwrap_or(false) {
                    return true;
                }
                // Islands nested in this one hydrate with it (the loader walks only
                // top-level islands): skip its content.
                if let Some(end) = island_end(&body[here..]) {
                    at = here + end;
                    continue;
                }
            }
        }
        at = here + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAG: &str = "<leptos-island data-component=\"";

    #[test]
    fn eager_islands_are_found_outside_lazy_wrappers() {
        let island = "<leptos-island data-component=\"X\"></leptos-island>";
        assert!(has_eager_island(island, TAG));
        let visible = format!("<atoll-hydrate client=\"visible\">{island}</atoll-hydrate>");
        assert!(!has_eager_island(&visible, TAG));
        let load = format!("<atoll-hydrate client=\"load\">{island}</atoll-hydrate>");
        assert!(has_eager_island(&load, TAG));
        assert!(has_eager_island(&format!("{visible}{island}"), TAG));
        // The innermost wrapper decides, as in the loader.
        let inner_load = format!(
            "<atoll-hydrate client=\"idle\"><atoll-hydrate client=\"load\">{island}</atoll-hydrate></atoll-hydrate>"
        );
        assert!(has_eager_island(&inner_load, TAG));
        let inner_lazy = format!(
            "<atoll-hydrate client=\"load\"><atoll-hydrate client=\"visible\">{island}</atoll-hydrate>{island}</atoll-hydrate>"
        );
        assert!(
            has_eager_island(&inner_lazy, TAG),
            "the second island is eager"
        );
        let all_lazy = format!(
            "<atoll-hydrate client=\"idle\"><atoll-hydrate client=\"media\" media=\"x\">{island}</atoll-hydrate>{island}</atoll-hydrate>"
        );
        assert!(!has_eager_island(&all_lazy, TAG));
        assert!(!has_eager_island("<p>no islands</p>", TAG));
        // A `load` island nested in a lazy one waits for its parent.
        let nested = format!(
            "<atoll-hydrate client=\"visible\"><leptos-island data-component=\"P\"><leptos-children><atoll-hydrate client=\"load\">{island}</atoll-hydrate></leptos-children></leptos-island></atoll-hydrate>"
        );
        assert!(!has_eager_island(&nested, TAG));
    }

    #[test]
    fn wrapper_renders_the_directive() {
        let html = Owner::new().with(|| {
            hydrate(
                Hydrate::Media("(max-width: 50em)".into()),
                view! { <p>"x"</p> },
            )
            .to_html()
        });
        assert_eq!(
            html,
            "<atoll-hydrate client=\"media\" media=\"(max-width: 50em)\"><p>x</p></atoll-hydrate>"
        );
        let html = Owner::new().with(|| hydrate(Hydrate::Idle, "y").to_html());
        assert_eq!(html, "<atoll-hydrate client=\"idle\">y</atoll-hydrate>");
    }
}

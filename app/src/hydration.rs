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
//! The page preloads the bundle (`modulepreload` + `preload`) only when it holds an
//! island hydrated at load; a page with only lazy islands loads nothing but the 0.6 KB
//! loader until one of them wakes up.

use leptos::prelude::*;

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

/// Whether `body` holds an island that hydrates at load: one outside every lazy
/// wrapper (wrappers may nest; an island inside any lazy one waits).
pub(crate) fn has_eager_island(body: &str, island_tag: &str) -> bool {
    let mut rest = body;
    loop {
        let lazy = LAZY_TAGS.iter().filter_map(|tag| rest.find(tag)).min();
        let island = rest.find(island_tag);
        match (island, lazy) {
            (None, _) => return false,
            (Some(i), Some(l)) if l < i => {
                // Skip the lazy wrapper, nested wrappers included.
                let mut depth = 0usize;
                let mut at = l + 1;
                loop {
                    let Some(close) = rest[at..].find(WRAPPER_CLOSE).map(|c| c + at) else {
                        return false;
                    };
                    let open = rest[at..].find("<atoll-hydrate").map(|o| o + at);
                    match open {
                        Some(open) if open < close => {
                            depth += 1;
                            at = open + 1;
                        }
                        _ if depth > 0 => {
                            depth -= 1;
                            at = close + 1;
                        }
                        _ => {
                            rest = &rest[close + WRAPPER_CLOSE.len()..];
                            break;
                        }
                    }
                }
            }
            (Some(_), _) => return true,
        }
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
        let nested = format!(
            "<atoll-hydrate client=\"idle\"><atoll-hydrate client=\"load\">{island}</atoll-hydrate>{island}</atoll-hydrate>"
        );
        assert!(!has_eager_island(&nested, TAG));
        assert!(has_eager_island(&format!("{nested}{island}"), TAG));
        assert!(!has_eager_island("<p>no islands</p>", TAG));
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

use islands::SearchBox;
use leptos::prelude::*;

use crate::layout::PageMeta;

/// Results per query shown by the search island.
const RESULTS: usize = 10;

/// `/search/`: the search island (the only page of the demo that ships WebAssembly).
pub fn search() -> (PageMeta, AnyView) {
    let view = view! {
        <h1>"Search"</h1>
        <SearchBox limit=RESULTS/>
        <noscript>
            <p>"Search needs JavaScript. Browse the " <a href="/posts/">"list of posts"</a> " instead."</p>
        </noscript>
    }
    .into_any();
    let description = "Search every post of the site.".to_owned();
    (
        PageMeta::new(Some("Search".into()), description, "/search/"),
        view,
    )
}

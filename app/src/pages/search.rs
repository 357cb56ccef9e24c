use islands::SearchBox;
use leptos::prelude::*;

use crate::layout::PageMeta;
use crate::model::Site;
use crate::reads::Cx;
use crate::route::{Params, Route};

/// Results per query shown by the search island.
const RESULTS: usize = 10;

/// `/search/`: the search island.
pub struct Search;

impl Route for Search {
    fn name(&self) -> &'static str {
        "search"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["/search/"]
    }

    fn paths(&self, _site: &Site) -> Vec<Params> {
        vec![Params::new()]
    }

    fn view(&self, _cx: &Cx, _params: &Params) -> Option<(PageMeta, AnyView)> {
        Some(search())
    }
}

/// `/search/`: the search island (the only page of the demo that ships WebAssembly).
fn search() -> (PageMeta, AnyView) {
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

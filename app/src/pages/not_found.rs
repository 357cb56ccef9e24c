use leptos::prelude::*;

use crate::layout::PageMeta;

/// The 404 page (`/404.html`), served with status 404 for every unknown path.
pub fn not_found() -> (PageMeta, AnyView) {
    let view = view! {
        <h1>"Page not found"</h1>
        <p>"There is no page at this address. It may have moved, or the link may be mistyped."</p>
        <ul>
            <li><a href="/">"Go to the home page"</a></li>
            <li><a href="/posts/">"Browse all posts"</a></li>
            <li><a href="/search/">"Search the site"</a></li>
        </ul>
    }
    .into_any();
    let mut meta = PageMeta::new(Some("Page not found".into()), String::new(), "/404.html");
    meta.indexable = false;
    (meta, view)
}

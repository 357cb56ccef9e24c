use leptos::prelude::*;

use crate::layout::PageMeta;
use crate::model::Site;
use crate::reads::Cx;
use crate::route::{Params, Route, Sitemap};

/// The 404 page, exported as `/404.html` (the name Netlify, Cloudflare Pages and GitHub
/// Pages look for) and answered with status 404.
pub struct NotFound;

impl Route for NotFound {
    fn name(&self) -> &'static str {
        "404"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &[]
    }

    fn status(&self) -> u16 {
        404
    }

    fn paths(&self, _site: &Site) -> Vec<Params> {
        vec![Params::new()]
    }

    fn owns(&self, _site: &Site, path: &str) -> Option<Params> {
        (path == "/404.html").then(Params::new)
    }

    fn path_of(&self, _params: &Params) -> Option<String> {
        Some("/404.html".to_owned())
    }

    fn view(&self, _cx: &Cx, _params: &Params) -> Option<(PageMeta, AnyView)> {
        Some(not_found())
    }

    fn sitemap(&self, _site: &Site, _params: &Params) -> Sitemap {
        Sitemap::Unlisted
    }
}

/// The 404 page (`/404.html`), served with status 404 for every unknown path.
fn not_found() -> (PageMeta, AnyView) {
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

use leptos::prelude::*;

use super::{post_list, single, POSTS_MODE};
use crate::layout::PageMeta;
use crate::model::Site;
use crate::modes::RenderMode;
use crate::reads::{Cx, Facet};
use crate::route::{Params, Route, Sitemap};
use crate::seo;

/// Number of posts on the home page.
pub(crate) const LATEST: usize = 5;

/// `/`: the site's introduction (on a Zola or Hugo site, the body of the content root's
/// `_index.md`) and its latest posts.
pub struct HomePage;

impl Route for HomePage {
    fn name(&self) -> &'static str {
        "home"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["/"]
    }

    fn mode(&self) -> RenderMode {
        POSTS_MODE
    }

    fn paths(&self, _site: &Site) -> Vec<Params> {
        single()
    }

    fn view(&self, cx: &Cx, _params: &Params) -> Option<(PageMeta, AnyView)> {
        Some(home(cx))
    }

    fn sitemap(&self, site: &Site, _params: &Params) -> Sitemap {
        Sitemap::Listed(site.posts.first().and_then(|p| p.last_modified()))
    }
}

fn home(cx: &Cx) -> (PageMeta, AnyView) {
    let config = cx.config();
    let latest = cx.posts(0..LATEST);
    let docs_url = format!("/{}/", slug::slugify(&config.sections.docs));
    let docs = cx.doc(&docs_url, Facet::Link).is_some();
    // A Zola site's root `_index.md` (its home page's text), when it has one.
    let intro = cx
        .section("/", Facet::Body)
        .map(|root| cx.body(root))
        .filter(|html| !html.is_empty())
        .map(|html| super::prose(cx.site(), html, "/"));
    let view = view! {
        <section class="hero">
            <h1>{config.title.clone()}</h1>
            <p class="lead">{config.description.clone()}</p>
            {intro}
            <p>
                <a class="button" href="/posts/">"Read the blog"</a>
                " "
                {docs.then(|| view! { <a class="button secondary" href=docs_url>"Read the docs"</a> " " })}
                <a class="button secondary" href="/search/">"Search"</a>
            </p>
        </section>
        <section aria-labelledby="latest-heading">
            <h2 id="latest-heading">"Latest posts"</h2>
            {post_list(latest)}
            <p><a href="/posts/">"All posts →"</a></p>
        </section>
    }
    .into_any();
    let mut meta = PageMeta::new(None, String::new(), "/");
    meta.json_ld.push(seo::website(cx.site()));
    (meta, view)
}

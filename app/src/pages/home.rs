use leptos::prelude::*;

use super::post_list;
use crate::layout::PageMeta;
use crate::model::Site;
use crate::seo;

/// Number of posts on the home page.
pub(crate) const LATEST: usize = 5;

/// `/`: the site's introduction and its latest posts.
pub fn home(site: &Site) -> (PageMeta, AnyView) {
    let config = &site.config;
    let latest: Vec<usize> = (0..site.posts.len().min(LATEST)).collect();
    let docs = site.doc("/docs/").is_some();
    let view = view! {
        <section class="hero">
            <h1>{config.title.clone()}</h1>
            <p class="lead">{config.description.clone()}</p>
            <p>
                <a class="button" href="/posts/">"Read the blog"</a>
                " "
                {docs.then(|| view! { <a class="button secondary" href="/docs/">"Read the docs"</a> " " })}
                <a class="button secondary" href="/search/">"Search"</a>
            </p>
        </section>
        <section aria-labelledby="latest-heading">
            <h2 id="latest-heading">"Latest posts"</h2>
            {post_list(site, &latest)}
            <p><a href="/posts/">"All posts →"</a></p>
        </section>
    }
    .into_any();
    let mut meta = PageMeta::new(None, String::new(), "/");
    meta.json_ld.push(seo::website(site));
    (meta, view)
}

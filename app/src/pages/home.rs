use leptos::prelude::*;

use super::PostCard;
use crate::layout::{PageMeta, Section};
use crate::model::Site;
use crate::render::meta;

/// Number of posts on the home page.
const LATEST: usize = 5;

/// `/`: the site's introduction and its latest posts.
pub fn home(site: &Site) -> (PageMeta, AnyView) {
    let config = &site.config;
    let latest: Vec<_> = site.posts.iter().take(LATEST).cloned().collect();
    let view = view! {
        <section class="hero">
            <h1>{config.title.clone()}</h1>
            <p class="lead">{config.description.clone()}</p>
            <p><a class="button" href="/posts/">"Read the blog"</a> " " <a class="button secondary" href="/search/">"Search"</a></p>
        </section>
        <section aria-labelledby="latest-heading">
            <h2 id="latest-heading">"Latest posts"</h2>
            <ul class="post-list">
                {latest.into_iter().map(|post| view! { <PostCard post/> }).collect_view()}
            </ul>
            <p><a href="/posts/">"All posts →"</a></p>
        </section>
    }
    .into_any();
    (
        meta(None, String::new(), Some("/".into()), Section::Home),
        view,
    )
}

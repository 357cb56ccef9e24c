use leptos::prelude::*;

use crate::layout::PageMeta;
use crate::model::Site;

/// `/tags/`: every tag, alphabetically, with its number of posts.
pub fn tags(site: &Site) -> (PageMeta, AnyView) {
    let items = site
        .tags
        .iter()
        .map(|tag| {
            let count = tag.posts.len();
            let label = if count == 1 { "post" } else { "posts" };
            view! {
                <li><a href=tag.url() rel="tag">{tag.name.clone()}</a> " " <span class="count">{format!("({count} {label})")}</span></li>
            }
        })
        .collect_view();
    let count = site.tags.len();
    let view = view! {
        <h1>"Tags"</h1>
        <p class="lead">{format!("{count} tags.")}</p>
        <ul class="tag-list">{items}</ul>
    }
    .into_any();
    let meta = PageMeta::new(
        Some("Tags".into()),
        format!("Every tag of {}.", site.config.title),
        "/tags/",
    );
    (meta, view)
}

use leptos::prelude::*;

use super::PostCard;
use crate::layout::{PageMeta, Section};
use crate::model::Site;
use crate::render::meta;

/// `/posts/`: every post, newest first.
pub fn blog(site: &Site) -> (PageMeta, AnyView) {
    let posts = site.posts.clone();
    let count = posts.len();
    let view = view! {
        <h1>"Blog"</h1>
        <p class="lead">{format!("{count} posts, newest first.")}</p>
        <ul class="post-list">
            {posts.into_iter().map(|post| view! { <PostCard post/> }).collect_view()}
        </ul>
    }
    .into_any();
    let description = format!("All {count} posts of {}.", site.config.title);
    (
        meta(
            Some("Blog".into()),
            description,
            Some("/posts/".into()),
            Section::Blog,
        ),
        view,
    )
}

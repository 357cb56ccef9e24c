use leptos::prelude::*;

use super::{single, POSTS_MODE};
use crate::layout::PageMeta;
use crate::model::Site;
use crate::modes::RenderMode;
use crate::reads::Cx;
use crate::route::{Params, Route};

/// `/tags/`: every tag with its number of posts.
pub struct TagIndex;

impl Route for TagIndex {
    fn name(&self) -> &'static str {
        "tag index"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["/tags/"]
    }

    fn mode(&self) -> RenderMode {
        POSTS_MODE
    }

    fn paths(&self, _site: &Site) -> Vec<Params> {
        single()
    }

    fn view(&self, cx: &Cx, _params: &Params) -> Option<(PageMeta, AnyView)> {
        Some(tags(cx))
    }
}

/// `/tags/`: every tag, alphabetically, with its number of posts.
fn tags(cx: &Cx) -> (PageMeta, AnyView) {
    let all: Vec<&crate::model::Tag> = cx
        .tags()
        .iter()
        .filter(|t| t.taxonomy() == "tags")
        .collect();
    let items = term_items(&all, Some("tag"));
    let count = all.len();
    let view = view! {
        <h1>"Tags"</h1>
        <p class="lead">{format!("{count} tags.")}</p>
        <ul class="tag-list">{items}</ul>
    }
    .into_any();
    let meta = PageMeta::new(
        Some("Tags".into()),
        format!("Every tag of {}.", cx.config().title),
        "/tags/",
    );
    (meta, view)
}

/// The terms as list items with their post counts (`rel="tag"` for tags).
pub(super) fn term_items(terms: &[&crate::model::Tag], rel: Option<&'static str>) -> impl IntoView {
    terms
        .iter()
        .map(|term| {
            let count = term.posts.len();
            let label = if count == 1 { "post" } else { "posts" };
            view! {
                <li><a href=term.url() rel=rel>{term.name.clone()}</a> " " <span class="count">{format!("({count} {label})")}</span></li>
            }
        })
        .collect_view()
}

//! One page per file. Each returns its [`PageMeta`] and its view (the inside of `<main>`).

mod blog;
mod home;
mod not_found;
mod post;
mod search;

pub use blog::blog;
pub use home::home;
pub use not_found::not_found;
pub use post::post;
pub use search::search;

use chrono::{DateTime, FixedOffset};
use leptos::prelude::*;

use crate::model::Post;

/// `<time>` of a post date: "March 4, 2025".
fn post_date(date: Option<DateTime<FixedOffset>>) -> impl IntoView {
    date.map(|date| {
        view! { <time datetime=date.to_rfc3339()>{date.format("%B %-d, %Y").to_string()}</time> }
    })
}

/// A post in a list: title link, date, summary.
#[component]
fn PostCard(post: Post) -> impl IntoView {
    view! {
        <li class="post-card">
            <h2><a href=post.url()>{post.title.clone()}</a></h2>
            <p class="post-meta">{post_date(post.date)}</p>
            <p class="post-summary">{post.summary.clone()}</p>
        </li>
    }
}

//! One page per file. Each returns its [`PageMeta`](crate::layout::PageMeta) and its
//! view (the inside of `<main>`).

mod blog;
mod cart;
mod contact;
mod doc;
mod home;
mod not_found;
mod page;
mod post;
mod product;
mod products;
mod search;
mod status;
mod tag;
mod tags;

pub use blog::blog;
pub use cart::cart;
pub use contact::{contact, contact_thanks};
pub use doc::doc;
pub use home::home;
pub(crate) use home::LATEST;
pub use not_found::not_found;
pub use page::page;
pub use post::post;
pub use product::product;
pub use products::products;
pub use search::search;
pub use status::{status, StatusInfo};
pub use tag::tag;
pub use tags::tags;

use chrono::{DateTime, FixedOffset};
use leptos::prelude::*;

use crate::model::{Post, Site};

/// Shown for a body with at least this many headings (levels 2 to 4).
const TOC_MIN: usize = 3;

/// "On this page": the body's headings as links, indented by level; nothing for a
/// body with fewer than `min` headings.
fn toc(headings: &[crate::model::Heading], min: usize) -> Option<AnyView> {
    if headings.len() < min {
        return None;
    }
    let items = headings
        .iter()
        .map(|h| {
            let class = format!("toc-{}", h.level);
            let href = format!("#{}", h.id);
            view! { <li class=class><a href=href>{h.title.clone()}</a></li> }
        })
        .collect_view();
    Some(
        view! {
            <nav class="toc" aria-labelledby="toc-title">
                <p id="toc-title" class="toc-title">"On this page"</p>
                <ol>{items}</ol>
            </nav>
        }
        .into_any(),
    )
}

/// `<time>` of a date: "March 4, 2025".
fn date_view(date: Option<DateTime<FixedOffset>>) -> impl IntoView {
    date.map(|date| {
        view! { <time datetime=date.to_rfc3339()>{date.format("%B %-d, %Y").to_string()}</time> }
    })
}

/// A post in a list: title link, date, summary.
fn post_card(post: &Post) -> impl IntoView {
    view! {
        <li class="post-card">
            <h2><a href=post.url()>{post.title.clone()}</a></h2>
            <p class="post-meta">{date_view(post.date)}</p>
            <p class="post-summary">{post.summary.clone()}</p>
        </li>
    }
}

/// The posts at `indexes` (into `site.posts`), as a list of cards.
fn post_list(site: &Site, indexes: &[usize]) -> impl IntoView {
    view! {
        <ul class="post-list">
            {indexes.iter().map(|&i| post_card(&site.posts[i])).collect_view()}
        </ul>
    }
}

/// The slice of `0..items` shown on `page` (from 1), or `None` past the last page.
fn page_slice(site: &Site, items: usize, page: usize) -> Option<std::ops::Range<usize>> {
    let per_page = site.config.posts_per_page.max(1);
    if page == 0 || page > site.page_count(items) {
        return None;
    }
    let start = (page - 1) * per_page;
    Some(start..(start + per_page).min(items))
}

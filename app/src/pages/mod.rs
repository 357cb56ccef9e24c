//! One route per file: each declares its page type ([`crate::Route`]) and renders its
//! [`PageMeta`](crate::layout::PageMeta) and view (the inside of `<main>`), reading the
//! content through a [`Cx`](crate::Cx). The route table lists them
//! ([`crate::routes`]).

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
mod section;
mod status;
mod tag;
mod tags;
mod term;

pub use blog::BlogIndex;
pub use cart::Cart;
pub use contact::{contact, Contact, ContactThanks};
pub use doc::DocPage;
pub use home::HomePage;
pub use not_found::NotFound;
pub use page::StandalonePage;
pub use post::PostPage;
pub use product::ProductPage;
pub use products::ProductIndex;
pub use search::Search;
pub use section::SectionPage;
pub use status::Status;
pub use tag::TagPage;
pub use tags::TagIndex;
pub use term::{TaxonomyIndex, TermPage};

use chrono::{DateTime, FixedOffset};
use leptos::prelude::*;

use crate::model::{Post, Site};
use crate::modes::RenderMode;
use crate::route::Params;

/// Shown for a body with at least this many headings (levels 2 to 4).
const TOC_MIN: usize = 3;

/// A post is long, and shows its table of contents, from this many words of body
/// (about five minutes of reading at 200 words a minute); shorter posts are read
/// without one. Docs show theirs from two headings.
const LONG_POST_WORDS: usize = 1_000;

/// A Markdown body in its `prose` container, its images turned into responsive
/// `<picture>`s (the first with priority: the likely LCP) — see
/// [`crate::images::responsive_body`]. `page_path` is where the page is published,
/// against which relative image URLs resolve.
fn prose(site: &Site, html: &str, page_path: &str) -> impl IntoView {
    prose_after_images(site, html, page_path, true)
}

/// [`prose`] on a page whose main image comes before the body (a product page): none
/// of the body's images loads with priority unless `first_has_priority`.
fn prose_after_images(
    site: &Site,
    html: &str,
    page_path: &str,
    first_has_priority: bool,
) -> impl IntoView {
    let html = crate::images::responsive_body(html, page_path, &site.images, first_has_priority)
        .into_owned();
    view! { <div class="prose" inner_html=html></div> }
}

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

/// Posts as a list of cards.
fn post_list<'a>(posts: impl IntoIterator<Item = &'a Post>) -> impl IntoView {
    view! {
        <ul class="post-list">
            {posts.into_iter().map(post_card).collect_view()}
        </ul>
    }
}

/// The render mode of the posts and their lists: ISR, [`POSTS_REVALIDATE`] seconds.
///
/// [`POSTS_REVALIDATE`]: crate::POSTS_REVALIDATE
const POSTS_MODE: RenderMode = RenderMode::Isr {
    revalidate: crate::POSTS_REVALIDATE,
};

/// The render mode of the products and their list: ISR, [`PRODUCTS_REVALIDATE`]
/// seconds.
///
/// [`PRODUCTS_REVALIDATE`]: crate::PRODUCTS_REVALIDATE
const PRODUCTS_MODE: RenderMode = RenderMode::Isr {
    revalidate: crate::PRODUCTS_REVALIDATE,
};

/// Params of one page without parameters (`/tags/`), for [`crate::Route::paths`].
fn single() -> Vec<Params> {
    vec![Params::new()]
}

/// The one page of a route that exists only when `on` (the shop's pages with products,
/// the contact pages with `contact_form`).
fn single_if(on: bool) -> Vec<Params> {
    if on {
        single()
    } else {
        Vec::new()
    }
}

/// `base` for page 1, `base` + `page/<n>/` after (Hugo's and Zola's scheme).
fn paginated(base: &str, page: usize) -> String {
    if page <= 1 {
        base.to_owned()
    } else {
        format!("{base}page/{page}/")
    }
}

/// The params of every page of a list of `items` entries, with `params` before.
fn list_pages(site: &Site, items: usize, params: Params) -> impl Iterator<Item = Params> {
    list_pages_of(site.config.posts_per_page, items, params)
}

/// [`list_pages`] with `per_page` entries a page.
fn list_pages_of(per_page: usize, items: usize, params: Params) -> impl Iterator<Item = Params> {
    (1..=pages_of(per_page, items)).map(move |page| params.clone().paginated(page))
}

/// Number of pages of a list of `items`, `per_page` a page (at least 1).
fn pages_of(per_page: usize, items: usize) -> usize {
    items.div_ceil(per_page.max(1)).max(1)
}

/// The slice of `0..items` shown on `page` (from 1), or `None` past the last page.
fn page_slice(site: &Site, items: usize, page: usize) -> Option<std::ops::Range<usize>> {
    page_slice_of(site.config.posts_per_page, items, page)
}

/// [`page_slice`] with `per_page` entries a page.
fn page_slice_of(per_page: usize, items: usize, page: usize) -> Option<std::ops::Range<usize>> {
    let per_page = per_page.max(1);
    if page == 0 || page > pages_of(per_page, items) {
        return None;
    }
    let start = (page - 1) * per_page;
    Some(start..(start + per_page).min(items))
}

use leptos::prelude::*;

use super::{page_slice, post_list};
use crate::layout::{pagination, PageMeta};
use crate::model::Site;
use crate::routes::Route;

/// `/posts/` and `/posts/page/<n>/`: the posts, newest first, `posts_per_page` per page.
/// `None` past the last page.
pub fn blog(site: &Site, page: usize) -> Option<(PageMeta, AnyView)> {
    let count = site.posts.len();
    let pages = site.page_count(count);
    let range = page_slice(site, count, page)?;
    let indexes: Vec<usize> = range.collect();
    let url = |page: usize| Route::Blog { page }.path();
    let lead = if pages > 1 {
        format!("{count} posts, newest first. Page {page} of {pages}.")
    } else {
        format!("{count} posts, newest first.")
    };
    let view = view! {
        <h1>"Blog"</h1>
        <p class="lead">{lead}</p>
        {post_list(site, &indexes)}
        {pagination(page, pages, url)}
    }
    .into_any();
    let title = if page > 1 {
        format!("Blog, page {page}")
    } else {
        "Blog".to_owned()
    };
    let mut meta = PageMeta::new(
        Some(title),
        format!("All {count} posts of {}.", site.config.title),
        url(page),
    );
    meta.prev = (page > 1).then(|| url(page - 1));
    meta.next = (page < pages).then(|| url(page + 1));
    Some((meta, view))
}

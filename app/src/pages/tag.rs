use leptos::prelude::*;

use super::{page_slice, post_list};
use crate::layout::{pagination, PageMeta};
use crate::model::{Site, Tag};
use crate::routes::Route;
use crate::seo;

/// `/tags/<slug>/` and `/tags/<slug>/page/<n>/`: the posts of a tag, newest first.
/// `None` past the last page.
pub fn tag(site: &Site, tag: &Tag, page: usize) -> Option<(PageMeta, AnyView)> {
    let count = tag.posts.len();
    let pages = site.page_count(count);
    let range = page_slice(site, count, page)?;
    let url = |page: usize| {
        Route::Tag {
            slug: tag.slug.clone(),
            page,
        }
        .path()
    };
    let label = if count == 1 { "post" } else { "posts" };
    let view = view! {
        <h1>"Tagged “" {tag.name.clone()} "”"</h1>
        <p class="lead">{format!("{count} {label}.")} " " <a href="/tags/">"All tags"</a></p>
        {post_list(site, &tag.posts[range])}
        {pagination(page, pages, url)}
    }
    .into_any();
    let title = if page > 1 {
        format!("Tagged “{}”, page {page}", tag.name)
    } else {
        format!("Tagged “{}”", tag.name)
    };
    let mut meta = PageMeta::new(
        Some(title),
        format!("Posts tagged “{}” on {}.", tag.name, site.config.title),
        url(page),
    );
    meta.prev = (page > 1).then(|| url(page - 1));
    meta.next = (page < pages).then(|| url(page + 1));
    meta.json_ld.push(seo::breadcrumbs(
        site,
        &[
            ("Home".into(), "/".into()),
            ("Tags".into(), "/tags/".into()),
            (tag.name.clone(), tag.url()),
        ],
    ));
    Some((meta, view))
}

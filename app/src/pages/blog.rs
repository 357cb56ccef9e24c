use leptos::prelude::*;

use super::{list_pages, page_slice, paginated, post_list, POSTS_MODE};
use crate::layout::{pagination, PageMeta};
use crate::model::Site;
use crate::modes::{Fallback, RenderMode};
use crate::reads::Cx;
use crate::route::{Params, Route, Sitemap};

/// `/posts/` and `/posts/page/<n>/`: the posts, newest first, `posts_per_page` per page.
pub struct BlogIndex;

impl Route for BlogIndex {
    fn name(&self) -> &'static str {
        "blog index"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["/posts/", "/posts/page/{page}/"]
    }

    fn mode(&self) -> RenderMode {
        POSTS_MODE
    }

    fn fallback(&self) -> Fallback {
        Fallback::Blocking
    }

    fn paths(&self, site: &Site) -> Vec<Params> {
        list_pages(site, site.posts.len(), Params::new()).collect()
    }

    fn exists(&self, site: &Site, params: &Params) -> bool {
        params
            .page()
            .is_some_and(|page| page <= site.page_count(site.posts.len()))
    }

    fn view(&self, cx: &Cx, params: &Params) -> Option<(PageMeta, AnyView)> {
        blog(cx, params.page()?)
    }

    fn sitemap(&self, site: &Site, params: &Params) -> Sitemap {
        match params.page() {
            Some(1) => Sitemap::Listed(site.posts.first().and_then(|p| p.last_modified())),
            _ => Sitemap::Unlisted,
        }
    }
}

/// `None` past the last page.
fn blog(cx: &Cx, page: usize) -> Option<(PageMeta, AnyView)> {
    let count = cx.post_count();
    let pages = cx.page_count(count);
    let range = page_slice(cx.site(), count, page)?;
    let posts = cx.posts(range);
    let url = |page: usize| paginated("/posts/", page);
    let lead = if pages > 1 {
        format!("{count} posts, newest first. Page {page} of {pages}.")
    } else {
        format!("{count} posts, newest first.")
    };
    let blog = &cx.config().blog;
    let view = view! {
        <h1>{blog.title.clone()}</h1>
        <p class="lead">{lead}</p>
        {post_list(posts)}
        {pagination(page, pages, url)}
    }
    .into_any();
    let title = if page > 1 {
        format!("{}, page {page}", blog.title)
    } else {
        blog.title.clone()
    };
    let description = blog
        .description
        .clone()
        .unwrap_or_else(|| format!("All {count} posts of {}.", cx.config().title));
    let mut meta = PageMeta::new(Some(title), description, url(page));
    meta.prev = (page > 1).then(|| url(page - 1));
    meta.next = (page < pages).then(|| url(page + 1));
    Some((meta, view))
}

use leptos::prelude::*;

use super::{list_pages_of, page_slice_of, pages_of, paginated, post_list, POSTS_MODE};
use crate::layout::{pagination, PageMeta};
use crate::model::{Site, Tag};
use crate::modes::{Fallback, RenderMode};
use crate::reads::{Cx, Facet};
use crate::route::{Params, Route, Sitemap};
use crate::seo;

/// `/tags/<slug>/` and `/tags/<slug>/page/<n>/`: the posts of a tag, newest first.
pub struct TagPage;

impl Route for TagPage {
    fn name(&self) -> &'static str {
        "tag"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["/tags/{slug}/", "/tags/{slug}/page/{page}/"]
    }

    fn mode(&self) -> RenderMode {
        POSTS_MODE
    }

    fn fallback(&self) -> Fallback {
        Fallback::Blocking
    }

    fn paths(&self, site: &Site) -> Vec<Params> {
        term_paths(site, true)
    }

    fn exists(&self, site: &Site, params: &Params) -> bool {
        term_exists(site, params, true)
    }

    fn view(&self, cx: &Cx, params: &Params) -> Option<(PageMeta, AnyView)> {
        let tag = cx.tag(params.get("slug")?, Facet::Page)?;
        self::tag(cx, tag, params.page()?)
    }

    fn sitemap(&self, site: &Site, params: &Params) -> Sitemap {
        term_sitemap(site, params)
    }
}

/// The params of every page of every tag (`tags`), or of every term of the other
/// taxonomies ([`super::term::TermPage`]).
pub(super) fn term_paths(site: &Site, tags: bool) -> Vec<Params> {
    site.tags
        .iter()
        .filter(|term| (term.taxonomy() == "tags") == tags)
        .flat_map(|term| {
            list_pages_of(
                term_per_page(site, term),
                term.posts.len(),
                Params::new().with("slug", term.slug.clone()),
            )
        })
        .collect()
}

/// Posts per page of a term's list: its taxonomy's `paginate_by`, else the blog's.
pub(super) fn term_per_page(site: &Site, term: &Tag) -> usize {
    site.config
        .taxonomy(term.taxonomy())
        .and_then(|t| t.paginate_by)
        .unwrap_or(site.config.posts_per_page)
}

/// Whether `params` names a page of a tag (`tags`) or of another taxonomy's term.
pub(super) fn term_exists(site: &Site, params: &Params, tags: bool) -> bool {
    let term = params.get("slug").and_then(|s| site.tag(s));
    match (term, params.page()) {
        (Some(term), Some(page)) => {
            (term.taxonomy() == "tags") == tags
                && page <= pages_of(term_per_page(site, term), term.posts.len())
        }
        _ => false,
    }
}

/// A term's first page is listed, dated by its newest post.
pub(super) fn term_sitemap(site: &Site, params: &Params) -> Sitemap {
    let term = params.get("slug").and_then(|s| site.tag(s));
    match (term, params.page()) {
        (Some(term), Some(1)) => Sitemap::Listed(
            term.posts
                .first()
                .and_then(|&i| site.posts[i].last_modified()),
        ),
        _ => Sitemap::Unlisted,
    }
}

/// `None` past the last page. Also the page of a term of another taxonomy
/// ([`super::term`]): its heading names the taxonomy.
pub(super) fn tag(cx: &Cx, tag: &Tag, page: usize) -> Option<(PageMeta, AnyView)> {
    let site = cx.site();
    let count = cx.tag_post_count(tag);
    let per_page = term_per_page(site, tag);
    let pages = pages_of(per_page, count);
    let range = page_slice_of(per_page, count, page)?;
    let posts = cx.tag_posts(tag, range);
    let base = tag.url();
    let url = |page: usize| paginated(&base, page);
    let label = if count == 1 { "post" } else { "posts" };
    // A tag: "Tagged “x”"; another taxonomy's term: "Categories: x".
    let taxonomy = tag.taxonomy();
    let (heading, all, all_url) = if taxonomy == "tags" {
        (
            format!("Tagged “{}”", tag.name),
            "All tags".to_owned(),
            "/tags/".to_owned(),
        )
    } else {
        (
            format!("{}: {}", super::term::display_name(taxonomy), tag.name),
            format!("All {taxonomy}"),
            format!("/{taxonomy}/"),
        )
    };
    let view = view! {
        <h1>{heading.clone()}</h1>
        <p class="lead">{format!("{count} {label}.")} " " <a href=all_url.clone()>{all.clone()}</a></p>
        {post_list(posts)}
        {pagination(page, pages, url)}
    }
    .into_any();
    let title = if page > 1 {
        format!("{heading}, page {page}")
    } else {
        heading.clone()
    };
    let mut meta = PageMeta::new(
        Some(title),
        if taxonomy == "tags" {
            format!("Posts tagged “{}” on {}.", tag.name, site.config.title)
        } else {
            format!("Posts of {heading} on {}.", site.config.title)
        },
        url(page),
    );
    meta.prev = (page > 1).then(|| url(page - 1));
    meta.next = (page < pages).then(|| url(page + 1));
    // The term's feed (Zola's taxonomy `feed = true`).
    if site.config.taxonomy(taxonomy).is_some_and(|t| t.feed) {
        meta.feed = Some(format!("{}atom.xml", tag.url()));
    }
    meta.json_ld.push(seo::breadcrumbs(
        site,
        &[
            ("Home".into(), "/".into()),
            (super::term::display_name(taxonomy), all_url.clone()),
            (tag.name.clone(), tag.url()),
        ],
    ));
    Some((meta, view))
}

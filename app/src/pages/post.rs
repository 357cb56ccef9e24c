use leptos::prelude::*;

use super::{date_view, POSTS_MODE};
use crate::layout::PageMeta;
use crate::model::Post;
use crate::model::{tag_slug, Site};
use crate::modes::{Fallback, RenderMode};
use crate::reads::{Cx, Facet};
use crate::route::{Params, Pattern, Route, Sitemap};
use crate::seo;

/// `/posts/<slug>/`: the whole article, its tags and links to the newer and older posts.
pub struct PostPage;

impl Route for PostPage {
    fn name(&self) -> &'static str {
        "post"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["/posts/{slug}/"]
    }

    fn mode(&self) -> RenderMode {
        POSTS_MODE
    }

    fn fallback(&self) -> Fallback {
        Fallback::Blocking
    }

    fn paths(&self, site: &Site) -> Vec<Params> {
        site.posts.iter().map(params_of).collect()
    }

    /// A post with its own permalink lives there only, not at `/posts/<slug>/`.
    fn exists(&self, site: &Site, params: &Params) -> bool {
        params
            .get("slug")
            .and_then(|s| site.post(s))
            .is_some_and(|post| post.permalink.is_none())
    }

    /// The permalinks of posts that have one (Zola `path`, Hugo `url`).
    fn owns(&self, site: &Site, path: &str) -> Option<Params> {
        site.post_at_permalink(path).map(params_of)
    }

    fn path_of(&self, params: &Params) -> Option<String> {
        match params.get("permalink") {
            Some(permalink) => Some(permalink.to_owned()),
            None => Pattern::parse("/posts/{slug}/").fill(params),
        }
    }

    fn view(&self, cx: &Cx, params: &Params) -> Option<(PageMeta, AnyView)> {
        let (index, _) = cx.post(params.get("slug")?, Facet::Page)?;
        Some(post(cx, index))
    }

    fn sitemap(&self, site: &Site, params: &Params) -> Sitemap {
        match params.get("slug").and_then(|s| site.post(s)) {
            Some(post) if !post.draft => Sitemap::Listed(post.last_modified()),
            _ => Sitemap::Unlisted,
        }
    }
}

/// The params of `post`'s page: its slug, and its permalink when it has one.
fn params_of(post: &Post) -> Params {
    let params = Params::new().with("slug", post.slug.clone());
    match &post.permalink {
        Some(permalink) => params.with("permalink", permalink.clone()),
        None => params,
    }
}

/// The post at `index` of all posts.
fn post(cx: &Cx, index: usize) -> (PageMeta, AnyView) {
    let site = cx.site();
    let post = &site.posts[index];
    let html = cx.body(post);
    // (The body is loaded once it is read: its word count decides the TOC.)
    let long = post.text.split_whitespace().count() >= super::LONG_POST_WORDS;
    let newer = cx.post_beside(&post.slug, -1, Facet::Link);
    let older = cx.post_beside(&post.slug, 1, Facet::Link);
    let tags = post
        .tags
        .iter()
        .filter(|tag| !tag_slug(tag).is_empty())
        .map(|tag| {
            let slug = tag_slug(tag);
            cx.tag(&slug, Facet::Link);
            let href = format!("/tags/{slug}/");
            view! { <li><a href=href rel="tag">{tag.clone()}</a></li> }
        })
        .collect_view();
    let updated = post
        .updated
        .filter(|updated| Some(*updated) != post.date)
        .map(|updated| view! { " · Updated " {date_view(Some(updated))} });
    let authors = (!post.authors.is_empty()).then(|| {
        let by = if post.date.is_some() {
            " · By "
        } else {
            "By "
        };
        // With an `authors` taxonomy, each name links to its page.
        let linked = cx.config().has_taxonomy("authors");
        let names = post
            .authors
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let comma = (i > 0).then_some(", ");
                let slug = crate::model::tag_slug(name);
                let name = name.clone();
                if linked && !slug.is_empty() {
                    view! { {comma} <a href=format!("/authors/{slug}/") rel="author">{name}</a> }
                        .into_any()
                } else {
                    view! { {comma} {name} }.into_any()
                }
            })
            .collect_view();
        view! { {by} <span class="post-authors">{names}</span> }
    });
    let view = view! {
        <article class="post">
            <header>
                <h1>{post.title.clone()}</h1>
                <p class="post-meta">
                    {date_view(post.date)}
                    {updated}
                    {authors}
                    {post.draft.then(|| view! { <span class="draft-badge">"Draft"</span> })}
                </p>
                {(!post.tags.is_empty()).then(|| view! { <ul class="tags" aria-label="Tags">{tags}</ul> })}
            </header>
            {long.then(|| super::toc(&post.toc, super::TOC_MIN)).flatten()}
            {super::prose(site, html, &post.url())}
        </article>
        <nav class="post-nav" aria-label="More posts">
            {newer.map(|p| view! { <a class="prev" href=p.url()>"← " {p.title.clone()}</a> })}
            {older.map(|p| view! { <a class="next" href=p.url()>{p.title.clone()} " →"</a> })}
        </nav>
    }
    .into_any();
    let mut meta = PageMeta::new(Some(post.title.clone()), post.summary.clone(), post.url());
    meta.og_type = "article";
    meta.indexable = !post.draft;
    meta.published = post.date;
    meta.modified = post.updated;
    meta.json_ld.push(seo::blog_posting(site, post));
    meta.json_ld.push(seo::breadcrumbs(
        site,
        &[
            ("Home".into(), "/".into()),
            ("Blog".into(), "/posts/".into()),
            (post.title.clone(), post.url()),
        ],
    ));
    (meta, view)
}

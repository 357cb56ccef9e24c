use leptos::prelude::*;

use super::date_view;
use crate::layout::PageMeta;
use crate::model::{tag_slug, Site};
use crate::seo;

/// `/posts/<slug>/`: the whole article (the post at `index` of `site.posts`), its tags
/// and links to the newer and older posts.
pub fn post(site: &Site, index: usize) -> (PageMeta, AnyView) {
    let post = &site.posts[index];
    let newer = index.checked_sub(1).and_then(|i| site.posts.get(i));
    let older = site.posts.get(index + 1);
    let tags = post
        .tags
        .iter()
        .filter(|tag| !tag_slug(tag).is_empty())
        .map(|tag| {
            let href = format!("/tags/{}/", tag_slug(tag));
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
        view! { {by} <span class="post-authors">{post.authors.join(", ")}</span> }
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
            {super::toc(&post.toc, super::TOC_MIN)}
            <div class="prose" inner_html=post.html.clone()></div>
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

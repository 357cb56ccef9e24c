use leptos::prelude::*;

use super::post_date;
use crate::layout::{PageMeta, Section};
use crate::model::{Post, Site};

/// `/posts/<slug>/`: the whole article, with links to the newer and older posts.
pub fn post(site: &Site, post: &Post) -> (PageMeta, AnyView) {
    let index = site.posts.iter().position(|p| p.slug == post.slug);
    let newer = index
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| site.posts.get(i))
        .cloned();
    let older = index.and_then(|i| site.posts.get(i + 1)).cloned();
    let tags = post.tags.clone();
    let view = view! {
        <article class="post">
            <header>
                <h1>{post.title.clone()}</h1>
                <p class="post-meta">
                    {post_date(post.date)}
                    {post.draft.then(|| view! { <span class="draft-badge">"Draft"</span> })}
                </p>
                {(!tags.is_empty())
                    .then(|| {
                        view! {
                            <ul class="tags" aria-label="Tags">
                                {tags.into_iter().map(|tag| view! { <li>{tag}</li> }).collect_view()}
                            </ul>
                        }
                    })}
            </header>
            <div class="prose" inner_html=post.html.clone()></div>
        </article>
        <nav class="post-nav" aria-label="More posts">
            {newer.map(|p| view! { <a rel="prev" href=p.url()>"← " {p.title.clone()}</a> })}
            {older.map(|p| view! { <a rel="next" href=p.url()>{p.title.clone()} " →"</a> })}
        </nav>
    }
    .into_any();
    let meta = PageMeta {
        title: Some(post.title.clone()),
        description: post.summary.clone(),
        canonical: Some(post.url()),
        section: Section::Blog,
        og_type: "article",
    };
    (meta, view)
}

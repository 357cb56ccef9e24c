use leptos::prelude::*;

use super::date_view;
use crate::layout::PageMeta;
use crate::model::{Doc, Site};
use crate::modes::Fallback;
use crate::reads::{Cx, Facet};
use crate::route::{Params, Route, Sitemap};
use crate::seo;

/// `/docs/…/`: a doc or docs section, with the docs sidebar, breadcrumbs, the section's
/// children (for a section page) and previous/next links in reading order.
pub struct DocPage;

/// The URL of the doc of `params`: its `url` for a docs tree outside `/docs/` (see
/// [`crate::Sections`]), else `{path: "a/b"}` → `/docs/a/b/`.
fn url_of(params: &Params) -> Option<String> {
    if let Some(url) = params.get("url") {
        return Some(url.to_owned());
    }
    let path = params.get("path")?;
    Some(if path.is_empty() {
        "/docs/".to_owned()
    } else {
        format!("/docs/{path}/")
    })
}

impl Route for DocPage {
    fn name(&self) -> &'static str {
        "doc"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["/docs/{..path}/"]
    }

    fn fallback(&self) -> Fallback {
        Fallback::Blocking
    }

    fn paths(&self, site: &Site) -> Vec<Params> {
        site.docs.iter().map(params_of).collect()
    }

    fn exists(&self, site: &Site, params: &Params) -> bool {
        url_of(params).and_then(|url| site.doc(&url)).is_some()
    }

    /// A docs tree in another folder (`[sections] docs = "wiki"`, a Zola or Hugo site's
    /// nested sections) lives at its own URLs (`/wiki/…/`).
    fn owns(&self, site: &Site, path: &str) -> Option<Params> {
        site.doc(path)
            .filter(|doc| !doc.url.starts_with("/docs/"))
            .map(params_of)
    }

    fn path_of(&self, params: &Params) -> Option<String> {
        url_of(params)
    }

    fn view(&self, cx: &Cx, params: &Params) -> Option<(PageMeta, AnyView)> {
        let (index, _) = cx.doc(&url_of(params)?, Facet::Page)?;
        Some(doc(cx, index))
    }

    fn sitemap(&self, site: &Site, params: &Params) -> Sitemap {
        match url_of(params).and_then(|url| site.doc(&url)) {
            Some(doc) if !doc.draft => Sitemap::Listed(doc.updated),
            _ => Sitemap::Unlisted,
        }
    }
}

/// The params of `doc`: its path under `/docs/`, or its whole URL elsewhere.
fn params_of(doc: &Doc) -> Params {
    match doc.url.strip_prefix("/docs/") {
        Some(path) => Params::new().with("path", path.trim_end_matches('/')),
        None => Params::new()
            .with("path", doc.url.trim_matches('/'))
            .with("url", doc.url.clone()),
    }
}

/// The doc at `index` of the docs in reading order.
fn doc(cx: &Cx, index: usize) -> (PageMeta, AnyView) {
    // The sidebar, breadcrumbs, children and neighbours show every doc's card.
    cx.docs();
    let site = cx.site();
    let doc = &site.docs[index];
    let html = cx.body(doc);
    let trail = trail(site, doc);
    let crumbs = trail
        .iter()
        .enumerate()
        .map(|(i, (name, url))| {
            let current = (i + 1 == trail.len()).then_some("page");
            view! { <li><a href=url.clone() aria-current=current>{name.clone()}</a></li> }
        })
        .collect_view();
    let children: Vec<&Doc> = site
        .docs
        .iter()
        .filter(|d| d.parent_url().as_deref() == Some(doc.url.as_str()))
        .collect();
    let children = (doc.is_section && !children.is_empty()).then(|| {
        let items = children
            .into_iter()
            .map(|d| view! { <li><a href=d.url.clone()>{d.title.clone()}</a> <p>{d.summary.clone()}</p></li> })
            .collect_view();
        // An id the body's own headings do not have (the demo's section pages have an
        // "In this section" heading of their own): ids are unique in a valid document.
        let taken = |id: &str| doc.toc.iter().any(|h| h.id == id);
        let id = std::iter::once("in-this-section".to_owned())
            .chain((1..).map(|n| format!("in-this-section-{n}")))
            .find(|id| !taken(id))
            .expect("an unused id");
        view! { <h2 id=id>"In this section"</h2><ul class="doc-children">{items}</ul> }
    });
    let prev = index.checked_sub(1).and_then(|i| site.docs.get(i));
    let next = site.docs.get(index + 1);
    let view = view! {
        <div class="docs-layout">
            <nav class="docs-sidebar" aria-label="Documentation">{sidebar(site, &doc.url)}</nav>
            <article class="doc">
                <nav class="breadcrumbs" aria-label="Breadcrumb"><ol>{crumbs}</ol></nav>
                <h1>{doc.title.clone()}</h1>
                {doc.updated.map(|date| view! { <p class="post-meta">"Updated " {date_view(Some(date))}</p> })}
                {super::toc(&doc.toc, 2)}
                {super::prose(site, html, &doc.url)}
                {children}
                <nav class="post-nav" aria-label="Previous and next">
                    {prev.map(|d| view! { <a rel="prev" href=d.url.clone()>"← " {d.title.clone()}</a> })}
                    {next.map(|d| view! { <a rel="next" href=d.url.clone()>{d.title.clone()} " →"</a> })}
                </nav>
            </article>
        </div>
    }
    .into_any();
    let mut meta = PageMeta::new(
        Some(doc.title.clone()),
        doc.summary.clone(),
        doc.url.clone(),
    );
    meta.indexable = !doc.draft;
    meta.modified = doc.updated;
    let mut crumbs = vec![("Home".to_owned(), "/".to_owned())];
    crumbs.extend(trail);
    meta.json_ld.push(seo::breadcrumbs(site, &crumbs));
    (meta, view)
}

/// `(title, url)` of the doc's ancestors and itself, outermost first.
fn trail(site: &Site, doc: &Doc) -> Vec<(String, String)> {
    let mut trail = vec![(doc.title.clone(), doc.url.clone())];
    let mut parent = doc.parent_url();
    while let Some(url) = parent {
        match site.doc(&url) {
            Some(section) => {
                trail.push((section.title.clone(), section.url.clone()));
                parent = section.parent_url();
            }
            // A folder without `_index.md` (the loader normally adds one).
            None => parent = Doc::parent_of(&url),
        }
    }
    trail.reverse();
    trail
}

/// The docs tree: the docs home, then the nested list of sections and pages, the
/// current page marked with `aria-current`.
fn sidebar(site: &Site, current: &str) -> impl IntoView {
    // The tree's root: `/docs/`, or `/wiki/` for a docs tree in another folder.
    let top = current
        .trim_matches('/')
        .split('/')
        .next()
        .unwrap_or("docs");
    let top = format!("/{top}/");
    let root = site.doc(&top).map(|root| {
        let here = (root.url == current).then_some("page");
        view! { <p><a href=root.url.clone() aria-current=here>{root.title.clone()}</a></p> }
    });
    view! { {root} {children_list(site, &top, current)} }
}

/// The docs whose section is `parent`, each section with its own children nested.
fn children_list(site: &Site, parent: &str, current: &str) -> AnyView {
    let items = site
        .docs
        .iter()
        .filter(|d| d.parent_url().as_deref() == Some(parent))
        .map(|d| {
            let here = (d.url == current).then_some("page");
            let nested = d.is_section.then(|| children_list(site, &d.url, current));
            view! { <li><a href=d.url.clone() aria-current=here>{d.title.clone()}</a>{nested}</li> }
        })
        .collect_view();
    view! { <ul>{items}</ul> }.into_any()
}

use leptos::prelude::*;

use crate::layout::PageMeta;
use crate::model::{Page, Site};
use crate::modes::Fallback;
use crate::reads::{Cx, Facet};
use crate::route::{Params, Pattern, Route, Sitemap};
use crate::seo;

/// `/<slug>/`: a standalone page (about, imprint).
pub struct StandalonePage;

impl Route for StandalonePage {
    fn name(&self) -> &'static str {
        "page"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["/{slug}/"]
    }

    fn fallback(&self) -> Fallback {
        Fallback::Blocking
    }

    fn paths(&self, site: &Site) -> Vec<Params> {
        site.pages.iter().map(params_of).collect()
    }

    /// A page with its own permalink lives there only, not at `/<slug>/`.
    fn exists(&self, site: &Site, params: &Params) -> bool {
        params
            .get("slug")
            .and_then(|s| site.page(s))
            .is_some_and(|page| page.permalink.is_none())
    }

    /// The permalinks of pages that have one (Zola `path`, Hugo `url`).
    fn owns(&self, site: &Site, path: &str) -> Option<Params> {
        site.page_at_permalink(path).map(params_of)
    }

    fn path_of(&self, params: &Params) -> Option<String> {
        match params.get("permalink") {
            Some(permalink) => Some(permalink.to_owned()),
            None => Pattern::parse("/{slug}/").fill(params),
        }
    }

    fn view(&self, cx: &Cx, params: &Params) -> Option<(PageMeta, AnyView)> {
        let page = cx.page(params.get("slug")?, Facet::Page)?;
        Some(self::page(cx, page))
    }

    fn sitemap(&self, site: &Site, params: &Params) -> Sitemap {
        match params.get("slug").and_then(|s| site.page(s)) {
            Some(page) if !page.draft => Sitemap::Listed(page.updated),
            _ => Sitemap::Unlisted,
        }
    }
}

/// `/<slug>/`: a standalone page such as About.
/// The params of `page`'s route page: its slug, and its permalink when it has one.
fn params_of(page: &Page) -> Params {
    let params = Params::new().with("slug", page.slug.clone());
    match &page.permalink {
        Some(permalink) => params.with("permalink", permalink.clone()),
        None => params,
    }
}

fn page(cx: &Cx, page: &Page) -> (PageMeta, AnyView) {
    let site = cx.site();
    let html = cx.body(page);
    let view = view! {
        <article class="page">
            <h1>{page.title.clone()}</h1>
            {super::prose(site, html, &page.url())}
        </article>
    }
    .into_any();
    let mut meta = PageMeta::new(Some(page.title.clone()), page.summary.clone(), page.url());
    meta.indexable = !page.draft;
    meta.modified = page.updated;
    meta.json_ld.push(seo::breadcrumbs(
        site,
        &[
            ("Home".into(), "/".into()),
            (page.title.clone(), page.url()),
        ],
    ));
    (meta, view)
}

use leptos::prelude::*;

use crate::layout::PageMeta;
use crate::model::{Page, Site};
use crate::seo;

/// `/<slug>/`: a standalone page such as About.
pub fn page(site: &Site, page: &Page) -> (PageMeta, AnyView) {
    let view = view! {
        <article class="page">
            <h1>{page.title.clone()}</h1>
            <div class="prose" inner_html=page.html.clone()></div>
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

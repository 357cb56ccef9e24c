use leptos::prelude::*;

use super::{date_view, toc, POSTS_MODE, TOC_MIN};
use crate::layout::PageMeta;
use crate::model::{last_change, Page, Section, Site};
use crate::modes::RenderMode;
use crate::reads::{Cx, Facet};
use crate::route::{Params, Route, Sitemap};
use crate::seo;

/// A section's list page (Zola's `section.html`, Hugo's `list`): its `_index.md` body,
/// its subsections and its pages in the section's `sort_by` order, `paginate_by` per
/// page at `<section>/<paginate_path>/<n>/`. The sections of a Zola or Hugo site other
/// than its blog and docs tree; the home page stays the `home` route's.
pub struct SectionPage;

impl Route for SectionPage {
    fn name(&self) -> &'static str {
        "section"
    }

    /// None: sections own their paths (any folder of the content).
    fn patterns(&self) -> &'static [&'static str] {
        &[]
    }

    /// A list, as the blog's: ISR, regenerated when its pages change.
    fn mode(&self) -> RenderMode {
        POSTS_MODE
    }

    fn paths(&self, site: &Site) -> Vec<Params> {
        site.sections
            .iter()
            .filter(|s| listed(s))
            .flat_map(|s| (1..=s.page_count()).map(move |page| params(s, page)))
            .collect()
    }

    fn exists(&self, site: &Site, params: &Params) -> bool {
        let section = params.get("section").and_then(|p| site.section(p));
        matches!((section, params.page()), (Some(s), Some(page)) if listed(s) && page <= s.page_count())
    }

    /// The section's path and its list pages' (`/projects/page/2/`).
    fn owns(&self, site: &Site, path: &str) -> Option<Params> {
        if let Some(section) = site.section(path).filter(|s| listed(s)) {
            return Some(params(section, 1));
        }
        // `<section><paginate_path>/<n>/`.
        let trimmed = path.strip_suffix('/')?;
        let (rest, number) = trimmed.rsplit_once('/')?;
        let (base, segment) = rest.rsplit_once('/')?;
        let section = site.section(&format!("{base}/")).filter(|s| listed(s))?;
        let page: usize = number.parse().ok()?;
        (segment == section.paginate_path
            && page >= 2
            && page.to_string() == number
            && page <= section.page_count())
        .then(|| params(section, page))
    }

    fn path_of(&self, params: &Params) -> Option<String> {
        params.get("url").map(str::to_owned)
    }

    fn view(&self, cx: &Cx, params: &Params) -> Option<(PageMeta, AnyView)> {
        let section = cx.section(params.get("section")?, Facet::Page)?;
        section_page(cx, section, params.page()?)
    }

    fn sitemap(&self, site: &Site, params: &Params) -> Sitemap {
        let section = params.get("section").and_then(|p| site.section(p));
        match (section, params.page()) {
            (Some(section), Some(1)) => Sitemap::Listed(last_change(section, &site.pages)),
            _ => Sitemap::Unlisted,
        }
    }
}

/// Whether a section has a list page of this route: rendered, not redirected, not the
/// root (the home page).
fn listed(section: &Section) -> bool {
    section.has_list() && section.path != "/"
}

fn params(section: &Section, page: usize) -> Params {
    Params::new()
        .with("section", section.path.clone())
        .paginated(page)
        .with("url", section.page_url(page))
}

/// A page of a section in its list: title link, date when it has one, summary.
fn card(page: &Page) -> impl IntoView {
    view! {
        <li class="post-card">
            <h2><a href=page.url()>{page.title.clone()}</a></h2>
            {page.date.map(|d| view! { <p class="post-meta">{date_view(Some(d))}</p> })}
            <p class="post-summary">{page.summary.clone()}</p>
        </li>
    }
}

/// `None` past the last page.
fn section_page(cx: &Cx, section: &Section, page: usize) -> Option<(PageMeta, AnyView)> {
    let site = cx.site();
    let count = cx.section_page_count(section);
    let pages = section.page_count();
    if page == 0 || page > pages {
        return None;
    }
    let entries = cx.section_pages(section, section.page_range(page));
    let html = cx.body(section);
    // Subsections and the trail of parents, as links.
    let subsections: Vec<(String, String)> = section
        .subsections
        .iter()
        .filter_map(|p| cx.section_link(p))
        .filter(|s| listed(s))
        .map(|s| (s.title.clone(), s.path.clone()))
        .collect();
    let mut trail = vec![(section.title.clone(), section.path.clone())];
    let mut parent = section.parent.as_deref();
    while let Some(p) = parent.and_then(|p| cx.section_link(p)) {
        trail.push((p.title.clone(), p.path.clone()));
        parent = p.parent.as_deref();
    }
    trail.push(("Home".to_owned(), "/".to_owned()));
    trail.reverse();
    let first = page == 1;
    let nav = (pages > 1).then(|| {
        let prev = (page > 1).then(|| section.page_url(page - 1));
        let next = (page < pages).then(|| section.page_url(page + 1));
        view! {
            <nav class="pagination" aria-label="Pagination">
                {prev.map(|href| view! { <a rel="prev" href=href>"← Previous"</a> })}
                <span>{format!("Page {page} of {pages}")}</span>
                {next.map(|href| view! { <a rel="next" href=href>"Next →"</a> })}
            </nav>
        }
    });
    let subsection_list = (first && !subsections.is_empty()).then(|| {
        let items = subsections
            .iter()
            .map(|(title, path)| view! { <li><a href=path.clone()>{title.clone()}</a></li> })
            .collect_view();
        view! {
            <nav class="subsections" aria-label="Sections">
                <ul>{items}</ul>
            </nav>
        }
    });
    let label = if count == 1 { "page" } else { "pages" };
    let view = view! {
        <article class="section">
            <h1>{section.title.clone()}</h1>
            {first.then(|| toc(&section.toc, TOC_MIN)).flatten()}
            {(first && !html.is_empty()).then(|| super::prose(cx.site(), html, &section.path))}
            {subsection_list}
            {(count > 0).then(|| view! { <p class="lead">{format!("{count} {label}.")}</p> })}
            <ul class="post-list">{entries.into_iter().map(card).collect_view()}</ul>
            {nav}
        </article>
    }
    .into_any();
    let title = if first {
        section.title.clone()
    } else {
        format!("{}, page {page}", section.title)
    };
    let description = section
        .description
        .clone()
        .unwrap_or_else(|| format!("{} on {}.", section.title, site.config.title));
    let mut meta = PageMeta::new(Some(title), description, section.page_url(page));
    meta.prev = (page > 1).then(|| section.page_url(page - 1));
    meta.next = (page < pages).then(|| section.page_url(page + 1));
    if section.generate_feeds {
        meta.feed = Some(format!("{}atom.xml", section.path));
    }
    meta.json_ld.push(seo::breadcrumbs(site, &trail));
    Some((meta, view))
}

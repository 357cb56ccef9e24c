//! The layout every page shares: `<head>` tags, header with navigation, footer.

use leptos::prelude::*;

use crate::model::SiteConfig;
use crate::render::{ISLANDS_JS, ISLANDS_LOADER, ISLANDS_WASM};

/// The navigation section a page belongs to (marked `aria-current="page"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Home,
    Blog,
    Search,
    None,
}

/// What a page tells the layout about itself.
#[derive(Clone, Debug)]
pub struct PageMeta {
    /// Page title, without the site name (`None` on the home page).
    pub title: Option<String>,
    /// Meta description; the site's description when empty.
    pub description: String,
    /// Site-relative canonical path, `None` for pages that must not be indexed (404).
    pub canonical: Option<String>,
    /// Navigation section.
    pub section: Section,
    /// `og:type`: `article` for posts, `website` otherwise.
    pub og_type: &'static str,
}

/// The contents of `<head>`. The islands loader is included only when `islands`.
#[component]
pub fn Head(meta: PageMeta, config: SiteConfig, islands: bool) -> impl IntoView {
    let full_title = match &meta.title {
        Some(title) => format!("{title} · {}", config.title),
        None => config.title.clone(),
    };
    let description = if meta.description.is_empty() {
        config.description.clone()
    } else {
        meta.description.clone()
    };
    let canonical = meta
        .canonical
        .as_deref()
        .map(|path| config.absolute_url(path));
    let noindex = canonical.is_none();
    view! {
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>{full_title.clone()}</title>
        <meta name="description" content=description.clone()/>
        {canonical.clone().map(|href| view! { <link rel="canonical" href=href/> })}
        {noindex.then(|| view! { <meta name="robots" content="noindex"/> })}
        {open_graph("og:site_name", config.title.clone())}
        {open_graph("og:title", meta.title.clone().unwrap_or_else(|| config.title.clone()))}
        {open_graph("og:description", description)}
        {open_graph("og:type", meta.og_type.to_owned())}
        {canonical.map(|href| open_graph("og:url", href))}
        <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
        <link rel="stylesheet" href="/style.css"/>
        {islands
            .then(|| {
                view! {
                    <link rel="modulepreload" href=ISLANDS_JS/>
                    <link rel="preload" href=ISLANDS_WASM r#as="fetch" r#type="application/wasm" crossorigin=""/>
                    <script type="module" src=ISLANDS_LOADER></script>
                }
            })}
    }
}

/// `<meta property="…" content="…">` (Open Graph, <https://ogp.me>); `property` is not
/// an attribute the `view!` macro knows, so the element is built directly.
fn open_graph(property: &'static str, content: String) -> impl IntoView {
    use leptos::tachys::html::attribute::custom::CustomAttribute;
    leptos::html::meta()
        .attr("property", property)
        .attr("content", content)
}

/// Skip link, site header and navigation.
#[component]
pub fn Header(site_title: String, section: Section) -> impl IntoView {
    let current = move |s: Section| (s == section).then_some("page");
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <a class="site-title" href="/">{site_title}</a>
            <nav aria-label="Main">
                <ul>
                    <li><a href="/" aria-current=current(Section::Home)>"Home"</a></li>
                    <li><a href="/posts/" aria-current=current(Section::Blog)>"Blog"</a></li>
                    <li><a href="/search/" aria-current=current(Section::Search)>"Search"</a></li>
                </ul>
            </nav>
        </header>
    }
}

/// Site footer.
#[component]
pub fn Footer(config: SiteConfig) -> impl IntoView {
    let author = config
        .author
        .clone()
        .unwrap_or_else(|| config.title.clone());
    view! {
        <footer class="site-footer">
            <p>{format!("© {author}")} " · Built with Atoll: pre-rendered with Leptos, islands in WebAssembly."</p>
        </footer>
    }
}

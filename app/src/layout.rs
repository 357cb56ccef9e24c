//! The layout every page shares: `<head>` tags, header with navigation, footer.

use chrono::{DateTime, FixedOffset};
use leptos::prelude::*;

use islands::CartIcon;

use crate::hydration::{bundle_files, ISLANDS_LOADER, SEARCH_JS, SEARCH_WASM};
use crate::hydration::{hydrate, Hydrate};
use crate::model::{MenuItem, Site, SiteConfig};

/// What a page tells the layout about itself.
#[derive(Clone, Debug)]
pub struct PageMeta {
    /// Page title, without the site name (`None` on the home page).
    pub title: Option<String>,
    /// Meta description; the site's description when empty.
    pub description: String,
    /// Site-relative path of the page: canonical URL and current menu entry.
    pub path: String,
    /// `false` for pages search engines must not index (404, drafts): no canonical
    /// link, `<meta name="robots" content="noindex">`.
    pub indexable: bool,
    /// `og:type`: `article` for posts, `product` for products, `website` otherwise.
    pub og_type: &'static str,
    /// Main image (site-relative or absolute) for Open Graph and Twitter cards.
    pub image: Option<String>,
    /// Previous page of a paginated list (`<link rel="prev">`).
    pub prev: Option<String>,
    /// Next page of a paginated list (`<link rel="next">`).
    pub next: Option<String>,
    /// `article:published_time`.
    pub published: Option<DateTime<FixedOffset>>,
    /// `article:modified_time`.
    pub modified: Option<DateTime<FixedOffset>>,
    /// schema.org objects, emitted as one JSON-LD `@graph`.
    pub json_ld: Vec<serde_json::Value>,
    /// The page's own Atom feed (a term's, a section's), linked beside the site's.
    pub feed: Option<String>,
}

impl PageMeta {
    /// An indexable `website` page with no image, pagination or structured data.
    pub fn new(title: Option<String>, description: String, path: impl Into<String>) -> Self {
        PageMeta {
            title,
            description,
            path: path.into(),
            indexable: true,
            og_type: "website",
            image: None,
            prev: None,
            next: None,
            published: None,
            modified: None,
            json_ld: Vec::new(),
            feed: None,
        }
    }
}

/// How a page uses islands, for its `<head>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IslandsUse {
    /// No island: no script at all.
    None,
    /// Only islands that hydrate later (`idle`, `visible`, `media`): the loader only.
    Lazy,
    /// An island hydrates at load: the loader, and the bundle preloaded.
    Eager,
}

/// The contents of `<head>`. The islands loader is included only for pages with
/// islands, naming the islands bundle `bundle` ([`crate::hydration::bundle_for`]), which
/// is preloaded only when an island hydrates at load.
pub fn head(meta: PageMeta, site: &Site, islands: IslandsUse, bundle: &str) -> impl IntoView {
    let config = &site.config;
    let full_title = match &meta.title {
        Some(title) => format!("{title} · {}", config.title),
        None => config.title.clone(),
    };
    let description = if meta.description.is_empty() {
        config.description.clone()
    } else {
        meta.description.clone()
    };
    let canonical = meta.indexable.then(|| config.absolute_url(&meta.path));
    let title = meta.title.clone().unwrap_or_else(|| config.title.clone());
    let page_feed = meta
        .feed
        .clone()
        .map(|href| (href, format!("{} ({title})", config.title)));
    // A known image is shared as its 1,200-pixel variant (what Facebook and LinkedIn
    // ask for), with its size; others as published.
    let (image, image_size) = match meta.image.as_deref() {
        Some(src) => match site.images.get(src) {
            Some(info) => {
                let variant = info.at_least(1200);
                (
                    Some(config.absolute_url(&variant.url)),
                    Some((variant.width, info.height_at(variant.width))),
                )
            }
            None => (Some(config.absolute_url(&site.asset(src))), None),
        },
        None => (None, None),
    };
    let card = if image.is_some() {
        "summary_large_image"
    } else {
        "summary"
    };
    let json_ld = (!meta.json_ld.is_empty()).then(|| {
        let graph = serde_json::json!({ "@context": "https://schema.org", "@graph": meta.json_ld });
        // `</script>` or `<!--` inside a string must not end the element.
        graph
            .to_string()
            .replace("</", "<\\/")
            .replace("<!--", "<\\u0021--")
    });
    let feed_title = format!("{} (Atom)", config.title);
    view! {
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>{full_title}</title>
        <meta name="description" content=description.clone()/>
        {canonical.clone().map(|href| view! { <link rel="canonical" href=href/> })}
        {(!meta.indexable).then(|| view! { <meta name="robots" content="noindex"/> })}
        {meta.prev.map(|href| view! { <link rel="prev" href=href/> })}
        {meta.next.map(|href| view! { <link rel="next" href=href/> })}
        {property("og:site_name", config.title.clone())}
        {property("og:title", title.clone())}
        {property("og:description", description.clone())}
        {property("og:type", meta.og_type.to_owned())}
        {canonical.map(|href| property("og:url", href))}
        {image.clone().map(|src| property("og:image", src))}
        {image_size.map(|(width, _)| property("og:image:width", width.to_string()))}
        {image_size.map(|(_, height)| property("og:image:height", height.to_string()))}
        {meta.published.map(|date| property("article:published_time", date.to_rfc3339()))}
        {meta.modified.map(|date| property("article:modified_time", date.to_rfc3339()))}
        <meta name="twitter:card" content=card/>
        <meta name="twitter:title" content=title/>
        <meta name="twitter:description" content=description/>
        {image.map(|src| view! { <meta name="twitter:image" content=src/> })}
        <link rel="alternate" type="application/atom+xml" href="/atom.xml" title=feed_title/>
        {page_feed.map(|(href, title)| view! { <link rel="alternate" type="application/atom+xml" href=href title=title/> })}
        <link rel="icon" href=site.asset("/favicon.svg") type="image/svg+xml"/>
        <link rel="stylesheet" href=site.asset("/style.css")/>
        {json_ld.map(|json| view! { <script type="application/ld+json" inner_html=json></script> })}
        {(islands != IslandsUse::None)
            .then(|| {
                let (js, wasm) = bundle_files(bundle);
                let (js, wasm) = (site.asset(&js), site.asset(&wasm));
                let preload = (islands == IslandsUse::Eager).then(|| view! {
                    <link rel="modulepreload" href=js.clone()/>
                    <link rel="preload" href=wasm.clone() r#as="fetch" r#type="application/wasm" crossorigin=""/>
                });
                view! {
                    {preload}
                    <script
                        type="module"
                        src=site.asset(ISLANDS_LOADER)
                        data-islands-js=js
                        data-islands-wasm=wasm
                        data-search-js=site.asset(SEARCH_JS)
                        data-search-wasm=site.asset(SEARCH_WASM)
                    ></script>
                }
            })}
    }
}

/// `<meta property="…" content="…">` (Open Graph, <https://ogp.me>); `property` is not
/// an attribute the `view!` macro knows, so the element is built directly.
fn property(property: &'static str, content: String) -> impl IntoView {
    use leptos::tachys::html::attribute::custom::CustomAttribute;
    leptos::html::meta()
        .attr("property", property)
        .attr("content", content)
}

/// Whether a menu entry is the current section of the page at `path`: the same URL, or
/// a parent of it (`/docs/` for `/docs/a/`); `/` only on the home page.
fn is_current(item: &MenuItem, path: &str) -> bool {
    item.url == path || (item.url != "/" && item.url.ends_with('/') && path.starts_with(&item.url))
}

/// Skip link, site header and navigation (the menu of `site.toml`).
#[component]
pub fn Header(
    site_title: String,
    menu: Vec<MenuItem>,
    path: String,
    /// Show the cart icon island (shop pages of a site with products).
    #[prop(optional)]
    cart: bool,
) -> impl IntoView {
    let items = menu
        .into_iter()
        .map(|item| {
            let current = is_current(&item, &path).then_some("page");
            view! { <li><a href=item.url aria-current=current>{item.name}</a></li> }
        })
        .collect_view();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <a class="site-title" href="/">{site_title}</a>
            <nav aria-label="Main">
                <ul>{items}</ul>
            </nav>
            {cart.then(|| hydrate(Hydrate::Idle, view! { <CartIcon/> }))}
        </header>
    }
}

/// The files this layout references (`<link rel="icon">`, the stylesheet), compiled in
/// from the demo's `public/` so that any content folder renders styled: see
/// [`crate::LayoutAsset`].
pub const ASSETS: &[crate::LayoutAsset] = &[
    ("/style.css", include_bytes!("../../public/style.css")),
    ("/favicon.svg", include_bytes!("../../public/favicon.svg")),
];

/// Site footer.
#[component]
pub fn Footer(config: SiteConfig) -> impl IntoView {
    let author = config
        .author
        .clone()
        .unwrap_or_else(|| config.title.clone());
    view! {
        <footer class="site-footer">
            <p>
                {format!("© {author}")}
                " · Built with Atoll: pre-rendered with Leptos, islands in WebAssembly. "
                <a href="/atom.xml">"Feed"</a>
            </p>
        </footer>
    }
}

/// Numbered pagination of a list: previous/next links with `rel`, and the position.
/// `url(n)` gives the URL of page `n` (from 1).
pub fn pagination(page: usize, pages: usize, url: impl Fn(usize) -> String) -> impl IntoView {
    (pages > 1).then(|| {
        let prev = (page > 1).then(|| url(page - 1));
        let next = (page < pages).then(|| url(page + 1));
        view! {
            <nav class="pagination" aria-label="Pagination">
                {prev.map(|href| view! { <a rel="prev" href=href>"← Newer"</a> })}
                <span>{format!("Page {page} of {pages}")}</span>
                {next.map(|href| view! { <a rel="next" href=href>"Older →"</a> })}
            </nav>
        }
    })
}

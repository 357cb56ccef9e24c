//! Rendering one route to a complete HTML document.

use leptos::prelude::*;

use atoll_api::{ContactRequest, FieldError};

use crate::hydration::{bundle_for, has_eager_island, island_end, ISLAND_TAG};
use crate::layout::{head, Footer, Header, IslandsUse, PageMeta};
use crate::model::Site;
use crate::pages;
use crate::reads::{Cx, ReadSet};
use crate::route::PagePath;

/// A page rendered to HTML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedPage {
    /// Site-relative path, as [`PagePath::path`].
    pub path: String,
    /// The whole document, `<!DOCTYPE html>` included.
    pub html: String,
    /// Whether the page contains an island, and so loads the islands bundle.
    pub has_islands: bool,
    /// The islands bundle it loads ([`crate::hydration::bundle_for`]; `None` without
    /// islands).
    pub bundle: Option<&'static str>,
    /// HTTP status to answer with: the route's (200, or 404 for the 404 page).
    pub status: u16,
    /// What the page read ([`ReadSet`]): when to render it again, and its cache tags.
    pub reads: ReadSet,
}

/// Renders `page` of `site` to a complete HTML document (no deferred bodies, no live
/// data; see [`render_in`]).
pub fn render(site: &Site, page: &PagePath) -> Option<RenderedPage> {
    render_in(&Cx::new(site, None, None), page)
}

/// Renders `page` to a complete HTML document, reading the content through `cx`.
///
/// Returns `None` for a page whose entry the site does not have (unknown slug, page
/// number past the last page). The body is rendered first; the `<head>` then loads the
/// islands bundle only if the body contains an island, so a page without islands ships
/// no JavaScript and no WebAssembly. After a render that read a body not loaded yet
/// ([`Cx::missed_body`]) the page must be rendered again once it is.
pub fn render_in(cx: &Cx, page: &PagePath) -> Option<RenderedPage> {
    let route = page.route();
    document(cx, page.path().to_owned(), route.status(), || {
        route.view(cx, page.params())
    })
}

/// The contact page again with what the visitor sent and what is wrong with it: the
/// server's answer (422) to a JavaScript-less post of the contact form.
pub fn render_contact_form(
    site: &Site,
    values: ContactRequest,
    errors: Vec<FieldError>,
) -> RenderedPage {
    let cx = Cx::new(site, None, None);
    document(&cx, "/contact/".to_owned(), 422, move || {
        Some(pages::contact(values, errors))
    })
    .expect("the contact page always renders")
}

/// Renders the page built by `page` (the inside of `<main>` and its meta) into the
/// layout: header, footer and the `<head>`, which loads the islands bundle only if the
/// body contains an island.
fn document(
    cx: &Cx,
    path: String,
    status: u16,
    page: impl FnOnce() -> Option<(PageMeta, AnyView)>,
) -> Option<RenderedPage> {
    let site = cx.site();
    let config = &site.config;
    let (meta, body) = Owner::new().with(|| {
        let (meta, page) = page()?;
        // The cart icon is shown where people shop, not on every page: the blog and the
        // docs stay free of JavaScript.
        let cart = !site.products.is_empty()
            && (meta.path.starts_with("/products/") || meta.path == "/cart/");
        let body = view! {
            <Header site_title=config.title.clone() menu=config.menu() path=meta.path.clone() cart/>
            <main id="main">{page}</main>
            <Footer config=config.clone()/>
        }
        .to_html();
        Some((meta, body))
    })?;
    let has_islands = body.contains(ISLAND_TAG);
    let islands = if !has_islands {
        IslandsUse::None
    } else if has_eager_island(&body, ISLAND_TAG) {
        IslandsUse::Eager
    } else {
        IslandsUse::Lazy
    };
    let bundle = has_islands.then(|| bundle_for(&body, &site.island_bundles));
    let body = strip_markers_outside_islands(&body);
    // The head holds no island: its hydration markers are dead weight.
    let head = Owner::new()
        .with(|| head(meta, site, islands, bundle.unwrap_or(islands::ALL_BUNDLE)).to_html())
        .replace(MARKER, "");
    let lang = crate::images::escape_attr(&config.language);
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head>{head}</head><body>{body}</body></html>"
    );
    Some(RenderedPage {
        path,
        html,
        has_islands,
        bundle,
        status,
        reads: cx.reads(),
    })
}

/// Leptos' hydration marker between dynamic parts of a view.
const MARKER: &str = "<!>";

/// An empty comment: what the browser makes of `<!>`, written validly.
const VALID_MARKER: &str = "<!---->";

/// Removes Leptos' `<!>` markers outside `<leptos-island>` elements (only islands are
/// hydrated, so only they need them) and writes those inside as `<!---->`: the same
/// empty comment node in the DOM that hydration walks, but valid HTML (`<!>` is a
/// "bogus comment" parse error to the Nu HTML checker).
fn strip_markers_outside_islands(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(ISLAND_TAG) {
        out.push_str(&rest[..start].replace(MARKER, ""));
        let end = island_end(&rest[start..]).map_or(rest.len(), |end| start + end);
        out.push_str(&rest[start..end].replace(MARKER, VALID_MARKER));
        rest = &rest[end..];
    }
    out.push_str(&rest.replace(MARKER, ""));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Post, SiteConfig};
    use crate::routes::routes;

    fn at(site: &Site, path: &str) -> PagePath {
        routes().resolve(site, path).expect(path)
    }

    fn site() -> Site {
        Site::new(
            SiteConfig {
                title: "Test <Site>".into(),
                base_url: "https://example.com/".into(),
                ..SiteConfig::default()
            },
            vec![Post {
                permalink: None,
                slug: "hello".into(),
                title: "Hello & welcome".into(),
                date: chrono::DateTime::parse_from_rfc3339("2025-03-04T10:00:00Z").ok(),
                updated: None,
                tags: vec!["intro".into()],
                summary: "The first post.".into(),
                draft: false,
                expires: None,
                aliases: vec![],
                authors: Vec::new(),
                taxonomies: Default::default(),
                extra: Default::default(),
                toc: vec![],
                html: "<p>Body <em>text</em></p>".into(),
                text: "Body text".into(),
                source: "posts/hello.md".into(),
            }],
            vec![],
            vec![],
            vec![],
        )
    }

    #[test]
    fn post_page_has_no_script_and_the_whole_article() {
        let page = render(&site(), &at(&site(), "/posts/hello/")).unwrap();
        assert!(!page.has_islands);
        // The only script is structured data, which browsers do not execute.
        assert_eq!(
            page.html.matches("<script").count(),
            page.html
                .matches(r#"<script type="application/ld+json">"#)
                .count(),
            "{}",
            page.html
        );
        assert!(page.html.contains("<p>Body <em>text</em></p>"));
        assert!(page
            .html
            .contains(r#"<meta name="twitter:card" content="summary">"#));
        assert!(page
            .html
            .contains(r#"<meta property="og:type" content="article">"#));
        let start = page
            .html
            .find(r#"<script type="application/ld+json">"#)
            .unwrap();
        let json = &page.html[start..];
        let json = &json[json.find('>').unwrap() + 1..json.find("</script>").unwrap()];
        let graph: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(graph["@graph"][0]["@type"], "BlogPosting");
        assert_eq!(graph["@graph"][0]["headline"], "Hello & welcome");
        assert_eq!(graph["@graph"][1]["@type"], "BreadcrumbList");
        assert_eq!(
            graph["@graph"][1]["itemListElement"][2]["item"],
            "https://example.com/posts/hello/"
        );
        assert!(page
            .html
            .contains("<title>Hello &amp; welcome · Test &lt;Site&gt;</title>"));
        assert!(page
            .html
            .contains(r#"<link rel="canonical" href="https://example.com/posts/hello/">"#));
        assert!(page
            .html
            .contains(r#"<meta name="description" content="The first post.">"#));
        assert!(page
            .html
            .starts_with("<!DOCTYPE html><html lang=\"en\"><head>"));
    }

    #[test]
    fn search_page_loads_the_islands_bundle() {
        let page = render(&site(), &at(&site(), "/search/")).unwrap();
        assert!(page.has_islands);
        assert!(page.html.contains("<leptos-island"));
        assert!(page
            .html
            .contains(r#"<script type="module" src="/pkg/loader.js" data-islands-js="/pkg/islands.js" data-islands-wasm="/pkg/islands_bg.wasm" data-search-js="/pkg/search.js" data-search-wasm="/pkg/search_bg.wasm"></script>"#));
        assert!(page.html.contains(r#"href="/pkg/islands_bg.wasm""#));
        assert_eq!(page.bundle, Some("islands"));

        // With the groups' bundles built, the search page loads only the search island's.
        let mut grouped = site();
        grouped.island_bundles = vec!["islands-search".into(), "islands-shop".into()];
        let page = render(&grouped, &at(&grouped, "/search/")).unwrap();
        assert_eq!(page.bundle, Some("islands-search"));
        assert!(page.html.contains(
            r#"data-islands-js="/pkg/islands-search.js" data-islands-wasm="/pkg/islands-search_bg.wasm""#
        ));
    }

    #[test]
    fn a_page_loads_the_first_group_bundle_holding_all_its_islands() {
        let island =
            |name: &str| format!(r#"<leptos-island data-component="{name}_123"></leptos-island>"#);
        let all: Vec<String> = islands::BUNDLES
            .iter()
            .map(|(name, _)| (*name).to_owned())
            .collect();
        let product = format!("{}{}", island("CartIcon"), island("BuyBox"));
        assert_eq!(bundle_for(&product, &all), "islands-product");
        let cart = format!("{}{}", island("CartIcon"), island("CartPage"));
        assert_eq!(bundle_for(&cart, &all), "islands-cart");
        assert_eq!(bundle_for(&island("ContactForm"), &all), "islands-contact");
        // Islands of two groups, or a group not built: the bundle of every island.
        let mixed = format!("{}{}", island("SearchBox"), island("CartIcon"));
        assert_eq!(bundle_for(&mixed, &all), "islands");
        assert_eq!(bundle_for(&island("ContactForm"), &all[..2]), "islands");
        assert_eq!(bundle_for(&island("Unknown"), &all), "islands");
    }

    #[test]
    fn unknown_post_is_none_and_404_has_status() {
        let post = routes().get("post").unwrap();
        let nope = PagePath::new(post, crate::Params::new().with("slug", "nope")).unwrap();
        assert!(render(&site(), &nope).is_none());
        let page = render(&site(), &at(&site(), "/404.html")).unwrap();
        assert_eq!(page.status, 404);
        assert!(page
            .html
            .contains(r#"<meta name="robots" content="noindex">"#));
        assert!(!page.html.contains("rel=\"canonical\""));
    }

    #[test]
    fn markers_are_kept_only_inside_islands_as_valid_comments() {
        let html = "<p><!>a</p><leptos-island data-component=\"A\"><!><b>x</b><leptos-island data-component=\"B\"><!></leptos-island><!></leptos-island><!><i>y</i>";
        assert_eq!(
            strip_markers_outside_islands(html),
            "<p>a</p><leptos-island data-component=\"A\"><!----><b>x</b><leptos-island data-component=\"B\"><!----></leptos-island><!----></leptos-island><i>y</i>"
        );
        let page = render(&site(), &at(&site(), "/search/")).unwrap();
        let island = page.html.find("<leptos-island").unwrap();
        assert!(!page.html[..island].contains("<!>"), "{}", page.html);
    }

    #[test]
    fn current_section_is_marked() {
        let page = render(&site(), &at(&site(), "/posts/")).unwrap();
        assert!(
            page.html
                .contains(r#"<a href="/posts/" aria-current="page">Blog</a>"#),
            "{}",
            page.html
        );
    }
}

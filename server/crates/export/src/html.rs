//! The HTML pass of the export, per page: rewrite asset references to their
//! fingerprinted names, collect the internal links and the element ids (for the link
//! checker), then minify (minify-html).

use std::collections::HashMap;

use lol_html::{element, rewrite_str, Settings};

use super::assets::resolve;

/// Attributes that hold a URL the page loads or links to, by element (tag name).
const URL_ATTRIBUTES: &[(&str, &str)] = &[
    ("a", "href"),
    ("link", "href"),
    ("img", "src"),
    ("script", "src"),
    ("source", "src"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("iframe", "src"),
    ("script", "data-islands-js"),
    ("script", "data-islands-wasm"),
];

/// A page after the HTML pass.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Processed {
    /// The document to write.
    pub html: Vec<u8>,
    /// Internal references, resolved to site-relative URLs (query dropped, fragment
    /// kept): `/posts/x/#intro`, `/style.3f2a9c1b.css`.
    pub links: Vec<String>,
    /// Every `id` (and `<a name>`) of the page, for `#fragment` checks.
    pub ids: Vec<String>,
}

/// Runs the HTML pass over the page at `path` (site-relative).
///
/// # Errors
/// The rewriter's message when the HTML cannot be processed (it is Atoll's own output,
/// so this means a bug).
pub fn process(
    html: &str,
    path: &str,
    assets: &HashMap<String, String>,
    minify: bool,
) -> Result<Processed, String> {
    pass(html, path, assets, minify, true)
}

/// Rewrites the asset references of an HTML fragment shown at `path` (a feed entry's
/// content), leaving everything else as it is.
pub fn rewrite_fragment(html: &str, path: &str, assets: &HashMap<String, String>) -> String {
    match pass(html, path, assets, false, false) {
        Ok(processed) => String::from_utf8(processed.html).unwrap_or_else(|_| html.to_owned()),
        Err(_) => html.to_owned(),
    }
}

fn pass(
    html: &str,
    path: &str,
    assets: &HashMap<String, String>,
    minify: bool,
    collect: bool,
) -> Result<Processed, String> {
    let links = std::cell::RefCell::new(Vec::new());
    let ids = std::cell::RefCell::new(Vec::new());
    // One handler for every element: lol_html's selector matching costs more per
    // element with a dozen selectors than one closure comparing tag names (measured:
    // 60 µs against 50 µs per 18 KB page).
    let handler = element!("*", |el| {
        let tag = el.tag_name();
        for (_, attribute) in URL_ATTRIBUTES.iter().filter(|(t, _)| *t == tag) {
            let Some(value) = el.get_attribute(attribute) else {
                continue;
            };
            // rel="canonical" and friends are absolute URLs to the deployed site.
            if let Some((target, suffix)) = resolve(path, &value) {
                let fragment = suffix.find('#').map(|i| &suffix[i..]).unwrap_or("");
                match assets.get(&target) {
                    Some(out) => {
                        el.set_attribute(attribute, &format!("{out}{suffix}"))?;
                        links.borrow_mut().push(out.clone());
                    }
                    None => links.borrow_mut().push(format!("{target}{fragment}")),
                }
            }
        }
        if tag == "img" || tag == "source" {
            if let Some(value) = el.get_attribute("srcset") {
                let rewritten = srcset(&value, path, assets, &mut links.borrow_mut());
                el.set_attribute("srcset", &rewritten)?;
            }
        }
        if let Some(id) = el.get_attribute("id") {
            ids.borrow_mut().push(id);
        }
        if tag == "a" {
            if let Some(name) = el.get_attribute("name") {
                ids.borrow_mut().push(name);
            }
        }
        Ok(())
    });
    let settings = Settings::new().append_element_content_handler(handler);
    let rewritten = rewrite_str(html, settings).map_err(|err| format!("{path}: {err}"))?;
    if !collect {
        return Ok(Processed {
            html: rewritten.into_bytes(),
            ..Processed::default()
        });
    }
    let html = if minify {
        minify_outside_islands(&rewritten)
    } else {
        rewritten.into_bytes()
    };
    Ok(Processed {
        html,
        links: links.into_inner(),
        ids: ids.into_inner(),
    })
}

/// A `srcset` with each candidate's URL rewritten to its published name (recorded in
/// `links`); candidates that are not site URLs stay as they are.
fn srcset(
    value: &str,
    path: &str,
    assets: &HashMap<String, String>,
    links: &mut Vec<String>,
) -> String {
    let rewritten: Vec<String> = value
        .split(',')
        .map(|candidate| {
            let candidate = candidate.trim();
            let (url, descriptor) = candidate.split_once(' ').unwrap_or((candidate, ""));
            let target = resolve(path, url).map(|(target, _)| target);
            let out = target
                .as_ref()
                .and_then(|t| assets.get(t))
                .cloned()
                .or(target);
            match out {
                Some(out) => {
                    links.push(out.clone());
                    format!("{out} {descriptor}").trim_end().to_owned()
                }
                None => candidate.to_owned(),
            }
        })
        .collect();
    rewritten.join(", ")
}

use app::{island_end, ISLAND_TAG as ISLAND_OPEN};

/// Minifies the page except its islands, which stay byte for byte as rendered: Leptos
/// hydrates an island by walking the DOM the server rendered, text nodes included, so
/// removing a whitespace-only text node or a closing tag inside one breaks hydration.
/// Each island is swapped for a comment placeholder, the page minified with comments
/// kept (Atoll's pages have none of their own: Markdown HTML is sanitized), and the
/// islands put back.
fn minify_outside_islands(html: &str) -> Vec<u8> {
    let mut islands = Vec::new();
    let mut protected = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(ISLAND_OPEN) {
        protected.push_str(&rest[..start]);
        let end = island_end(&rest[start..]).map_or(rest.len(), |end| start + end);
        protected.push_str(&format!("<!--atoll-island-{}-->", islands.len()));
        islands.push(&rest[start..end]);
        rest = &rest[end..];
    }
    protected.push_str(rest);
    let minified = minify_html::minify(protected.as_bytes(), &minify_config());
    if islands.is_empty() {
        return minified;
    }
    let mut text = String::from_utf8(minified).expect("minify-html keeps UTF-8");
    for (i, island) in islands.iter().enumerate() {
        text = text.replacen(&format!("<!--atoll-island-{i}-->"), island, 1);
    }
    text.into_bytes()
}

/// Spec-compliant minification; inline scripts (JSON-LD) are left alone, comments kept
/// (the island placeholders), closing tags kept.
fn minify_config() -> minify_html::Cfg {
    minify_html::Cfg {
        keep_html_and_head_opening_tags: true,
        // An omitted `</p>` before an island would put the island inside the paragraph.
        keep_closing_tags: true,
        keep_comments: true,
        minify_css: true,
        minify_js: false,
        remove_bangs: false,
        remove_processing_instructions: false,
        ..minify_html::Cfg::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_islands_are_kept_whole() {
        let html = "<p title=\"&lt;leptos-island\"> a </p><leptos-island data-component=\"A\"><p> </p><leptos-island data-component=\"B\"> b </leptos-island> </leptos-island><p> c </p>";
        let out = String::from_utf8(minify_outside_islands(html)).unwrap();
        assert_eq!(
            out,
            "<p title=\"<leptos-island\">a</p><leptos-island data-component=\"A\"><p> </p><leptos-island data-component=\"B\"> b </leptos-island> </leptos-island><p>c</p>"
        );
    }

    #[test]
    fn rewrites_assets_and_collects_links_and_ids() {
        let assets = HashMap::from([
            ("/style.css".to_owned(), "/style.aaaaaaaa.css".to_owned()),
            ("/img/a.png".to_owned(), "/img/a.bbbbbbbb.png".to_owned()),
        ]);
        let html = r#"<!DOCTYPE html><html><head><link rel="stylesheet" href="/style.css"><link rel="canonical" href="https://x.test/p/"></head>
<body><h2 id="intro">Intro</h2><a href="../other/#top">x</a> <a href="https://ext.test/">e</a> <img src="../../img/a.png" srcset="/img/a.png 2x">
<leptos-island data-component="X"><!>  <span>  a  </span></leptos-island></body></html>"#;
        let out = process(html, "/posts/p/", &assets, true).unwrap();
        let text = String::from_utf8(out.html).unwrap();
        assert!(text.contains("/style.aaaaaaaa.css"), "{text}");
        assert!(text.contains("src=/img/a.bbbbbbbb.png"), "{text}");
        assert!(text.contains("srcset=\"/img/a.bbbbbbbb.png 2x\""), "{text}");
        assert!(
            text.contains(
                r#"<leptos-island data-component="X"><!>  <span>  a  </span></leptos-island>"#
            ),
            "islands stay as rendered: {text}"
        );
        assert!(!text.contains("\n<body>"), "{text}");
        assert_eq!(
            out.links,
            [
                "/style.aaaaaaaa.css",
                "/posts/other/#top",
                "/img/a.bbbbbbbb.png",
                "/img/a.bbbbbbbb.png"
            ]
        );
        assert_eq!(out.ids, ["intro"]);
    }
}

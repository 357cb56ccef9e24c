//! The rich-text formats of headless CMSs, rendered to HTML (then sanitized with the
//! same rules as Markdown by the caller):
//!
//! * Contentful's Rich Text (`@contentful/rich-text-types`: a `document` of block and
//!   inline nodes, `text` leaves with `marks`), with links to entries and assets
//!   resolved from the response's `includes`;
//! * Sanity's Portable Text (`_type: "block"` with `style`, `listItem`/`level`,
//!   `children` spans with `marks` and `markDefs` annotations; `image` blocks by asset
//!   reference; `code` blocks of `@sanity/code-input`);
//! * Strapi 5's Blocks (`paragraph`, `heading`, `list`, `quote`, `code`, `image`, `link`,
//!   `text` with boolean marks).
//!
//! A node type, mark or annotation not listed here is rendered as its text (nothing is
//! dropped silently) and named once in the returned warnings.

use std::collections::BTreeSet;

use serde_json::Value;

/// Renders with the warnings of one document collected.
#[derive(Debug, Default)]
pub struct Rendered {
    /// The HTML (not sanitized yet).
    pub html: String,
    /// Each unknown node type, mark or annotation, once: `rich-text node type `x``.
    pub warnings: BTreeSet<String>,
}

// Text and attribute values are escaped as everywhere else in Atoll (`atoll-content`).
use crate::content::escape;

/// Every string of a node's `value`/`text` leaves, for an unknown node rendered as text.
fn plain_text(node: &Value, out: &mut String) {
    match node {
        Value::Object(map) => {
            for key in ["value", "text"] {
                if let Some(Value::String(text)) = map.get(key) {
                    out.push_str(text);
                }
            }
            for key in ["content", "children"] {
                if let Some(Value::Array(children)) = map.get(key) {
                    for child in children {
                        plain_text(child, out);
                    }
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| plain_text(item, out)),
        _ => {}
    }
}

fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut at = value;
    for key in path {
        at = at.get(key)?;
    }
    at.as_str()
}

// ---- Contentful Rich Text -------------------------------------------------------------

/// What a Contentful link (`sys.type: "Link"`) points to, for the renderer.
pub trait ContentfulLinks {
    /// The site URL of the entry `id` (a post: `/posts/<slug>/`) and its title, when
    /// it is included and mapped.
    fn entry(&self, id: &str) -> Option<(String, String)>;
    /// The URL (absolute), title, width and height of the asset `id`, when included.
    fn asset(&self, id: &str) -> Option<(String, String, Option<u64>, Option<u64>)>;
}

/// Renders a Contentful Rich Text `document`.
pub fn contentful(document: &Value, links: &dyn ContentfulLinks) -> Rendered {
    let mut out = Rendered::default();
    contentful_node(document, links, &mut out);
    out
}

fn contentful_children(node: &Value, links: &dyn ContentfulLinks, out: &mut Rendered) {
    if let Some(Value::Array(children)) = node.get("content") {
        for child in children {
            contentful_node(child, links, out);
        }
    }
}

fn contentful_wrap(tag: &str, node: &Value, links: &dyn ContentfulLinks, out: &mut Rendered) {
    out.html.push_str(&format!("<{tag}>"));
    contentful_children(node, links, out);
    out.html.push_str(&format!("</{tag}>"));
}

fn contentful_node(node: &Value, links: &dyn ContentfulLinks, out: &mut Rendered) {
    let kind = node.get("nodeType").and_then(Value::as_str).unwrap_or("");
    let target = str_at(node, &["data", "target", "sys", "id"]);
    match kind {
        "document" => contentful_children(node, links, out),
        "paragraph" => contentful_wrap("p", node, links, out),
        "heading-1" | "heading-2" | "heading-3" | "heading-4" | "heading-5" | "heading-6" => {
            let tag = format!("h{}", &kind[8..]);
            contentful_wrap(&tag, node, links, out);
        }
        "unordered-list" => contentful_wrap("ul", node, links, out),
        "ordered-list" => contentful_wrap("ol", node, links, out),
        "list-item" => contentful_wrap("li", node, links, out),
        "blockquote" => contentful_wrap("blockquote", node, links, out),
        "hr" => out.html.push_str("<hr>"),
        "table" => contentful_wrap("table", node, links, out),
        "table-row" => contentful_wrap("tr", node, links, out),
        "table-cell" => contentful_wrap("td", node, links, out),
        "table-header-cell" => contentful_wrap("th", node, links, out),
        "text" => {
            let mut html = escape(node.get("value").and_then(Value::as_str).unwrap_or(""));
            if let Some(Value::Array(marks)) = node.get("marks") {
                for mark in marks {
                    let mark = mark.get("type").and_then(Value::as_str).unwrap_or("");
                    let tag = match mark {
                        "bold" => "strong",
                        "italic" => "em",
                        "underline" => "u",
                        "code" => "code",
                        "superscript" => "sup",
                        "subscript" => "sub",
                        "strikethrough" => "s",
                        other => {
                            out.warnings.insert(format!("rich-text mark `{other}`"));
                            continue;
                        }
                    };
                    html = format!("<{tag}>{html}</{tag}>");
                }
            }
            out.html.push_str(&html);
        }
        "hyperlink" => {
            let uri = str_at(node, &["data", "uri"]).unwrap_or("");
            out.html.push_str(&format!("<a href=\"{}\">", escape(uri)));
            contentful_children(node, links, out);
            out.html.push_str("</a>");
        }
        "entry-hyperlink" => match target.and_then(|id| links.entry(id)) {
            Some((url, _)) => {
                out.html.push_str(&format!("<a href=\"{}\">", escape(&url)));
                contentful_children(node, links, out);
                out.html.push_str("</a>");
            }
            None => contentful_children(node, links, out),
        },
        "asset-hyperlink" => match target.and_then(|id| links.asset(id)) {
            Some((url, ..)) => {
                out.html.push_str(&format!("<a href=\"{}\">", escape(&url)));
                contentful_children(node, links, out);
                out.html.push_str("</a>");
            }
            None => contentful_children(node, links, out),
        },
        "embedded-asset-block" => match target.and_then(|id| links.asset(id)) {
            Some((url, title, width, height)) => {
                let size = match (width, height) {
                    (Some(w), Some(h)) => format!(" width=\"{w}\" height=\"{h}\""),
                    _ => String::new(),
                };
                out.html.push_str(&format!(
                    "<figure><img src=\"{}\" alt=\"{}\"{size}></figure>",
                    escape(&url),
                    escape(&title)
                ));
            }
            None => {
                out.warnings
                    .insert("rich-text embedded asset missing from `includes`".to_owned());
            }
        },
        "embedded-entry-block" | "embedded-entry-inline" => {
            match target.and_then(|id| links.entry(id)) {
                Some((url, title)) => {
                    let link = format!("<a href=\"{}\">{}</a>", escape(&url), escape(&title));
                    if kind == "embedded-entry-block" {
                        out.html.push_str(&format!("<p>{link}</p>"));
                    } else {
                        out.html.push_str(&link);
                    }
                }
                None => {
                    out.warnings.insert(format!(
                        "rich-text `{kind}` of an entry that is not a mapped type (left out)"
                    ));
                }
            }
        }
        other => {
            out.warnings
                .insert(format!("rich-text node type `{other}`"));
            let mut text = String::new();
            plain_text(node, &mut text);
            if !text.is_empty() {
                out.html.push_str(&format!("<p>{}</p>", escape(&text)));
            }
        }
    }
}

// ---- Sanity Portable Text -------------------------------------------------------------

/// A Sanity image URL from an asset reference `image-<id>-<w>x<h>-<ext>` (Sanity's
/// image pipeline: `https://cdn.sanity.io/images/<project>/<dataset>/<id>-<w>x<h>.<ext>`),
/// with its width and height.
pub fn sanity_image_url(
    reference: &str,
    project: &str,
    dataset: &str,
) -> Option<(String, u64, u64)> {
    let rest = reference.strip_prefix("image-")?;
    let (rest, ext) = rest.rsplit_once('-')?;
    let (id, size) = rest.rsplit_once('-')?;
    let (w, h) = size.split_once('x')?;
    let (w, h) = (w.parse().ok()?, h.parse().ok()?);
    if id.is_empty() || !ext.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some((
        format!("https://cdn.sanity.io/images/{project}/{dataset}/{id}-{w}x{h}.{ext}"),
        w,
        h,
    ))
}

/// Renders Portable Text `blocks`; images are resolved in `project`/`dataset`.
pub fn portable_text(blocks: &Value, project: &str, dataset: &str) -> Rendered {
    let mut out = Rendered::default();
    let Some(blocks) = blocks.as_array() else {
        return out;
    };
    // Open lists: (tag, level).
    let mut lists: Vec<(&'static str, u64)> = Vec::new();
    for block in blocks {
        let list = block.get("listItem").and_then(Value::as_str);
        let level = block
            .get("level")
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .max(1);
        let tag = match list {
            Some("number") => Some("ol"),
            Some(_) => Some("ul"),
            None => None,
        };
        // Close lists deeper than this block, or of another kind at its level.
        while let Some(&(open, open_level)) = lists.last() {
            let keep =
                tag.is_some_and(|tag| open_level < level || (open_level == level && open == tag));
            if keep {
                break;
            }
            out.html.push_str(&format!("</li></{open}>"));
            lists.pop();
        }
        if let Some(tag) = tag {
            match lists.last() {
                Some(&(open, open_level)) if open_level == level && open == tag => {
                    out.html.push_str("</li><li>");
                }
                _ => {
                    out.html.push_str(&format!("<{tag}><li>"));
                    lists.push((tag, level));
                }
            }
            if let Some(Value::String(kind)) = block.get("listItem") {
                if kind != "bullet" && kind != "number" {
                    out.warnings.insert(format!(
                        "Portable Text list item `{kind}` (shown as bullets)"
                    ));
                }
            }
            portable_spans(block, &mut out);
            continue;
        }
        portable_block(block, project, dataset, &mut out);
    }
    while let Some((open, _)) = lists.pop() {
        out.html.push_str(&format!("</li></{open}>"));
    }
    out
}

fn portable_block(block: &Value, project: &str, dataset: &str, out: &mut Rendered) {
    let kind = block.get("_type").and_then(Value::as_str).unwrap_or("");
    match kind {
        "block" => {
            let style = block
                .get("style")
                .and_then(Value::as_str)
                .unwrap_or("normal");
            let tag = match style {
                "normal" => "p",
                "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => style,
                "blockquote" => "blockquote",
                other => {
                    out.warnings.insert(format!(
                        "Portable Text style `{other}` (shown as a paragraph)"
                    ));
                    "p"
                }
            };
            out.html.push_str(&format!("<{tag}>"));
            portable_spans(block, out);
            out.html.push_str(&format!("</{tag}>"));
        }
        "image" => {
            let reference = str_at(block, &["asset", "_ref"]).unwrap_or("");
            match sanity_image_url(reference, project, dataset) {
                Some((url, w, h)) => {
                    let alt = block.get("alt").and_then(Value::as_str).unwrap_or("");
                    out.html.push_str(&format!(
                        "<figure><img src=\"{}\" alt=\"{}\" width=\"{w}\" height=\"{h}\"></figure>",
                        escape(&url),
                        escape(alt)
                    ));
                }
                None => {
                    out.warnings
                        .insert(format!("Portable Text image with the asset `{reference}`"));
                }
            }
        }
        "code" => {
            let code = block.get("code").and_then(Value::as_str).unwrap_or("");
            let class = block
                .get("language")
                .and_then(Value::as_str)
                .map(|l| format!(" class=\"language-{}\"", escape(l)))
                .unwrap_or_default();
            out.html
                .push_str(&format!("<pre><code{class}>{}</code></pre>", escape(code)));
        }
        other => {
            out.warnings
                .insert(format!("Portable Text block type `{other}`"));
            let mut text = String::new();
            plain_text(block, &mut text);
            if !text.is_empty() {
                out.html.push_str(&format!("<p>{}</p>", escape(&text)));
            }
        }
    }
}

fn portable_spans(block: &Value, out: &mut Rendered) {
    let defs: Vec<&Value> = block
        .get("markDefs")
        .and_then(Value::as_array)
        .map(|defs| defs.iter().collect())
        .unwrap_or_default();
    let Some(children) = block.get("children").and_then(Value::as_array) else {
        return;
    };
    for child in children {
        if child.get("_type").and_then(Value::as_str) != Some("span") {
            let kind = child.get("_type").and_then(Value::as_str).unwrap_or("?");
            out.warnings
                .insert(format!("Portable Text inline type `{kind}`"));
            let mut text = String::new();
            plain_text(child, &mut text);
            out.html.push_str(&escape(&text));
            continue;
        }
        let mut html = escape(child.get("text").and_then(Value::as_str).unwrap_or(""));
        if let Some(Value::Array(marks)) = child.get("marks") {
            for mark in marks.iter().filter_map(Value::as_str) {
                let simple = match mark {
                    "strong" => Some("strong"),
                    "em" => Some("em"),
                    "code" => Some("code"),
                    "underline" => Some("u"),
                    "strike-through" => Some("s"),
                    _ => None,
                };
                if let Some(tag) = simple {
                    html = format!("<{tag}>{html}</{tag}>");
                    continue;
                }
                match defs
                    .iter()
                    .find(|d| d.get("_key").and_then(Value::as_str) == Some(mark))
                {
                    Some(def) if def.get("_type").and_then(Value::as_str) == Some("link") => {
                        let href = def.get("href").and_then(Value::as_str).unwrap_or("");
                        html = format!("<a href=\"{}\">{html}</a>", escape(href));
                    }
                    Some(def) => {
                        let kind = def.get("_type").and_then(Value::as_str).unwrap_or("?");
                        out.warnings
                            .insert(format!("Portable Text annotation `{kind}`"));
                    }
                    None => {
                        out.warnings.insert(format!("Portable Text mark `{mark}`"));
                    }
                }
            }
        }
        out.html.push_str(&html);
    }
}

// ---- Strapi 5 Blocks ------------------------------------------------------------------

/// Renders a Strapi 5 Blocks field (the rich text editor's JSON); image URLs relative
/// to the Strapi server (`/uploads/…`, the local upload provider's) are joined to `base`.
pub fn strapi_blocks(blocks: &Value, base: Option<&reqwest::Url>) -> Rendered {
    let mut out = Rendered::default();
    if let Some(blocks) = blocks.as_array() {
        for block in blocks {
            strapi_node(block, base, &mut out);
        }
    }
    out
}

fn strapi_children(node: &Value, base: Option<&reqwest::Url>, out: &mut Rendered) {
    if let Some(Value::Array(children)) = node.get("children") {
        for child in children {
            strapi_node(child, base, out);
        }
    }
}

fn strapi_node(node: &Value, base: Option<&reqwest::Url>, out: &mut Rendered) {
    let kind = node.get("type").and_then(Value::as_str).unwrap_or("");
    let wrap = |tag: &str, out: &mut Rendered| {
        out.html.push_str(&format!("<{tag}>"));
        strapi_children(node, base, out);
        out.html.push_str(&format!("</{tag}>"));
    };
    match kind {
        "paragraph" => wrap("p", out),
        "heading" => {
            let level = node
                .get("level")
                .and_then(Value::as_u64)
                .unwrap_or(2)
                .clamp(1, 6);
            wrap(&format!("h{level}"), out);
        }
        "quote" => wrap("blockquote", out),
        "list" => {
            let tag = if node.get("format").and_then(Value::as_str) == Some("ordered") {
                "ol"
            } else {
                "ul"
            };
            wrap(tag, out);
        }
        "list-item" => wrap("li", out),
        "code" => {
            let mut text = String::new();
            plain_text(
                &Value::Array(
                    node.get("children")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default(),
                ),
                &mut text,
            );
            out.html
                .push_str(&format!("<pre><code>{}</code></pre>", escape(&text)));
        }
        "link" => {
            let url = node.get("url").and_then(Value::as_str).unwrap_or("");
            out.html.push_str(&format!("<a href=\"{}\">", escape(url)));
            strapi_children(node, base, out);
            out.html.push_str("</a>");
        }
        "image" => {
            let image = node.get("image").cloned().unwrap_or_default();
            let url = image.get("url").and_then(Value::as_str).unwrap_or("");
            let joined = base
                .filter(|_| url.starts_with('/'))
                .and_then(|b| b.join(url).ok());
            let url = joined.as_ref().map_or(url, reqwest::Url::as_str);
            let alt = image
                .get("alternativeText")
                .and_then(Value::as_str)
                .unwrap_or("");
            let size = match (
                image.get("width").and_then(Value::as_u64),
                image.get("height").and_then(Value::as_u64),
            ) {
                (Some(w), Some(h)) => format!(" width=\"{w}\" height=\"{h}\""),
                _ => String::new(),
            };
            out.html.push_str(&format!(
                "<figure><img src=\"{}\" alt=\"{}\"{size}></figure>",
                escape(url),
                escape(alt)
            ));
        }
        "text" => {
            let mut html = escape(node.get("text").and_then(Value::as_str).unwrap_or(""));
            for (mark, tag) in [
                ("code", "code"),
                ("bold", "strong"),
                ("italic", "em"),
                ("underline", "u"),
                ("strikethrough", "s"),
            ] {
                if node.get(mark).and_then(Value::as_bool) == Some(true) {
                    html = format!("<{tag}>{html}</{tag}>");
                }
            }
            out.html.push_str(&html);
        }
        other => {
            out.warnings.insert(format!(
                "Strapi block type `{other}` (not understood: rendered as its text)"
            ));
            let mut text = String::new();
            plain_text(node, &mut text);
            if !text.is_empty() {
                out.html.push_str(&format!("<p>{}</p>", escape(&text)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Links;
    impl ContentfulLinks for Links {
        fn entry(&self, id: &str) -> Option<(String, String)> {
            (id == "post-2").then(|| ("/posts/second/".to_owned(), "Second".to_owned()))
        }
        fn asset(&self, id: &str) -> Option<(String, String, Option<u64>, Option<u64>)> {
            (id == "img").then(|| {
                (
                    "https://images.ctfassets.net/s/img/a.png".to_owned(),
                    "A & B".to_owned(),
                    Some(640),
                    Some(480),
                )
            })
        }
    }

    #[test]
    fn contentful_rich_text_renders_marks_lists_links_and_assets() {
        let doc = json!({"nodeType": "document", "data": {}, "content": [
            {"nodeType": "heading-2", "data": {}, "content": [{"nodeType": "text", "value": "Hi <you>", "marks": [], "data": {}}]},
            {"nodeType": "paragraph", "data": {}, "content": [
                {"nodeType": "text", "value": "bold", "marks": [{"type": "bold"}, {"type": "italic"}], "data": {}},
                {"nodeType": "hyperlink", "data": {"uri": "https://example.org/?a=1&b=2"}, "content": [{"nodeType": "text", "value": "out", "marks": [], "data": {}}]},
                {"nodeType": "entry-hyperlink", "data": {"target": {"sys": {"id": "post-2", "type": "Link", "linkType": "Entry"}}}, "content": [{"nodeType": "text", "value": "in", "marks": [], "data": {}}]}
            ]},
            {"nodeType": "unordered-list", "data": {}, "content": [
                {"nodeType": "list-item", "data": {}, "content": [{"nodeType": "paragraph", "data": {}, "content": [{"nodeType": "text", "value": "one", "marks": [], "data": {}}]}]}
            ]},
            {"nodeType": "embedded-asset-block", "data": {"target": {"sys": {"id": "img", "type": "Link", "linkType": "Asset"}}}, "content": []},
            {"nodeType": "mystery-block", "data": {}, "content": [{"nodeType": "text", "value": "kept", "marks": [], "data": {}}]}
        ]});
        let out = contentful(&doc, &Links);
        assert_eq!(
            out.html,
            "<h2>Hi &lt;you&gt;</h2><p><em><strong>bold</strong></em><a href=\"https://example.org/?a=1&amp;b=2\">out</a><a href=\"/posts/second/\">in</a></p><ul><li><p>one</p></li></ul><figure><img src=\"https://images.ctfassets.net/s/img/a.png\" alt=\"A &amp; B\" width=\"640\" height=\"480\"></figure><p>kept</p>"
        );
        assert_eq!(
            out.warnings.into_iter().collect::<Vec<_>>(),
            ["rich-text node type `mystery-block`"]
        );
    }

    #[test]
    fn portable_text_renders_styles_nested_lists_annotations_and_images() {
        let blocks = json!([
            {"_type": "block", "_key": "a", "style": "h2", "markDefs": [], "children": [{"_type": "span", "text": "Title", "marks": []}]},
            {"_type": "block", "_key": "b", "style": "normal", "markDefs": [{"_key": "l1", "_type": "link", "href": "https://sanity.io"}],
             "children": [{"_type": "span", "text": "see ", "marks": ["em"]}, {"_type": "span", "text": "docs", "marks": ["l1", "strong"]}]},
            {"_type": "block", "_key": "c", "style": "normal", "listItem": "bullet", "level": 1, "markDefs": [], "children": [{"_type": "span", "text": "one", "marks": []}]},
            {"_type": "block", "_key": "d", "style": "normal", "listItem": "number", "level": 2, "markDefs": [], "children": [{"_type": "span", "text": "one.a", "marks": []}]},
            {"_type": "block", "_key": "e", "style": "normal", "listItem": "bullet", "level": 1, "markDefs": [], "children": [{"_type": "span", "text": "two", "marks": []}]},
            {"_type": "image", "_key": "f", "alt": "Reef", "asset": {"_ref": "image-Tb9Ew8CXIwaY6R1kjMvI0uRR-2000x3000-jpg", "_type": "reference"}},
            {"_type": "code", "_key": "g", "language": "rust", "code": "fn main() {}"},
            {"_type": "callout", "_key": "h", "text": "Careful"}
        ]);
        let out = portable_text(&blocks, "abc123", "production");
        assert_eq!(
            out.html,
            "<h2>Title</h2><p><em>see </em><strong><a href=\"https://sanity.io\">docs</a></strong></p><ul><li>one<ol><li>one.a</li></ol></li><li>two</li></ul><figure><img src=\"https://cdn.sanity.io/images/abc123/production/Tb9Ew8CXIwaY6R1kjMvI0uRR-2000x3000.jpg\" alt=\"Reef\" width=\"2000\" height=\"3000\"></figure><pre><code class=\"language-rust\">fn main() {}</code></pre><p>Careful</p>"
        );
        assert_eq!(
            out.warnings.into_iter().collect::<Vec<_>>(),
            ["Portable Text block type `callout`"]
        );
    }

    #[test]
    fn strapi_blocks_render() {
        let blocks = json!([
            {"type": "heading", "level": 2, "children": [{"type": "text", "text": "Hello"}]},
            {"type": "paragraph", "children": [{"type": "text", "text": "a", "bold": true}, {"type": "link", "url": "https://strapi.io", "children": [{"type": "text", "text": "b"}]}]},
            {"type": "list", "format": "ordered", "children": [{"type": "list-item", "children": [{"type": "text", "text": "x"}]}]},
            {"type": "code", "children": [{"type": "text", "text": "let x = 1 < 2;"}]},
            {"type": "widget", "children": [{"type": "text", "text": "w"}]}
        ]);
        let out = strapi_blocks(&blocks, None);
        assert_eq!(
            out.html,
            "<h2>Hello</h2><p><strong>a</strong><a href=\"https://strapi.io\">b</a></p><ol><li>x</li></ol><pre><code>let x = 1 &lt; 2;</code></pre><p>w</p>"
        );
        assert_eq!(out.warnings.len(), 1);
    }
}

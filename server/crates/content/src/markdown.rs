//! Markdown to sanitized HTML (CommonMark + GFM tables, footnotes, strikethrough and
//! task lists, via pulldown-cmark), plus the plain text and the pieces the content
//! model needs (first `# heading`, first paragraph).

use std::collections::HashMap;
use std::sync::LazyLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::highlight::{self, Fence};

/// Longest generated summary, in characters.
const SUMMARY_CHARS: usize = 280;

/// A Markdown document, rendered.
#[derive(Debug, Default, PartialEq)]
pub struct Rendered {
    /// Sanitized HTML of the body (without the leading `# heading` when it was taken as
    /// the title).
    pub html: String,
    /// The body as plain text, blocks separated by newlines.
    pub text: String,
    /// Text of the first `# heading`, when it is the document's first block and
    /// `take_title` was set.
    pub title: Option<String>,
    /// Plain text of the first paragraph, shortened to about 280 characters.
    pub first_paragraph: String,
    /// The headings of levels 2 to 4, in order, with their ids.
    pub toc: Vec<app::Heading>,
    /// The URLs of images without alt text (`![](photo.jpg)`), to be named in
    /// warnings: screen readers have nothing to say about them.
    pub images_without_alt: Vec<String>,
}

/// Renders `markdown`. With `take_title`, a level-1 heading that opens the document is
/// removed from the HTML and returned as [`Rendered::title`] (the page shows the title
/// itself).
///
/// Headings get an `id` (explicit `{#id}` or a slug of their text, made unique with
/// `-1`, `-2`…) so they can be linked. Raw HTML is allowed in the source but the output
/// goes through ammonia: scripts, event handlers, `javascript:` URLs and unknown tags are
/// removed.
pub fn render(markdown: &str, take_title: bool) -> Rendered {
    render_with(markdown, take_title, app::AnchorLinks::None)
}

/// [`render`], with a link to each heading placed as `anchors` says (Zola's
/// `insert_anchor_links`): `<a class="anchor" href="#id" aria-label="Link to this
/// section">#</a>` before or after the text, or the text itself as the link.
pub fn render_with(markdown: &str, take_title: bool, anchors: app::AnchorLinks) -> Rendered {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION;
    // Hugo's `{{< highlight >}}` blocks are code blocks.
    let markdown = &*super::shortcodes::hugo_highlight(markdown);
    let mut events: Vec<Event> = Parser::new_ext(markdown, options).collect();
    super::shortcodes::expand(&mut events);

    let mut rendered = Rendered::default();
    for (i, event) in events.iter().enumerate() {
        if let Event::Start(Tag::Image { dest_url, .. }) = event {
            if matches!(events.get(i + 1), Some(Event::End(TagEnd::Image))) {
                rendered.images_without_alt.push(dest_url.to_string());
            }
        }
    }
    if take_title {
        if let Some(Event::Start(Tag::Heading {
            level: HeadingLevel::H1,
            ..
        })) = events.first()
        {
            let end = events
                .iter()
                .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
                .unwrap_or(0);
            rendered.title = Some(plain_text(&events[1..end]).trim().to_owned());
            events.drain(..=end);
        }
    }

    assign_heading_ids(&mut events);
    rendered.text = document_text(&events);
    rendered.first_paragraph = more_marker(&events).unwrap_or_else(|| first_paragraph(&events));
    rendered.toc = headings(&events);
    // The highlighted blocks are our own markup around escaped text: they go in after
    // the sanitizer, which would otherwise parse thousands of token spans per page.
    let nonce = {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        markdown.hash(&mut hasher);
        hasher.finish()
    };
    let blocks = highlight_code_blocks(&mut events, nonce);
    insert_anchor_links(&mut events, anchors);

    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    let clean = SANITIZER.clean(&html).to_string();
    rendered.html = if blocks.is_empty() {
        clean
    } else {
        // One pass: the placeholders come out of the sanitizer in order.
        let mut html =
            String::with_capacity(clean.len() + blocks.iter().map(String::len).sum::<usize>());
        let mut rest = clean.as_str();
        for (i, block) in blocks.iter().enumerate() {
            let mark = placeholder(i, nonce);
            if let Some(at) = rest.find(&mark) {
                html.push_str(&rest[..at]);
                html.push_str(block);
                rest = &rest[at + mark.len()..];
            }
        }
        html.push_str(rest);
        html
    };
    rendered
}

/// Where code block `i` goes, through the sanitizer (a `div` with an id it keeps).
fn placeholder(i: usize, nonce: u64) -> String {
    format!("<div id=\"atoll-code-{i}-{nonce:x}\"></div>")
}

/// The headings of levels 2 to 4 with their ids (set by [`assign_heading_ids`]).
fn headings(events: &[Event]) -> Vec<app::Heading> {
    let mut toc = Vec::new();
    for (i, event) in events.iter().enumerate() {
        if let Event::Start(Tag::Heading { level, id, .. }) = event {
            let level = match level {
                HeadingLevel::H2 => 2,
                HeadingLevel::H3 => 3,
                HeadingLevel::H4 => 4,
                _ => continue,
            };
            let end = events[i..]
                .iter()
                .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
                .map_or(events.len(), |n| i + n);
            toc.push(app::Heading {
                level,
                id: id.as_deref().unwrap_or_default().to_owned(),
                title: plain_text(&events[i + 1..end]).trim().to_owned(),
            });
        }
    }
    toc
}

/// Adds the links of [`app::AnchorLinks`] to every heading with an id.
fn insert_anchor_links(events: &mut Vec<Event>, anchors: app::AnchorLinks) {
    use app::AnchorLinks;
    if anchors == AnchorLinks::None {
        return;
    }
    let mut out = Vec::with_capacity(events.len() + events.len() / 8);
    let mut current: Option<String> = None;
    for event in events.drain(..) {
        match &event {
            Event::Start(Tag::Heading { id: Some(id), .. }) => {
                let id = id.to_string();
                out.push(event);
                match anchors {
                    AnchorLinks::Left => out.push(Event::Html(anchor(&id).into())),
                    AnchorLinks::Heading => out.push(Event::Html(
                        format!("<a class=\"anchor-heading\" href=\"#{id}\">").into(),
                    )),
                    _ => {}
                }
                current = Some(id);
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(id) = current.take() {
                    match anchors {
                        AnchorLinks::Right => out.push(Event::Html(anchor(&id).into())),
                        AnchorLinks::Heading => out.push(Event::Html("</a>".into())),
                        _ => {}
                    }
                }
                out.push(event);
            }
            _ => out.push(event),
        }
    }
    *events = out;
}

/// The `#` link of a heading (ids are slugs or `{#id}`s; quotes are escaped anyway).
fn anchor(id: &str) -> String {
    let id = id.replace('"', "&quot;");
    format!(" <a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a> ")
}

/// Replaces each code block (its start, text and end events) by a [`placeholder`] and
/// returns their highlighted HTML ([`highlight::highlight`]), in order; indented blocks
/// have no language and stay plain.
fn highlight_code_blocks(events: &mut Vec<Event>, nonce: u64) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut out = Vec::with_capacity(events.len());
    let mut block: Option<(Fence, String)> = None;
    for event in events.drain(..) {
        match (&mut block, event) {
            (None, Event::Start(Tag::CodeBlock(kind))) => {
                let fence = match kind {
                    CodeBlockKind::Fenced(info) => Fence::parse(&info),
                    CodeBlockKind::Indented => Fence::parse(""),
                };
                block = Some((fence, String::new()));
            }
            (Some((_, code)), Event::Text(text)) => code.push_str(&text),
            (Some(_), Event::End(TagEnd::CodeBlock)) => {
                let (fence, code) = block.take().expect("inside a block");
                out.push(Event::Html(placeholder(blocks.len(), nonce).into()));
                blocks.push(highlight::highlight(&code, &fence));
            }
            (Some(_), _) => {}
            (None, event) => out.push(event),
        }
    }
    *events = out;
    blocks
}

/// Gives every heading an id: its explicit `{#id}`, else a slug of its text.
fn assign_heading_ids(events: &mut [Event]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { .. }) = &events[i] {
            let end = events[i..]
                .iter()
                .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
                .map_or(events.len(), |n| i + n);
            let text = plain_text(&events[i + 1..end]);
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                let base = match id {
                    Some(explicit) => explicit.to_string(),
                    None => {
                        let slug = slug::slugify(text.trim());
                        if slug.is_empty() {
                            "section".to_owned()
                        } else {
                            slug
                        }
                    }
                };
                let count = seen.entry(base.clone()).or_insert(0);
                let unique = if *count == 0 {
                    base
                } else {
                    format!("{base}-{count}")
                };
                *count += 1;
                *id = Some(CowStr::from(unique));
            }
            i = end;
        }
        i += 1;
    }
}

/// Concatenated text of inline events.
fn plain_text(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text
}

/// The whole document as text, a newline after every block.
fn document_text(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_),
            ) if !text.ends_with('\n') => text.push('\n'),
            _ => {}
        }
    }
    text.trim().to_owned()
}

/// Text of the first top-level paragraph, cut at a word boundary.
/// The text before a `<!-- more -->` marker (Zola's and Hugo's summary divider), if the
/// body has one (also `<!--more-->`), shortened like a first paragraph.
fn more_marker(events: &[Event]) -> Option<String> {
    let at = events.iter().position(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => {
            let html = html.trim();
            html.strip_prefix("<!--")
                .and_then(|rest| rest.strip_suffix("-->"))
                .is_some_and(|inner| inner.trim() == "more")
        }
        _ => false,
    })?;
    let text = document_text(&events[..at]);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(shorten(&text, SUMMARY_CHARS * 2))
}

fn first_paragraph(events: &[Event]) -> String {
    let mut depth = 0usize;
    for (i, event) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Paragraph) if depth == 0 => {
                let end = events[i..]
                    .iter()
                    .position(|e| matches!(e, Event::End(TagEnd::Paragraph)))
                    .map_or(events.len(), |n| i + n);
                return shorten(plain_text(&events[i + 1..end]).trim(), SUMMARY_CHARS);
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    String::new()
}

/// `text` cut to at most `max` characters at a word boundary, with an ellipsis.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((cut, _)) => {
            let cut = text[..cut].rfind(char::is_whitespace).unwrap_or(cut);
            format!("{}…", text[..cut].trim_end())
        }
    }
}

/// Sanitizes HTML from elsewhere (a headless CMS) with the same rules as rendered
/// Markdown.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// ammonia's defaults plus what pulldown-cmark emits: heading and footnote ids, task
/// list checkboxes, code block languages and table cell alignment.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("pre", ["class"])
        .add_tag_attributes("span", ["class"])
        .add_tag_attributes("div", ["class", "id"])
        .add_tag_attributes("sup", ["class", "id"])
        .add_tag_attributes("li", ["id"])
        .add_tag_attributes("a", ["class", "aria-label"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .link_rel(None)
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("input", "type") => (value == "checkbox").then_some(value.into()),
            ("code", "class") => value.starts_with("language-").then_some(value.into()),
            ("pre", "class") => (value == "hl-code").then_some(value.into()),
            // Highlighted tokens and lines (`hl-keyword hl-rust`, `hl-line hl-mark`).
            ("span", "class") => value
                .split_whitespace()
                .all(|class| class.starts_with("hl-"))
                .then_some(value.into()),
            ("th" | "td", "style") => matches!(
                value,
                "text-align: left" | "text-align: center" | "text-align: right"
            )
            .then_some(value.into()),
            _ => Some(value.into()),
        });
    for heading in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        builder.add_tag_attributes(heading, ["id"]);
    }
    builder
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gfm_features_render() {
        let md = "\
| a | b |
|:--|--:|
| 1 | 2 |

~~gone~~

- [x] done
- [ ] todo

Text with a note.[^1]

[^1]: The note.
";
        let html = render(md, false).html;
        assert!(html.contains("<table>"), "{html}");
        assert!(
            html.contains(r#"<th style="text-align: left">a</th>"#),
            "{html}"
        );
        assert!(html.contains("<del>gone</del>"), "{html}");
        assert!(
            html.contains(r#"<li><input disabled="" type="checkbox" checked="">"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<li><input disabled="" type="checkbox">"#),
            "{html}"
        );
        assert!(html.contains(r#"class="footnote-reference""#), "{html}");
        assert!(html.contains(r#"class="footnote-definition""#), "{html}");
    }

    #[test]
    fn headings_get_unique_ids() {
        let html = render(
            "## Getting started\n\n## Getting started\n\n### Custom {#mine}\n\n## Café & crème",
            false,
        )
        .html;
        assert!(html.contains(r#"<h2 id="getting-started">"#), "{html}");
        assert!(html.contains(r#"<h2 id="getting-started-1">"#), "{html}");
        assert!(html.contains(r#"<h3 id="mine">Custom</h3>"#), "{html}");
        assert!(html.contains(r#"<h2 id="cafe-creme">"#), "{html}");
    }

    #[test]
    fn code_blocks_keep_their_language() {
        let html = render("```rust\nfn main() {}\n```", false).html;
        assert!(html.contains(r#"<code class="language-rust">"#), "{html}");
        assert!(html.contains(">main</span>"), "{html}");
    }

    #[test]
    fn raw_html_is_sanitized() {
        let md = "Hi <script>alert(1)</script><b onclick=\"x()\">bold</b>\n\n\
                  <a href=\"javascript:alert(1)\">link</a> <iframe src=\"https://evil\"></iframe>\n\n\
                  <img src=\"x.png\" onerror=\"alert(1)\" alt=\"pic\">\n\n\
                  <code class=\"evil\">x</code> <input type=\"text\" value=\"v\">";
        let html = render(md, false).html;
        for bad in [
            "<script",
            "alert(1)",
            "onclick",
            "javascript:",
            "<iframe",
            "onerror",
            "class=\"evil\"",
            "type=\"text\"",
        ] {
            assert!(!html.contains(bad), "{bad} survived in {html}");
        }
        assert!(html.contains("<b>bold</b>"), "{html}");
        assert!(html.contains(r#"<img src="x.png" alt="pic">"#), "{html}");
    }

    #[test]
    fn leading_h1_becomes_the_title() {
        let r = render("# The *Title*\n\nFirst paragraph\nwraps.\n\nSecond.", true);
        assert_eq!(r.title.as_deref(), Some("The Title"));
        assert!(!r.html.contains("<h1"), "{}", r.html);
        assert_eq!(r.first_paragraph, "First paragraph wraps.");
        assert_eq!(r.text, "First paragraph wraps.\nSecond.");
        // Not taken when not asked, nor when it is not the first block.
        assert!(render("# T\n\nx", false).title.is_none());
        assert!(render("Intro\n\n# T", true).title.is_none());
    }

    #[test]
    fn the_more_marker_ends_the_summary() {
        let r = render(
            "Intro one.\n\nIntro two.\n\n<!-- more -->\n\nThe rest.",
            false,
        );
        assert_eq!(r.first_paragraph, "Intro one. Intro two.");
        assert!(r.html.contains("The rest."));
        let hugo = render("Lead.\n<!--more-->\nRest.", false);
        assert_eq!(hugo.first_paragraph, "Lead.");
    }

    #[test]
    fn first_paragraph_skips_nested_and_is_shortened() {
        let r = render("> quoted\n\n- item\n\nReal paragraph.", false);
        assert_eq!(r.first_paragraph, "Real paragraph.");
        let long = "word ".repeat(200);
        let summary = render(&long, false).first_paragraph;
        assert!(summary.ends_with('…') && summary.chars().count() <= SUMMARY_CHARS + 1);
    }

    #[test]
    fn code_blocks_are_highlighted_and_survive_the_sanitizer() {
        let md = "```rust,linenos,hl_lines=2\nfn main() {\n    let x = \"<b>\";\n}\n```\n\n    indented <code>\n";
        let html = render(md, false).html;
        assert!(
            html.contains("<pre class=\"hl-code\"><code class=\"language-rust\">"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-"),
            "token spans kept: {html}"
        );
        assert!(html.contains("<span class=\"hl-line hl-mark\">"), "{html}");
        assert!(html.contains("<span class=\"hl-ln\">1</span>"), "{html}");
        assert!(html.contains("&lt;b&gt;"), "code stays escaped: {html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("indented &lt;code&gt;"), "{html}");
        // A class that is not the highlighter's is still removed.
        let html = render("<span class=\"evil\">x</span>", false).html;
        assert!(!html.contains("evil"), "{html}");
    }

    #[test]
    fn headings_give_a_toc_and_anchor_links() {
        let md = "# Title\n\n## First part\n\n### Detail `x`\n\n#### Deep\n\n##### Too deep\n\n## First part\n";
        let rendered = render_with(md, true, app::AnchorLinks::Right);
        let toc: Vec<(u8, &str, &str)> = rendered
            .toc
            .iter()
            .map(|h| (h.level, h.id.as_str(), h.title.as_str()))
            .collect();
        assert_eq!(
            toc,
            [
                (2, "first-part", "First part"),
                (3, "detail-x", "Detail x"),
                (4, "deep", "Deep"),
                (2, "first-part-1", "First part"),
            ]
        );
        let html = rendered.html;
        assert!(
            html.contains(r##"<h2 id="first-part">First part <a class="anchor" href="#first-part" aria-label="Link to this section">#</a> </h2>"##),
            "{html}"
        );
        let images = render("![](a.jpg) ![A hill](b.jpg)", false).images_without_alt;
        assert_eq!(images, ["a.jpg"]);
        let left = render_with("## A\n", false, app::AnchorLinks::Left).html;
        assert!(
            left.starts_with(r##"<h2 id="a"> <a class="anchor" href="#a""##),
            "{left}"
        );
        let whole = render_with("## A\n", false, app::AnchorLinks::Heading).html;
        assert!(
            whole.contains(r##"<h2 id="a"><a class="anchor-heading" href="#a">A</a></h2>"##),
            "{whole}"
        );
        assert!(
            !render("## A\n", false).html.contains("<a"),
            "none by default"
        );
    }
}

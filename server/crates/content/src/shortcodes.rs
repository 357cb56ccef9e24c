//! Shortcodes of Zola (`{{ youtube(id="dQw4w9WgXcQ") }}`) and Hugo
//! (`{{< youtube dQw4w9WgXcQ >}}`, `{{% … %}}`) written alone in a paragraph, as
//! plain HTML with no third-party script or iframe: a visitor's browser contacts
//! YouTube, Vimeo or GitHub only if they follow the link.
//!
//! Known: `youtube` and `vimeo` (`id`), `gist` (Zola `url`; Hugo `user id` or
//! `url`), `figure` (Hugo: `src`, `alt`, `title`, `caption`, `link`), and Hugo's
//! paired `highlight` (a highlighted code block, see [`hugo_highlight`]). Any other
//! shortcode — in its own paragraph, inside prose, or one of Zola's body shortcodes
//! (`{% note() %}…{% end %}`, defined by a site's templates) — stays in the text as
//! written, with one warning per name per process.

use std::collections::{HashMap, HashSet};
use std::sync::{LazyLock, Mutex};

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::escape;

/// Names already warned about.
static UNKNOWN: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(Default::default);

/// A shortcode call: its name, positional and named arguments.
#[derive(Debug, Default, PartialEq)]
struct Call {
    name: String,
    positional: Vec<String>,
    named: HashMap<String, String>,
}

impl Call {
    fn arg(&self, key: &str, position: usize) -> Option<&str> {
        self.named
            .get(key)
            .or_else(|| self.positional.get(position))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// Replaces each paragraph that is one known shortcode by its HTML.
pub fn expand(events: &mut Vec<Event>) {
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Paragraph) = events[i] {
            let end = events[i..]
                .iter()
                .position(|e| matches!(e, Event::End(TagEnd::Paragraph)))
                .map_or(events.len(), |n| i + n);
            let inner = &events[i + 1..end.min(events.len())];
            // Text only (smart punctuation may split it): anything else is prose.
            let text: Option<String> = inner
                .iter()
                .map(|e| match e {
                    Event::Text(t) => Some(t.to_string()),
                    Event::SoftBreak => Some(" ".to_owned()),
                    _ => None,
                })
                .collect();
            if let Some(call) = text.as_deref().and_then(parse) {
                if let Some(html) = render(&call) {
                    out.push(Event::Html(html.into()));
                    i = end + 1;
                    continue;
                }
                warn_unknown(&call.name);
            }
        }
        // Shortcodes inside prose, and Zola's body shortcodes (`{% note() %}…{% end %}`):
        // Atoll knows none of those, so each name is named once.
        if let Event::Text(text) = &events[i] {
            for name in names_in(text) {
                warn_unknown(&name);
            }
        }
        out.push(events[i].clone());
        i += 1;
    }
    *events = out;
}

/// Warns once per process about the shortcode `name`, left in the text as written.
fn warn_unknown(name: &str) {
    if UNKNOWN
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(name.to_owned())
    {
        tracing::warn!("shortcode `{name}` is not known to Atoll: left in the text as written");
    }
}

/// The names of the shortcode calls in `text` that Atoll does not expand there: Hugo's
/// `{{< name …>}}`/`{{% name …%}}` (not closing tags, not `ref`/`relref`, resolved
/// elsewhere), Zola's `{{ name(…) }}` and `{% name(…) %}` (`{% end %}` is no call).
fn names_in(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(['{']) {
        let tail = &rest[at..];
        let (inner, zola) = if let Some(t) = tail
            .strip_prefix("{{<")
            .or_else(|| tail.strip_prefix("{{%"))
        {
            (t, false)
        } else if let Some(t) = tail.strip_prefix("{{").or_else(|| tail.strip_prefix("{%")) {
            (t, true)
        } else {
            rest = &tail[1..];
            continue;
        };
        let inner = inner.trim_start();
        let name: String = inner
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        let after = inner[name.len()..].trim_start();
        let call = !name.is_empty()
            && if zola {
                after.starts_with('(')
            } else {
                !matches!(name.as_str(), "ref" | "relref")
            };
        if call {
            names.push(name);
        }
        rest = &tail[2..];
    }
    names
}

/// Hugo's `highlight` shortcode, each tag on its own line:
///
/// ```text
/// {{< highlight go "linenos=table,hl_lines=8 15-17,linenostart=199" >}}
/// …code…
/// {{< /highlight >}}
/// ```
///
/// rewritten as the fenced block Atoll highlights (`go,linenos,hl_lines=8 15-17,
/// linenostart=199`, Zola's fence syntax). Other text is returned unchanged.
pub fn hugo_highlight(markdown: &str) -> std::borrow::Cow<'_, str> {
    if !markdown.contains("highlight") {
        return std::borrow::Cow::Borrowed(markdown);
    }
    let mut out = String::with_capacity(markdown.len());
    let mut changed = false;
    let mut open = false;
    for line in markdown.split_inclusive('\n') {
        let bare = line.trim();
        let tag = bare
            .strip_prefix("{{<")
            .and_then(|t| t.strip_suffix(">}}"))
            .or_else(|| bare.strip_prefix("{{%").and_then(|t| t.strip_suffix("%}}")))
            .map(str::trim);
        match tag {
            Some(inner) if !open && inner.starts_with("highlight ") => {
                let args = arguments(&inner["highlight".len()..], ' ');
                let language = args
                    .iter()
                    .find(|(k, _)| k.is_none())
                    .map_or("", |(_, v)| v.as_str());
                let mut info = vec![language.to_owned()];
                // `linenos=table|inline|true`, `hl_lines`, `linenostart`, written as
                // one quoted `key=value,…` list or as separate arguments.
                for (key, value) in args.iter().skip(1) {
                    let text = match key {
                        Some(key) => format!("{key}={value}"),
                        None => value.clone(),
                    };
                    let pairs: Vec<(String, String)> = text
                        .split(',')
                        .filter_map(|kv| kv.split_once('='))
                        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                        .collect();
                    for (key, value) in pairs {
                        match key.as_str() {
                            "linenos" if value != "false" => info.push("linenos".to_owned()),
                            "hl_lines" | "linenostart" => info.push(format!("{key}={value}")),
                            _ => {}
                        }
                    }
                }
                out.push_str("```");
                out.push_str(&info.join(","));
                out.push('\n');
                open = true;
                changed = true;
            }
            Some(inner)
                if open
                    && inner.trim_start_matches('/').trim() == "highlight"
                    && inner.starts_with('/') =>
            {
                out.push_str("```\n");
                open = false;
            }
            _ => out.push_str(line),
        }
    }
    if open {
        out.push_str("\n```\n");
    }
    if changed {
        std::borrow::Cow::Owned(out)
    } else {
        std::borrow::Cow::Borrowed(markdown)
    }
}

/// Reads `{{< name a b key="v" >}}`, `{{% name … %}}` (Hugo) or `{{ name(key="v") }}`
/// (Zola). Curly quotes (from smart punctuation) count as straight ones.
fn parse(text: &str) -> Option<Call> {
    let text = text
        .trim()
        .replace(['\u{201c}', '\u{201d}', '\u{2033}'], "\"")
        .replace(['\u{2018}', '\u{2019}'], "'");
    let hugo = text
        .strip_prefix("{{<")
        .and_then(|t| t.strip_suffix(">}}"))
        .or_else(|| text.strip_prefix("{{%").and_then(|t| t.strip_suffix("%}}")));
    if let Some(inner) = hugo {
        let mut words = arguments(inner.trim(), ' ');
        let first = words.first()?.1.clone();
        if first.starts_with('/') || words.first()?.0.is_some() {
            return None;
        }
        words.remove(0);
        return Some(call(first, words));
    }
    let inner = text.strip_prefix("{{")?.strip_suffix("}}")?.trim();
    let open = inner.find('(')?;
    let name = inner[..open].trim().to_owned();
    let args = inner[open + 1..].strip_suffix(')')?;
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    Some(call(name, arguments(args, ',')))
}

fn call(name: String, args: Vec<(Option<String>, String)>) -> Call {
    let mut call = Call {
        name,
        ..Call::default()
    };
    for (key, value) in args {
        match key {
            Some(key) => {
                call.named.insert(key, value);
            }
            None => call.positional.push(value),
        }
    }
    call
}

/// Splits `a "b c" key="v" key2=w` on `separator` outside quotes, into
/// (key, value) pairs with the quotes removed.
fn arguments(text: &str, separator: char) -> Vec<(Option<String>, String)> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => quote = Some(c),
            (None, c) if c == separator || (separator == ' ' && c.is_whitespace()) => {
                parts.push(std::mem::take(&mut current));
            }
            (None, c) => current.push(c),
        }
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|part| part.trim().to_owned())
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((key, value)) if !key.is_empty() && !key.contains(' ') => {
                (Some(key.trim().to_owned()), value.trim().to_owned())
            }
            _ => (None, part),
        })
        .collect()
}

/// The HTML of a known shortcode; `None` for an unknown one (or one missing what it
/// needs).
fn render(call: &Call) -> Option<String> {
    let link = |href: String, text: String| {
        format!(
            "<p class=\"embed embed-{}\"><a href=\"{}\">{}</a></p>",
            call.name,
            escape(&href),
            escape(&text)
        )
    };
    match call.name.as_str() {
        "youtube" | "vimeo" => {
            let (site, base) = match call.name.as_str() {
                "youtube" => ("YouTube", "https://www.youtube.com/watch?v="),
                _ => ("Vimeo", "https://vimeo.com/"),
            };
            let id = call.arg("id", 0)?;
            let title = call.arg("title", 1).unwrap_or("the video");
            Some(link(
                format!("{base}{id}"),
                format!("Watch {title} on {site}"),
            ))
        }
        "gist" => {
            let url = match call.arg("url", usize::MAX) {
                Some(url) => url.to_owned(),
                None => format!(
                    "https://gist.github.com/{}/{}",
                    call.arg("user", 0)?,
                    call.arg("id", 1)?
                ),
            };
            Some(link(url, "View the gist on GitHub".to_owned()))
        }
        "figure" => {
            let src = call.arg("src", 0)?;
            let alt = call.arg("alt", usize::MAX).unwrap_or_default();
            let caption = call
                .arg("caption", usize::MAX)
                .or_else(|| call.arg("title", usize::MAX));
            let img = format!("<img src=\"{}\" alt=\"{}\">", escape(src), escape(alt));
            let img = match call.arg("link", usize::MAX) {
                Some(href) => format!("<a href=\"{}\">{img}</a>", escape(href)),
                None => img,
            };
            let caption = caption
                .map(|c| format!("<figcaption>{}</figcaption>", escape(c)))
                .unwrap_or_default();
            Some(format!("<figure>{img}{caption}</figure>"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_syntaxes_are_read() {
        let zola = parse("{{ youtube(id=\"dQw4w9WgXcQ\", autoplay=true) }}").unwrap();
        assert_eq!(zola.name, "youtube");
        assert_eq!(zola.arg("id", 0), Some("dQw4w9WgXcQ"));
        assert_eq!(zola.named["autoplay"], "true");
        let hugo = parse("{{< gist spf13 7896402 >}}").unwrap();
        assert_eq!((hugo.name.as_str(), hugo.positional.len()), ("gist", 2));
        let curly =
            parse("{{< figure src=\u{201c}/a b.jpg\u{201d} caption=\u{201c}A, B\u{201d} >}}")
                .unwrap();
        assert_eq!(curly.named["src"], "/a b.jpg");
        assert_eq!(curly.named["caption"], "A, B");
        assert!(
            parse("{{< /note >}}").is_none(),
            "a closing tag is not a call"
        );
        assert!(parse("Just {{ text }} here").is_none());
        assert_eq!(
            names_in("A {{< tweet 1 >}}, {{< /tweet >}}, {{< ref \"x\" >}}, {{ note(a=1) }}, {% aside() %} and {% end %} {{ text }}."),
            ["tweet", "note", "aside"]
        );
    }

    #[test]
    fn hugos_highlight_becomes_a_highlighted_fence() {
        let md = "Before.\n\n{{< highlight go \"linenos=table,hl_lines=2,linenostart=10\" >}}\nfunc main() {\n}\n{{< / highlight >}}\n\nAfter.\n";
        let fenced = hugo_highlight(md);
        assert!(
            fenced.contains("```go,linenos,hl_lines=2,linenostart=10\nfunc main() {\n}\n```\n"),
            "{fenced}"
        );
        let html = super::super::markdown::render(md, false).html;
        assert!(html.contains("language-go"), "{html}");
        assert!(!html.contains("highlight"), "{html}");
        assert!(matches!(
            hugo_highlight("no shortcode"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn known_ones_become_links_and_figures_unknown_ones_stay() {
        let html = |md: &str| super::super::markdown::render(md, false).html;
        let youtube = html("Before.\n\n{{ youtube(id=\"dQw4w9WgXcQ\") }}\n\nAfter.");
        assert!(
            youtube.contains(r#"<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">Watch the video on YouTube</a>"#),
            "{youtube}"
        );
        assert!(
            !youtube.contains("<iframe") && !youtube.contains("<script"),
            "{youtube}"
        );
        let gist = html("{{< gist spf13 7896402 >}}");
        assert!(
            gist.contains("https://gist.github.com/spf13/7896402"),
            "{gist}"
        );
        let figure = html("{{< figure src=\"/images/a.png\" alt=\"A chart\" caption=\"Sales\" >}}");
        assert!(
            figure.contains(r#"<img src="/images/a.png" alt="A chart">"#),
            "{figure}"
        );
        assert!(
            figure.contains("<figcaption>Sales</figcaption>"),
            "{figure}"
        );
        let unknown = html("{{< tweet 123 >}}");
        assert!(
            unknown.contains("{{&lt; tweet 123 &gt;}}"),
            "left as written: {unknown}"
        );
        // In code, nothing is expanded.
        let code = html("```\n{{ youtube(id=\"x\") }}\n```\n\nAnd `{{< gist a b >}}`.");
        assert!(
            !code.contains("youtube.com") && !code.contains("gist.github.com"),
            "{code}"
        );
    }
}

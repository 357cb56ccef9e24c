//! Shortcodes of Zola (`{{ youtube(id="dQw4w9WgXcQ") }}`) and Hugo
//! (`{{< youtube dQw4w9WgXcQ >}}`, `{{% … %}}`) written alone in a paragraph, as
//! plain HTML with no third-party script or iframe: a visitor's browser contacts
//! YouTube, Vimeo or GitHub only if they follow the link.
//!
//! Known: `youtube` and `vimeo` (`id`), `gist` (Zola `url`; Hugo `user id` or
//! `url`), `figure` (Hugo: `src`, `alt`, `title`, `caption`, `link`). Any other
//! shortcode stays in the text as written, with one warning per name per process.

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
                if UNKNOWN
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(call.name.clone())
                {
                    tracing::warn!(
                        "shortcode `{}` is not known to Atoll: left in the text as written",
                        call.name
                    );
                }
            }
        }
        out.push(events[i].clone());
        i += 1;
    }
    *events = out;
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

//! Syntax highlighting of fenced code blocks at build time, with syntect (MIT; Sublime
//! Text grammars): token `<span>`s with `hl-` classes, coloured by [`stylesheet`]'s CSS
//! (a light theme, and a dark one under `prefers-color-scheme: dark`). No JavaScript,
//! no inline styles (the pages' CSP allows neither).
//!
//! The fence's info string follows Zola: ```` ```rust,linenos,hl_lines=3-5 8,linenostart=10 ````
//! — the language, then comma-separated options:
//!
//! * `linenos`: a line number before each line (`<span class="hl-ln">`, not selectable);
//! * `linenostart=N`: the first line's number (default 1);
//! * `hl_lines=3-5 8`: lines to mark (`hl-mark`), numbered like `linenos` from
//!   `linenostart`, as space-separated numbers and inclusive ranges.
//!
//! A language syntect does not know renders as plain, escaped text, with one warning
//! per language per process.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

use syntect::highlighting::ThemeSet;
use syntect::html::ClassStyle;
use syntect::parsing::{
    BasicScopeStackOp, ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet,
};
use syntect::util::LinesWithEndings;

/// Class prefix of every token span (`hl-keyword`, `hl-string`…).
const CLASSES: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// The light theme (syntect's bundled `InspiredGitHub`).
pub const LIGHT_THEME: &str = "InspiredGitHub";
/// The dark theme, under `prefers-color-scheme: dark` (syntect's `base16-ocean.dark`).
pub const DARK_THEME: &str = "base16-ocean.dark";

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// Languages already warned about.
static UNKNOWN: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(Default::default);

/// A fence's info string, parsed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Fence {
    /// The language (`rust`, `toml`, `sh`…), if any.
    pub lang: Option<String>,
    /// Whether lines are numbered.
    pub linenos: bool,
    /// Number of the first line (default 1).
    pub linenostart: usize,
    /// Marked lines, inclusive ranges of line numbers.
    pub hl_lines: Vec<(usize, usize)>,
}

impl Fence {
    /// Parses `rust,linenos,hl_lines=3-5 8,linenostart=10` (Zola's syntax). Options
    /// Atoll does not know are ignored; the `{…}` attribute syntax of some tools
    /// (```` ```rust {linenos=true} ````, Hugo) is read for the same options.
    pub fn parse(info: &str) -> Self {
        let info = info.trim();
        let (lang, rest) = match info.find([',', ' ', '{']) {
            Some(at) => (&info[..at], &info[at..]),
            None => (info, ""),
        };
        let mut fence = Fence {
            lang: (!lang.is_empty()).then(|| lang.to_owned()),
            linenostart: 1,
            ..Fence::default()
        };
        let rest = rest.trim_matches(|c: char| c == '{' || c == '}' || c.is_whitespace());
        for option in rest.split(',') {
            let (key, value) = match option.split_once('=') {
                Some((k, v)) => (k.trim(), v.trim().trim_matches('"')),
                None => (option.trim(), ""),
            };
            match key {
                "linenos" => fence.linenos = !matches!(value, "false" | "0"),
                "linenostart" => fence.linenostart = value.parse().unwrap_or(1),
                "hl_lines" => {
                    for part in value.split_whitespace() {
                        let range = match part.split_once('-') {
                            Some((a, b)) => a.parse().ok().zip(b.parse().ok()),
                            None => part.parse().ok().map(|n| (n, n)),
                        };
                        fence.hl_lines.extend(range);
                    }
                }
                _ => {}
            }
        }
        fence
    }

    fn marked(&self, line: usize) -> bool {
        self.hl_lines.iter().any(|&(a, b)| (a..=b).contains(&line))
    }
}

/// The syntax of a fence's language: by token (`rs`, `rust`, `sh`), then by name
/// (`Rust`), case-insensitively.
fn syntax(lang: &str) -> Option<&'static SyntaxReference> {
    let syntaxes = &*SYNTAXES;
    syntaxes.find_syntax_by_token(lang).or_else(|| {
        syntaxes
            .syntaxes()
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(lang))
    })
}

/// The `<pre><code>` of a code block: highlighted when its language is known.
pub fn highlight(code: &str, fence: &Fence) -> String {
    let syntax = match fence.lang.as_deref() {
        None | Some("" | "text" | "txt" | "plain" | "plaintext") => None,
        Some(lang) => {
            let found = syntax(lang);
            if found.is_none()
                && UNKNOWN
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(lang.to_owned())
            {
                tracing::warn!(
                    "code blocks in `{lang}` are not highlighted: syntect has no grammar for it (shown as plain text)"
                );
            }
            found
        }
    };
    let body = match syntax.and_then(|syntax| classed(code, syntax)) {
        Some(body) => body,
        None => escape(code),
    };
    block(&body, fence)
}

/// The compound selectors of [`stylesheet`], each as its class names: a token span is
/// kept when one of them can match it — the last compound of a selector (what it
/// colours), or an ancestor compound of two or more classes (`.hl-source.hl-css`). The
/// one-class ancestors (`.hl-meta`, repeated twenty times by the JSON rules for depth
/// colouring) would keep every `meta.*` span of every grammar; they are not kept, so
/// only JSON nested that deep loses its depth colour.
///
/// A selector that starts with a grammar's root scope (`.hl-source.hl-js …`) applies
/// inside that language only: its compounds are recorded with the language's class
/// and consulted only for spans that carry it (every scope name ends with its
/// language: `meta.function.rust`).
static STYLED: LazyLock<Vec<(Option<String>, Vec<String>)>> = LazyLock::new(|| {
    let css = stylesheet();
    let mut compounds: Vec<(Option<String>, Vec<String>)> = Vec::new();
    for rule in css.split('}') {
        let Some((selectors, _)) = rule.split_once('{') else {
            continue;
        };
        let selectors = selectors.rsplit('\n').next().unwrap_or(selectors);
        for selector in selectors.split(',') {
            let parts: Vec<&str> = selector.split_whitespace().collect();
            let lang = parts.first().and_then(|first| {
                let classes: Vec<&str> = first.split('.').filter(|c| !c.is_empty()).collect();
                classes
                    .contains(&"hl-source")
                    .then(|| {
                        classes
                            .iter()
                            .find(|c| **c != "hl-source")
                            .map(|c| (*c).to_owned())
                    })
                    .flatten()
            });
            for (i, compound) in parts.iter().enumerate() {
                let classes: Vec<String> = compound
                    .split('.')
                    .filter(|c| c.starts_with("hl-"))
                    .map(|c| c.split(':').next().unwrap_or(c).to_owned())
                    .collect();
                let last = i + 1 == parts.len();
                let entry = (lang.clone(), classes);
                if !entry.1.is_empty()
                    && (last || entry.1.len() >= 2)
                    && !compounds.contains(&entry)
                {
                    compounds.push(entry);
                }
            }
        }
    }
    compounds
});

thread_local! {
    /// [`styled`]'s answers by class list (a few hundred scopes per grammar).
    static STYLED_CACHE: std::cell::RefCell<std::collections::HashMap<String, bool>> =
        Default::default();
}

/// Whether a span with `classes` (`hl-meta hl-function hl-rust`) can be styled.
fn styled(classes: &str) -> bool {
    STYLED_CACHE.with(|cache| {
        if let Some(&known) = cache.borrow().get(classes) {
            return known;
        }
        let atoms: Vec<&str> = classes.split_whitespace().collect();
        let styled = STYLED.iter().any(|(lang, compound)| {
            lang.as_deref().is_none_or(|lang| atoms.contains(&lang))
                && compound.iter().all(|c| atoms.contains(&c.as_str()))
        });
        cache.borrow_mut().insert(classes.to_owned(), styled);
        styled
    })
}

/// The `<span class>` of a scope, or `None` when no rule of [`stylesheet`] can match it
/// ([`styled`]). The class keeps only the names the stylesheet uses
/// (`storage.type.function.rust` → `hl-storage hl-type`), so pages carry the colours
/// and not the grammar's whole scope names.
fn scope_span(scope: Scope) -> Option<std::rc::Rc<str>> {
    thread_local! {
        static SPANS: std::cell::RefCell<std::collections::HashMap<Scope, Option<std::rc::Rc<str>>>> =
            Default::default();
    }
    SPANS.with(|spans| {
        if let Some(known) = spans.borrow().get(&scope) {
            return known.clone();
        }
        let name = scope.build_string();
        let classes: Vec<String> = name.split('.').map(|atom| format!("hl-{atom}")).collect();
        let span = styled(&classes.join(" ")).then(|| {
            // Only the classes of the selector compounds that can match this span: a
            // language's class (`hl-rust`) stays on its root span, where the rules
            // `.hl-source.hl-rust …` look for it, not on every token inside.
            let atoms: Vec<&str> = classes.iter().map(String::as_str).collect();
            let used: Vec<&str> = atoms
                .iter()
                .copied()
                .filter(|class| {
                    STYLED.iter().any(|(lang, compound)| {
                        lang.as_deref().is_none_or(|lang| atoms.contains(&lang))
                            && compound.iter().any(|c| c == class)
                            && compound.iter().all(|c| atoms.contains(&c.as_str()))
                    })
                })
                .collect();
            std::rc::Rc::from(format!("<span class=\"{}\">", used.join(" ")))
        });
        spans.borrow_mut().insert(scope, span.clone());
        span
    })
}

/// `code` highlighted with `syntax`: escaped text in the spans of [`scope_span`].
/// `None` when the grammar fails on it (a grammar bug; the block stays plain).
fn classed(code: &str, syntax: &SyntaxReference) -> Option<String> {
    let mut state = ParseState::new(syntax);
    let mut scopes = ScopeStack::new();
    // Whether each open scope wrote a span.
    let mut open: Vec<bool> = Vec::new();
    let mut html = String::with_capacity(code.len() * 3);
    for line in LinesWithEndings::from(code) {
        let ops = parse_line(&mut state, syntax, line)?;
        let mut at = 0;
        for (index, op) in ops.iter() {
            let index = (*index).min(line.len());
            if index > at {
                escape_into(&mut html, &line[at..index]);
                at = index;
            }
            scopes
                .apply_with_hook(op, |basic, _| match basic {
                    BasicScopeStackOp::Push(scope) => {
                        let span = scope_span(scope);
                        if let Some(span) = &span {
                            html.push_str(span);
                        }
                        open.push(span.is_some());
                    }
                    BasicScopeStackOp::Pop => {
                        if open.pop() == Some(true) {
                            html.push_str("</span>");
                        }
                    }
                })
                .ok()?;
        }
        escape_into(&mut html, &line[at..]);
    }
    for wrote in open {
        if wrote {
            html.push_str("</span>");
        }
    }
    Some(html)
}

/// The scope operations of a line parsed from `state` (then advanced past it), as
/// syntect's `ParseState::parse_line` gives them, remembered per thread: a line parsed
/// before from the same state (a blank line, a closing brace, a common statement, in
/// this block or another) gives the same operations and the same next state, so it is
/// not parsed again. On blog.rust-lang.org's 1,293 code blocks 48% of the lines repeat
/// one already seen; the benchmark corpus repeats 90%. Bounded per thread: the memo is
/// emptied when it holds [`MEMO_LINES`] lines, and longer lines are not held.
fn parse_line(
    state: &mut ParseState,
    syntax: &SyntaxReference,
    line: &str,
) -> Option<std::rc::Rc<[(usize, syntect::parsing::ScopeStackOp)]>> {
    type Parsed = (
        ParseState,
        std::rc::Rc<[(usize, syntect::parsing::ScopeStackOp)]>,
        ParseState,
    );
    /// Lines held, and the parses by (syntax, line).
    type Memo = (
        usize,
        std::collections::HashMap<(usize, Box<str>), Vec<Parsed>>,
    );
    thread_local! {
        static MEMO: std::cell::RefCell<Memo> = Default::default();
    }
    // Long lines (minified code, data) are parsed every time, not held.
    if line.len() > MEMO_LINE_BYTES {
        return state.parse_line(line, &SYNTAXES).ok().map(Into::into);
    }
    let key = (std::ptr::from_ref(syntax) as usize, Box::<str>::from(line));
    let known = MEMO.with_borrow(|(_, memo)| {
        memo.get(&key)?
            .iter()
            .find(|(before, _, _)| before == state)
            .map(|(_, ops, after)| (ops.clone(), after.clone()))
    });
    if let Some((ops, after)) = known {
        *state = after;
        return Some(ops);
    }
    let before = state.clone();
    let ops: std::rc::Rc<[_]> = state.parse_line(line, &SYNTAXES).ok()?.into();
    MEMO.with_borrow_mut(|(count, memo)| {
        if *count >= MEMO_LINES {
            memo.clear();
            *count = 0;
        }
        *count += 1;
        memo.entry(key)
            .or_default()
            .push((before, ops.clone(), state.clone()));
    });
    Some(ops)
}

/// Lines the parse memo of each thread holds at most ([`parse_line`]): a few MB a
/// thread, since lines over [`MEMO_LINE_BYTES`] are not held.
const MEMO_LINES: usize = 20_000;

/// Longest line the memo holds, in bytes.
const MEMO_LINE_BYTES: usize = 256;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

fn block(body: &str, fence: &Fence) -> String {
    let lang = fence.lang.as_deref().filter(|l| {
        l.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-_#.".contains(c))
    });
    let mut html = String::with_capacity(body.len() + 64);
    html.push_str("<pre class=\"hl-code\"><code");
    if let Some(lang) = lang {
        html.push_str(&format!(" class=\"language-{lang}\""));
    }
    html.push('>');
    if fence.linenos || !fence.hl_lines.is_empty() {
        push_lines(&mut html, body, fence);
    } else {
        html.push_str(body);
    }
    html.push_str("</code></pre>\n");
    html
}

/// Wraps each line of `body` in `<span class="hl-line">`, with its number and mark.
/// Token spans may run across lines (a block comment): they are closed at the end of
/// each line and opened again on the next, so every line is well nested.
fn push_lines(html: &mut String, body: &str, fence: &Fence) {
    let mut open: Vec<&str> = Vec::new();
    let mut lines: Vec<&str> = body.split('\n').collect();
    // What follows the last newline is only closing tags (or nothing): not a line.
    if lines.last().is_some_and(|last| {
        last.split('<')
            .all(|part| part.find('>').is_some_and(|e| e + 1 == part.len()) || part.is_empty())
    }) {
        lines.pop();
    }
    for (i, line) in lines.iter().enumerate() {
        let number = fence.linenostart + i;
        html.push_str(if fence.marked(number) {
            "<span class=\"hl-line hl-mark\">"
        } else {
            "<span class=\"hl-line\">"
        });
        if fence.linenos {
            html.push_str(&format!("<span class=\"hl-ln\">{number}</span>"));
        }
        for tag in &open {
            html.push_str(tag);
        }
        html.push_str(line);
        // Follow the line's own spans to know which are open at its end.
        let mut rest = *line;
        while let Some(at) = rest.find('<') {
            rest = &rest[at..];
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            let tag = &rest[..end];
            if tag.starts_with("</span") {
                open.pop();
            } else if tag.starts_with("<span") {
                open.push(tag);
            }
            rest = &rest[end..];
        }
        for _ in &open {
            html.push_str("</span>");
        }
        html.push_str("</span>\n");
    }
}

/// First line of [`stylesheet`]'s CSS (up to its theme names).
const STYLESHEET_START: &str =
    "/* Syntax highlighting: written by atoll::content::highlight::stylesheet(),";
/// Last line of [`stylesheet`]'s CSS.
const STYLESHEET_END: &str = "/* End of syntax highlighting. */";

/// The CSS of the token classes: [`LIGHT_THEME`], then [`DARK_THEME`] inside
/// `@media (prefers-color-scheme: dark)`, and the line number and mark rules.
/// `public/style.css` holds a copy (a test keeps it equal).
pub fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let css = |name: &str, background: (u8, u8, u8)| {
        let mut theme = themes.themes[name].clone();
        readable(&mut theme, background);
        syntect::html::css_for_theme_with_class_style(&theme, CLASSES)
            .expect("the bundled themes convert to CSS")
    };
    let dark = css(DARK_THEME, DARK_BACKGROUND)
        .lines()
        .map(|line| format!("  {line}\n"))
        .collect::<String>();
    format!(
        "{STYLESHEET_START} themes {LIGHT_THEME} and {DARK_THEME}. */\n{}\n@media (prefers-color-scheme: dark) {{\n{dark}}}\n.hl-line {{ display: block; }}\n.hl-ln {{ display: inline-block; min-width: 2.5em; padding-right: 1em; text-align: right; opacity: 0.6; user-select: none; }}\n.hl-mark {{ background: rgba(255, 200, 0, 0.18); }}\n{STYLESHEET_END}\n",
        css(LIGHT_THEME, LIGHT_BACKGROUND)
    )
}

/// The code background of the demo theme in light mode (`--code-bg` of
/// `public/style.css`), against which token colours must stay readable.
pub const LIGHT_BACKGROUND: (u8, u8, u8) = (0xf1, 0xef, 0xe9);
/// The same in dark mode.
pub const DARK_BACKGROUND: (u8, u8, u8) = (0x1e, 0x27, 0x30);
/// Least contrast of a token colour with the code background: WCAG 2's 4.5:1 for
/// normal text (the contrast check of Lighthouse's accessibility score), with a margin
/// for marked lines.
pub const MIN_CONTRAST: f64 = 4.8;

/// WCAG 2 relative luminance of an sRGB colour.
fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// WCAG 2 contrast ratio of two colours (1 to 21).
pub fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (a, b) = (luminance(a), luminance(b));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

/// Moves every foreground colour of `theme` towards black (on a light background) or
/// white (on a dark one) until it reaches [`MIN_CONTRAST`]: the bundled themes' comments
/// and some tokens are around 3:1, which fails WCAG AA.
fn readable(theme: &mut syntect::highlighting::Theme, background: (u8, u8, u8)) {
    use syntect::highlighting::Color;
    let target = if luminance(background) > 0.5 {
        0.0
    } else {
        255.0
    };
    let fix = |color: &mut Color| {
        let mut rgb = (color.r, color.g, color.b);
        let mut step = 0.0;
        while contrast(rgb, background) < MIN_CONTRAST && step < 1.0 {
            step += 0.05;
            let mix = |c: u8| (f64::from(c) + (target - f64::from(c)) * step).round() as u8;
            rgb = (mix(color.r), mix(color.g), mix(color.b));
        }
        (color.r, color.g, color.b) = rgb;
    };
    if let Some(color) = theme.settings.foreground.as_mut() {
        fix(color);
    }
    for item in &mut theme.scopes {
        if let Some(color) = item.style.foreground.as_mut() {
            fix(color);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_token_colour_is_readable_on_the_code_background() {
        let css = stylesheet();
        let (light, dark) = css
            .split_once("@media (prefers-color-scheme: dark)")
            .unwrap();
        for (part, background) in [(light, LIGHT_BACKGROUND), (dark, DARK_BACKGROUND)] {
            let mut checked = 0;
            for rule in part.split('}') {
                let Some(at) = rule.find(" color: #").or_else(|| rule.find("\ncolor: #")) else {
                    continue;
                };
                let hex = &rule[at + 9..at + 15];
                let rgb = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
                let ratio = contrast((rgb(0), rgb(2), rgb(4)), background);
                assert!(ratio >= 4.5, "#{hex} is {ratio:.2}:1 in {rule}");
                checked += 1;
            }
            assert!(checked > 10, "{checked} colours found");
        }
    }

    #[test]
    fn fences_are_read_as_zola_writes_them() {
        let fence = Fence::parse("rust,linenos,hl_lines=3-5 8,linenostart=10");
        assert_eq!(fence.lang.as_deref(), Some("rust"));
        assert!(fence.linenos);
        assert_eq!(fence.linenostart, 10);
        assert_eq!(fence.hl_lines, vec![(3, 5), (8, 8)]);
        assert_eq!(Fence::parse("").lang, None);
        let hugo = Fence::parse("go {linenos=true, hl_lines=2}");
        assert_eq!(hugo.lang.as_deref(), Some("go"));
        assert!(hugo.linenos);
        assert_eq!(hugo.hl_lines, vec![(2, 2)]);
    }

    #[test]
    fn known_languages_get_token_classes_unknown_ones_stay_plain() {
        let html = highlight("fn main() {}\n", &Fence::parse("rust"));
        assert!(
            html.starts_with("<pre class=\"hl-code\"><code class=\"language-rust\">"),
            "{html}"
        );
        assert!(html.contains("<span class=\"hl-"), "{html}");
        assert!(html.contains("main"), "{html}");
        // Scopes no rule styles are not spans, and a class keeps only the names the
        // stylesheet uses; the keyword is still coloured.
        assert!(!html.contains("hl-meta"), "{html}");
        assert!(!html.contains("hl-rust"), "{html}");
        assert!(html.contains(">fn</span>"), "{html}");
        assert!(html.contains("<span class=\"hl-storage hl-type"), "{html}");
        // A language whose rules are rooted at its grammar (`.hl-source.hl-js …`): its
        // class is on the block's root span, and only there.
        let js = highlight("const n = 1;\n", &Fence::parse("js"));
        assert!(js.contains("<span class=\"hl-source hl-js\">"), "{js}");
        assert_eq!(js.matches("hl-js").count(), 1, "{js}");
        assert!(
            js.contains("<span class=\"hl-storage hl-type\">const</span>"),
            "{js}"
        );
        let plain = highlight("a < b\n", &Fence::parse("no-such-language"));
        assert!(!plain.contains("<span"), "{plain}");
        assert!(plain.contains("a &lt; b"), "{plain}");
    }

    #[test]
    fn remembered_lines_highlight_as_freshly_parsed_ones() {
        let first = "fn main() {\n    let s = \"a {\";\n}\n";
        // Shares lines with `first`, some at another nesting (another parse state).
        let second =
            "mod m {\n    fn main() {\n        let s = \"a {\";\n    }\n}\nfn main() {\n}\n";
        let fence = Fence::parse("rust");
        let fresh = |code: &'static str| {
            let fence = Fence::parse("rust");
            std::thread::spawn(move || highlight(code, &fence))
                .join()
                .unwrap()
        };
        let _ = highlight(first, &fence);
        assert_eq!(highlight(second, &fence), fresh(second));
        assert_eq!(highlight(first, &fence), fresh(first));
    }

    #[test]
    fn numbered_and_marked_lines_stay_well_nested() {
        let code = "/* one\n   two */\nlet x = 1;\n";
        let html = highlight(code, &Fence::parse("js,linenos,linenostart=7,hl_lines=8"));
        let lines: Vec<&str> = html.lines().filter(|l| l.contains("hl-line")).collect();
        assert_eq!(lines.len(), 3, "{html}");
        assert!(
            lines[0].contains("<span class=\"hl-ln\">7</span>"),
            "{html}"
        );
        assert!(
            lines[1].starts_with("<span class=\"hl-line hl-mark\">"),
            "{html}"
        );
        for line in &lines {
            let line =
                line.trim_start_matches("<pre class=\"hl-code\"><code class=\"language-js\">");
            assert_eq!(
                line.matches("<span").count(),
                line.matches("</span>").count(),
                "balanced: {line}"
            );
        }
    }

    /// `ATOLL_BLESS=1 cargo test -p atoll-content the_committed_stylesheet` rewrites the part of
    /// `public/style.css` after a syntect or theme change.
    #[test]
    fn the_committed_stylesheet_holds_the_theme_css() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../public/style.css");
        if std::env::var_os("ATOLL_BLESS").is_some() {
            let text = std::fs::read_to_string(path).unwrap();
            let kept = match (text.find(STYLESHEET_START), text.find(STYLESHEET_END)) {
                (Some(a), Some(b)) => {
                    format!("{}{}", &text[..a], &text[b + STYLESHEET_END.len() + 1..])
                }
                _ => text,
            };
            std::fs::write(path, format!("{}\n{}", kept.trim_end(), stylesheet())).unwrap();
        }
        let committed = std::fs::read_to_string(path).unwrap();
        assert!(
            committed.contains(&stylesheet()),
            "public/style.css is out of date: replace its syntax highlighting part with atoll::content::highlight::stylesheet()"
        );
    }
}

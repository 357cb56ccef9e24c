//! Hugo's `ref` and `relref` shortcodes as a link's destination (`[About]({{< ref
//! "about.md" >}})`, `href="{{< relref "post/x#intro" >}}"`, `{{% ref … %}}`; anywhere
//! else they are text, as in code): rewritten before the Markdown is
//! rendered into Zola's `@/<source>` form, which [`crate::resolve_internal_links`]
//! turns into the target's URL, or into an error naming both files when there is no
//! such entry. Both give the site-relative URL here (Atoll's links are site-relative).
//!
//! The path is found as Hugo finds it: a leading `/` is from the content folder; else
//! first beside the current file, then from the content folder; `x` may name `x.md`,
//! `x/index.md` or `x/_index.md`.

use std::borrow::Cow;
use std::path::Path;

/// `body` with every `ref`/`relref` shortcode replaced by `@/<source>[#anchor]`.
/// `content` is the content folder, `relative` the current file's path inside it.
pub(crate) fn hugo_refs<'a>(body: &'a str, content: &Path, relative: &Path) -> Cow<'a, str> {
    if !body.contains("ref") || !body.contains("{{") {
        return Cow::Borrowed(body);
    }
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    let mut changed = false;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        // Only as a link's destination (`[text](…)`, `href="…"`): elsewhere, in code
        // or prose about Hugo, it is text.
        let destination = out.ends_with("](") || out.ends_with("href=\"");
        match parse(tail).filter(|_| destination) {
            Some((target, len)) => {
                out.push_str(&resolve(&target, content, relative));
                rest = &tail[len..];
                changed = true;
            }
            None => {
                out.push_str("{{");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(body)
    }
}

/// `{{< ref "x" >}}` (or `relref`, `{{% … %}}`, the path quoted or bare) at the start
/// of `text`: the path and the shortcode's length.
fn parse(text: &str) -> Option<(String, usize)> {
    let inner = text.strip_prefix("{{")?;
    let (close, inner) = match inner.trim_start().chars().next()? {
        '<' => (">}}", inner.trim_start()[1..].trim_start()),
        '%' => ("%}}", inner.trim_start()[1..].trim_start()),
        _ => return None,
    };
    let inner = inner
        .strip_prefix("relref")
        .or_else(|| inner.strip_prefix("ref"))?;
    if !inner.starts_with(char::is_whitespace) {
        return None;
    }
    let end = inner.find(close)?;
    let argument = inner[..end].trim();
    let path = argument
        .strip_prefix('"')
        .and_then(|a| a.strip_suffix('"'))
        .unwrap_or(argument);
    if path.is_empty() || path.contains(char::is_whitespace) {
        return None;
    }
    let consumed = text.len() - inner.len() + end + close.len();
    Some((path.to_owned(), consumed))
}

/// `@/<source>#anchor` for `target` (see the module docs); the first candidate when no
/// file exists, so that the missing target is reported with both files named.
fn resolve(target: &str, content: &Path, relative: &Path) -> String {
    let (path, anchor) = match target.split_once('#') {
        Some((path, anchor)) => (path, format!("#{anchor}")),
        None => (target, String::new()),
    };
    if path.is_empty() {
        // `{{< ref "#intro" >}}`: an anchor on the current page.
        return anchor;
    }
    let here = relative.parent().unwrap_or(Path::new(""));
    let bases: Vec<std::path::PathBuf> = match path.strip_prefix('/') {
        Some(from_root) => vec![Path::new(from_root).to_owned()],
        None => vec![here.join(path), Path::new(path).to_owned()],
    };
    let candidates: Vec<String> = bases
        .iter()
        .flat_map(|base| {
            let base = base.to_string_lossy().replace('\\', "/");
            let base = base.trim_end_matches('/').to_owned();
            if base.ends_with(".md") {
                vec![base]
            } else {
                vec![
                    format!("{base}.md"),
                    format!("{base}/index.md"),
                    format!("{base}/_index.md"),
                ]
            }
        })
        .collect();
    let found = candidates
        .iter()
        .find(|candidate| content.join(candidate).is_file())
        .unwrap_or(&candidates[0]);
    format!("@/{found}{anchor}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_become_internal_links_found_as_hugo_finds_them() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path();
        std::fs::create_dir_all(content.join("post/bundle")).unwrap();
        std::fs::write(content.join("about.md"), "").unwrap();
        std::fs::write(content.join("post/x.md"), "").unwrap();
        std::fs::write(content.join("post/bundle/index.md"), "").unwrap();
        let here = Path::new("post/y.md");
        let body = "[A]({{< ref \"about.md\" >}}) [X]({{< relref \"x\" >}}) \
                    [B]({{% ref bundle %}}) [R]({{< ref \"/post/x.md#intro\" >}}) \
                    [S]({{< ref \"#here\" >}}) {{< youtube id >}} [M]({{< ref \"gone\" >}}) \
                    `{{< ref \"about.md\" >}}`";
        assert_eq!(
            hugo_refs(body, content, here),
            "[A](@/about.md) [X](@/post/x.md) [B](@/post/bundle/index.md) \
             [R](@/post/x.md#intro) [S](#here) {{< youtube id >}} [M](@/post/gone.md) \
             `{{< ref \"about.md\" >}}`"
        );
        let plain = "no shortcode {{ here }}";
        assert!(matches!(hugo_refs(plain, content, here), Cow::Borrowed(_)));
    }
}

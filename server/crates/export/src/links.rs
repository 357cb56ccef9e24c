//! Internal link checking: every link and asset reference of every page must resolve
//! to a file of the output (or a redirect), and every `#fragment` to an id of its page.

use std::collections::{HashMap, HashSet};

use crate::assets::percent_decode;
use crate::error::BrokenLink;

/// What the checker knows about the output.
#[derive(Debug, Default)]
pub struct Output {
    /// Site-relative path of every file (`/posts/a/index.html`, `/style.x.css`).
    pub files: HashSet<String>,
    /// Ids of each HTML file, by site-relative file path.
    pub ids: HashMap<String, HashSet<String>>,
    /// Redirect sources (`_redirects`).
    pub redirects: HashSet<String>,
}

impl Output {
    /// The file a URL path is served from: `/a/` → `/a/index.html`; `/a` → `/a` or, as
    /// static hosts do, `/a/index.html`. `None` when neither exists (redirects count as
    /// existing, with no file).
    fn file_of(&self, path: &str) -> Option<Option<String>> {
        let candidates = if path.ends_with('/') {
            vec![format!("{path}index.html")]
        } else {
            vec![path.to_owned(), format!("{path}/index.html")]
        };
        if let Some(file) = candidates.into_iter().find(|c| self.files.contains(c)) {
            return Some(Some(file));
        }
        let redirected = self.redirects.contains(path)
            || self
                .redirects
                .contains(&format!("{}/", path.trim_end_matches('/')));
        redirected.then_some(None)
    }
}

/// Checks `links` (page URL → resolved internal references) against `output`; returns
/// every broken one, sorted by page then target.
pub fn check<'a>(
    links: impl Iterator<Item = (&'a str, &'a [String])>,
    output: &Output,
) -> Vec<BrokenLink> {
    let mut broken = Vec::new();
    for (page, targets) in links {
        for target in targets {
            let (path, fragment) = match target.split_once('#') {
                Some((path, fragment)) => (path, Some(fragment)),
                None => (target.as_str(), None),
            };
            match output.file_of(path) {
                None => broken.push(BrokenLink {
                    page: page.to_owned(),
                    target: target.clone(),
                    reason: "missing page or file",
                }),
                Some(Some(file)) => {
                    if let Some(fragment) = fragment.filter(|f| !f.is_empty() && *f != "top") {
                        let decoded = percent_decode(fragment);
                        let found = output
                            .ids
                            .get(&file)
                            .is_none_or(|ids| ids.contains(fragment) || ids.contains(&decoded));
                        if !found {
                            broken.push(BrokenLink {
                                page: page.to_owned(),
                                target: target.clone(),
                                reason: "missing #fragment",
                            });
                        }
                    }
                }
                Some(None) => {}
            }
        }
    }
    broken.sort();
    broken.dedup();
    broken
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_missing_pages_files_and_fragments() {
        let output = Output {
            files: ["/index.html", "/a/index.html", "/style.css"]
                .map(String::from)
                .into(),
            ids: HashMap::from([(
                "/a/index.html".to_owned(),
                HashSet::from(["intro".to_owned(), "é".to_owned()]),
            )]),
            redirects: HashSet::from(["/old/".to_owned()]),
        };
        let links = vec![
            "/a/".to_owned(),
            "/a".to_owned(),
            "/a/#intro".to_owned(),
            "/a/#%C3%A9".to_owned(),
            "/a/#nope".to_owned(),
            "/style.css".to_owned(),
            "/old/".to_owned(),
            "/old".to_owned(),
            "/missing/".to_owned(),
            "/#top".to_owned(),
        ];
        let broken = check([("/", links.as_slice())].into_iter(), &output);
        let found: Vec<_> = broken
            .iter()
            .map(|b| (b.target.as_str(), b.reason))
            .collect();
        assert_eq!(
            found,
            [
                ("/a/#nope", "missing #fragment"),
                ("/missing/", "missing page or file")
            ]
        );
    }
}

//! Static assets (`public/` and the islands bundle), fingerprinted by content hash.
//!
//! Cacheable asset types (CSS, JS, WASM, images, fonts) get the first 8 hex digits of
//! the SHA-256 of their bytes in their name (`style.css` → `style.3f2a9c1b.css`) and can
//! be cached forever (`immutable`); every reference is rewritten (pages through
//! [`app::Site::asset`] and the HTML pass, `url(…)` in CSS here). Other files (`robots.txt`,
//! `.well-known/`, HTML, documents) keep their name.

use std::collections::HashMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{io_err, ExportError};

/// Extensions whose files are fingerprinted.
const FINGERPRINTED: &[&str] = &[
    "css", "js", "mjs", "wasm", "svg", "png", "jpg", "jpeg", "gif", "webp", "avif", "ico", "woff",
    "woff2", "ttf", "otf",
];

/// Files of `public/` that the export writes itself (merged with its own).
pub const SPECIAL: &[&str] = &["robots.txt", "_headers", "_redirects"];

/// One asset to publish.
#[derive(Clone, Debug)]
pub struct Asset {
    /// Its URL before fingerprinting: `/style.css`, `/pkg/loader.js`.
    pub url: String,
    /// Its published URL: `/style.3f2a9c1b.css` (or `url` when not fingerprinted).
    pub out_url: String,
    /// Its bytes (CSS with references rewritten).
    pub bytes: Vec<u8>,
    /// Part of the islands bundle (written only when a page has an island).
    pub islands: bool,
}

impl Asset {
    /// Whether the published name carries a content hash.
    pub fn fingerprinted(&self) -> bool {
        self.url != self.out_url
    }
}

/// Reads `public` (minus hidden files except `.well-known/`, and minus [`SPECIAL`]), the
/// files of page bundles (`bundles`: URL → file, published beside their page), and
/// the bundle `files` of `islands` (published under `/pkg/`), and fingerprints them.
///
/// # Errors
/// [`ExportError::Io`] when a file cannot be read.
pub fn collect(
    public: Option<&Path>,
    bundles: &std::collections::BTreeMap<String, std::path::PathBuf>,
    islands: Option<(&Path, &[&str])>,
    layout: &[app::LayoutAsset],
) -> Result<Vec<Asset>, ExportError> {
    let mut raw: Vec<(String, Vec<u8>, bool)> = Vec::new();
    for (url, path) in bundles {
        let bytes = std::fs::read(path).map_err(io_err(path))?;
        raw.push((url.clone(), bytes, false));
    }
    if let Some(public) = public.filter(|p| p.exists()) {
        for entry in walkdir::WalkDir::new(public).sort_by_file_name() {
            let entry = entry.map_err(|err| ExportError::Io {
                path: err.path().unwrap_or(public).to_owned(),
                source: err.into(),
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let relative = entry.path().strip_prefix(public).expect("under its root");
            let url = format!("/{}", relative.to_string_lossy().replace('\\', "/"));
            let hidden = relative.components().any(|c| {
                let name = c.as_os_str().to_string_lossy();
                name.starts_with('.') && name != ".well-known"
            });
            if hidden || SPECIAL.contains(&&url[1..]) {
                continue;
            }
            let bytes = std::fs::read(entry.path()).map_err(io_err(entry.path()))?;
            raw.push((url, bytes, false));
        }
    }
    // The layout's own files, unless the site has its own at that path.
    for (url, bytes) in layout {
        if !raw.iter().any(|(have, ..)| have == url) {
            raw.push(((*url).to_owned(), bytes.to_vec(), false));
        }
    }
    if let Some((dir, files)) = islands {
        for file in files {
            let path = dir.join(file);
            if path.is_file() {
                let bytes = std::fs::read(&path).map_err(io_err(&path))?;
                raw.push((format!("/pkg/{file}"), bytes, true));
            }
        }
    }

    // Everything but CSS first: CSS refers to images and fonts and is hashed after its
    // references are rewritten.
    let (css, other): (Vec<_>, Vec<_>) =
        raw.into_iter().partition(|(url, ..)| url.ends_with(".css"));
    let mut assets: Vec<Asset> = other
        .into_iter()
        .map(|(url, bytes, islands)| fingerprint(url, bytes, islands))
        .collect();
    let mut map: HashMap<String, String> = assets
        .iter()
        .map(|a| (a.url.clone(), a.out_url.clone()))
        .collect();
    // A stylesheet that imports another is hashed after it, so that it names the
    // other's fingerprinted file (an import cycle is written as is).
    let mut pending: Vec<(String, String, bool)> = Vec::new();
    for (url, bytes, islands) in css {
        match String::from_utf8(bytes) {
            Ok(text) => pending.push((url, text, islands)),
            Err(err) => assets.push(fingerprint(url, err.into_bytes(), islands)),
        }
    }
    while !pending.is_empty() {
        let waiting: Vec<String> = pending.iter().map(|(url, ..)| url.clone()).collect();
        let ready = pending.iter().position(|(url, text, _)| {
            css_references(text, url)
                .iter()
                .all(|target| target == url || !waiting.contains(target))
        });
        let (url, text, islands) = pending.remove(ready.unwrap_or(0));
        let rewritten = rewrite_css(&text, &url, &map);
        let asset = fingerprint(url, rewritten.into_bytes(), islands);
        map.insert(asset.url.clone(), asset.out_url.clone());
        assets.push(asset);
    }
    Ok(assets)
}

fn fingerprint(url: String, bytes: Vec<u8>, islands: bool) -> Asset {
    let out_url = if should_fingerprint(&url) {
        let digest = Sha256::digest(&bytes);
        let hash: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        let (dir, name) = url.rsplit_once('/').unwrap_or(("", &url));
        match name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => format!("{dir}/{stem}.{hash}.{ext}"),
            _ => url.clone(),
        }
    } else {
        url.clone()
    };
    Asset {
        url,
        out_url,
        bytes,
        islands,
    }
}

fn should_fingerprint(url: &str) -> bool {
    if url.starts_with("/.well-known/") || url == "/favicon.ico" {
        return false;
    }
    url.rsplit_once('.')
        .is_some_and(|(_, ext)| FINGERPRINTED.contains(&ext.to_ascii_lowercase().as_str()))
}

/// Byte ranges of the references of a stylesheet, quotes excluded: `url(…)` and
/// `@import "…"` / `@import '…'`.
fn css_reference_spans(css: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < css.len() {
        let rest = &css[i..];
        if rest.starts_with("url(") {
            let start = i + 4;
            let Some(close) = css[start..].find(')') else {
                break;
            };
            let inner = &css[start..start + close];
            let lead = inner.len() - inner.trim_start().len();
            let trimmed = inner.trim();
            let (mut from, mut to) = (start + lead, start + lead + trimmed.len());
            let quoted = trimmed.len() >= 2
                && ((trimmed.starts_with('"') && trimmed.ends_with('"'))
                    || (trimmed.starts_with('\'') && trimmed.ends_with('\'')));
            if quoted {
                from += 1;
                to -= 1;
            }
            spans.push((from, to));
            i = start + close + 1;
            continue;
        }
        if rest.starts_with("@import") {
            let after = i + "@import".len();
            let quote_at = after + (css[after..].len() - css[after..].trim_start().len());
            if let Some(quote) = css[quote_at..]
                .chars()
                .next()
                .filter(|c| *c == '"' || *c == '\'')
            {
                if let Some(end) = css[quote_at + 1..].find(quote) {
                    spans.push((quote_at + 1, quote_at + 1 + end));
                    i = quote_at + end + 2;
                    continue;
                }
            }
            i = after;
            continue;
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    spans
}

/// The site-relative paths a stylesheet at `css_url` refers to.
fn css_references(css: &str, css_url: &str) -> Vec<String> {
    css_reference_spans(css)
        .into_iter()
        .filter_map(|(from, to)| resolve(css_url, &css[from..to]).map(|(path, _)| path))
        .collect()
}

/// Rewrites the `url(…)` and `@import "…"` references of the stylesheet at `css_url` to
/// fingerprinted names. Relative references are resolved against the stylesheet and
/// written back absolute; others are left as they are.
pub fn rewrite_css(css: &str, css_url: &str, map: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(css.len());
    let mut at = 0;
    for (from, to) in css_reference_spans(css) {
        let reference = &css[from..to];
        let mapped = resolve(css_url, reference)
            .and_then(|(path, suffix)| map.get(&path).map(|out_url| format!("{out_url}{suffix}")));
        if let Some(new) = mapped {
            out.push_str(&css[at..from]);
            out.push_str(&new);
            at = to;
        }
    }
    out.push_str(&css[at..]);
    out
}

pub use app::urls::{percent_decode, resolve};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_assets_but_not_documents() {
        let asset = fingerprint("/css/style.css".into(), b"body{}".to_vec(), false);
        assert!(
            asset.out_url.starts_with("/css/style."),
            "{}",
            asset.out_url
        );
        assert!(asset.out_url.ends_with(".css"));
        assert_eq!(asset.out_url.len(), "/css/style.12345678.css".len());
        let doc = fingerprint("/robots.txt".into(), b"x".to_vec(), false);
        assert_eq!(doc.out_url, "/robots.txt");
        let well_known = fingerprint("/.well-known/a.json".into(), b"x".to_vec(), false);
        assert!(!well_known.fingerprinted());
    }

    #[test]
    fn css_references_are_rewritten() {
        let map = HashMap::from([
            (
                "/fonts/a.woff2".to_owned(),
                "/fonts/a.11111111.woff2".to_owned(),
            ),
            ("/img/b.png".to_owned(), "/img/b.22222222.png".to_owned()),
        ]);
        let css = "@font-face{src:url('../fonts/a.woff2?v=1') format('woff2')}\n.x{background:url(/img/b.png)} .y{background:url(data:image/png;base64,AA)} .z{background:url(\"missing.png\")}";
        let out = rewrite_css(css, "/css/site.css", &map);
        assert!(out.contains("url('/fonts/a.11111111.woff2?v=1')"), "{out}");
        assert!(out.contains("url(/img/b.22222222.png)"), "{out}");
        assert!(out.contains("url(data:image/png;base64,AA)"), "{out}");
        assert!(out.contains("url(\"missing.png\")"), "{out}");

        let map = HashMap::from([(
            "/css/base.css".to_owned(),
            "/css/base.33333333.css".to_owned(),
        )]);
        let out = rewrite_css(
            "@import \"base.css\";\n@import url(base.css) screen;\np{}",
            "/css/site.css",
            &map,
        );
        assert_eq!(
            out,
            "@import \"/css/base.33333333.css\";\n@import url(/css/base.33333333.css) screen;\np{}"
        );
    }

    #[test]
    fn imported_stylesheets_are_fingerprinted_first() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("site.css"), "@import \"base.css\"; body{}").unwrap();
        std::fs::write(dir.path().join("base.css"), "p{color:red}").unwrap();
        let assets = collect(Some(dir.path()), &Default::default(), None, &[]).unwrap();
        let base = assets.iter().find(|a| a.url == "/base.css").unwrap();
        let site = assets.iter().find(|a| a.url == "/site.css").unwrap();
        let text = String::from_utf8(site.bytes.clone()).unwrap();
        assert_eq!(text, format!("@import \"{}\"; body{{}}", base.out_url));
        assert!(site.out_url.starts_with("/site.") && site.out_url != "/site.css");
    }

    #[test]
    fn resolves_references() {
        let r = |base, reference| resolve(base, reference);
        assert_eq!(
            r("/posts/a/", "../b/"),
            Some(("/posts/b/".into(), String::new()))
        );
        assert_eq!(
            r("/posts/a/", "img.png#x"),
            Some(("/posts/a/img.png".into(), "#x".into()))
        );
        assert_eq!(r("/", "/docs/?q=1"), Some(("/docs/".into(), "?q=1".into())));
        assert_eq!(r("/", "https://example.com/"), None);
        assert_eq!(r("/", "mailto:a@b.c"), None);
        assert_eq!(r("/", "//cdn.test/x.js"), None);
        assert_eq!(r("/", "#top"), None);
        assert_eq!(
            r("/", "/My%20Doc.pdf"),
            Some(("/My Doc.pdf".into(), String::new()))
        );
    }
}

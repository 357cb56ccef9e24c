//! Names and URLs from files and front matter: slugs, dates in file names and
//! permalinks, and what a redirect rule can hold.

use std::path::Path;

use crate::error::ContentError;

/// `2021-03-04-slug.md` (or the bundle folder `2021-03-04-slug/`) → (midnight UTC of
/// 2021-03-04, `slug`); `None` for other names.
pub(crate) fn dated_name(path: &Path) -> Option<(chrono::DateTime<chrono::FixedOffset>, String)> {
    let stem = bundle_dir(path)
        .and_then(Path::file_name)
        .or_else(|| path.file_stem())?
        .to_string_lossy();
    let (day, rest) = (stem.get(..10)?, stem.get(10..)?);
    let rest = rest.strip_prefix(['-', '_'])?;
    if rest.is_empty() {
        return None;
    }
    let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    let midnight = day.and_hms_opt(0, 0, 0)?.and_utc().fixed_offset();
    Some((midnight, rest.to_owned()))
}

/// The permalink of Zola's `path` / Hugo's `url` `value` in `file`: site-relative with a
/// leading slash, directory-style (`/2020/01/02/some-post/`) unless its last segment
/// names a file (`/2019/03/04/old-post.html`, published as that exact file).
///
/// # Errors
/// [`ContentError::InvalidField`] (`path`) for an empty value, `.`/`..` segments, or
/// what a redirect rule could not hold ([`is_valid_alias`]).
pub(crate) fn permalink_of(file: &Path, value: &str) -> Result<String, ContentError> {
    let trimmed = value.trim().trim_start_matches('/');
    let mut url = format!("/{trimmed}");
    let last = trimmed
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    if !url.ends_with('/') && !names_a_file(last) {
        url.push('/');
    }
    let dots = url
        .split('/')
        .any(|segment| segment == "." || segment == "..");
    if trimmed.is_empty() || dots || !is_valid_alias(&url) {
        return Err(ContentError::InvalidField {
            path: file.to_owned(),
            field: "path",
            message: format!(
                "`{value}` is not a site-relative permalink such as 2020/01/02/some-post"
            ),
        });
    }
    Ok(url)
}

/// Whether the last segment of a permalink or alias names a file (`old-post.html`,
/// Hugo's "ugly" URLs) rather than a folder: `Rust-1.53.0` and `2.0` are folders, as Zola
/// publishes them (`…/Rust-1.53.0/index.html`).
pub(crate) fn names_a_file(last: &str) -> bool {
    last.ends_with(".html") || last.ends_with(".htm")
}

/// The date a permalink starts with (`/2020/01/02/…`: Jekyll's and Hugo's `:year/:month/
/// :day` permalinks), or has right after one leading section segment
/// (`/inside-rust/2019/09/25/…`, a blog in a section), at midnight UTC.
pub(crate) fn dated_permalink(url: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let segments: Vec<&str> = url.trim_start_matches('/').split('/').collect();
    // A date then at least one more segment (the slug).
    let date_at = |start: usize| -> Option<chrono::NaiveDate> {
        let (year, month, day) = (
            segments.get(start)?,
            segments.get(start + 1)?,
            segments.get(start + 2)?,
        );
        segments.get(start + 3).filter(|rest| !rest.is_empty())?;
        if year.len() != 4 || month.len() != 2 || day.len() != 2 {
            return None;
        }
        chrono::NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
    };
    let day = date_at(0).or_else(|| date_at(1))?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().fixed_offset())
}

pub(crate) fn slug_of(path: &Path, explicit: Option<String>) -> Result<String, ContentError> {
    match explicit {
        Some(slug) => {
            if is_valid_slug(&slug) {
                Ok(slug)
            } else {
                Err(ContentError::InvalidSlug {
                    path: path.to_owned(),
                    slug,
                })
            }
        }
        None => {
            // A page bundle (`some-post/index.md`) is named by its folder.
            let stem = bundle_dir(path)
                .and_then(Path::file_name)
                .or_else(|| path.file_stem())
                .map(|s| s.to_string_lossy())
                .unwrap_or_default();
            let slug = slug::slugify(&stem);
            if slug.is_empty() {
                return Err(ContentError::InvalidSlug {
                    path: path.to_owned(),
                    slug: stem.into_owned(),
                });
            }
            Ok(slug)
        }
    }
}

/// Whether `alias` is a plain site-relative path that can go into `_redirects`:
/// Netlify and Cloudflare read `*`, `:name`, `?` and `!` there as patterns and flags,
/// and whitespace or a line break would start another rule.
pub fn is_valid_alias(alias: &str) -> bool {
    alias.starts_with('/')
        && !alias.contains(char::is_whitespace)
        && !alias.contains(char::is_control)
        && !alias.contains("//")
        && !alias.contains(['*', ':', '?', '#', '!'])
}

/// Lowercase ASCII letters, digits, `-` and `_`, not empty.
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// The folder of a page bundle: `posts/some-post/index.md` → `posts/some-post`.
pub(crate) fn bundle_dir(path: &Path) -> Option<&Path> {
    (path.file_name()? == "index.md")
        .then(|| path.parent())
        .flatten()
}

/// `path` relative to the content folder `root`, with `/` separators.
pub(crate) fn source_name(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

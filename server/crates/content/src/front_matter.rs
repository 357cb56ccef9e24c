//! Front matter: YAML between `---` fences or TOML between `+++` fences, at the very top
//! of a Markdown file (Hugo's and Zola's conventions).

use std::fmt;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use super::error::{line_column, without_position, ContentError};

/// The keys a Markdown file's front matter may have (posts, docs, pages). Every key is
/// optional; an unknown key is reported as a warning by [`parse_with_unknown`] and otherwise ignored.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct FrontMatter {
    /// Title; else the first `# heading` of the body.
    pub title: Option<String>,
    /// Publication date: `YYYY-MM-DD` or RFC 3339 (`2025-03-04T10:00:00+01:00`); in
    /// TOML also a bare date or date-time. A date-time without an offset is UTC (Hugo's
    /// default `timeZone`; Zola reads it so too).
    pub date: Option<PostDate>,
    /// Hugo's `publishDate`: before it, the entry is left out like a draft; it is also
    /// the entry's `date` when that is missing (Hugo's `[frontmatter] date` default).
    #[serde(alias = "publishDate", alias = "publishdate", alias = "pubdate")]
    pub publish_date: Option<PostDate>,
    /// Hugo's `expiryDate`: from it on, the entry is left out like a draft.
    #[serde(alias = "expiryDate", alias = "expirydate", alias = "unpublishdate")]
    pub expiry_date: Option<PostDate>,
    /// Date of the last significant update, same formats as `date` (Hugo: `lastmod`).
    #[serde(alias = "lastmod")]
    pub updated: Option<PostDate>,
    /// Tags.
    pub tags: Vec<String>,
    /// Summary for lists and the meta description; else the first paragraph.
    pub summary: Option<String>,
    /// Drafts are left out unless drafts are requested.
    pub draft: bool,
    /// Hugo's headless bundle (`headless: true`): not published, like a draft (its
    /// files are resources for other pages).
    pub headless: bool,
    /// URL segment; else derived from the file name.
    pub slug: Option<String>,
    /// Zola's `path` or Hugo's `url`: the entry's own site-relative permalink
    /// (`2020/01/02/some-post`, slashes optional; `2019/03/04/old-post.html` is that
    /// exact file) instead of `/posts/<slug>/` or `/<slug>/`. Read for posts and pages.
    #[serde(alias = "url")]
    pub path: Option<String>,
    /// Old site-relative URLs (`/old/path/`) that redirect here with a 301.
    pub aliases: Vec<String>,
    /// Order among siblings (docs, a section's pages): lower first; absent is 0 for
    /// docs, and last for `sort_by = "weight"` (where Zola leaves such pages out).
    pub weight: Option<i64>,
    /// Zola's and Hugo's `description`: the meta description, and the summary when
    /// there is no `summary`.
    pub description: Option<String>,
    /// Zola's `authors` (a list) or Hugo's `author` (one name, or a list).
    #[serde(alias = "author", deserialize_with = "one_or_many")]
    pub authors: Vec<String>,
    /// Zola's `[extra]` table or Hugo's `params`: the site's own fields, kept as they
    /// are for page components ([`app::Extra`]).
    #[serde(alias = "params")]
    pub extra: Option<serde_json::Map<String, serde_json::Value>>,
    /// Zola's `taxonomies = { tags = […], categories = […] }`: its `tags` are the
    /// entry's tags; other taxonomies are not built yet (a warning names them).
    pub taxonomies: std::collections::BTreeMap<String, Vec<String>>,
    /// Hugo's top-level `categories` (not built yet: a warning).
    pub categories: Vec<String>,
    /// Zola's `template`, Hugo's `layout`: the name of the template that renders the
    /// entry, looked up in the route table (`app::Routes::template`).
    #[serde(alias = "layout")]
    pub template: Option<String>,
    /// Hugo's `type`: the entry's content type, looked up like `template` when that is
    /// missing.
    #[serde(rename = "type")]
    pub content_type: Option<String>,
}

/// The front matter of a section's `_index.md` (Zola's section keys; Hugo's branch
/// bundle keys of the same meaning). See [`app::Section`] for what each does.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct SectionFront {
    /// The list page's title.
    pub title: Option<String>,
    /// Its meta description.
    pub description: Option<String>,
    /// Zola's `sort_by`: `date`, `update_date`, `weight`, `title`, `title_bytes`,
    /// `slug`, `permalink` or `none`; another value is an error naming the file.
    pub sort_by: Option<String>,
    /// Entries per list page (Zola `paginate_by`, Hugo's `paginate`).
    #[serde(alias = "paginate")]
    pub paginate_by: Option<usize>,
    /// The segment before a list page's number (`page`).
    pub paginate_path: Option<String>,
    /// Whether the list page is rendered (Zola's `render`, default true).
    pub render: Option<bool>,
    /// Where the section's URL redirects (Zola's `redirect_to`).
    pub redirect_to: Option<String>,
    /// Whether its pages are also listed by the parent section.
    pub transparent: bool,
    /// Heading anchor links of its pages: `left`, `right`, `heading`, `none`.
    pub insert_anchor_links: Option<app::AnchorLinks>,
    /// Order among sibling sections.
    pub weight: i64,
    /// A draft section is left out with its list page (its pages are not).
    pub draft: bool,
    /// Zola's `template`, Hugo's `layout`: the list page's template name, mapped in the
    /// route table.
    #[serde(alias = "layout")]
    pub template: Option<String>,
    /// Zola's `page_template`: the template of the section's pages.
    pub page_template: Option<String>,
    /// Old URLs of the section (site-relative; Hugo's relative ones are relative to
    /// the content root for a top-level section).
    pub aliases: Vec<String>,
    /// Zola's `generate_feeds` (`generate_feed` before 0.19): an Atom feed of the
    /// section at `<section>/atom.xml`.
    #[serde(alias = "generate_feed")]
    pub generate_feeds: Option<bool>,
    /// Hugo's `author` of the section: read, not shown.
    #[serde(alias = "author")]
    pub authors: Option<serde_json::Value>,
    /// Zola's `[extra]`, Hugo's `params`: kept for page components.
    #[serde(alias = "params")]
    pub extra: Option<serde_json::Map<String, serde_json::Value>>,
    /// Zola's `in_search_index` and Hugo's `cascade`, `type`, `menu`: read, not used.
    pub in_search_index: Option<bool>,
    /// See `in_search_index`.
    pub cascade: Option<serde_json::Value>,
    /// See `in_search_index`.
    #[serde(rename = "type")]
    pub content_type: Option<String>,
    /// See `in_search_index`.
    pub menu: Option<serde_json::Value>,
}

/// A string or a list of strings, as a list.
fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

/// Front matter keys that were not recognised: `(line in the file, dotted key path)`.
pub type UnknownKeys = Vec<(usize, String)>;

/// A parsed front matter date. A bare date means midnight UTC; a date-time without an
/// offset is UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PostDate(pub DateTime<FixedOffset>);

impl PostDate {
    /// Parses `YYYY-MM-DD`, RFC 3339, or a date-time without offset
    /// (`2025-03-04T10:00:00`, `2025-03-04 10:00`), taken as UTC.
    ///
    /// # Errors
    /// A message naming the text and the accepted forms.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if let Ok(date) = DateTime::parse_from_rfc3339(text) {
            return Ok(PostDate(date));
        }
        // TOML writes date-times with a space instead of `T`; accept that too.
        if let Ok(date) = DateTime::parse_from_rfc3339(&text.replacen(' ', "T", 1)) {
            return Ok(PostDate(date));
        }
        for format in [
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
        ] {
            if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
                return Ok(PostDate(local.and_utc().fixed_offset()));
            }
        }
        if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
            return Ok(PostDate(midnight.and_utc().fixed_offset()));
        }
        Err(format!(
            "invalid date `{text}`: use YYYY-MM-DD or RFC 3339 such as 2025-03-04T10:00:00Z"
        ))
    }
}

impl<'de> Deserialize<'de> for PostDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DateVisitor;
        impl<'de> Visitor<'de> for DateVisitor {
            type Value = PostDate;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date such as 2025-03-04 or 2025-03-04T10:00:00Z")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PostDate, E> {
                PostDate::parse(v).map_err(E::custom)
            }
            // TOML dates and date-times are not strings but `toml::value::Datetime`.
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PostDate, A::Error> {
                let datetime =
                    toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
                PostDate::parse(&datetime.to_string()).map_err(de::Error::custom)
            }
        }
        deserializer.deserialize_any(DateVisitor)
    }
}

/// The syntax of a front matter block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Yaml,
    Toml,
}

impl Format {
    fn fence(self) -> &'static str {
        match self {
            Format::Yaml => "---",
            Format::Toml => "+++",
        }
    }
}

/// Splits `source` into its front matter and its Markdown body, and parses the front
/// matter. A file that does not start with a fence has no front matter (all defaults).
///
/// Errors carry the line and column in the whole file, not in the block.
#[cfg(test)]
pub fn parse<'a>(path: &Path, source: &'a str) -> Result<(FrontMatter, &'a str), ContentError> {
    parse_with_unknown(path, source).map(|(front, body, _)| (front, body))
}

/// [`parse`], also returning the keys it did not recognise, each with its line in the
/// file (for warnings: a misspelt `tilte` should not pass silently).
pub fn parse_with_unknown<'a>(
    path: &Path,
    source: &'a str,
) -> Result<(FrontMatter, &'a str, UnknownKeys), ContentError> {
    parse_as(path, source)
}

/// [`parse_with_unknown`] into another shape of front matter `T` (a section's
/// [`SectionFront`]).
///
/// # Errors
/// As [`parse`].
pub fn parse_as<'a, T: serde::de::DeserializeOwned + Default>(
    path: &Path,
    source: &'a str,
) -> Result<(T, &'a str, UnknownKeys), ContentError> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let first_line = source.lines().next().unwrap_or("").trim_end();
    let format = match first_line {
        "---" => Format::Yaml,
        "+++" => Format::Toml,
        _ => return Ok((T::default(), source, Vec::new())),
    };
    let fence = format.fence();
    // Byte offset where the front matter starts: after the first line's newline.
    let start = source.find('\n').map_or(source.len(), |i| i + 1);
    let mut offset = start;
    let mut end = None;
    for line in source[start..].split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == fence || (format == Format::Yaml && bare == "...") {
            end = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((block_end, body_start)) = end else {
        return Err(ContentError::UnclosedFrontMatter {
            path: path.to_owned(),
            line: 1,
            fence,
        });
    };
    let block = &source[start..block_end];
    let body = &source[body_start..];
    if block.trim().is_empty() {
        return Ok((T::default(), body, Vec::new()));
    }
    // Line numbers in the block start after the opening fence, on line 2.
    let error = |line: usize, column: usize, message: String| ContentError::FrontMatter {
        path: path.to_owned(),
        line: line + 1,
        column,
        message,
    };
    let mut unknown = Vec::new();
    let record = |path: serde_ignored::Path| unknown.push(path.to_string());
    let front_matter = match format {
        Format::Yaml => {
            let deserializer = serde_yaml_ng::Deserializer::from_str(block);
            serde_ignored::deserialize(deserializer, record).map_err(
                |err: serde_yaml_ng::Error| {
                    let (line, column) = err
                        .location()
                        .map_or((1, 1), |loc| (loc.line(), loc.column()));
                    error(line, column, without_position(err.to_string()))
                },
            )?
        }
        Format::Toml => {
            let toml_error = |err: toml::de::Error| {
                let (line, column) = err
                    .span()
                    .map_or((1, 1), |span| line_column(block, span.start));
                error(line, column, err.message().trim().to_owned())
            };
            let deserializer = toml::de::Deserializer::parse(block).map_err(toml_error)?;
            serde_ignored::deserialize(deserializer, record).map_err(toml_error)?
        }
    };
    let unknown = unknown
        .into_iter()
        .map(|key| (key_line(block, &key) + 1, key))
        .collect();
    Ok((front_matter, body, unknown))
}

/// Line (from 1, in the block) where the top-level key of a dotted `path` is written,
/// or 1 when it cannot be found.
fn key_line(block: &str, path: &str) -> usize {
    let key = path.split('.').next().unwrap_or(path);
    block
        .lines()
        .position(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with([':', '=']))
                || line.trim() == format!("[{key}]")
        })
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(source: &str) -> (FrontMatter, &str) {
        parse(Path::new("posts/x.md"), source).expect("valid front matter")
    }

    fn parse_err(source: &str) -> String {
        parse(Path::new("posts/x.md"), source)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn yaml_front_matter() {
        let (fm, body) = parse_ok(
            "---\ntitle: Hello\ndate: 2025-03-04\ntags: [rust, web]\nsummary: Short.\ndraft: true\n---\n# Body\n",
        );
        assert_eq!(fm.title.as_deref(), Some("Hello"));
        assert_eq!(fm.date.unwrap().0.to_rfc3339(), "2025-03-04T00:00:00+00:00");
        assert_eq!(fm.tags, ["rust", "web"]);
        assert_eq!(fm.summary.as_deref(), Some("Short."));
        assert!(fm.draft);
        assert_eq!(body, "# Body\n");
    }

    #[test]
    fn toml_front_matter_with_native_dates() {
        let (fm, body) = parse_ok(
            "+++\ntitle = \"Hi\"\ndate = 2025-03-04T10:30:00+02:00\ntags = [\"a\"]\n+++\nText",
        );
        assert_eq!(fm.title.as_deref(), Some("Hi"));
        assert_eq!(fm.date.unwrap().0.to_rfc3339(), "2025-03-04T10:30:00+02:00");
        assert_eq!(body, "Text");
        let (fm, _) = parse_ok("+++\ndate = 2024-12-31\n+++\n");
        assert_eq!(fm.date.unwrap().0.to_rfc3339(), "2024-12-31T00:00:00+00:00");
        let (fm, _) = parse_ok("+++\ndate = \"2024-12-31\"\n+++\n");
        assert!(fm.date.is_some());
    }

    #[test]
    fn no_front_matter_is_all_defaults() {
        let (fm, body) = parse_ok("# Title\n\n---\n\nA rule above is not front matter.");
        assert_eq!(fm, FrontMatter::default());
        assert!(body.starts_with("# Title"));
        let (fm, body) = parse_ok("---\n---\nBody");
        assert_eq!(fm, FrontMatter::default());
        assert_eq!(body, "Body");
    }

    #[test]
    fn crlf_and_bom_are_accepted() {
        let (fm, body) = parse_ok("\u{feff}---\r\ntitle: Win\r\n---\r\nBody\r\n");
        assert_eq!(fm.title.as_deref(), Some("Win"));
        assert_eq!(body, "Body\r\n");
    }

    #[test]
    fn yaml_error_names_file_line_and_column() {
        let err = parse_err("---\ntitle: ok\ntags: [unclosed\n---\nBody");
        assert!(err.starts_with("posts/x.md:"), "{err}");
        // The error is reported at or after line 3, where the bad value starts.
        let line: usize = err.split(':').nth(1).unwrap().parse().unwrap();
        assert!(line >= 3, "{err}");
    }

    #[test]
    fn wrong_type_is_reported_at_its_line() {
        let err = parse_err("---\ntitle: ok\ndraft: maybe\n---\n");
        assert!(
            err.starts_with("posts/x.md:3:8: invalid front matter:"),
            "{err}"
        );
        assert!(
            err.contains("invalid type") || err.contains("bool"),
            "{err}"
        );
    }

    #[test]
    fn bad_date_is_reported_at_its_line() {
        let err = parse_err("---\ntitle: ok\n\ndate: 2025-13-45\n---\n");
        assert!(err.starts_with("posts/x.md:4:"), "{err}");
        assert!(err.contains("invalid date `2025-13-45`"), "{err}");
        let err = parse_err("+++\ntitle = \"t\"\ndate = \"yesterday\"\n+++\n");
        assert!(err.starts_with("posts/x.md:3:"), "{err}");
        assert!(err.contains("invalid date `yesterday`"), "{err}");
    }

    #[test]
    fn toml_syntax_error_has_position() {
        let err = parse_err("+++\ntitle = \"t\"\ntags = [\"a\",\n+++\n");
        assert!(err.starts_with("posts/x.md:"), "{err}");
        assert!(err.contains("invalid front matter"), "{err}");
    }

    #[test]
    fn unknown_keys_are_reported_with_their_line() {
        let source = "---\ntitle: ok\ntilte: typo\nweight: 3\n---\nBody";
        let (fm, _, unknown) = parse_with_unknown(Path::new("x.md"), source).unwrap();
        assert_eq!(fm.weight, Some(3));
        assert_eq!(unknown, [(3, "tilte".to_owned())]);
        // Zola's `[extra]` is kept, not unknown; an unknown table still is.
        let source = "+++\ntitle = \"ok\"\n\n[extra]\nkey = 1\n\n[other]\nkey = 2\n+++\n";
        let (fm, _, unknown) = parse_with_unknown(Path::new("x.md"), source).unwrap();
        assert_eq!(unknown, [(7, "other".to_owned())]);
        assert_eq!(fm.extra.unwrap()["key"], 1);
    }

    #[test]
    fn updated_and_aliases() {
        let (fm, _) = parse_ok("---\nupdated: 2025-04-01\naliases: [/old/]\n---\n");
        assert_eq!(
            fm.updated.unwrap().0.to_rfc3339(),
            "2025-04-01T00:00:00+00:00"
        );
        assert_eq!(fm.aliases, ["/old/"]);
        let err = parse_err("---\ntitle: t\nupdated: soon\n---\n");
        assert!(err.starts_with("posts/x.md:3:"), "{err}");
    }

    #[test]
    fn unclosed_fence_is_an_error() {
        let err = parse_err("---\ntitle: never closed\n\nBody");
        assert_eq!(
            err,
            "posts/x.md:1: front matter opened with `---` is never closed: add a line `---` after the last key"
        );
    }
}

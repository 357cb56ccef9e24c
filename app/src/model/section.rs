//! Sections: the folders of a Zola or Hugo site other than its blog and its docs tree,
//! each with an optional `_index.md` (Zola's section page, Hugo's branch bundle) and a
//! list page of its pages.

use std::cmp::Ordering;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::{AnchorLinks, Extra, Heading, Page};

/// The order of a section's pages, Zola's `sort_by`. Pages that lack the key (no date,
/// no weight) come after the others, by title: they are listed, never dropped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    /// Newest first (`date`, else the date in the file name or the `path`).
    Date,
    /// Most recently updated first (`updated`, else the date).
    UpdateDate,
    /// Lightest `weight` first.
    Weight,
    /// By title, A to Z, case-insensitive, numbers by value ("Part 2" before
    /// "Part 10": Zola's natural order).
    Title,
    /// By title, byte by byte (Zola's `title_bytes`).
    TitleBytes,
    /// By slug, A to Z.
    Slug,
    /// By URL, A to Z (Zola: `2021/06/17/x` paths sort by date, oldest first).
    Permalink,
    /// As the files are named (Zola: unsorted; Atoll keeps it stable).
    #[default]
    None,
}

impl SortBy {
    /// The setting's value (`"update_date"`) as a `SortBy`; `None` for an unknown one.
    pub fn parse(value: &str) -> Option<SortBy> {
        Some(match value {
            "date" => SortBy::Date,
            "update_date" => SortBy::UpdateDate,
            "weight" => SortBy::Weight,
            "title" => SortBy::Title,
            "title_bytes" => SortBy::TitleBytes,
            "slug" => SortBy::Slug,
            "permalink" => SortBy::Permalink,
            "none" => SortBy::None,
            _ => return None,
        })
    }

    /// Compares two pages of a section in this order (source path breaks ties).
    pub fn compare(self, a: &Page, b: &Page) -> Ordering {
        fn keyed<T: Ord>(a: Option<T>, b: Option<T>, newest: bool) -> Ordering {
            match (a, b) {
                (Some(x), Some(y)) if newest => y.cmp(&x),
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
        }
        let by_title = || natural(&a.title, &b.title);
        match self {
            SortBy::Date => keyed(a.date, b.date, true).then_with(by_title),
            SortBy::UpdateDate => {
                keyed(a.updated.or(a.date), b.updated.or(b.date), true).then_with(by_title)
            }
            SortBy::Weight => keyed(a.weight, b.weight, false).then_with(by_title),
            SortBy::Title => by_title(),
            SortBy::TitleBytes => a.title.cmp(&b.title),
            SortBy::Slug => a.slug.cmp(&b.slug),
            SortBy::Permalink => a.url().cmp(&b.url()),
            SortBy::None => Ordering::Equal,
        }
        .then_with(|| a.source.cmp(&b.source))
    }
}

/// Natural order of two titles: case-insensitive, runs of digits compared by value.
fn natural(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let number = |it: &mut std::iter::Peekable<std::str::Chars>| {
                    let mut digits = String::new();
                    while let Some(c) = it.peek().copied().filter(char::is_ascii_digit) {
                        digits.push(c);
                        it.next();
                    }
                    let trimmed = digits.trim_start_matches('0').to_owned();
                    (trimmed.len(), trimmed)
                };
                let order = number(&mut x).cmp(&number(&mut y));
                if order != Ordering::Equal {
                    return order;
                }
            }
            (Some(c), Some(d)) => {
                let order = c.to_lowercase().cmp(d.to_lowercase());
                if order != Ordering::Equal {
                    return order;
                }
                x.next();
                y.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_sort_naturally_and_title_bytes_by_bytes() {
        let titles = ["part 10", "Part 2", "part 1", "Apple"];
        let mut natural_order = titles.to_vec();
        natural_order.sort_by(|a, b| natural(a, b));
        assert_eq!(natural_order, ["Apple", "part 1", "Part 2", "part 10"]);
        let mut bytes = titles.to_vec();
        bytes.sort();
        assert_eq!(bytes, ["Apple", "Part 2", "part 1", "part 10"]);
    }
}

/// A section (Zola's section, Hugo's branch bundle): a folder of a site root's content,
/// its `_index.md` settings, and its pages. URL: the folder's (`/projects/`); its list
/// page is rendered by the route table's `section` route unless `render = false`.
///
/// Settings follow Zola's section front matter; Hugo's `_index.md` keys of the same
/// meaning (`layout` for `template`) are read as these.
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Section {
    /// Site-relative URL with slashes on both ends (`/projects/`, `/projects/rust/`).
    pub path: String,
    /// The enclosing section's path (`None` for a top-level section).
    pub parent: Option<String>,
    /// Title (`_index.md`'s, else the folder name).
    pub title: String,
    /// Meta description and summary, if any.
    pub description: Option<String>,
    /// Order of its pages on the list page.
    pub sort_by: SortBy,
    /// Pages per list page (`paginate_by`); `None`: all on one page.
    pub paginate_by: Option<usize>,
    /// The path segment before a list page's number (`paginate_path`, default `page`):
    /// `/projects/page/2/`.
    pub paginate_path: String,
    /// Whether the list page is rendered (`render`, default true; the pages are
    /// published either way).
    pub render: bool,
    /// Where the section's URL redirects instead (`redirect_to`, site-relative or
    /// absolute): the list page is not rendered then.
    pub redirect_to: Option<String>,
    /// Whether its pages are also listed by its parent section (`transparent`).
    pub transparent: bool,
    /// Heading anchor links in its pages (and its own body), if set
    /// (`insert_anchor_links`); else the site's setting.
    pub insert_anchor_links: Option<AnchorLinks>,
    /// Whether the section has its own Atom feed at `<path>atom.xml` (`generate_feeds`).
    pub generate_feeds: bool,
    /// Zola's `template` / Hugo's `layout` for the list page, as written.
    pub template: Option<String>,
    /// Zola's `page_template`: the template of its pages, as written.
    pub page_template: Option<String>,
    /// Among its siblings, lighter first (`weight`).
    pub weight: i64,
    /// Old URLs that redirect to the section (`aliases`).
    pub aliases: Vec<String>,
    /// Its own fields (`[extra]`, Hugo `params`).
    pub extra: Extra,
    /// The body's headings, for a table of contents.
    pub toc: Vec<Heading>,
    /// The sanitized HTML of the `_index.md` body (empty without one).
    pub html: String,
    /// The `_index.md` (relative to the content folder), or the folder when the section
    /// has none.
    pub source: String,
    /// Its subsections' paths, lighter weight first, then by title.
    pub subsections: Vec<String>,
    /// Indexes into [`Site::pages`](super::Site::pages) of its pages (and those of its
    /// transparent subsections), in [`Section::sort_by`] order.
    pub pages: Vec<usize>,
}

impl Section {
    /// A section at `path` with Zola's defaults and no `_index.md`.
    pub fn new(path: impl Into<String>, title: impl Into<String>, source: String) -> Self {
        Section {
            path: path.into(),
            parent: None,
            title: title.into(),
            description: None,
            sort_by: SortBy::None,
            paginate_by: None,
            paginate_path: "page".to_owned(),
            render: true,
            redirect_to: None,
            transparent: false,
            insert_anchor_links: None,
            generate_feeds: false,
            template: None,
            page_template: None,
            weight: 0,
            aliases: Vec::new(),
            extra: Extra::default(),
            toc: Vec::new(),
            html: String::new(),
            source,
            subsections: Vec::new(),
            pages: Vec::new(),
        }
    }

    /// Whether the section has a list page: `render` is on and it does not redirect.
    pub fn has_list(&self) -> bool {
        self.render && self.redirect_to.is_none()
    }

    /// Number of list pages (at least 1).
    pub fn page_count(&self) -> usize {
        match self.paginate_by {
            Some(n) => self.pages.len().div_ceil(n.max(1)).max(1),
            None => 1,
        }
    }

    /// The positions in [`Section::pages`] shown on list page `page` (1-based).
    pub fn page_range(&self, page: usize) -> std::ops::Range<usize> {
        let len = self.pages.len();
        match self.paginate_by {
            Some(n) => {
                let start = (page.saturating_sub(1) * n).min(len);
                start..(start + n).min(len)
            }
            None => 0..len,
        }
    }

    /// The URL of list page `page`: the section's path for 1, else
    /// `<path><paginate_path>/<page>/`.
    pub fn page_url(&self, page: usize) -> String {
        if page <= 1 {
            self.path.clone()
        } else {
            format!("{}{}/{page}/", self.path, self.paginate_path)
        }
    }
}

/// When a section's list page was last changed: the newest date or update of its
/// pages, for the sitemap.
pub fn last_change(section: &Section, pages: &[Page]) -> Option<DateTime<FixedOffset>> {
    section
        .pages
        .iter()
        .filter_map(|&i| pages.get(i))
        .filter_map(|p| p.updated.or(p.date))
        .max()
}

//! The sections of a Zola or Hugo site root: every folder of its content outside the
//! blog and the docs tree that holds Markdown, with its `_index.md` settings (Zola's
//! section front matter, Hugo's branch bundle).
//!
//! What is a section follows both tools: a folder with an `_index.md` (Zola; Hugo's
//! branch bundle), and every top-level folder (Hugo's root sections). A folder with an
//! `index.md` and no `_index.md` is a leaf bundle (a page), never a section; any other
//! folder groups its pages under the nearest section above it.

use std::path::Path;

use app::{AnchorLinks, Section, SiteConfig, SortBy};

use crate::error::{ContentError, ContentWarning};
use crate::front_matter::{self, SectionFront};
use crate::names::names_a_file;

/// Reads the sections under `content` (a site root's content folder), skipping the
/// folders named in `skip` (the blog's and the docs tree's). The content root itself is
/// the section `/` when it has an `_index.md`. Returns the sections (by path), the
/// warnings (unknown keys, unmapped template names) and the errors (syntax, bad
/// values), all naming the `_index.md`.
pub(crate) fn read(
    content: &Path,
    config: &SiteConfig,
    skip: &[&str],
) -> (Vec<Section>, Vec<ContentWarning>, Vec<ContentError>) {
    let mut sections = Vec::new();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    let walker = walkdir::WalkDir::new(content)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            let skipped = e.depth() == 1 && skip.contains(&name.as_ref());
            e.depth() == 0
                || (e.file_type().is_dir()
                    && !name.starts_with('.')
                    && !skipped
                    && !is_leaf_bundle(e.path()))
        });
    for entry in walker.flatten() {
        let folder = entry.path();
        let index = folder.join("_index.md");
        let has_index = index.is_file();
        let section = match entry.depth() {
            0 if !has_index => continue,
            0 => true,
            1 => has_index || holds_markdown(folder),
            _ => has_index,
        };
        if !section {
            continue;
        }
        let relative = folder.strip_prefix(content).unwrap_or(folder);
        let path = path_of(relative);
        // A folder at a URL Atoll's own routes own: a taxonomy's (Hugo's
        // `content/tags/_index.md` titles the tags list) or a reserved one (`/search/`).
        let top = path.trim_matches('/').split('/').next().unwrap_or("");
        let taken = config.has_taxonomy(top) || app::RESERVED_SLUGS.contains(&top);
        if taken && has_index {
            warnings.push(ContentWarning {
                path: index.clone(),
                line: 1,
                message: format!(
                    "`/{top}/` is Atoll's own page ({}): this `_index.md` is not used",
                    if config.has_taxonomy(top) {
                        "the taxonomy's list and terms"
                    } else {
                        "a reserved URL"
                    }
                ),
            });
        }
        if taken {
            continue;
        }
        let title = title_of(relative);
        let source = if has_index {
            crate::names::source_name(content, &index)
        } else {
            crate::names::source_name(content, folder)
        };
        let mut section = Section::new(path, title, source);
        // Hugo gives every section an RSS feed; Zola only when asked.
        section.generate_feeds = config.flavor == app::Flavor::Hugo;
        if has_index {
            match read_index(&index, config, &mut section) {
                Ok(section_warnings) => warnings.extend(section_warnings),
                Err(err) => {
                    errors.push(err);
                    continue;
                }
            }
        }
        sections.push(section);
    }
    sections.sort_by(|a, b| a.path.cmp(&b.path));
    // Each section's parent: the nearest section folder above it (not the root:
    // its list page is the home page).
    let paths: Vec<String> = sections.iter().map(|s| s.path.clone()).collect();
    for section in &mut sections {
        section.parent = parent_of(&section.path, &paths);
    }
    (sections, warnings, errors)
}

/// A hash of what parsing an entry reads besides its file: the site's settings and, for
/// each section, its path, parent, `page_template` and `insert_anchor_links`.
pub(crate) fn settings_key(config: &app::SiteConfig, sections: &[app::Section]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    config.hash(&mut h);
    for s in sections {
        (&s.path, &s.parent, &s.page_template, s.insert_anchor_links).hash(&mut h);
    }
    h.finish()
}

/// The nearest section at or above the folder of the entry at `relative` (a path in
/// the content folder): for a bundle's `index.md`, above the bundle folder.
pub(crate) fn nearest<'s>(sections: &'s [Section], relative: &Path) -> Option<&'s Section> {
    let mut folder = relative.parent();
    if relative.file_name().is_some_and(|n| n == "index.md") {
        folder = folder.and_then(Path::parent);
    }
    while let Some(dir) = folder {
        let path = path_of(dir);
        if let Ok(i) = sections.binary_search_by(|s| s.path.as_str().cmp(&path)) {
            return Some(&sections[i]);
        }
        folder = dir.parent();
    }
    None
}

/// The heading anchor links of an entry at `relative`: the nearest section's
/// `insert_anchor_links` that is set, else the site's.
pub(crate) fn anchors(sections: &[Section], relative: &Path, config: &SiteConfig) -> AnchorLinks {
    let mut at = nearest(sections, relative);
    while let Some(section) = at {
        if let Some(anchors) = section.insert_anchor_links {
            return anchors;
        }
        at = section.parent.as_deref().and_then(|p| {
            sections
                .binary_search_by(|s| s.path.as_str().cmp(p))
                .ok()
                .map(|i| &sections[i])
        });
    }
    config.insert_anchor_links
}

/// A folder of a page bundle: an `index.md` and no `_index.md`.
fn is_leaf_bundle(dir: &Path) -> bool {
    dir.join("index.md").is_file() && !dir.join("_index.md").is_file()
}

/// Whether any Markdown file lies under `dir`.
fn holds_markdown(dir: &Path) -> bool {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .any(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
}

/// `projects/Rust Things` → `/projects/rust-things/`; the content root → `/`.
fn path_of(relative: &Path) -> String {
    let segments: Vec<String> = relative
        .components()
        .map(|c| slug::slugify(c.as_os_str().to_string_lossy()))
        .collect();
    if segments.is_empty() {
        "/".to_owned()
    } else {
        format!("/{}/", segments.join("/"))
    }
}

/// A section's title when its `_index.md` gives none: its folder name, capitalised.
fn title_of(relative: &Path) -> String {
    let name = relative
        .file_name()
        .map(|n| n.to_string_lossy().replace(['-', '_'], " "))
        .unwrap_or_default();
    let mut chars = name.trim().chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_else(|| "Home".to_owned())
}

/// The nearest of `paths` above `path` (`/a/b/c/` → `/a/b/` or `/a/`), never `/`.
fn parent_of(path: &str, paths: &[String]) -> Option<String> {
    let mut up = path.trim_end_matches('/');
    while let Some(i) = up.rfind('/') {
        up = &up[..i];
        if up.is_empty() {
            return None;
        }
        let candidate = format!("{up}/");
        if paths.binary_search(&candidate).is_ok() {
            return Some(candidate);
        }
    }
    None
}

/// A section's `_index.md` at `path`: its front matter, its Markdown body and a warning
/// per key it does not know (the blog section's and every other section's).
///
/// # Errors
/// The file cannot be read, or its front matter parsed (file, line and column).
pub(crate) fn read_front(
    path: &Path,
) -> Result<(SectionFront, String, Vec<ContentWarning>), ContentError> {
    let text = std::fs::read_to_string(path).map_err(|source| ContentError::Io {
        path: path.to_owned(),
        source,
    })?;
    let (front, body, unknown) = front_matter::parse_as::<SectionFront>(path, &text)?;
    let warnings = unknown
        .into_iter()
        .map(|(line, key)| ContentWarning {
            path: path.to_owned(),
            line,
            message: format!("unknown section key `{key}` (ignored)"),
        })
        .collect();
    Ok((front, body.to_owned(), warnings))
}

/// A section's `aliases` as site-relative URLs: a leading slash is optional (Zola; Hugo's
/// relative ones are relative to the content root for a top-level section), a folder
/// gets its trailing slash, a file name (`old.html`) stays a file; absolute URLs are
/// left out.
pub(crate) fn section_aliases(aliases: &[String]) -> Vec<String> {
    aliases
        .iter()
        .filter(|alias| !alias.contains("://"))
        .map(|alias| alias.trim_matches('/'))
        .filter(|alias| !alias.is_empty())
        .map(|alias| {
            let dir = !names_a_file(alias.rsplit('/').next().unwrap_or(""));
            format!("/{alias}{}", if dir { "/" } else { "" })
        })
        .collect()
}

/// Zola's `sort_by = "<value>"` of the `_index.md` at `path`.
///
/// # Errors
/// [`ContentError::InvalidField`] naming the file and the orders there are.
pub(crate) fn sort_order(path: &Path, value: &str) -> Result<SortBy, ContentError> {
    SortBy::parse(value).ok_or_else(|| ContentError::InvalidField {
        path: path.to_owned(),
        field: "sort_by",
        message: format!(
            "`{value}` is not an order: use date, update_date, weight, title, title_bytes, slug, permalink or none"
        ),
    })
}

/// Reads `_index.md` at `path` into `section`; returns a warning per key it does not
/// use.
fn read_index(
    path: &Path,
    config: &SiteConfig,
    section: &mut Section,
) -> Result<Vec<ContentWarning>, ContentError> {
    let (front, body, mut warnings) = read_front(path)?;
    let body = body.as_str();
    let warn = |line: usize, message: String| ContentWarning {
        path: path.to_owned(),
        line,
        message,
    };
    let invalid = |field: &'static str, message: String| ContentError::InvalidField {
        path: path.to_owned(),
        field,
        message,
    };
    if let Some(title) = front.title.filter(|t| !t.trim().is_empty()) {
        section.title = title.trim().to_owned();
    }
    section.description = front.description.filter(|d| !d.trim().is_empty());
    if let Some(sort) = &front.sort_by {
        section.sort_by = sort_order(path, sort)?;
    }
    // Zola's 0 is its default: not paginated.
    section.paginate_by = front.paginate_by.filter(|n| *n > 0);
    if let Some(segment) = front.paginate_path {
        let segment = segment.trim_matches('/');
        if segment.is_empty() || segment.contains(['/', '?', '#']) {
            return Err(invalid(
                "paginate_path",
                format!("`{segment}` is not one path segment such as `page`"),
            ));
        }
        section.paginate_path = segment.to_owned();
    }
    section.render = front.render.unwrap_or(true) && !front.draft;
    section.redirect_to = front.redirect_to.map(|to| {
        if to.starts_with('/') || to.contains("://") {
            to
        } else {
            format!("/{to}")
        }
    });
    section.transparent = front.transparent;
    section.insert_anchor_links = front.insert_anchor_links;
    section.generate_feeds = front.generate_feeds.unwrap_or(section.generate_feeds);
    section.weight = front.weight;
    section.template = front.template;
    section.page_template = front.page_template;
    section.aliases = section_aliases(&front.aliases);
    section.extra = app::Extra {
        fields: front.extra.unwrap_or_default(),
        source: section.source.clone(),
    };
    // Read, and not used: said, not dropped.
    for (present, key, why) in [
        (
            front.cascade.is_some(),
            "cascade",
            "its values do not reach the section's pages",
        ),
        (
            front.menu.is_some(),
            "menu",
            "the layout's menu is the site's",
        ),
        (
            front.content_type.is_some(),
            "type",
            "sections render with the `section` route",
        ),
        (
            front.in_search_index.is_some(),
            "in_search_index",
            "the search index holds the blog's posts",
        ),
        (
            front.authors.is_some(),
            "author",
            "a section shows no author",
        ),
    ] {
        if present {
            warnings.push(warn(1, format!("section key `{key}` is not used: {why}")));
        }
    }
    if let Some(name) = &section.template {
        let routes = app::routes();
        let bare = name.strip_suffix(".html").unwrap_or(name);
        match routes.for_template(name).map(|route| route.name()) {
            // Zola's and Hugo's default names.
            _ if matches!(bare, "section" | "list" | "index") => {}
            Some("section") => {}
            Some(other) => warnings.push(warn(
                1,
                format!(
                    "template `{name}` maps to the route `{other}`, which does not render a section: the section renders with the `section` route"
                ),
            )),
            None => warnings.push(warn(
                1,
                format!(
                    "template `{name}` is not in the route table (app/src/routes.rs): the section renders with the `section` route"
                ),
            )),
        }
    }
    let anchors = section
        .insert_anchor_links
        .unwrap_or(config.insert_anchor_links);
    let rendered = crate::markdown::render_with(body, false, anchors);
    section.toc = rendered.toc;
    section.html = rendered.html;
    if section.description.is_none() && !rendered.first_paragraph.is_empty() {
        section.description = Some(rendered.first_paragraph);
    }
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(path: &str, parent: Option<&str>) -> Section {
        let mut s = Section::new(path, "x", String::new());
        s.parent = parent.map(str::to_owned);
        s
    }

    #[test]
    fn an_entry_belongs_to_the_nearest_section_folder() {
        let sections = vec![
            section("/", None),
            section("/projects/", None),
            section("/projects/rust/", Some("/projects/")),
        ];
        let at = |p: &str| nearest(&sections, Path::new(p)).map(|s| s.path.as_str());
        assert_eq!(at("projects/rust/a.md"), Some("/projects/rust/"));
        assert_eq!(at("projects/rust/b/index.md"), Some("/projects/rust/"));
        assert_eq!(at("projects/other/c.md"), Some("/projects/"));
        assert_eq!(at("about.md"), Some("/"));
        assert_eq!(
            parent_of("/projects/rust/", &["/projects/".into()]),
            Some("/projects/".into())
        );
        assert_eq!(parent_of("/projects/", &["/".into()]), None);
    }

    #[test]
    fn anchors_come_from_the_nearest_section_that_sets_them() {
        let mut top = section("/guides/", None);
        top.insert_anchor_links = Some(AnchorLinks::Right);
        let sections = vec![top, section("/guides/deep/", Some("/guides/"))];
        let config = SiteConfig::default();
        assert_eq!(
            anchors(&sections, Path::new("guides/deep/x.md"), &config),
            AnchorLinks::Right
        );
        assert_eq!(
            anchors(&sections, Path::new("other/x.md"), &config),
            config.insert_anchor_links
        );
    }
}

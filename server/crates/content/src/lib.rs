//! Loading a site's content from a folder:
//!
//! ```text
//! content/
//!   site.toml           optional site settings (app::SiteConfig)
//!   posts/*.md          posts → /posts/<slug>/
//!   docs/**.md          docs; a folder is a section, its _index.md the section page
//!   pages/*.md          standalone pages → /<slug>/
//!   products/*.json     products → /products/<slug>/
//! ```
//!
//! Markdown files may start with YAML (`---`) or TOML (`+++`) front matter. Every file is
//! parsed (in parallel) and every error is collected, so one run reports all broken
//! files at once, each with its path, line and column. Unknown keys are warnings.

mod cache;
mod error;
mod escape;
mod front_matter;
pub mod highlight;
mod markdown;
mod names;
mod products;
mod refs;
mod sections;
mod shortcodes;
pub mod site_root;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use app::{Doc, Page, Post, Product, Section, Site, SiteConfig, RESERVED_SLUGS};
use rayon::prelude::*;

use names::{
    bundle_dir, dated_name, dated_permalink, names_a_file, permalink_of, slug_of, source_name,
};

pub use cache::{load_bodies, CachedEntry, CachedKind, ContentCache, Sources, Stamp};
pub use error::{ContentError, ContentWarning};
pub use escape::escape;
pub use front_matter::{FrontMatter, PostDate};
pub use markdown::{render as render_markdown, sanitize as sanitize_html, Rendered};
pub use names::{is_valid_alias, is_valid_slug};
pub use products::MAX_PRICE_CENTS;

/// How to load a site.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Keep entries whose front matter says `draft: true` (preview builds).
    pub include_drafts: bool,
    /// Replaces `base_url` of `site.toml` (e.g. for a preview deploy).
    pub base_url: Option<String>,
}

/// A loaded site and the warnings found on the way.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The site.
    pub site: Site,
    /// Problems that did not stop the load (unknown keys), in file order.
    pub warnings: Vec<ContentWarning>,
    /// Every Markdown source (relative path) with its stamp and its warnings as
    /// `(line, message)`: what [`ContentCache::from_parts`] records.
    pub sources: Sources,
    /// Sources taken from the cache: their entries have empty `html` and `text` until
    /// [`load_bodies`] fills them.
    pub deferred: HashSet<String>,
}

/// [`load`] without the warnings.
///
/// # Errors
/// As [`load`].
pub fn load_site(dir: &Path, options: &LoadOptions) -> Result<Site, ContentError> {
    load(dir, options).map(|loaded| loaded.site)
}

/// Loads and renders every entry under `dir` (see the module docs) and the settings in
/// `dir/site.toml`. Drafts are dropped unless [`LoadOptions::include_drafts`].
///
/// # Errors
/// [`ContentError::MissingDir`] when `dir` does not exist; otherwise every problem of
/// every file, as one error or [`ContentError::Many`]: syntax and type errors with
/// file:line:column, missing titles, invalid or reserved slugs, duplicate URLs (naming
/// both files).
pub fn load(dir: &Path, options: &LoadOptions) -> Result<Loaded, ContentError> {
    load_with_cache(dir, options, None)
}

/// [`load`], taking the metadata of each Markdown file whose [`Stamp`] (size and
/// modification time) matches `cache` from it instead of parsing the file again. Those
/// entries come without their body (see [`Loaded::deferred`]).
///
/// # Errors
/// As [`load`].
pub fn load_with_cache(
    dir: &Path,
    options: &LoadOptions,
    cache: Option<&ContentCache>,
) -> Result<Loaded, ContentError> {
    if !dir.is_dir() {
        return Err(ContentError::MissingDir {
            path: dir.to_owned(),
        });
    }
    // A Zola or Hugo site root: its settings, and the entries under its `content/`.
    let root = site_root::detect(dir);
    let content;
    let dir: &Path = match &root {
        Some(root) => {
            content = root.content.clone();
            &content
        }
        None => dir,
    };
    let mut errors = Vec::new();
    let mut root_warnings = Vec::new();
    let loaded_config = match &root {
        Some(root) => site_root::settings(root).map(|(mut config, warnings)| {
            root_warnings = warnings;
            config.sections = site_root::sections(dir);
            if root.flavor == app::Flavor::Hugo {
                // Hugo's RSS feeds: the site's and the blog section's.
                config.feed_aliases.push("/index.xml".to_owned());
                if !config.sections.posts.is_empty() {
                    config
                        .feed_aliases
                        .push(format!("/{}/index.xml", config.sections.posts));
                }
            }
            config
        }),
        None => load_config(&dir.join("site.toml")),
    };
    let mut config = match loaded_config {
        Ok(config) => config,
        Err(err) => {
            errors.push(err);
            SiteConfig::default()
        }
    };
    if let Some(base_url) = &options.base_url {
        config.base_url = base_url.clone();
    }
    config.base_url = config.base_url.trim_end_matches('/').to_owned();

    let mut jobs = Vec::new();
    // Files that are not entries, each named in a warning (aggregated per message).
    let mut not_entries = Vec::new();
    let sections = config.sections.clone();
    // The blog section's own settings (Zola's `_index.md`, Hugo's branch bundle).
    let blog_index = dir.join(&sections.posts).join("_index.md");
    if blog_index.is_file() {
        match read_blog_section(&blog_index, &mut config) {
            Ok(section_warnings) => not_entries.extend(section_warnings),
            Err(err) => errors.push(err),
        }
    }
    // A Zola or Hugo site may leave `title` and `description` out of its settings and
    // give them in the content root's `_index.md` (blog.rust-lang.org): the site's,
    // then.
    if root.is_some() {
        let defaults = SiteConfig::default();
        // (Its errors and warnings are reported where it is read as a section.)
        if let Ok((front, _, _)) = sections::read_front(&dir.join("_index.md")) {
            if config.title == defaults.title {
                if let Some(title) = front.title.filter(|t| !t.trim().is_empty()) {
                    config.title = title.trim().to_owned();
                }
            }
            if config.description.is_empty() {
                config.description = front.description.unwrap_or_default();
            }
        }
    }
    let mut folders = vec![(dir.join(&sections.docs), Kind::Doc, "md")];
    // The blog's folder; on a Zola site whose blog is the content root (`posts = ""`),
    // the Markdown at the root and the leaf bundles there, below.
    if !sections.posts.is_empty() {
        folders.insert(0, (dir.join(&sections.posts), Kind::Post, "md"));
    }
    // A site root's sections (Zola's `_index.md`, Hugo's branch bundles).
    let mut site_sections: Vec<Section> = Vec::new();
    if root.is_some() {
        let skip = [sections.posts.as_str(), sections.docs.as_str()];
        let (read, section_warnings, section_errors) = sections::read(dir, &config, &skip);
        site_sections = read;
        not_entries.extend(section_warnings);
        errors.extend(section_errors);
        // The blog at the root is no section of its own.
        if sections.posts.is_empty() {
            site_sections.retain(|s| s.path != "/");
        }
    }
    if root.is_some() {
        // Every other section of a Zola or Hugo site: standalone pages at their URL;
        // the Markdown at the root of `content/` too (`about.md` at `/about/`), or the
        // blog's posts when the root is the blog.
        let root_kind = match sections.posts.is_empty() {
            true => Kind::Post,
            false => Kind::Page,
        };
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name == sections.posts || name == sections.docs {
                continue;
            }
            if path.is_dir() {
                let bundle = path.join("index.md").is_file() && !path.join("_index.md").is_file();
                let kind = if bundle { root_kind } else { Kind::Page };
                folders.push((path, kind, "md"));
            } else if path.extension().is_some_and(|x| x == "md") && name != "_index.md" {
                match not_an_entry(&path, root_kind, true) {
                    Some(message) => not_entries.push(ContentWarning {
                        path,
                        line: 1,
                        message,
                    }),
                    None => jobs.push((root_kind, path)),
                }
            }
        }
    } else {
        folders.push((dir.join("pages"), Kind::Page, "md"));
        folders.push((dir.join("products"), Kind::Product, "json"));
    }
    for (folder, kind, extension) in folders {
        match files(&folder, extension) {
            Ok(files) => {
                for path in files {
                    if path == blog_index {
                        continue;
                    }
                    // A section's settings, read above (the docs tree's are its docs).
                    if root.is_some()
                        && kind == Kind::Page
                        && path.file_name().is_some_and(|n| n == "_index.md")
                    {
                        continue;
                    }
                    match not_an_entry(&path, kind, root.is_some()) {
                        Some(message) => not_entries.push(ContentWarning {
                            path,
                            line: 1,
                            message,
                        }),
                        None => jobs.push((kind, path)),
                    }
                }
            }
            Err(err) => errors.push(err),
        }
    }
    // A cache made with other settings or sections is not used (see `settings_key`).
    let cache = cache.filter(|c| c.settings == sections::settings_key(&config, &site_sections));
    type Job = Result<
        (
            Entry,
            Vec<ContentWarning>,
            Option<(String, Stamp)>,
            bool,
            Option<Moment>,
        ),
        ContentError,
    >;
    let results: Vec<Job> = jobs
        .par_iter()
        .map(|(kind, path)| {
            let source = source_name(dir, path);
            let stamp = match kind {
                Kind::Product => None,
                _ => Some(Stamp::of(path)?),
            };
            if let (Some(stamp), Some(cached)) = (stamp, cache.and_then(|c| c.entries.get(&source)))
            {
                if cached.stamp == stamp {
                    let (entry, warnings) = cached.restore(path);
                    // Cached entries have no schedule (those are never cached).
                    return Ok((entry, warnings, Some((source, stamp)), true, None));
                }
            }
            let (entry, warnings, change) = load_entry(dir, *kind, path, &config, &site_sections)?;
            Ok((
                entry,
                warnings,
                stamp.map(|stamp| (source, stamp)),
                false,
                change,
            ))
        })
        .collect();

    let (mut posts, mut docs, mut pages, mut products) = (vec![], vec![], vec![], vec![]);
    let mut warnings = Vec::new();
    let mut sources = HashMap::new();
    let mut deferred = HashSet::new();
    let mut next_change: Option<Moment> = None;
    for result in results {
        match result {
            Ok((entry, entry_warnings, stamped, from_cache, change)) => {
                next_change = next_change.into_iter().chain(change).min();
                if let Some((source, stamp)) = stamped {
                    let lines = entry_warnings
                        .iter()
                        .map(|w| (w.line, w.message.clone()))
                        .collect();
                    if from_cache {
                        deferred.insert(source.clone());
                    }
                    sources.insert(source, (stamp, lines));
                }
                warnings.extend(entry_warnings);
                match entry {
                    Entry::Post(post) => posts.push(post),
                    Entry::Doc(doc) => docs.push(doc),
                    Entry::Page(page) => pages.push(page),
                    Entry::Product(product) => products.push(product),
                }
            }
            Err(err) => errors.push(err),
        }
    }

    // Entries are keyed by slug. Zola and Hugo let two entries share one when their
    // permalinks differ (`about.md` and `team/about.md`): those are keyed by permalink
    // instead (`team/about`); entries at one URL stay an error below.
    key_by_permalink(
        posts
            .iter_mut()
            .map(|p| (&mut p.slug, p.permalink.as_deref())),
    );
    key_by_permalink(
        pages
            .iter_mut()
            .map(|p| (&mut p.slug, p.permalink.as_deref())),
    );
    duplicates(
        dir,
        &mut errors,
        posts.iter().map(|p| (&p.slug, p.url(), &p.source)),
    );
    duplicates(
        dir,
        &mut errors,
        docs.iter().map(|d| (&d.url, d.url.clone(), &d.source)),
    );
    duplicates(
        dir,
        &mut errors,
        pages.iter().map(|p| (&p.slug, p.url(), &p.source)),
    );
    duplicates(
        dir,
        &mut errors,
        products.iter().map(|p| (&p.slug, p.url(), &p.source)),
    );
    duplicates(
        dir,
        &mut errors,
        products
            .iter()
            .map(|p| (&p.id, format!("product id {}", p.id), &p.source)),
    );
    warnings.extend(not_entries);
    warnings.extend(root_warnings);
    let mut warnings = aggregate(warnings);
    // A site root's Markdown is all read (above); Atoll's layout reads its sections.
    let skipped = if root.is_some() {
        Vec::new()
    } else {
        unread_markdown(dir, &[&sections.posts, &sections.docs, "pages"])
    };
    if posts.is_empty() && docs.is_empty() && pages.is_empty() && !skipped.is_empty() {
        errors.push(ContentError::NothingRecognised {
            path: dir.to_owned(),
            count: skipped.iter().map(|(_, files)| files.len()).sum(),
            example: skipped[0].1[0].clone(),
        });
    }
    if !errors.is_empty() {
        return Err(ContentError::from_list(errors));
    }
    // Never silently: one warning per folder of Markdown Atoll does not read.
    for (folder, files) in &skipped {
        let shown: Vec<&str> = files.iter().take(3).map(String::as_str).collect();
        let more = match files.len().saturating_sub(shown.len()) {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        warnings.push(ContentWarning {
            path: dir.join(folder),
            line: 1,
            message: format!(
                "{} Markdown file(s) not read: Atoll reads posts/, docs/ and pages/ (sections elsewhere are not supported yet): {}{more}",
                files.len(),
                shown.join(", ")
            ),
        });
    }

    if !options.include_drafts {
        posts.retain(|post| !post.draft);
        docs.retain(|doc| !doc.draft);
        pages.retain(|page| !page.draft);
    }
    add_missing_sections(&mut docs, &format!("/{}/", slug::slugify(&sections.docs)));
    // Page bundles: the folder's other files are published beside the page.
    let mut published = std::collections::BTreeMap::new();
    let bundles = posts
        .iter()
        .map(|p| (&p.source, p.url()))
        .chain(pages.iter().map(|p| (&p.source, p.url())))
        .chain(docs.iter().map(|d| (&d.source, d.url.clone())));
    for (source, url) in bundles {
        let Some(folder) = bundle_dir(Path::new(source)) else {
            continue;
        };
        // Beside the page: in its folder (a file permalink's folder for `…/post.html`).
        let base = &url[..url.rfind('/').map_or(0, |i| i + 1)];
        for (relative, file) in bundle_files(&dir.join(folder)) {
            published.insert(format!("{base}{relative}"), file);
        }
    }
    let mut site = Site::new(config, posts, docs, pages, products).with_sections(site_sections);
    site.next_change = next_change;
    site.bundle_files = published;
    resolve_internal_links(dir, &mut site)?;
    Ok(Loaded {
        site,
        warnings,
        sources,
        deferred,
    })
}

/// Reads the blog section's `_index.md` into `config` (the list page's title and
/// description, `paginate_by` as `posts_per_page`); returns a warning for each key it
/// does not use (`sort_by` other than `date`, template names, unknown keys).
fn read_blog_section(
    path: &Path,
    config: &mut SiteConfig,
) -> Result<Vec<ContentWarning>, ContentError> {
    let (front, _, mut warnings) = sections::read_front(path)?;
    let warn = |line: usize, message: String| ContentWarning {
        path: path.to_owned(),
        line,
        message,
    };
    if let Some(title) = front.title.filter(|t| !t.trim().is_empty()) {
        config.blog.title = title.trim().to_owned();
    }
    config
        .blog
        .aliases
        .extend(sections::section_aliases(&front.aliases));
    config.blog.description = front.description.or(config.blog.description.take());
    // Zola's 0 (its default) is "not paginated": the site's `posts_per_page` stays.
    if let Some(n) = front.paginate_by.filter(|n| *n > 0) {
        config.posts_per_page = n;
    }
    config.blog.insert_anchor_links = front.insert_anchor_links;
    // The blog lists posts newest first (its feed and previous/next follow that order);
    // Zola's `permalink` order of dated paths is the same read backwards.
    match front.sort_by.as_deref() {
        None | Some("date") => {}
        Some(sort) => {
            sections::sort_order(path, sort)?;
            warnings.push(warn(
                1,
                format!(
                    "sort_by = \"{sort}\" is not used for the blog: posts are listed newest first"
                ),
            ))
        }
    }
    for key in [
        front.redirect_to.as_ref().map(|_| "redirect_to"),
        front.paginate_path.as_ref().map(|_| "paginate_path"),
        front.render.map(|_| "render"),
        front.transparent.then_some("transparent"),
    ]
    .into_iter()
    .flatten()
    {
        warnings.push(warn(
            1,
            format!("`{key}` is not used for the blog section: its list is Atoll's blog page at /posts/"),
        ));
    }
    for name in [front.template, front.page_template].into_iter().flatten() {
        warnings.push(warn(
            1,
            format!(
                "template `{name}` is not used for the blog section: the blog renders with Atoll's blog and post routes"
            ),
        ));
    }
    Ok(warnings)
}

/// Why a Markdown file under a folder Atoll reads is not an entry, if it is not: a
/// section's `_index.md` under posts/ or pages/ (Zola, Hugo branch bundles; its settings
/// are not read there yet), or a translation (`post.fr.md`, `index.pt-br.md`: Zola's and
/// Hugo's multilingual files, not built yet, never mixed into the default language).
fn not_an_entry(path: &Path, kind: Kind, site_root: bool) -> Option<String> {
    let name = path.file_name()?.to_string_lossy();
    // Hugo: the other Markdown files of a leaf bundle (`section/x/index.md`) are its
    // resources; an `index.md` directly in a section folder is an ordinary entry.
    let in_bundle = || {
        path.parent()
            .is_some_and(|p| p.join("index.md").is_file() && !p.join("_index.md").is_file())
    };
    if site_root && name != "index.md" && in_bundle() {
        return Some(
            "a Markdown file inside a page bundle is one of its resources (Hugo), not a page: skipped"
                .to_owned(),
        );
    }
    if name == "_index.md" && matches!(kind, Kind::Post | Kind::Page) {
        return Some(if site_root {
            "a subsection of the blog (`_index.md`) is not read: its posts are the blog's, listed at /posts/"
                .to_owned()
        } else {
            "a section's `_index.md` is read on Zola and Hugo site roots; Atoll's posts/ and pages/ are not sections: the file is skipped"
                .to_owned()
        });
    }
    // Translations: Zola's and Hugo's naming, on their sites only (in Atoll's layout
    // `node.js.md` is a post about Node.js).
    if !site_root {
        return None;
    }
    // A translation has its default-language file beside it (`about.md` for
    // `about.fr.md`): `Update-on-crates.io-incident.md` is no translation.
    let stem = name.strip_suffix(".md")?;
    let (base, language) = stem.rsplit_once('.')?;
    let original = path.with_file_name(format!("{base}.md"));
    (is_language_code(language) && original.is_file()).then(|| {
        format!(
            "files in the language `{language}` (`*.{language}.md`) are skipped: multilingual sites are not built yet"
        )
    })
}

/// `fr`, `pt-br`, `zh-Hant`: a BCP 47 language tag as Zola and Hugo name translations
/// (a 2–3 letter language, optional subtags of 2–8 letters or digits).
fn is_language_code(text: &str) -> bool {
    let mut parts = text.split('-');
    let language = parts.next().unwrap_or_default();
    (2..=3).contains(&language.len())
        && language.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// One warning per message: the same unknown key or taxonomy in 300 files is one line
/// naming the first file and the count, not 300 lines.
fn aggregate(warnings: Vec<ContentWarning>) -> Vec<ContentWarning> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<(ContentWarning, usize)> = Vec::new();
    for warning in warnings {
        match seen.get(&warning.message) {
            Some(&i) => out[i].1 += 1,
            None => {
                seen.insert(warning.message.clone(), out.len());
                out.push((warning, 0));
            }
        }
    }
    out.into_iter()
        .map(|(mut warning, more)| {
            if more > 0 {
                warning.message = format!("{} — and in {more} more file(s)", warning.message);
            }
            warning
        })
        .collect()
}

/// Markdown files under `dir` outside `posts/`, `docs/` and `pages/` (hidden entries
/// skipped), grouped by their top-level folder (`.` for files at the root), as paths
/// relative to `dir`.
fn unread_markdown(dir: &Path, read: &[&str]) -> Vec<(String, Vec<String>)> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            entry.depth() == 0
                || !(name.starts_with('.')
                    || (entry.depth() == 1
                        && (read.contains(&name.as_ref()) || name == "products")))
        });
    for entry in walker.flatten() {
        if !entry.file_type().is_file() || entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let relative = source_name(dir, entry.path());
        let folder = match relative.split_once('/') {
            Some((top, _)) => top.to_owned(),
            None => ".".to_owned(),
        };
        match groups.last_mut() {
            Some((last, files)) if *last == folder => files.push(relative),
            _ => groups.push((folder, vec![relative])),
        }
    }
    groups
}

/// Re-keys the entries whose slug another entry also has and that have a permalink:
/// their key becomes the permalink without its slashes.
fn key_by_permalink<'a>(entries: impl Iterator<Item = (&'a mut String, Option<&'a str>)>) {
    let entries: Vec<_> = entries.collect();
    let mut count: HashMap<String, usize> = HashMap::new();
    for (slug, _) in &entries {
        *count.entry((**slug).clone()).or_default() += 1;
    }
    for (slug, permalink) in entries {
        if let Some(permalink) = permalink.filter(|_| count[&*slug] > 1) {
            *slug = permalink.trim_matches('/').to_owned();
        }
    }
}

/// Pushes a [`ContentError::DuplicateSlug`] for each key seen twice.
fn duplicates<'a>(
    dir: &Path,
    errors: &mut Vec<ContentError>,
    entries: impl Iterator<Item = (&'a String, String, &'a String)>,
) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for (key, url, source) in entries {
        if let Some(first) = seen.insert(key, source) {
            errors.push(ContentError::DuplicateSlug {
                slug: key
                    .trim_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or(key)
                    .to_owned(),
                url,
                first: dir.join(first),
                second: dir.join(source),
            });
        }
    }
}

/// Every folder that holds docs is a section: one without `_index.md` gets a section
/// page titled after the folder (`getting-started` → "Getting started").
fn add_missing_sections(docs: &mut Vec<Doc>, root: &str) {
    if docs.is_empty() {
        return;
    }
    let mut known: std::collections::HashSet<String> = docs.iter().map(|d| d.url.clone()).collect();
    let mut missing = Vec::new();
    for doc in docs.iter() {
        let mut parent = doc.parent_url();
        while let Some(url) = parent {
            if known.insert(url.clone()) {
                missing.push(url.clone());
            }
            parent = Doc::parent_of(&url);
        }
    }
    if known.insert(root.to_owned()) {
        missing.push(root.to_owned());
    }
    for url in missing {
        let segment = url.trim_matches('/').rsplit('/').next().unwrap_or("docs");
        let mut title = segment.replace(['-', '_'], " ");
        if let Some(first) = title.get(..1) {
            title = first.to_uppercase() + &title[1..];
        }
        docs.push(Doc {
            source: url.trim_start_matches('/').trim_end_matches('/').to_owned(),
            url,
            title,
            weight: 0,
            summary: String::new(),
            updated: None,
            draft: false,
            expires: None,
            aliases: Vec::new(),
            is_section: true,
            extra: Default::default(),
            toc: Vec::new(),
            html: String::new(),
            text: String::new(),
        });
    }
}

/// `site.toml`, or the defaults when the file does not exist.
fn load_config(path: &Path) -> Result<SiteConfig, ContentError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(SiteConfig::default()),
        Err(source) => {
            return Err(ContentError::Io {
                path: path.to_owned(),
                source,
            })
        }
    };
    let config: SiteConfig = toml::from_str(&text).map_err(|err| {
        let (line, column) = err
            .span()
            .map_or((1, 1), |span| error::line_column(&text, span.start));
        ContentError::SiteConfig {
            path: path.to_owned(),
            line,
            column,
            message: err.message().trim().to_owned(),
        }
    })?;
    for (field, value) in [
        ("posts_per_page", config.posts_per_page),
        ("feed_limit", config.feed_limit),
    ] {
        if value == 0 {
            return Err(ContentError::InvalidField {
                path: path.to_owned(),
                field,
                message: "must be at least 1".to_owned(),
            });
        }
    }
    Ok(config)
}

/// Every `*.{extension}` file under `folder`, sorted, hidden files and folders skipped.
/// A missing folder has no files.
fn files(folder: &Path, extension: &str) -> Result<Vec<PathBuf>, ContentError> {
    if !folder.exists() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(folder)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.')
        });
    for entry in walker {
        let entry = entry.map_err(|err| ContentError::Io {
            path: err.path().unwrap_or(folder).to_owned(),
            source: err.into(),
        })?;
        if entry.file_type().is_file()
            && entry.path().extension().is_some_and(|ext| ext == extension)
        {
            files.push(entry.into_path());
        }
    }
    Ok(files)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Post,
    Doc,
    Page,
    Product,
}

enum Entry {
    Post(Post),
    Doc(Doc),
    Page(Page),
    Product(Product),
}

/// The parts every Markdown entry shares.
struct Markdown {
    extra: app::Extra,
    front: FrontMatter,
    title: String,
    summary: String,
    toc: Vec<app::Heading>,
    html: String,
    text: String,
    source: String,
}

/// Reads, parses and renders one entry. `path` is inside `root` (the content folder);
/// errors name it as given.
fn load_entry(
    root: &Path,
    mut kind: Kind,
    path: &Path,
    config: &app::SiteConfig,
    site_sections: &[Section],
) -> Result<(Entry, Vec<ContentWarning>, Option<Moment>), ContentError> {
    let text = std::fs::read_to_string(path).map_err(|source| ContentError::Io {
        path: path.to_owned(),
        source,
    })?;
    let source = source_name(root, path);
    if let Kind::Product = kind {
        return products::parse(path, &text, source, &config.currency)
            .map(|(p, w)| (Entry::Product(p), w, None));
    }
    let (mut front, body, mut unknown) = front_matter::parse_with_unknown(path, &text)?;
    // Hugo writes a taxonomy's terms as a top-level key of its own (`series: [a]` for
    // `[taxonomies] series = "series"`): those keys are the site's taxonomies, not
    // unknown keys.
    if unknown.iter().any(|(_, key)| config.has_taxonomy(key)) {
        let (all, _, _) = front_matter::parse_as::<serde_json::Value>(path, &text)?;
        unknown.retain(|(_, key)| {
            if !config.has_taxonomy(key) {
                return true;
            }
            let terms: Vec<String> = match all.get(key) {
                Some(serde_json::Value::String(one)) => vec![one.clone()],
                Some(serde_json::Value::Array(many)) => many
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => return true,
            };
            front
                .taxonomies
                .entry(key.clone())
                .or_default()
                .extend(terms);
            false
        });
    }
    let next_change = next_change(&front);
    // Zola: an alias without a leading slash is site-relative (`releases/2.0`). Hugo:
    // it is relative to the entry's section (`post/x.md`'s `old` is `/post/old/`).
    for alias in &mut front.aliases {
        if !alias.starts_with('/') && !alias.contains("://") {
            if config.flavor == app::Flavor::Hugo {
                let section = section_dir(path.strip_prefix(root).unwrap_or(path));
                let trimmed = alias.trim_end_matches('/');
                let dir = !names_a_file(trimmed.rsplit('/').next().unwrap_or(""));
                *alias = format!("{section}{trimmed}{}", if dir { "/" } else { "" });
            } else {
                alias.insert(0, '/');
            }
        }
    }
    // A docs section's `_index.md` may carry Zola's section keys: the docs tree is read
    // in weight order with the site's anchor links, so they are named as such.
    let docs_section = kind == Kind::Doc && path.file_name().is_some_and(|n| n == "_index.md");
    let mut warnings: Vec<ContentWarning> = unknown
        .into_iter()
        .map(|(line, key)| ContentWarning {
            path: path.to_owned(),
            line,
            message: if docs_section && SECTION_KEYS.contains(&key.as_str()) {
                format!("section key `{key}` is not used in the docs tree (read in `weight` order)")
            } else {
                format!("unknown front matter key `{key}` (ignored)")
            },
        })
        .collect();
    // Zola's `taxonomies.tags` are tags; other taxonomies are named, not dropped.
    if let Some(tags) = front.taxonomies.remove("tags") {
        for tag in tags {
            if !front.tags.contains(&tag) {
                front.tags.push(tag);
            }
        }
    }
    // Hugo's `categories`; the posts' authors for an `authors` taxonomy.
    let categories = std::mem::take(&mut front.categories);
    if !categories.is_empty() {
        front
            .taxonomies
            .entry("categories".to_owned())
            .or_default()
            .extend(categories);
    }
    if config.has_taxonomy("authors") && !front.authors.is_empty() {
        let authors = front.taxonomies.entry("authors".to_owned()).or_default();
        for author in &front.authors {
            if !authors.contains(author) {
                authors.push(author.clone());
            }
        }
    }
    // Taxonomies the site does not declare are named, not silently dropped.
    let undeclared: Vec<String> = front
        .taxonomies
        .keys()
        .filter(|name| !config.has_taxonomy(name))
        .cloned()
        .collect();
    for name in undeclared {
        front.taxonomies.remove(&name);
        warnings.push(ContentWarning {
            path: path.to_owned(),
            line: 1,
            message: format!(
                "taxonomy `{name}` is not one of the site's (`taxonomies` setting): its terms are ignored"
            ),
        });
    }
    for alias in &front.aliases {
        if !is_valid_alias(alias) {
            return Err(ContentError::InvalidField {
                path: path.to_owned(),
                field: "aliases",
                message: format!("`{alias}` is not a site-relative path such as /old/path/"),
            });
        }
    }
    if front.path.is_some() && matches!(kind, Kind::Doc) {
        warnings.push(ContentWarning {
            path: path.to_owned(),
            line: 1,
            message: "`path`/`url` is read for posts and pages, not docs (yet): this doc keeps \
                      its URL in the docs tree"
                .to_owned(),
        });
    }
    let relative = path.strip_prefix(root).unwrap_or(path);
    // The template it names (its own, else its section's `page_template`), mapped to a
    // route of the table: a page whose template is the post route's is a post, and the
    // other way round; a name the table does not map is named in a warning.
    let section = sections::nearest(site_sections, relative);
    let original = kind;
    let template = front
        .template
        .clone()
        .or(front.content_type.clone())
        .or_else(|| {
            let mut at = section;
            while let Some(s) = at {
                if s.page_template.is_some() {
                    return s.page_template.clone();
                }
                at = s
                    .parent
                    .as_deref()
                    .and_then(|p| site_sections.iter().find(|s| s.path == p));
            }
            None
        });
    if let Some(name) = &template {
        if let Some(message) = template_kind(name, &mut kind) {
            warnings.push(ContentWarning {
                path: path.to_owned(),
                line: 1,
                message,
            });
        }
    }
    // Terms of entries other than posts: named, since term pages list posts only.
    let terms = !front.tags.is_empty() || front.taxonomies.keys().any(|t| t != "authors");
    if kind != Kind::Post && terms {
        warnings.push(ContentWarning {
            path: path.to_owned(),
            line: 1,
            message: "`tags`/`taxonomies` of a page outside the blog are not listed on the term pages (they list posts)"
                .to_owned(),
        });
    }
    // Hugo's `{{< ref "x.md" >}}`: Zola's `@/x.md`, resolved with it below.
    let body = refs::hugo_refs(body, root, relative);
    let anchors = match kind {
        Kind::Post => config.blog.insert_anchor_links,
        _ => None,
    }
    .unwrap_or_else(|| sections::anchors(site_sections, relative, config));
    let rendered = markdown::render_with(&body, front.title.is_none(), anchors);
    for url in &rendered.images_without_alt {
        warnings.push(ContentWarning {
            path: path.to_owned(),
            line: 1,
            message: format!(
                "the image `{url}` has no alt text: screen readers say nothing about it (describe it in `![…]({url})`)"
            ),
        });
    }
    let title = front
        .title
        .clone()
        .or(rendered.title)
        .map(|title| title.trim().to_owned())
        .filter(|title| !title.is_empty());
    // Zola and Hugo allow an entry without a title: titled by its name, and said so.
    let title = match title {
        Some(title) => title,
        None if config.flavor != app::Flavor::Atoll => {
            warnings.push(ContentWarning {
                path: path.to_owned(),
                line: 1,
                message: "no `title`: the page is titled by its file name".to_owned(),
            });
            title_of_name(path)
        }
        None => {
            return Err(ContentError::MissingTitle {
                path: path.to_owned(),
            })
        }
    };
    // `summary`, else Zola's and Hugo's `description`, else the first paragraph.
    let summary = front
        .summary
        .as_deref()
        .or(front.description.as_deref())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .unwrap_or(rendered.first_paragraph);
    let extra = app::Extra {
        fields: front.extra.take().unwrap_or_default(),
        source: source.clone(),
    };
    let own_url = front.path.is_some();
    let own_slug = front.slug.is_some();
    let md = Markdown {
        extra,
        front,
        title,
        summary,
        toc: rendered.toc,
        html: rendered.html,
        text: rendered.text,
        source,
    };
    let mut entry = match kind {
        Kind::Post => Entry::Post(post(path, md)?),
        Kind::Doc => Entry::Doc(doc(root, path, md, &config.sections.docs)?),
        Kind::Page => Entry::Page(page(path, md)?),
        Kind::Product => unreachable!("handled above"),
    };
    // Entries of a section in another folder live under it, as in Zola and Hugo:
    // `blog/x.md` at `/blog/x/`, `projects/a/b.md` at `/projects/a/b/`.
    match &mut entry {
        Entry::Post(post) if post.permalink.is_none() => {
            let posts = &config.sections.posts;
            post.permalink = match original {
                // A page made a post by its template stays at its folder's URL.
                Kind::Page => Some(format!("{}{}/", section_dir(relative), post.slug)),
                _ if posts.is_empty() => Some(format!("/{}/", post.slug)),
                _ if posts != "posts" => Some(format!("/{posts}/{}/", post.slug)),
                _ => None,
            };
        }
        Entry::Page(page) => {
            if page.permalink.is_none() {
                page.permalink = section_permalink(relative, &page.slug);
            }
            page.section = section.map(|s| s.path.clone());
        }
        _ => {}
    }
    // Hugo's `[permalinks]` for the entry's top-level section.
    if !own_url && !config.permalinks.is_empty() {
        let top = relative
            .components()
            .next()
            .filter(|_| relative.components().count() > 1)
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        if let Some(pattern) = top.as_deref().and_then(|t| config.permalinks.get(t)) {
            let filled = match &mut entry {
                Entry::Post(post) => {
                    let entry = (post.slug.as_str(), own_slug, post.title.as_str(), post.date);
                    Some(fill_permalink(pattern, relative, entry).inspect(|url| {
                        post.permalink = Some(url.clone());
                    }))
                }
                Entry::Page(page) => {
                    let entry = (page.slug.as_str(), own_slug, page.title.as_str(), page.date);
                    Some(fill_permalink(pattern, relative, entry).inspect(|url| {
                        page.permalink = Some(url.clone());
                    }))
                }
                _ => None,
            };
            let invalid = |message: String| ContentError::InvalidField {
                path: path.to_owned(),
                field: "permalinks",
                message,
            };
            match filled {
                Some(Err(token)) => {
                    return Err(invalid(format!(
                        "the pattern `{pattern}` has the token `:{token}`, which Atoll does not know (:year, :month, :monthname, :day, :weekday, :weekdayname, :yearday, :slug, :title, :filename, :slugorfilename, :section, :sections)"
                    )))
                }
                Some(Ok(url)) if !is_valid_alias(&url) => {
                    return Err(invalid(format!(
                        "the pattern `{pattern}` gives `{url}`, not a site-relative URL"
                    )))
                }
                _ => {}
            }
        }
    }
    Ok((entry, warnings, next_change))
}

/// Hugo's permalink `pattern` filled for an entry `(slug, whether the front matter set
/// it, title, date)`, each token anywhere in a segment (`/:year-:month/:slug/`):
/// `:year`, `:month`, `:monthname`, `:day` from its date (empty when it has none), `:slug`
/// (the front matter's slug, else the title slugified: Hugo's rule), `:title` (the title
/// slugified), `:filename` (the file's or bundle's name), `:slugorfilename`, `:section`
/// (the top-level folder), `:sections` (every folder), `:weekday`, `:weekdayname`,
/// `:yearday`; names are lowercased and hyphenated (Hugo's urlize). Empty segments are
/// dropped; the URL ends with `/` unless it names a file.
///
/// # Errors
/// The name of a token Atoll does not know.
fn fill_permalink(
    pattern: &str,
    relative: &Path,
    (slug, own_slug, title, date): (&str, bool, &str, Option<Moment>),
) -> Result<String, String> {
    let filename = bundle_dir(relative)
        .and_then(Path::file_name)
        .or_else(|| relative.file_stem())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut folders: Vec<String> = relative
        .parent()
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    if bundle_dir(relative).is_some() {
        folders.pop();
    }
    let token = |name: &str| -> Option<String> {
        let date = |format: &str| date.map_or(String::new(), |d| d.format(format).to_string());
        Some(match name {
            "year" => date("%Y"),
            "month" => date("%m"),
            "monthname" => date("%B").to_lowercase(),
            "day" => date("%d"),
            "slug" if own_slug => slug.to_owned(),
            "slug" | "title" => slug::slugify(title),
            "filename" | "contentbasename" => slug::slugify(&filename),
            "slugorfilename" | "slugorcontentbasename" if own_slug => slug.to_owned(),
            "slugorfilename" | "slugorcontentbasename" => slug::slugify(&filename),
            "section" => slug::slugify(folders.first().map_or("", String::as_str)),
            "sections" => folders
                .iter()
                .map(slug::slugify)
                .collect::<Vec<_>>()
                .join("/"),
            "weekday" => date("%w"),
            "weekdayname" => date("%A").to_lowercase(),
            "yearday" => date("%-j"),
            _ => return None,
        })
    };
    let mut out = String::with_capacity(pattern.len() + 32);
    let mut rest = pattern;
    while let Some(at) = rest.find(':') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..len];
        if name.is_empty() {
            out.push(':');
        } else {
            out.push_str(&token(name).ok_or_else(|| name.to_owned())?);
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    let segments: Vec<&str> = out.split('/').filter(|s| !s.is_empty()).collect();
    let mut url = format!("/{}", segments.join("/"));
    if !url.ends_with('/') && !names_a_file(segments.last().copied().unwrap_or("")) {
        url.push('/');
    }
    Ok(url)
}

/// Template names that are Zola's or Hugo's defaults (`page.html`, Hugo's `single`):
/// naming one is the same as naming none.
const DEFAULT_TEMPLATES: &[&str] = &["page", "single", "section", "list", "index"];

/// Zola's section keys that entries do not have (see `front_matter::SectionFront`).
const SECTION_KEYS: &[&str] = &[
    "sort_by",
    "paginate_by",
    "paginate_path",
    "transparent",
    "render",
    "redirect_to",
    "insert_anchor_links",
    "generate_feeds",
    "generate_feed",
    "page_template",
    "in_search_index",
];

/// Maps the template `name` of an entry of `kind` through the route table: a post or
/// page whose template is the other's route becomes that kind. Returns a warning when
/// the table does not map the name or maps it to a route that cannot render the entry.
fn template_kind(name: &str, kind: &mut Kind) -> Option<String> {
    let current = match kind {
        Kind::Post => "post",
        Kind::Doc => "doc",
        Kind::Page => "page",
        Kind::Product => return None,
    };
    // Zola's and Hugo's default names (what they use when none is given) change nothing.
    let bare = name.strip_suffix(".html").unwrap_or(name);
    if DEFAULT_TEMPLATES.contains(&bare) {
        return None;
    }
    match app::routes().for_template(name).map(|route| route.name()) {
        Some(route) if route == current => None,
        Some("post") if *kind == Kind::Page => {
            *kind = Kind::Post;
            None
        }
        Some("page") if *kind == Kind::Post => {
            *kind = Kind::Page;
            None
        }
        Some(route) => Some(format!(
            "template `{name}` maps to the route `{route}`, which does not render this entry: it renders with the `{current}` route"
        )),
        None => Some(format!(
            "template `{name}` is not in the route table (app/src/routes.rs): entries naming it render with their section's route"
        )),
    }
}

/// The slug, permalink and date of a post or page. Zola's and Jekyll's rule: a file or
/// bundle folder named `2021-03-04-slug` is dated by its name when the front matter has
/// no `date` (nor Hugo's `publishDate`), and its slug is the rest of the name; without
/// either, the date is the permalink's `YYYY/MM/DD/`.
fn slug_permalink_date(
    path: &Path,
    front: &FrontMatter,
) -> Result<(String, Option<String>, Option<Moment>), ContentError> {
    let named = dated_name(path);
    let slug = match (&front.slug, &named) {
        (None, Some((_, rest))) => slug_of(Path::new(rest), None)?,
        _ => slug_of(path, front.slug.clone())?,
    };
    let permalink = permalink(path, front)?;
    let date = front
        .date
        .or(front.publish_date)
        .map(|d| d.0)
        .or(named.map(|(date, _)| date))
        .or_else(|| permalink.as_deref().and_then(dated_permalink));
    Ok((slug, permalink, date))
}

fn post(path: &Path, mut md: Markdown) -> Result<Post, ContentError> {
    let (slug, permalink, date) = slug_permalink_date(path, &md.front)?;
    let draft = left_out(&md.front);
    let taxonomies = std::mem::take(&mut md.front.taxonomies);
    Ok(Post {
        taxonomies,
        permalink,
        slug,
        title: md.title,
        date,
        updated: md.front.updated.map(|d| d.0),
        tags: md.front.tags,
        summary: md.summary,
        draft,
        expires: md.front.expiry_date.map(|d| d.0),
        aliases: md.front.aliases,
        authors: md.front.authors,
        extra: md.extra,
        toc: md.toc,
        html: md.html,
        text: md.text,
        source: md.source,
    })
}

/// The URL of the section folder an entry sits in: `post/x.md` → `/post/`, a bundle
/// `post/x/index.md` → `/post/`, `about.md` → `/`.
fn section_dir(relative: &Path) -> String {
    let mut folders: Vec<String> = relative
        .parent()
        .map(|p| {
            p.components()
                .map(|c| slug::slugify(c.as_os_str().to_string_lossy()))
                .collect()
        })
        .unwrap_or_default();
    if relative.file_name().is_some_and(|n| n == "index.md") {
        folders.pop();
    }
    if folders.is_empty() {
        "/".to_owned()
    } else {
        format!("/{}/", folders.join("/"))
    }
}

/// The URL of a standalone page read from a section folder other than `pages/` (a Zola
/// or Hugo site's section): `projects/a/b.md` → `/projects/a/b/`, a bundle
/// `projects/a/index.md` → `/projects/a/`. `None` for `pages/` and the content root.
fn section_permalink(relative: &Path, slug: &str) -> Option<String> {
    let dir = section_dir(relative);
    (dir != "/" && !dir.starts_with("/pages/")).then(|| format!("{dir}{slug}/"))
}

/// `posts/my_first-post.md` → "My first post" (a bundle's folder name for `index.md`).
fn title_of_name(path: &Path) -> String {
    let name = match path.file_stem().and_then(|s| s.to_str()) {
        Some("index") => path
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned()),
        stem => stem.map(str::to_owned),
    }
    .unwrap_or_default();
    let words = name.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_else(|| "Untitled".to_owned())
}

/// A moment in a front matter's schedule.
type Moment = chrono::DateTime<chrono::FixedOffset>;

/// The entry's next scheduled change still to come: its `publishDate` or its
/// `expiryDate`, whichever is first and after now.
fn next_change(front: &FrontMatter) -> Option<Moment> {
    let now = chrono::Utc::now();
    [front.publish_date, front.expiry_date]
        .into_iter()
        .flatten()
        .map(|d| d.0)
        .filter(|d| *d > now)
        .min()
}

/// Whether the entry is left out like a draft: `draft`, or (Hugo) a `publishDate` still
/// to come or an `expiryDate` that has passed, at load time. Preview builds
/// (`--drafts`) include them, marked noindex like drafts.
fn left_out(front: &FrontMatter) -> bool {
    let now = chrono::Utc::now();
    front.draft
        || front.headless
        || front.publish_date.is_some_and(|d| d.0 > now)
        || front.expiry_date.is_some_and(|d| d.0 <= now)
}

/// The entry's own permalink from Zola's `path` / Hugo's `url`, if it has one.
fn permalink(path: &Path, front: &FrontMatter) -> Result<Option<String>, ContentError> {
    front
        .path
        .as_deref()
        .map(|value| permalink_of(path, value))
        .transpose()
}

fn doc(root: &Path, path: &Path, md: Markdown, folder: &str) -> Result<Doc, ContentError> {
    let docs = root.join(folder);
    let relative = path.strip_prefix(&docs).unwrap_or(path);
    let mut url = format!("/{}/", slug::slugify(folder));
    if let Some(folder) = relative.parent() {
        for segment in folder.components() {
            let name = segment.as_os_str().to_string_lossy();
            let slug = slug::slugify(&name);
            if slug.is_empty() {
                return Err(ContentError::InvalidSlug {
                    path: path.to_owned(),
                    slug: name.into_owned(),
                });
            }
            url.push_str(&slug);
            url.push('/');
        }
    }
    let is_section = path.file_name().is_some_and(|name| name == "_index.md");
    // A leaf bundle (`docs/x/index.md`, Hugo and Zola) is the page of its folder.
    let is_bundle = path.file_name().is_some_and(|name| name == "index.md")
        && relative.parent().is_some_and(|p| !p.as_os_str().is_empty());
    if !is_section && !is_bundle {
        url.push_str(&slug_of(path, md.front.slug.clone())?);
        url.push('/');
    }
    Ok(Doc {
        url,
        title: md.title,
        weight: md.front.weight.unwrap_or(0),
        summary: md.summary,
        updated: md.front.updated.or(md.front.date).map(|d| d.0),
        draft: left_out(&md.front),
        expires: md.front.expiry_date.map(|d| d.0),
        aliases: md.front.aliases,
        is_section,
        extra: md.extra,
        toc: md.toc,
        html: md.html,
        text: md.text,
        source: md.source,
    })
}

fn page(path: &Path, md: Markdown) -> Result<Page, ContentError> {
    // Dated as posts are (Zola dates every page so).
    let (slug, permalink, date) = slug_permalink_date(path, &md.front)?;
    if RESERVED_SLUGS.contains(&slug.as_str()) {
        return Err(ContentError::ReservedSlug {
            path: path.to_owned(),
            slug,
        });
    }
    Ok(Page {
        slug,
        permalink,
        title: md.title,
        summary: md.summary,
        date,
        updated: md.front.updated.or(md.front.date).map(|d| d.0),
        weight: md.front.weight,
        section: None,
        draft: left_out(&md.front),
        expires: md.front.expiry_date.map(|d| d.0),
        aliases: md.front.aliases,
        extra: md.extra,
        toc: md.toc,
        html: md.html,
        text: md.text,
        source: md.source,
    })
}

/// The slug from the front matter (validated), else from the file name (slugified).
/// Zola's internal links: `href="@/posts/x.md"` (`#fragment` kept) in every body
/// becomes the URL of the entry read from `posts/x.md` (`_index.md` of a docs
/// section included). Bodies not loaded yet (deferred by the content cache) are done
/// when they are loaded ([`load_bodies`]).
///
/// # Errors
/// [`ContentError::BrokenInternalLink`] for each link to no entry, naming both files.
pub(crate) fn resolve_internal_links(dir: &Path, site: &mut Site) -> Result<(), ContentError> {
    let urls: HashMap<String, String> = site
        .posts
        .iter()
        .map(|p| (p.source.clone(), p.url()))
        .chain(site.docs.iter().map(|d| (d.source.clone(), d.url.clone())))
        .chain(site.pages.iter().map(|p| (p.source.clone(), p.url())))
        // `@/projects/_index.md`: a section (Zola).
        .chain(
            site.sections
                .iter()
                .map(|s| (s.source.clone(), s.path.clone())),
        )
        .collect();
    let mut errors = Vec::new();
    let mut fix = |source: &str, html: &mut String| {
        if !html.contains("\"@/") {
            return;
        }
        let mut out = String::with_capacity(html.len());
        let mut rest = html.as_str();
        while let Some(at) = rest.find("\"@/") {
            out.push_str(&rest[..=at]);
            let link = &rest[at + 3..];
            let end = link.find('"').unwrap_or(link.len());
            let (target, fragment) = match link[..end].split_once('#') {
                Some((t, f)) => (t, Some(f)),
                None => (&link[..end], None),
            };
            let target = percent_encoding::percent_decode_str(target).decode_utf8_lossy();
            match urls.get(target.as_ref()) {
                Some(url) => {
                    out.push_str(url);
                    if let Some(fragment) = fragment {
                        out.push('#');
                        out.push_str(fragment);
                    }
                }
                None => {
                    errors.push(ContentError::BrokenInternalLink {
                        path: dir.join(source),
                        target: target.into_owned(),
                    });
                    out.push_str(&link[..end]);
                }
            }
            rest = &link[end..];
        }
        out.push_str(rest);
        *html = out;
    };
    for post in &mut site.posts {
        fix(&post.source, &mut post.html);
    }
    for doc in &mut site.docs {
        fix(&doc.source, &mut doc.html);
    }
    for page in &mut site.pages {
        fix(&page.source, &mut page.html);
    }
    for section in &mut site.sections {
        fix(&section.source, &mut section.html);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ContentError::from_list(errors))
    }
}

/// Every file of the bundle folder `dir` but its Markdown (and hidden entries), as
/// (path relative to `dir` with `/`, the file).
fn bundle_files(dir: &Path) -> Vec<(String, PathBuf)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_none_or(|x| x != "md"))
        .map(|e| (source_name(dir, e.path()), e.into_path()))
        .collect()
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod permalink_tests {
    use super::*;

    #[test]
    fn hugo_permalink_tokens_fill_anywhere_and_unknown_ones_are_refused() {
        let date = chrono::DateTime::parse_from_rfc3339("2024-03-05T10:00:00+00:00").ok();
        let post = Path::new("post/my-file.md");
        let fill = |pattern: &str, own_slug: bool| {
            fill_permalink(pattern, post, ("custom", own_slug, "A Title", date))
        };
        assert_eq!(
            fill("/:year-:month/:slug/", true).unwrap(),
            "/2024-03/custom/"
        );
        assert_eq!(
            fill("/:year/:slug/", false).unwrap(),
            "/2024/a-title/",
            "Hugo: the title"
        );
        assert_eq!(
            fill("/:section/:filename/", false).unwrap(),
            "/post/my-file/"
        );
        assert_eq!(
            fill("/:monthname/:day/:title", true).unwrap(),
            "/march/05/a-title/"
        );
        assert_eq!(
            fill("/:weekdayname/:slug/", true).unwrap(),
            "/tuesday/custom/"
        );
        assert_eq!(fill("/:era/:slug/", true).unwrap_err(), "era");
        let spaced = fill_permalink(
            "/:filename/",
            Path::new("post/My Post.md"),
            ("x", false, "X", None),
        );
        assert_eq!(spaced.unwrap(), "/my-post/");
        let bundle = Path::new("post/deep/my-bundle/index.md");
        let url = fill_permalink("/:sections/:filename/", bundle, ("x", false, "X", None));
        assert_eq!(url.unwrap(), "/post/deep/my-bundle/");
    }
}

//! Loading a site's content from a folder:
//!
//! ```text
//! content/
//!   site.toml        optional site settings (app::SiteConfig)
//!   posts/*.md       posts: Markdown with optional YAML (---) or TOML (+++) front matter
//! ```
//!
//! Every file is parsed (in parallel) and every error is collected, so one run reports
//! all broken files at once, each with its path, line and column.

mod error;
mod front_matter;
mod markdown;

use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use app::{Post, Site, SiteConfig};
use rayon::prelude::*;

pub use error::ContentError;
pub use front_matter::{FrontMatter, PostDate};
pub use markdown::{render as render_markdown, Rendered};

/// How to load a site.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Keep posts whose front matter says `draft: true` (preview builds).
    pub include_drafts: bool,
    /// Replaces `base_url` of `site.toml` (e.g. for a preview deploy).
    pub base_url: Option<String>,
}

/// Loads and renders every post under `dir/posts/` and the settings in `dir/site.toml`.
///
/// Posts are sorted newest first; undated posts come last, by title. Drafts are dropped
/// unless [`LoadOptions::include_drafts`].
///
/// # Errors
/// [`ContentError::MissingDir`] when `dir` does not exist; otherwise every problem of
/// every file, as one error or [`ContentError::Many`].
pub fn load_site(dir: &Path, options: &LoadOptions) -> Result<Site, ContentError> {
    if !dir.is_dir() {
        return Err(ContentError::MissingDir {
            path: dir.to_owned(),
        });
    }
    let mut errors = Vec::new();
    let mut config = match load_config(&dir.join("site.toml")) {
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

    let files = match post_files(&dir.join("posts")) {
        Ok(files) => files,
        Err(err) => return Err(ContentError::from_list(vec![err])),
    };
    let results: Vec<Result<Post, ContentError>> =
        files.par_iter().map(|path| load_post(dir, path)).collect();
    let mut posts = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(post) => posts.push(post),
            Err(err) => errors.push(err),
        }
    }

    let mut by_slug: HashMap<&str, &Post> = HashMap::new();
    for post in &posts {
        if let Some(first) = by_slug.insert(&post.slug, post) {
            errors.push(ContentError::DuplicateSlug {
                slug: post.slug.clone(),
                first: dir.join(&first.source),
                second: dir.join(&post.source),
            });
        }
    }
    if !errors.is_empty() {
        return Err(ContentError::from_list(errors));
    }

    if !options.include_drafts {
        posts.retain(|post| !post.draft);
    }
    posts.sort_by(newest_first);
    Ok(Site { config, posts })
}

fn newest_first(a: &Post, b: &Post) -> Ordering {
    match (a.date, b.date) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
    .then_with(|| a.title.cmp(&b.title))
    .then_with(|| a.slug.cmp(&b.slug))
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
    toml::from_str(&text).map_err(|err| {
        let (line, column) = err
            .span()
            .map_or((1, 1), |span| error::line_column(&text, span.start));
        ContentError::SiteConfig {
            path: path.to_owned(),
            line,
            column,
            message: err.message().trim().to_owned(),
        }
    })
}

/// Every `*.md` file under `posts`, sorted, hidden files and folders skipped. A missing
/// `posts` folder is an empty site.
fn post_files(posts: &Path) -> Result<Vec<PathBuf>, ContentError> {
    if !posts.exists() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(posts)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.')
        });
    for entry in walker {
        let entry = entry.map_err(|err| ContentError::Io {
            path: err.path().unwrap_or(posts).to_owned(),
            source: err.into(),
        })?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|ext| ext == "md") {
            files.push(entry.into_path());
        }
    }
    Ok(files)
}

/// Reads, parses and renders one post. `path` is inside `root` (the content folder);
/// errors name it relative to the working directory as given.
fn load_post(root: &Path, path: &Path) -> Result<Post, ContentError> {
    let source = std::fs::read_to_string(path).map_err(|source| ContentError::Io {
        path: path.to_owned(),
        source,
    })?;
    let (front, body) = front_matter::parse(path, &source)?;
    let rendered = markdown::render(body, front.title.is_none());
    let title = front
        .title
        .or(rendered.title)
        .filter(|title| !title.trim().is_empty())
        .ok_or_else(|| ContentError::MissingTitle {
            path: path.to_owned(),
        })?;
    let slug = match front.slug {
        Some(slug) => {
            let valid = !slug.is_empty()
                && slug
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
            if !valid {
                return Err(ContentError::InvalidSlug {
                    path: path.to_owned(),
                    slug,
                });
            }
            slug
        }
        None => {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy())
                .unwrap_or_default();
            let slug = slug::slugify(&stem);
            if slug.is_empty() {
                return Err(ContentError::InvalidSlug {
                    path: path.to_owned(),
                    slug: stem.into_owned(),
                });
            }
            slug
        }
    };
    let summary = front
        .summary
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or(rendered.first_paragraph);
    let source_name = path
        .strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned();
    Ok(Post {
        slug,
        title: title.trim().to_owned(),
        date: front.date.map(|d| d.0),
        tags: front.tags,
        summary,
        draft: front.draft,
        html: rendered.html,
        text: rendered.text,
        source: source_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn loads_sorts_and_drops_drafts() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "site.toml",
            "title = \"T\"\nbase_url = \"https://x.test/\"\n",
        );
        write(
            root,
            "posts/old.md",
            "---\ntitle: Old\ndate: 2020-01-01\n---\nOld body.",
        );
        write(
            root,
            "posts/new.md",
            "+++\ntitle = \"New\"\ndate = 2024-01-01\n+++\nNew body.",
        );
        write(
            root,
            "posts/Undated Post.md",
            "# From heading\n\nFirst para.",
        );
        write(root, "posts/draft.md", "---\ntitle: D\ndraft: true\n---\n");
        write(root, "posts/.hidden.md", "---\ntitle: [broken\n---\n");
        let site = load_site(root, &LoadOptions::default()).unwrap();
        assert_eq!(site.config.base_url, "https://x.test");
        let slugs: Vec<_> = site.posts.iter().map(|p| p.slug.as_str()).collect();
        assert_eq!(slugs, ["new", "old", "undated-post"]);
        let undated = &site.posts[2];
        assert_eq!(undated.title, "From heading");
        assert_eq!(undated.summary, "First para.");
        assert_eq!(undated.source, "posts/Undated Post.md");

        let with_drafts = load_site(
            root,
            &LoadOptions {
                include_drafts: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(with_drafts.posts.len(), 4);
    }

    #[test]
    fn reports_every_broken_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "posts/a.md", "---\ntitle: A\ndate: nope\n---\n");
        write(root, "posts/b.md", "no title here");
        write(root, "posts/c.md", "---\ntitle: C\nslug: b\n---\n");
        write(root, "posts/d.md", "---\ntitle: D\nslug: b\n---\n");
        let err = load_site(root, &LoadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("3 errors in the content:"), "{err}");
        assert!(
            err.contains("/posts/a.md:3:7: invalid front matter: date: invalid date `nope`"),
            "{err}"
        );
        assert!(err.contains("b.md: the post has no title"), "{err}");
        assert!(err.contains("duplicate slug `b`: "), "{err}");
        assert!(
            err.contains("/posts/c.md and ") && err.contains("/posts/d.md would both be /posts/b/"),
            "{err}"
        );
    }

    #[test]
    fn missing_folder_and_bad_settings() {
        let err = load_site(Path::new("/no/such/dir"), &LoadOptions::default()).unwrap_err();
        assert!(matches!(err, ContentError::MissingDir { .. }));
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "site.toml", "title = \"T\"\ntitel = \"typo\"\n");
        let err = load_site(dir.path(), &LoadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("site.toml:2:1: invalid site settings: unknown field `titel`"),
            "{err}"
        );
    }
}

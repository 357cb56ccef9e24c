//! Errors of content loading. Each names the file (and line, column where known) and
//! says how to fix it.

use std::fmt;
use std::path::PathBuf;

/// Why a site's content could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContentError {
    /// The content folder does not exist.
    #[error("content folder `{}` not found: pass --content DIR with a folder that holds posts/", path.display())]
    MissingDir {
        /// The folder that was given.
        path: PathBuf,
    },
    /// The folder holds Markdown files but none Atoll reads (a Zola or Hugo site root,
    /// or its sections outside `posts/`, `docs/` and `pages/`).
    #[error("nothing Atoll reads in `{}`: {count} Markdown file(s), none in posts/, docs/ or pages/ (e.g. `{example}`); Atoll does not read sections elsewhere yet — move the content into those folders", path.display())]
    NothingRecognised {
        /// The content folder.
        path: PathBuf,
        /// Markdown files found.
        count: usize,
        /// One of them, relative to the folder.
        example: String,
    },
    /// A Zola internal link (`@/posts/x.md`) to a file the content folder does not
    /// have (or that is not an entry).
    #[error("{}: the link `@/{target}` points to no entry: there is no `{target}` in the content folder", path.display())]
    BrokenInternalLink {
        /// The file with the link.
        path: PathBuf,
        /// The link, after `@/` and without its `#fragment`.
        target: String,
    },
    /// A file or folder could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The front matter is not valid YAML/TOML or has a value of the wrong type.
    #[error("{}:{line}:{column}: invalid front matter: {message}", path.display())]
    FrontMatter {
        /// The post.
        path: PathBuf,
        /// Line in the file, from 1.
        line: usize,
        /// Column in the line, from 1.
        column: usize,
        /// What is wrong, from the parser.
        message: String,
    },
    /// The front matter's opening fence has no closing fence.
    #[error("{}:{line}: front matter opened with `{fence}` is never closed: add a line `{fence}` after the last key", path.display())]
    UnclosedFrontMatter {
        /// The post.
        path: PathBuf,
        /// Line of the opening fence.
        line: usize,
        /// `---` (YAML) or `+++` (TOML).
        fence: &'static str,
    },
    /// Neither a `title` key nor a `# heading`.
    #[error("{}: the post has no title: add `title` to its front matter or start it with a `# heading`", path.display())]
    MissingTitle {
        /// The post.
        path: PathBuf,
    },
    /// A slug that cannot be a URL segment.
    #[error("{}: invalid slug `{slug}`: use lowercase letters, digits and dashes", path.display())]
    InvalidSlug {
        /// The post.
        path: PathBuf,
        /// The slug.
        slug: String,
    },
    /// Two entries would have the same URL.
    #[error("duplicate slug `{slug}`: {} and {} would both be {url}; rename one file or set `slug` in its front matter", first.display(), second.display())]
    DuplicateSlug {
        /// The slug.
        slug: String,
        /// The URL both would have.
        url: String,
        /// The first file with it.
        first: PathBuf,
        /// The second file with it.
        second: PathBuf,
    },
    /// `site.toml` is invalid.
    #[error("{}:{line}:{column}: invalid site settings: {message}", path.display())]
    SiteConfig {
        /// The settings file.
        path: PathBuf,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A standalone page whose slug is the first segment of one of Atoll's routes.
    #[error("{}: the slug `{slug}` is reserved for Atoll's own pages (/{slug}/…): rename the file or set another `slug`", path.display())]
    ReservedSlug {
        /// The page.
        path: PathBuf,
        /// The slug.
        slug: String,
    },
    /// A product file is not valid JSON or has a value of the wrong type.
    #[error("{}:{line}:{column}: invalid product: {message}", path.display())]
    Product {
        /// The product file.
        path: PathBuf,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A field whose value is well-typed but not acceptable.
    #[error("{}: invalid `{field}`: {message}", path.display())]
    InvalidField {
        /// The file.
        path: PathBuf,
        /// The field (front matter key or JSON field).
        field: &'static str,
        /// What is wrong and what to write instead.
        message: String,
    },
    /// Several of the above, one per line.
    #[error("{}", ErrorList(.0))]
    Many(Vec<ContentError>),
}

struct ErrorList<'a>(&'a [ContentError]);

impl fmt::Display for ErrorList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} errors in the content:", self.0.len())?;
        for error in self.0 {
            write!(f, "\n  {error}")?;
        }
        Ok(())
    }
}

/// A problem that does not stop the build (an unknown front matter key), printed as
/// `path:line: message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentWarning {
    /// The file.
    pub path: PathBuf,
    /// Line in the file, from 1.
    pub line: usize,
    /// What is odd.
    pub message: String,
}

impl fmt::Display for ContentWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
    }
}

impl ContentError {
    /// One error, or [`ContentError::Many`] for several. `errors` must not be empty.
    pub(crate) fn from_list(mut errors: Vec<ContentError>) -> Self {
        if errors.len() == 1 {
            errors.remove(0)
        } else {
            ContentError::Many(errors)
        }
    }
}

/// A parser's message without its trailing " at line X column Y" (ours prints
/// `file:line:column:` first).
pub(crate) fn without_position(message: String) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    }
}

/// 1-based line and column of byte offset `at` in `text`.
pub(crate) fn line_column(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.chars().count(), |nl| {
        before[nl + 1..].chars().count()
    }) + 1;
    (line, column)
}

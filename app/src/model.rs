//! The typed content of a site, as the pages see it.

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;

/// Site-wide settings, read from `content/site.toml` (every key optional).
///
/// ```toml
/// title = "Atoll"
/// description = "Pre-rendered pages, islands of interactivity."
/// base_url = "https://example.com"   # absolute, no trailing slash needed
/// language = "en"                    # BCP 47 tag for <html lang>
/// author = "The Atoll authors"
/// ```
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    /// Site name, shown in the header and after each page title.
    pub title: String,
    /// Default meta description (pages with a summary use theirs).
    pub description: String,
    /// Absolute URL the site is served from, used for canonical links; stored
    /// without a trailing slash.
    pub base_url: String,
    /// Language of the content, a BCP 47 tag such as `en` or `fr-CA`.
    pub language: String,
    /// Default author of the posts.
    pub author: Option<String>,
}

impl Default for SiteConfig {
    fn default() -> Self {
        Self {
            title: "Atoll site".to_owned(),
            description: String::new(),
            base_url: "http://127.0.0.1:3000".to_owned(),
            language: "en".to_owned(),
            author: None,
        }
    }
}

impl SiteConfig {
    /// The absolute URL of a site-relative `path` (which starts with `/`).
    pub fn absolute_url(&self, path: &str) -> String {
        format!("{}{}", self.base_url.trim_end_matches('/'), path)
    }
}

/// One blog post, parsed and rendered.
#[derive(Clone, Debug, PartialEq)]
pub struct Post {
    /// URL segment: `/posts/<slug>/`. From the front matter or the file name.
    pub slug: String,
    /// From the front matter, else the first `# heading`.
    pub title: String,
    /// Publication date; posts without one sort after dated posts.
    pub date: Option<DateTime<FixedOffset>>,
    /// Tags, as written.
    pub tags: Vec<String>,
    /// Plain-text summary: the front matter's, else the first paragraph.
    pub summary: String,
    /// Excluded from every page unless drafts are requested.
    pub draft: bool,
    /// The body rendered to sanitized HTML.
    pub html: String,
    /// The body as plain text (for search and excerpts).
    pub text: String,
    /// The source file, relative to the content folder (for error messages).
    pub source: String,
}

impl Post {
    /// Site-relative URL of the post: `/posts/<slug>/`.
    pub fn url(&self) -> String {
        format!("/posts/{}/", self.slug)
    }
}

/// Everything the pages need: the settings and the posts, newest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Site {
    /// Site-wide settings.
    pub config: SiteConfig,
    /// Posts, newest first (undated posts last, by title); drafts only when the site
    /// was loaded with drafts.
    pub posts: Vec<Post>,
}

impl Site {
    /// The post with this slug.
    pub fn post(&self, slug: &str) -> Option<&Post> {
        self.posts.iter().find(|post| post.slug == slug)
    }
}

//! The Atom feeds (RFC 4287) of the site, with their entries' full content: the site's
//! latest posts at `atom.xml`; each term's posts at `/<taxonomy>/<term>/atom.xml` for a
//! taxonomy with `feed = true` (Zola's taxonomy feeds); each section's pages at
//! `<section>/atom.xml` for a section with `generate_feeds = true` (Zola's section
//! feeds).

use crate::sitemap::escape;
use app::{Page, Post, Site};
use chrono::{DateTime, FixedOffset};

/// Site-relative path of the site's feed.
pub const FEED_PATH: &str = "/atom.xml";

/// One feed of the site: what [`feeds`] lists and [`atom_of`] writes.
#[derive(Clone, Debug)]
pub struct Feed<'a> {
    /// Site-relative path (`/atom.xml`, `/categories/rust/atom.xml`).
    pub path: String,
    /// `<title>`: the site's, or "Site — Term".
    pub title: String,
    /// The HTML page it follows (`/`, the term's or the section's page).
    pub page: String,
    /// Its entries, newest first, at most `feed_limit`.
    pub entries: Vec<Entry<'a>>,
}

/// An entry of a feed: a post, or a section's page.
#[derive(Clone, Copy, Debug)]
pub enum Entry<'a> {
    /// A post.
    Post(&'a Post),
    /// A page of a section.
    Page(&'a Page),
}

impl Entry<'_> {
    /// Its site-relative URL.
    pub fn url(&self) -> String {
        match self {
            Entry::Post(p) => p.url(),
            Entry::Page(p) => p.url(),
        }
    }

    /// Its source file (the feed shows its body).
    pub fn source(&self) -> &str {
        match self {
            Entry::Post(p) => &p.source,
            Entry::Page(p) => &p.source,
        }
    }

    /// Its cache tag (`post:<slug>`, `page:<slug>`).
    pub fn cache_tag(&self) -> String {
        match self {
            Entry::Post(p) => app::cache_tags::entry_tag("post", &p.slug),
            Entry::Page(p) => app::cache_tags::entry_tag("page", &p.slug),
        }
    }

    fn date(&self) -> Option<DateTime<FixedOffset>> {
        match self {
            Entry::Post(p) => p.date,
            Entry::Page(p) => p.date,
        }
    }

    fn last_modified(&self) -> Option<DateTime<FixedOffset>> {
        match self {
            Entry::Post(p) => p.last_modified(),
            Entry::Page(p) => p.updated.or(p.date),
        }
    }

    fn parts(&self) -> (&str, &[String], &str, &str) {
        match self {
            Entry::Post(p) => (&p.title, &p.tags, &p.summary, &p.html),
            Entry::Page(p) => (&p.title, &[], &p.summary, &p.html),
        }
    }
}

/// Every feed of `site`: the site's first, then the terms' (taxonomies with `feed`),
/// then the sections' (`generate_feeds`; not the content root's, whose feed is the
/// site's), each by path.
pub fn feeds(site: &Site) -> Vec<Feed<'_>> {
    let config = &site.config;
    let mut feeds = vec![site_feed(site)];
    for term in &site.tags {
        if config.taxonomy(term.taxonomy()).is_some_and(|t| t.feed) {
            feeds.push(term_feed(site, term));
        }
    }
    for section in site.sections.iter().filter(|s| has_feed(s)) {
        feeds.push(section_feed(site, section));
    }
    feeds
}

/// The feed at `path`, if `site` has one there (one feed built, not all).
pub fn feed_at<'a>(site: &'a Site, path: &str) -> Option<Feed<'a>> {
    if path == FEED_PATH {
        return Some(site_feed(site));
    }
    let page = path.strip_suffix("atom.xml")?;
    if let Some(section) = site.section(page).filter(|s| has_feed(s)) {
        return Some(section_feed(site, section));
    }
    // A term's page is `/tags/<slug>/` or `/<taxonomy>/<term>/` (slug `<taxonomy>/<term>`).
    let key = page.trim_matches('/');
    let slug = key.strip_prefix("tags/").unwrap_or(key);
    let term = site.tag(slug).filter(|t| t.url() == page)?;
    site.config
        .taxonomy(term.taxonomy())
        .is_some_and(|t| t.feed)
        .then(|| term_feed(site, term))
}

fn has_feed(section: &app::Section) -> bool {
    section.generate_feeds && section.path != "/"
}

fn site_feed(site: &Site) -> Feed<'_> {
    let config = &site.config;
    Feed {
        path: FEED_PATH.to_owned(),
        title: config.title.clone(),
        page: "/".to_owned(),
        entries: site
            .posts
            .iter()
            .take(config.feed_limit.max(1))
            .map(Entry::Post)
            .collect(),
    }
}

fn term_feed<'a>(site: &'a Site, term: &'a app::Tag) -> Feed<'a> {
    let page = term.url();
    Feed {
        path: format!("{page}atom.xml"),
        title: format!("{} — {}", site.config.title, term.name),
        entries: term
            .posts
            .iter()
            .take(site.config.feed_limit.max(1))
            .map(|&i| Entry::Post(&site.posts[i]))
            .collect(),
        page,
    }
}

fn section_feed<'a>(site: &'a Site, section: &'a app::Section) -> Feed<'a> {
    let mut entries: Vec<&Page> = section.pages.iter().map(|&i| &site.pages[i]).collect();
    // Newest first whatever the section's `sort_by`; undated pages last.
    entries.sort_by(|a, b| app::SortBy::Date.compare(a, b));
    entries.truncate(site.config.feed_limit.max(1));
    Feed {
        path: format!("{}atom.xml", section.path),
        title: format!("{} — {}", site.config.title, section.title),
        page: section.path.clone(),
        entries: entries.into_iter().map(Entry::Page).collect(),
    }
}

/// The site's feed: the `feed_limit` newest posts of `site` (drafts only if the site was
/// loaded with them).
pub fn atom(site: &Site) -> String {
    atom_with(site, &|html, _| html.to_owned())
}

/// [`atom`], passing each entry's HTML and the post's URL path through `content` first
/// (the export rewrites asset references to their fingerprinted names there).
pub fn atom_with(site: &Site, content: &dyn Fn(&str, &str) -> String) -> String {
    let feeds = feeds(site);
    atom_of(site, &feeds[0], content)
}

/// The Atom document of `feed`. Deterministic: the feed's `<updated>` is the newest
/// entry's, not the time of the build, so an unchanged site gives a byte-identical feed.
/// Each entry has `xml:base` set to its URL, so relative links in its content resolve;
/// its images are their widest variant in the original's format
/// ([`app::images::feed_images`]); `content` gets each entry's HTML and URL path then.
pub fn atom_of(site: &Site, feed: &Feed<'_>, content: &dyn Fn(&str, &str) -> String) -> String {
    let config = &site.config;
    let updated = feed
        .entries
        .iter()
        .filter_map(Entry::last_modified)
        .max()
        .map_or_else(|| epoch().to_rfc3339(), |date| date.to_rfc3339());
    let page = config.absolute_url(&feed.page);
    let mut xml = String::with_capacity(4096 + feed.entries.len() * 8192);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        escape(&config.language)
    ));
    xml.push_str(&format!("<title>{}</title>\n", escape(&feed.title)));
    if !config.description.is_empty() && feed.path == FEED_PATH {
        xml.push_str(&format!(
            "<subtitle>{}</subtitle>\n",
            escape(&config.description)
        ));
    }
    xml.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape(config.absolute_url(&feed.path))
    ));
    xml.push_str(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(&page)
    ));
    xml.push_str(&format!(
        "<id>{}</id>\n<updated>{updated}</updated>\n",
        escape(&page)
    ));
    if let Some(author) = &config.author {
        xml.push_str(&format!(
            "<author><name>{}</name></author>\n",
            escape(author)
        ));
    }
    xml.push_str("<generator>Atoll</generator>\n");
    for entry in &feed.entries {
        let path = entry.url();
        let url = config.absolute_url(&path);
        let (title, tags, summary, html) = entry.parts();
        let updated = entry.last_modified().unwrap_or_else(epoch);
        xml.push_str(&format!("<entry xml:base=\"{}\">\n", escape(&url)));
        xml.push_str(&format!("<title>{}</title>\n", escape(title)));
        xml.push_str(&format!(
            "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape(&url)
        ));
        xml.push_str(&format!("<id>{}</id>\n", escape(&url)));
        if let Some(date) = entry.date() {
            xml.push_str(&format!("<published>{}</published>\n", date.to_rfc3339()));
        }
        xml.push_str(&format!("<updated>{}</updated>\n", updated.to_rfc3339()));
        for tag in tags {
            xml.push_str(&format!("<category term=\"{}\"/>\n", escape(tag)));
        }
        if !summary.is_empty() {
            xml.push_str(&format!("<summary>{}</summary>\n", escape(summary)));
        }
        // Images as their widest variant in the original's format (feed readers know no
        // `<picture>`), then the caller's rewriting.
        let html = app::images::feed_images(html, &path, &site.images);
        xml.push_str(&format!(
            "<content type=\"html\">{}</content>\n",
            escape(content(&html, &path))
        ));
        xml.push_str("</entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

fn epoch() -> DateTime<FixedOffset> {
    DateTime::UNIX_EPOCH.fixed_offset()
}

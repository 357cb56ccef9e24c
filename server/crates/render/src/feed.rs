//! The Atom feed (RFC 4287) of the latest posts, with their full content: `atom.xml`.

use crate::sitemap::escape;
use app::{Post, Site};
use chrono::{DateTime, FixedOffset};

/// Site-relative path of the feed.
pub const FEED_PATH: &str = "/atom.xml";

/// The Atom feed of the `feed_limit` newest posts of `site` (drafts only if the site was
/// loaded with them). Deterministic: the feed's `<updated>` is the newest entry's, not
/// the time of the build, so an unchanged site gives a byte-identical feed. Each entry
/// has `xml:base` set to the post's URL, so relative links in its content resolve.
pub fn atom(site: &Site) -> String {
    atom_with(site, &|html, _| html.to_owned())
}

/// [`atom`], passing each entry's HTML and the post's URL path through `content` first
/// (the export rewrites asset references to their fingerprinted names there).
pub fn atom_with(site: &Site, content: &dyn Fn(&str, &str) -> String) -> String {
    let config = &site.config;
    let posts: Vec<&Post> = site.posts.iter().take(config.feed_limit.max(1)).collect();
    let updated = posts
        .iter()
        .filter_map(|post| post.last_modified())
        .max()
        .map_or_else(|| epoch().to_rfc3339(), |date| date.to_rfc3339());
    let home = config.absolute_url("/");
    let mut xml = String::with_capacity(4096 + posts.len() * 8192);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        escape(&config.language)
    ));
    xml.push_str(&format!("<title>{}</title>\n", escape(&config.title)));
    if !config.description.is_empty() {
        xml.push_str(&format!(
            "<subtitle>{}</subtitle>\n",
            escape(&config.description)
        ));
    }
    xml.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape(config.absolute_url(FEED_PATH))
    ));
    xml.push_str(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(&home)
    ));
    xml.push_str(&format!(
        "<id>{}</id>\n<updated>{updated}</updated>\n",
        escape(&home)
    ));
    if let Some(author) = &config.author {
        xml.push_str(&format!(
            "<author><name>{}</name></author>\n",
            escape(author)
        ));
    }
    xml.push_str("<generator>Atoll</generator>\n");
    for post in posts {
        let url = config.absolute_url(&post.url());
        let updated = post.last_modified().unwrap_or_else(epoch);
        xml.push_str(&format!("<entry xml:base=\"{}\">\n", escape(&url)));
        xml.push_str(&format!("<title>{}</title>\n", escape(&post.title)));
        xml.push_str(&format!(
            "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape(&url)
        ));
        xml.push_str(&format!("<id>{}</id>\n", escape(&url)));
        if let Some(date) = post.date {
            xml.push_str(&format!("<published>{}</published>\n", date.to_rfc3339()));
        }
        xml.push_str(&format!("<updated>{}</updated>\n", updated.to_rfc3339()));
        for tag in &post.tags {
            xml.push_str(&format!("<category term=\"{}\"/>\n", escape(tag)));
        }
        if !post.summary.is_empty() {
            xml.push_str(&format!("<summary>{}</summary>\n", escape(&post.summary)));
        }
        xml.push_str(&format!(
            "<content type=\"html\">{}</content>\n",
            escape(content(&post.html, &post.url()))
        ));
        xml.push_str("</entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

fn epoch() -> DateTime<FixedOffset> {
    DateTime::UNIX_EPOCH.fixed_offset()
}

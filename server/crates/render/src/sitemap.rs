//! `sitemap.xml` (the Sitemaps 0.9 protocol, <https://www.sitemaps.org/protocol.html>)
//! and `robots.txt`.
//!
//! A sitemap lists at most 50,000 URLs; past that, `sitemap.xml` becomes a sitemap index
//! pointing at `sitemap-1.xml`, `sitemap-2.xml`, … of 50,000 URLs each.

use app::{Routes, Site, Sitemap};
use chrono::{DateTime, FixedOffset};

/// URLs per sitemap file: the protocol's limit.
pub const MAX_URLS: usize = 50_000;

/// One `<url>`: an absolute location and its last modification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Absolute URL.
    pub loc: String,
    /// `<lastmod>`, when the content has a date.
    pub lastmod: Option<DateTime<FixedOffset>>,
}

/// The indexable pages of `site`: every page of `routes` that its route lists
/// ([`app::Route::sitemap`]: not the 404, cart and contact-thanks pages, drafts, the
/// pages after the first of a paginated list, `Ssr` pages), in the table's order.
pub fn entries(site: &Site, routes: &Routes) -> Vec<Entry> {
    let config = &site.config;
    routes
        .pages(site)
        .into_iter()
        .filter(|page| page.mode() != app::RenderMode::Ssr)
        .filter_map(|page| match page.sitemap(site) {
            Sitemap::Unlisted => None,
            Sitemap::Listed(lastmod) => Some(Entry {
                loc: config.absolute_url(page.path()),
                lastmod,
            }),
        })
        .collect()
}

/// The file names [`sitemaps`] writes, without rendering them.
pub fn sitemap_names(site: &Site, routes: &Routes) -> Vec<String> {
    let urls = entries(site, routes).len();
    let mut names = vec!["sitemap.xml".to_owned()];
    if urls > MAX_URLS {
        names.extend((1..=urls.div_ceil(MAX_URLS)).map(|i| format!("sitemap-{i}.xml")));
    }
    names
}

/// The sitemap files of `site` as `(file name, XML)`: `sitemap.xml` alone, or past
/// [`MAX_URLS`] a sitemap index `sitemap.xml` and its parts `sitemap-N.xml`.
pub fn sitemaps(site: &Site, routes: &Routes) -> Vec<(String, String)> {
    let entries = entries(site, routes);
    if entries.len() <= MAX_URLS {
        return vec![("sitemap.xml".to_owned(), urlset(&entries))];
    }
    let mut files = Vec::new();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (i, chunk) in entries.chunks(MAX_URLS).enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        let loc = site.config.absolute_url(&format!("/{name}"));
        index.push_str(&format!("<sitemap><loc>{}</loc>", escape(&loc)));
        if let Some(lastmod) = chunk.iter().filter_map(|e| e.lastmod).max() {
            index.push_str(&format!("<lastmod>{}</lastmod>", lastmod.to_rfc3339()));
        }
        index.push_str("</sitemap>\n");
        files.push((name, urlset(chunk)));
    }
    index.push_str("</sitemapindex>\n");
    files.insert(0, ("sitemap.xml".to_owned(), index));
    files
}

fn urlset(entries: &[Entry]) -> String {
    let mut xml = String::with_capacity(entries.len() * 100 + 200);
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for entry in entries {
        xml.push_str("<url><loc>");
        xml.push_str(&escape(&entry.loc));
        xml.push_str("</loc>");
        if let Some(lastmod) = entry.lastmod {
            xml.push_str("<lastmod>");
            xml.push_str(&lastmod.to_rfc3339());
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

pub use atoll_content::escape;

/// `robots.txt`: `public/robots.txt` when given (else allow everything), with a
/// `Sitemap:` line naming the absolute sitemap URL appended unless it has one.
pub fn robots(site: &Site, public: Option<&str>) -> String {
    let mut text = public.unwrap_or("User-agent: *\nAllow: /\n").to_owned();
    if !text
        .lines()
        .any(|line| line.to_ascii_lowercase().starts_with("sitemap:"))
    {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!(
            "\nSitemap: {}\n",
            site.config.absolute_url("/sitemap.xml")
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::{Post, SiteConfig};

    fn site(posts: usize) -> Site {
        let posts = (0..posts)
            .map(|i| Post {
                permalink: None,
                slug: format!("p{i}"),
                title: format!("P{i}"),
                date: None,
                updated: None,
                tags: vec![],
                summary: String::new(),
                draft: false,
                expires: None,
                aliases: vec![],
                authors: Vec::new(),
                taxonomies: Default::default(),
                extra: Default::default(),
                toc: Vec::new(),
                html: String::new(),
                text: String::new(),
                source: String::new(),
            })
            .collect();
        let config = SiteConfig {
            base_url: "https://x.test".into(),
            posts_per_page: 1_000_000,
            ..SiteConfig::default()
        };
        Site::new(config, posts, vec![], vec![], vec![])
    }

    #[test]
    fn one_sitemap_up_to_the_limit_then_an_index() {
        let small = sitemaps(&site(3), app::routes());
        assert_eq!(small.len(), 1);
        assert!(small[0].1.contains("<loc>https://x.test/posts/p2/</loc>"));
        assert!(!small[0].1.contains("404"));

        // Home, blog, tags index and search are URLs too: 4 + posts.
        let big = sitemaps(&site(MAX_URLS), app::routes());
        let names: Vec<&str> = big.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml"]);
        assert_eq!(sitemap_names(&site(MAX_URLS), app::routes()), names);
        assert_eq!(sitemap_names(&site(3), app::routes()), ["sitemap.xml"]);
        assert!(big[0].1.contains("<sitemapindex"));
        assert!(big[0].1.contains("<loc>https://x.test/sitemap-2.xml</loc>"));
        assert_eq!(big[1].1.matches("<url>").count(), MAX_URLS);
        assert_eq!(big[2].1.matches("<url>").count(), 4);
    }

    #[test]
    fn xml_escaping_drops_forbidden_characters() {
        assert_eq!(escape("a\u{c}<b>\t&"), "a&lt;b&gt;\t&amp;");
    }

    #[test]
    fn robots_names_the_sitemap_once() {
        let site = site(1);
        assert_eq!(
            robots(&site, None),
            "User-agent: *\nAllow: /\n\nSitemap: https://x.test/sitemap.xml\n"
        );
        let own = "User-agent: *\nDisallow: /x/\nSitemap: https://cdn.test/s.xml";
        assert_eq!(robots(&site, Some(own)), own);
    }
}

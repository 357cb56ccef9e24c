//! The typed content of a site, as the pages see it.

mod config;
mod entries;
mod section;

use std::cmp::Ordering;
use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};

pub use config::{
    AnchorLinks, BlogSettings, Flavor, ImageFormat, ImageSettings, LinkCheck, MenuItem, Sections,
    SiteConfig, Taxonomy,
};
pub use entries::{Doc, Extra, Heading, Page, Post, Product, Tag, RESERVED_SLUGS};
pub use section::{last_change, Section, SortBy};

/// Everything the pages need: settings and every content entry, sorted, with lookup
/// indexes. Build it with [`Site::new`].
#[derive(Clone, Debug, Default)]
pub struct Site {
    /// Site-wide settings.
    pub config: SiteConfig,
    /// The next moment the content changes by itself (Hugo's `publishDate` of an entry
    /// still left out, or an `expiryDate` still to come), set by the loader: `atoll
    /// serve` loads the content again then, even if no file changed.
    pub next_change: Option<DateTime<FixedOffset>>,
    /// Posts, newest first (undated posts last, by title).
    pub posts: Vec<Post>,
    /// Docs in reading order: depth first, each section's page before its children,
    /// siblings by `weight` then title.
    pub docs: Vec<Doc>,
    /// Standalone pages, by slug.
    pub pages: Vec<Page>,
    /// Products, by name.
    pub products: Vec<Product>,
    /// Tags, by slug; each lists its posts newest first.
    pub tags: Vec<Tag>,
    /// The sections of a Zola or Hugo site (see [`Section`]), by path; empty for
    /// Atoll's own layout. Set with [`Site::with_sections`].
    pub sections: Vec<Section>,
    /// Fingerprinted asset URLs: `/style.css` → `/style.3f2a9c1b.css` (empty when
    /// serving, filled by the export). See [`Site::asset`].
    pub assets: HashMap<String, String>,
    /// The files of page bundles (`posts/<slug>/index.md` and every other file in its
    /// folder, Zola's and Hugo's leaf bundles), by the URL they are published at
    /// (`/posts/<slug>/photo.jpg`) → the file on disk.
    pub bundle_files: std::collections::BTreeMap<String, std::path::PathBuf>,
    /// The site's images by the URL of the original (`/images/a.jpg`,
    /// `/posts/x/photo.png`): intrinsic size and published variants, set by the export
    /// and the server from `public/` and the bundles (see [`crate::images`]).
    pub images: HashMap<String, crate::ImageInfo>,
    /// The bundles of groups of islands the islands folder holds (`islands-search`, …;
    /// see [`islands::BUNDLES`]), set by the export and the server from the files
    /// there. A page whose islands all belong to one of them loads that bundle instead
    /// of the one with every island ([`islands::ALL_BUNDLE`]), which every page loads
    /// when this is empty (the dev loop: Trunk builds only that one).
    pub island_bundles: Vec<String>,
    post_index: HashMap<String, usize>,
    permalink_index: HashMap<String, usize>,
    page_permalink_index: HashMap<String, usize>,
    doc_index: HashMap<String, usize>,
    page_index: HashMap<String, usize>,
    product_index: HashMap<String, usize>,
    tag_index: HashMap<String, usize>,
    section_index: HashMap<String, usize>,
}

impl Site {
    /// Sorts the entries, groups posts by tag and builds the lookup indexes. Entries
    /// are taken as given (drafts included if present): filtering is the loader's job.
    pub fn new(
        config: SiteConfig,
        mut posts: Vec<Post>,
        docs: Vec<Doc>,
        mut pages: Vec<Page>,
        mut products: Vec<Product>,
    ) -> Self {
        posts.sort_by(newest_first);
        pages.sort_by(|a, b| a.slug.cmp(&b.slug));
        products.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.slug.cmp(&b.slug)));
        let docs = reading_order(docs);

        let mut tags: Vec<Tag> = Vec::new();
        let mut tag_slots: HashMap<String, usize> = HashMap::new();
        for (i, post) in posts.iter().enumerate() {
            // Tags by their slug; other taxonomies' terms as `<taxonomy>/<slug>`.
            let terms = post.tags.iter().map(|name| (None, name)).chain(
                post.taxonomies
                    .iter()
                    .filter(|(taxonomy, _)| *taxonomy != "tags")
                    .flat_map(|(taxonomy, names)| names.iter().map(move |n| (Some(taxonomy), n))),
            );
            for (taxonomy, name) in terms {
                let slug = tag_slug(name);
                if slug.is_empty() {
                    continue;
                }
                let slug = match taxonomy {
                    Some(taxonomy) => format!("{}/{slug}", tag_slug(taxonomy)),
                    None => slug,
                };
                let slot = *tag_slots.entry(slug.clone()).or_insert_with(|| {
                    tags.push(Tag {
                        name: name.clone(),
                        slug,
                        posts: Vec::new(),
                    });
                    tags.len() - 1
                });
                if tags[slot].posts.last() != Some(&i) {
                    tags[slot].posts.push(i);
                }
            }
        }
        tags.sort_by(|a, b| a.slug.cmp(&b.slug));

        let index = |keys: Vec<String>| -> HashMap<String, usize> {
            keys.into_iter().enumerate().map(|(i, k)| (k, i)).collect()
        };
        Site {
            next_change: None,
            post_index: index(posts.iter().map(|p| p.slug.clone()).collect()),
            permalink_index: posts
                .iter()
                .enumerate()
                .filter_map(|(i, p)| Some((p.permalink.clone()?, i)))
                .collect(),
            page_permalink_index: pages
                .iter()
                .enumerate()
                .filter_map(|(i, p)| Some((p.permalink.clone()?, i)))
                .collect(),
            doc_index: index(docs.iter().map(|d| d.url.clone()).collect()),
            page_index: index(pages.iter().map(|p| p.slug.clone()).collect()),
            product_index: index(products.iter().map(|p| p.slug.clone()).collect()),
            tag_index: index(tags.iter().map(|t| t.slug.clone()).collect()),
            config,
            posts,
            docs,
            pages,
            products,
            tags,
            sections: Vec::new(),
            section_index: HashMap::new(),
            images: HashMap::new(),
            island_bundles: Vec::new(),
            assets: HashMap::new(),
            bundle_files: std::collections::BTreeMap::new(),
        }
    }

    /// This site with `sections`: each gets its subsections (by weight, then title)
    /// and its pages (those whose [`Page::section`] is its path, and those of its
    /// transparent subsections) in its `sort_by` order.
    pub fn with_sections(mut self, mut sections: Vec<Section>) -> Self {
        sections.sort_by(|a, b| a.path.cmp(&b.path));
        self.section_index = sections
            .iter()
            .enumerate()
            .map(|(i, s)| (s.path.clone(), i))
            .collect();
        for section in &mut sections {
            section.subsections.clear();
            section.pages.clear();
        }
        // Subsections, lighter first.
        let mut children: Vec<(usize, i64, String, String)> = sections
            .iter()
            .filter_map(|s| {
                let parent = *self.section_index.get(s.parent.as_deref()?)?;
                Some((parent, s.weight, s.title.to_lowercase(), s.path.clone()))
            })
            .collect();
        children.sort();
        for (parent, _, _, path) in children {
            sections[parent].subsections.push(path);
        }
        // Pages: in their own section, and in each parent while the section is
        // transparent.
        for (i, page) in self.pages.iter().enumerate() {
            let mut at = page
                .section
                .as_deref()
                .and_then(|p| self.section_index.get(p));
            while let Some(&s) = at {
                sections[s].pages.push(i);
                at = match sections[s].transparent {
                    true => sections[s]
                        .parent
                        .as_deref()
                        .and_then(|p| self.section_index.get(p)),
                    false => None,
                };
            }
        }
        for section in &mut sections {
            let sort = section.sort_by;
            let pages = &self.pages;
            section
                .pages
                .sort_by(|&a, &b| sort.compare(&pages[a], &pages[b]));
        }
        self.sections = sections;
        self
    }

    /// The section at `path` (`/projects/`).
    pub fn section(&self, path: &str) -> Option<&Section> {
        self.section_index.get(path).map(|&i| &self.sections[i])
    }

    /// The index of the post with this slug in [`Site::posts`].
    pub fn post_position(&self, slug: &str) -> Option<usize> {
        self.post_index.get(slug).copied()
    }

    /// The post with this slug.
    pub fn post(&self, slug: &str) -> Option<&Post> {
        self.post_position(slug).map(|i| &self.posts[i])
    }

    /// The post whose own permalink ([`Post::permalink`]) is `path` (exactly, with its
    /// trailing slash).
    pub fn post_at_permalink(&self, path: &str) -> Option<&Post> {
        self.permalink_index.get(path).map(|&i| &self.posts[i])
    }

    /// The standalone page whose own permalink ([`Page::permalink`]) is `path`.
    pub fn page_at_permalink(&self, path: &str) -> Option<&Page> {
        self.page_permalink_index.get(path).map(|&i| &self.pages[i])
    }

    /// The index of the doc at this URL in [`Site::docs`].
    pub fn doc_position(&self, url: &str) -> Option<usize> {
        self.doc_index.get(url).copied()
    }

    /// The doc at this URL (`/docs/a/b/`).
    pub fn doc(&self, url: &str) -> Option<&Doc> {
        self.doc_position(url).map(|i| &self.docs[i])
    }

    /// The standalone page with this slug.
    pub fn page(&self, slug: &str) -> Option<&Page> {
        self.page_index.get(slug).map(|&i| &self.pages[i])
    }

    /// The product with this slug.
    pub fn product(&self, slug: &str) -> Option<&Product> {
        self.product_index.get(slug).map(|&i| &self.products[i])
    }

    /// The tag with this slug.
    pub fn tag(&self, slug: &str) -> Option<&Tag> {
        self.tag_index.get(slug).map(|&i| &self.tags[i])
    }

    /// The published URL of a site asset: its fingerprinted name after an export
    /// mapped it, else `path` unchanged.
    pub fn asset(&self, path: &str) -> String {
        self.assets
            .get(path)
            .cloned()
            .unwrap_or_else(|| path.to_owned())
    }

    /// The image whose original is at `src` (a site URL), for
    /// [`crate::ResponsiveImage`]: its variants when the site knows it, else its
    /// published URL only.
    pub fn image(&self, src: &str) -> crate::images::Image {
        crate::images::Image {
            src: self.asset(src),
            info: self.images.get(src).cloned(),
        }
    }

    /// Number of pages of a paginated list of `items` entries (at least 1).
    pub fn page_count(&self, items: usize) -> usize {
        items.div_ceil(self.config.posts_per_page.max(1)).max(1)
    }
}

/// The URL segment of a tag: lowercase ASCII, dashes (`Web Assembly` → `web-assembly`).
pub fn tag_slug(name: &str) -> String {
    slug::slugify(name)
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

/// Sorts docs depth first: the key of a doc is the list of (weight, title, segment) of
/// its ancestors and itself, so a section sorts right before its children.
fn reading_order(docs: Vec<Doc>) -> Vec<Doc> {
    let by_url: HashMap<&str, (i64, &str)> = docs
        .iter()
        .map(|d| (d.url.as_str(), (d.weight, d.title.as_str())))
        .collect();
    /// (weight, lowercase title, segment) of each level from the top.
    type SortKey = Vec<(i64, String, String)>;
    let mut keyed: Vec<(SortKey, usize)> = docs
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            let segments: Vec<&str> = doc
                .url
                .trim_matches('/')
                .split('/')
                .skip(1)
                .filter(|s| !s.is_empty())
                .collect();
            let mut key = Vec::with_capacity(segments.len());
            let root = doc
                .url
                .trim_matches('/')
                .split('/')
                .next()
                .unwrap_or("docs");
            let mut url = format!("/{root}/");
            for segment in segments {
                url.push_str(segment);
                url.push('/');
                let (weight, title) = by_url.get(url.as_str()).copied().unwrap_or((0, segment));
                key.push((weight, title.to_lowercase(), segment.to_owned()));
            }
            (key, i)
        })
        .collect();
    keyed.sort();
    let mut slots: Vec<Option<Doc>> = docs.into_iter().map(Some).collect();
    keyed
        .into_iter()
        .filter_map(|(_, i)| slots[i].take())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(url: &str, weight: i64, title: &str) -> Doc {
        Doc {
            url: url.into(),
            title: title.into(),
            weight,
            summary: String::new(),
            updated: None,
            draft: false,
            expires: None,
            aliases: vec![],
            is_section: url.matches('/').count() <= 3,
            extra: Default::default(),
            toc: Vec::new(),
            html: String::new(),
            text: String::new(),
            source: String::new(),
        }
    }

    #[test]
    fn docs_are_in_reading_order() {
        let docs = vec![
            doc("/docs/b/", 2, "B"),
            doc("/docs/a/z/", 1, "Z"),
            doc("/docs/", 0, "Docs"),
            doc("/docs/a/", 1, "A"),
            doc("/docs/b/x/", 0, "X"),
            doc("/docs/a/y/", 1, "Y"),
        ];
        let site = Site::new(SiteConfig::default(), vec![], docs, vec![], vec![]);
        let urls: Vec<_> = site.docs.iter().map(|d| d.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "/docs/",
                "/docs/a/",
                "/docs/a/y/",
                "/docs/a/z/",
                "/docs/b/",
                "/docs/b/x/"
            ]
        );
        assert_eq!(site.doc("/docs/a/z/").unwrap().title, "Z");
        assert_eq!(site.docs[2].parent_url().as_deref(), Some("/docs/a/"));
        assert_eq!(site.docs[0].parent_url(), None);
        assert_eq!(site.docs[2].depth(), 2);
    }

    #[test]
    fn prices_in_major_units() {
        let mut product = Product {
            id: "m".into(),
            name: "M".into(),
            slug: "m".into(),
            price_cents: 1805,
            currency: "EUR".into(),
            stock: 1,
            html: String::new(),
            text: String::new(),
            images: vec![],
            source: String::new(),
        };
        assert_eq!(product.price_display(), "18.05 EUR");
        product.currency = "JPY".into();
        assert_eq!(product.price_decimal(), "1805");
    }
}

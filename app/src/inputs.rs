//! What each page reads: a hash of a route's inputs, so that an incremental export can
//! skip rendering a page whose inputs did not change. Keep it in step with the pages:
//! everything `render(site, route)` shows must be hashed here (entry bodies through the
//! `body` callback, which identifies a body without loading it).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use chrono::{DateTime, FixedOffset};

use crate::model::{Post, Site};
use crate::pages::LATEST;
use crate::routes::Route;

/// Hashes of the inputs of a site's pages.
#[derive(Clone, Copy, Debug)]
pub struct Inputs {
    /// Settings and fingerprinted assets: read by every page (layout, head).
    global: u64,
}

impl Inputs {
    /// Hashes the site-wide inputs of `site` once.
    pub fn new(site: &Site) -> Inputs {
        let mut hasher = DefaultHasher::new();
        site.config.hash(&mut hasher);
        let mut assets: Vec<_> = site.assets.iter().collect();
        assets.sort();
        assets.hash(&mut hasher);
        Inputs {
            global: hasher.finish(),
        }
    }

    /// A hash of everything `render(site, route)` reads. `body(source)` identifies the
    /// body of the entry read from `source` (e.g. the file's size and mtime).
    pub fn route(&self, site: &Site, route: &Route, body: &dyn Fn(&str) -> u64) -> u64 {
        let mut h = DefaultHasher::new();
        self.global.hash(&mut h);
        route.hash(&mut h);
        let card = |post: &Post, h: &mut DefaultHasher| {
            (&post.slug, &post.title, date(post.date), &post.summary).hash(h);
        };
        let page_of = |items: &[usize], page: usize, h: &mut DefaultHasher| {
            let per_page = site.config.posts_per_page.max(1);
            items.len().hash(h);
            for &i in items
                .iter()
                .skip((page.max(1) - 1) * per_page)
                .take(per_page)
            {
                card(&site.posts[i], h);
            }
        };
        match route {
            Route::Home => {
                site.doc("/docs/").is_some().hash(&mut h);
                for post in site.posts.iter().take(LATEST) {
                    card(post, &mut h);
                }
            }
            Route::Blog { page } => {
                let all: Vec<usize> = (0..site.posts.len()).collect();
                page_of(&all, *page, &mut h);
            }
            Route::Post(slug) => {
                if let Some(i) = site.post_position(slug) {
                    let post = &site.posts[i];
                    (
                        &post.title,
                        date(post.date),
                        date(post.updated),
                        &post.tags,
                        &post.summary,
                    )
                        .hash(&mut h);
                    (post.draft, &post.aliases).hash(&mut h);
                    body(&post.source).hash(&mut h);
                    for neighbour in [i.checked_sub(1), Some(i + 1)].into_iter().flatten() {
                        if let Some(p) = site.posts.get(neighbour) {
                            (neighbour < i, &p.slug, &p.title).hash(&mut h);
                        }
                    }
                }
            }
            Route::Tags => {
                for tag in &site.tags {
                    (&tag.name, &tag.slug, tag.posts.len()).hash(&mut h);
                }
            }
            Route::Tag { slug, page } => {
                if let Some(tag) = site.tag(slug) {
                    tag.name.hash(&mut h);
                    page_of(&tag.posts, *page, &mut h);
                }
            }
            Route::Doc(url) => {
                // Sidebar, breadcrumbs, children and neighbours read every doc's metadata.
                for doc in &site.docs {
                    (
                        &doc.url,
                        &doc.title,
                        doc.weight,
                        &doc.summary,
                        doc.is_section,
                    )
                        .hash(&mut h);
                }
                if let Some(doc) = site.doc(url) {
                    (date(doc.updated), doc.draft).hash(&mut h);
                    body(&doc.source).hash(&mut h);
                }
            }
            Route::Page(slug) => {
                if let Some(page) = site.page(slug) {
                    (&page.title, &page.summary, date(page.updated), page.draft).hash(&mut h);
                    body(&page.source).hash(&mut h);
                }
            }
            Route::Products | Route::Product(_) => site.products.hash(&mut h),
            Route::Search | Route::Cart | Route::Contact | Route::ContactThanks => {}
            Route::NotFound | Route::Status => {}
        }
        h.finish()
    }
}

/// A date as the pages show it: chrono hashes only the instant, but pages print the
/// local date and offset, so the offset is part of the input.
fn date(date: Option<DateTime<FixedOffset>>) -> Option<(i64, i32)> {
    date.map(|d| (d.timestamp(), d.offset().local_minus_utc()))
}

//! The search documents of a site: what the search API and the static index search.

use app::Site;
use atoll_search::{Document, SearchIndex};

/// The search documents of a site: one per post, newest first.
pub fn search_index(site: &Site) -> SearchIndex {
    SearchIndex::new(site.posts.iter().map(search_document).collect())
}

/// The search document of a post: its URL, title, summary and text.
pub fn search_document(post: &app::Post) -> Document {
    Document {
        url: post.url(),
        title: post.title.clone(),
        summary: post.summary.clone(),
        body: post.text.clone(),
    }
}

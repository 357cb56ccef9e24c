//! The search documents of a site: what the search API and the static index search.

use atoll_search::{Document, SearchIndex};

/// The search index of `posts` (a site's, newest first): one document each.
pub fn search_index(posts: &[app::Post]) -> SearchIndex {
    SearchIndex::new(posts.iter().map(search_document).collect())
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

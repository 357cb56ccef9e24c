//! Atoll's render layer: what the export and the server both make from a rendered site
//! — pages ready to serve ([`page::Page`]: ETag, encodings, cache tags), the sitemap,
//! the Atom feed, `_headers`/`_redirects` and the alias checks, precompression, the
//! search documents, and the islands bundle's file names ([`bundle`]). It depends on the content model and the route table (`app`)
//! and on `atoll-content`, never on the export or the server.
#![deny(missing_docs)]

pub mod bundle;
pub mod compress;
pub mod feed;
pub mod headers;
pub mod page;
pub mod search;
pub mod sitemap;

use std::path::PathBuf;

/// Output file of a page path: `/` → `index.html`, `/a/b/` → `a/b/index.html`,
/// `/404.html` → `404.html`.
pub fn page_file(path: &str) -> PathBuf {
    let relative = path.trim_start_matches('/');
    if relative.is_empty() || relative.ends_with('/') {
        PathBuf::from(relative).join("index.html")
    } else {
        PathBuf::from(relative)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_files() {
        assert_eq!(page_file("/"), PathBuf::from("index.html"));
        assert_eq!(page_file("/posts/"), PathBuf::from("posts/index.html"));
        assert_eq!(
            page_file("/posts/a-b/"),
            PathBuf::from("posts/a-b/index.html")
        );
        assert_eq!(page_file("/404.html"), PathBuf::from("404.html"));
    }
}

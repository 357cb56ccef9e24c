//! Cache tags: the names of what a page shows, sent as `Cache-Tag` (Cloudflare,
//! comma-separated) and `Surrogate-Key` (Fastly, Varnish xkey; space-separated) so that
//! a CDN in front of `atoll serve` can purge by tag, and accepted by
//! `POST /api/revalidate` as `{"tags": [...]}` with the same meaning (Next.js
//! `revalidateTag`).
//!
//! # Grammar
//!
//! ```text
//! tag        = "all" / collection / entry-tag
//! collection = kind "s"                 ; posts, docs, products: every list of that kind
//! entry-tag  = kind ":" key             ; post:hello, doc:/docs/intro/, tag:rust
//! kind       = 1*( %x61-7A / DIGIT / "-" / "_" )   ; lowercase: the entry's kind
//!                                       ; (post, doc, page, product, section: a Zola or
//!                                       ; Hugo section by path), or the taxonomy (tag)
//! key        = 1*( %x21-7E except "," ) ; the entry's slug, or a doc's URL; any other
//!                                       ; byte is percent-encoded (RFC 3986 §2.1)
//! ```
//!
//! A page's tags come from what it read while rendering ([`crate::ReadSet::cache_tags`]).
//! `atoll serve` puts the page's own [`url_tag`] (`url:/posts/hello/`, the surrogate key
//! per URL Fastly recommends) first, so that a proxy can purge exactly the pages a
//! revalidation changed. It carries `all`, the tag of every entry and taxonomy term it shows (its own
//! entry first, then the entries of a list, the neighbours linked by title), and the
//! collection of the lists it is (`posts` on the home page, the
//! blog and tag pages and the feed; `docs` on every doc, whose sidebar lists them all;
//! `pages` on every standalone page and section list; `products` on the products index and every
//! product). Purging `post:hello` therefore
//! reaches the post and every list or neighbour that shows its title.
//!
//! # Length
//!
//! A header holds at most [`MAX_HEADER_BYTES`] (16 KB, Cloudflare's and Fastly's cap);
//! tags longer than [`MAX_TAG_BYTES`] (1 KB, both CDNs' per-tag cap) are left out. Tags
//! are in order of importance, so when a long list does not fit the entries at its end
//! are dropped — the page's collection tag, which comes first, still reaches it.

/// The longest `Cache-Tag` or `Surrogate-Key` value, in bytes (16 KB: Cloudflare's
/// limit for all cache tags of a response; Fastly's `Surrogate-Key` limit).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// The longest single tag, in bytes (1 KB, Cloudflare's and Fastly's per-tag limit).
pub const MAX_TAG_BYTES: usize = 1024;

/// The tag every page carries.
pub const ALL: &str = "all";

/// The tag of entry `key` of `kind` (`post`, `doc`, `page`, `product`, or a taxonomy
/// such as `tag`): `post:hello`. Bytes outside `%x21-7E` and `,` in `key` are
/// percent-encoded, so the tag is one token in both headers.
pub fn entry_tag(kind: &str, key: &str) -> String {
    let mut tag = String::with_capacity(kind.len() + 1 + key.len());
    tag.push_str(kind);
    tag.push(':');
    for byte in key.bytes() {
        if (0x21..=0x7e).contains(&byte) && byte != b',' && byte != b'%' {
            tag.push(byte as char);
        } else {
            tag.push_str(&format!("%{byte:02X}"));
        }
    }
    tag
}

/// The tag of the page at `path` (`url:/posts/hello/`), an [`entry_tag`] of kind `url`:
/// `atoll serve` sends it first on every page, and purges it from a caching proxy when
/// a revalidation changed or removed that page.
pub fn url_tag(path: &str) -> String {
    entry_tag("url", path)
}

/// Whether `tag` follows the grammar of this module (the revalidation API answers 422
/// for one that does not). Collections are the kinds the demo has: `posts`, `docs`,
/// `pages`, `products`.
pub fn is_valid(tag: &str) -> bool {
    if matches!(tag, ALL | "posts" | "docs" | "pages" | "products") {
        return true;
    }
    let Some((kind, key)) = tag.split_once(':') else {
        return false;
    };
    !kind.is_empty()
        && kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !key.is_empty()
        && key.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b',')
        && tag.len() <= MAX_TAG_BYTES
}

/// The header values of `tags`: (`Cache-Tag`, comma-separated; `Surrogate-Key`,
/// space-separated), each at most [`MAX_HEADER_BYTES`]; tags past the cap or longer
/// than [`MAX_TAG_BYTES`] are left out.
pub fn header_values(tags: &[String]) -> (String, String) {
    let mut cache_tag = String::new();
    for tag in tags.iter().filter(|tag| tag.len() <= MAX_TAG_BYTES) {
        let extra = tag.len() + usize::from(!cache_tag.is_empty());
        if cache_tag.len() + extra > MAX_HEADER_BYTES {
            break;
        }
        if !cache_tag.is_empty() {
            cache_tag.push(',');
        }
        cache_tag.push_str(tag);
    }
    // Same tags, same length: only the separator differs.
    let surrogate_key = cache_tag.replace(',', " ");
    (cache_tag, surrogate_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_single_tokens() {
        assert_eq!(entry_tag("post", "hello"), "post:hello");
        assert_eq!(entry_tag("doc", "/docs/intro/"), "doc:/docs/intro/");
        assert_eq!(entry_tag("tag", "a,b c%é"), "tag:a%2Cb%20c%25%C3%A9");
        assert!(is_valid(&entry_tag("tag", "a,b c%é")));
        for good in ["all", "posts", "post:x", "doc:/docs/", "my_section-2:x"] {
            assert!(is_valid(good), "{good}");
        }
        for bad in [
            "", "nonsense", "post:", ":x", "Post:x", "post:a,b", "post:a b",
        ] {
            assert!(!is_valid(bad), "{bad}");
        }
    }

    #[test]
    fn headers_stop_at_the_cap() {
        let tags: Vec<String> = (0..5000).map(|i| format!("post:p{i}")).collect();
        let (cache_tag, surrogate_key) = header_values(&tags);
        assert!(cache_tag.len() <= MAX_HEADER_BYTES);
        assert!(cache_tag.len() > MAX_HEADER_BYTES - 16);
        assert!(cache_tag.starts_with("post:p0,post:p1,"));
        assert!(!cache_tag.ends_with(','));
        assert_eq!(surrogate_key, cache_tag.replace(',', " "));
        let long = vec![
            "post:".to_owned() + &"x".repeat(MAX_TAG_BYTES),
            "all".into(),
        ];
        assert_eq!(header_values(&long).0, "all");
    }
}

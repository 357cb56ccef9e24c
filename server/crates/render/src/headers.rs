//! `_headers` and `_redirects` in the format Netlify and Cloudflare Pages read
//! (<https://docs.netlify.com/routing/headers/>, <https://docs.netlify.com/routing/redirects/>).

use app::Site;

/// Content-Security-Policy of every page: same-origin everything; `'wasm-unsafe-eval'`
/// lets the islands bundle instantiate its WebAssembly module; images may be https.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/// The security headers of every response, in the static export's `_headers` and from
/// `atoll serve` alike: the [`CSP`], no MIME sniffing, the referrer without path to
/// other origins, and no framing (OWASP's secure headers project's baseline).
pub const SECURITY_HEADERS: [(&str, &str); 4] = [
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "DENY"),
];

/// The `_headers` file: security headers on every path, revalidation for HTML and the
/// other files with stable names, a year and `immutable` for each fingerprinted file
/// (`immutable_urls`). `user` (the site's own `public/_headers`) is appended.
pub fn headers(immutable_urls: &[String], user: Option<&str>) -> String {
    let mut text = String::from("# Written by `atoll export`.\n/*\n");
    for (name, value) in SECURITY_HEADERS {
        text.push_str(&format!("  {}: {value}\n", header_case(name)));
    }
    // HTML, feeds and unhashed files: cache, but revalidate every time (ETag/304).
    text.push_str("  Cache-Control: public, max-age=0, must-revalidate\n");
    for url in immutable_urls {
        text.push_str(&format!(
            "{url}\n  ! Cache-Control\n  Cache-Control: public, max-age=31536000, immutable\n"
        ));
    }
    if let Some(user) = user {
        text.push_str("\n# From public/_headers.\n");
        text.push_str(user);
        if !text.ends_with('\n') {
            text.push('\n');
        }
    }
    text
}

/// `content-security-policy` → `Content-Security-Policy`.
fn header_case(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Every redirect of `site`: each entry's `aliases` → its URL, and page 1 of each
/// paginated list (`/posts/page/1/` → `/posts/`), as `(from, to)`.
pub fn redirects(site: &Site) -> Vec<(String, String)> {
    let mut rules = Vec::new();
    for post in &site.posts {
        rules.extend(post.aliases.iter().map(|a| (a.clone(), post.url())));
    }
    for doc in &site.docs {
        rules.extend(doc.aliases.iter().map(|a| (a.clone(), doc.url.clone())));
    }
    for page in &site.pages {
        rules.extend(page.aliases.iter().map(|a| (a.clone(), page.url())));
    }
    rules.push(("/posts/page/1/".to_owned(), "/posts/".to_owned()));
    // Old feed URLs (`feed_aliases`) lead to the feed.
    for old in &site.config.feed_aliases {
        let old = format!("/{}", old.trim_start_matches('/'));
        if old != crate::feed::FEED_PATH && !rules.iter().any(|(from, _)| *from == old) {
            rules.push((old, crate::feed::FEED_PATH.to_owned()));
        }
    }
    // A blog in another folder (`[sections] posts = "blog"`, a Zola or Hugo section):
    // its section URL and the section's own aliases lead to the blog index, unless an
    // entry claims them (or they are the index itself).
    // (A blog at the content root has no section URL of its own: `/` is the home page.)
    let posts = &site.config.sections.posts;
    let blog = (!posts.is_empty()).then(|| format!("/{posts}/"));
    for from in blog.iter().chain(&site.config.blog.aliases) {
        if from != "/posts/" && !rules.iter().any(|(have, _)| have == from) {
            rules.push((from.clone(), "/posts/".to_owned()));
        }
    }
    // Sections (Zola): `redirect_to` sends the section's URL on; `aliases` lead to it;
    // the first list page has no number.
    for section in &site.sections {
        if let Some(to) = &section.redirect_to {
            rules.push((section.path.clone(), to.clone()));
        }
        let target = section.redirect_to.as_ref().unwrap_or(&section.path);
        rules.extend(section.aliases.iter().map(|a| (a.clone(), target.clone())));
        if section.has_list() && section.path != "/" {
            rules.push((
                format!("{}{}/1/", section.path, section.paginate_path),
                section.path.clone(),
            ));
        }
    }
    for tag in &site.tags {
        rules.push((format!("{}page/1/", tag.url()), tag.url()));
    }
    // Hugo's RSS feeds of terms and sections (`/categories/x/index.xml`) lead to their
    // Atom feeds.
    if site.config.flavor == app::Flavor::Hugo {
        for feed in crate::feed::feeds(site).into_iter().skip(1) {
            let old = format!("{}index.xml", feed.page);
            if !rules.iter().any(|(from, _)| *from == old) {
                rules.push((old, feed.path));
            }
        }
    }
    rules
}

/// Checks the URLs of `site` as Zola does: two pages must not share a URL (a permalink
/// of `path`/`url` that is another page's), an alias ([`redirects`]) must not be the URL
/// of a page (it would hide it), nor be claimed by two entries. `atoll export` and
/// `atoll serve` both refuse such a site, with the same message.
///
/// # Errors
/// A one-line message naming the alias and the entries' URLs.
pub fn check_redirects(
    site: &Site,
    routes: &app::Routes,
    rules: &[(String, String)],
) -> Result<(), String> {
    let mut pages: std::collections::HashMap<std::path::PathBuf, String> =
        std::collections::HashMap::new();
    for page in routes.pages(site) {
        if let Some(other) = pages.insert(crate::page_file(page.path()), page.path().to_owned()) {
            return Err(format!(
                "two pages are published at {} ({other} and {}): change a `path`/`url` or a slug",
                page.path(),
                page.path()
            ));
        }
    }
    let mut claimed: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for (from, to) in rules {
        if pages.contains_key(&crate::page_file(from)) {
            return Err(format!(
                "the alias {from} of {to} is the URL of a page: remove it from `aliases`"
            ));
        }
        if let Some(other) = claimed.insert(from, to) {
            return Err(format!(
                "the alias {from} is claimed by both {other} and {to}: keep it in one `aliases`"
            ));
        }
    }
    Ok(())
}

/// The `_redirects` file: one `from to 301` line per rule, then the site's own
/// `public/_redirects`.
pub fn redirects_file(rules: &[(String, String)], user: Option<&str>) -> String {
    let mut text = String::from("# Written by `atoll export`: aliases (301).\n");
    for (from, to) in rules {
        text.push_str(&format!("{from} {to} 301\n"));
    }
    if let Some(user) = user {
        text.push_str("\n# From public/_redirects.\n");
        text.push_str(user);
        if !text.ends_with('\n') {
            text.push('\n');
        }
    }
    text
}

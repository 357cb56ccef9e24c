//! The route table: every page of a site and its URL.

use crate::model::Site;

/// One page of the site.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Route {
    /// `/`: introduction and the latest posts.
    Home,
    /// `/posts/` (page 1) and `/posts/page/<n>/`: the posts, newest first, paginated by
    /// `posts_per_page`.
    Blog {
        /// Page number, from 1.
        page: usize,
    },
    /// `/posts/<slug>/`: one post.
    Post(String),
    /// `/tags/`: every tag with its number of posts.
    Tags,
    /// `/tags/<slug>/` (page 1) and `/tags/<slug>/page/<n>/`: the posts of a tag.
    Tag {
        /// The tag's slug.
        slug: String,
        /// Page number, from 1.
        page: usize,
    },
    /// `/docs/…/`: a doc or a docs section, by URL.
    Doc(String),
    /// `/<slug>/`: a standalone page.
    Page(String),
    /// `/products/`: every product.
    Products,
    /// `/products/<slug>/`: one product.
    Product(String),
    /// `/search/`: the search island.
    Search,
    /// `/cart/`: the cart and checkout island (sites with products).
    Cart,
    /// `/contact/`: the contact form (sites with `contact_form = true`).
    Contact,
    /// `/contact/thanks/`: where the JavaScript-less contact form lands (303).
    ContactThanks,
    /// `/status/`: build id, server time and cache statistics, rendered per request
    /// by `atoll serve` ([`crate::render_status`]); not exported, not in [`routes`].
    Status,
    /// The 404 page, exported as `/404.html`.
    NotFound,
}

impl Route {
    /// Site-relative URL path of the page. Directory-style (`/posts/x/`) so that a static
    /// host serves `posts/x/index.html` for it; the 404 page is `/404.html`, the name
    /// Netlify, Cloudflare Pages and GitHub Pages look for.
    pub fn path(&self) -> String {
        match self {
            Route::Home => "/".to_owned(),
            Route::Blog { page } => paginated("/posts/", *page),
            Route::Post(slug) => format!("/posts/{slug}/"),
            Route::Tags => "/tags/".to_owned(),
            Route::Tag { slug, page } => paginated(&format!("/tags/{slug}/"), *page),
            Route::Doc(url) => url.clone(),
            Route::Page(slug) => format!("/{slug}/"),
            Route::Products => "/products/".to_owned(),
            Route::Product(slug) => format!("/products/{slug}/"),
            Route::Search => "/search/".to_owned(),
            Route::Cart => "/cart/".to_owned(),
            Route::Contact => "/contact/".to_owned(),
            Route::ContactThanks => "/contact/thanks/".to_owned(),
            Route::Status => "/status/".to_owned(),
            Route::NotFound => "/404.html".to_owned(),
        }
    }

    /// The route of a request path, if the site has such a page. Accepts paths with or
    /// without the trailing slash.
    pub fn resolve(site: &Site, path: &str) -> Option<Route> {
        let trimmed = path.trim_matches('/');
        let segments: Vec<&str> = trimmed.split('/').collect();
        let page_number = |n: &str, items: usize| -> Option<usize> {
            // Canonical numbers only: `/posts/page/02/` is not a page.
            let page: usize = n.parse().ok()?;
            (page.to_string() == n && page >= 2 && page <= site.page_count(items)).then_some(page)
        };
        let route = match segments.as_slice() {
            [""] => Route::Home,
            ["posts"] => Route::Blog { page: 1 },
            ["posts", "page", n] => Route::Blog {
                page: page_number(n, site.posts.len())?,
            },
            ["posts", slug] => Route::Post((*slug).to_owned()),
            ["tags"] => Route::Tags,
            ["tags", slug] => Route::Tag {
                slug: (*slug).to_owned(),
                page: 1,
            },
            ["tags", slug, "page", n] => Route::Tag {
                slug: (*slug).to_owned(),
                page: page_number(n, site.tag(slug)?.posts.len())?,
            },
            ["docs", ..] => Route::Doc(format!("/{trimmed}/")),
            ["products"] => Route::Products,
            ["products", slug] => Route::Product((*slug).to_owned()),
            ["search"] => Route::Search,
            ["cart"] => Route::Cart,
            ["contact"] => Route::Contact,
            ["contact", "thanks"] => Route::ContactThanks,
            ["status"] => Route::Status,
            [slug] => Route::Page((*slug).to_owned()),
            _ => return None,
        };
        let exists = match &route {
            Route::Post(slug) => site.post(slug).is_some(),
            Route::Tag { slug, .. } => site.tag(slug).is_some(),
            Route::Doc(url) => site.doc(url).is_some(),
            Route::Page(slug) => site.page(slug).is_some(),
            Route::Product(slug) => site.product(slug).is_some(),
            Route::Cart => !site.products.is_empty(),
            Route::Contact | Route::ContactThanks => site.config.contact_form,
            _ => true,
        };
        exists.then_some(route)
    }
}

/// `base` for page 1, `base` + `page/<n>/` after (Hugo's and Zola's scheme).
fn paginated(base: &str, page: usize) -> String {
    if page <= 1 {
        base.to_owned()
    } else {
        format!("{base}page/{page}/")
    }
}

/// Every page of `site`, in a stable order: home, blog pages, posts (newest first),
/// tags, tag pages, docs (reading order), standalone pages, products, cart, contact,
/// search, 404.
pub fn routes(site: &Site) -> Vec<Route> {
    let mut routes = Vec::with_capacity(site.posts.len() * 2 + site.docs.len() + 16);
    routes.push(Route::Home);
    routes.extend((1..=site.page_count(site.posts.len())).map(|page| Route::Blog { page }));
    routes.extend(site.posts.iter().map(|post| Route::Post(post.slug.clone())));
    routes.push(Route::Tags);
    for tag in &site.tags {
        routes.extend(
            (1..=site.page_count(tag.posts.len())).map(|page| Route::Tag {
                slug: tag.slug.clone(),
                page,
            }),
        );
    }
    routes.extend(site.docs.iter().map(|doc| Route::Doc(doc.url.clone())));
    routes.extend(site.pages.iter().map(|page| Route::Page(page.slug.clone())));
    if !site.products.is_empty() {
        routes.push(Route::Products);
        routes.extend(
            site.products
                .iter()
                .map(|product| Route::Product(product.slug.clone())),
        );
        routes.push(Route::Cart);
    }
    if site.config.contact_form {
        routes.push(Route::Contact);
        routes.push(Route::ContactThanks);
    }
    routes.push(Route::Search);
    routes.push(Route::NotFound);
    routes
}

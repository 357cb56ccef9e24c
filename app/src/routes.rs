//! The route table: every page of a site and its URL.

use crate::model::Site;

/// One page of the site.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Route {
    /// `/`: introduction and the latest posts.
    Home,
    /// `/posts/`: every post, newest first.
    Blog,
    /// `/posts/<slug>/`: one post.
    Post(String),
    /// `/search/`: the search island.
    Search,
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
            Route::Blog => "/posts/".to_owned(),
            Route::Post(slug) => format!("/posts/{slug}/"),
            Route::Search => "/search/".to_owned(),
            Route::NotFound => "/404.html".to_owned(),
        }
    }

    /// The route of a request path, if the site has such a page. Accepts paths with or
    /// without the trailing slash.
    pub fn resolve(site: &Site, path: &str) -> Option<Route> {
        let trimmed = path.trim_matches('/');
        let route = match trimmed.split('/').collect::<Vec<_>>().as_slice() {
            [""] => Route::Home,
            ["posts"] => Route::Blog,
            ["posts", slug] => Route::Post((*slug).to_owned()),
            ["search"] => Route::Search,
            _ => return None,
        };
        match &route {
            Route::Post(slug) if site.post(slug).is_none() => None,
            _ => Some(route),
        }
    }
}

/// Every page of `site`, in a stable order: home, blog, posts (newest first), search, 404.
pub fn routes(site: &Site) -> Vec<Route> {
    let mut routes = Vec::with_capacity(site.posts.len() + 4);
    routes.push(Route::Home);
    routes.push(Route::Blog);
    routes.extend(site.posts.iter().map(|post| Route::Post(post.slug.clone())));
    routes.push(Route::Search);
    routes.push(Route::NotFound);
    routes
}

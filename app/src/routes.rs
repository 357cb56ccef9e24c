//! The site's route table: every page type, one line each. Adding a page type is one new
//! file in `pages/` (a [`Route`](crate::Route)) and one line here.
//!
//! The order is the export's order and breaks ties between equally specific patterns
//! ([`crate::route`]).

use std::sync::OnceLock;

use crate::pages;
use crate::route::Routes;

/// The demo site's routes, and the template names (Zola `template`, Hugo `layout`) that
/// map to them.
pub fn routes() -> &'static Routes {
    static ROUTES: OnceLock<Routes> = OnceLock::new();
    ROUTES.get_or_init(|| {
        Routes::new(vec![
            &pages::HomePage,
            &pages::BlogIndex,
            &pages::PostPage,
            &pages::TagIndex,
            &pages::TagPage,
            &pages::TaxonomyIndex,
            &pages::TermPage,
            &pages::DocPage,
            &pages::StandalonePage,
            &pages::SectionPage,
            &pages::ProductIndex,
            &pages::ProductPage,
            &pages::Cart,
            &pages::Contact,
            &pages::ContactThanks,
            &pages::Search,
            &pages::Status,
            &pages::NotFound,
        ])
        // Template names (Zola `template`/`page_template`, Hugo `layout`/`type`) and
        // the routes that render them: a page naming `post` is rendered (and listed) as
        // a post. Zola's and Hugo's default names (`page`, `single`, `section`, `list`)
        // change nothing; a name not listed here renders with its section's route and
        // is named in one warning.
        .template("post", "post")
        .template("blog-page", "post")
        .template("doc", "doc")
        .template("docs", "doc")
        .template("section", "section")
        .template("list", "section")
        .layout_assets(crate::layout::ASSETS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Site, SiteConfig};
    use crate::modes::{Fallback, RenderMode};

    #[test]
    fn the_demo_table() {
        let routes = routes();
        let site = Site::new(SiteConfig::default(), vec![], vec![], vec![], vec![]);
        let mode = |path: &str| routes.resolve(&site, path).map(|p| p.mode());
        assert_eq!(mode("/posts/"), Some(RenderMode::Isr { revalidate: 60 }));
        assert_eq!(mode("/status/"), Some(RenderMode::Ssr));
        assert_eq!(mode("/search/"), Some(RenderMode::Static));
        assert_eq!(mode("/posts/page/2/"), None, "past the last page");
        assert_eq!(routes.fallback_of("/posts/new/"), Fallback::Blocking);
        assert_eq!(routes.fallback_of("/docs/a/b/"), Fallback::Blocking);
        assert_eq!(routes.fallback_of("/about/"), Fallback::Blocking);
        assert_eq!(routes.fallback_of("/search/"), Fallback::NotFound);
        assert_eq!(routes.fallback_of("/favicon.ico"), Fallback::NotFound);
        assert_eq!(routes.fallback_of("/a/b/c/"), Fallback::NotFound);
        assert_eq!(routes.for_template("post.html").unwrap().name(), "post");
        assert_eq!(
            routes.for_template("section.html").unwrap().name(),
            "section"
        );
        assert!(routes.for_template("shortcodes/x.html").is_none());
        let names: Vec<&str> = routes
            .pages(&site)
            .iter()
            .map(|p| p.path().to_owned())
            .map(|p| routes.resolve(&site, &p).unwrap().name())
            .collect();
        assert_eq!(
            names,
            ["home", "blog index", "tag index", "search", "status", "404"]
        );
    }
}

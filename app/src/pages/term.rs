use leptos::prelude::*;

use super::{paginated, POSTS_MODE};
use crate::layout::PageMeta;
use crate::model::Site;
use crate::modes::{Fallback, RenderMode};
use crate::reads::{Cx, Facet};
use crate::route::{Params, Route, Sitemap};

/// `/<taxonomy>/<term>/` and `/<taxonomy>/<term>/page/<n>/`: the posts of a term of a
/// taxonomy other than `tags` (`/categories/news/`, `/authors/ada/`, as Zola and Hugo
/// publish them), newest first. The taxonomies are the site's settings, so the route
/// owns concrete paths instead of a pattern.
pub struct TermPage;

/// `/<taxonomy>/`: every term of a taxonomy other than `tags`, with its post count.
pub struct TaxonomyIndex;

/// "categories" → "Categories".
pub(super) fn display_name(taxonomy: &str) -> String {
    let mut chars = taxonomy.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The taxonomies of `site` other than `tags`.
fn other_taxonomies(site: &Site) -> impl Iterator<Item = &str> {
    site.config
        .taxonomies
        .iter()
        .map(|t| t.name.as_str())
        .filter(|name| *name != "tags")
}

impl Route for TermPage {
    fn name(&self) -> &'static str {
        "term"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &[]
    }

    fn mode(&self) -> RenderMode {
        POSTS_MODE
    }

    fn fallback(&self) -> Fallback {
        Fallback::Blocking
    }

    fn paths(&self, site: &Site) -> Vec<Params> {
        super::tag::term_paths(site, false)
    }

    fn exists(&self, site: &Site, params: &Params) -> bool {
        super::tag::term_exists(site, params, false)
    }

    fn owns(&self, site: &Site, path: &str) -> Option<Params> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let (taxonomy, term, page) = match segments[..] {
            [taxonomy, term] => (taxonomy, term, 1),
            [taxonomy, term, "page", n] => (taxonomy, term, n.parse().ok()?),
            _ => return None,
        };
        if !path.ends_with('/') || !other_taxonomies(site).any(|name| name == taxonomy) {
            return None;
        }
        let params = Params::new()
            .with("slug", format!("{taxonomy}/{term}"))
            .paginated(page);
        self.exists(site, &params).then_some(params)
    }

    fn path_of(&self, params: &Params) -> Option<String> {
        Some(paginated(
            &format!("/{}/", params.get("slug")?),
            params.page()?,
        ))
    }

    fn view(&self, cx: &Cx, params: &Params) -> Option<(PageMeta, AnyView)> {
        let term = cx.tag(params.get("slug")?, Facet::Page)?;
        super::tag::tag(cx, term, params.page()?)
    }

    fn sitemap(&self, site: &Site, params: &Params) -> Sitemap {
        super::tag::term_sitemap(site, params)
    }
}

impl Route for TaxonomyIndex {
    fn name(&self) -> &'static str {
        "taxonomy"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &[]
    }

    fn mode(&self) -> RenderMode {
        POSTS_MODE
    }

    fn paths(&self, site: &Site) -> Vec<Params> {
        other_taxonomies(site)
            .filter(|name| has_terms(site, name))
            .map(|name| Params::new().with("taxonomy", name.to_owned()))
            .collect()
    }

    fn exists(&self, site: &Site, params: &Params) -> bool {
        params
            .get("taxonomy")
            .is_some_and(|name| other_taxonomies(site).any(|n| n == name) && has_terms(site, name))
    }

    fn owns(&self, site: &Site, path: &str) -> Option<Params> {
        let name = path.strip_prefix('/')?.strip_suffix('/')?;
        let params = Params::new().with("taxonomy", name.to_owned());
        (!name.contains('/') && self.exists(site, &params)).then_some(params)
    }

    fn path_of(&self, params: &Params) -> Option<String> {
        Some(format!("/{}/", params.get("taxonomy")?))
    }

    fn view(&self, cx: &Cx, params: &Params) -> Option<(PageMeta, AnyView)> {
        let taxonomy = params.get("taxonomy")?;
        let terms: Vec<&crate::model::Tag> = cx
            .tags()
            .iter()
            .filter(|t| t.taxonomy() == taxonomy)
            .collect();
        let items = super::tags::term_items(&terms, None);
        let title = display_name(taxonomy);
        let count = terms.len();
        let view = view! {
            <h1>{title.clone()}</h1>
            <p class="lead">{format!("{count} {taxonomy}.")}</p>
            <ul class="tag-list">{items}</ul>
        }
        .into_any();
        let meta = PageMeta::new(
            Some(title),
            format!("Every term of {taxonomy} on {}.", cx.config().title),
            format!("/{taxonomy}/"),
        );
        Some((meta, view))
    }
}

fn has_terms(site: &Site, taxonomy: &str) -> bool {
    site.tags.iter().any(|t| t.taxonomy() == taxonomy)
}

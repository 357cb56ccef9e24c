use islands::CartPage;
use leptos::prelude::*;

use crate::hydration::{hydrate, Hydrate};
use crate::layout::PageMeta;
use crate::model::Site;
use crate::reads::Cx;
use crate::route::{Params, Route, Sitemap};

/// `/cart/`: the cart and checkout island (sites with products). Left out of the sitemap
/// but not `noindex`: its pre-rendered HTML is the same for every visitor (the cart
/// itself lives in the browser), and Lighthouse's SEO audit ("is-crawlable") fails any
/// page that blocks indexing. A site that wants it out of search results sets
/// `Disallow: /cart/` in its `robots.txt`.
pub struct Cart;

impl Route for Cart {
    fn name(&self) -> &'static str {
        "cart"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["/cart/"]
    }

    fn paths(&self, site: &Site) -> Vec<Params> {
        super::single_if(!site.products.is_empty())
    }

    fn sitemap(&self, _site: &Site, _params: &Params) -> Sitemap {
        Sitemap::Unlisted
    }

    fn view(&self, _cx: &Cx, _params: &Params) -> Option<(PageMeta, AnyView)> {
        Some(cart())
    }
}

fn cart() -> (PageMeta, AnyView) {
    let view = view! {
        <h1>"Your cart"</h1>
        {hydrate(Hydrate::Load, view! { <CartPage/> })}
        <noscript>
            <p>"The cart needs JavaScript. Write to us from the contact page to order instead."</p>
        </noscript>
    }
    .into_any();
    let meta = PageMeta::new(
        Some("Cart".into()),
        "Your cart and checkout.".to_owned(),
        "/cart/",
    );
    (meta, view)
}

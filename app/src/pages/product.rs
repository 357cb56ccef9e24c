use islands::{AddToCart, BuyBox};
use leptos::prelude::*;

use super::PRODUCTS_MODE;
use crate::hydration::{hydrate, Hydrate};
use crate::images::ResponsiveImage;
use crate::layout::PageMeta;
use crate::model::{Product, Site};
use crate::modes::{Fallback, RenderMode};
use crate::reads::Cx;
use crate::route::{Params, Route};
use crate::seo;

/// `/products/<slug>/`: one product, its buy box and add-to-cart islands. Rendered by
/// `atoll serve` with the live stock of its database ([`crate::Live`]).
pub struct ProductPage;

impl Route for ProductPage {
    fn name(&self) -> &'static str {
        "product"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["/products/{slug}/"]
    }

    fn mode(&self) -> RenderMode {
        PRODUCTS_MODE
    }

    fn fallback(&self) -> Fallback {
        Fallback::Blocking
    }

    fn paths(&self, site: &Site) -> Vec<Params> {
        site.products
            .iter()
            .map(|product| Params::new().with("slug", product.slug.clone()))
            .collect()
    }

    fn exists(&self, site: &Site, params: &Params) -> bool {
        params.get("slug").and_then(|s| site.product(s)).is_some()
    }

    fn view(&self, cx: &Cx, params: &Params) -> Option<(PageMeta, AnyView)> {
        let mut product = cx.product(params.get("slug")?)?.clone();
        product.stock = cx.stock(&product);
        Some(self::product(cx.site(), &product))
    }
}

/// `/products/<slug>/`: images, the buy box (price and stock at build time, then live),
/// the add-to-cart island and the description.
fn product(site: &Site, product: &Product) -> (PageMeta, AnyView) {
    let images = product
        .images
        .iter()
        .enumerate()
        .map(|(i, src)| {
            let alt = if i == 0 {
                product.name.clone()
            } else {
                format!("{} ({})", product.name, i + 1)
            };
            // Half of the text column beside the buy box; the whole width on phones.
            view! {
                <ResponsiveImage
                    image=site.image(src)
                    alt=alt
                    sizes="(min-width: 48rem) 21rem, calc(100vw - 2.5rem)"
                    priority={i == 0}
                />
            }
        })
        .collect_view();
    let view = view! {
        <article class="product">
            <div class="product-images">{images}</div>
            <div class="product-details">
                <h1>{product.name.clone()}</h1>
                {hydrate(Hydrate::Load, view! {
                    <BuyBox
                        product_id=product.id.clone()
                        price_cents=product.price_cents
                        currency=product.currency.clone()
                        stock=product.stock
                    />
                })}
                {hydrate(Hydrate::Load, view! {
                    <AddToCart product_id=product.id.clone() name=product.name.clone() stock=product.stock/>
                })}
                {super::prose_after_images(site, &product.html, &product.url(), product.images.is_empty())}
                <p><a href="/products/">"← All products"</a></p>
            </div>
        </article>
    }
    .into_any();
    let mut meta = PageMeta::new(
        Some(product.name.clone()),
        product.text.clone(),
        product.url(),
    );
    meta.og_type = "product";
    meta.image = product.images.first().cloned();
    meta.json_ld.push(seo::product(site, product));
    meta.json_ld.push(seo::breadcrumbs(
        site,
        &[
            ("Home".into(), "/".into()),
            ("Products".into(), "/products/".into()),
            (product.name.clone(), product.url()),
        ],
    ));
    (meta, view)
}

use atoll_api::stock_label;
use leptos::prelude::*;

use super::PRODUCTS_MODE;
use crate::images::ResponsiveImage;
use crate::layout::PageMeta;
use crate::model::Site;
use crate::modes::RenderMode;
use crate::reads::Cx;
use crate::route::{Params, Route};

/// `/products/`: every product (sites with products).
pub struct ProductIndex;

impl Route for ProductIndex {
    fn name(&self) -> &'static str {
        "product index"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["/products/"]
    }

    fn mode(&self) -> RenderMode {
        PRODUCTS_MODE
    }

    fn paths(&self, site: &Site) -> Vec<Params> {
        super::single_if(!site.products.is_empty())
    }

    fn view(&self, cx: &Cx, _params: &Params) -> Option<(PageMeta, AnyView)> {
        Some(products(cx))
    }
}

/// `/products/`: every product with its image, price and availability.
fn products(cx: &Cx) -> (PageMeta, AnyView) {
    let site = cx.site();
    let cards = cx
        .products()
        .iter()
        .enumerate()
        .map(|(i, product)| {
            // The first card's image is the likely LCP; cards are ~14rem wide at most.
            let image = product.images.first().map(|src| {
                view! {
                    <ResponsiveImage
                        image=site.image(src)
                        alt=""
                        sizes="(min-width: 46rem) 14rem, calc(100vw - 2.5rem)"
                        priority={i == 0}
                    />
                }
            });
            view! {
                <li class="product-card">
                    {image}
                    <h2><a href=product.url()>{product.name.clone()}</a></h2>
                    <p class="price">{product.price_display()}</p>
                    <p class="stock">{stock_label(cx.stock(product))}</p>
                </li>
            }
        })
        .collect_view();
    let view = view! {
        <h1>"Products"</h1>
        <ul class="product-list">{cards}</ul>
    }
    .into_any();
    let meta = PageMeta::new(
        Some("Products".into()),
        format!("Everything in the {} shop.", site.config.title),
        "/products/",
    );
    (meta, view)
}

use islands::api::stock_label;
use leptos::prelude::*;

use crate::layout::PageMeta;
use crate::model::Site;

/// `/products/`: every product with its image, price and availability.
pub fn products(site: &Site) -> (PageMeta, AnyView) {
    let cards = site
        .products
        .iter()
        .map(|product| {
            let image = product.images.first().map(|src| {
                view! { <img src=site.asset(src) alt="" width="240" height="240" loading="lazy"/> }
            });
            view! {
                <li class="product-card">
                    {image}
                    <h2><a href=product.url()>{product.name.clone()}</a></h2>
                    <p class="price">{product.price_display()}</p>
                    <p class="stock">{stock_label(product.stock)}</p>
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

use islands::CartPage;
use leptos::prelude::*;

use crate::hydration::{hydrate, Hydrate};
use crate::layout::PageMeta;

/// `/cart/`: the cart and checkout island. Not indexable (it is the visitor's own).
pub fn cart() -> (PageMeta, AnyView) {
    let view = view! {
        <h1>"Your cart"</h1>
        {hydrate(Hydrate::Load, view! { <CartPage/> })}
        <noscript>
            <p>"The cart needs JavaScript. Write to us from the contact page to order instead."</p>
        </noscript>
    }
    .into_any();
    let mut meta = PageMeta::new(
        Some("Cart".into()),
        "Your cart and checkout.".to_owned(),
        "/cart/",
    );
    meta.indexable = false;
    (meta, view)
}

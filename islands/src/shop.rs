//! The header's cart count ([`CartIcon`]), shared by the product pages (feature
//! `product`: [`crate::BuyBox`], [`crate::AddToCart`]) and the cart page (feature
//! `cart`: [`crate::CartPage`]), kept in sync through the cart in `localStorage` (see
//! [`crate::cart`]).

use leptos::prelude::*;

use crate::cart;

/// The header's link to the cart with the number of units in it, kept in sync with
/// the cart in this tab and others.
#[island]
pub fn CartIcon() -> impl IntoView {
    let (count, set_count) = signal(0i64);
    Effect::new(move |_| {
        set_count.set(cart::count(&cart::load()));
        cart::on_change(move || set_count.set(cart::count(&cart::load())));
    });
    view! {
        <a class="cart-link" href="/cart/">
            "Cart "
            <span class="cart-count" data-count=move || count.get().to_string()>
                {move || count.get()}
                <span class="visually-hidden">" items"</span>
            </span>
        </a>
    }
}

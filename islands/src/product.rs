//! The product islands: live price and stock ([`BuyBox`]) and the add-to-cart button
//! ([`AddToCart`]) (cargo feature `product`). They share the cart in `localStorage`
//! (see [`crate::cart`]) with the header's [`crate::CartIcon`]; prices always come from
//! the server.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::cart;
use atoll_api::client::{get_json, Answer};
use atoll_api::{format_price, stock_label, ProductStatus, CART_MAX_QUANTITY};

/// Live price and stock of one product.
///
/// Server-rendered with the catalog's price and stock (build time); once hydrated it
/// asks `GET /api/products/{id}` and shows the live values. On a static host without
/// the API the build-time values stay. The root carries `data-live="true"` once the
/// live values are shown.
#[island]
pub fn BuyBox(
    /// Product id (SKU).
    product_id: String,
    /// Catalog price in cents.
    price_cents: u64,
    /// ISO 4217 code.
    currency: String,
    /// Catalog stock.
    stock: u32,
) -> impl IntoView {
    let (live, set_live) = signal((price_cents, currency, stock, false));
    Effect::new(move |_| {
        let path = format!(
            "/api/products/{}",
            atoll_api::client::encode_component(&product_id)
        );
        spawn_local(async move {
            if let Ok(Answer::Ok(_, status)) = get_json::<ProductStatus>(&path).await {
                set_live.set((status.price_cents, status.currency, status.stock, true));
            }
        });
    });
    view! {
        <div class="buy-box" data-live=move || live.with(|l| l.3.to_string())>
            <p class="price">{move || live.with(|l| format_price(l.0, &l.1))}</p>
            <p class="stock">{move || live.with(|l| stock_label(l.2))}</p>
        </div>
    }
}

/// A quantity field and an "Add to cart" button. Adding updates the cart in
/// `localStorage`, so the header's [`CartIcon`] changes at once, in every tab.
/// The button stays disabled until the island is hydrated (it needs JavaScript).
#[island]
pub fn AddToCart(
    /// Product id (SKU).
    product_id: String,
    /// Display name, for the confirmation.
    name: String,
    /// Catalog stock: 0 renders "Sold out"; otherwise the field's maximum.
    stock: u32,
) -> impl IntoView {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    let (quantity, set_quantity) = signal(1i64);
    let (added, set_added) = signal(String::new());
    let max = i64::from(stock).min(CART_MAX_QUANTITY);
    let add = move |_| {
        let units = quantity.get_untracked().clamp(1, max.max(1));
        cart::add(&product_id, units);
        set_added.set(format!("Added {units} × {name} to the cart."));
    };
    view! {
        <div class="add-to-cart">
            <label>
                "Quantity "
                <input
                    type="number"
                    name="quantity"
                    min="1"
                    max=max.to_string()
                    prop:value=move || quantity.get().to_string()
                    on:input=move |ev| set_quantity.set(event_target_value(&ev).parse().unwrap_or(1))
                />
            </label>
            <button type="button" on:click=add disabled=move || !hydrated.get() || max == 0>
                {if max == 0 { "Sold out" } else { "Add to cart" }}
            </button>
            <p class="add-to-cart-status" role="status" aria-live="polite">{move || added.get()}</p>
        </div>
    }
}

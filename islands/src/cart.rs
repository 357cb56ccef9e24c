//! The cart every shop island shares: a JSON array of [`CartItem`]s in `localStorage`
//! under [`CART_KEY`]. A change made by one island is announced on `window` with the
//! [`CART_EVENT`] event (same tab) and reaches other tabs through the `storage` event,
//! so the header count, the add-to-cart button and the cart page always agree.

use atoll_api::CartItem;

/// `localStorage` key of the cart.
pub const CART_KEY: &str = "atoll.cart";

/// Name of the event dispatched on `window` after the cart changed in this tab.
pub const CART_EVENT: &str = "atoll:cart";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The cart; empty when storage is unavailable or holds something else than a cart.
pub fn load() -> Vec<CartItem> {
    storage()
        .and_then(|s| s.get_item(CART_KEY).ok().flatten())
        .and_then(|json| serde_json::from_str::<Vec<CartItem>>(&json).ok())
        .map(|items| items.into_iter().filter(|i| i.quantity > 0).collect())
        .unwrap_or_default()
}

/// Replaces the cart and tells the other islands of this tab.
pub fn save(items: &[CartItem]) {
    if let Some(storage) = storage() {
        let json = serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned());
        let _ = storage.set_item(CART_KEY, &json);
    }
    if let (Some(window), Ok(event)) = (web_sys::window(), web_sys::Event::new(CART_EVENT)) {
        let _ = window.dispatch_event(&event);
    }
}

/// Adds `quantity` units of a product (a new line, or more of an existing one, at most
/// [`atoll_api::CART_MAX_QUANTITY`] in all).
pub fn add(product_id: &str, quantity: i64) -> Vec<CartItem> {
    let mut items = load();
    match items.iter_mut().find(|i| i.product_id == product_id) {
        Some(item) => {
            item.quantity = (item.quantity + quantity).min(atoll_api::CART_MAX_QUANTITY);
        }
        None => items.push(CartItem {
            product_id: product_id.to_owned(),
            quantity,
        }),
    }
    save(&items);
    items
}

/// Units in the cart.
pub fn count(items: &[CartItem]) -> i64 {
    items.iter().map(|i| i.quantity.max(0)).sum()
}

/// Calls `changed` whenever the cart changes, in this tab or another one.
pub fn on_change(changed: impl Fn() + Clone + 'static) {
    use leptos::prelude::{window_event_listener, window_event_listener_untyped};
    let other_tab = changed.clone();
    window_event_listener(leptos::ev::storage, move |event| {
        // `key` is null when another tab cleared the whole storage.
        if event.key().is_none_or(|key| key == CART_KEY) {
            other_tab();
        }
    });
    window_event_listener_untyped(CART_EVENT, move |_| changed());
}

//! The cart page island with its checkout form ([`CartPage`], cargo feature `cart`):
//! the cart in `localStorage` (see [`crate::cart`]) priced by the server.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::cart;
use crate::escape;
use atoll_api::client::{post_json, Answer};
use atoll_api::{
    format_price, CartItem, CheckoutRequest, Order, Quote, QuoteRequest, CART_MAX_QUANTITY,
    CHECKOUT_PATH, QUOTE_PATH,
};

#[derive(Clone, Debug, PartialEq)]
enum QuoteState {
    Empty,
    Loading,
    Priced(Quote),
    /// The server refused the cart: message, and the line it names (`items[i]…`).
    Refused(String, Option<usize>),
    Failed(String),
}

/// Index of the line a field such as `items[2].quantity` names.
fn line_of(field: Option<&str>) -> Option<usize> {
    let rest = field?.strip_prefix("items[")?;
    rest[..rest.find(']')?].parse().ok()
}

/// The rows of the cart table. Names, links and line totals come from the quote;
/// until it arrives (or when it failed) the product ids stand in.
fn rows_html(items: &[CartItem], quote: &QuoteState) -> String {
    let mut html = String::new();
    for (i, item) in items.iter().enumerate() {
        let line = match quote {
            QuoteState::Priced(q) => q.lines.get(i).map(|l| (l, q.currency.as_str())),
            _ => None,
        };
        let product = match line {
            Some((l, _)) => format!("<a href=\"{}\">{}</a>", escape(&l.url), escape(&l.name)),
            None => escape(&item.product_id),
        };
        let total = line.map_or(String::new(), |(l, c)| {
            escape(&format_price(l.line_total_cents, c))
        });
        let error = match quote {
            QuoteState::Refused(message, Some(line)) if *line == i => escape(message),
            _ => String::new(),
        };
        html.push_str(&format!(
            "<tr class=\"cart-line\" data-product=\"{id}\"><td>{product}<p class=\"field-error\" role=\"alert\">{error}</p></td>\
             <td><input type=\"number\" min=\"1\" max=\"{CART_MAX_QUANTITY}\" aria-label=\"Quantity\" data-line=\"{i}\" value=\"{q}\"></td>\
             <td class=\"line-total\">{total}</td>\
             <td><button type=\"button\" class=\"remove\" data-line=\"{i}\">Remove</button></td></tr>",
            id = escape(&item.product_id),
            q = item.quantity,
        ));
    }
    html
}

/// The line index in the `data-line` attribute of an event's target, with the target.
fn event_line(ev: &web_sys::Event) -> Option<(usize, web_sys::Element)> {
    use wasm_bindgen::JsCast;
    let target: web_sys::Element = ev.target()?.dyn_into().ok()?;
    let index = target.get_attribute("data-line")?.parse().ok()?;
    Some((index, target))
}

/// The cart page: lines with quantity fields and remove buttons, the total computed by
/// `POST /api/cart/quote`, and the checkout form posting to `POST /api/checkout` with
/// an `Idempotency-Key` (the same key for every retry of one order, so a retried
/// request never places a second order). A placed order empties the cart.
///
/// The table is rendered from strings with one delegated listener per event type,
/// which keeps this island small in the WASM bundle. The root's `data-state` is
/// `empty`, `loading`, `priced`, `refused`, `failed` or `placed`.
#[island]
pub fn CartPage() -> impl IntoView {
    let (items, set_items) = signal(Vec::<CartItem>::new());
    let (quote, set_quote) = signal(QuoteState::Loading);
    let (placed, set_placed) = signal(None::<String>);
    let (message, set_message) = signal(String::new());
    let (busy, set_busy) = signal(false);
    let idempotency_key = StoredValue::new(None::<String>);
    let sequence = StoredValue::new(0u64);

    let requote = move || {
        let current = cart::load();
        // A changed cart is a different order: a new key for its checkout (an event
        // that left the cart as it was keeps the key).
        if items.with_untracked(|old| *old != current) {
            idempotency_key.set_value(None);
        }
        set_items.set(current.clone());
        sequence.update_value(|n| *n += 1);
        let id = sequence.get_value();
        if current.is_empty() {
            set_quote.set(QuoteState::Empty);
            return;
        }
        set_quote.set(QuoteState::Loading);
        spawn_local(async move {
            let answer =
                post_json::<_, Quote>(QUOTE_PATH, &QuoteRequest { items: current }, &[]).await;
            if sequence.get_value() != id {
                return;
            }
            set_quote.set(match answer {
                Ok(Answer::Ok(_, quote)) => QuoteState::Priced(quote),
                Ok(Answer::Err(_, error)) => {
                    let line = line_of(error.field.as_deref());
                    QuoteState::Refused(error.error, line)
                }
                Err(message) => QuoteState::Failed(message),
            });
        });
    };
    Effect::new(move |_| {
        requote();
        cart::on_change(requote);
    });

    let on_change = move |ev: web_sys::Event| {
        use wasm_bindgen::JsCast;
        let Some((index, target)) = event_line(&ev) else {
            return;
        };
        let Ok(input) = target.dyn_into::<web_sys::HtmlInputElement>() else {
            return;
        };
        let mut current = cart::load();
        if let Some(item) = current.get_mut(index) {
            item.quantity = input.value().trim().parse::<i64>().unwrap_or(1).max(1);
            cart::save(&current);
        }
    };
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some((index, target)) = event_line(&ev) else {
            return;
        };
        if target.tag_name() == "BUTTON" {
            let mut current = cart::load();
            if index < current.len() {
                current.remove(index);
                cart::save(&current);
            }
        }
    };

    let checkout = move |ev: leptos::ev::SubmitEvent| {
        use wasm_bindgen::JsCast;
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        let Ok(data) = web_sys::FormData::new_with_form(&form) else {
            return;
        };
        let text = |name: &str| data.get(name).as_string().unwrap_or_default();
        let Some(key) = idempotency_key.get_value().or_else(new_key) else {
            set_message.set("This browser cannot create a secure order key.".to_owned());
            return;
        };
        idempotency_key.set_value(Some(key.clone()));
        let request = CheckoutRequest {
            name: text("name"),
            email: text("email"),
            address: text("address"),
            items: items.get_untracked(),
        };
        set_busy.set(true);
        set_message.set(String::new());
        spawn_local(async move {
            let answer =
                post_json::<_, Order>(CHECKOUT_PATH, &request, &[("Idempotency-Key", &key)]).await;
            set_busy.set(false);
            match answer {
                Ok(Answer::Ok(_, order)) => {
                    set_placed.set(Some(format!(
                        "Order #{} is placed: {}. A confirmation goes to {}.",
                        order.order_id,
                        format_price(order.total_cents, &order.currency),
                        request.email.trim()
                    )));
                    cart::save(&[]);
                }
                Ok(Answer::Err(status, error)) => {
                    set_message.set(error.error);
                    if status == 409 {
                        requote();
                    }
                }
                Err(message) => set_message.set(message),
            }
        });
    };

    let state = move || {
        if placed.with(Option::is_some) {
            return "placed";
        }
        quote.with(|q| match q {
            QuoteState::Empty => "empty",
            QuoteState::Loading => "loading",
            QuoteState::Priced(_) => "priced",
            QuoteState::Refused(..) => "refused",
            QuoteState::Failed(_) => "failed",
        })
    };
    let summary = move || {
        quote.with(|q| match q {
            QuoteState::Empty => "Your cart is empty.".to_owned(),
            QuoteState::Loading => "Pricing your cart…".to_owned(),
            QuoteState::Priced(q) => format!(
                "Total: {} for {} items",
                format_price(q.total_cents, &q.currency),
                q.item_count
            ),
            QuoteState::Refused(m, _) | QuoteState::Failed(m) => m.clone(),
        })
    };
    view! {
            <div class="cart" data-state=state>
                <table class="cart-lines" hidden=move || items.with(Vec::is_empty) || placed.with(Option::is_some)>
                    <thead><tr><th>"Product"</th><th>"Quantity"</th><th>"Price"</th><th></th></tr></thead>
                    <tbody
                        on:change=on_change
                        on:click=on_click
                        inner_html=move || quote.with(|q| items.with(|i| rows_html(i, q)))
                    ></tbody>
                </table>
                <p class="cart-summary" aria-live="polite" hidden=move || placed.with(Option::is_some)>{summary}</p>
                <p class="order-placed" role="status" hidden=move || placed.with(Option::is_none)>{move || placed.get()}</p>
    <form class="checkout" on:submit=checkout hidden=move || state() != "priced"
                >
                    <h2>"Checkout"</h2>
                    <label>"Name" <input name="name" required maxlength="100" autocomplete="name"/></label>
                    <label>"Email" <input name="email" type="email" required maxlength="254" autocomplete="email"/></label>
                    <label>"Address" <textarea name="address" required maxlength="500" rows="3" autocomplete="street-address"></textarea></label>
                    <p class="field-error" role="alert">{move || Some(message.get()).filter(|m| !m.is_empty())}</p>
                    <button type="submit" disabled=move || busy.get()>"Place order"</button>
                </form>
            </div>
        }
}

/// A fresh `Idempotency-Key`: 128 random bits from `crypto.getRandomValues` (available
/// outside secure contexts too, unlike `randomUUID`), in hex; `None` when the browser
/// has no such source (a guessable or shared key could replay another order).
fn new_key() -> Option<String> {
    let mut bytes = [0u8; 16];
    let crypto = web_sys::window()?.crypto().ok()?;
    crypto.get_random_values_with_u8_array(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_the_line() {
        assert_eq!(line_of(Some("items[3].quantity")), Some(3));
        assert_eq!(line_of(Some("items[0]")), Some(0));
        assert_eq!(line_of(Some("items")), None);
        assert_eq!(line_of(None), None);
    }

    #[test]
    fn rows_escape_and_name_the_refused_line() {
        let items = vec![
            CartItem {
                product_id: "a<b".into(),
                quantity: 2,
            },
            CartItem {
                product_id: "c".into(),
                quantity: 1,
            },
        ];
        let html = rows_html(
            &items,
            &QuoteState::Refused("only 0 of \"c\" in stock".into(), Some(1)),
        );
        assert!(html.contains("data-product=\"a&lt;b\""), "{html}");
        assert!(html.contains("only 0 of &quot;c&quot; in stock"), "{html}");
        assert_eq!(html.matches("role=\"alert\"></p>").count(), 1, "{html}");
    }
}

//! The contract of Atoll's HTTP API (the `atoll-api` crate): paths, limits and the JSON
//! request/response types, shared by the islands (which call the API with `fetch`,
//! through [`client`]) and the axum handlers of `atoll-serve` (which answer it), so a
//! contract change fails to compile on both sides. The OpenAPI document served at
//! `/api/openapi.json` is derived from these types.
//!
//! Features: `server` (the server's side: OpenAPI schemas with utoipa, and quantities
//! read leniently, `3.0` as `3`); `client` (the browser's side: [`client`] calls
//! `fetch` through web-sys). The WASM bundle enables `client` only, so it carries none
//! of utoipa.
//!
//! Every error answer of the API has one shape, [`ApiError`]:
//! `{"error": "human readable message", "field": "q"}` (`field` omitted when the
//! error is not about one input).

#![deny(missing_docs)]

pub mod client;

use serde::{Deserialize, Serialize};

// The OpenAPI schemas are derived on the server build only (feature `server`), so the
// WASM bundle carries none of utoipa.
macro_rules! schema {
    ($item:item) => {
        #[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
        $item
    };
}

/// Path of the search endpoint: `GET /api/search?q=…&limit=…`.
pub const SEARCH_PATH: &str = "/api/search";

/// Default number of results of [`SEARCH_PATH`] when `limit` is absent.
pub const SEARCH_DEFAULT_LIMIT: usize = 10;

/// Largest accepted `limit` of [`SEARCH_PATH`]; larger values are a 400.
pub const SEARCH_MAX_LIMIT: usize = 50;

/// Longest accepted query, in characters (Unicode scalar values); longer is a 400.
pub const SEARCH_MAX_QUERY_CHARS: usize = 256;

/// The answer of `GET /api/search`: `{"query", "total", "results": [...]}`.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResponse {
    /// The query as received, trimmed.
    pub query: String,
    /// How many documents match in all (results hold at most `limit` of them).
    pub total: usize,
    /// The best matches, highest `score` first.
    pub results: Vec<SearchResult>,
}

/// One search match.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    /// Title of the page.
    pub title: String,
    /// Site-relative URL of the page, e.g. `/posts/islands/`.
    pub url: String,
    /// Plain text (not HTML) around the first match in the body, or the summary.
    pub excerpt: String,
    /// Relevance (BM25F); only comparable within one response.
    pub score: f32,
}

/// The body of every 4xx/5xx answer of the JSON API.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// What went wrong, for a human: e.g. "`limit` must be between 1 and 50".
    pub error: String,
    /// The request field the error is about (query parameter or JSON key), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    /// An error about one request field.
    pub fn field(field: &str, error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            field: Some(field.to_owned()),
        }
    }

    /// An error not tied to one field.
    pub fn message(error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            field: None,
        }
    }
}

/// Path of the live product endpoint: `GET /api/products/{id}`.
pub const PRODUCT_PATH: &str = "/api/products/{id}";

/// Path of the cart quote endpoint: `POST /api/cart/quote`.
pub const QUOTE_PATH: &str = "/api/cart/quote";

/// Path of the checkout endpoint: `POST /api/checkout`.
pub const CHECKOUT_PATH: &str = "/api/checkout";

/// Path of the contact endpoint: `POST /api/contact` (JSON or an HTML form).
pub const CONTACT_PATH: &str = "/api/contact";

/// Most lines in one cart; more is a 422 on `items`.
pub const CART_MAX_LINES: usize = 100;

/// Largest quantity of one line; more is a 422 on `items[i].quantity`.
pub const CART_MAX_QUANTITY: i64 = 999;

schema! {
/// Live price and stock of a product: the answer of `GET /api/products/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductStatus {
    /// The product id (SKU) of the catalog.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Price in the currency's minor unit (cents).
    pub price_cents: u64,
    /// ISO 4217 currency code, e.g. `EUR`.
    pub currency: String,
    /// Units that can be ordered now.
    pub stock: u32,
    /// When price or stock last changed (RFC 3339, UTC).
    pub updated_at: String,
}
}

schema! {
/// One line of a cart as the browser sends it. Any other key (a price, say) is ignored:
/// the server prices every line from its catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartItem {
    /// Product id (SKU).
    pub product_id: String,
    /// Units wanted: 1 to [`CART_MAX_QUANTITY`] and at most the stock (else 422). A
    /// JSON number with no fraction (`3.0`) is the integer it equals (JSON Schema's
    /// `integer` includes it; the server reads it so, the WASM bundle, which only reads
    /// carts it wrote, does not carry the extra code).
    #[cfg_attr(feature = "server", serde(deserialize_with = "integral"))]
    pub quantity: i64,
}
}

/// An `i64` from any JSON number without a fraction (`3`, `3.0`, `3e0`).
#[cfg(feature = "server")]
fn integral<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    struct Integral;
    impl serde::de::Visitor<'_> for Integral {
        type Value = i64;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an integer")
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::custom("integer out of range"))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<i64, E> {
            // 2^63 (exact as an f64): a float of that size or more does not fit.
            const LIMIT: f64 = 9_223_372_036_854_775_808_f64;
            if v.fract() == 0.0 && v.abs() < LIMIT {
                Ok(v as i64)
            } else {
                Err(E::invalid_type(serde::de::Unexpected::Float(v), &self))
            }
        }
    }
    deserializer.deserialize_any(Integral)
}

schema! {
/// Body of `POST /api/cart/quote`: `{"items": [{"product_id", "quantity"}]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteRequest {
    /// 1 to [`CART_MAX_LINES`] lines, each product at most once.
    pub items: Vec<CartItem>,
}
}

schema! {
/// A priced cart line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteLine {
    /// Product id (SKU).
    pub product_id: String,
    /// Display name.
    pub name: String,
    /// Site-relative URL of the product page.
    pub url: String,
    /// Catalog price of one unit, in cents.
    pub unit_price_cents: u64,
    /// Units.
    pub quantity: u32,
    /// `unit_price_cents × quantity`.
    pub line_total_cents: u64,
    /// Units in stock now (quotes only; absent from orders).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<u32>,
}
}

schema! {
/// The answer of `POST /api/cart/quote`: every line priced by the server, and the total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The lines in the order they were sent.
    pub lines: Vec<QuoteLine>,
    /// Units in all.
    pub item_count: u32,
    /// Sum of the line totals, in cents.
    pub total_cents: u64,
    /// ISO 4217 currency code of every line and of the total.
    pub currency: String,
}
}

schema! {
/// Body of `POST /api/checkout`, sent with an `Idempotency-Key` header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutRequest {
    /// Buyer's name, 1 to 100 characters.
    pub name: String,
    /// Buyer's email address (`local@domain`, at most 254 characters).
    pub email: String,
    /// Postal address, 1 to 500 characters.
    pub address: String,
    /// The cart, as in [`QuoteRequest`].
    pub items: Vec<CartItem>,
}
}

schema! {
/// A placed order: the answer of `POST /api/checkout` (201 when created, 200 when the
/// same `Idempotency-Key` is sent again).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// The order id.
    pub order_id: i64,
    /// The priced lines.
    pub lines: Vec<QuoteLine>,
    /// Sum of the line totals, in cents.
    pub total_cents: u64,
    /// ISO 4217 currency code.
    pub currency: String,
    /// When the order was placed (RFC 3339, UTC).
    pub created_at: String,
}
}

/// Longest contact name, in characters.
pub const CONTACT_NAME_MAX: usize = 100;
/// Longest email address, in characters (RFC 5321's path limit).
pub const EMAIL_MAX: usize = 254;
/// Longest contact message, in characters.
pub const CONTACT_MESSAGE_MAX: usize = 5000;
/// Largest accepted body of `POST /api/contact`, in bytes (16 KiB); more is a 413.
pub const CONTACT_MAX_BODY: usize = 16 * 1024;

schema! {
/// Body of `POST /api/contact` (JSON, or the same names form-urlencoded).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRequest {
    /// Sender's name, 1 to [`CONTACT_NAME_MAX`] characters.
    #[serde(default)]
    pub name: String,
    /// Sender's email address.
    #[serde(default)]
    pub email: String,
    /// The message, 1 to [`CONTACT_MESSAGE_MAX`] characters.
    #[serde(default)]
    pub message: String,
    /// Honeypot: hidden from people, filled by bots. A request with a value here is
    /// answered like a success and dropped.
    #[serde(default)]
    pub website: String,
}
}

schema! {
/// The answer of an accepted `POST /api/contact` (202): the message is stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactReceipt {
    /// Always `true`.
    pub received: bool,
}
}

/// A problem with one field of a form, for the page and the island to show inline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// Field name (`name`, `email`, `message`).
    pub field: String,
    /// What is wrong, for a human.
    pub error: String,
}

/// Whether `email` looks like `local@domain.tld`: one `@`, a non-empty local part,
/// a dotted domain without spaces, at most [`EMAIL_MAX`] characters. (Deliverability
/// cannot be checked without sending.)
pub fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.chars().count() <= EMAIL_MAX
        && !local.is_empty()
        && !domain.contains('@')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
        && domain.contains('.')
}

/// Checks a contact message: the first problem of each field, in the order name, email,
/// message. The same rules run in the island (before sending) and on the server.
pub fn validate_contact(request: &ContactRequest) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let fields = [
        ("name", "Name", request.name.trim(), CONTACT_NAME_MAX),
        ("email", "Email", request.email.trim(), EMAIL_MAX),
        (
            "message",
            "Message",
            request.message.trim(),
            CONTACT_MESSAGE_MAX,
        ),
    ];
    for (field, what, value, max) in fields {
        let error = if value.is_empty() {
            format!("{what} is required")
        } else if value.chars().count() > max {
            format!("{what} must be at most {max} characters")
        } else if field == "email" && !is_valid_email(value) {
            "Email must look like name@example.com".to_owned()
        } else {
            continue;
        };
        errors.push(FieldError {
            field: field.to_owned(),
            error,
        });
    }
    errors
}

/// Decimal digits of the minor unit of an ISO 4217 currency (2 for most, 0 for the
/// zero-decimal currencies such as JPY).
pub fn minor_digits(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "UGX" | "XAF" | "XOF" | "PYG" | "RWF" => 0,
        _ => 2,
    }
}

/// An amount in minor units as a decimal string in major units: `1250` EUR → `"12.50"`,
/// `1200` JPY → `"1200"` (schema.org's `Offer.price` format).
pub fn decimal_price(cents: u64, currency: &str) -> String {
    match minor_digits(currency) {
        0 => cents.to_string(),
        _ => format!("{}.{:02}", cents / 100, cents % 100),
    }
}

/// "In stock (12)", "Out of stock": the stock line of product pages and the buy box.
pub fn stock_label(stock: u32) -> String {
    if stock == 0 {
        "Out of stock".to_owned()
    } else {
        format!("In stock ({stock})")
    }
}

/// An amount for display: `"18.00 EUR"`, as on the pre-rendered product pages.
pub fn format_price(cents: u64, currency: &str) -> String {
    format!("{} {currency}", decimal_price(cents, currency))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_omits_absent_field() {
        let json = serde_json::to_string(&ApiError::message("nope")).unwrap();
        assert_eq!(json, r#"{"error":"nope"}"#);
        let json = serde_json::to_string(&ApiError::field("q", "empty")).unwrap();
        assert_eq!(json, r#"{"error":"empty","field":"q"}"#);
    }

    #[test]
    fn email_rules() {
        for ok in ["a@b.co", "first.last+tag@example.org", "x@sub.domain.io"] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@", "@b.co", "a@b", "a b@c.de", "a@b..c", "a@@b.co", "a@-b.co",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn contact_validation_names_fields_in_order() {
        let errors = validate_contact(&ContactRequest {
            name: " ".into(),
            email: "nope".into(),
            message: "x".repeat(CONTACT_MESSAGE_MAX + 1),
            website: String::new(),
        });
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "message"]);
        assert!(errors[2].error.contains("5000"));
        let ok = ContactRequest {
            name: "Ada".into(),
            email: "ada@example.org".into(),
            message: "Hello".into(),
            website: String::new(),
        };
        assert!(validate_contact(&ok).is_empty());
    }

    #[test]
    fn prices() {
        assert_eq!(format_price(1800, "EUR"), "18.00 EUR");
        assert_eq!(format_price(5, "USD"), "0.05 USD");
        assert_eq!(format_price(1200, "JPY"), "1200 JPY");
    }
}

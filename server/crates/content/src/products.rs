//! Products: one JSON object per file in `content/products/`.
//!
//! ```json
//! {"id": "atoll-mug", "name": "Atoll Mug", "slug": "atoll-mug", "price_cents": 1800,
//!  "currency": "EUR", "stock": 25, "description": "Markdown.", "images": ["/images/mug.svg"]}
//! ```
//! `slug` defaults to the file name; `description` and `images` may be omitted.

use std::path::Path;

use app::Product;
use serde::Deserialize;

use super::error::{without_position, ContentError, ContentWarning};
use crate::markdown;
use crate::names::{is_valid_slug, slug_of};

/// Largest `price_cents` of a product: 10^13 minor units (100 billion in major units),
/// so that a cart of 100 lines × 999 units cannot overflow an `i64` total.
pub const MAX_PRICE_CENTS: u64 = 10_000_000_000_000;

#[derive(Deserialize)]
struct ProductFile {
    id: Id,
    name: String,
    slug: Option<String>,
    price_cents: u64,
    currency: Option<String>,
    stock: u32,
    #[serde(default)]
    description: String,
    #[serde(default)]
    images: Vec<String>,
}

/// A product id: a string (`"atoll-mug"`) or a non-negative integer (`42`).
#[derive(Deserialize)]
#[serde(untagged)]
enum Id {
    Text(String),
    Number(u64),
}

/// Parses one product file; `source` is its path relative to the content folder;
/// `currency` applies when the file has none (`currency` of `site.toml`).
pub(super) fn parse(
    path: &Path,
    text: &str,
    source: String,
    currency: &str,
) -> Result<(Product, Vec<ContentWarning>), ContentError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut unknown = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let file: ProductFile =
        serde_ignored::deserialize(&mut deserializer, |key| unknown.push(key.to_string()))
            .and_then(|file| deserializer.end().map(|()| file))
            .map_err(|err| ContentError::Product {
                path: path.to_owned(),
                line: err.line(),
                column: err.column(),
                message: without_position(err.to_string()),
            })?;
    let invalid = |field: &'static str, message: String| ContentError::InvalidField {
        path: path.to_owned(),
        field,
        message,
    };
    let id = match file.id {
        Id::Text(id) => id,
        Id::Number(id) => id.to_string(),
    };
    if !is_valid_slug(&id) {
        return Err(invalid(
            "id",
            format!("`{id}`: use lowercase letters, digits and dashes"),
        ));
    }
    let currency = file.currency.unwrap_or_else(|| currency.to_owned());
    if file.name.trim().is_empty() {
        return Err(invalid("name", "must not be empty".to_owned()));
    }
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(invalid(
            "currency",
            format!("`{currency}` is not an ISO 4217 code such as EUR or USD"),
        ));
    }
    // A bound that keeps every cart total (100 lines × 999 units) within SQLite's i64.
    if file.price_cents > MAX_PRICE_CENTS {
        return Err(invalid(
            "price_cents",
            format!(
                "{} is above the largest accepted price, {MAX_PRICE_CENTS}",
                file.price_cents
            ),
        ));
    }
    let slug = slug_of(path, file.slug)?;
    let rendered = markdown::render(&file.description, false);
    let warnings = unknown
        .into_iter()
        .map(|key| {
            let top = key.split('.').next().unwrap_or(&key).to_owned();
            let line = text
                .lines()
                .position(|line| line.contains(&format!("\"{top}\"")))
                .map_or(1, |i| i + 1);
            ContentWarning {
                path: path.to_owned(),
                line,
                message: format!("unknown product key `{key}` (ignored)"),
            }
        })
        .collect();
    let product = Product {
        id,
        name: file.name.trim().to_owned(),
        slug,
        price_cents: file.price_cents,
        currency,
        stock: file.stock,
        html: rendered.html,
        text: rendered.text.trim().to_owned(),
        images: file.images,
        source,
    };
    Ok((product, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_prices_are_refused() {
        let err =
            parse_str(r#"{"id": "m", "name": "M", "price_cents": 10000000000001, "stock": 1}"#)
                .unwrap_err();
        assert!(err.to_string().contains("price_cents"), "{err}");
    }

    fn parse_str(text: &str) -> Result<(Product, Vec<ContentWarning>), ContentError> {
        parse(
            Path::new("products/mug.json"),
            text,
            "products/mug.json".into(),
            "EUR",
        )
    }

    #[test]
    fn parses_a_product_and_warns_on_unknown_keys() {
        let (product, warnings) = parse_str(
            "{\n  \"id\": \"mug\",\n  \"name\": \"Mug\",\n  \"price_cents\": 1800,\n  \"currency\": \"EUR\",\n  \"stock\": 3,\n  \"colour\": \"blue\",\n  \"description\": \"A *mug*.\"\n}",
        )
        .unwrap();
        assert_eq!(product.slug, "mug");
        assert_eq!(product.html, "<p>A <em>mug</em>.</p>\n");
        assert_eq!(product.text, "A mug.");
        assert_eq!(warnings.len(), 1);
        assert_eq!(
            warnings[0].to_string(),
            "products/mug.json:7: unknown product key `colour` (ignored)"
        );
    }

    #[test]
    fn numeric_ids_and_the_default_currency() {
        let (product, _) =
            parse_str(r#"{"id": 7, "name": "N", "price_cents": 5, "stock": 0}"#).unwrap();
        assert_eq!(product.id, "7");
        assert_eq!(product.currency, "EUR");
    }

    #[test]
    fn wrong_types_name_line_and_column() {
        let err = parse_str("{\"id\": \"m\", \"name\": \"M\",\n\"price_cents\": -5, \"currency\": \"EUR\", \"stock\": 1}")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("products/mug.json:2:"), "{err}");
        assert!(
            err.contains("invalid product: invalid value: integer `-5`"),
            "{err}"
        );
        let err = parse_str("{\"id\": \"m\", \"name\": \"M\", \"price_cents\": 5, \"currency\": \"euro\", \"stock\": 1}")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("invalid `currency`: `euro` is not an ISO 4217 code"),
            "{err}"
        );
        let err = parse_str("{\"id\": \"m\"}").unwrap_err().to_string();
        assert!(err.contains("missing field `name`"), "{err}");
    }
}

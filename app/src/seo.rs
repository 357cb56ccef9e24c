//! schema.org structured data (JSON-LD) for the pages, following Google's documented
//! types: `WebSite`, `BlogPosting`, `Product` with `Offer`, `BreadcrumbList`
//! (<https://developers.google.com/search/docs/appearance/structured-data>).

use serde_json::{json, Value};

use crate::model::{Post, Product, Site};

/// `WebSite` for the home page.
pub fn website(site: &Site) -> Value {
    let config = &site.config;
    json!({
        "@type": "WebSite",
        "name": config.title,
        "description": config.description,
        "url": config.absolute_url("/"),
        "inLanguage": config.language,
    })
}

/// `BlogPosting` for a post page.
pub fn blog_posting(site: &Site, post: &Post) -> Value {
    let config = &site.config;
    let url = config.absolute_url(&post.url());
    let mut value = json!({
        "@type": "BlogPosting",
        "headline": post.title,
        "description": post.summary,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": config.language,
        "keywords": post.tags,
    });
    if let Some(date) = post.date {
        value["datePublished"] = json!(date.to_rfc3339());
    }
    if let Some(date) = post.last_modified() {
        value["dateModified"] = json!(date.to_rfc3339());
    }
    // The post's own authors (front matter), else the site's.
    if !post.authors.is_empty() {
        let people: Vec<Value> = post
            .authors
            .iter()
            .map(|name| {
                let mut person = json!({ "@type": "Person", "name": name });
                // With an `authors` taxonomy, the author's page.
                if config.has_taxonomy("authors") {
                    let url = format!("/authors/{}/", crate::model::tag_slug(name));
                    person["url"] = json!(config.absolute_url(&url));
                }
                person
            })
            .collect();
        value["author"] = json!(people);
    } else if let Some(author) = &config.author {
        value["author"] = json!({ "@type": "Person", "name": author });
    }
    value
}

/// `Product` with one `Offer` (price in major units, ISO 4217 currency, stock as
/// `InStock`/`OutOfStock`).
pub fn product(site: &Site, product: &Product) -> Value {
    let config = &site.config;
    let url = config.absolute_url(&product.url());
    let availability = if product.stock > 0 {
        "https://schema.org/InStock"
    } else {
        "https://schema.org/OutOfStock"
    };
    let images: Vec<String> = product
        .images
        .iter()
        .map(|image| config.absolute_url(&site.asset(image)))
        .collect();
    json!({
        "@type": "Product",
        "name": product.name,
        "sku": product.id,
        "description": product.text,
        "image": images,
        "url": url,
        "offers": {
            "@type": "Offer",
            "price": product.price_decimal(),
            "priceCurrency": product.currency,
            "availability": availability,
            "url": url,
        },
    })
}

/// `BreadcrumbList` of `(name, site-relative path)` pairs, outermost first.
pub fn breadcrumbs(site: &Site, trail: &[(String, String)]) -> Value {
    let items: Vec<Value> = trail
        .iter()
        .enumerate()
        .map(|(i, (name, path))| {
            json!({
                "@type": "ListItem",
                "position": i + 1,
                "name": name,
                "item": site.config.absolute_url(path),
            })
        })
        .collect();
    json!({ "@type": "BreadcrumbList", "itemListElement": items })
}

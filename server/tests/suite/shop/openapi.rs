//! The OpenAPI document against the routes the router really has.

use super::*;

#[tokio::test]
async fn openapi_document_matches_the_routes() {
    let dir = TempDir::new().unwrap();
    let (app, _) = app_with(dir.path(), 100);
    let answer = get(&app, "/api/openapi.json").await;
    assert_eq!(answer.status, StatusCode::OK);
    let doc: Value = answer.json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let mut documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| ["get", "post", "put", "patch", "delete"].contains(&k.as_str()))
                .map(move |method| (path.clone(), method.clone()))
        })
        .collect();
    documented.sort();
    let expected = [
        (atoll_api::QUOTE_PATH, "post"),
        (atoll_api::CHECKOUT_PATH, "post"),
        (atoll_api::CONTACT_PATH, "post"),
        ("/api/openapi.json", "get"),
        ("/api/revalidate", "post"),
        ("/api/preview", "get"),
        ("/api/preview/exit", "get"),
        ("/api/content/posts", "get"),
        ("/api/content/posts/{slug}", "get"),
        ("/api/content/products", "get"),
        (atoll_api::PRODUCT_PATH, "get"),
        (atoll_api::SEARCH_PATH, "get"),
        ("/status/ready", "get"),
        ("/api/webhooks/{kind}", "post"),
    ];
    let mut expected: Vec<(String, String)> = expected
        .iter()
        .map(|(p, m)| ((*p).to_owned(), (*m).to_owned()))
        .collect();
    expected.sort();
    assert_eq!(documented, expected);

    // Every documented operation is routed (neither the API's 404 nor a 405), and every
    // other method on its path is a 405: the document and the router agree.
    for (path, method) in &documented {
        let uri = path
            .replace("{id}", "atoll-mug")
            .replace("{slug}", "atomic-exports")
            .replace("{kind}", "strapi");
        let method: Method = method.to_uppercase().parse().unwrap();
        let answer = send(
            &app,
            Request::builder()
                .method(method.clone())
                .uri(&uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
        // A CMS webhook of a CMS this server does not read is the API's 404 naming
        // `kind` (routed), not the router's.
        let cms_not_configured = path == "/api/webhooks/{kind}"
            && answer.status == StatusCode::NOT_FOUND
            && answer.error().field.as_deref() == Some("kind");
        assert!(
            cms_not_configured
                || (answer.status != StatusCode::NOT_FOUND
                    && answer.status != StatusCode::METHOD_NOT_ALLOWED),
            "{method} {uri}: {}",
            answer.status
        );
        let other = if method == Method::GET {
            Method::DELETE
        } else {
            Method::GET
        };
        let answer = send(
            &app,
            Request::builder()
                .method(other)
                .uri(&uri)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{uri}");
        assert!(answer.headers.contains_key(header::ALLOW), "{uri}");
        answer.error();
    }
    // The parameters are where the server reads them, with its bounds.
    let param = |path: &str, name: &str| -> Value {
        let method = if doc["paths"][path]["get"].is_object() {
            "get"
        } else {
            "post"
        };
        doc["paths"][path][method]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{path}: no parameter {name}"))
            .clone()
    };
    for path in ["/api/content/posts", "/api/content/products"] {
        for name in ["page", "drafts"] {
            assert_eq!(param(path, name)["in"], "query", "{path} {name}");
            assert_ne!(param(path, name)["required"], true, "{path} {name}");
        }
    }
    let limit = param(atoll_api::SEARCH_PATH, "limit");
    assert_eq!(limit["schema"]["minimum"], 1);
    assert_eq!(limit["schema"]["maximum"], atoll_api::SEARCH_MAX_LIMIT);
    assert_eq!(
        param(atoll_api::SEARCH_PATH, "q")["schema"]["maxLength"],
        atoll_api::SEARCH_MAX_QUERY_CHARS
    );
    for path in [atoll_api::CHECKOUT_PATH, atoll_api::CONTACT_PATH] {
        let key = param(path, "Idempotency-Key");
        assert_eq!(key["schema"]["pattern"], "^[!-~]+$", "{path}");
        assert_eq!(key["schema"]["maxLength"], 255, "{path}");
    }
    let quantity = &doc["components"]["schemas"]["CartItem"]["properties"]["quantity"];
    assert_eq!(quantity["maximum"], atoll_api::CART_MAX_QUANTITY);
    let contact = &doc["paths"][atoll_api::CONTACT_PATH]["post"]["responses"]["422"];
    assert!(
        contact["content"]["text/html"].is_object(),
        "the form's 422 page"
    );
    // The documented example checkout succeeds as it is.
    let example = &doc["paths"][atoll_api::CHECKOUT_PATH]["post"]["requestBody"]["content"]
        ["application/json"]["example"];
    let placed = post_json(&app, atoll_api::CHECKOUT_PATH, example, Some("doc-example")).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.text());

    // Every `$ref` resolves to a schema of the document.
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for part in text.split("\"#/components/schemas/").skip(1) {
        let name = &part[..part.find('"').unwrap()];
        assert!(schemas.contains_key(name), "dangling $ref {name}");
    }
    for name in [
        "ProductStatus",
        "Quote",
        "Order",
        "ContactRequest",
        "ApiError",
        "SearchResponse",
    ] {
        assert!(schemas.contains_key(name), "{name} missing");
    }
}

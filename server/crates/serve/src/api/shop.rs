//! The storefront endpoints: live product status, cart quotes and checkout.
//!
//! Prices always come from the catalog (`content/products/*.json`); stock from the
//! database, where checkouts decrement it. A price sent by a client is ignored.

use std::collections::HashSet;
use std::sync::Arc;

use atoll_api::{
    is_valid_email, ApiError, CartItem, CheckoutRequest, Order, ProductStatus, Quote, QuoteLine,
    QuoteRequest, CART_MAX_LINES, CART_MAX_QUANTITY, EMAIL_MAX,
};
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sha2::{Digest, Sha256};

use super::{check_limit, client_of, parse_json, ApiFailure};
use crate::state::AppState;
use crate::store::{CheckoutError, NewOrder, Store};

/// Largest body of the cart and checkout endpoints, in bytes (64 KiB: a full cart of
/// [`CART_MAX_LINES`] lines is far below).
pub const CART_MAX_BODY: usize = 64 * 1024;

/// Longest accepted `Idempotency-Key`, in bytes.
pub const IDEMPOTENCY_KEY_MAX: usize = 255;

/// Header telling a client that the answer replays an earlier request (Stripe's name).
pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";

/// Bytes of an oversized body read and thrown away before its 413 is sent: without
/// it the server would close the connection while the client is still sending, and an
/// ordinary client sees a broken pipe instead of the answer (8 MiB).
pub const DRAIN_MAX: u64 = 8 * 1024 * 1024;
/// Time spent at most draining an oversized body (seconds: 5).
pub const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(5);

/// Reads a request body of at most `limit` bytes; more is a 413.
///
/// The 413 reaches the client: the rest of an oversized body (declared by
/// `Content-Length` or found while reading) is read and dropped, up to [`DRAIN_MAX`]
/// bytes and [`DRAIN_TIME`]; past either bound the answer says `Connection: close`.
pub(crate) async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Bytes, ApiFailure> {
    use futures_util::StreamExt as _;
    let too_large = |drained: bool| {
        let failure = ApiFailure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            format!("the body must be at most {limit} bytes"),
        );
        if drained {
            failure
        } else {
            failure.with_header(header::CONNECTION, HeaderValue::from_static("close"))
        }
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let mut stream = body.into_data_stream();
    if declared.is_some_and(|n| n > limit as u64) {
        let drained = declared.is_some_and(|n| n <= DRAIN_MAX) && drain(&mut stream).await;
        return Err(too_large(drained));
    }
    let mut bytes = Vec::with_capacity(declared.map_or(0, |n| n as usize));
    while let Some(chunk) = stream.next().await {
        let chunk = chunk
            .map_err(|_| ApiFailure::bad_request("body", "the request body could not be read"))?;
        if bytes.len() + chunk.len() > limit {
            let drained = drain(&mut stream).await;
            return Err(too_large(drained));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(bytes))
}

/// Reads and drops the rest of `stream`: `true` when it ended within [`DRAIN_MAX`]
/// bytes and [`DRAIN_TIME`].
async fn drain(stream: &mut axum::body::BodyDataStream) -> bool {
    use futures_util::StreamExt as _;
    let all = async {
        let mut read = 0u64;
        while let Some(chunk) = stream.next().await {
            let Ok(chunk) = chunk else { return false };
            read += chunk.len() as u64;
            if read > DRAIN_MAX {
                return false;
            }
        }
        true
    };
    tokio::time::timeout(DRAIN_TIME, all).await.unwrap_or(false)
}

/// The database, or a 503 when the server runs without one.
pub(crate) fn store(state: &AppState) -> Result<Arc<Store>, ApiFailure> {
    state.services().store.clone().ok_or_else(|| {
        ApiFailure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            "this server has no database; start it with `atoll serve --db FILE`",
        )
    })
}

/// Runs a database call off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiFailure> {
    Ok(tokio::task::spawn_blocking(work).await?)
}

/// `GET /api/products/{id}` → [`ProductStatus`]: the catalog's price with the live
/// stock. `Cache-Control: no-store`, since stock changes with every order.
#[utoipa::path(
    get,
    path = "/api/products/{id}",
    tag = "shop",
    params(("id" = String, Path, description = "Product id (SKU) of the catalog")),
    responses(
        (status = 200, description = "Live price and stock", body = ProductStatus),
        (status = 404, description = "No product with this id", body = ApiError),
        (status = 405, description = "Not GET or HEAD", body = ApiError),
        (status = 503, description = "The server runs without a database, or cannot reach it (retry after `Retry-After` seconds)", body = ApiError)
    )
)]
pub async fn product_get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiFailure> {
    let product = state.product(&id).ok_or_else(|| {
        ApiFailure::new(
            StatusCode::NOT_FOUND,
            Some("id"),
            format!("no product with id `{id}`"),
        )
    })?;
    let store = store(&state)?;
    let key = product.id.clone();
    let inventory = blocking(move || store.inventory(&key)).await??;
    let (stock, updated_at) = match inventory {
        Some(inventory) => (inventory.stock, inventory.updated_at),
        // Not seeded (the catalog changed after start): the catalog's values.
        None => (product.stock, String::new()),
    };
    let body = ProductStatus {
        id: product.id.clone(),
        name: product.name.clone(),
        price_cents: product.price_cents,
        currency: product.currency.clone(),
        stock,
        updated_at,
    };
    Ok((
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(body),
    )
        .into_response())
}

/// Prices `items` from the catalog; stock is checked by the caller (the quote against
/// the live stock, the checkout in its transaction).
///
/// # Errors
/// 422 naming `items` (empty, too many lines, mixed currencies) or the line
/// (`items[2].product_id`: unknown or repeated; `items[2].quantity`: below 1 or above
/// [`CART_MAX_QUANTITY`]).
fn price(state: &AppState, items: &[CartItem]) -> Result<(Vec<QuoteLine>, String), ApiFailure> {
    if items.is_empty() {
        return Err(ApiFailure::unprocessable("items", "the cart is empty"));
    }
    if items.len() > CART_MAX_LINES {
        return Err(ApiFailure::unprocessable(
            "items",
            format!("a cart has at most {CART_MAX_LINES} lines"),
        ));
    }
    // One version of the catalog prices the whole cart.
    let snapshot = state.snapshot();
    let mut seen = HashSet::new();
    let mut lines = Vec::with_capacity(items.len());
    let mut currency: Option<String> = None;
    for (i, item) in items.iter().enumerate() {
        let product = snapshot.product(&item.product_id).ok_or_else(|| {
            ApiFailure::unprocessable(
                &format!("items[{i}].product_id"),
                format!("unknown product `{}`", item.product_id),
            )
        })?;
        if !seen.insert(product.id.as_str()) {
            return Err(ApiFailure::unprocessable(
                &format!("items[{i}].product_id"),
                format!(
                    "`{}` appears on two lines; send one line per product",
                    product.id
                ),
            ));
        }
        let field = format!("items[{i}].quantity");
        if item.quantity < 1 {
            return Err(ApiFailure::unprocessable(
                &field,
                format!("quantity of `{}` must be at least 1", product.id),
            ));
        }
        if item.quantity > CART_MAX_QUANTITY {
            return Err(ApiFailure::unprocessable(
                &field,
                format!(
                    "quantity of `{}` must be at most {CART_MAX_QUANTITY}",
                    product.id
                ),
            ));
        }
        let quantity = item.quantity as u32;
        match &currency {
            None => currency = Some(product.currency.clone()),
            Some(c) if *c != product.currency => {
                return Err(ApiFailure::unprocessable(
                    "items",
                    "the products of one cart must share a currency",
                ))
            }
            Some(_) => {}
        }
        lines.push(QuoteLine {
            product_id: product.id.clone(),
            name: product.name.clone(),
            url: product.url(),
            unit_price_cents: product.price_cents,
            quantity,
            line_total_cents: product.price_cents * u64::from(quantity),
            stock: None,
        });
    }
    Ok((lines, currency.unwrap_or_default()))
}

/// `POST /api/cart/quote` with `{"items": [{"product_id", "quantity"}]}` → [`Quote`]:
/// every line priced from the catalog, checked against the live stock, and the total.
#[utoipa::path(
    post,
    path = "/api/cart/quote",
    tag = "shop",
    request_body = QuoteRequest,
    responses(
        (status = 200, description = "The priced cart", body = Quote),
        (status = 400, description = "Malformed JSON; `field` names the bad key", body = ApiError),
        (status = 405, description = "Not POST", body = ApiError),
        (status = 413, description = "Body over 64 KiB", body = ApiError),
        (status = 415, description = "Body not declared as JSON", body = ApiError),
        (status = 422, description = "Empty cart, unknown product, quantity below 1 or above the stock; `field` names the line (`items[1].quantity`)", body = ApiError),
        (status = 503, description = "The server runs without a database, or cannot reach it (retry after `Retry-After` seconds)", body = ApiError)
    )
)]
pub async fn quote_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Quote>, ApiFailure> {
    let body = read_body(&headers, body, CART_MAX_BODY).await?;
    let request: QuoteRequest = parse_json(&headers, &body)?;
    // Every check that needs no database first (line count, products, quantities).
    let (mut lines, currency) = price(&state, &request.items)?;
    let store = store(&state)?;
    let ids: Vec<String> = lines.iter().map(|l| l.product_id.clone()).collect();
    let live = blocking(move || {
        ids.iter()
            .map(|id| Ok(store.inventory(id)?.map(|i| i.stock)))
            .collect::<Result<Vec<Option<u32>>, crate::store::StoreError>>()
    })
    .await??;
    for (i, (line, live)) in lines.iter_mut().zip(live).enumerate() {
        // A product the database does not know yet has its catalog stock.
        let available = live
            .or_else(|| state.product(&line.product_id).map(|p| p.stock))
            .unwrap_or(0);
        if line.quantity > available {
            return Err(ApiFailure::unprocessable(
                &format!("items[{i}].quantity"),
                match available {
                    0 => format!("`{}` is out of stock", line.name),
                    n => format!("only {n} of `{}` in stock", line.name),
                },
            ));
        }
        line.stock = Some(available);
    }
    Ok(Json(Quote {
        item_count: lines.iter().map(|l| l.quantity).sum(),
        total_cents: lines.iter().map(|l| l.line_total_cents).sum(),
        lines,
        currency,
    }))
}

/// The `Idempotency-Key` header (draft-ietf-httpapi-idempotency-key-header), if sent.
///
/// # Errors
/// 400 naming `Idempotency-Key` when it is not 1 to [`IDEMPOTENCY_KEY_MAX`] visible
/// ASCII characters (`!` to `~`).
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiFailure> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .filter(|k| {
            !k.is_empty() && k.len() <= IDEMPOTENCY_KEY_MAX && k.bytes().all(|b| b.is_ascii_graphic())
        })
        .map(|k| Some(k.to_owned()))
        .ok_or_else(|| {
            ApiFailure::bad_request(
                "Idempotency-Key",
                format!("the Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX} visible ASCII characters"),
            )
        })
}

/// The `Idempotent-Replayed: true` header of a replayed answer.
pub(crate) fn replayed_header() -> [(HeaderName, HeaderValue); 1] {
    [(
        HeaderName::from_static(IDEMPOTENT_REPLAYED),
        HeaderValue::from_static("true"),
    )]
}

/// Checks a text field: trimmed, 1 to `max` characters.
fn required(field: &str, value: &str, max: usize) -> Result<String, ApiFailure> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ApiFailure::unprocessable(
            field,
            format!("`{field}` is required"),
        ));
    }
    if value.chars().count() > max {
        return Err(ApiFailure::unprocessable(
            field,
            format!("`{field}` must be at most {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// `POST /api/checkout` with an `Idempotency-Key` header and a [`CheckoutRequest`] →
/// the [`Order`] (201). The order, its lines and the stock decrement are one
/// transaction. Sending the same key and body again answers the same order (200,
/// `Idempotent-Replayed: true`) and writes nothing; the same key with another body is
/// a 422 (draft-ietf-httpapi-idempotency-key-header).
#[utoipa::path(
    post,
    path = "/api/checkout",
    tag = "shop",
    request_body = CheckoutRequest,
    params(("Idempotency-Key" = String, Header, description = "A unique key per order attempt (1 to 255 visible ASCII characters); retries send the same key")),
    responses(
        (status = 201, description = "Order placed", body = Order),
        (status = 200, description = "The order placed earlier with this key", body = Order),
        (status = 400, description = "Missing or bad `Idempotency-Key`, malformed JSON", body = ApiError),
        (status = 405, description = "Not POST", body = ApiError),
        (status = 409, description = "A line asks for more than is in stock; `field` names it", body = ApiError),
        (status = 413, description = "Body over 64 KiB", body = ApiError),
        (status = 415, description = "Body not declared as JSON", body = ApiError),
        (status = 422, description = "Invalid name, email, address or line, or the key was used with another request", body = ApiError),
        (status = 429, description = "Too many checkout attempts from this address; retry after `Retry-After` seconds", body = ApiError),
        (status = 503, description = "The server runs without a database, or the database is full or unreachable (nothing was written; retry after `Retry-After` seconds)", body = ApiError)
    )
)]
pub async fn checkout_post(
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> Result<Response, ApiFailure> {
    let (parts, body) = request.into_parts();
    let headers = parts.headers.clone();
    check_limit(
        state.checkout_limiter(),
        client_of(&state, &parts),
        "checkout attempts",
    )?;
    let key = idempotency_key(&headers)?.ok_or_else(|| {
        ApiFailure::bad_request("Idempotency-Key", "the Idempotency-Key header is required")
    })?;
    let body = read_body(&headers, body, CART_MAX_BODY).await?;
    let request: CheckoutRequest = parse_json(&headers, &body)?;
    let name = required("name", &request.name, 100)?;
    let email = required("email", &request.email, EMAIL_MAX)?;
    if !is_valid_email(&email) {
        return Err(ApiFailure::unprocessable(
            "email",
            "`email` must look like name@example.com",
        ));
    }
    let address = required("address", &request.address, 500)?;
    let (lines, currency) = price(&state, &request.items)?;
    // The request as parsed (not the raw bytes): a retry that re-serialises the same
    // order with other whitespace or key order is the same request.
    let canonical = serde_json::to_vec(&CheckoutRequest {
        name: name.clone(),
        email: email.clone(),
        address: address.clone(),
        items: request.items.clone(),
    })?;
    let hash = format!("{:x}", Sha256::digest(&canonical));
    let store = store(&state)?;
    let placed = blocking(move || {
        store.place_order(&NewOrder {
            idempotency_key: &key,
            request_hash: &hash,
            name: &name,
            email: &email,
            address: &address,
            lines: &lines,
            currency: &currency,
        })
    })
    .await?;
    match placed {
        Ok(placed) if placed.replayed => {
            Ok((StatusCode::OK, replayed_header(), Json(placed.order)).into_response())
        }
        Ok(placed) => Ok((StatusCode::CREATED, Json(placed.order)).into_response()),
        Err(CheckoutError::KeyReused) => Err(ApiFailure::unprocessable(
            "Idempotency-Key",
            "this Idempotency-Key was already used for a different request",
        )),
        Err(CheckoutError::OutOfStock {
            line,
            product_id,
            available,
        }) => {
            let name = state
                .product(&product_id)
                .map_or(product_id.clone(), |p| p.name.clone());
            Err(ApiFailure::new(
                StatusCode::CONFLICT,
                Some(&format!("items[{line}].quantity")),
                match available {
                    0 => format!("`{name}` is out of stock"),
                    n => format!("only {n} of `{name}` left in stock"),
                },
            ))
        }
        Err(CheckoutError::Store(error)) => Err(ApiFailure::store(&error)),
    }
}

/// Any other method on a GET endpoint.
pub async fn get_only() -> ApiFailure {
    ApiFailure::method_not_allowed("GET, HEAD")
}

/// Any other method on a POST endpoint.
pub async fn post_only() -> ApiFailure {
    ApiFailure::method_not_allowed("POST")
}

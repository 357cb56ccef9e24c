// End-to-end tests of the shop and the contact form in real headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core) against a real `atoll serve` on
// 127.0.0.1 with a free port and its own SQLite database in a temporary folder. What
// the browser shows is checked against the rows the server stored (read with Python's
// sqlite3 while the server runs; the database is in WAL mode).
//
// The contact rate limit is 5 messages per client and minute: this file posts 4.
//
//   ATOLL_BIN   the atoll binary (default: target/debug/atoll)
//   CHROMIUM    the browser (default: /usr/bin/chromium)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser, startAtoll, stop } from "./harness.mjs";

let work;
let db;
let server;
let base;
let browser;

/** Rows of a read-only SQL query on the server's database, as plain objects. */
function sql(query, ...params) {
  const script = [
    "import json, sqlite3, sys",
    "con = sqlite3.connect(sys.argv[1], timeout=5)",
    "con.row_factory = sqlite3.Row",
    "rows = con.execute(sys.argv[2], json.loads(sys.argv[3])).fetchall()",
    "print(json.dumps([dict(r) for r in rows]))",
  ].join("\n");
  const out = execFileSync("python3", ["-c", script, db, query, JSON.stringify(params)],
    { encoding: "utf8", timeout: 10_000 });
  return JSON.parse(out);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), "atoll-shop-"));
  db = join(work, "atoll.db");
  ({ server, base } = await startAtoll(["--db", db]));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stop(server);
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A new page of `context` recording every request ("METHOD url") and every console error. */
async function openPage(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const requests = [];
  const errors = [];
  page.on("request", (request) => requests.push(`${request.method()} ${request.url()}`));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return { page, requests, errors };
}

/** Waits until the loader reports every island of the page hydrated. */
async function hydrated(page) {
  await page.waitForFunction(() => document.documentElement.dataset.islands === "hydrated",
    null, { timeout: 15_000 });
}

/** Waits until the header's cart count shows `n` (data attribute and text). */
async function cartCount(page, n) {
  const count = page.locator("header .cart-count");
  await count.and(page.locator(`[data-count="${n}"]`)).waitFor({ timeout: 5_000 });
  assert.equal((await count.innerText()).replace(/\s+/g, " ").trim(), `${n} items`);
}

/** The cart in `localStorage`, parsed. */
async function storedCart(page) {
  return JSON.parse(await page.evaluate(() => localStorage.getItem("atoll.cart")) ?? "null");
}

/** Sets the quantity field of a product page and clicks "Add to cart". */
async function addToCart(page, quantity, name) {
  const box = page.locator(".add-to-cart");
  await box.locator('input[name="quantity"]').fill(String(quantity));
  await box.getByRole("button", { name: "Add to cart" }).click();
  await box.locator(".add-to-cart-status")
    .filter({ hasText: `Added ${quantity} × ${name} to the cart.` }).waitFor({ timeout: 5_000 });
}

test("buy flow: add from two product pages, reprice in the cart, place the order", async () => {
  const context = await browser.newContext();
  const { page, requests, errors } = await openPage(context);
  const live = await page.request.get(`${base}/api/products/atoll-mug`);
  assert.equal(live.status(), 200);
  const stockBefore = (await live.json()).stock;
  assert.equal(typeof stockBefore, "number");

  await page.goto(`${base}/products/atoll-mug/`);
  await hydrated(page);
  assert.equal(await page.locator('leptos-island[data-hydrated="true"]').count(), 3,
    "CartIcon, BuyBox and AddToCart hydrated");
  // From the storefront's own bundle, not the one of every island.
  const code = requests.filter((r) => /\/pkg\/.*\.(js|wasm)$/.test(r));
  assert.ok(code.includes(`GET ${base}/pkg/islands-product_bg.wasm`), code.join("\n"));
  assert.ok(!code.some((r) => /\/pkg\/islands(_bg\.wasm|\.js)$/.test(r)), code.join("\n"));
  await page.locator('.buy-box[data-live="true"]').waitFor({ timeout: 5_000 });
  assert.equal(await page.locator(".buy-box .price").innerText(), "18.00 EUR");
  assert.equal(await page.locator(".buy-box .stock").innerText(), `In stock (${stockBefore})`);
  await cartCount(page, 0);
  await addToCart(page, 2, "Atoll Mug");
  await cartCount(page, 2);
  assert.deepEqual(await storedCart(page), [{ product_id: "atoll-mug", quantity: 2 }]);

  await page.goto(`${base}/products/atoll-notebook/`);
  await hydrated(page);
  await cartCount(page, 2);
  await addToCart(page, 1, "Atoll Notebook");
  await cartCount(page, 3);
  await page.reload();
  await hydrated(page);
  await cartCount(page, 3);

  await page.goto(`${base}/cart/`);
  await hydrated(page);
  const cart = page.locator(".cart");
  await page.locator('.cart[data-state="priced"]').waitFor({ timeout: 5_000 });
  assert.equal(await page.locator(".cart-summary").innerText(), "Total: 50.00 EUR for 3 items");
  assert.deepEqual(
    await page.locator("tr.cart-line").evaluateAll((rows) => rows.map((r) => r.dataset.product)),
    ["atoll-mug", "atoll-notebook"],
  );
  assert.deepEqual(await page.locator("td.line-total").allInnerTexts(), ["36.00 EUR", "14.00 EUR"]);
  assert.ok(await page.locator("form.checkout").isVisible(), "checkout shown once priced");

  // A changed quantity (the field's change event) is saved and priced again by the server.
  const quote = page.waitForResponse((r) => r.url().endsWith("/api/cart/quote"));
  const mugQuantity = page.locator('tr.cart-line[data-product="atoll-mug"] input[type="number"]');
  await mugQuantity.fill("1");
  await mugQuantity.press("Tab");
  assert.equal((await quote).status(), 200);
  await page.locator(".cart-summary").filter({ hasText: "Total: 32.00 EUR for 2 items" })
    .waitFor({ timeout: 5_000 });
  await page.locator('.cart[data-state="priced"]').waitFor({ timeout: 5_000 });
  assert.deepEqual(await page.locator("td.line-total").allInnerTexts(), ["18.00 EUR", "14.00 EUR"]);
  await cartCount(page, 2);

  const checkout = page.locator("form.checkout");
  await checkout.locator('input[name="name"]').fill("Ada Lovelace");
  await checkout.locator('input[name="email"]').fill("ada@example.com");
  await checkout.locator('textarea[name="address"]').fill("12 Analytical Row\nLondon");
  const placedAnswer = page.waitForResponse((r) => r.url().endsWith("/api/checkout"));
  await checkout.getByRole("button", { name: "Place order" }).click();
  const answer = await placedAnswer;
  assert.equal(answer.status(), 201, "a new order");
  assert.match(answer.request().headers()["idempotency-key"] ?? "", /^[0-9a-f]{32}$/);
  const order = await answer.json();
  await page.locator('.cart[data-state="placed"]').waitFor({ state: "attached", timeout: 5_000 });
  await page.locator("p.order-placed").waitFor({ state: "visible", timeout: 5_000 });
  const placed = await page.locator("p.order-placed").innerText();
  assert.match(placed, /^Order #(\d+) is placed: 32\.00 EUR\./);
  assert.equal(Number(placed.match(/#(\d+)/)[1]), order.order_id);
  assert.ok(await checkout.isHidden(), "the checkout form is gone once placed");
  assert.ok(await page.locator(".cart-summary").isHidden());

  // The server's record agrees with what the page said.
  const orders = sql("SELECT * FROM orders");
  assert.equal(orders.length, 1);
  assert.equal(orders[0].id, order.order_id);
  assert.equal(orders[0].total_cents, 3200);
  assert.equal(orders[0].currency, "EUR");
  assert.equal(orders[0].name, "Ada Lovelace");
  assert.equal(orders[0].email, "ada@example.com");
  const lines = sql("SELECT product_id, unit_price_cents, quantity FROM order_lines "
    + "WHERE order_id = ? ORDER BY position", order.order_id);
  assert.deepEqual(lines, [
    { product_id: "atoll-mug", unit_price_cents: 1800, quantity: 1 },
    { product_id: "atoll-notebook", unit_price_cents: 1400, quantity: 1 },
  ]);
  assert.deepEqual(sql("SELECT stock FROM inventory WHERE product_id = 'atoll-mug'"),
    [{ stock: stockBefore - 1 }]);
  const liveAfter = await (await page.request.get(`${base}/api/products/atoll-mug`)).json();
  assert.equal(liveAfter.stock, stockBefore - 1);

  // The cart is emptied, and the header says so.
  assert.equal(await page.evaluate(() => localStorage.getItem("atoll.cart")), "[]");
  await cartCount(page, 0);
  assert.equal(await cart.getAttribute("data-state"), "placed");

  assert.deepEqual(errors, [], "no console errors");
  await context.close();
});

test("cross-tab sync: a change in one tab updates the other without reload", async () => {
  const context = await browser.newContext();
  const product = await openPage(context);
  const cartTab = await openPage(context);
  await product.page.goto(`${base}/products/atoll-mug/`);
  await cartTab.page.goto(`${base}/cart/`);
  await hydrated(product.page);
  await hydrated(cartTab.page);
  await cartCount(cartTab.page, 0);
  await cartTab.page.locator('.cart[data-state="empty"]').waitFor({ timeout: 5_000 });
  assert.equal(await cartTab.page.locator(".cart-summary").innerText(), "Your cart is empty.");
  let cartLoads = 0;
  cartTab.page.on("framenavigated", () => cartLoads++);

  // Adding on the product page: the cart tab's header and cart follow (storage event).
  await addToCart(product.page, 2, "Atoll Mug");
  await cartCount(product.page, 2);
  await cartCount(cartTab.page, 2);
  await cartTab.page.locator('.cart[data-state="priced"]').waitFor({ timeout: 5_000 });
  assert.equal(await cartTab.page.locator(".cart-summary").innerText(),
    "Total: 36.00 EUR for 2 items");
  assert.equal(await cartTab.page.locator('tr.cart-line[data-product="atoll-mug"]').count(), 1);

  // Removing in the cart tab: the product page's header follows.
  await cartTab.page.locator('tr.cart-line[data-product="atoll-mug"] button.remove').click();
  await cartTab.page.locator('.cart[data-state="empty"]').waitFor({ timeout: 5_000 });
  await cartCount(cartTab.page, 0);
  await cartCount(product.page, 0);
  assert.equal(cartLoads, 0, "the cart tab was not reloaded");

  assert.deepEqual(product.errors, [], "no console errors on the product page");
  assert.deepEqual(cartTab.errors, [], "no console errors on the cart page");
  await context.close();
});

test("contact with JavaScript: hydrates when visible, checks inline, sends and stores", async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 300 } });
  const { page, requests, errors } = await openPage(context);
  const wasm = () => requests.filter((r) => /\/pkg\/islands[-a-z]*(_bg\.wasm|\.js)$/.test(r));
  const contactPosts = () => requests.filter((r) => r === `POST ${base}/api/contact`);

  await page.goto(`${base}/contact/`, { waitUntil: "networkidle" });
  await page.waitForTimeout(1_000);
  const form = page.locator("form.contact-form");
  const { top, height } = await form.evaluate((f) =>
    ({ top: f.getBoundingClientRect().top, height: innerHeight }));
  assert.ok(top > height, `the form must start below the fold (top ${top}, viewport ${height})`);
  assert.ok(requests.includes(`GET ${base}/pkg/loader.js`), "the loader is loaded");
  assert.deepEqual(wasm(), [], "the islands bundle is not requested before the form is visible");
  assert.equal(await page.evaluate(() => document.documentElement.dataset.islandsBundle), undefined);
  assert.equal(await page.locator('leptos-island[data-hydrated="true"]').count(), 0);

  await form.scrollIntoViewIfNeeded();
  await hydrated(page);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.islandsBundle), "loaded");
  assert.deepEqual(wasm(), [`GET ${base}/pkg/islands-contact.js`, `GET ${base}/pkg/islands-contact_bg.wasm`],
    "the contact form's bundle is requested once the form is in view, once each");

  // Leaving the empty name shows its error at once, without a request.
  const name = page.locator("#contact-name");
  const email = page.locator("#contact-email");
  const message = page.locator("#contact-message");
  await name.focus();
  await name.press("Tab");
  await page.locator("#contact-name-error").filter({ hasText: "Name is required" })
    .waitFor({ timeout: 5_000 });
  assert.equal(await page.locator(".field", { has: name }).getAttribute("data-invalid"), "true");
  // Only touched fields are judged: the email field has been focused but not left yet.
  assert.equal((await page.locator("#contact-email-error").innerText()).trim(), "");

  await email.fill("ada@");
  await email.press("Tab");
  await page.locator("#contact-email-error")
    .filter({ hasText: "Email must look like name@example.com" }).waitFor({ timeout: 5_000 });
  assert.equal(await page.locator(".field", { has: email }).getAttribute("data-invalid"), "true");

  // Once left, a field's error follows the typing.
  await name.fill("Ada Lovelace");
  await page.locator('.field[data-invalid="false"]:has(#contact-name)')
    .waitFor({ state: "attached", timeout: 5_000 });
  assert.equal((await page.locator("#contact-name-error").textContent()).trim(), "");
  await email.fill("ada@example.com");
  await page.locator('.field[data-invalid="false"]:has(#contact-email)')
    .waitFor({ state: "attached", timeout: 5_000 });
  assert.equal((await page.locator("#contact-email-error").textContent()).trim(), "");
  assert.deepEqual(contactPosts(), [], "invalid fields send nothing");

  // Submitting with the message still empty: an error, still no request.
  await page.getByRole("button", { name: "Send message" }).click();
  await page.locator("#contact-message-error").filter({ hasText: "Message is required" })
    .waitFor({ timeout: 5_000 });
  assert.deepEqual(contactPosts(), [], "an invalid submit sends nothing");

  const text = `Hello from the hydrated form ${Date.now()}`;
  await message.fill(text);
  const sent = page.waitForResponse((r) => r.url() === `${base}/api/contact`);
  await page.getByRole("button", { name: "Send message" }).click();
  const answer = await sent;
  assert.equal(answer.status(), 202);
  assert.match(answer.request().headers()["content-type"], /^application\/json/);
  await page.locator(".contact-sent").waitFor({ state: "visible", timeout: 5_000 });
  assert.equal(await page.locator(".contact-sent h2").innerText(), "Thank you!");
  assert.ok(await form.isHidden(), "the form is hidden once sent");
  assert.equal(contactPosts().length, 1);
  assert.equal(page.url(), `${base}/contact/`, "no navigation");

  assert.deepEqual(sql("SELECT name, email, message, client FROM contact_messages WHERE message = ?", text),
    [{ name: "Ada Lovelace", email: "ada@example.com", message: text, client: "127.0.0.1" }]);
  assert.deepEqual(errors, [], "no console errors");
  await context.close();
});

test("contact without JavaScript: 422 with errors and values, 303 to thanks, honeypot drops", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const { page, requests, errors } = await openPage(context);
  await page.goto(`${base}/contact/`);
  assert.equal(await page.locator("form.contact-form").getAttribute("action"), "/api/contact");
  assert.equal(await page.locator("form.contact-form").getAttribute("method"), "post");

  // Invalid: the server answers 422 with the page again, errors shown, values kept.
  await page.locator("#contact-name").fill("");
  await page.locator("#contact-email").fill("ada@");
  await page.locator("#contact-message").fill("Hello");
  const invalid = page.waitForResponse((r) => r.url() === `${base}/api/contact`);
  await page.getByRole("button", { name: "Send message" }).click();
  const rejected = await invalid;
  assert.equal(rejected.status(), 422);
  assert.match(rejected.request().headers()["content-type"], /^application\/x-www-form-urlencoded/);
  await page.waitForLoadState("load");
  assert.equal(page.url(), `${base}/api/contact`);
  assert.equal((await page.locator("h1").innerText()).trim(), "Contact");
  assert.equal(await page.locator("#contact-name-error").innerText(), "Name is required");
  assert.equal(await page.locator("#contact-email-error").innerText(),
    "Email must look like name@example.com");
  assert.equal((await page.locator("#contact-message-error").innerText()).trim(), "");
  assert.deepEqual(
    await page.locator(".field").evaluateAll((fields) => fields.map((f) => f.dataset.invalid)),
    ["true", "true", "false"],
  );
  assert.equal(await page.locator("#contact-email").inputValue(), "ada@");
  assert.equal((await page.locator("#contact-message").inputValue()).trim(), "Hello");
  assert.equal(sql("SELECT COUNT(*) AS n FROM contact_messages WHERE message = 'Hello'")[0].n, 0);

  // Corrected on that page: stored, then 303 to the thank-you page.
  const text = `Hello from a browser without JavaScript ${Date.now()}`;
  await page.locator("#contact-name").fill("Ada");
  await page.locator("#contact-email").fill("ada@example.com");
  await page.locator("#contact-message").fill(text);
  const valid = page.waitForResponse((r) => r.url() === `${base}/api/contact`);
  await page.getByRole("button", { name: "Send message" }).click();
  const accepted = await valid;
  assert.equal(accepted.status(), 303);
  assert.equal(accepted.headers().location, "/contact/thanks/");
  await page.waitForURL(`${base}/contact/thanks/`, { timeout: 5_000 });
  assert.equal((await page.locator("h1").innerText()).trim(), "Thank you!");
  assert.deepEqual(sql("SELECT name, email, message FROM contact_messages WHERE message = ?", text),
    [{ name: "Ada", email: "ada@example.com", message: text }]);
  assert.deepEqual(requests.filter((r) => /\.(m?js|wasm)$/.test(r)), [],
    "no script is loaded with JavaScript off");

  // A filled honeypot gets the same 303, and nothing is stored.
  const spam = `Buy cheap watches ${Date.now()}`;
  const countBefore = sql("SELECT COUNT(*) AS n FROM contact_messages")[0].n;
  const honeypot = await page.request.post(`${base}/api/contact`, {
    form: { name: "Bot", email: "bot@example.com", message: spam, website: "http://spam.example" },
    maxRedirects: 0,
  });
  assert.equal(honeypot.status(), 303);
  assert.equal(honeypot.headers().location, "/contact/thanks/");
  assert.equal(sql("SELECT COUNT(*) AS n FROM contact_messages")[0].n, countBefore);
  assert.deepEqual(sql("SELECT id FROM contact_messages WHERE message = ?", spam), []);

  // The browser logs the 422 document answer itself as a failed load; nothing else.
  const expected = "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)";
  assert.deepEqual(errors.filter((e) => e !== expected), [], "no other console errors");
  await context.close();
});

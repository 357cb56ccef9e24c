// The static export served by a plain static file server (Python's http.server on
// 127.0.0.1, port 0), no Atoll server: every page and asset loads, fingerprinted names
// resolve, and the search island hydrates from the fingerprinted bundle.
//
//   ATOLL_BIN   the atoll binary (default: target/debug/atoll)
//   CHROMIUM    the browser (default: /usr/bin/chromium)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, ROOT, launchBrowser } from "./harness.mjs";

let work;
let server;
let base;
let browser;

before(async () => {
  work = mkdtempSync(join(tmpdir(), "atoll-export-"));
  const out = join(work, "dist");
  execFileSync(BIN, ["export", "--content", `${ROOT}content`, "--public", `${ROOT}public`,
    "--islands", `${ROOT}target/islands`, "--out", out, "--cache-dir", `${ROOT}target/atoll-cache`],
    { stdio: ["ignore", "ignore", "inherit"] });
  server = spawn("python3", ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", out],
    { stdio: ["ignore", "pipe", "ignore"] });
  base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("http.server did not start in 30 s")), 30_000);
    let text = "";
    server.stdout.on("data", (chunk) => {
      text += chunk;
      const match = text.match(/port (\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    });
    server.on("exit", (code) => reject(new Error(`http.server exited with ${code}`)));
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Opens `path` and returns the failed responses, the JS/WASM requests and console errors. */
async function visit(path, ready) {
  const page = await browser.newPage();
  const failed = [];
  const code = [];
  const errors = [];
  page.on("response", (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
  });
  page.on("request", (request) => {
    if (/\.(m?js|wasm)(\?|$)/.test(request.url())) code.push(request.url());
  });
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  const response = await page.goto(`${base}${path}`, { waitUntil: "networkidle" });
  if (ready) await ready(page);
  const styled = await page.evaluate(() =>
    getComputedStyle(document.querySelector(".site-header")).display);
  await page.close();
  return { status: response.status(), failed, code, errors, styled };
}

test("pages of every type load with their fingerprinted assets and no JavaScript", async () => {
  for (const path of ["/", "/posts/", "/posts/page/2/", "/posts/what-is-atoll/", "/tags/",
    "/docs/", "/docs/getting-started/installation/", "/about/"]) {
    const { status, failed, code, errors, styled } = await visit(path);
    assert.equal(status, 200, path);
    assert.deepEqual(failed, [], `${path}: failed requests`);
    assert.deepEqual(code, [], `${path} requested JS or WASM`);
    assert.deepEqual(errors, [], `${path}: console errors`);
    assert.equal(styled, "flex", `${path}: the stylesheet did not apply`);
  }
});

test("a phone downloads a variant narrower than the photo, and nothing shifts", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  const page = await context.newPage();
  const images = [];
  page.on("response", (response) => {
    if (new URL(response.url()).pathname.startsWith("/_img/")) images.push(response.url());
  });
  await page.goto(`${base}/posts/responsive-images/`, { waitUntil: "networkidle" });
  const picked = await page.evaluate(async () => {
    const img = document.querySelector(".prose picture img");
    await img.decode();
    // Layout shifts since navigation (buffered): 0 when every image has its size.
    const shifts = await new Promise((resolve) => {
      let total = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
      }).observe({ type: "layout-shift", buffered: true });
      setTimeout(() => resolve(total), 500);
    });
    return { src: img.currentSrc, natural: img.naturalWidth, shown: img.getBoundingClientRect().width, shifts };
  });
  await context.close();
  // 390 CSS pixels less the margins, at twice the density: the 800-pixel AVIF.
  assert.match(picked.src, /\/_img\/hills\.[0-9a-f]{12}\.800\.avif$/, JSON.stringify(picked));
  assert.ok(picked.natural < 2000, JSON.stringify(picked));
  assert.ok(picked.shown <= 390, JSON.stringify(picked));
  assert.equal(picked.shifts, 0, "cumulative layout shift");
  assert.equal(images.length, 1, images.join("\n"));
});

test("the search island hydrates from the fingerprinted bundle on a static host", async () => {
  const { status, failed, code, errors } = await visit("/search/", async (page) => {
    await page.waitForFunction(() => document.documentElement.dataset.islands === "hydrated",
      null, { timeout: 15_000 });
  });
  assert.equal(status, 200);
  assert.deepEqual(failed, []);
  assert.deepEqual(errors, []);
  assert.ok(code.some((url) => /\/pkg\/loader\.[0-9a-f]{8}\.js$/.test(url)), code.join("\n"));
  assert.ok(code.some((url) => /\/pkg\/islands-search_bg\.[0-9a-f]{8}\.wasm$/.test(url)), code.join("\n"));
});

test("search on a static host: no API, the WASM engine searches the sharded index", async () => {
  const page = await browser.newPage();
  const requests = [];
  const errors = [];
  page.on("request", (request) => requests.push(new URL(request.url()).pathname));
  page.on("console", (message) => {
    // The island first tries the API; on a static host that request is a 404.
    if (message.type() === "error" && !/404/.test(message.text())) errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${base}/search/`, { waitUntil: "networkidle" });
  await page.waitForFunction(() => document.documentElement.dataset.islands === "hydrated",
    null, { timeout: 15_000 });
  await page.locator("#search-input").fill("leptos");
  await page.locator(".search-result").first().waitFor({ timeout: 15_000 });
  const results = await page.locator(".search-result a").allTextContents();
  assert.ok(results.length >= 3, results.join("\n"));
  const status = await page.locator("#search-status").textContent();
  assert.match(status, /results? for “leptos”/);
  // (Rust tests check that the static index ranks exactly like the API.)
  assert.ok(results.includes("Pre-rendering pages with Leptos"), results.join("\n"));
  // Only what the query needs: the index, the engine, a few shards and the results.
  const shards = requests.filter((path) => path.startsWith("/search/shards/"));
  const docs = requests.filter((path) => path.startsWith("/search/docs/"));
  assert.ok(requests.includes("/search/index.json"), requests.join("\n"));
  assert.ok(requests.some((path) => /\/pkg\/search_bg\.[0-9a-f]{8}\.wasm$/.test(path)), requests.join("\n"));
  assert.ok(shards.length >= 1 && shards.length <= 3, shards.join("\n"));
  assert.equal(docs.length, results.length, docs.join("\n"));
  // A second query reuses the engine and the loaded shards it can.
  await page.locator("#search-input").fill("deploy");
  await page.waitForFunction(() => /“deploy”/.test(document.querySelector("#search-status").textContent),
    null, { timeout: 15_000 });
  assert.equal(requests.filter((path) => /\/pkg\/search_bg\./.test(path)).length, 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a product page on a static host keeps its build-time price and stock", async () => {
  const page = await browser.newPage();
  const failed = [];
  const errors = [];
  page.on("response", (response) => {
    if (response.status() >= 400) failed.push(new URL(response.url()).pathname);
  });
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${base}/products/atoll-mug/`, { waitUntil: "networkidle" });
  await page.waitForFunction(() => document.documentElement.dataset.islands === "hydrated",
    null, { timeout: 15_000 });
  // The live price needs the API; without it the pre-rendered values stay.
  assert.equal(await page.locator(".buy-box").getAttribute("data-live"), "false");
  assert.equal((await page.locator(".buy-box .price").textContent()).trim(), "18.00 EUR");
  assert.match(await page.locator(".buy-box .stock").textContent(), /In stock/);
  assert.equal(await page.locator(".add-to-cart button").isEnabled(), true);
  // The only failed request is the API's, which a static host does not have.
  assert.deepEqual(failed, ["/api/products/atoll-mug"]);
  assert.deepEqual(errors, []);
  await page.close();
});

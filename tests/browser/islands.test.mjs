// End-to-end tests in real headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core) against a real `atoll serve` on 127.0.0.1 with a free port.
//
//   ATOLL_BIN   the atoll binary (default: target/debug/atoll)
//   CHROMIUM    the browser (default: /usr/bin/chromium)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser, startAtoll, stop } from "./harness.mjs";

let work;
let server;
let base;
let browser;

before(async () => {
  work = mkdtempSync(join(tmpdir(), "atoll-islands-"));
  ({ server, base } = await startAtoll(["--db", join(work, "atoll.db")]));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stop(server);
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A new page that records every request and every console error or uncaught exception. */
async function openPage() {
  const page = await browser.newPage();
  const requests = [];
  const errors = [];
  page.on("request", (request) => requests.push(request.url()));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return { page, requests, errors };
}

test("a post page is complete and requests no JavaScript or WebAssembly", async () => {
  const { page, requests, errors } = await openPage();
  const response = await page.goto(`${base}/posts/what-is-atoll/`, { waitUntil: "networkidle" });
  assert.equal(response.status(), 200);
  assert.ok((await page.locator("article h1").textContent()).trim().length > 0);
  assert.ok((await page.locator("article .prose p").count()) > 2, "the whole article is rendered");
  // The only script is JSON-LD structured data, which is not executed.
  assert.equal(await page.locator('script:not([type="application/ld+json"])').count(), 0);
  const code = requests.filter((url) => /\.(m?js|wasm)(\?|$)/.test(url));
  assert.deepEqual(code, [], `a post page loaded ${code.join(", ")}`);
  assert.ok(requests.some((url) => url.endsWith("/style.css")), "the stylesheet loads");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the search island hydrates, shows API results within 2 s, and a result navigates", async () => {
  const { page, requests, errors } = await openPage();
  await page.goto(`${base}/search/`);
  // The island marks itself once its WebAssembly has hydrated it.
  await page.locator('.search[data-hydrated="true"]').waitFor({ timeout: 15_000 });
  assert.ok(requests.some((url) => url.endsWith("/pkg/islands-search_bg.wasm")), "the search bundle loaded");
  assert.ok(!requests.some((url) => url.endsWith("/pkg/islands_bg.wasm")), "not the bundle of every island");

  const input = page.getByLabel("Search the site");
  await input.focus();
  const apiAnswer = page.waitForResponse((r) => r.url().includes("/api/search?") && r.status() === 200);
  await input.pressSequentially("leptos", { delay: 40 });
  const typed = Date.now();
  const first = page.locator(".search-result a").first();
  await first.waitFor({ timeout: 2_000 });
  const elapsed = Date.now() - typed;
  const answer = await (await apiAnswer).json();
  assert.equal(answer.query, "leptos");
  assert.ok(answer.total > 0);
  const shown = await page.locator(".search-result a").allTextContents();
  assert.deepEqual(shown, answer.results.map((r) => r.title), "the island shows the API's results");
  assert.match(await page.locator("#search-status").textContent(), /results? for “leptos”/);
  assert.equal(await page.locator("#search-status").getAttribute("aria-live"), "polite");
  console.log(`# results visible ${elapsed} ms after the last keystroke`);

  // Keyboard: ↓ moves from the field to the first result, Enter follows it.
  await input.press("ArrowDown");
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("href")), answer.results[0].url);
  await Promise.all([page.waitForURL(`${base}${answer.results[0].url}`), page.keyboard.press("Enter")]);
  assert.equal((await page.locator("article h1").textContent()).trim(), answer.results[0].title);

  assert.deepEqual(errors, [], "no console errors");
  await page.close();
});

test("typing fast sends one debounced request; clearing the field clears results", async () => {
  const { page, requests, errors } = await openPage();
  await page.goto(`${base}/search/`);
  await page.locator('.search[data-hydrated="true"]').waitFor({ timeout: 15_000 });
  const input = page.getByLabel("Search the site");
  await input.pressSequentially("deploy", { delay: 20 });
  await page.locator(".search-result a").first().waitFor({ timeout: 2_000 });
  const searches = requests.filter((url) => url.includes("/api/search?"));
  assert.equal(searches.length, 1, `expected one debounced request, got ${searches.join(", ")}`);
  assert.match(searches[0], /q=deploy/);
  // A new query re-renders rows whose URL stays: excerpts follow the new answer.
  const next = page.waitForResponse((r) => r.url().includes("q=export") && r.status() === 200);
  await input.fill("export");
  const answer = await (await next).json();
  assert.ok(answer.total > 0);
  await page.locator("#search-status").filter({ hasText: "“export”" }).waitFor({ timeout: 2_000 });
  assert.deepEqual(
    await page.locator(".search-excerpt").allTextContents(),
    answer.results.map((r) => r.excerpt),
  );
  await input.fill("");
  await page.locator(".search-result").first().waitFor({ state: "detached", timeout: 2_000 });
  assert.deepEqual(errors, []);
  await page.close();
});

// `atoll serve --dev` in real headless Chromium: an edit of a post's Markdown reloads the
// open tab with the new text (no Rust compiled), broken front matter shows the error
// page naming the file and line, and fixing it brings the page back, without a restart.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, breakFrontMatter, launchBrowser, startAtoll, stop } from "./harness.mjs";

let work;
let server;
let base;
let browser;

before(async () => {
  work = mkdtempSync(join(tmpdir(), "atoll-dev-"));
  cpSync(`${ROOT}content`, join(work, "content"), { recursive: true });
  ({ server, base } = await startAtoll(["--dev", "--db", join(work, "atoll.db")], {
    content: join(work, "content"),
  }));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stop(server);
  if (work) rmSync(work, { recursive: true, force: true });
});

test("an edit reloads the tab; broken front matter shows the error; a fix recovers", async () => {
  const file = join(work, "content/posts/atomic-exports.md");
  const original = readFileSync(file, "utf8");
  const page = await browser.newPage();
  await page.goto(`${base}/posts/atomic-exports/`);
  await page.locator("html[data-atoll-dev=connected]").waitFor({ timeout: 10_000 });

  // 1. Edit the text: the open tab reloads with it.
  const started = Date.now();
  writeFileSync(file, `${original}\n\nA sentence written while the page was open.\n`);
  await page
    .locator("article", { hasText: "A sentence written while the page was open." })
    .waitFor({ timeout: 5_000 });
  const reload = Date.now() - started;
  assert.ok(reload < 5_000, `reloaded in ${reload} ms`);
  console.log(`content edit → reloaded tab: ${reload} ms`);

  // 2. Break the front matter (TOML): the error names the file and the line.
  await breakFrontMatter(page, file, original);
  // A page opened now gets the error page too (500), not a dead server.
  const other = await browser.newPage();
  const answer = await other.goto(`${base}/`);
  assert.equal(answer.status(), 500);
  await other.locator("#atoll-dev-error").waitFor({ timeout: 5_000 });

  // 3. Fix it: both tabs come back by themselves.
  writeFileSync(file, original);
  await page.locator("article h1").waitFor({ timeout: 5_000 });
  assert.equal(await page.locator("#atoll-dev-error").count(), 0);
  await other.locator("main#main").waitFor({ timeout: 5_000 });
  await page.close();
  await other.close();
});

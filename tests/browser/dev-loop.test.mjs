// The dev loop (`scripts/dev`, i.e. `atoll dev`: `trunk serve` in front, the Rust
// supervisor behind its /api/ proxy, `atoll serve --dev` behind that) in real headless
// Chromium (the supervisor's parts have unit tests in server/crates/dev):
// - a post opened through Trunk, with the islands hydrated from Trunk's bundle and
//   /api/* answered through Trunk's proxy;
// - a Markdown edit reloads the tab with the new text, with no Rust compiled and no
//   Trunk build; broken front matter shows the error page; the fix brings the page back;
// - a Rust compile error shows as a page naming the file, line and message; the fix
//   rebuilds, restarts the server and brings the page back.
//
// The first run builds the islands in the dev profile (about 2 minutes on 2 cores).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, breakFrontMatter, launchBrowser } from "./harness.mjs";

let work;
let dev;
let base;
let browser;
let output = "";
const POST = "/posts/atomic-exports/";

/** A free port on 127.0.0.1 (bound, then released). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Lines of the dev loop's output matching `pattern` so far. */
const count = (pattern) => output.split("\n").filter((line) => pattern.test(line)).length;

/** Resolves when the dev loop's output matches `pattern` (at most `ms`). */
function waitForOutput(pattern, ms) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      const match = output.match(pattern);
      if (match) {
        clearInterval(timer);
        resolve(match);
      } else if (dev.exitCode !== null || Date.now() - started > ms) {
        clearInterval(timer);
        reject(new Error(`no ${pattern} in the dev loop's output:\n${output.slice(-4000)}`));
      }
    }, 100);
  });
}

/** Resolves when `done()` holds (checked every 100 ms, at most `ms`). */
async function waitFor(done, ms, what) {
  const started = Date.now();
  while (!done()) {
    if (dev.exitCode !== null || Date.now() - started > ms) {
      throw new Error(`timed out waiting for ${what}:\n${output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), "atoll-dev-loop-"));
  cpSync(`${ROOT}content`, join(work, "content"), { recursive: true });
  const [port, apiPort] = [await freePort(), await freePort()];
  // `cargo run` replaces itself with `atoll dev` (as scripts/dev does), so the group
  // signalled in after() is the supervisor's.
  dev = spawn(
    "cargo",
    ["run", "--quiet", "-p", "server", "--bin", "atoll", "--", "dev",
     "--port", String(port), "--api-port", String(apiPort),
     "--content", join(work, "content"), "--db", join(work, "dev.db"),
     "--site", join(work, "site"), "--dist", `${ROOT}target/dev-test/www`],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  const collect = (chunk) => (output += chunk);
  dev.stdout.on("data", collect);
  dev.stderr.on("data", collect);
  // A cold dev build of the islands takes minutes; the server is already built.
  const [, url] = await waitForOutput(/atoll dev: ready on (http:\/\/127\.0\.0\.1:\d+)/, 15 * 60_000);
  base = url;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (dev && dev.exitCode === null) {
    // The supervisor stops Trunk and the server (their own process groups).
    const exited = new Promise((resolve) => dev.once("exit", resolve));
    process.kill(-dev.pid, "SIGTERM");
    const timeout = new Promise((resolve) => setTimeout(() => resolve("timeout"), 15_000));
    if ((await Promise.race([exited, timeout])) === "timeout") process.kill(-dev.pid, "SIGKILL");
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

test("trunk serve gives the whole site: pages, islands from Trunk's bundle, /api through its proxy", async () => {
  const page = await browser.newPage();
  const answer = await page.goto(`${base}${POST}`);
  assert.equal(answer.status(), 200);
  await page.locator("article h1").waitFor();
  await page.locator("html[data-atoll-dev=connected]").waitFor({ timeout: 10_000 });
  // Trunk serves the bundle it built (dev profile) under /pkg/.
  const bundle = await page.request.get(`${base}/pkg/islands.js`);
  assert.equal(bundle.status(), 200);
  // The API answers through Trunk's proxy.
  const search = await page.request.get(`${base}/api/search?q=export`);
  assert.equal(search.status(), 200);
  assert.ok((await search.json()).results.length > 0);
  // An island hydrates from that bundle and calls the API.
  await page.goto(`${base}/search/`);
  await page.locator('.search[data-hydrated="true"]').waitFor({ timeout: 30_000 });
  const apiAnswer = page.waitForResponse((r) => r.url().includes("/api/search?") && r.status() === 200);
  await page.locator(".search input").fill("export");
  await apiAnswer;
  await page.locator(".search-result a").first().waitFor({ timeout: 5_000 });
  await page.close();
});

test("a Markdown edit reloads the tab (no Rust compiled); broken front matter shows the error; a fix recovers", async () => {
  const file = join(work, "content/posts/atomic-exports.md");
  const original = readFileSync(file, "utf8");
  const page = await browser.newPage();
  await page.goto(`${base}${POST}`);
  await page.locator("html[data-atoll-dev=connected]").waitFor({ timeout: 10_000 });
  const cargoBuilds = count(/atoll dev: server built|does not compile/);
  const trunkBuilds = count(/starting build/);

  const started = Date.now();
  writeFileSync(file, `${original}\n\nA sentence written while the page was open.\n`);
  await page
    .locator("article", { hasText: "A sentence written while the page was open." })
    .waitFor({ timeout: 5_000 });
  const reload = Date.now() - started;
  console.log(`dev loop: content edit → reloaded tab through trunk serve: ${reload} ms`);
  assert.equal(count(/atoll dev: server built|does not compile/), cargoBuilds, "no cargo build");
  assert.equal(count(/starting build/), trunkBuilds, "no Trunk build");

  await breakFrontMatter(page, file, original);
  // A tab opened now (the last good file) shows the error too.
  const other = await browser.newPage();
  await other.goto(`${base}/`);
  await other.locator("#atoll-dev-error").waitFor({ timeout: 5_000 });

  writeFileSync(file, original);
  await page.locator("article h1").waitFor({ timeout: 5_000 });
  assert.equal(await page.locator("#atoll-dev-error").count(), 0);
  await other.locator("main#main").waitFor({ timeout: 5_000 });
  assert.equal(await other.locator("#atoll-dev-error").count(), 0);
  await page.close();
  await other.close();
});

test("a Rust compile error shows as a page naming file, line and message; the fix recovers", async () => {
  // The binary's own source: breaking and restoring it recompiles the `atoll` binary
  // only, not the library.
  const file = join(ROOT, "server/src/main.rs");
  const original = readFileSync(file, "utf8");
  const restore = () => writeFileSync(file, original);
  // The file is restored however the test ends (an interrupted run included).
  const interrupted = (signal) => {
    restore();
    process.kill(process.pid, signal);
  };
  process.once("exit", restore);
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    const page = await browser.newPage();
    await page.goto(`${base}${POST}`);
    await page.locator("html[data-atoll-dev=connected]").waitFor({ timeout: 10_000 });
    const lines = original.split("\n").length;
    writeFileSync(file, `${original}compile_error!("broken on purpose by the dev loop test");\n`);
    const error = page.locator("#atoll-dev-error");
    await error.waitFor({ timeout: 5 * 60_000 });
    assert.match(await error.locator(".atoll-dev-location").first().textContent(),
      new RegExp(`^server/src/main\\.rs:${lines}:1$`));
    assert.match(await error.textContent(), /broken on purpose by the dev loop test/);
    // The last good server keeps answering meanwhile.
    assert.equal((await page.request.get(`${base}/api/search?q=export`)).status(), 200);

    const built = count(/atoll dev: server built/);
    restore();
    await waitFor(() => count(/atoll dev: server built/) > built, 5 * 60_000, "the server rebuilt");
    await page.locator("article h1").waitFor({ timeout: 60_000 });
    assert.equal(await page.locator("#atoll-dev-error").count(), 0);
    assert.equal((await page.request.get(`${base}/api/search?q=export`)).status(), 200);
    await page.close();
  } finally {
    restore();
    process.off("exit", restore);
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
  }
});

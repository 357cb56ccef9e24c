// Static-host search benchmark: what a visitor downloads for one query on an export
// served by a plain file server (no API), in headless Chromium, cold cache per query.
// Sizes are those a CDN sends: the `.br` sibling of each file when the export has one.
//
//   node scripts/bench-search.mjs EXPORT_DIR [query ...]
//
// Prints, per query: the result count and the bytes of the static index fetched
// (index.json + shards + result documents), of the search engine module, and of the
// page with its islands bundle. Bounded: each query waits at most 30 s.
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const require = createRequire(join(ROOT, "tests/browser/package.json"));
const { chromium } = require("playwright-core");

const dir = process.argv[2];
const queries = process.argv.length > 3
  ? process.argv.slice(3)
  : ["rust", "static site", "cache latency", "leptos hydrate", "tok"];
if (!dir || !existsSync(join(dir, "search/index.json"))) {
  console.error("usage: node scripts/bench-search.mjs EXPORT_DIR [query ...] (an export with search/index.json)");
  process.exit(2);
}

const size = (path) => {
  const file = join(dir, decodeURIComponent(path).replace(/\/$/, "/index.html"));
  if (existsSync(`${file}.br`)) return statSync(`${file}.br`).size;
  return existsSync(file) ? statSync(file).size : 0;
};

const server = spawn("python3", ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", dir],
  { stdio: ["ignore", "pipe", "ignore"] });
const base = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("http.server did not start")), 30_000);
  let text = "";
  server.stdout.on("data", (chunk) => {
    text += chunk;
    const match = text.match(/port (\d+)/);
    if (match) { clearTimeout(timer); resolve(`http://127.0.0.1:${match[1]}`); }
  });
});
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const kb = (n) => (n / 1024).toFixed(1).padStart(7);
console.log(`${"query".padEnd(18)} results  index KB  engine KB  page+bundle KB  (brotli)`);
try {
  for (const query of queries) {
    const context = await browser.newContext(); // a cold cache per query
    const page = await context.newPage();
    const paths = [];
    page.on("request", (request) => paths.push(new URL(request.url()).pathname));
    await page.goto(`${base}/search/`, { waitUntil: "networkidle" });
    await page.waitForFunction(() => document.documentElement.dataset.islands === "hydrated",
      null, { timeout: 30_000 });
    const before = paths.length;
    await page.locator("#search-input").fill(query);
    await page.waitForFunction((q) => /results? for|No results/.test(
      document.querySelector("#search-status").textContent) &&
      document.querySelector("#search-status").textContent.includes(q.trim()),
      query, { timeout: 30_000 });
    await page.waitForLoadState("networkidle");
    const status = await page.locator("#search-status").textContent();
    const total = (status.match(/^(\d+)/) ?? ["", "0"])[1];
    const fetched = paths.slice(before);
    const index = fetched.filter((p) => p.startsWith("/search/")).reduce((n, p) => n + size(p), 0);
    const engine = fetched.filter((p) => p.startsWith("/pkg/search")).reduce((n, p) => n + size(p), 0);
    const pageBytes = paths.slice(0, before).reduce((n, p) => n + size(p), 0);
    console.log(`${query.padEnd(18)} ${total.padStart(7)}  ${kb(index)}  ${kb(engine)}  ${kb(pageBytes)}   (${fetched.filter((p) => p.startsWith("/search/shards/")).length} shards)`);
    await context.close();
  }
} finally {
  await browser.close();
  server.kill("SIGTERM");
}

// What the browser tests share: the paths, headless Chromium with the flags this
// machine needs, and `atoll serve` on 127.0.0.1 with a free port.
//
//   ATOLL_BIN   the atoll binary (default: target/debug/atoll)
//   CHROMIUM    the browser (default: /usr/bin/chromium)
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = process.env.ATOLL_BIN ?? `${ROOT}target/debug/atoll`;
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** Headless Chromium; without the background-networking flags it tries to reach Google. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/**
 * Starts `atoll serve` on the demo site (or `content`), port 0, with `extra` arguments;
 * resolves with `{ server, base }` once the first stdout line names the URL (at most 30 s).
 */
export function startAtoll(extra, { content = `${ROOT}content` } = {}) {
  const server = spawn(
    BIN,
    ["serve", "--content", content, "--public", `${ROOT}public`,
     "--islands", `${ROOT}target/islands`, "--addr", "127.0.0.1:0",
     // Pages stay in memory: the tests leave nothing in the repository's data/.
     "--no-cache-dir", ...extra],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("atoll serve did not start in 30 s")), 30_000);
    let out = "";
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const match = out.match(/http:\/\/127\.0\.0\.1:\d+/);
      if (match) {
        clearTimeout(timer);
        resolve({ server, base: match[0] });
      }
    });
    server.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`atoll serve exited with ${code}`));
    });
  });
}

/** Stops a child process with SIGTERM and waits for it (at most 5 s). */
export async function stop(child) {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
}

/**
 * Breaks the TOML front matter of `file` (the post atomic-exports.md, whose text is
 * `original`: an unclosed title on line 2) and waits for `page` to show the dev error
 * page naming the file and the line (at most 5 s).
 */
export async function breakFrontMatter(page, file, original) {
  const broken = original.replace(/^title = .*$/m, 'title = "unclosed');
  assert.notEqual(broken, original);
  writeFileSync(file, broken);
  const error = page.locator("#atoll-dev-error");
  await error.waitFor({ timeout: 5_000 });
  const text = await error.textContent();
  assert.match(text, /posts\/atomic-exports\.md/);
  assert.match(text, /:2\b|line 2/);
}

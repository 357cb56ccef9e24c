// Every page of the demo's export is valid HTML: the Nu HTML checker (vnu.jar, the W3C
// validator's engine, from npm's vnu-jar; run with Debian's Java) reports no error.
//
//   ATOLL_BIN   the atoll binary (default: target/debug/atoll)
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, ROOT } from "./harness.mjs";

const VNU = new URL("./node_modules/vnu-jar/build/dist/vnu.jar", import.meta.url).pathname;

function htmlFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".html"))
    .map((entry) => join(entry.parentPath, entry.name));
}

test("the Nu HTML checker finds no error on any page of the demo's export", () => {
  const work = mkdtempSync(join(tmpdir(), "atoll-vnu-"));
  try {
    const out = join(work, "dist");
    execFileSync(BIN, ["export", "--content", `${ROOT}content`, "--public", `${ROOT}public`,
      "--islands", `${ROOT}target/islands`, "--out", out, "--cache-dir", `${ROOT}target/atoll-cache`],
      { stdio: ["ignore", "ignore", "inherit"] });
    const pages = htmlFiles(out);
    assert.ok(pages.length > 50, `${pages.length} pages`);
    const run = spawnSync("java", ["-jar", VNU, "--errors-only", "--format", "json", ...pages],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
    assert.equal(run.error, undefined, `java could not run: ${run.error}`);
    const { messages } = JSON.parse(run.stderr || run.stdout);
    const errors = messages
      .filter((m) => m.type === "error")
      .map((m) => `${m.url.replace(`file:${out}`, "")}:${m.lastLine}: ${m.message}`);
    assert.deepEqual(errors, [], errors.join("\n"));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

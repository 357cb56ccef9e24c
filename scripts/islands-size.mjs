// Prints the islands bundles' sizes (raw, gzip, brotli) and fails when one is over its
// budget, in bytes of brotli counting what a page loading it downloads (WASM + JS glue
// + loader), given per bundle. Writes the `.br` (quality 11) and `.gz` (level 9) files beside each file:
// `atoll export` copies them instead of compressing the bundles again (after checking
// they match).
// Usage: node scripts/islands-size.mjs DIR BUNDLE=BUDGET_BYTES ...
//   (a bundle is BUNDLE.js + BUNDLE_bg.wasm; `islands` is the one of every island)
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const dir = process.argv[2] ?? "target/islands";
const budgets = process.argv.slice(3).map((arg) => {
  const [bundle, budget] = arg.split("=");
  return [bundle, Number(budget)];
});

// Brotli bytes of `file`, after writing its .br and .gz beside it.
function compress(file, label) {
  const data = readFileSync(join(dir, file));
  const brBytes = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  const gzBytes = gzipSync(data, { level: 9 });
  writeFileSync(join(dir, `${file}.br`), brBytes);
  writeFileSync(join(dir, `${file}.gz`), gzBytes);
  console.log(`${label}: ${file.padEnd(26)} ${String(data.length).padStart(8)} bytes, ${String(gzBytes.length).padStart(7)} gzip, ${String(brBytes.length).padStart(7)} brotli`);
  return brBytes.length;
}

const loader = compress("loader.js", "loader");
let over = false;
for (const [bundle, budget] of budgets) {
  const total = loader + compress(`${bundle}_bg.wasm`, bundle) + compress(`${bundle}.js`, bundle);
  const verdict = total > budget ? `OVER by ${total - budget}` : "ok";
  console.log(`${bundle}: a page loading it downloads ${total} bytes brotli with the loader (budget ${budget}: ${verdict})`);
  over ||= total > budget;
}
// The search engine module is not part of a budget: only the search page of a static
// host downloads it, on the first query.
for (const file of ["search_bg.wasm", "search.js"]) compress(file, "search engine (static hosts only)");
if (over) {
  console.error("islands: a bundle is over its budget");
  process.exit(1);
}

// Prints the islands bundle's sizes (raw, gzip, brotli) and fails when all of it
// together (WASM + JS glue + loader) is over the budget, in bytes of brotli.
// Usage: node scripts/islands-size.mjs DIR [BUDGET_BYTES]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const dir = process.argv[2] ?? "target/islands";
const budget = Number(process.argv[3] ?? 120000);
let total = 0;
for (const file of ["islands_bg.wasm", "islands.js", "loader.js"]) {
  const data = readFileSync(join(dir, file));
  const br = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const gz = gzipSync(data, { level: 9 }).length;
  total += br;
  console.log(`islands: ${file.padEnd(16)} ${String(data.length).padStart(8)} bytes, ${String(gz).padStart(7)} gzip, ${String(br).padStart(7)} brotli`);
}
console.log(`islands: total ${total} bytes brotli (budget ${budget})`);
// The search engine module is not part of the budget: only the search page of a
// static host downloads it, on the first query.
for (const file of ["search_bg.wasm", "search.js"]) {
  const data = readFileSync(join(dir, file));
  const br = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  console.log(`search engine: ${file.padEnd(16)} ${String(data.length).padStart(8)} bytes, ${String(br).padStart(7)} brotli (static hosts only)`);
}
if (total > budget) {
  console.error(`islands: over budget by ${total - budget} bytes`);
  process.exit(1);
}

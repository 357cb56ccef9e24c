// Prints the islands bundle's sizes (raw, gzip, brotli) and fails when all of it
// together (WASM + JS glue + loader) is over the budget, in bytes of brotli. Writes the
// `.br` (quality 11) and `.gz` (level 9) files beside each file: `atoll export` copies
// them instead of compressing the bundle again (after checking they match).
// Usage: node scripts/islands-size.mjs DIR [BUDGET_BYTES]
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const dir = process.argv[2] ?? "target/islands";
const budget = Number(process.argv[3] ?? 120000);
let total = 0;
for (const file of ["islands_bg.wasm", "islands.js", "loader.js"]) {
  const data = readFileSync(join(dir, file));
  const brBytes = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  const gzBytes = gzipSync(data, { level: 9 });
  writeFileSync(join(dir, `${file}.br`), brBytes);
  writeFileSync(join(dir, `${file}.gz`), gzBytes);
  const br = brBytes.length;
  const gz = gzBytes.length;
  total += br;
  console.log(`islands: ${file.padEnd(16)} ${String(data.length).padStart(8)} bytes, ${String(gz).padStart(7)} gzip, ${String(br).padStart(7)} brotli`);
}
console.log(`islands: total ${total} bytes brotli (budget ${budget})`);
// The search engine module is not part of the budget: only the search page of a
// static host downloads it, on the first query.
for (const file of ["search_bg.wasm", "search.js"]) {
  const data = readFileSync(join(dir, file));
  const brBytes = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  writeFileSync(join(dir, `${file}.br`), brBytes);
  writeFileSync(join(dir, `${file}.gz`), gzipSync(data, { level: 9 }));
  const br = brBytes.length;
  console.log(`search engine: ${file.padEnd(16)} ${String(data.length).padStart(8)} bytes, ${String(br).padStart(7)} brotli (static hosts only)`);
}
if (total > budget) {
  console.error(`islands: over budget by ${total - budget} bytes`);
  process.exit(1);
}

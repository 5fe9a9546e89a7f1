// Precompresses the built assets: for each .js, .wasm and .css in the folder given, writes .br (brotli, quality 11)
// and .gz (gzip, level 9) beside it, which the server sends to browsers that accept them (tower-http ServeDir's
// precompressed_br/precompressed_gzip). Node's zlib does the compressing; nothing else is needed.
// `--fast` (debug builds): brotli quality 5 and gzip level 6 instead. Quality 11 spends about 2.7 s per MB of debug
// WASM, single-threaded: 84 s for the 35 MB of a debug site (measured 2026-11-25), on the path of every debug build
// and of command 2; at 5, about 3 s, for a few percent more bytes on a loopback connection.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const fast = process.argv[2] === '--fast';
const dir = process.argv[fast ? 3 : 2];
if (!dir) {
  console.error('usage: node scripts/compress.mjs [--fast] <folder>');
  process.exit(2);
}
for (const name of readdirSync(dir)) {
  if (!/\.(js|wasm|css)$/.test(name)) continue;
  const path = join(dir, name);
  const data = readFileSync(path);
  const br = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: fast ? 5 : constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      [constants.BROTLI_PARAM_MODE]: name.endsWith('.wasm') ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
    },
  });
  writeFileSync(`${path}.br`, br);
  writeFileSync(`${path}.gz`, gzipSync(data, { level: fast ? 6 : 9 }));
}

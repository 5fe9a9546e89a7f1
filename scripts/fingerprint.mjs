// Gives the built assets content-hashed names (nexus.<16 hex>.js, .wasm, .css; each lazy chunk <name>.<hex>.wasm;
// the chunk loader __wasm_split.<hex>.js), so the server may let browsers cache them for a year, and prints the lines
// of hash.txt, where Leptos' HydrationScripts looks the names up (LEPTOS_HASH_FILES=true).
//
//   node scripts/fingerprint.mjs <pkg folder>  > hash.txt
//
// The files name each other: the main JS imports the chunk loader, which imports the main JS back (to share its
// instance) and fetches the chunks. So the chunks are named first, the main JS is named by the hash of what
// wasm-bindgen wrote, the loader is rewritten to those names and then hashed, and only then is the main JS's import
// of the loader rewritten. Only the import statement's path changes: the WASM's import module is still called
// "./__wasm_split.js", and so must stay the key the JS passes its imports under.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/fingerprint.mjs <pkg folder>');
  process.exit(2);
}
const hash = (data) => createHash('sha256').update(data).digest('hex').slice(0, 16);
const path = (name) => join(dir, name);
const lines = [];

for (const ext of ['css', 'wasm']) {
  const h = hash(readFileSync(path(`nexus.${ext}`)));
  renameSync(path(`nexus.${ext}`), path(`nexus.${h}.${ext}`));
  lines.push(`${ext}: ${h}`);
}

const chunks = new Map();
for (const name of readdirSync(dir)) {
  if (!name.endsWith('.wasm') || name.startsWith('nexus.')) continue;
  const hashed = name.replace(/\.wasm$/, `.${hash(readFileSync(path(name)))}.wasm`);
  renameSync(path(name), path(hashed));
  chunks.set(name, hashed);
}

let js = readFileSync(path('nexus.js'), 'utf8');
const jsHash = hash(js);
const LINK = './__wasm_split.js';
if (existsSync(path('__wasm_split.js'))) {
  let link = readFileSync(path('__wasm_split.js'), 'utf8');
  const replaceAll = (from, to) => {
    if (!link.includes(from)) throw new Error(`__wasm_split.js does not mention ${from}`);
    link = link.replaceAll(from, to);
  };
  replaceAll('"./nexus.js"', `"./nexus.${jsHash}.js"`);
  for (const [name, hashed] of chunks) replaceAll(`"./${name}"`, `"./${hashed}"`);
  const linkHash = hash(link);
  writeFileSync(path(`__wasm_split.${linkHash}.js`), link);
  rmSync(path('__wasm_split.js'));
  lines.push(`split: ${linkHash}`);
  // `import * as importN from "./__wasm_split.js"`, once per split point (wasm-bindgen may quote with ' or ").
  const imports = /(from\s*)(['"])\.\/__wasm_split\.js\2/g;
  if (!imports.test(js)) throw new Error(`nexus.js does not import ${LINK}`);
  js = js.replace(imports, `$1$2./__wasm_split.${linkHash}.js$2`);
} else if (chunks.size > 0) {
  throw new Error('lazy chunks without __wasm_split.js');
}
writeFileSync(path(`nexus.${jsHash}.js`), js);
rmSync(path('nexus.js'));
lines.push(`js: ${jsHash}`);
console.log(lines.join('\n'));

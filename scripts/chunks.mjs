// What a first visit to each area fetches for code, read off a built site: wasm-split's loader (__wasm_split.*.js)
// names each split module's file and the shared chunks it loads with it.
//
//   node scripts/chunks.mjs [target/site/pkg]
//
// Prints, per split module (one per area, `<area>_pages`), the files fetched (its own, the shared chunks it needs)
// and their brotli size; then the first load (nexus.*.wasm and .js, the loader). The README records these figures.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'target/site/pkg';
const names = readdirSync(dir);
const loaderName = names.find((n) => /^__wasm_split\.[0-9a-f]+\.js$/.test(n));
if (!loaderName) {
  console.error(`no __wasm_split.*.js in ${dir}: build the site first (scripts/build)`);
  process.exit(1);
}
const loader = readFileSync(join(dir, loaderName), 'utf8');
const br = (file) => {
  try {
    return statSync(join(dir, `${file}.br`)).size;
  } catch {
    return statSync(join(dir, file)).size;
  }
};

// Every loader: `const <name> = [wrapAsyncCb(]makeLoad(() => { … new URL("./<file>" … }, [<deps>])`.
const defs = new Map();
const re = /(?:export )?const (\w+) = (?:wrapAsyncCb\()?makeLoad\(\(\) => \{[\s\S]*?new URL\("\.\/([^"]+)"[\s\S]*?\n\}\s*,\s*\[([^\]]*)\]\)/g;
for (const m of loader.matchAll(re)) {
  defs.set(m[1], { file: m[2], deps: m[3].split(',').map((d) => d.trim()).filter(Boolean) });
}
const files = (name, seen = new Set()) => {
  const d = defs.get(name);
  if (!d || seen.has(name)) return [];
  seen.add(name);
  return [d.file, ...d.deps.flatMap((dep) => files(dep, seen))];
};
const kb = (n) => `${(n / 1000).toFixed(0)} KB`;
const first = names.filter((n) => /^nexus\.[0-9a-f]+\.(wasm|js)$/.test(n));
console.log(`first load: ${first.join(' + ')}, ${kb(first.reduce((s, f) => s + br(f), 0))} brotli ` +
  `(${loaderName}, ${kb(br(loaderName))}, comes with the first lazy page)`);
const modules = [...defs.keys()].filter((k) => k.startsWith('__wasm_split_load_'));
const chunks = [...defs.keys()].length - modules.length;
console.log(`${modules.length} split modules, ${chunks} shared chunks`);
for (const m of modules) {
  const fs = files(m);
  console.log(`  ${m.replace('__wasm_split_load_', '').replace(/_\d+$/, '').padEnd(20)} ` +
    `${String(fs.length).padStart(3)} files (+ the loader)  ${kb(fs.reduce((s, f) => s + br(f), 0)).padStart(8)} brotli`);
}

// The shell list of the service worker, generated after every PWA build (Trunk's post-build hook, see
// Trunk.toml): every file Trunk wrote but sw.js itself and the compressed copies (FILE.br, FILE.gz: the browser
// asks for the file and the server picks the copy), and a version hashed from their names and bytes,
// written into sw.js's `const BUILD = …;` line. Run by hand on a built folder: node scripts/precache.mjs DIR
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("usage: node scripts/precache.mjs DIR (or run as Trunk's post_build hook)");
  process.exit(2);
}

function walk(folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const swPath = join(dir, "sw.js");
const files = walk(dir)
  .filter((path) => path !== swPath && !/\.(br|gz)$/.test(path))
  .map((path) => ({ path, url: "/" + relative(dir, path).split(sep).join("/") }))
  .sort((a, b) => (a.url < b.url ? -1 : 1));
const hash = createHash("sha256");
for (const f of files) {
  hash.update(f.url + "\0");
  hash.update(readFileSync(f.path));
}
const build = { version: hash.digest("hex").slice(0, 16), files: files.map((f) => f.url) };

const line = /^const BUILD = .*;$/m;
const sw = readFileSync(swPath, "utf8");
if (!line.test(sw)) {
  console.error(`${swPath} has no "const BUILD = …;" line to fill`);
  process.exit(1);
}
writeFileSync(swPath, sw.replace(line, `const BUILD = ${JSON.stringify(build)};`));
console.log(`precache: ${build.files.length} files, version ${build.version}`);

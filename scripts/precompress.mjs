// Brotli (quality 11) and gzip (level 9) copies of every text and wasm file of a PWA build, written beside each
// file as FILE.br and FILE.gz, so the server sends the smallest copy the browser accepts without compressing on
// the fly (src/server/static_files.rs). Runs last in Trunk's post_build hook (after precache.mjs has written
// sw.js); by hand on a built folder: node scripts/precompress.mjs DIR
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { extname, join } from "node:path";

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("usage: node scripts/precompress.mjs DIR (or run as Trunk's post_build hook)");
  process.exit(2);
}

const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".wasm", ".css", ".json", ".webmanifest", ".svg", ".txt"]);

function walk(folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

let written = 0;
let original = 0;
let brotli = 0;
for (const path of walk(dir)) {
  if (!COMPRESSIBLE.has(extname(path))) continue;
  const bytes = readFileSync(path);
  const copies = {
    br: brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
        [constants.BROTLI_PARAM_MODE]: extname(path) === ".wasm" ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
      },
    }),
    gz: gzipSync(bytes, { level: 9 }),
  };
  for (const [ext, copy] of Object.entries(copies)) {
    // A copy that saves nothing is not worth a second file: the server then sends the file itself.
    if (copy.length < bytes.length) {
      writeFileSync(`${path}.${ext}`, copy);
      written += 1;
    } else {
      rmSync(`${path}.${ext}`, { force: true });
    }
  }
  original += bytes.length;
  brotli += Math.min(copies.br.length, bytes.length);
}
console.log(`precompress: ${written} copies; ${original} B → ${brotli} B with brotli`);

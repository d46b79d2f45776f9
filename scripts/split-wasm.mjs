// Cuts the PWA's wasm into a first chunk and lazily loaded ones (Trunk's post-build hook, before precache.mjs;
// see Trunk.toml). Every page but the first screens is cut off at a split point of its own (`split_pages!` in
// src/app/mod.rs, wasm_split's fallible form): `wasm-split-cli` moves its code into a chunk of its own, which the app
// fetches when the first screen is idle or when the page is first opened.
//
// Trunk 0.21 cannot split, so this redoes its wasm step from cargo's output (linked with `--emit-relocs`, see
// .cargo/config.toml): wasm-split-cli → wasm-bindgen --keep-lld-exports (the first chunk only) → wasm-opt -Oz on
// every chunk, then names each file by its content (`chunk_3-<hash>.wasm`, `__wasm_split-<hash>.js`) so the server
// may let browsers cache them for a year, and writes them over Trunk's output under Trunk's names.
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { promisify } from "node:util";
import { join } from "node:path";
import { minify } from "terser";

const dist = process.env.TRUNK_STAGING_DIR;
if (!dist) {
  console.error("split-wasm: run as Trunk's post_build hook (TRUNK_STAGING_DIR is not set)");
  process.exit(2);
}
const profile = process.env.TRUNK_PROFILE === "release" ? "wasm-release" : "debug";
const targetDir = process.env.CARGO_TARGET_DIR ?? "target";
const linked = join(targetDir, "wasm32-unknown-unknown", profile, "suishoupai.wasm");
const bgName = readdirSync(dist).find((f) => /^suishoupai-[0-9a-f]+_bg\.wasm$/.test(f));
if (!bgName || !existsSync(linked)) {
  console.error(`split-wasm: Trunk's wasm (${bgName}) or cargo's (${linked}) is missing`);
  process.exit(1);
}
const name = bgName.replace(/_bg\.wasm$/, "");
const execFileAsync = promisify(execFile);
const run = (cmd, args) => execFileSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"] });
const hash16 = (bytes) => createHash("sha256").update(bytes).digest("hex").slice(0, 16);
// The wasm features rustc 1.95 emits for wasm32-unknown-unknown, which wasm-opt must accept.
const optFlags = [
  "--enable-bulk-memory",
  "--enable-nontrapping-float-to-int",
  "--enable-sign-ext",
  "--enable-mutable-globals",
  "--enable-reference-types",
];
const release = profile === "wasm-release";
const SMALL_CHUNK = 16 * 1024;

const work = mkdtempSync(join(tmpdir(), "suishoupai-split-"));
try {
  const split = join(work, "split");
  const bound = join(work, "bound");
  run("wasm-split-cli", [linked, split, "--out-name", name]);
  run("wasm-bindgen", ["--target", "web", "--keep-lld-exports", "--no-typescript", "--out-name", name, "--out-dir", bound, join(split, `${name}.wasm`)]);

  // Each file once through wasm-opt (release only, as many at once as there are cores), then named by its bytes.
  // Small chunks are left as they are: wasm-opt takes a second to start (binaryen from npm) and saves little there.
  const optimised = async (from) => {
    if (!release || statSync(from).size < SMALL_CHUNK) return readFileSync(from);
    const to = `${from}.opt`;
    await execFileAsync("wasm-opt", ["-Oz", ...optFlags, from, "-o", to]);
    return readFileSync(to);
  };
  const chunks = readdirSync(split).filter((f) => f.endsWith(".wasm") && f !== `${name}.wasm`);
  const jobs = [join(bound, `${name}_bg.wasm`), ...chunks.map((c) => join(split, c))];
  const done = new Map();
  let next = 0;
  await Promise.all(
    Array.from({ length: availableParallelism() }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        done.set(job, await optimised(job));
      }
    })
  );
  writeFileSync(join(dist, bgName), done.get(jobs[0]));
  let loader = readFileSync(join(split, "__wasm_split.js"), "utf8");
  for (const chunk of chunks) {
    const bytes = done.get(join(split, chunk));
    const hashed = chunk.replace(/\.wasm$/, `-${hash16(bytes)}.wasm`);
    writeFileSync(join(dist, hashed), bytes);
    const url = `"./${chunk}"`;
    if (!loader.includes(url)) throw new Error(`__wasm_split.js does not name ${chunk}`);
    loader = loader.replaceAll(url, `"./${hashed}"`);
  }
  // The release's JavaScript minified (wasm-bindgen's glue and the chunk loader): a third of their gzipped bytes.
  // Export names stay, so index.html's loader and the glue's imports find them.
  const small = async (code) => (release ? (await minify(code, { module: true, ecma: 2020 })).code : code);
  loader = await small(loader);
  const loaderName = `__wasm_split-${hash16(loader)}.js`;
  writeFileSync(join(dist, loaderName), loader);
  // Only the module imports: the wasm's own import names stay `./__wasm_split.js`.
  const main = await small(
    readFileSync(join(bound, `${name}.js`), "utf8").replaceAll('from "./__wasm_split.js"', `from "./${loaderName}"`)
  );
  writeFileSync(join(dist, `${name}.js`), main);
  if (existsSync(join(bound, "snippets"))) cpSync(join(bound, "snippets"), join(dist, "snippets"), { recursive: true });
  console.log(`split-wasm: ${name} and ${chunks.length} chunks`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

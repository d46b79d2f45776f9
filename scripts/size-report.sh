#!/usr/bin/env bash
# Prints the gzipped size (gzip -9) and the brotli size (quality 11, as scripts/precompress.mjs writes the copies
# the server sends) of every asset of the first load — index.html and each file it references — and their total.
# The budget is on the gzipped total. Run after a release build (scripts/run.sh or scripts/test.sh build dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
dist="${1:-dist}"
[ -f "$dist/index.html" ] || { echo "no $dist/index.html: build the PWA first" >&2; exit 1; }

files=(index.html)
while IFS= read -r f; do
  [ -f "$dist/$f" ] && files+=("$f")
done < <(grep -oE '"/[A-Za-z0-9._-]+\.(js|wasm|css|webmanifest|svg|png)"' "$dist/index.html" | tr -d '"/' | sort -u)
# What those scripts import statically is loaded before the app starts too (the chunk loader, __wasm_split-….js);
# the lazily loaded chunks it fetches later are not.
while IFS= read -r f; do
  [ -f "$dist/$f" ] && files+=("$f")
done < <(for f in "${files[@]}"; do
  case "$f" in *.js) grep -oE 'from ?"\./[A-Za-z0-9._-]+\.js"' "$dist/$f" | sed -E 's/from ?"\.\/(.*)"/\1/' || true ;; esac
done | sort -u)

brotli_size() {
  node -e 'const z = require("node:zlib"); const b = require("node:fs").readFileSync(process.argv[1]);
    process.stdout.write(String(z.brotliCompressSync(b, { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11,
      [z.constants.BROTLI_PARAM_SIZE_HINT]: b.length } }).length));' "$1"
}

total_raw=0
total_gz=0
total_br=0
printf '%-44s %10s %10s %10s\n' "asset" "bytes" "gzipped" "brotli"
for f in "${files[@]}"; do
  raw=$(wc -c <"$dist/$f")
  gz=$(gzip -9c "$dist/$f" | wc -c)
  br=$(brotli_size "$dist/$f")
  total_raw=$((total_raw + raw))
  total_gz=$((total_gz + gz))
  total_br=$((total_br + br))
  printf '%-44s %10d %10d %10d\n' "$f" "$raw" "$gz" "$br"
done
printf '%-44s %10d %10d %10d\n' "total (first load)" "$total_raw" "$total_gz" "$total_br"

# The budget (bytes, gzipped): the test command fails when the first load grows past it.
budget="${FIRST_LOAD_BUDGET:-}"
if [ -n "$budget" ] && [ "$total_gz" -gt "$budget" ]; then
  echo "first load $total_gz B gzipped: over the budget of $budget B" >&2
  exit 1
fi

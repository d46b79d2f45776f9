#!/usr/bin/env bash
# Prints the gzipped size (gzip -9) of every asset of the first load — index.html and each file it references —
# and their total. Run after a release build (scripts/run.sh or scripts/test.sh build dist/).
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
  case "$f" in *.js) grep -oE 'from "\./[A-Za-z0-9._-]+\.js"' "$dist/$f" | sed -E 's/from "\.\/(.*)"/\1/' || true ;; esac
done | sort -u)

total_raw=0
total_gz=0
printf '%-44s %10s %10s\n' "asset" "bytes" "gzipped"
for f in "${files[@]}"; do
  raw=$(wc -c <"$dist/$f")
  gz=$(gzip -9c "$dist/$f" | wc -c)
  total_raw=$((total_raw + raw))
  total_gz=$((total_gz + gz))
  printf '%-44s %10d %10d\n' "$f" "$raw" "$gz"
done
printf '%-44s %10d %10d\n' "total (first load)" "$total_raw" "$total_gz"

# The budget (bytes, gzipped): the test command fails when the first load grows past it.
budget="${FIRST_LOAD_BUDGET:-}"
if [ -n "$budget" ] && [ "$total_gz" -gt "$budget" ]; then
  echo "first load $total_gz B gzipped: over the budget of $budget B" >&2
  exit 1
fi

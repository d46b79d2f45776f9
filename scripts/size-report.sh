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

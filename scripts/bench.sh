#!/usr/bin/env bash
# The benchmarks, measured in one run and each beside a baseline of the same run: first load (beside a minimal Leptos
# CSR app), photo (beside FixMyStreet's web settings), tap to saved, outbox drain (loopback and a slow, lossy proxy),
# server load (beside raw SQLite inserts), growth (1,000 against 1,000,000 reports) and live changes (the page live and
# by the poll; 1,000 streams) and a storm of reports (at one spot beside spread out). Writes BENCHMARKS.md, then exits non-zero if a budget is exceeded or a benchmark
# failed. Not part of scripts/test.sh. Ports 18100–18199.
#
#   scripts/bench.sh --live   only section 9 (live changes), spliced into the existing BENCHMARKS.md
#   scripts/bench.sh --storm  only section 10 (a storm of reports), likewise
#   scripts/bench.sh --drain  only sections 3 and 4 (tap to saved, the outbox drain), likewise
#   scripts/bench.sh --first-load  only section 1 (first load, both builds), likewise; exits 1 over the budget
#   scripts/bench.sh --postgres    only section 11 (PostgreSQL: load with one and two instances, growth), in a
#                                  throwaway cluster (pg_virtualenv), likewise
set -uo pipefail
source "$(dirname "$0")/lib.sh"

BENCH_DIR="$ROOT/target/bench"
MINIMAL_DIR="$ROOT/target/minimal-leptos"
export BENCH_DIR
set -e
ensure_build_tools
apt_install chromium fonts-noto-cjk python3
mkdir -p "$BENCH_DIR/phone"
rm -f "$BENCH_DIR"/*.json "$BENCH_DIR"/*.txt "$BENCH_DIR"/phone/*.db*
set +e

failed=()
started=$(date +%s)
# step NAME COMMAND…: runs it, records its seconds in $BENCH_DIR/steps.txt, and remembers a failure.
step() {
  local name="$1" t0 rc
  shift
  t0=$(date +%s)
  "$@"
  rc=$?
  printf '%s\t%s\t%s\n' "$name" "$(($(date +%s) - t0))" "$rc" >>"$BENCH_DIR/steps.txt"
  [ "$rc" -eq 0 ] || failed+=("$name")
  return "$rc"
}

# The minimal app is linked as a plain Leptos app is: without the relocations the PWA keeps for its split
# (.cargo/config.toml, which cargo finds from benches/ too; set, RUSTFLAGS replaces it).
build_minimal() {
  (cd benches/minimal-leptos &&
    RUSTFLAGS="" CARGO_TARGET_DIR="$MINIMAL_DIR" TRUNK_OFFLINE=true TRUNK_SKIP_VERSION_CHECK=true \
      trunk build --release --dist "$MINIMAL_DIR/dist")
}
build_pwa_for_bench() {
  TRUNK_OFFLINE=true TRUNK_SKIP_VERSION_CHECK=true trunk build --release --dist "$BENCH_DIR/dist"
}
sizes() {
  scripts/size-report.sh "$BENCH_DIR/dist" >"$BENCH_DIR/first-load-app.txt" &&
    scripts/size-report.sh "$MINIMAL_DIR/dist" >"$BENCH_DIR/first-load-minimal.txt" &&
    cat "$BENCH_DIR/first-load-app.txt" "$BENCH_DIR/first-load-minimal.txt"
}
server_bench() {
  cargo bench --bench server -- --out "$BENCH_DIR" --bin target/release/suishoupai --dist "$BENCH_DIR/dist" \
    --port 18110
}
phone_bench() {
  BENCH_DIST="$BENCH_DIR/dist" BENCH_SERVER_BIN=target/release/suishoupai BENCH_PORT=18101 \
    BENCH_SLOW_SERVER_PORT=18102 BENCH_PROXY_PORT=18103 \
    npx playwright test -c benches/playwright.bench.config.ts "$@"
}

if [ "${1:-}" = "--live" ]; then
  step "build the PWA" build_pwa_for_bench
  step "build the server" cargo build --release --bin suishoupai
  step "live page" env BENCH_DIST="$BENCH_DIR/dist" BENCH_SERVER_BIN=target/release/suishoupai BENCH_PORT=18101 \
    npx playwright test -c benches/playwright.bench.config.ts live.bench.ts
  step "live streams" python3 benches/live.py target/release/suishoupai "$BENCH_DIR"
  node benches/report.mjs "$BENCH_DIR" BENCHMARKS.md --only "## 9. Live changes"
  [ ${#failed[@]} -eq 0 ] || { say "failed: ${failed[*]}"; exit 1; }
  exit 0
fi

if [ "${1:-}" = "--postgres" ]; then
  apt_install postgresql
  step "build the server" cargo build --release --bin suishoupai
  # The cluster is Debian's defaults but for room for 64 clients, two instances and the raw inserts' connections.
  step "postgres" pg_virtualenv -o max_connections=300 bash -c 'SUISHOUPAI_KEY_FILE="$BENCH_DIR/pg-code.key" \
    cargo bench --bench postgres -- --url "postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/postgres" \
    --out "$BENCH_DIR" --bin target/release/suishoupai --dist dist --port 18150'
  node benches/report.mjs "$BENCH_DIR" BENCHMARKS.md --only "## 11. PostgreSQL"
  [ ${#failed[@]} -eq 0 ] || { say "failed: ${failed[*]}"; exit 1; }
  exit 0
fi

if [ "${1:-}" = "--storm" ]; then
  step "build the server" cargo build --release --bin suishoupai
  step "storm of reports" python3 benches/storm.py target/release/suishoupai "$BENCH_DIR"
  node benches/report.mjs "$BENCH_DIR" BENCHMARKS.md --only "## 10. A storm of reports"
  [ ${#failed[@]} -eq 0 ] || { say "failed: ${failed[*]}"; exit 1; }
  exit 0
fi

if [ "${1:-}" = "--drain" ]; then
  step "build the PWA" build_pwa_for_bench
  step "build the server" cargo build --release --bin suishoupai
  step "tap to saved and drain" phone_bench -g "tap to saved"
  node benches/report.mjs "$BENCH_DIR" BENCHMARKS.md --only "## 3. Tap to saved" --only "## 4. Outbox drain"
  [ ${#failed[@]} -eq 0 ] || { say "failed: ${failed[*]}"; exit 1; }
  exit 0
fi

if [ "${1:-}" = "--first-load" ]; then
  step "build the PWA" build_pwa_for_bench
  step "build the minimal app" build_minimal
  step "first load sizes" sizes
  node benches/report.mjs "$BENCH_DIR" BENCHMARKS.md --only "## 1. First load" || failed+=("budget")
  [ ${#failed[@]} -eq 0 ] || { say "failed: ${failed[*]}"; exit 1; }
  exit 0
fi

say "first load: the PWA and a minimal Leptos CSR app, both with trunk build --release (profile wasm-release, wasm-opt -Oz)"
step "build the PWA" build_pwa_for_bench
step "build the minimal Leptos app" build_minimal
step "first load sizes" sizes
say "the release server"
step "build the server" cargo build --release --bin suishoupai
say "district files: 1,000 grids and 5,000 people imported with the release binary"
step "district files" python3 benches/district.py target/release/suishoupai "$BENCH_DIR"
say "district figures: GET /stats and /warnings over 1,000,000 reports"
step "district figures" python3 benches/figures.py target/release/suishoupai "$BENCH_DIR"
say "server: 64 concurrent clients, raw SQLite inserts, growth to 1,000,000 reports"
step "server and growth" server_bench
say "phone: photo, tap to saved, outbox drain, live changes (Playwright in Chromium, the release PWA)"
step "phone" phone_bench
say "live changes: 1,000 streams on the release server"
step "live streams" python3 benches/live.py target/release/suishoupai "$BENCH_DIR"
say "a storm of reports: 64 riders, rounds of 960 reports at one spot and spread out"
step "storm of reports" python3 benches/storm.py target/release/suishoupai "$BENCH_DIR"

printf 'total\t%s\t0\n' "$(($(date +%s) - started))" >>"$BENCH_DIR/steps.txt"
say "writing BENCHMARKS.md"
node benches/report.mjs "$BENCH_DIR" BENCHMARKS.md
verdict=$?
if [ ${#failed[@]} -gt 0 ]; then
  say "failed: ${failed[*]}"
  exit 1
fi
exit "$verdict"

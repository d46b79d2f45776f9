#!/usr/bin/env bash
# Every test, after installing what is missing: formatting and lints, native unit and integration tests (on SQLite,
# then on PostgreSQL in a throwaway cluster),
# wasm tests in headless Chromium, and Playwright end-to-end tests against the release PWA on the real server.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_build_tools
apt_install chromium chromium-driver fonts-noto-cjk

say "cargo fmt --check"
cargo fmt --all -- --check
say "cargo clippy (server and phone)"
cargo clippy --all-targets -- -D warnings
cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings

say "native tests: domain rules, the server over real HTTP, the command line"
cargo test

say "wasm tests in headless Chromium: the IndexedDB store"
CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown

build_pwa
say "size report (gzipped first load; fails over the budget)"
# The first chunk, its loader, the shell and the styles: 426 KB gzipped when this budget was first set; 468,106 B
# once the concerns reached the phone (their outbox kinds, store and sync code are in the first chunk).
FIRST_LOAD_BUDGET=375000 scripts/size-report.sh

say "end-to-end tests: Playwright in Chromium at 360×640 against the real server"
cargo build --bin suishoupai
E2E_SERVER_BIN=target/debug/suishoupai npx playwright test

# PostgreSQL (Debian's package; its postgresql-common brings pg_virtualenv) and nginx: one throwaway cluster on a
# loopback port for every test that needs it, removed afterwards; the same build. Nothing else needs either.
apt_install postgresql nginx
say "PostgreSQL: native tests, two instances behind nginx under chaos, a migrated district (pg_virtualenv)"
if ! pg_virtualenv -o max_connections=200 scripts/test-postgres.sh; then
  say "the PostgreSQL tests failed; the end of what they printed (all of it in target/test-postgres.log):"
  tail -n 150 target/test-postgres.log >&2
  exit 1
fi

say "schemathesis: the real server against its own OpenAPI document, as each role"
scripts/schemathesis.sh
say "all tests passed"

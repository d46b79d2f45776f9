#!/usr/bin/env bash
# The front door: installs what is missing, builds the PWA and the server in release, and serves both with demo
# data on http://127.0.0.1:8080 (database in ./data). Extra arguments go to `suishoupai serve`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_build_tools
build_pwa
say "cargo build --release (the server)"
cargo build --release --bin suishoupai
say "serving on http://${SUISHOUPAI_ADDR:-127.0.0.1:8080} (Ctrl-C stops)"
exec target/release/suishoupai serve --demo "$@"

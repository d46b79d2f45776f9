#!/usr/bin/env bash
# A screenshot of every main screen at 360×640 in Chinese and in English, into docs/screens/ (README shows them):
# the release PWA on the real server, in the system Chromium (tests/screens/, playwright.screens.config.ts).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_build_tools
apt_install chromium fonts-noto-cjk
build_pwa
say "cargo build (the server)"
cargo build --bin suishoupai
say "screenshots at 360×640 into docs/screens/"
E2E_SERVER_BIN=target/debug/suishoupai npx playwright test --config playwright.screens.config.ts
ls -l docs/screens/*.png | awk '{ total += $5; print $5, $9 } END { print total, "bytes in all" }'

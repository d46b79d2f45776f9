#!/usr/bin/env bash
# The chaos suite for longer than CI runs it: riders and a grid worker in Chromium under a seeded random schedule
# of faults (network cuts, SIGKILL and restart, responses lost after commit, 500/502/503/429, resets, slow links,
# tabs closed after sending), then the set check: lost 0, duplicated 0, integrity ok.
#   scripts/chaos.sh [--minutes N (default 10)] [--seed S (replays a run)]
# Needs the PWA in dist/ and the server binary (scripts/test.sh or scripts/run.sh build both).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

minutes=10
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --seed) export CHAOS_SEED="$2"; shift 2 ;;
    *) echo "usage: scripts/chaos.sh [--minutes N] [--seed S]" >&2; exit 2 ;;
  esac
done
ensure_node_modules
[ -f dist/index.html ] || { ensure_build_tools; build_pwa; }
[ -x target/debug/suishoupai ] || cargo build --bin suishoupai
say "chaos for $minutes minutes"
CHAOS_SECONDS=$((minutes * 60)) E2E_PORT="${E2E_PORT:-18250}" E2E_SERVER_BIN=target/debug/suishoupai \
  npx playwright test tests/e2e/chaos.spec.ts --output=target/chaos-results

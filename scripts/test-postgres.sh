#!/usr/bin/env bash
# The tests that need PostgreSQL, run by scripts/test.sh inside one throwaway cluster (pg_virtualenv sets PGHOST,
# PGPORT, PGUSER and PGPASSWORD, and removes the cluster afterwards): every native test again on PostgreSQL, each
# test server on a fresh database of its own.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

: "${PGHOST:?run me through pg_virtualenv (see scripts/test.sh)}"
export SUISHOUPAI_TEST_PG="postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/postgres"

say "native tests on PostgreSQL $(psql -tAc 'SHOW server_version')"
cargo test --test all

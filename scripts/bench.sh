#!/usr/bin/env bash
# `make bench`: requests per second of govhall's pages as a ratio to a bare JSON view, served by
# gunicorn with 2 sync workers on 127.0.0.1 and loaded by wrk for a bounded time.
set -euo pipefail
export GOVHALL_DATA_DIR="${GOVHALL_DATA_DIR:-$PWD/var/bench}"
export DEBUG=0
export SECRET_KEY="${SECRET_KEY:-bench-only-key-not-for-production-$(date +%s)-padding-padding}"
govhall=.venv/bin/govhall
$govhall migrate --no-input -v 0
$govhall seed_demo >/dev/null
$govhall collectstatic --no-input -v 0
# Supervision on 2 million cases of history: opt-in, since seeding takes minutes the first time
# (see docs/benchmarks.md); it uses its own database, not var/bench.
if [ "${GOVHALL_BENCH_HISTORY:-0}" = 1 ]; then
  .venv/bin/python scripts/bench_supervision.py
fi
exec .venv/bin/python scripts/bench.py "$@"

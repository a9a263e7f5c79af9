#!/usr/bin/env bash
# Run the whole test suite against real parts: SQLite, a PostgreSQL cluster this script
# starts (and stops), Debian chromium for the browser tests, the real shipped models.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

if [ -z "${FACTDESK_TEST_PG_URL:-}" ] && [ -x scripts/pg.sh ]; then
  FACTDESK_TEST_PG_URL=$(scripts/pg.sh start)
  export FACTDESK_TEST_PG_URL
  trap 'scripts/pg.sh stop >/dev/null 2>&1 || true' EXIT
fi
if [ $# -eq 0 ]; then  # the full run also lints and type-checks
  ruff check factdesk tests bench
  ruff format --check factdesk tests bench
  mypy factdesk
fi
python -m pytest "$@"

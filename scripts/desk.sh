#!/usr/bin/env bash
# Open the web desk on the demo corpus: ingest it, create an editor, print the token, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${FACTDESK_DB:-demo.db}
.venv/bin/factdesk ingest examples/demo_corpus --db "$DB" --no-progress
echo "Log in as editor 'demo' with this token (shown once):"
.venv/bin/factdesk user add demo --role editor --db "$DB"
echo "Open http://${HOST:-127.0.0.1}:${PORT:-8000}/ and submit the seed claim (see README)."
exec .venv/bin/factdesk serve --db "$DB" --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"

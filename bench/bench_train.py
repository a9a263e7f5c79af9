"""Stance training speed, side by side: the v2 recipe against faster ones, same batches, same run.

Each variant starts from the same MiniLM-L6 weights and fresh head (same seed) and trains on
the same pairs in the same order; the variants take their steps in turn (round robin), so a
busy neighbour on the shared cores slows them all alike. Reported per variant:

- pairs/s over the timed steps (the first ``--warmup`` steps of each are left out);
- the mean training loss of the last 10 steps, and the loss and accuracy on 512 held-out
  pairs after the run (scored in fp32), so a faster recipe cannot buy its speed with a
  worse model;
- the speed-up against ``v2`` (fp32, batch 32: the recipe of the shipped v2 model).

    python bench/bench_train.py                       # default variants, 60 steps each (~15 min on 2 cores)
    python bench/bench_train.py --steps 20 --variants v2,bf16

Needs the train extra and ../shared (skips with a message without it). Appends to
bench/results/train-speed.jsonl.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from factdesk.config import shared_root  # noqa: E402
from factdesk.eval.records import append_record, make_record  # noqa: E402

VARIANTS: dict[str, dict[str, Any]] = {
    # name: precision, batch size, bottom layers frozen
    "v2": {"precision": "fp32", "batch": 32, "freeze": 2},
    "bf16": {"precision": "bf16", "batch": 32, "freeze": 2},
    "bf16-b64": {"precision": "bf16", "batch": 64, "freeze": 2},
    "bf16-b64-f3": {"precision": "bf16", "batch": 64, "freeze": 3},
}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(shared_root()))
    ap.add_argument("--variants", default="v2,bf16,bf16-b64")
    ap.add_argument("--steps", type=int, default=60, help="steps of the batch-32 variants (b64: half)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lr", type=float, default=6e-5)
    ap.add_argument("--no-record", action="store_true")
    args = ap.parse_args(argv)

    root = Path(args.data)
    if not (root / "nli").is_dir():
        print(f"skip: {root}/nli not found (the shared NLI sets); pass --data", file=sys.stderr)
        return {}
    import torch

    from factdesk.train.finetune import base_model_path, encode_pairs, make_optimizer, make_tokenizer, pad_batch
    from factdesk.train.stance import StanceTrainConfig, build_model
    from factdesk.train.stance_data import LABELS, V3_MIX, build_mix

    torch.set_num_threads(args.threads)
    names = [v.strip() for v in args.variants.split(",") if v.strip()]
    for n in names:
        if n not in VARIANTS:
            raise SystemExit(f"unknown variant {n!r}: choose from {sorted(VARIANTS)}")
    n_train = args.steps * 32
    pairs = build_mix(root, V3_MIX, seed=13)[: n_train + 512]
    train, val = pairs[:n_train], pairs[n_train:]
    tok = make_tokenizer(base_model_path() / "tokenizer.json", 128)
    enc = encode_pairs(tok, [(p.claim, p.evidence) for p in train])
    y = np.array([LABELS.index(p.label) for p in train], dtype=np.int64)
    enc_val = encode_pairs(tok, [(p.claim, p.evidence) for p in val])
    y_val = np.array([LABELS.index(p.label) for p in val], dtype=np.int64)
    # Same order for all: length-sorted buckets of 64, split in two for the batch-32 variants.
    rng = random.Random(13)
    order = list(range(len(train)))
    rng.shuffle(order)
    b64 = []
    for s in range(0, len(order), 64 * 20):
        chunk = sorted(order[s : s + 64 * 20], key=lambda i: len(enc[i][0]))
        b64 += [chunk[j : j + 64] for j in range(0, len(chunk), 64)]
    rng.shuffle(b64)
    b32 = [b[k : k + 32] for b in b64 for k in (0, 32) if b[k : k + 32]]

    runs: dict[str, dict[str, Any]] = {}
    for n in names:
        v = VARIANTS[n]
        torch.manual_seed(13)
        model, _ = build_model(StanceTrainConfig(freeze_layers=v["freeze"]))
        model.train()
        runs[n] = {
            "model": model,
            "opt": make_optimizer(model, args.lr, 0.01),
            "plan": b64 if v["batch"] == 64 else b32,
            "step": 0,
            "timed_s": 0.0,
            "timed_pairs": 0,
            "losses": [],
        }

    def one_step(n: str) -> None:
        r, v = runs[n], VARIANTS[n]
        idx = r["plan"][r["step"]]
        ids, mask, types = pad_batch([enc[i] for i in idx])
        t0 = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=v["precision"] == "bf16"):
            out = r["model"](
                input_ids=torch.from_numpy(ids),
                attention_mask=torch.from_numpy(mask),
                token_type_ids=torch.from_numpy(types),
                labels=torch.from_numpy(y[idx]),
            )
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(r["model"].parameters(), 1.0)
        r["opt"].step()
        r["opt"].zero_grad(set_to_none=True)
        dt = time.perf_counter() - t0
        r["step"] += 1
        r["losses"].append(float(out.loss.detach()))
        if r["step"] > args.warmup:
            r["timed_s"] += dt
            r["timed_pairs"] += len(idx)

    t_all = time.time()
    # Round robin over equal numbers of pairs: a batch-64 variant takes one step per two of the others.
    for k in range(len(b32)):
        for n in names:
            if VARIANTS[n]["batch"] == 32 or k % 2 == 0:
                if runs[n]["step"] < len(runs[n]["plan"]):
                    one_step(n)
        if k % 10 == 0:
            print(f"[bench_train] pair-step {k}/{len(b32)}", file=sys.stderr, flush=True)

    results: dict[str, Any] = {}
    for n in names:
        r = runs[n]
        m = r["model"]
        m.eval()
        with torch.inference_mode():
            losses, correct = [], 0
            for s in range(0, len(enc_val), 64):
                ids, mask, types = pad_batch(enc_val[s : s + 64])
                yy = torch.from_numpy(y_val[s : s + 64])
                out = m(
                    input_ids=torch.from_numpy(ids),
                    attention_mask=torch.from_numpy(mask),
                    token_type_ids=torch.from_numpy(types),
                    labels=yy,
                )
                losses.append(float(out.loss) * len(yy))
                correct += int((out.logits.argmax(-1) == yy).sum())
        results[n] = {
            **VARIANTS[n],
            "steps": r["step"],
            "pairs": sum(len(b) for b in r["plan"][: r["step"]]),
            "pairs_per_s": round(r["timed_pairs"] / max(r["timed_s"], 1e-9), 1),
            "train_loss_last10": round(float(np.mean(r["losses"][-10:])), 4),
            "val_loss": round(sum(losses) / len(enc_val), 4),
            "val_accuracy": round(correct / len(enc_val), 4),
        }
    if "v2" in results:
        for n in names:
            results[n]["speedup_vs_v2"] = round(results[n]["pairs_per_s"] / max(results["v2"]["pairs_per_s"], 1e-9), 2)
    metrics = {
        "variants": results,
        "steps_b32": args.steps,
        "threads": args.threads,
        "val_pairs": len(enc_val),
        "lr": args.lr,
    }
    print(json.dumps(metrics, indent=1))
    if not args.no_record:
        rec = make_record(
            "train-speed",
            metrics,
            time.time() - t_all,
            {"command": "python bench/bench_train.py " + " ".join(argv or sys.argv[1:])},
        )
        print(f"record: {append_record(rec)}", file=sys.stderr)
    return metrics


if __name__ == "__main__":
    main()

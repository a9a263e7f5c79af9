"""How far does MiniLM-L6 go on ClaimBuster? Fine-tuning variants, seeds, ensembles and a weight soup.

The shipped check-worthiness model scores F1 0.812 on the held-out ClaimBuster test part
(issue 5 asks for 0.85). This benchmark asks whether the recipe, not luck, is the limit: it
fine-tunes several variants on the same split as the shipped model (`load_splits`, seed 13,
ClaimBuster only), in fp32 torch (no export), and reports for each

- dev F1 and the dev-tuned threshold, test F1 at that threshold and at 0.5;
- the **oracle** test F1 (best threshold chosen on the test part itself): an upper bound on
  what any threshold could give that model, never a figure to claim;

then the logit average of the CLS seeds (an ensemble: N times the inference cost) and their
uniform weight average (a "soup": one model's cost; the seeds share the head's initial weights
so that their weights can be averaged).

    python bench/bench_checkworthy_variants.py                       # all variants, ~35 min on 2 cores
    python bench/bench_checkworthy_variants.py --variants cls:13 --epochs 1   # a quick look

Needs the train extra (torch, transformers) and ../shared/data/checkworthiness. Writes
bench/results/checkworthy-variants.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from factdesk.eval.records import git_state, machine  # noqa: E402
from factdesk.train.checkworthy import DEFAULT_DATA, _best_threshold, _f1, load_splits  # noqa: E402
from factdesk.train.checkworthy_model import FinetuneConfig, encode_sentences, epoch_plan  # noqa: E402

DEFAULT_VARIANTS = "cls:13,cls:14,cls:15,mean:13,cls:13:5:5e-5"


def parse_variant(spec: str, epochs: float, lr: float) -> dict[str, Any]:
    """``pool:seed[:epochs[:lr]]``, e.g. ``cls:13`` or ``cls:13:5:5e-5``."""
    parts = spec.split(":")
    if parts[0] not in ("cls", "mean") or len(parts) < 2:
        raise SystemExit(f"bad variant {spec!r}: use pool:seed[:epochs[:lr]] with pool cls or mean")
    return {
        "name": spec,
        "pool": parts[0],
        "seed": int(parts[1]),
        "epochs": float(parts[2]) if len(parts) > 2 else epochs,
        "lr": float(parts[3]) if len(parts) > 3 else lr,
    }


def build_model(pool: str, base: Path, head_seed: int) -> Any:
    """MiniLM with a fresh 2-way head on [CLS] (what ships) or on the mean of the tokens."""
    import torch
    from transformers import AutoModel, AutoModelForSequenceClassification

    torch.manual_seed(head_seed)  # the same head weights for every seed: the soup needs it
    if pool == "cls":
        return AutoModelForSequenceClassification.from_pretrained(str(base), num_labels=2)

    class MeanPooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = AutoModel.from_pretrained(str(base), add_pooling_layer=False)
            self.dropout = torch.nn.Dropout(0.1)
            self.classifier = torch.nn.Linear(self.bert.config.hidden_size, 2)

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any, labels: Any = None) -> Any:
            h = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(h.dtype)
            logits = self.classifier(self.dropout((h * m).sum(1) / m.sum(1).clamp(min=1)))
            loss = torch.nn.functional.cross_entropy(logits, labels) if labels is not None else None
            return type("Out", (), {"logits": logits, "loss": loss})()

    return MeanPooled()


def predict(model: Any, tok: Any, texts: list[str]) -> np.ndarray:
    """Raw logit margins (logit[1] - logit[0])."""
    import torch

    from factdesk.train.finetune import pad_batch

    model.eval()
    enc, out = encode_sentences(tok, texts), []
    with torch.no_grad():
        for i in range(0, len(enc), 128):
            ids, mask, types = pad_batch(enc[i : i + 128])
            z = model(
                input_ids=torch.from_numpy(ids),
                attention_mask=torch.from_numpy(mask),
                token_type_ids=torch.from_numpy(types),
            ).logits.numpy()
            out.append(z[:, 1] - z[:, 0])
    return np.concatenate(out).astype(np.float64)


def scores(yd: np.ndarray, zd: np.ndarray, yt: np.ndarray, zt: np.ndarray) -> dict[str, Any]:
    pd_, pt = 1 / (1 + np.exp(-zd)), 1 / (1 + np.exp(-zt))
    t, dev_f1 = _best_threshold(yd, pd_)
    oracle = max((_f1(yt, pt, float(c))["f1"], float(c)) for c in np.arange(0.02, 0.99, 0.01))
    return {
        "dev_f1": round(dev_f1, 4),
        "threshold": round(t, 2),
        "test": {k: round(v, 4) for k, v in _f1(yt, pt, t).items()},
        "test_f1_at_0.5": round(_f1(yt, pt, 0.5)["f1"], 4),
        "oracle_test_f1": round(oracle[0], 4),
        "oracle_threshold": round(oracle[1], 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(DEFAULT_DATA), help="folder with claimbuster_train.json")
    ap.add_argument("--variants", default=DEFAULT_VARIANTS, help="comma-separated pool:seed[:epochs[:lr]]")
    ap.add_argument("--epochs", type=float, default=3.0, help="default epochs (the shipped recipe: 3)")
    ap.add_argument("--lr", type=float, default=8e-5, help="default peak learning rate (shipped: 8e-5)")
    ap.add_argument("--out", default=str(REPO / "bench" / "results" / "checkworthy-variants.json"))
    args = ap.parse_args(argv)
    if not (Path(args.data) / "claimbuster_train.json").exists():
        print(f"skipped: {args.data}/claimbuster_train.json is absent (../shared/data not mounted)", file=sys.stderr)
        return 0
    try:
        import torch
    except ImportError:
        sys.exit("needs torch and transformers: pip install -e '.[train]'")
    from factdesk.claims.checkworthy import TOKENIZER_FILE
    from factdesk.train.finetune import base_model_path, make_tokenizer, plan_epochs, run_training

    torch.set_num_threads(2)
    variants = [parse_variant(s.strip(), args.epochs, args.lr) for s in args.variants.split(",") if s.strip()]
    base = FinetuneConfig(data=args.data, seed=13, use_ct=False)
    sp = load_splits(base.splits_config())
    tok = make_tokenizer(base_model_path() / TOKENIZER_FILE, base.max_length)
    yd = np.array([i.label for i in sp["dev"]])
    yt = np.array([i.label for i in sp["cb_test"]])
    dev_texts, test_texts = [i.text for i in sp["dev"]], [i.text for i in sp["cb_test"]]
    train = sp["train"]
    enc = encode_sentences(tok, [it.text for it in train])
    y = np.array([it.label for it in train], dtype=np.int64)
    lengths = [len(e[0]) for e in enc]

    result: dict[str, Any] = {
        "benchmark": "bench/bench_checkworthy_variants.py",
        "args": vars(args),
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "git": git_state(),
        "split": {k: len(v) for k, v in sp.items()},
        "variants": {},
        "combined": {},
    }
    margins: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    weights: dict[str, dict[str, Any]] = {}
    for v in variants:
        print(
            f"== {v['name']}: {v['pool']} pooling, seed {v['seed']}, {v['epochs']:g} epochs, lr {v['lr']:g}",
            file=sys.stderr,
            flush=True,
        )
        model = build_model(v["pool"], base_model_path(), head_seed=0)
        random.seed(v["seed"])
        np.random.seed(v["seed"])
        torch.manual_seed(v["seed"])
        cfg = FinetuneConfig(data=args.data, seed=v["seed"], use_ct=False, epochs=v["epochs"], lr=v["lr"])
        rng = random.Random(v["seed"])
        plan, _ = plan_epochs(functools.partial(epoch_plan, train, lengths, cfg, rng), v["epochs"])
        t = time.time()
        run_training(
            model,
            enc,
            y,
            plan,
            lr=v["lr"],
            weight_decay=cfg.weight_decay,
            warmup=cfg.warmup,
            max_minutes=None,
            log_every=200,
            log=lambda m: print(m, file=sys.stderr, flush=True),
            unit="sentences",
        )
        train_s = time.time() - t
        zd, zt = predict(model, tok, dev_texts), predict(model, tok, test_texts)
        margins[v["name"]] = (zd, zt)
        if v["pool"] == "cls":
            weights[v["name"]] = {k: w.detach().clone() for k, w in model.state_dict().items()}
        result["variants"][v["name"]] = {**v, **scores(yd, zd, yt, zt), "train_s": round(train_s)}
        print(json.dumps(result["variants"][v["name"]]), file=sys.stderr, flush=True)

    cls_3ep = [
        n
        for n, v in result["variants"].items()
        if v["pool"] == "cls" and v["epochs"] == args.epochs and v["lr"] == args.lr
    ]
    if len(cls_3ep) > 1:
        zd = np.mean([margins[n][0] for n in cls_3ep], 0)
        zt = np.mean([margins[n][1] for n in cls_3ep], 0)
        result["combined"]["logit_ensemble"] = {"members": cls_3ep, **scores(yd, zd, yt, zt)}
        soup_sd = {
            k: (sum(weights[n][k].float() for n in cls_3ep) / len(cls_3ep))
            if weights[cls_3ep[0]][k].is_floating_point()
            else weights[cls_3ep[0]][k]
            for k in weights[cls_3ep[0]]
        }
        soup = build_model("cls", base_model_path(), head_seed=0)
        soup.load_state_dict(soup_sd)
        result["combined"]["weight_soup"] = {
            "members": cls_3ep,
            **scores(yd, predict(soup, tok, dev_texts), yt, predict(soup, tok, test_texts)),
        }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    for name, r in {**result["variants"], **result["combined"]}.items():
        print(
            f"{name:16s} dev {r['dev_f1']:.3f}  test {r['test']['f1']:.3f} (at 0.5: {r['test_f1_at_0.5']:.3f})  "
            f"oracle {r['oracle_test_f1']:.3f}"
        )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

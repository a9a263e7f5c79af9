"""The "same claim" reranker: an int8 ONNX MiniLM cross-encoder, run by onnxruntime (no torch).

It reads (post, earlier check) pairs and gives one logit: how likely the check is of the same
claim as the post. The model folder (``factdesk/models/same_claim/`` by default) holds
``model.onnx``, ``tokenizer.json`` and ``config.json``; the config carries the calibration
(a logistic regression on the logit, the embeddings' cosine and the first-stage rank), the
decision threshold, how many first-stage candidates to score and whether to reorder them. ``python -m factdesk.train.same_claim`` rebuilds it and
``MODEL_CARD.md`` says on what.

>>> r = SameClaimReranker()
>>> r.warm_up()                                                                  # doctest: +SKIP
>>> lg = r.logits([("Obama freed 122 terrorists from Gitmo",
...                 "122 detainees released from Guantanamo have re-engaged in terrorism")])  # doctest: +SKIP
>>> r.calibrate(lg, cosines=np.array([0.71]))          # P(same claim), as the first candidate  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from factdesk.errors import ModelError

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "same_claim"


def check_pair_text(claim: str, title: str | None) -> str:
    """The check side of a reranker pair, as the model was trained on: the claim, then the
    title when it says something else."""
    return f"{claim} {title}".strip() if title and title != claim else claim


def rerank_order(first: Sequence[int], scores: Sequence[float] | np.ndarray) -> list[int]:
    """Final order of one query's candidates (`first`: first-stage order): the first
    ``len(scores)`` by `scores` (highest first, ties in first-stage order), then the rest as they were."""
    top = len(scores)
    head = list(first[:top])
    pos = {i: j for j, i in enumerate(head)}
    return sorted(head, key=lambda i: (-float(scores[pos[i]]), pos[i])) + list(first[top:])


FEATURES = ("logit", "cosine", "first_stage")
"""What the calibrated probability reads: the cross-encoder's logit, the embeddings' cosine and
the first-stage rank as 10 / (rrf_k + rank + 1)."""


def features(logits: np.ndarray, cosines: np.ndarray, rrf_k: int) -> np.ndarray:
    """(n, 3) features of a query's first n candidates, in first-stage order."""
    n = len(logits)
    return (
        np.stack(
            [
                np.asarray(logits, dtype=np.float64),
                np.asarray(cosines, dtype=np.float64),
                10.0 / (rrf_k + np.arange(n, dtype=np.float64) + 1),
            ],
            axis=1,
        )
        if n
        else np.zeros((0, 3))
    )


@runtime_checkable
class ClaimReranker(Protocol):
    """Scores (post, check text) pairs; `probabilities` are calibrated P(same claim)."""

    threshold: float
    rerank_top: int
    reorder: bool

    def warm_up(self) -> None: ...

    def logits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray: ...

    def calibrate(self, logits: np.ndarray, cosines: np.ndarray, rrf_k: int) -> np.ndarray:
        """P(same claim) of a query's first candidates (first-stage order) from their logits and cosines."""
        ...


class SameClaimReranker:
    """(post, check) pairs -> same-claim logit and calibrated probability.

    Construction stores settings only; `warm_up()` opens the ONNX session, the tokenizer and
    the config (calibration, `threshold`, `rerank_top`).

    Args:
        model_dir: folder with model.onnx, tokenizer.json and config.json (default: shipped).
        batch_size: pairs per onnxruntime call.
        num_threads: onnxruntime intra-op threads (default: the `threads` setting; 0 there: up to 4).
    """

    def __init__(
        self, model_dir: str | Path | None = None, batch_size: int = 32, num_threads: int | None = None
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if num_threads is not None and num_threads < 1:
            raise ValueError(f"num_threads must be at least 1, got {num_threads}")
        self.model_dir = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
        self.batch_size = batch_size
        self.num_threads = num_threads
        self.config: dict[str, Any] = {}
        self.threshold = 0.5
        self.rerank_top = 10
        self.reorder = False
        self._weights = np.array([1.0, 0.0, 0.0])
        self._bias = 0.0
        self._session: Any = None
        self._tokenizer: Any = None

    def __repr__(self) -> str:
        return f"SameClaimReranker(model_dir={str(self.model_dir)!r}, batch_size={self.batch_size})"

    def warm_up(self) -> None:
        if self._session is not None:
            return
        paths = [self.model_dir / n for n in ("model.onnx", "tokenizer.json", "config.json")]
        for p in paths:
            if not p.is_file():
                raise ModelError(
                    f"same-claim model file missing: {p}. Reinstall factdesk, or rebuild it with "
                    "`python -m factdesk.train.same_claim --data <CheckThat! 2020 Task 2 folder>`"
                )
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as e:
            raise ModelError(
                "the same-claim model needs onnxruntime and tokenizers: pip install onnxruntime tokenizers"
            ) from e
        self.config = json.loads(paths[2].read_text(encoding="utf-8"))
        cal = self.config.get("calibration") or {}
        weights = cal.get("weights") or {}
        self._weights = np.array([float(weights.get(f, 0.0)) for f in FEATURES])
        self._bias = float(cal.get("bias", 0.0))
        self.threshold = float(self.config.get("threshold", 0.5))
        self.rerank_top = int(self.config.get("rerank_top", 10))
        self.reorder = bool(self.config.get("reorder", False))
        opts = ort.SessionOptions()
        from factdesk.config import onnx_threads

        opts.intra_op_num_threads = self.num_threads or onnx_threads()  # the `threads` setting
        opts.inter_op_num_threads = 1
        # No busy-waiting between calls: the desk runs this beside the embedder's session, and
        # two spinning thread pools on 2 cores slow each other several-fold.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            session = ort.InferenceSession(str(paths[0]), sess_options=opts, providers=["CPUExecutionProvider"])
        except Exception as e:  # noqa: BLE001 - onnxruntime raises its own untyped errors
            raise ModelError(
                f"cannot load {paths[0]}: {e}. Rebuild it with `python -m factdesk.train.same_claim`"
            ) from e
        tok = Tokenizer.from_file(str(paths[1]))
        tok.no_padding()
        tok.enable_truncation(max_length=int(self.config.get("max_length", 128)), strategy="longest_first")
        self._tokenizer = tok
        self._session = session

    def logits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Raw same-claim logits, one per pair, in input order."""
        if len(pairs) == 0:
            return np.zeros(0, dtype=np.float32)
        self.warm_up()
        encs = self._tokenizer.encode_batch([(str(p or ""), str(c or "")) for p, c in pairs])
        order = sorted(range(len(encs)), key=lambda i: len(encs[i].ids))
        out = np.zeros(len(encs), dtype=np.float32)
        for s in range(0, len(order), self.batch_size):
            idx = order[s : s + self.batch_size]
            width = max(len(encs[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            types = np.zeros_like(ids)
            for r, i in enumerate(idx):
                n = len(encs[i].ids)
                ids[r, :n], mask[r, :n], types[r, :n] = encs[i].ids, 1, encs[i].type_ids
            res = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
            out[idx] = np.asarray(res, dtype=np.float32).reshape(len(idx), -1)[:, 0]
        return out

    def calibrate(self, logits: np.ndarray, cosines: np.ndarray, rrf_k: int = 10) -> np.ndarray:
        """P(same claim) of a query's first candidates, in first-stage order: logistic regression
        on (logit, cosine, first-stage rank), fitted on train tweets held out from training."""
        z = np.clip(features(logits, cosines, rrf_k) @ self._weights + self._bias, -60, 60)
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)


__all__ = [
    "DEFAULT_MODEL_DIR",
    "FEATURES",
    "ClaimReranker",
    "SameClaimReranker",
    "check_pair_text",
    "features",
    "rerank_order",
]

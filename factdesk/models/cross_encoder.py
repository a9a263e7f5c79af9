"""factdesk's stance judge at run time: an int8 ONNX MiniLM cross-encoder (no torch).

The model folder (``factdesk/models/stance/`` by default) holds ``model.onnx``,
``tokenizer.json`` and ``config.json``; `factdesk train stance` rebuilds it, and its
``MODEL_CARD.md`` lists the training data, licences and metrics.

>>> m = OnnxCrossEncoder(batch_size=16)
>>> m.warm_up()                                                     # doctest: +SKIP
>>> m.predict([("The Eiffel Tower is in Paris.",
...             "The Eiffel Tower is a landmark in Paris, France.")]).round(2)  # doctest: +SKIP
array([[0.97, 0.01, 0.02]], dtype=float32)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.errors import ModelError
from factdesk.types import STANCE_ORDER

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "stance"


class OnnxCrossEncoder:
    """(claim, evidence) pairs -> probabilities over supports / refutes / not_enough_info.

    Implements `factdesk.verdict.stance.StanceModel`. Construction only stores settings;
    `warm_up()` (called by `predict` when needed) opens the ONNX session and tokenizer.
    Pairs are sorted by length and run in batches, so padding stays small.

    Args:
        model_dir: folder with model.onnx, tokenizer.json and config.json (default: shipped).
        batch_size: pairs per onnxruntime call.
        max_length: token limit per pair (default: the value the model was trained with).
        num_threads: onnxruntime intra-op threads (default: the `threads` setting; 0 there: up to 4).
    """

    def __init__(
        self,
        model_dir: str | Path | None = None,
        batch_size: int = 32,
        max_length: int | None = None,
        num_threads: int | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if max_length is not None and not 8 <= max_length <= 512:
            raise ValueError(f"max_length must be between 8 and 512 tokens, got {max_length}")
        if num_threads is not None and num_threads < 1:
            raise ValueError(f"num_threads must be at least 1, got {num_threads}")
        self.model_dir = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
        self.batch_size = batch_size
        self.max_length = max_length
        self.num_threads = num_threads
        self.config: dict[str, Any] = {}
        self._session: Any = None
        self._tokenizer: Any = None
        self._input_names: set[str] = set()

    def __repr__(self) -> str:
        return (
            f"OnnxCrossEncoder(model_dir={str(self.model_dir)!r}, batch_size={self.batch_size}, "
            f"max_length={self.max_length}, num_threads={self.num_threads})"
        )

    @property
    def version(self) -> str:
        """The model's version string from its config.json (read without loading the model)."""
        if not self.config:
            cfg_path = self.model_dir / "config.json"
            if cfg_path.is_file():
                return str(json.loads(cfg_path.read_text(encoding="utf-8")).get("version", ""))
        return str(self.config.get("version", ""))

    def warm_up(self) -> None:
        """Load the ONNX session and tokenizer once; later calls do nothing."""
        if self._session is not None:
            return
        onnx_path = self.model_dir / "model.onnx"
        tok_path = self.model_dir / "tokenizer.json"
        for p in (onnx_path, tok_path):
            if not p.is_file():
                raise ModelError(
                    f"stance model file missing: {p}. Rebuild it with `factdesk train stance` "
                    "(needs the train extra), or pass model_dir= pointing at a trained model folder"
                )
        self.config = read_stance_config(self.model_dir)
        if self.max_length is None:
            self.max_length = int(self.config.get("max_length", 128))
        try:
            from tokenizers import Tokenizer
        except ImportError as e:
            raise ModelError(
                "the stance model needs onnxruntime and tokenizers: pip install onnxruntime tokenizers"
            ) from e
        self._session = open_session(onnx_path, self.num_threads, "Rebuild it with `factdesk train stance`")
        self._input_names = {i.name for i in self._session.get_inputs()}
        tok = Tokenizer.from_file(str(tok_path))
        tok.no_padding()
        tok.enable_truncation(max_length=self.max_length, strategy="longest_first")
        self._tokenizer = tok

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Return (n, 3) float32 probabilities in `STANCE_ORDER`, one row per pair, in input order."""
        if len(pairs) == 0:
            return np.zeros((0, len(STANCE_ORDER)), dtype=np.float32)
        self.warm_up()
        encs = self._tokenizer.encode_batch([(str(c or ""), str(e or "")) for c, e in pairs])
        order = sorted(range(len(encs)), key=lambda i: len(encs[i].ids))
        out = np.zeros((len(encs), len(STANCE_ORDER)), dtype=np.float32)
        for s in range(0, len(order), self.batch_size):
            idx = order[s : s + self.batch_size]
            width = max(len(encs[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            types = np.zeros_like(ids)
            for r, i in enumerate(idx):
                n = len(encs[i].ids)
                ids[r, :n] = encs[i].ids
                mask[r, :n] = 1
                types[r, :n] = encs[i].type_ids
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            logits = self._session.run(None, {k: v for k, v in feed.items() if k in self._input_names})[0]
            out[idx] = _softmax(np.asarray(logits, dtype=np.float32))
        return out


def read_stance_config(model_dir: Path) -> dict[str, Any]:
    """A stance model folder's config.json ({} when absent), its labels checked against `STANCE_ORDER`."""
    cfg_path = model_dir / "config.json"
    config: dict[str, Any] = json.loads(cfg_path.read_text(encoding="utf-8")) if cfg_path.is_file() else {}
    labels = config.get("labels")
    if labels and list(labels) != [lab.value for lab in STANCE_ORDER]:
        raise ModelError(
            f"{cfg_path} lists labels {labels}; factdesk expects {[lab.value for lab in STANCE_ORDER]} in that order"
        )
    return config


def open_session(onnx_path: Path, num_threads: int | None, rebuild_hint: str) -> Any:
    """An onnxruntime CPU session with the desk's thread setting; a load failure says how to rebuild."""
    try:
        import onnxruntime as ort
    except ImportError as e:
        raise ModelError("the stance model needs onnxruntime: pip install onnxruntime") from e
    from factdesk.config import onnx_threads

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = num_threads or onnx_threads()
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    try:
        return ort.InferenceSession(str(onnx_path), sess_options=opts, providers=["CPUExecutionProvider"])
    except Exception as e:  # noqa: BLE001 - onnxruntime raises its own untyped errors
        raise ModelError(f"cannot load {onnx_path}: {e}. {rebuild_hint}") from e


def _softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)

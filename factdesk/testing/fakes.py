"""Small, fast stand-ins for the slow models, for unit tests and plugin authors.

They are deterministic and crude on purpose: tests that need real judgement load the real
models (marked `slow`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from factdesk.store.base import query_terms

_NEG = re.compile(r"\b(not|no|never|false|denied|denies|deny|refuted|untrue|incorrect|myth|fake)\b", re.I)


class FakeEmbedder:
    """Bag-of-words hashing embedder: texts sharing words get similar vectors."""

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim

    def warm_up(self) -> None:
        pass

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in query_terms(t, limit=512):
                h = int.from_bytes(hashlib.md5(w.encode()).digest()[:4], "little")
                out[i, h % self.dim] += 1.0
            n = np.linalg.norm(out[i])
            out[i] = out[i] / n if n else out[i]
        return out


class FakeStanceModel:
    """Word overlap decides relevance; a negation mismatch turns support into refutation."""

    def warm_up(self) -> None:
        pass

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        out = np.zeros((len(pairs), 3), dtype=np.float32)
        for i, (claim, ev) in enumerate(pairs):
            c, e = set(query_terms(claim)), set(query_terms(ev))
            overlap = len(c & e) / max(1, len(c))
            if overlap < 0.3:
                out[i] = (0.05, 0.05, 0.9)
            elif bool(_NEG.search(claim)) != bool(_NEG.search(ev)):
                out[i] = (0.1, 0.8, 0.1)
            else:
                out[i] = (0.8, 0.1, 0.1)
        return out

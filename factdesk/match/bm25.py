"""A small in-memory BM25 (Okapi, OR semantics) for ranking fact-checked claims.

The stores' full-text indexes are built for evidence passages: SQLite's `list_checks` orders
its matches by date, not by score, and PostgreSQL's `websearch_to_tsquery` needs every word
of the query, which a social-media post with a URL, handles and a signature rarely has. A
claim collection is small (10k claims take ~2 MB here), so the matcher keeps its own index.

>>> bm = BM25Index()
>>> bm.index(["Turkey hosts the most refugees", "NATO produces refugees", "The team won"])
>>> [i for i, _ in bm.search("How many refugees does Turkey host?", k=2)]
[0, 1]
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from factdesk.store.base import STOPWORDS

_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1)
def _stemmer() -> object | None:
    try:
        from nltk.stem.porter import PorterStemmer
    except ImportError:  # nltk is a dependency; without it words are matched unstemmed
        return None
    return PorterStemmer()


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    s = _stemmer()
    return s.stem(word) if s is not None else word  # type: ignore[attr-defined]


def tokenize(text: str) -> list[str]:
    """Lower-cased, Porter-stemmed content words (stopwords and single letters dropped)."""
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


class BM25Index:
    """Okapi BM25 over a list of texts; `search` scores every text sharing a word with the query.

    Args:
        k1: term-frequency saturation.
        b: length normalisation.
    """

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        if k1 < 0 or not 0 <= b <= 1:
            raise ValueError(f"BM25 needs k1 >= 0 and 0 <= b <= 1, got k1={k1}, b={b}")
        self.k1 = k1
        self.b = b
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._idf: dict[str, float] = {}
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def index(self, texts: Sequence[str]) -> None:
        """(Re)build the index over `texts`; results refer to positions in this list."""
        docs = [Counter(tokenize(t)) for t in texts]
        self._n = len(docs)
        lengths = np.array([sum(d.values()) for d in docs], dtype=np.float32)
        avg = float(lengths.mean()) if len(docs) and lengths.mean() > 0 else 1.0
        norm = self.k1 * (1 - self.b + self.b * lengths / avg)
        rows: dict[str, tuple[list[int], list[float]]] = {}
        for i, d in enumerate(docs):
            for term, tf in d.items():
                ids, tfs = rows.setdefault(term, ([], []))
                ids.append(i)
                tfs.append(tf * (self.k1 + 1) / (tf + norm[i]))
        self._postings = {
            t: (np.array(ids, dtype=np.int64), np.array(w, dtype=np.float32)) for t, (ids, w) in rows.items()
        }
        # Lucene's idf: never negative, so very common words still count a little.
        self._idf = {t: math.log(1 + (self._n - len(ids) + 0.5) / (len(ids) + 0.5)) for t, (ids, _) in rows.items()}

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every indexed text for `query` (0 where no word is shared)."""
        out = np.zeros(self._n, dtype=np.float32)
        for term in dict.fromkeys(tokenize(query)):
            post = self._postings.get(term)
            if post is not None:
                out[post[0]] += self._idf[term] * post[1]  # query term frequency ignored, as Lucene does
        return out

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """The `k` best (position, score) pairs, best first; texts sharing no word are left out."""
        s = self.scores(query)
        nz = np.flatnonzero(s > 0)
        if nz.size == 0 or k <= 0:
            return []
        if nz.size > k:
            # Only the k best are sorted (a full sort of every text sharing a common word cost
            # ~4 ms at 100k texts). Those tied with the k-th best keep the text order, as a
            # stable sort of them all would.
            kth = np.partition(s[nz], nz.size - k)[nz.size - k]
            above = nz[s[nz] > kth]
            tied = nz[s[nz] == kth][: k - above.size]
            nz = np.concatenate([above, tied])
        top = nz[np.argsort(-s[nz], kind="stable")]
        return [(int(i), float(s[i])) for i in top]


__all__ = ["BM25Index", "tokenize"]

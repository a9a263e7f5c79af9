"""Check-worthiness: how likely a sentence holds a factual claim worth checking.

The model is a small logistic-regression head (numpy only at run time) over three groups of
inputs, all cheap to compute:

1. the sentence's all-MiniLM-L6-v2 embedding (384 floats, `factdesk.models.embed`);
2. a few hand-written signals (`cheap_features`): numbers, percentages, money, years,
   comparatives and trend verbs, capitalised (proper-noun-like) words, first-person and
   opinion words, modals, questions, length;
3. hashed word unigrams and bigrams (digits folded to ``0``), L2-normalised.

The weights ship in ``factdesk/models/checkworthy/`` (``head.npz`` plus ``config.json`` with
the data, seed and held-out figures); ``factdesk train checkworthy`` rebuilds them.

>>> cheap_features(["Unemployment fell 3% in 2019, more than in any year since 1970."])[0, 0] > 0
True
>>> cw = CheckWorthiness()
>>> cw.warm_up()                                              # doctest: +SKIP
>>> cw.score(["Thank you all for coming.", "Crime rose 20% last year."])   # doctest: +SKIP
array([0.02, 0.93], dtype=float32)
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.errors import ModelError
from factdesk.models.embed import Embedder

MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "checkworthy"
HEAD_FILE = "head.npz"
CONFIG_FILE = "config.json"

_NUM_WORDS = r"(?:hundred|thousand|million|billion|trillion|dozen|half|twice|double|triple|percent|per cent)"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("numbers", re.compile(r"\d+(?:[.,]\d+)*|\b" + _NUM_WORDS + r"s?\b", re.I)),
    ("percent", re.compile(r"%|\bper ?cent\b|\bpercentage\b", re.I)),
    ("money", re.compile(r"[$£€]|\b(?:dollars?|euros?|pounds?|budget|tax(?:es)?|deficit|debt|spend\w*|cost\w*)\b", re.I)),
    ("year", re.compile(r"\b(?:1[89]|20)\d\d\b|\b(?:last|this|next) (?:year|decade|month)\b", re.I)),
    ("comparative", re.compile(
        r"\b(?:more|less|fewer|than|most|least|highest|lowest|largest|biggest|smallest|"
        r"record|only|every|all|never|first|\w+est)\b", re.I)),
    ("trend", re.compile(
        r"\b(?:increas|decreas|doubl|tripl|cut|ris|rose|fell|fall|grew|grow|drop|declin|"
        r"reduc|rais|lost|lose|creat|add|bann|vot|pass|sign)\w*", re.I)),
    ("statistic", re.compile(
        r"\b(?:rate|average|number|percent\w*|jobs?|unemploy\w*|crime|deaths?|killed|people|"
        r"americans|citizens|refugees|migrants|population|gdp|economy|inflation)\b", re.I)),
    ("first_singular", re.compile(r"\b(?:I|me|my|mine|I'm|I've|I'll)\b")),
    ("first_plural", re.compile(r"\b(?:we|us|our|ours|we're|we've|we'll)\b", re.I)),
    ("second_person", re.compile(r"\b(?:you|your|yours|you're)\b", re.I)),
    ("opinion", re.compile(
        r"\b(?:think|believe|feel|hope|want|wish|love|hate|agree|disagree|should|must|need|"
        r"going to|will|would|could|might|may|ought|great|wonderful|terrible|thank\w*|welcome|"
        r"please|congratulat\w*)\b", re.I)),
    ("question", re.compile(r"\?")),
    ("negation", re.compile(r"\b(?:not|no|never|none|nobody|n't)\b|n't\b", re.I)),
    ("quote", re.compile(r"[\"“”]")),
]
_CAPS = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+|\b[A-Z]{2,}\b")
_WORD = re.compile(r"[a-z0-9']+")

FEATURE_NAMES: tuple[str, ...] = tuple(n for n, _ in _PATTERNS) + ("capitalised", "log_words", "short")


def cheap_features(sentences: Sequence[str]) -> np.ndarray:
    """(n, len(FEATURE_NAMES)) float32 hand-written signals; counts are log1p-scaled."""
    out = np.zeros((len(sentences), len(FEATURE_NAMES)), dtype=np.float32)
    k = len(_PATTERNS)
    for i, s in enumerate(sentences):
        for j, (_, pat) in enumerate(_PATTERNS):
            out[i, j] = np.log1p(len(pat.findall(s)))
        words = s.split()
        out[i, k] = np.log1p(len(_CAPS.findall(s)))
        out[i, k + 1] = np.log1p(len(words))
        out[i, k + 2] = 1.0 if len(words) < 6 else 0.0
    return out


def _tokens(s: str) -> list[str]:
    return _WORD.findall(re.sub(r"\d", "0", s.lower()))


def hashed_ngrams(sentences: Sequence[str], dim: int) -> Any:
    """(n, dim) scipy CSR of hashed unigrams and bigrams (binary, rows L2-normalised).

    crc32 keeps the hashing stable across processes and Python versions.
    """
    from scipy import sparse

    rows: list[int] = []
    cols: list[int] = []
    for i, s in enumerate(sentences):
        toks = _tokens(s)
        grams = set(toks) | {a + " " + b for a, b in zip(toks, toks[1:])}
        idx = {zlib.crc32(g.encode("utf-8")) % dim for g in grams}
        rows.extend([i] * len(idx))
        cols.extend(idx)
    data = np.ones(len(rows), dtype=np.float32)
    m = sparse.csr_matrix((data, (rows, cols)), shape=(len(sentences), dim), dtype=np.float32)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms).dot(m).tocsr()


class CheckWorthiness:
    """Score sentences for check-worthiness with the shipped logistic-regression head.

    `__init__` only stores settings; `warm_up()` loads the head and the embedder.

    >>> from factdesk.testing.fakes import FakeEmbedder
    >>> cw = CheckWorthiness(embedder=FakeEmbedder())
    >>> cw.model_dir.name
    'checkworthy'
    """

    def __init__(self, model_dir: str | Path | None = None, embedder: Embedder | None = None,
                 threshold: float | None = None) -> None:
        self.model_dir = Path(model_dir) if model_dir else MODEL_DIR
        self._embedder = embedder
        self._threshold = threshold
        self.config: dict[str, Any] = {}
        self._w: dict[str, np.ndarray] | None = None

    @property
    def threshold(self) -> float:
        """Decision threshold for "check-worthy" (the one tuned at training, else 0.5)."""
        if self._threshold is not None:
            return self._threshold
        return float(self.config.get("threshold", 0.5))

    def warm_up(self) -> None:
        """Load the head's weights and the sentence embedder (idempotent)."""
        if self._w is not None:
            return
        head, cfg = self.model_dir / HEAD_FILE, self.model_dir / CONFIG_FILE
        if not head.is_file() or not cfg.is_file():
            raise ModelError(
                f"the check-worthiness model is missing from {self.model_dir}: reinstall factdesk "
                "(`pip install -e .`) or rebuild it with `factdesk train checkworthy`"
            )
        self.config = json.loads(cfg.read_text(encoding="utf-8"))
        with np.load(head) as z:
            self._w = {k: z[k] for k in z.files}
        if self._embedder is None:
            from factdesk.models.embed import MiniLMEmbedder

            self._embedder = MiniLMEmbedder(max_length=int(self.config.get("max_length", 128)))
        self._embedder.warm_up()

    def logits(self, sentences: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """Raw scores (before the sigmoid); pass `embeddings` when you have them already."""
        self.warm_up()
        assert self._w is not None and self._embedder is not None
        sents = [s if isinstance(s, str) else "" for s in sentences]
        if not sents:
            return np.zeros(0, dtype=np.float32)
        w = self._w
        emb = self._embedder.embed(sents) if embeddings is None else np.asarray(embeddings, dtype=np.float32)
        feats = (cheap_features(sents) - w["feat_mean"]) / w["feat_std"]
        z = emb @ w["w_emb"] + feats @ w["w_feat"] + float(w["bias"])
        if "w_hash" in w and w["w_hash"].size:
            z = z + hashed_ngrams(sents, int(w["w_hash"].size)) @ w["w_hash"]
        return np.asarray(z, dtype=np.float32).reshape(-1)

    def score(self, sentences: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """(n,) float32 probabilities that each sentence is check-worthy.

        Empty or non-string items score as near 0; an empty list gives an empty array.
        """
        z = self.logits(sentences, embeddings)
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        for i, s in enumerate(sentences):
            if not isinstance(s, str) or not s.strip():
                p[i] = 0.0
        return p.astype(np.float32)

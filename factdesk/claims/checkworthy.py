"""Check-worthiness: how likely a sentence holds a factual claim worth checking.

The shipped model is all-MiniLM-L6-v2's BERT fine-tuned as a two-class sentence classifier on
ClaimBuster and CheckThat! (`factdesk.train.checkworthy_model`), exported to int8 ONNX; it runs
with onnxruntime and tokenizers only. Its files sit in ``factdesk/models/checkworthy/``
(``model.onnx``, ``tokenizer.json``, ``config.json`` with the data, seed, held-out figures and
rebuild command, and ``MODEL_CARD.md``).

The fallback, used when a model folder has no ``model.onnx`` (or with ``backend="head"``), is the
earlier logistic-regression head (``head.npz`` + ``head.json``) over three groups of cheap inputs:

1. the sentence's all-MiniLM-L6-v2 embedding (384 floats, `factdesk.models.embed`);
2. a few hand-written signals (`cheap_features`): numbers, percentages, money, years,
   comparatives and trend verbs, capitalised (proper-noun-like) words, first-person and
   opinion words, modals, questions, length;
3. hashed word unigrams and bigrams (digits folded to ``0``), L2-normalised.

``factdesk train checkworthy`` rebuilds either (``--model finetune`` or ``--model head``).

>>> bool(cheap_features(["Unemployment fell 3% in 2019, more than in any year since 1970."])[0, 0] > 0)
True
>>> cw = CheckWorthiness()
>>> cw.warm_up()                                              # doctest: +SKIP
>>> cw.score(["Thank you all for coming.", "Crime rose 20% last year."])   # doctest: +SKIP
array([0.01, 0.97], dtype=float32)
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
HEAD_CONFIG_FILE = "head.json"
CONFIG_FILE = "config.json"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"

_NUM_WORDS = r"(?:hundred|thousand|million|billion|trillion|dozen|half|twice|double|triple|percent|per cent)"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("numbers", re.compile(r"\d+(?:[.,]\d+)*|\b" + _NUM_WORDS + r"s?\b", re.I)),
    ("percent", re.compile(r"%|\bper ?cent\b|\bpercentage\b", re.I)),
    (
        "money",
        re.compile(r"[$£€]|\b(?:dollars?|euros?|pounds?|budget|tax(?:es)?|deficit|debt|spend\w*|cost\w*)\b", re.I),
    ),
    ("year", re.compile(r"\b(?:1[89]|20)\d\d\b|\b(?:last|this|next) (?:year|decade|month)\b", re.I)),
    (
        "comparative",
        re.compile(
            r"\b(?:more|less|fewer|than|most|least|highest|lowest|largest|biggest|smallest|"
            r"record|only|every|all|never|first|\w+est)\b",
            re.I,
        ),
    ),
    (
        "trend",
        re.compile(
            r"\b(?:increas|decreas|doubl|tripl|cut|ris|rose|fell|fall|grew|grow|drop|declin|"
            r"reduc|rais|lost|lose|creat|add|bann|vot|pass|sign)\w*",
            re.I,
        ),
    ),
    (
        "statistic",
        re.compile(
            r"\b(?:rate|average|number|percent\w*|jobs?|unemploy\w*|crime|deaths?|killed|people|"
            r"americans|citizens|refugees|migrants|population|gdp|economy|inflation)\b",
            re.I,
        ),
    ),
    ("first_singular", re.compile(r"\b(?:I|me|my|mine|I'm|I've|I'll)\b")),
    ("first_plural", re.compile(r"\b(?:we|us|our|ours|we're|we've|we'll)\b", re.I)),
    ("second_person", re.compile(r"\b(?:you|your|yours|you're)\b", re.I)),
    (
        "opinion",
        re.compile(
            r"\b(?:think|believe|feel|hope|want|wish|love|hate|agree|disagree|should|must|need|"
            r"going to|will|would|could|might|may|ought|great|wonderful|terrible|thank\w*|welcome|"
            r"please|congratulat\w*)\b",
            re.I,
        ),
    ),
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


BACKENDS = ("auto", "finetuned", "head")


class CheckWorthiness:
    """Score sentences for check-worthiness (probability that a sentence is worth checking).

    Two backends, both numpy/onnxruntime only at run time:

    - ``finetuned``: the fine-tuned MiniLM-L6 classifier (``model.onnx`` + ``tokenizer.json``),
      sentences sorted by length and run in batches;
    - ``head``: the logistic-regression head (``head.npz``) over sentence embeddings, cheap
      features and hashed n-grams; it needs an `Embedder`.

    ``backend="auto"`` (the default) takes the fine-tuned model when the folder has one, else
    the head. `__init__` only stores settings; `warm_up()` loads the model.

    >>> from factdesk.testing.fakes import FakeEmbedder
    >>> cw = CheckWorthiness(embedder=FakeEmbedder(), backend="head")
    >>> cw.model_dir.name, cw.backend
    ('checkworthy', 'head')
    """

    def __init__(
        self,
        model_dir: str | Path | None = None,
        embedder: Embedder | None = None,
        threshold: float | None = None,
        backend: str | None = None,
        batch_size: int = 64,
        num_threads: int | None = None,
    ) -> None:
        backend = backend or "auto"
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if num_threads is not None and num_threads < 1:
            raise ValueError(f"num_threads must be at least 1, got {num_threads}")
        self.model_dir = Path(model_dir) if model_dir else MODEL_DIR
        self._embedder = embedder
        self._threshold = threshold
        self._backend = backend
        self.batch_size = batch_size
        self.num_threads = num_threads
        self.config: dict[str, Any] = {}
        self._w: dict[str, np.ndarray] | None = None
        self._session: Any = None
        self._tokenizer: Any = None
        self._input_names: set[str] = set()

    def __repr__(self) -> str:
        return f"CheckWorthiness(model_dir={str(self.model_dir)!r}, backend={self.backend!r})"

    @property
    def backend(self) -> str:
        """``finetuned`` or ``head`` (``auto`` resolved by what the model folder holds)."""
        if self._backend != "auto":
            return self._backend
        return "finetuned" if (self.model_dir / MODEL_FILE).is_file() else "head"

    @property
    def threshold(self) -> float:
        """Decision threshold for "check-worthy" (the one tuned at training, else 0.5)."""
        if self._threshold is not None:
            return self._threshold
        return float(self.config.get("threshold", 0.5))

    def warm_up(self) -> None:
        """Load the model (and, for the head, the sentence embedder); idempotent."""
        if self._w is not None or self._session is not None:
            return
        if self.backend == "finetuned":
            self._warm_up_finetuned()
        else:
            self._warm_up_head()

    def _warm_up_finetuned(self) -> None:
        onnx_path, tok_path, cfg = (self.model_dir / n for n in (MODEL_FILE, TOKENIZER_FILE, CONFIG_FILE))
        for p in (onnx_path, tok_path, cfg):
            if not p.is_file():
                raise ModelError(
                    f"the fine-tuned check-worthiness model is incomplete: {p} is missing. Reinstall factdesk "
                    "(`pip install -e .`), rebuild it with `factdesk train checkworthy --model finetune`, "
                    "or use the head with CheckWorthiness(backend='head')"
                )
        config = json.loads(cfg.read_text(encoding="utf-8"))
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as e:
            raise ModelError(
                "the check-worthiness model needs onnxruntime and tokenizers: pip install onnxruntime tokenizers"
            ) from e
        from factdesk.models.embed import default_threads

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.num_threads or min(2, default_threads())
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            session = ort.InferenceSession(str(onnx_path), sess_options=opts, providers=["CPUExecutionProvider"])
        except Exception as e:  # noqa: BLE001 - onnxruntime raises its own untyped errors
            raise ModelError(
                f"cannot load {onnx_path}: {e}. Rebuild it with `factdesk train checkworthy --model finetune`"
            ) from e
        tok = Tokenizer.from_file(str(tok_path))
        tok.no_padding()
        tok.enable_truncation(max_length=int(config.get("max_length", 64)))
        self.config = config
        self._input_names = {i.name for i in session.get_inputs()}
        self._tokenizer = tok
        self._session = session

    def _warm_up_head(self) -> None:
        head = self.model_dir / HEAD_FILE
        # The head's settings live in head.json; a folder from before the fine-tuned model has
        # them in config.json.
        cfg = self.model_dir / HEAD_CONFIG_FILE
        if not cfg.is_file():
            cfg = self.model_dir / CONFIG_FILE
        if not head.is_file() or not cfg.is_file():
            raise ModelError(
                f"the check-worthiness head is missing from {self.model_dir}: reinstall factdesk "
                "(`pip install -e .`) or rebuild it with `factdesk train checkworthy --model head`"
            )
        self.config = json.loads(cfg.read_text(encoding="utf-8"))
        with np.load(head) as z:
            w = {k: z[k] for k in z.files}
        if self._embedder is None:
            from factdesk.models.embed import MiniLMEmbedder

            self._embedder = MiniLMEmbedder(max_length=int(self.config.get("max_length", 128)))
        self._embedder.warm_up()
        self._w = w

    def logits(self, sentences: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """Raw scores (before the sigmoid). `embeddings` feed the head only (pass them when you
        have them already); the fine-tuned model reads the text and ignores them."""
        self.warm_up()
        sents = [s if isinstance(s, str) else "" for s in sentences]
        if not sents:
            return np.zeros(0, dtype=np.float32)
        if self._session is not None:
            return self._logits_finetuned(sents)
        assert self._w is not None and self._embedder is not None
        w = self._w
        emb = self._embedder.embed(sents) if embeddings is None else np.asarray(embeddings, dtype=np.float32)
        feats = (cheap_features(sents) - w["feat_mean"]) / w["feat_std"]
        z = emb @ w["w_emb"] + feats @ w["w_feat"] + float(w["bias"])
        if "w_hash" in w and w["w_hash"].size:
            z = z + hashed_ngrams(sents, int(w["w_hash"].size)) @ w["w_hash"]
        return np.asarray(z, dtype=np.float32).reshape(-1)

    def _logits_finetuned(self, sents: list[str]) -> np.ndarray:
        # A transcript repeats itself ("Thank you.", a refrain): each distinct text runs once.
        uniq: dict[str, int] = {}
        where = np.array([uniq.setdefault(s, len(uniq)) for s in sents])
        texts = list(uniq)
        encs = self._tokenizer.encode_batch(texts)
        lens = np.array([len(e.ids) for e in encs])
        order = np.argsort(lens, kind="stable")  # similar lengths together: little padding
        z = np.zeros(len(texts), dtype=np.float32)
        for s in range(0, len(order), self.batch_size):
            idx = order[s : s + self.batch_size]
            width = int(lens[idx].max())
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for r, i in enumerate(idx):
                ids[r, : lens[i]] = encs[i].ids
                mask[r, : lens[i]] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            out = self._session.run(None, {k: v for k, v in feed.items() if k in self._input_names})[0]
            out = np.asarray(out, dtype=np.float32)
            z[idx] = out[:, 1] - out[:, 0]
        z -= float(self.config.get("logit_shift", 0.0))
        return z[where]

    def score(self, sentences: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """(n,) float32 probabilities that each sentence is check-worthy.

        Empty or non-string items score 0; an empty list gives an empty array.
        """
        z = self.logits(sentences, embeddings)
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        for i, s in enumerate(sentences):
            if not isinstance(s, str) or not s.strip():
                p[i] = 0.0
        return p.astype(np.float32)


class RuleScorer:
    """Check-worthiness for Russian, Ukrainian, Belarusian and Polish sentences: a fixed rule.

    The shipped model was trained on English (ClaimBuster, CheckThat!) and its tokenizer is
    English; no check-worthiness data in these languages installs here, so for them the desk
    scores with signals that carry across languages (word tables in
    `factdesk.claims.langtables`), and says so in the extraction notes:

    - a figure (+1.3; a year alone +0.6), a quantity word or % (+0.7), a comparison or trend
      ("более", "вырос", "більше", "wzrósł": +0.6);
    - names: capitalised words inside the sentence and acronyms (+0.35 each, up to three);
    - an opinion, wish, thanks or the future ("считаю", "будем", "дякую", "będzie": -0.9), the
      first person plural (-0.3), a question (-1.5), fewer than six words (-0.8);

    summed from -1.0 and put through a logistic: 0.5 is the point where it leans check-worthy.
    The weights are set by hand on the statements in examples/multilingual (not fitted: no
    labelled data), so the scores rank sentences; they are not calibrated probabilities.
    Every sentence is scored: nothing is dropped for its language.

    >>> s = RuleScorer().score(["Беларусь приняла более 2 тысяч мигрантов.", "Мы будем и дальше защищать страну."])
    >>> bool(s[0] > 0.8 > 0.2 > s[1])
    True
    """

    def __init__(self) -> None:
        from factdesk.claims.langtables import COMPARATIVE, FIRST_PLURAL, OPINION, QUANTITY

        self._quantity = re.compile(QUANTITY, re.I)
        self._comparative = re.compile(COMPARATIVE, re.I)
        self._opinion = re.compile(OPINION, re.I)
        self._we = re.compile(FIRST_PLURAL, re.I)

    def warm_up(self) -> None:
        """Nothing to load."""

    def score_one(self, s: str) -> float:
        z = -1.0
        numbers = re.findall(r"\d+(?:[.,]\d+)*", s)
        if numbers:
            only_years = all(re.fullmatch(r"(?:19|20)\d\d", n) for n in numbers)
            z += 0.6 if only_years else 1.3
        if self._quantity.search(s):
            z += 0.7
        if self._comparative.search(s):
            z += 0.6
        words = s.split()
        names = sum(
            1
            for i, w in enumerate(words)
            if (i > 0 and w[:1].isupper()) or (len(w) >= 2 and w.strip(",.;:»«").isupper() and w[:1].isalpha())
        )
        z += 0.35 * min(names, 3)
        if self._opinion.search(s):
            z -= 0.9
        if self._we.search(s):
            z -= 0.3
        if "?" in s:
            z -= 1.5
        if len(words) < 6:
            z -= 0.8
        return float(1.0 / (1.0 + np.exp(-z)))

    def score(self, sentences: Sequence[str]) -> np.ndarray:
        return np.asarray([self.score_one(s) for s in sentences], dtype=np.float32)

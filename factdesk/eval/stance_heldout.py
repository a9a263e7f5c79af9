"""Stance models scored on what they never trained on: the NLI anchors and the held-out claim folds.

The hold-out rule lives here, once, and the training data (`factdesk.train.stance_data`)
reads it from here: an item is held out when ``fold(dataset, id, k) == 0``, with ``fold`` a
SHA-1 of ``"dataset:id"`` modulo ``k`` (a fifth of Climate-FEVER and SciFact claims,
``EVAL_HOLDOUT_K``), so training and scoring agree on which claims are unseen.

- `score_anchors`: accuracy per NLI anchor set (SNLI test, half of MNLI dev-matched, a fold of
  VitaminC real; `factdesk.train.stance_data.anchor_pairs` picks them);
- `evaluate_heldout`: the held-out Climate-FEVER claims (the claim against its five sentences
  joined) and SciFact claims (abstract-level, label only, scored by SciFact's official metric
  in `factdesk.eval.scifact.score_predictions`).

    python bench/bench_stance_heldout.py factdesk/models/stance /tmp/new_model

>>> fold("climate-fever", "5", k=5) in range(5)
True
>>> score_anchors(_Always(0), {"snli": [("A man walks.", "A man is walking.", "supports")]})
{'snli': {'n': 1, 'accuracy': 1.0}}
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from factdesk.errors import InputError
from factdesk.eval.climate_fever import load_climate_fever
from factdesk.eval.scifact import load_claims, load_corpus, score_predictions
from factdesk.protocols import StanceModel
from factdesk.types import STANCE_ORDER

EVAL_HOLDOUT_K = 5
"""Climate-FEVER / SciFact claims whose fold (of 5) is 0 are kept for evaluation."""

STANCE_LABELS: tuple[str, ...] = tuple(lab.value for lab in STANCE_ORDER)
"""Column order of a stance model's probabilities: supports, refutes, not_enough_info."""

CLIMATE_FEVER_FILE = ("data", "climate-fever", "climate-fever-public.jsonl")
SCIFACT_DIR = ("data", "scifact")


def fold(dataset: str, item_id: object, k: int) -> int:
    """A stable fold number in ``range(k)`` from a dataset name and an item id (SHA-1 based)."""
    digest = hashlib.sha1(f"{dataset}:{item_id}".encode()).hexdigest()
    return int(digest, 16) % k


def is_heldout(dataset: str, item_id: object, k: int = EVAL_HOLDOUT_K) -> bool:
    """True for the evaluation fold (fold 0 of ``k``) of ``dataset``."""
    return fold(dataset, item_id, k) == 0


class LabelledPair(Protocol):
    """A (claim, evidence) pair with its gold stance label (`StancePair` is one)."""

    @property
    def claim(self) -> str: ...

    @property
    def evidence(self) -> str: ...

    @property
    def label(self) -> str: ...


AnchorPair = LabelledPair | tuple[str, str, str]


def _triple(p: AnchorPair) -> tuple[str, str, str]:
    return p if isinstance(p, tuple) else (p.claim, p.evidence, p.label)


def score_anchors(model: StanceModel, anchors: Mapping[str, Sequence[AnchorPair]]) -> dict[str, dict[str, Any]]:
    """Accuracy of a stance model on each anchor set (empty sets are left out)."""
    res: dict[str, dict[str, Any]] = {}
    for name, pairs in anchors.items():
        if not pairs:
            continue
        rows = [_triple(p) for p in pairs]
        probs = model.predict([(c, e) for c, e, _ in rows])
        gold = np.array([STANCE_LABELS.index(lab) for _, _, lab in rows])
        res[name] = {"n": len(rows), "accuracy": round(float((probs.argmax(1) == gold).mean()), 4)}
    return res


def _data_path(root: Path, *parts: str) -> Path:
    p = root.joinpath(*parts)
    if not p.exists():
        raise InputError(
            f"{p} is missing: pass --data pointing at the folder that holds data/ "
            "(Climate-FEVER, SciFact), e.g. ../shared"
        )
    return p


def score_climate_fever_heldout(model: StanceModel, root: Path) -> dict[str, Any]:
    """Claim accuracy on the held-out Climate-FEVER claims: the claim against its five sentences joined.

    DISPUTED claims count as wrong in ``accuracy_all`` and are left out of ``accuracy_3way``.
    """
    items = [
        it for it in load_climate_fever(_data_path(root, *CLIMATE_FEVER_FILE)) if is_heldout("climate-fever", it.id)
    ]
    probs = model.predict([(it.claim.text, " ".join(e.text for e in it.evidences)) for it in items])
    names = {"SUPPORTS": 0, "REFUTES": 1, "NOT_ENOUGH_INFO": 2}
    gold = [names.get(it.label, -1) for it in items]
    pred = probs.argmax(1)
    three = [i for i, g in enumerate(gold) if g >= 0]
    return {
        "claims": len(items),
        "accuracy_all": round(float(np.mean([pred[i] == gold[i] for i in range(len(items))])), 4),
        "accuracy_3way": round(float(np.mean([pred[i] == gold[i] for i in three])), 4),
    }


def score_scifact_heldout(model: StanceModel, root: Path, threshold: float = 0.5) -> dict[str, Any]:
    """Abstract-level, label-only F1 on the held-out SciFact train claims (SciFact's official metric).

    Each cited abstract's sentences are judged against the claim; the abstract is predicted
    SUPPORT / CONTRADICT when its strongest sentence for that label has probability above
    ``threshold`` (the stronger of the two wins), else nothing is predicted for it.
    """
    base = _data_path(root, *SCIFACT_DIR)
    by_id = {a.doc_id: a for a in load_corpus(base / "corpus.jsonl")}
    claims = [c for c in load_claims(base / "claims_train.jsonl") if is_heldout("scifact", c.id)]
    pairs: list[tuple[str, str]] = []
    owner: list[tuple[int, str]] = []
    for c in claims:
        for d in c.cited_doc_ids:
            doc = by_id.get(str(int(d)))
            if doc is None:
                continue
            for s in doc.sentences:
                pairs.append((c.claim.text, s))
                owner.append((c.id, doc.doc_id))
    probs = model.predict(pairs) if pairs else np.zeros((0, 3))
    best: dict[tuple[int, str], np.ndarray] = {}
    for key, p in zip(owner, probs, strict=True):
        best[key] = np.maximum(best.get(key, np.zeros(3)), p)
    predictions: dict[int, dict[str, dict[str, Any]]] = {}
    for (claim_id, doc_id), b in best.items():
        if max(b[0], b[1]) > threshold:
            label = "SUPPORT" if b[0] >= b[1] else "CONTRADICT"
            predictions.setdefault(claim_id, {})[doc_id] = {"label": label, "sentences": []}
    m = score_predictions(claims, predictions)
    return {
        "claims": len(claims),
        "precision": round(m["abstract_label_only_precision"], 4),
        "recall": round(m["abstract_label_only_recall"], 4),
        "f1": round(m["abstract_label_only_f1"], 4),
    }


def evaluate_heldout(root: str | Path, model: StanceModel | None = None) -> dict[str, Any]:
    """Score the held-out Climate-FEVER and SciFact folds with a stance model (default: the shipped one)."""
    if model is None:
        from factdesk.models.cross_encoder import OnnxCrossEncoder

        model = OnnxCrossEncoder()
    root = Path(root).resolve()
    return {
        "climate_fever_heldout": score_climate_fever_heldout(model, root),
        "scifact_heldout_abstract_label_only": score_scifact_heldout(model, root),
    }


class _Always:
    """A stance model that always answers one label (for the doctest)."""

    def __init__(self, label: int) -> None:
        self.label = label

    def warm_up(self) -> None:
        pass

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        out = np.zeros((len(pairs), 3))
        out[:, self.label] = 1.0
        return out

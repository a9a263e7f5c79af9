"""The verdict follows the evidence (issue 23, part 0): per-passage relevance and the sides.

A stance model judges every (claim, passage) pair, also pairs that have nothing to do with
each other, and it judges those with some spread: a cycling lane 'refuted' a claim about the
Eiffel Tower at 0.59. Issue 14's gate (`factdesk.verdict.aggregate.gated`) closes the verdict
when *no* passage is about the claim, but one relevant passage that supports beside five
irrelevant ones that 'refute' still made a *Likely False*. Two rules close that gap:

1. `PassageGate`: each passage's stance counts only as far as the passage is about the claim.
   P(about) is read from the claim-passage cosine similarity (`passage_similarity`) with the
   shipped relevance gate's own logistic, applied to one passage (its ``max_sim`` and
   ``mean_sim`` both the passage's similarity); the rest of the passage's stance mass goes to
   not-enough-info *before* the aggregator and the writer see it. The gate was fitted on
   AVeriTeC train (evidence for the claim against evidence gathered for other claims), never
   on the suites it is checked on; without shipped weights, `DEFAULT_GATE` (the same curve,
   rounded) stands in.
2. `sides` / `allowed_labels`: a passage *takes a side* when its (gated) stance label is
   supports or refutes with probability >= `STRONG`, the rule the report's summary counts
   with. Support alone allows only Supported, refutation alone only Refuted, neither only
   Not Enough Evidence; with both, the side that is outnumbered cannot win (Conflicting can).
   `factdesk.verdict.aggregate.make_verdict` enforces it, so the summary sentence ("of the
   N passages weighed, X contradict it and Y support it") and the verdict never disagree.

>>> from factdesk.types import Claim, Document, Evidence, Passage, Stance
>>> def ev(text, probs, sim):
...     d = Document(text=text)
...     return Evidence(Passage(d.id, text, 0, len(text)), d, {"similarity": sim}, Stance.from_probs(probs))
>>> on, off = ev("The tower is 330 m tall.", (0.9, 0.05, 0.05), 0.8), ev("Bananas are berries.", (0.1, 0.7, 0.2), 0.05)
>>> _ = PassageGate().run([on, off])
>>> on.stance.label.value, off.stance.label.value, off.scores["on_topic"] < 0.01, off.scores["raw_refutes"]
('supports', 'not_enough_info', True, 0.7)
>>> sides([on, off])
(1, 0)
>>> [lab.value for lab in allowed_labels(1, 0)]
['Supported']
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.types import STANCE_ORDER, AveritecLabel, Evidence, Stance, StanceLabel

STRONG = 0.5
"""A (gated) passage with P(supports) or P(refutes) at or above this, as its label, takes a side;
the report's summary counts passages with the same rule (`factdesk.report.writer.sided`)."""

DEFAULT_GATE: dict[str, Any] = {
    "features": ["max_sim", "mean_sim"],
    "mean": [0.52, 0.46],
    "scale": [0.27, 0.25],
    "weights": [2.7, 3.05],
    "bias": 2.6,
}
"""The relevance gate used when no aggregator weights are shipped: the v3 gate, rounded
(P(about) = 0.5 at a cosine of about 0.37, 0.1 at 0.27, 0.9 at 0.47)."""

RAW_KEYS = ("raw_supports", "raw_refutes", "raw_not_enough_info")
"""Where the stance model's own probabilities are kept (``Evidence.scores``) once gated."""


def takes_side(ev: Evidence) -> StanceLabel | None:
    """SUPPORTS or REFUTES when `ev`'s stance takes that side (label, probability >= `STRONG`), else None."""
    st = ev.stance
    if st is None or st.label == StanceLabel.NOT_ENOUGH_INFO or st.probability < STRONG:
        return None
    return st.label


def sides(evidence: Sequence[Evidence]) -> tuple[int, int]:
    """(passages that support, passages that refute), by `takes_side`."""
    got = [takes_side(ev) for ev in evidence]
    return got.count(StanceLabel.SUPPORTS), got.count(StanceLabel.REFUTES)


def allowed_labels(n_support: int, n_refute: int) -> tuple[AveritecLabel, ...]:
    """The verdicts the evidence allows, given how many passages take each side.

    >>> [lab.value for lab in allowed_labels(2, 1)]
    ['Supported', 'Conflicting Evidence/Cherrypicking']
    >>> [lab.value for lab in allowed_labels(0, 0)]
    ['Not Enough Evidence']
    """
    if n_support and n_refute:
        out = [AveritecLabel.CONFLICTING]
        if n_support >= n_refute:
            out.insert(0, AveritecLabel.SUPPORTED)
        if n_refute >= n_support:
            out.insert(len(out) - 1, AveritecLabel.REFUTED)
        return tuple(out)
    if n_support:
        return (AveritecLabel.SUPPORTED,)
    if n_refute:
        return (AveritecLabel.REFUTED,)
    return (AveritecLabel.NOT_ENOUGH_EVIDENCE,)


def _similarity(ev: Evidence) -> float | None:
    # imported here: aggregate imports this module
    from factdesk.verdict.aggregate import passage_similarity

    return passage_similarity(ev)


class PassageGate:
    """Moves each passage's stance towards not-enough-info by how little it is about the claim.

    ``new = w * stance + (1 - w) * (0, 0, 1)`` with ``w = P(about)`` from the claim-passage
    similarity (see the module doc); the model's own probabilities are kept in
    ``scores["raw_*"]`` and ``w`` in ``scores["on_topic"]``. An item with no similarity is
    left as it is (w = 1): the judge records one on every item before gating.

    Args:
        gate: a relevance gate as stored in the aggregator's JSON (``features``, ``mean``,
            ``scale``, ``weights``, ``bias``); None = the shipped aggregator's, else `DEFAULT_GATE`.
    """

    def __init__(self, gate: dict[str, Any] | None = None) -> None:
        if gate is not None:
            missing = {"features", "mean", "scale", "weights", "bias"} - set(gate)
            if missing:
                raise ValueError(f"gate lacks {sorted(missing)}: pass the aggregator JSON's 'gate' object, or None")
        self.gate = gate

    def __repr__(self) -> str:
        return "PassageGate()" if self.gate is None else "PassageGate(gate=...)"

    def warm_up(self) -> None:
        """Read the shipped gate when none was given (once)."""
        if self.gate is not None:
            return
        from factdesk.verdict.aggregate import DEFAULT_PATH

        gate = None
        try:
            gate = json.loads(Path(DEFAULT_PATH).read_text(encoding="utf-8")).get("gate")
        except (OSError, ValueError):
            gate = None
        self.gate = gate if isinstance(gate, dict) else DEFAULT_GATE

    def weight(self, similarity: float | np.ndarray) -> np.ndarray:
        """P(about the claim) of passages with these claim-passage similarities."""
        self.warm_up()
        assert self.gate is not None
        s = np.atleast_1d(np.nan_to_num(np.asarray(similarity, dtype=np.float64), nan=0.0))
        g = self.gate
        z = ((s[:, None] - np.asarray(g["mean"])) / np.asarray(g["scale"])) @ np.asarray(g["weights"])
        return 1.0 / (1.0 + np.exp(-(z + float(g["bias"]))))

    def run(self, evidence: list[Evidence]) -> list[Evidence]:
        """Gate every judged item with a similarity, in place; return the list."""
        todo = [(ev, _similarity(ev)) for ev in evidence if ev.stance is not None and RAW_KEYS[0] not in ev.scores]
        todo = [(ev, s) for ev, s in todo if s is not None]
        if not todo:
            return evidence
        weights = self.weight(np.array([s for _, s in todo]))
        for (ev, _), w in zip(todo, weights):
            assert ev.stance is not None
            p = np.array([ev.stance.probs.get(lab.value, 0.0) for lab in STANCE_ORDER], dtype=np.float64)
            for key, v in zip(RAW_KEYS, p):
                ev.scores[key] = float(v)
            ev.scores["on_topic"] = float(w)
            gated = w * p + (1.0 - w) * np.array([0.0, 0.0, 1.0])
            ev.stance = Stance.from_probs(gated)
        return evidence

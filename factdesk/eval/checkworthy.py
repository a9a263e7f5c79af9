"""Check-worthiness: loaders for ClaimBuster and CLEF CheckThat!, and the scorer.

Formats (each detected from the file's content, any file of the format works):

- ClaimBuster JSON: a list of ``{"sentence_id", "label": 0|1, "text"}``.
- CheckThat! 2019 task 1 CSV: ``line_number,speaker,text,label,file_name`` (one debate per
  ``file_name``).
- CheckThat! 2020 task 5 TSV: ``text<TAB>label`` with CSV quoting (no debate column, so the
  whole file ranks as one list).

The scorer takes any ``score(sentences: list[str]) -> np.ndarray`` of check-worthiness
scores in [0, 1]; the desk's own model is ``factdesk.claims.checkworthy.CheckWorthiness``.
Metrics: P/R/F1 of the positive class at a threshold, and MAP over debates (CheckThat!'s
primary measure), with P@10 and the positive rate (the anchor a random ranking gets as AP).

>>> items = load_checkworthy("claimbuster_train.json")  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.errors import InputError, ModelError
from factdesk.eval.metrics import average_precision, precision_at_k, prf

ScoreFn = Callable[[list[str]], np.ndarray]


@dataclass
class CheckworthyItem:
    """One sentence, its 0/1 check-worthiness label, and the debate it belongs to."""

    text: str
    label: int
    group: str = "all"
    speaker: str | None = None


def _label(value: Any, where: str) -> int:
    try:
        v = int(str(value).strip())
    except ValueError:
        v = -1
    if v not in (0, 1):
        raise InputError(f"{where}: label {value!r} is not 0 or 1")
    return v


def _detect(path: Path, head: str) -> str:
    s = head.lstrip()
    if s.startswith("[") or s.startswith("{"):
        return "claimbuster"
    first = head.splitlines()[0] if head else ""
    if "\t" in first and first.lower().replace(" ", "").startswith("text\tlabel"):
        return "ct20"
    if first.lower().replace(" ", "").startswith("line_number,speaker,text,label"):
        return "ct19"
    raise InputError(
        f"{str(path)!r} is not a check-worthiness file factdesk reads: expected ClaimBuster JSON "
        "(a list of {sentence_id, label, text}), CheckThat! 2019 CSV (line_number,speaker,text,"
        "label,file_name) or CheckThat! 2020 TSV (text<TAB>label header)"
    )


def detect_format(path: str | Path) -> str:
    """``claimbuster``, ``ct19`` or ``ct20`` from the file's first bytes."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"check-worthiness file {str(p)!r} does not exist: pass the path to the file")
    with p.open(encoding="utf-8", errors="replace") as f:
        return _detect(p, f.read(4096))


def load_checkworthy(path: str | Path, limit: int | None = None) -> tuple[str, list[CheckworthyItem]]:
    """Load any supported check-worthiness file; returns ``(format, items)``."""
    p = Path(path)
    fmt = detect_format(p)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{str(p)!r} is not UTF-8 text ({exc})") from exc
    items: list[CheckworthyItem] = []
    if fmt == "claimbuster":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{str(p)!r} is not valid JSON ({exc}): pass a ClaimBuster JSON list") from exc
        if not isinstance(data, list):
            raise InputError(f"{str(p)!r} must hold a JSON list of {{sentence_id, label, text}}")
        for i, d in enumerate(data):
            if not isinstance(d, dict) or not isinstance(d.get("text"), str) or "label" not in d:
                raise InputError(f"{p}: item {i} needs 'text' and 'label' (0 or 1)")
            items.append(CheckworthyItem(text=d["text"], label=_label(d["label"], f"{p}: item {i}")))
    elif fmt == "ct19":
        for i, rec in enumerate(csv.DictReader(io.StringIO(text))):
            row: dict[str, str | None] = dict(rec)
            if row.get("text") is None or row.get("label") is None:
                raise InputError(f"{p}: row {i + 2} is short: expected line_number,speaker,text,label,file_name")
            items.append(
                CheckworthyItem(
                    text=str(row["text"]),
                    label=_label(row["label"], f"{p}: row {i + 2}"),
                    group=row.get("file_name") or "all",
                    speaker=row.get("speaker"),
                )
            )
    else:
        reader = csv.reader(io.StringIO(text), delimiter="\t")
        next(reader, None)
        for i, cells in enumerate(reader):
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != 2:
                raise InputError(f"{p}: record {i + 1} has {len(cells)} columns; expected text<TAB>label")
            items.append(CheckworthyItem(text=cells[0], label=_label(cells[1], f"{p}: record {i + 1}")))
    if limit:
        items = items[:limit]
    if not items:
        raise InputError(f"{str(p)!r} holds no sentences")
    return fmt, items


def score_checkworthy(
    items: Sequence[CheckworthyItem], scores: Sequence[float] | np.ndarray, threshold: float = 0.5
) -> dict[str, Any]:
    """P/R/F1 of the check-worthy class at ``threshold``, and MAP / P@10 over debates."""
    s = np.asarray(scores, dtype=float)
    if s.shape != (len(items),):
        raise ValueError(f"got {s.shape} scores for {len(items)} sentences: return one score per sentence")
    y = np.array([it.label for it in items], dtype=int)
    pred = s >= threshold
    p, r, f = prf(int((pred & (y == 1)).sum()), int(pred.sum()), int((y == 1).sum()))
    groups: dict[str, list[int]] = {}
    for i, it in enumerate(items):
        groups.setdefault(it.group, []).append(i)
    per_group = {
        g: {
            "ap": average_precision(y[idx], s[idx]),
            "p_at_10": precision_at_k(y[idx], s[idx], 10),
            "n": len(idx),
            "positives": int(y[idx].sum()),
        }
        for g, idx in groups.items()
    }
    m = float(np.mean([v["ap"] for v in per_group.values()]))
    return {
        "primary_metric": "map",
        "map": m,
        "precision": p,
        "recall": r,
        "f1": f,
        "accuracy": float((pred == (y == 1)).mean()),
        "p_at_10": float(np.mean([v["p_at_10"] for v in per_group.values()])),
        "threshold": threshold,
        "n": len(items),
        "positives": int(y.sum()),
        "positive_rate": float(y.mean()),
        "debates": len(groups),
        "per_debate": per_group if len(groups) > 1 else {},
    }


def default_scorer() -> ScoreFn:
    """The desk's check-worthiness model, warmed up; a clear error if it is not installed."""
    try:
        from factdesk.claims.checkworthy import CheckWorthiness  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        raise ModelError(
            "factdesk.claims.checkworthy.CheckWorthiness is not available "
            f"({exc}); install or train the check-worthiness model first, or pass a score function "
            "to factdesk.eval.checkworthy.evaluate(path, score=...)"
        ) from exc
    model = CheckWorthiness()
    model.warm_up()

    def score(sentences: list[str]) -> np.ndarray:
        return np.asarray(model.score(sentences), dtype=float)

    score.threshold = float(getattr(model, "threshold", 0.5))  # type: ignore[attr-defined]
    return score


def evaluate(
    path: str | Path,
    score: ScoreFn | None = None,
    limit: int | None = None,
    threshold: float | None = None,
    batch_size: int = 256,
) -> dict[str, Any]:
    """Score a check-worthiness file with ``score`` (default: the desk's model).

    ``threshold`` defaults to the model's own tuned one (a ``threshold`` attribute of the
    score function), else 0.5.
    """
    import time

    fmt, items = load_checkworthy(path, limit)
    fn = score or default_scorer()
    t0 = time.perf_counter()
    texts = [it.text for it in items]
    parts = [
        np.asarray(fn(texts[i : i + batch_size]), dtype=float).reshape(-1) for i in range(0, len(texts), batch_size)
    ]
    scores = np.concatenate(parts) if parts else np.zeros(0)
    seconds = time.perf_counter() - t0
    if threshold is None:
        threshold = float(getattr(fn, "threshold", 0.5))
    out = score_checkworthy(items, scores, threshold)
    out.update(
        {"format": fmt, "seconds": seconds, "sentences_per_second": len(items) / seconds if seconds > 0 else 0.0}
    )
    return out

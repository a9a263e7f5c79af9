"""Claim extraction scored against claims written down by hand (``examples/claims-eval/``).

A data folder holds articles, briefings and transcripts (``NAME.txt``, ``.md`` or ``.html``),
each beside ``NAME.gold.json``::

    {"doc_date": "2025-01-14" | null,      # the document's date, as a desk would know it
     "ingest_date": "2026-11-30",          # the day the text came in
     "claims": [{"text": "...", "speaker": "..." | null, "date": "YYYY-MM-DD"}]}

The gold claims are what a fact-checker would extract: checkable statements of fact by the
people and organisations quoted (framing off, one claim per unit, no predictions, not the
writer's own narration), with who made them and when.

Scoring, per folder:

- predictions: the extractor's claims that are checkable (not predictions) and rank at least
  `min_score`;
- matching: a prediction matches a gold claim of the same document when the token F1 of the
  two texts (lower-cased words and numbers, the SQuAD answer metric) is at least `threshold`
  (default 0.5); pairs are taken greedily, best first, each claim used once;
- claim precision, recall and F1 over all documents (micro);
- speaker accuracy and date accuracy over the matched pairs (speakers compared case- and
  space-insensitively without a leading "the"; dates exactly).

>>> round(token_f1("Crime fell 20 percent last year.", "crime fell by 20 percent"), 2)
0.73
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factdesk.errors import InputError
from factdesk.types import parse_date

TEXT_SUFFIXES = (".txt", ".md", ".html")
_TOKEN = re.compile(r"[a-z0-9£$€%]+(?:[.,][0-9]+)*")


def tokens(text: str) -> list[str]:
    """Lower-cased words and numbers ('4.3', '310,000' stay whole)."""
    return _TOKEN.findall(text.lower().replace("’", "'"))


def token_f1(a: str, b: str) -> float:
    """Token-overlap F1 of two texts (multiset overlap, as SQuAD scores answers)."""
    ta, tb = tokens(a), tokens(b)
    common = sum((Counter(ta) & Counter(tb)).values())
    if not common:
        return 0.0
    p, r = common / len(ta), common / len(tb)
    return 2 * p * r / (p + r)


def same_speaker(a: str | None, b: str | None) -> bool:
    """Speakers equal up to case, spacing and a leading 'the' (None only equals None)."""

    def norm(s: str | None) -> str:
        return re.sub(r"^the\s+", "", " ".join((s or "").lower().split()))

    return norm(a) == norm(b)


@dataclass
class GoldItem:
    """One document of the set and the claims written down for it."""

    name: str
    text: str
    doc_date: dt.date | None
    ingest_date: dt.date | None
    claims: list[dict[str, Any]] = field(default_factory=list)


def load_set(folder: str | Path) -> list[GoldItem]:
    """Every ``NAME.gold.json`` in `folder` with its text file, sorted by name."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError(
            f"{root} is not a folder: pass a folder of NAME.txt + NAME.gold.json pairs, e.g. examples/claims-eval/dev"
        )
    items: list[GoldItem] = []
    for gold_path in sorted(root.glob("*.gold.json")):
        stem = gold_path.name[: -len(".gold.json")]
        text_path = next((root / (stem + s) for s in TEXT_SUFFIXES if (root / (stem + s)).is_file()), None)
        if text_path is None:
            raise InputError(f"{gold_path}: no {stem}.txt, .md or .html beside it")
        try:
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            claims = list(gold["claims"])
            for c in claims:
                if not str(c.get("text") or "").strip():
                    raise ValueError("a claim without text")
                parse_date(c.get("date"))
            doc_date, ingest = parse_date(gold.get("doc_date")), parse_date(gold.get("ingest_date"))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{gold_path}: {exc} (see factdesk/eval/claims.py for the format)") from exc
        items.append(GoldItem(stem, _read_text(text_path), doc_date, ingest, claims))
    if not items:
        raise InputError(f"{root} holds no NAME.gold.json files: see examples/claims-eval/ for the format")
    return items


def _read_text(path: Path) -> str:
    """The text as `factdesk claims` reads it (Markdown front matter and HTML markup removed)."""
    from factdesk.ingest.loaders import Skip, load_file

    for item in load_file(path):
        if isinstance(item, Skip):
            raise InputError(f"{item.path}: {item.reason}")
        return item.text
    raise InputError(f"{path}: no text found")


def match(pred: list[str], gold: list[str], threshold: float) -> list[tuple[int, int, float]]:
    """Greedy one-to-one pairs ``(pred index, gold index, similarity)``, best first, >= threshold."""
    pairs = sorted(
        ((token_f1(p, g), i, j) for i, p in enumerate(pred) for j, g in enumerate(gold)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_p: set[int] = set()
    used_g: set[int] = set()
    out: list[tuple[int, int, float]] = []
    for sim, i, j in pairs:
        if sim < threshold:
            break
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        out.append((i, j, sim))
    return out


def evaluate(
    folder: str | Path, threshold: float = 0.5, min_score: float = 0.5, extractor: Any = None, details: bool = True
) -> dict[str, Any]:
    """Claim precision / recall / F1, speaker and date accuracy over `folder` (module docstring)."""
    if not 0.0 < threshold <= 1.0:
        raise InputError(f"threshold={threshold}: pass a similarity in (0, 1], e.g. 0.5")
    items = load_set(folder)
    if extractor is None:
        from factdesk.claims import ClaimExtractor

        extractor = ClaimExtractor(progress=False)
    n_pred = n_gold = n_match = n_speaker = n_date = 0
    per_doc: list[dict[str, Any]] = []
    for item in items:
        res = extractor.run(item.text, doc_date=item.doc_date, source=item.name, ingest_date=item.ingest_date)
        preds = [ec for ec in res if ec.checkable and ec.score >= min_score]
        pairs = match([ec.claim.text for ec in preds], [str(c["text"]) for c in item.claims], threshold)
        sp = sum(same_speaker(preds[i].claim.speaker, item.claims[j].get("speaker")) for i, j, _ in pairs)
        dd = sum(preds[i].claim.date == parse_date(item.claims[j].get("date")) for i, j, _ in pairs)
        n_pred, n_gold, n_match = n_pred + len(preds), n_gold + len(item.claims), n_match + len(pairs)
        n_speaker, n_date = n_speaker + sp, n_date + dd
        if details:
            matched = {j: i for i, j, _ in pairs}
            per_doc.append(
                {
                    "document": item.name,
                    "predicted": len(preds),
                    "gold": len(item.claims),
                    "matched": len(pairs),
                    "missed": [c["text"] for j, c in enumerate(item.claims) if j not in matched],
                    "wrong": [
                        {
                            "gold": item.claims[j]["text"],
                            "speaker": preds[i].claim.speaker,
                            "gold_speaker": item.claims[j].get("speaker"),
                            "date": preds[i].claim.date.isoformat() if preds[i].claim.date else None,
                            "gold_date": item.claims[j].get("date"),
                        }
                        for j, i in matched.items()
                        if not same_speaker(preds[i].claim.speaker, item.claims[j].get("speaker"))
                        or preds[i].claim.date != parse_date(item.claims[j].get("date"))
                    ],
                    "extra": [ec.claim.text for k, ec in enumerate(preds) if k not in {i for i, _, _ in pairs}],
                }
            )
    p = n_match / n_pred if n_pred else 0.0
    r = n_match / n_gold if n_gold else 0.0
    out: dict[str, Any] = {
        "data": str(folder),
        "documents": len(items),
        "gold_claims": n_gold,
        "predicted_claims": n_pred,
        "matched": n_match,
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "speaker_accuracy": n_speaker / n_match if n_match else 0.0,
        "date_accuracy": n_date / n_match if n_match else 0.0,
        "match": f"token F1 >= {threshold}",
        "min_score": min_score,
    }
    if details:
        out["per_document"] = per_doc
    return out

"""Match a claim against fact-checks already published: the desk's own and imported ones.

Imported fact-checks (AVeriTeC JSON, or ClaimReview JSON-LD from other fact-checkers) are
kept in the store's `checks` table with status "external"; the desk's own published checks
have status "published". Matching is lexical (the checks' full-text index) for candidates,
then MiniLM cosine similarity to keep only real paraphrases.

>>> from factdesk.testing.fakes import FakeEmbedder
>>> from factdesk.store.sqlite import SQLiteStore
>>> s = SQLiteStore(":memory:")
>>> _ = import_checks(s, [{"claimReviewed": "Turkey hosts the most refugees in the world",
...                        "reviewRating": {"alternateName": "True"}, "url": "https://x"}])
>>> [m.rating for m in FactCheckMatcher(s, FakeEmbedder()).run("Turkey hosts the most refugees in the world")]
['True']
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from factdesk.errors import InputError
from factdesk.models.embed import Embedder
from factdesk.store.base import EvidenceStore
from factdesk.types import content_hash


@dataclass
class Match:
    """An earlier fact-check of the same (or a paraphrased) claim."""

    check_id: str
    claim: str
    rating: str | None
    similarity: float
    url: str | None
    publisher: str | None
    date: str | None
    status: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _record_from_claimreview(cr: dict[str, Any]) -> dict[str, Any]:
    item = cr.get("itemReviewed") or {}
    author = item.get("author") or {}
    rating = cr.get("reviewRating") or {}
    org = cr.get("author") or {}
    return {
        "claim": {"text": cr.get("claimReviewed") or "", "speaker": author.get("name"),
                  "date": item.get("datePublished")},
        "verdict": rating.get("alternateName"),
        "url": cr.get("url"),
        "publisher": org.get("name") if isinstance(org, dict) else None,
        "date": cr.get("datePublished"),
    }


def _record_from_averitec(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "claim": {"text": r.get("claim") or "", "speaker": r.get("speaker"), "date": r.get("claim_date")},
        "verdict": r.get("label"),
        "url": r.get("fact_checking_article") or r.get("original_claim_url"),
        "publisher": r.get("reporting_source"),
        "date": r.get("claim_date"),
        "justification": r.get("justification"),
    }


def import_checks(store: EvidenceStore, records: Iterable[dict[str, Any]]) -> int:
    """Store published fact-checks (ClaimReview dicts or AVeriTeC claims) for matching."""
    n = 0
    for r in records:
        if not isinstance(r, dict):
            continue
        rec = _record_from_claimreview(r) if "claimReviewed" in r else _record_from_averitec(r)
        text = (rec["claim"].get("text") or "").strip()
        if not text:
            continue
        cid = "ext-" + content_hash(text, rec.get("url"))
        store.save_check(cid, rec, "external")
        n += 1
    return n


def load_check_records(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read ClaimReview JSON-LD (one object, a list, or JSON lines) or AVeriTeC JSON."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise InputError(f"{p} is neither JSON nor JSON lines ({exc.msg}, line {exc.lineno})") from exc
    records = data if isinstance(data, list) else [data]
    if not all(isinstance(r, dict) and ("claimReviewed" in r or "claim" in r) for r in records):
        raise InputError(f"{p}: expected ClaimReview objects (with claimReviewed) or AVeriTeC claims (with claim)")
    return records


class FactCheckMatcher:
    """Finds earlier fact-checks of a claim; `threshold` is the minimum cosine similarity."""

    def __init__(self, store: EvidenceStore, embedder: Embedder, threshold: float = 0.75, candidates: int = 30) -> None:
        self.store = store
        self.embedder = embedder
        self.threshold = threshold
        self.candidates = candidates

    def warm_up(self) -> None:
        self.embedder.warm_up()

    def run(self, claim: str, k: int = 5) -> list[Match]:
        cands = self.store.list_checks(status="external", query=claim, limit=self.candidates)
        cands += self.store.list_checks(status="published", query=claim, limit=self.candidates)
        if not cands:
            return []
        texts = [(c["data"].get("claim") or {}).get("text") or "" for c in cands]
        vecs = self.embedder.embed([claim, *texts])
        sims = vecs[1:] @ vecs[0]
        out = []
        for c, s in sorted(zip(cands, sims), key=lambda cs: -float(cs[1])):
            if float(s) < self.threshold:
                break
            d = c["data"]
            out.append(Match(
                check_id=c["id"], claim=(d.get("claim") or {}).get("text", ""), rating=d.get("verdict"),
                similarity=round(float(s), 4), url=d.get("url"), publisher=d.get("publisher"),
                date=d.get("date") or (d.get("claim") or {}).get("date"), status=c["status"],
            ))
            if len(out) >= k:
                break
        return out


__all__ = ["FactCheckMatcher", "Match", "import_checks", "load_check_records"]

"""Match a claim against fact-checks already published: the desk's own and imported ones.

Imported fact-checks (ClaimReview JSON-LD from other fact-checkers, AVeriTeC JSON, or the
CheckThat! verified-claims TSV) are kept in the store's `checks` table with status
"external"; the desk's own published checks have status "published". `FactCheckMatcher`
ranks them for a claim or a social-media post: BM25 and embedding candidates, fused.

>>> from factdesk.testing.fakes import FakeEmbedder
>>> from factdesk.store.sqlite import SQLiteStore
>>> s = SQLiteStore(":memory:")
>>> _ = import_checks(s, [{"claimReviewed": "Turkey hosts the most refugees in the world",
...                        "reviewRating": {"alternateName": "True"}, "url": "https://x"}])
>>> [m.rating for m in FactCheckMatcher(s, FakeEmbedder()).run("Turkey hosts the most refugees in the world")]
['True']
"""

from __future__ import annotations

import csv
import json
import os
import re
import time
import weakref
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.errors import InputError
from factdesk.match.bm25 import BM25Index
from factdesk.models.embed import Embedder
from factdesk.store.base import EvidenceStore
from factdesk.types import content_hash


@dataclass
class Match:
    """An earlier fact-check of the same (or a paraphrased) claim.

    `similarity` is the embeddings' cosine, `score` the fused rank score (higher is better),
    `bm25` the lexical score (0 when no word is shared), `same_claim` the matcher's decision.
    """

    check_id: str
    claim: str
    rating: str | None
    similarity: float
    url: str | None
    publisher: str | None
    date: str | None
    status: str
    score: float = 0.0
    bm25: float = 0.0
    same_claim: bool = True
    title: str | None = None
    source_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- cleaning posts -------------------------------------------------------------------------------
_URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S*", re.IGNORECASE)
# The signature of an embedded tweet: "— Name (@handle) January 6, 2020" at the end.
_SIGNATURE = re.compile(
    r"\s*[\u2014\u2013-]{1,2}\s*(?P<name>[^\u2014\u2013\n]{0,100}?)\s*\(@\w{1,30}\)\s*"
    r"(?:[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4})?\s*[\"\u201d']?\s*$"
)
_HANDLE = re.compile(r"(?<!\w)@(\w{1,30})")
_HASHTAG = re.compile(r"(?<!\w)#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")


def split_words(tag: str) -> str:
    """``DefundTheCBC`` -> ``Defund The CBC``; ``covid_19`` -> ``covid 19``."""
    return _CAMEL.sub(" ", tag.replace("_", " ")).strip()


def clean_post(text: str, keep_author: bool = True) -> str:
    """A social-media post as plain words: no URLs, handles and hashtags split into words, and
    of an embedded tweet's signature only the author's name (`keep_author`) or nothing.

    >>> clean_post("Stop it #DefundTheCBC https://t.co/x — Brad Trost (@BradTrostCPC) December 26, 2019")
    'Stop it Defund The CBC Brad Trost'
    """
    t = _SIGNATURE.sub(lambda m: " " + m.group("name") if keep_author else "", text)
    t = _URL.sub(" ", t)
    t = _HANDLE.sub(lambda m: split_words(m.group(1)), t)
    t = _HASHTAG.sub(lambda m: split_words(m.group(1)), t)
    return " ".join(t.split())


# --- importing ------------------------------------------------------------------------------------
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
    """Store published fact-checks for matching: ClaimReview dicts, AVeriTeC claims, or records
    already in the desk's form (``{"claim": {"text": ...}, ...}``, as `load_checkthat_claims`
    returns). A record's id is a hash of its claim and URL (else its ``source_id``), so
    importing again changes nothing."""
    n = 0
    for r in records:
        if not isinstance(r, dict):
            continue
        if "claimReviewed" in r:
            rec = _record_from_claimreview(r)
        elif isinstance(r.get("claim"), dict):
            rec = r
        else:
            rec = _record_from_averitec(r)
        text = (rec["claim"].get("text") or "").strip()
        if not text:
            continue
        cid = "ext-" + content_hash(text, rec.get("url") or rec.get("source_id"))
        old = store.get_check(cid)
        # Unchanged records are not written again: re-importing 10k checks is reads only.
        if old is None or old["status"] != "external" or old["data"] != rec:
            store.save_check(cid, rec, "external")
        n += 1
    return n


def load_check_records(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read ClaimReview JSON-LD (one object, a list, or JSON lines), AVeriTeC JSON, or a
    CheckThat! verified-claims ``.tsv``."""
    p = Path(path)
    if p.suffix.lower() == ".tsv":
        return load_checkthat_claims(p)
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


def read_tsv(path: Path, what: str = "") -> list[list[str]]:
    """All rows of a tab-separated UTF-8 file; an unreadable file is an `InputError` naming it."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.reader(f, delimiter="\t"))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read {what + ' ' if what else ''}{path}: {exc}") from exc


def load_checkthat_claims(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """CheckThat! verified claims (TSV: id, claim, title, with a header line) as check records.

    Each record keeps the file's id as ``source_id`` (``"ct:<id>"``) and its title.
    """
    p = Path(path)
    rows = read_tsv(p)
    if not rows or len(rows[0]) < 2 or rows[0][1].strip().lower() not in {"vclaim", "claim"}:
        raise InputError(f"{p} is not a CheckThat! verified-claims file: expected a header line "
                         "'<TAB>vclaim<TAB>title' and then id<TAB>claim<TAB>title lines")
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if not row or not any(x.strip() for x in row):
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise InputError(f"{p} row {n}: expected id<TAB>claim<TAB>title, got {len(row)} field(s)")
        out.append({"claim": {"text": row[1].strip(), "speaker": None, "date": None},
                    "title": row[2].strip() if len(row) > 2 else "", "verdict": None, "url": None,
                    "publisher": None, "date": None, "source_id": f"ct:{row[0].strip()}"})
    return out


class FactCheckMatcher:
    """Ranks earlier fact-checks (imported or published) by how likely they check the same claim.

    A post is cleaned first (`clean_post`: URLs, handles, hashtags, embedded-tweet signature).
    Candidates come from two rankings of every stored check: BM25 over claim and title (OR
    semantics: a post rarely repeats all the words of a claim) and the cosine similarity of
    the claims' embeddings; the `candidates` best of each are fused by reciprocal rank fusion
    (constant `rrf_k`). On CheckThat! 2020 train, RRF with k=10 beat RRF with k=60 and a
    linear fusion of cosine and BM25 (bench/tune_claim_matching.py). Ties go to the check
    imported first. `rank()` returns the ranked list with its scores; `run()` keeps only the
    matches that pass the "same claim" decision (cosine >= `threshold`), which is what the
    desk shows next to a new check.

    The index is built on first use and re-read when the store's checks change; embeddings of
    the checks are cached in the store (`save_check_vectors`), keyed by model and text, so
    only new checks are embedded.

    Args:
        store: where the checks are.
        embedder: sentence embedder (L2-normalised vectors).
        threshold: cosine similarity at or above which a match counts as the same claim.
        candidates: how many checks each ranking contributes to the fusion.
        rrf_k: the constant of reciprocal rank fusion (larger flattens the ranks).
        clean: clean social-media posts before ranking.
    """

    def __init__(self, store: EvidenceStore, embedder: Embedder, threshold: float = 0.75, candidates: int = 100,
                 rrf_k: int = 10, clean: bool = True) -> None:
        if not -1.0 <= threshold <= 1.0:
            raise ValueError(f"threshold is a cosine similarity between -1 and 1, got {threshold}")
        if candidates < 1 or rrf_k < 1:
            raise ValueError(f"candidates and rrf_k must be at least 1, got {candidates} and {rrf_k}")
        self.store = store
        self.embedder = embedder
        self.threshold = threshold
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.clean = clean

    def warm_up(self) -> None:
        self.embedder.warm_up()
        self._index()

    def _index(self) -> _CheckIndex:
        return _index_for(self.store, self.embedder)

    def refresh(self) -> None:
        """Re-read the store's checks now (otherwise changes are seen within `RECHECK_SECONDS`)."""
        _index_for(self.store, self.embedder, force=True)

    def _fused(self, claim: str) -> list[Match]:
        """Every candidate of either ranking, best fused score first."""
        if not claim.strip():
            return []
        idx = self._index()
        if not idx.rows:
            return []
        query = clean_post(claim) if self.clean else claim
        if not query.strip():
            query = claim
        cos = idx.vectors @ self.embedder.embed([query])[0]
        lexical = idx.bm25.search(query, self.candidates)
        dense = np.argsort(-cos, kind="stable")[: self.candidates]
        fused: dict[int, float] = {}
        bm25: dict[int, float] = {}
        for r, (i, s) in enumerate(lexical):
            fused[i] = fused.get(i, 0.0) + 1.0 / (self.rrf_k + r + 1)
            bm25[i] = s
        for r, i in enumerate(dense.tolist()):
            fused[i] = fused.get(i, 0.0) + 1.0 / (self.rrf_k + r + 1)
        order = sorted(fused, key=lambda i: -fused[i])  # stable: ties keep BM25's order, then the dense one
        return [idx.match(i, score=fused[i], similarity=float(cos[i]), bm25=bm25.get(i, 0.0),
                          same_claim=float(cos[i]) >= self.threshold) for i in order]

    def rank(self, claim: str, k: int = 5) -> list[Match]:
        """The `k` checks most likely to be of the same claim, best first, each with its scores."""
        return self._fused(claim)[:k] if k > 0 else []

    def run(self, claim: str, k: int = 5) -> list[Match]:
        """Only the ranked matches that count as the same claim (cosine >= `threshold`), best first.

        Every check at or above the threshold is among the dense candidates (unless more than
        `candidates` are), so none is lost to the fusion.
        """
        return [m for m in self._fused(claim) if m.same_claim][:k] if k > 0 else []


def check_texts(data: dict[str, Any]) -> tuple[str, str]:
    """(claim, title) of a stored check: what the matcher indexes."""
    claim = (data.get("claim") or {}).get("text") or ""
    return claim, data.get("title") or data.get("headline") or ""


@dataclass
class _CheckIndex:
    signature: tuple[Any, ...]
    rows: list[dict[str, Any]]
    bm25: BM25Index
    vectors: np.ndarray
    checked_at: float = 0.0

    def match(self, i: int, score: float, similarity: float, bm25: float, same_claim: bool) -> Match:
        c = self.rows[i]
        d = c["data"]
        claim, title = check_texts(d)
        return Match(
            check_id=c["id"], claim=claim, rating=d.get("verdict"), similarity=round(similarity, 4),
            url=d.get("url"), publisher=d.get("publisher"),
            date=d.get("date") or (d.get("claim") or {}).get("date"), status=c["status"],
            score=round(score, 6), bm25=round(bm25, 4), same_claim=same_claim, title=title or None,
            source_id=d.get("source_id"),
        )


# One index per (store, embedder): the desk makes a new matcher for every check, and the
# index of 10k checks takes a second or two to load.
_INDEXES: weakref.WeakKeyDictionary[Any, dict[str, _CheckIndex]] = weakref.WeakKeyDictionary()
_MATCH_STATUSES = ("external", "published")
# How long an index is trusted before the store is asked whether its checks changed: the
# question costs a count and a sort of the checks (~30 ms for 10k on SQLite), more than the
# ranking itself.
RECHECK_SECONDS = 2.0
_ALL = 10**9


def _signature(store: EvidenceStore) -> tuple[Any, ...]:
    latest = store.list_checks(limit=1)
    return (store.stats().get("checks", 0), latest[0]["id"] if latest else None,
            latest[0]["updated"] if latest else None)


def _natural(text: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def _import_order(c: dict[str, Any]) -> tuple[Any, ...]:
    """Creation time, then the source's own id (``ct:336`` before ``ct:5161``), then the id:
    the order ties are broken in, whatever order the store lists the checks in."""
    return (str(c.get("created") or ""), _natural(str(c["data"].get("source_id") or "")), c["id"])


def _model_key(embedder: Embedder) -> str:
    t = type(embedder)
    return f"{t.__module__}.{t.__qualname__}:{embedder.dim}"


def _index_for(store: EvidenceStore, embedder: Embedder, force: bool = False) -> _CheckIndex:
    model = _model_key(embedder)
    try:
        cache = _INDEXES.setdefault(store, {})
    except TypeError:  # a store that cannot be weakly referenced: no cache
        cache = {}
    idx = cache.get(model)
    now = time.monotonic()
    if idx is not None and not force and now - idx.checked_at < RECHECK_SECONDS:
        return idx
    sig = _signature(store)
    if idx is not None and idx.signature == sig:
        idx.checked_at = now
        return idx
    rows = [c for status in _MATCH_STATUSES for c in store.list_checks(status=status, limit=_ALL)]
    rows.sort(key=_import_order)
    texts = [check_texts(c["data"]) for c in rows]
    bm = BM25Index()
    bm.index([f"{claim} {title}" for claim, title in texts])
    keys = [content_hash(model, claim) for claim, _ in texts]
    cached = store.get_check_vectors(sorted(set(keys))) if keys else {}
    missing = sorted({k: claim for k, (claim, _) in zip(keys, texts, strict=True) if k not in cached}.items())
    if missing:
        new = embedder.embed([claim for _, claim in missing])
        fresh = {k: new[j] for j, (k, _) in enumerate(missing)}
        store.save_check_vectors(fresh)
        cached.update(fresh)
    vectors = (np.stack([cached[k] for k in keys]).astype(np.float32) if keys
               else np.zeros((0, embedder.dim), dtype=np.float32))
    idx = _CheckIndex(signature=sig, rows=rows, bm25=bm, vectors=vectors, checked_at=time.monotonic())
    cache[model] = idx
    return idx


__all__ = ["FactCheckMatcher", "Match", "check_texts", "clean_post", "import_checks", "load_check_records",
           "load_checkthat_claims", "split_words"]

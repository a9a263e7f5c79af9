"""Recurring-claim grouping on CheckThat! 2020 Task 2: posts that match the same verified claim
belong to one group.

Each post is cleaned (`clean_post`), embedded and placed by `IncrementalGrouper` in file
order, one at a time. Scored by pairwise precision, recall and F1 over co-grouped posts (a
pair is right when both posts match a common verified claim), with two baselines from the
same run: every post alone (precision 1 by convention, recall 0) and BM25 (each post joins
the group of its most similar earlier post when their BM25 score, divided by the post's score
against itself, is at or above `bm25_threshold`).

Several query/qrels pairs (train, dev) are scored each on its own and all together.

With the verified claims (``checks``) the desk's own setting is scored as well (``with_checks``):
the claims are imported as fact-checks, and a post whose best match (`FactCheckMatcher`, first
stage only: BM25 + dense fused, no same-claim reranker, which was trained on CheckThat! train)
has a cosine at or above `anchor_threshold` joins that check's group; the other posts are
grouped among themselves as above.

>>> pairwise_prf([0, 0, 1, 2], {(0, 1), (2, 3)})
{'precision': 1.0, 'recall': 0.5, 'f1': 0.6667, 'predicted_pairs': 1, 'gold_pairs': 2}
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.errors import InputError
from factdesk.eval.claim_matching import load_qrels, load_queries
from factdesk.match.bm25 import BM25Index
from factdesk.match.previous import clean_post
from factdesk.models.embed import Embedder
from factdesk.narratives.group import DEFAULT_THRESHOLD, DEFAULT_WORD_WEIGHT, IncrementalGrouper

DEFAULT_BM25_THRESHOLD = 0.25
DEFAULT_ANCHOR_THRESHOLD = 0.40
"""With checks: cosine of the best-matching check at or above which a post joins its group (chosen on train:
the largest value with train's best F1; 0 to 0.40 tie there)."""
"""BM25 baseline: self-normalised score at or above which a post joins (chosen on train)."""


def co_grouped(labels: Sequence[int]) -> set[tuple[int, int]]:
    """Every pair (i < j) of positions that share a label."""
    by: dict[int, list[int]] = defaultdict(list)
    for i, lab in enumerate(labels):
        by[lab].append(i)
    return {p for members in by.values() for p in itertools.combinations(members, 2)}


def gold_pairs(claims: Sequence[set[str]]) -> set[tuple[int, int]]:
    """Pairs of positions whose posts match at least one common verified claim."""
    by: dict[str, list[int]] = defaultdict(list)
    for i, cs in enumerate(claims):
        for c in cs:
            by[c].append(i)
    return {p for members in by.values() for p in itertools.combinations(sorted(set(members)), 2)}


def pairwise_prf(labels: Sequence[int], gold: set[tuple[int, int]]) -> dict[str, Any]:
    pred = co_grouped(labels)
    tp = len(pred & gold)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(gold) if gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "predicted_pairs": len(pred),
        "gold_pairs": len(gold),
    }


def group_posts(
    vectors: np.ndarray,
    texts: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
    word_weight: float = DEFAULT_WORD_WEIGHT,
) -> list[int]:
    g = IncrementalGrouper(dim=vectors.shape[1], threshold=threshold, word_weight=word_weight)
    return [g.add(v, t).group for v, t in zip(vectors, texts, strict=True)]


def bm25_groups(texts: Sequence[str], threshold: float = DEFAULT_BM25_THRESHOLD) -> list[int]:
    """The BM25 baseline: each post joins its most similar earlier post's group when the
    self-normalised BM25 score is at or above `threshold`."""
    bm = BM25Index()
    bm.index(list(texts))
    labels: list[int] = []
    for i, t in enumerate(texts):
        s = bm.scores(t)
        own = float(s[i]) if len(s) else 0.0
        label = len(set(labels)) and -1
        if i and own > 0:
            j = int(np.argmax(s[:i]))
            if s[j] / own >= threshold:
                label = labels[j]
        labels.append(label if label >= 0 else (max(labels) + 1 if labels else 0))
    return labels


def anchored_labels(
    texts: Sequence[str],
    vectors: np.ndarray,
    best: Sequence[tuple[str, float] | None],
    threshold: float = DEFAULT_THRESHOLD,
    word_weight: float = DEFAULT_WORD_WEIGHT,
    anchor_threshold: float = DEFAULT_ANCHOR_THRESHOLD,
) -> list[int]:
    """Groups when each post may join the group of its best-matching check ((check id, cosine) or None)."""
    free = [i for i, b in enumerate(best) if b is None or b[1] < anchor_threshold]
    inner = group_posts(vectors[free], [texts[i] for i in free], threshold, word_weight) if free else []
    keys: list[str] = [""] * len(texts)
    for i, lab in zip(free, inner, strict=True):
        keys[i] = f"post:{lab}"
    for i, b in enumerate(best):
        if not keys[i] and b is not None:
            keys[i] = f"check:{b[0]}"
    ids: dict[str, int] = {}
    return [ids.setdefault(k, len(ids)) for k in keys]


def best_checks(
    texts: Sequence[str],
    checks: str | Path,
    embedder: Embedder,
    db: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[tuple[str, float] | None]:
    """(check id, cosine) of each post's best match among the imported `checks` (first stage only)."""
    from factdesk.match.previous import FactCheckMatcher, import_checks, load_checkthat_claims
    from factdesk.registry import open_store

    store = open_store(db or ":memory:", dim=embedder.dim)
    try:
        import_checks(store, load_checkthat_claims(checks))
        matcher = FactCheckMatcher(store, embedder, reranker=None)
        matcher.warm_up()
        out: list[tuple[str, float] | None] = []
        for n, t in enumerate(texts, start=1):
            top = matcher.rank(t, k=1)
            out.append((top[0].check_id, top[0].similarity) if top else None)
            if progress and n % 200 == 0:
                progress(f"matched {n} of {len(texts)} posts against the checks")
        return out
    finally:
        store.close()


def load_split(queries: str | Path, qrels: str | Path) -> tuple[list[str], list[set[str]]]:
    """(posts, their verified-claim ids) for the posts the qrels judge, in file order."""
    qs = load_queries(queries)
    rel = load_qrels(qrels)
    ids = [q for q in qs if q in rel]
    if not ids:
        raise InputError(f"no query id of {queries} appears in {qrels}: pass matching files")
    return [qs[q] for q in ids], [rel[q] for q in ids]


def _default_embedder() -> Embedder:
    from factdesk.registry import registry

    e: Embedder = registry.create("embedder", "minilm")
    return e


def evaluate(
    pairs: Sequence[tuple[str | Path, str | Path]],
    embedder: Embedder | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    word_weight: float = DEFAULT_WORD_WEIGHT,
    bm25_threshold: float = DEFAULT_BM25_THRESHOLD,
    checks: str | Path | None = None,
    db: str | None = None,
    anchor_threshold: float = DEFAULT_ANCHOR_THRESHOLD,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Pairwise P/R/F1 of the grouper and both baselines, per split and (with several) all together.

    The primary metric is ``f1`` on all the posts given: of the grouping through the checks when
    `checks` is given, else of the posts alone (``posts_only_f1`` either way).
    """
    if not pairs:
        raise InputError("pass at least one --queries/--qrels pair")
    embedder = embedder or _default_embedder()
    embedder.warm_up()
    splits: list[tuple[str, list[str], list[set[str]], np.ndarray, list[Any]]] = []
    for n, (q, r) in enumerate(pairs):
        posts, claims = load_split(q, r)
        texts = [clean_post(p) or p for p in posts]
        vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
        name = Path(q).parent.name or f"split{n + 1}"
        if any(name == s[0] for s in splits):
            name = f"{name}{n + 1}"
        best = best_checks(posts, checks, embedder, db, progress) if checks is not None else []
        splits.append((name, texts, claims, vectors, best))
        if progress:
            progress(f"{name}: {len(texts)} posts embedded")

    def score(texts: list[str], claims: list[set[str]], vectors: np.ndarray, best: list[Any]) -> dict[str, Any]:
        gold = gold_pairs(claims)
        labels = group_posts(vectors, texts, threshold, word_weight)
        out = {
            "posts": len(texts),
            "groups": len(set(labels)),
            **pairwise_prf(labels, gold),
            "singletons": pairwise_prf(list(range(len(texts))), gold),
            "bm25": pairwise_prf(bm25_groups(texts, bm25_threshold), gold),
        }
        if best:
            anchored = anchored_labels(texts, vectors, best, threshold, word_weight, anchor_threshold)
            out["with_checks"] = {"groups": len(set(anchored)), **pairwise_prf(anchored, gold)}
        return out

    out: dict[str, Any] = {}
    for name, texts, claims, vectors, best in splits:
        out[name] = score(texts, claims, vectors, best)
    if len(splits) > 1:
        # Claim ids are shared across the splits' qrels (one verified-claims file), so a train
        # post and a dev post that match the same claim belong together too.
        all_texts = [t for s in splits for t in s[1]]
        all_claims = [c for s in splits for c in s[2]]
        out["all"] = score(
            all_texts, all_claims, np.concatenate([s[3] for s in splits]), [b for s in splits for b in s[4]]
        )
    primary = out["all"] if len(splits) > 1 else out[splits[0][0]]
    head = primary["with_checks"] if checks is not None else primary
    return {
        "f1": head["f1"],
        "precision": head["precision"],
        "recall": head["recall"],
        "posts_only_f1": primary["f1"],
        "settings": {
            "threshold": threshold,
            "word_weight": word_weight,
            "checks": str(checks) if checks else None,
            "anchor_threshold": anchor_threshold if checks is not None else None,
            "bm25_threshold": bm25_threshold,
            "text": "clean_post (author name kept)",
        },
        "splits": out,
    }

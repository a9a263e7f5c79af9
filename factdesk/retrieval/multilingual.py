"""Retrieval across languages: which model and which index serve a claim, by its language.

The rule (issue 24, part 3; figures in BENCHMARKS.md, "Cross-lingual retrieval"):

- **English claim**: BM25 on the stemmed full-text index and MiniLM's nearest passages, as
  before, plus e5's nearest passages *in other languages* (a document whose language is
  known and is not English). On an English corpus the ranking is exactly the English one;
  a Russian or Ukrainian passage enters only through e5.
- **Claim in any other language** (ru, uk, be, pl, ...): BM25 on the passages' lemmas
  (`factdesk.retrieval.query.lemma_query`, the claim's language) and e5's nearest passages
  in every language. MiniLM is left out: it was trained on English and ranks Cyrillic text
  by its shared characters.

The rankings are fused by reciprocal rank fusion (`factdesk.retrieval.fusion.rrf`) as before.
A claim's language is its `language` field, else `factdesk.lang.detect` of its text; one that
cannot be told (a number, a name) takes the English path.

A store keeps the e5 vectors and lemmas when it offers `MultilingualIndex` (both shipped
stores do, from schema step 0004); `Desk.ingest` writes them; `index_multilingual` fills them
for passages stored before (from Python: ``index_multilingual(desk.store, E5Encoder())``; there
is no CLI command for it yet). Until then those passages take part in BM25 and MiniLM only.

>>> from factdesk.types import Claim
>>> claim_language(Claim("Польша направила к границе 15 тысяч военных"))
'ru'
>>> is_english(claim_language(Claim("12 345")))
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from factdesk.models.embed import DualEncoder
from factdesk.store.base import EvidenceStore, Hit, MultilingualIndex
from factdesk.types import Claim


def claim_language(claim: Claim) -> str | None:
    """The claim's language as given, else as detected from its text (None: cannot be told)."""
    if claim.language:
        return claim.language
    from factdesk.lang import detect

    return detect(claim.text)


def is_english(lang: str | None) -> bool:
    """True for English and for text whose language cannot be told: both take the English path."""
    return lang is None or lang == "en"


def supports_multilingual(store: EvidenceStore) -> bool:
    return isinstance(store, MultilingualIndex)


class MultilingualDenseRetriever:
    """Nearest passages by e5 (query vector against the store's passage vectors), any language.

    `hits(..., other_languages_only=True)` keeps only passages of a known language other than
    English (the English claim's extra ranking in the rule above).
    """

    def __init__(self, store: EvidenceStore, encoder: DualEncoder, overfetch: int = 4) -> None:
        if not isinstance(store, MultilingualIndex):
            raise TypeError(
                f"{type(store).__name__} keeps no multilingual vectors: use a store with schema step 0004 "
                "(SQLiteStore, PostgresStore) or leave multilingual=None"
            )
        self.store = store
        self.index: MultilingualIndex = store
        self.encoder = encoder
        self.overfetch = overfetch

    def warm_up(self) -> None:
        self.encoder.warm_up()

    def hits(
        self, claim: Claim, k: int, before: dt.date | None = None, other_languages_only: bool = False
    ) -> list[Hit]:
        """The `k` nearest passage ids to the claim's e5 query vector, best first."""
        q = self.encoder.query([claim.text])[0]
        if not other_languages_only:
            return self.index.multilingual_search(q, k, before)
        found = self.index.multilingual_search(q, k * self.overfetch, before)
        langs = {p.id: (p.language or d.language) for p, d in self.store.get_passages([h.passage_id for h in found])}
        return [h for h in found if not is_english(langs.get(h.passage_id))][:k]


def index_multilingual(
    store: EvidenceStore,
    encoder: DualEncoder,
    batch_size: int = 128,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Give every stored passage that lacks them its e5 vector and lemmas; returns how many.

    Passages stored before schema step 0004 (or by a desk without the multilingual encoder)
    have neither; this reads them in batches of `batch_size`, so it can be stopped and run again.
    """
    if not isinstance(store, MultilingualIndex):
        raise TypeError(f"{type(store).__name__} keeps no multilingual vectors (schema step 0004)")
    done = 0
    while True:
        rows = store.passages_without_multilingual(batch_size)
        if not rows:
            return done
        vectors = encoder.passage([text for _, text, _ in rows])
        done += store.set_multilingual([(pid, v, lang) for (pid, _, lang), v in zip(rows, vectors, strict=True)])
        if progress is not None:
            progress(done)

"""A small mixed-language retrieval test written for factdesk (issue 24, part 8).

20 claims (5 Russian, 5 Ukrainian, 4 Polish, 6 English), each with one passage of evidence
written in another language, in a corpus of 40 short dated paragraphs: every topic has its
evidence and a distractor on the same subject, dated before the claim, most of them in the
claim's own language (so sharing words with the claim is not enough). Each non-English claim
also carries an English rendering (``text_en``), used to test matching across languages.
The texts were written for this test (their facts follow public reporting of the events);
nothing here is taken from a dataset.

>>> len(claims()), len(documents())
(20, 40)
>>> sorted({c.lang for c in claims()})
['en', 'pl', 'ru', 'uk']
>>> all(c.lang != gold_language(c) for c in claims())
True
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from factdesk.types import Claim, Document

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class TestClaim:
    """A claim of the set: its id, language, date, text, English rendering and evidence ids."""

    __test__ = False  # not a pytest class

    id: str
    lang: str
    date: str
    text: str
    evidence: tuple[str, ...]
    text_en: str | None = None

    def claim(self) -> Claim:
        return Claim(self.text, date=dt.date.fromisoformat(self.date), language=self.lang, text_en=self.text_en)


@cache
def _corpus() -> tuple[dict[str, object], ...]:
    lines = (HERE / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(x) for x in lines if x.strip())


def documents() -> list[Document]:
    """The 40 paragraphs as documents; `source_path` holds each one's id (``t03-gold``)."""
    return [
        Document(
            text=str(r["text"]),
            title=str(r["title"]),
            published=dt.date.fromisoformat(str(r["published"])),
            language=str(r["lang"]),
            source_path=str(r["id"]),
        )
        for r in _corpus()
    ]


def claims() -> list[TestClaim]:
    lines = (HERE / "claims.jsonl").read_text(encoding="utf-8").splitlines()
    out = []
    for x in lines:
        if x.strip():
            r = json.loads(x)
            out.append(TestClaim(r["id"], r["lang"], r["date"], r["text"], tuple(r["evidence"]), r.get("text_en")))
    return out


def gold_language(c: TestClaim) -> str:
    """The language of the claim's evidence."""
    langs = {str(r["id"]): str(r["lang"]) for r in _corpus()}
    return langs[c.evidence[0]]

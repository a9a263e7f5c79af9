"""One stance model per language pair: English pairs to one judge, every other pair to another.

The desk judges (claim, evidence) pairs in any language. `LanguageRouter` looks at the
language of both texts (`factdesk.lang.detect`) and sends a pair whose two sides are both
English to its `english` model and any other pair (Russian evidence for an English claim, a
Ukrainian claim against Polish evidence, ...) to its `multilingual` model. Which models fill
the two places is decided by measurement (BENCHMARKS.md, "Judge v4"): today the multilingual
e5 cross-encoder is at least as good in English as the MiniLM one, so the default desk uses it
for every pair and the router is there for a desk that wants MiniLM's speed on English.

A pair is never judged by a model that was not measured in its language: `route` tells which
model took each pair, and the JSON output shows it.

>>> from factdesk.testing.fakes import FakeStanceModel
>>> r = LanguageRouter(english=FakeStanceModel(), multilingual=FakeStanceModel())
>>> r.route([("The minister resigned.", "The minister resigned on Monday."),
...          ("Министр ушёл в отставку.", "The minister resigned on Monday.")])
['english', 'multilingual']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from factdesk.types import STANCE_ORDER

_LATIN_ONLY = re.compile(r"^[\x00-\x7f\u00a0-\u024f\u2000-\u206f]*$")


def _language(text: str) -> str | None:
    from factdesk.lang import detect

    return detect(text)


_WORD = re.compile(r"[^\W\d_]{2,}", re.U)


@lru_cache(maxsize=4096)  # `predict` and `judged_by` route the same pairs: detect each text once
def is_english(text: str) -> bool:
    """English; or too short to tell (under 4 words: names, numbers, "NATO 2021") and written in
    Latin letters only, where a language guess on a word or two is noise."""
    text = text or ""
    if len(_WORD.findall(text)) < 4:
        return bool(_LATIN_ONLY.match(text))
    return _language(text) == "en"


class LanguageRouter:
    """A `StanceModel` that routes each pair by language (see the module docstring).

    Args:
        english: judges pairs whose claim and evidence are both English.
        multilingual: judges every other pair.
    """

    def __init__(self, english: Any, multilingual: Any) -> None:
        self.english = english
        self.multilingual = multilingual

    def __repr__(self) -> str:
        return f"LanguageRouter(english={self.english!r}, multilingual={self.multilingual!r})"

    @property
    def version(self) -> str:
        return f"{getattr(self.english, 'version', '?')}+{getattr(self.multilingual, 'version', '?')}"

    def warm_up(self) -> None:
        self.english.warm_up()
        self.multilingual.warm_up()

    def route(self, pairs: Sequence[tuple[str, str]]) -> list[str]:
        """'english' or 'multilingual' for each pair."""
        return [
            "english" if is_english(str(c or "")) and is_english(str(e or "")) else "multilingual" for c, e in pairs
        ]

    def judged_by(self, pairs: Sequence[tuple[str, str]]) -> list[str]:
        """The version of the model that judges each pair (shown with each passage in the JSON)."""
        names = {
            "english": str(getattr(self.english, "version", "") or "english"),
            "multilingual": str(getattr(self.multilingual, "version", "") or "multilingual"),
        }
        return [names[r] for r in self.route(pairs)]

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        out = np.zeros((len(pairs), len(STANCE_ORDER)), dtype=np.float32)
        if not pairs:
            return out
        routes = self.route(pairs)
        for name, model in (("english", self.english), ("multilingual", self.multilingual)):
            idx = [i for i, r in enumerate(routes) if r == name]
            if idx:
                out[idx] = model.predict([pairs[i] for i in idx])
        return out

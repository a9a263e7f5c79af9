"""Split a document into passages of whole sentences, keeping character offsets.

>>> from factdesk.types import Document
>>> d = Document(text="First sentence here. Second one. Third.")
>>> [(p.start, p.end) for p in chunk_document(d, max_chars=25)]
[(0, 20), (21, 39)]
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from factdesk.types import Document, Passage

# A sentence ends at . ! ? (optionally followed by quotes/brackets) before whitespace and an
# upper-case letter, digit or quote; abbreviations like "U.S." or "Dr." are kept whole.
_ABBREV = re.compile(
    r"(?:\b(?:[A-Z]|Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|St|Jr|Sr|No|vs|etc|Inc|Ltd|Co|U\.S|U\.N|e\.g|i\.e))\.$"
)
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*\n")
# The longest abbreviation is 5 characters with its dot, and `\b` needs the one before it, so
# the abbreviation test only ever needs the last few characters of a sentence. Searching the
# whole pending sentence instead made "A. B. A. B. ..." quadratic (hours for 1 MB).
ABBREV_WINDOW = 16


def split_sentences(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) offsets of sentences in `text`, whitespace trimmed."""
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        tail = text[max(start, m.start() + 1 - ABBREV_WINDOW) : m.start() + 1]
        if m.group(0).strip() and _ABBREV.search(tail):
            continue
        yield from _trim(text, start, end)
        start = end
    yield from _trim(text, start, len(text))


def _trim(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield (start, end)


def chunk_document(document: Document, max_chars: int = 400, hard_max: int = 1200) -> list[Passage]:
    """Group consecutive sentences into passages of at most ~max_chars characters.

    A single sentence longer than `hard_max` is cut at whitespace so no passage is unbounded.
    """
    text = document.text
    spans: list[tuple[int, int]] = []
    for s, e in split_sentences(text):
        while e - s > hard_max:
            cut = text.rfind(" ", s, s + hard_max)
            cut = cut if cut > s else s + hard_max
            spans.append((s, cut))
            s = cut
            while s < e and text[s].isspace():
                s += 1
        if e > s:
            spans.append((s, e))
    passages: list[Passage] = []
    cur: tuple[int, int] | None = None
    for s, e in spans:
        if cur is not None and e - cur[0] <= max_chars and "\n\n" not in text[cur[1] : s]:
            cur = (cur[0], e)
            continue
        if cur is not None:
            passages.append(Passage(document.id, text[cur[0] : cur[1]], cur[0], cur[1], len(passages)))
        cur = (s, e)
    if cur is not None:
        passages.append(Passage(document.id, text[cur[0] : cur[1]], cur[0], cur[1], len(passages)))
    return passages

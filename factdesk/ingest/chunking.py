"""Split a document into passages of whole sentences, keeping character offsets.

Russian, Ukrainian, Belarusian and Polish documents are cut into sentences by razdel (natasha's
splitter: "т. е.", "г.", "им. Янки Купалы", initials and «ёлочки» stay whole); the regex below
knows English abbreviations and capitals only. Every passage gets a language: its document's,
or its own when it is long enough to tell and reads as another language (an English article
quoting a Russian paragraph).

>>> from factdesk.types import Document
>>> d = Document(text="First sentence here. Second one. Third.")
>>> [(p.start, p.end) for p in chunk_document(d, max_chars=25)]
[(0, 20), (21, 39)]
>>> ru = Document(text="Т. е. в 2021 г. было так. Второе предложение.", language="ru")
>>> [p.text for p in chunk_document(ru, max_chars=20)]
['Т. е. в 2021 г. было так.', 'Второе предложение.']
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


RAZDEL_LANGUAGES = ("ru", "uk", "be", "pl")
PASSAGE_LANG_WORDS = 8  # a passage this long is identified on its own; a shorter one takes its document's


def sentences_for(text: str, language: str | None) -> Iterator[tuple[int, int]]:
    """Sentence spans: razdel for ru/uk/be/pl (when installed), else `split_sentences`."""
    if language in RAZDEL_LANGUAGES:
        try:
            from razdel import sentenize
        except ImportError:
            yield from split_sentences(text)
            return
        spans = [t for s in sentenize(text) for t in _trim(text, s.start, s.stop)]
        yield from merge_open_quotes(text, spans)
        return
    yield from split_sentences(text)


def merge_open_quotes(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join sentences while a «ёлочки» or „лапки“ quote is open, so a quote of several sentences
    and its attribution ("«... . ...», — заявил он.") stay one unit, as they are one claim.

    >>> t = "«Раз. Два», — сказал он. Три."
    >>> [t[a:b] for a, b in merge_open_quotes(t, [(0, 6), (7, 24), (25, 29)])]
    ['«Раз. Два», — сказал он.', 'Три.']
    """
    out: list[tuple[int, int]] = []
    depth = 0
    for a, b in spans:
        if out and depth > 0 and b - out[-1][0] < 2000:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
            depth = 0
        piece = text[a:b]
        opened = piece.count("«") + piece.count("„")
        depth = max(0, depth + opened - piece.count("»") - piece.count("“") - piece.count("”"))
    return out


def passage_language(text: str, document_language: str | None) -> str | None:
    """A passage's language: detected when it has `PASSAGE_LANG_WORDS` words or more and the
    model is sure (p >= 0.95), else its document's."""
    if len(text.split()) < PASSAGE_LANG_WORDS:
        return document_language
    from factdesk.lang import detect_scored

    lang, prob = detect_scored(text)
    if lang is None or (document_language and prob < 0.95):
        return document_language
    return lang


def chunk_document(document: Document, max_chars: int = 400, hard_max: int = 1200) -> list[Passage]:
    """Group consecutive sentences into passages of at most ~max_chars characters.

    A single sentence longer than `hard_max` is cut at whitespace so no passage is unbounded.
    A document without a language is identified first (`factdesk.lang.detect`; the document
    is updated, so the store keeps it), then each passage (`passage_language`).
    """
    text = document.text
    if document.language is None:
        from factdesk.lang import detect

        document.language = detect(text)
    spans: list[tuple[int, int]] = []
    for s, e in sentences_for(text, document.language):
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
    for p in passages:
        p.language = passage_language(p.text, document.language)
    return passages

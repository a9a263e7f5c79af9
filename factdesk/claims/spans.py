"""Where things sit in a paragraph: paragraphs, quoted spans, clause boundaries.

>>> find_quotes('“It is cold,” she said. He agreed.')[0]
[(0, 13)]
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from factdesk.claims.vocab_en import _SPEAKER_LINE_RE


def find_quotes(text: str) -> tuple[list[tuple[int, int]], bool, bool]:
    """Quoted spans ``(start, end)`` including the marks, whether the paragraph opens inside a
    quote carried over (a closing mark with no opening one), and whether a quote is still open
    at the end (it continues in the next paragraph)."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    carried = False
    for i, ch in enumerate(text):
        if ch == "“" or (
            ch == '"'
            and start is None
            and (i == 0 or text[i - 1] in " \t\n([{—–-:")
            and i + 1 < len(text)
            and not text[i + 1].isspace()
        ):
            if start is None:
                start = i
        elif ch == "”" or ch == '"':
            if start is not None:
                spans.append((start, i + 1))
                start = None
            elif not spans and ch == "”":
                spans.append((0, i + 1))
                carried = True
    open_at_end = start is not None
    if start is not None:
        spans.append((start, len(text)))
    return spans, carried, open_at_end


_ABBREV = re.compile(
    r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Lt|Col|St|Jr|Sr|Inc|Ltd|Co|No|vs|etc|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec))$"
)


def clause_start(masked: str, pos: int, marks: str = ',;:“”"(!?') -> int:
    """Index just after the nearest clause boundary before `pos` (0 if none).

    A full stop counts only when it ends a sentence: not in "U.N." or "Mr." and followed by
    a space and a capital or a quote mark.
    """
    best = max(masked.rfind(ch, 0, pos) for ch in marks)
    i = masked.rfind(".", 0, pos)
    while i > best:
        nxt = masked[i + 1 : i + 3]
        if (
            len(nxt) >= 2
            and nxt[0].isspace()
            and (nxt[1].isupper() or nxt[1] in '“"')
            and not _ABBREV.search(masked[max(0, i - 5) : i])
        ):
            return i + 1
        i = masked.rfind(".", 0, i)
    return best + 1


def _mask(text: str, spans: Sequence[tuple[int, int]]) -> str:
    out = list(text)
    for s, e in spans:
        for i in range(s + 1, e - 1):
            out[i] = "·"
    return "".join(out)


# --- paragraphs ------------------------------------------------------------------------------


def split_paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each paragraph: a line, or a blank-line block of hard-wrapped lines.

    Offsets index into `text`; a wrapped block's newlines are left to the caller to read as
    spaces (same length, so offsets stay exact).
    """
    for block in re.finditer(r"[^\n]+(?:\n[ \t]*[^\s][^\n]*)*", text):
        lines = list(re.finditer(r"[^\n]+", block.group(0)))
        long_open = sum(1 for ln in lines if len(ln.group(0)) > 50 and ln.group(0).rstrip()[-1:] not in '.!?:”"')
        if len(lines) >= 2 and long_open >= 0.6 * len(lines) and not _SPEAKER_LINE_RE.match(lines[1].group(0)):
            s, e = block.start(), block.end()
            yield s, e
            continue
        for ln in lines:
            s, e = block.start() + ln.start(), block.start() + ln.end()
            if text[s:e].strip():
                yield s, e

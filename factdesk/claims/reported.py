"""What attribution answers for one sentence: `Attribution`, and the per-paragraph state
(`ParagraphAttribution`) that turns a quote or a reported clause into the claim's text.

The claim box holds the speaker's words: for a direct quote, the quoted words; for reported
speech ("Glaz claimed that ..."), the ``that`` clause, marked as a paraphrase.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from factdesk.claims.vocab_en import _ACCORDING_RE

# --- results ---------------------------------------------------------------------------------


@dataclass
class Attribution:
    """Who made a sentence's claim, in what form, and when."""

    text: str
    quote: str
    speaker: str | None = None
    speaker_title: str | None = None
    speaker_kind: str | None = None  # "person" or "org"
    date: dt.date | None = None
    kind: str = "statement"  # "quote", "reported", "transcript" or "statement"
    paraphrase: bool = False  # the text is the writer's rendering of what the speaker said, not their words
    date_source: str | None = None  # "text", "speaker" (the speaker's date elsewhere), "document"
    verb: str | None = None  # the speech verb that introduced the claim
    narration: bool = False  # the writer's own sentence, with a speech verb but no claim reported


@dataclass
class _Cue:
    pos: int
    end: int
    speaker: str
    title: str | None
    kind: str  # "person" / "org"
    date: dt.date | None
    reported_from: int | None = None  # where a reported-speech complement starts
    date_source: str | None = None
    verb: str | None = None
    according: bool = False  # "according to X, ...": the sentence is X's claim


@dataclass
class ParagraphAttribution:
    """Attribution state for one paragraph; `attribute(start, end)` answers for a sentence in it."""

    text: str
    offset: int
    quotes: list[tuple[int, int]]
    cues: list[_Cue]
    quote_speaker: dict[int, _Cue | None]
    turn: _Cue | None
    doc_date: dt.date | None
    ref_year: int | None
    english: bool = True
    body_start: int = 0
    doc_date_source: str = "document"  # or "dateline": the date the text opens with

    def attribute(self, start: int, end: int) -> Attribution:
        """Attribution for the sentence at paragraph-relative ``[start, end)``."""
        sent = self.text[start:end]
        verbatim = " ".join(sent.split())
        if not self.english:
            return Attribution(text=verbatim, quote=verbatim)
        inside = [(i, max(s, start), min(e, end)) for i, (s, e) in enumerate(self.quotes) if s < end and e > start]
        if inside:
            parts = [self.text[s:e].strip().strip('“”"').strip() for _, s, e in inside]
            quoted = " ".join(" ".join(p.split()) for p in parts if p)
            cue = None
            for i, _, _ in inside:
                cue = self.quote_speaker.get(i) or cue
            cue = cue or self.turn
            if quoted and len(quoted.split()) >= 3:
                text = re.sub(r"[,;:]$", ".", quoted.rstrip())
                quoted = quoted.rstrip(" ,;:")  # '"...on a global scale," Glaz proclaimed': the comma is the writer's
                if text[-1:] not in ".!?…":
                    text += "."
                if cue is None:
                    return Attribution(
                        text=text, quote=quoted, date=self.doc_date, kind="quote", date_source=self._doc_source()
                    )
                date, source = self._date(cue)
                return Attribution(
                    text=text,
                    quote=quoted,
                    speaker=cue.speaker,
                    speaker_title=cue.title,
                    speaker_kind=cue.kind,
                    date=date,
                    date_source=source,
                    verb=cue.verb,
                    kind="transcript" if cue is self.turn else "quote",
                )
        cues = [c for c in self.cues if start <= c.pos < end]
        cues = [c for c in cues if c.according or c.reported_from is not None]
        if not cues and [c for c in self.cues if start <= c.pos < end] and self.turn is None:
            # "Lukashenko all but acknowledged his plan ...": a speech verb with no quote and no
            # reported clause is the writer's own account, not the speaker's claim.
            return Attribution(
                text=verbatim, quote=verbatim, date=self.doc_date, date_source=self._doc_source(), narration=True
            )
        if cues:
            c = cues[0]
            text = verbatim
            if c.reported_from is not None and start <= c.reported_from < end:
                rest = self.text[c.reported_from : end].strip()
                if len(rest.split()) >= 4:
                    text = rest[0].upper() + rest[1:]
            elif c.according:
                text = _ACCORDING_RE.sub("", sent).strip(" ,")
                text = text[:1].upper() + text[1:] if text else verbatim
            date, source = self._date(c)
            return Attribution(
                text=" ".join(text.split()),
                quote=verbatim,
                speaker=c.speaker,
                speaker_title=c.title,
                speaker_kind=c.kind,
                date=date,
                date_source=source,
                kind="reported",
                paraphrase=text != verbatim,
                verb=c.verb,
            )
        if self.turn is not None:
            date, source = self._date(self.turn)
            return Attribution(
                text=verbatim,
                quote=verbatim,
                speaker=self.turn.speaker,
                speaker_title=self.turn.title,
                speaker_kind=self.turn.kind,
                date=date,
                date_source=source,
                kind="transcript",
            )
        return Attribution(text=verbatim, quote=verbatim, date=self.doc_date, date_source=self._doc_source())

    def _doc_source(self) -> str | None:
        return self.doc_date_source if self.doc_date is not None else None

    def _date(self, cue: _Cue) -> tuple[dt.date | None, str | None]:
        if cue.date is not None:
            return cue.date, cue.date_source or "text"
        return self.doc_date, self._doc_source()

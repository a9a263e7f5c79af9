"""State a claim the way a fact-checker states it: framing off, one claim per unit, its kind.

Three small, general rules over the normalised claim text (after attribution has removed the
reported-speech wrapper "Glaz claimed that"):

- `strip_framing`: "He has kept mum, again, on the main thing: NATO countries have become a
  machine producing refugees" is checked for what follows the colon. A short lead-in before a
  colon (or one spaced dash) is framing when it holds no figure and what follows is a full
  clause of its own; a list or a fragment after the colon ("Unemployment fell: the best
  figure since 1990") is an elaboration and stays.
- `split_coordinated`: "Inflation had fallen to 3 percent, and promised that wages would double
  by 2030" is two claims glued by a second speech verb; each becomes its own unit, the second
  remembering its verb.
- `claim_category`: a prediction or promise ("will", "would double by 2030", "promised that")
  cannot be checked against evidence published before it, so it is marked and ranked low.

>>> strip_framing("He has kept mum, again, on the main thing: Over the past decade, NATO countries have become a machine producing refugees.")
'Over the past decade, NATO countries have become a machine producing refugees.'
>>> [p.text for p in split_coordinated("Inflation had fallen to 3 percent, and promised that wages would double by 2030.")]
['Inflation had fallen to 3 percent.', 'Wages would double by 2030.']
>>> claim_category("Wages would double by 2030.", verb="promised")
'prediction'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Finite-verb evidence for "is this a clause?": auxiliaries, copulas and common past forms.
# A cheap stand-in for a parser; a clause without one of these is rare in news copy.
_FINITE = re.compile(
    r"\b(?:is|are|was|were|am|be|been|being|has|have|had|will|would|shall|should|can|could|may|might|must|"
    r"do|does|did|"
    r"became|become|becomes|fell|falls|rose|rises|grew|grows|made|makes|took|takes|gave|gives|sent|sends|"
    r"paid|pays|lost|loses|won|wins|built|builds|left|leaves|kept|keeps|came|comes|went|goes|saw|sees|"
    r"got|gets|ran|runs|cut|cuts|put|puts|set|sets|hit|hits|spent|spends|brought|brings|bought|buys|"
    r"held|holds|led|leads|knew|knows|thought|thinks|found|finds|told|tells|said|says|stood|stands|"
    r"remains|remained|lies|lay|means|meant|shows|showed|[a-z]{3,}ed)\b|n[’']t\b",
    re.I,
)
_DIGIT = re.compile(r"\d")
_SPLIT_AT = re.compile(r"(?<=[\w)’'\"”])\s*:\s+(?=\S)|\s[—–]\s")
# "going to" is a future only before a verb: "going to close", not "going to the border"
_GOING = r"going\s+to\s+(?!(?:the|a|an|his|her|their|our|its|my|your|this|that|these|those|work|school|war|court|bed)\b)[a-z]"
_FUTURE = re.compile(
    r"\b(?:will|won[’']t|shall)\b|\w[’']ll\b|(?:\b(?:is|are|am|was|were)\s+|\w[’'](?:s|re|m)\s+)" + _GOING, re.I
)
_WOULD_BY = re.compile(
    r"\bwould\b[^.;]*\b(?:by|in|before|until|within)\s+(?:(?:the\s+end\s+of\s+)?(?:19|20)\d\d|"
    r"next\s+\w+|the\s+(?:coming|next)\s+\w+)",
    re.I,
)
_CONDITIONAL = re.compile(r"^\s*(?:if|unless|should)\b", re.I)
PROMISE_VERBS = frozenset(
    {"promised", "promises", "vowed", "vows", "pledged", "pledges", "predicted", "predicts", "forecast", "forecasts"}
)
_SPEECH = (
    r"said|says|claimed|claims|added|adds|promised|promises|vowed|vows|pledged|pledges|predicted|predicts|"
    r"insisted|insists|stated|states|argued|argues|noted|notes|warned|warns|announced|announces|"
    r"stressed|stresses|declared|declares|asserted|asserts|alleged|alleges|maintained|maintains|"
    r"boasted|boasts|told \w+|forecast|forecasts"
)
_COORD = re.compile(
    r",?\s+and\s+(?:(?:also|then|later|again|further|\w+ly)\s+)?(?P<verb>" + _SPEECH + r")"
    r"(?:\s+(?:that\s+)?|\s*,\s*)(?=\S)"
)
_PRONOUN_START = re.compile(r"^\s*(?:we|they|he|she|I)\s+[a-z]", re.I)
_PRONOUN_CLAUSE = re.compile(r",\s+(?:and|but)\s+(?=(?:we|they|he|she|I|it)\s+\S+)")


def looks_clause(text: str, min_words: int = 4) -> bool:
    """True when `text` reads as a full clause: enough words and a finite verb among them."""
    return len(text.split()) >= min_words and bool(_FINITE.search(text))


def _sentence(text: str) -> str:
    text = text.strip(" ,;:—–-")
    if not text:
        return text
    text = text[0].upper() + text[1:]
    if text[-1:] not in ".!?…":
        text += "."
    return text


def strip_framing(text: str, max_lead_words: int = 14) -> str:
    """The checkable part of a claim whose opening only frames it (see the module docstring).

    Splits at the first colon or the one spaced dash; two dashes are a parenthesis, not a
    framing. The lead is dropped only when it is short, holds no figure and is shorter than
    what follows, and what follows is a full clause.

    >>> strip_framing("The figures are clear: crime fell 20 percent last year.")
    'Crime fell 20 percent last year.'
    >>> strip_framing("Unemployment fell 3 percent: the best result since 1990.")
    'Unemployment fell 3 percent: the best result since 1990.'
    """
    dashes = len(re.findall(r"\s[—–]\s", text))
    for m in _SPLIT_AT.finditer(text):
        if m.group(0).strip() in "—–" and dashes != 1:
            continue
        lead, rest = text[: m.start()], text[m.end() :]
        lead_words = len(lead.split())
        if (
            1 <= lead_words <= max_lead_words
            and not _DIGIT.search(lead)
            and lead_words < len(rest.split())
            and looks_clause(rest, 5)
            and not rest.lstrip().startswith(("“", '"'))
        ):
            return _sentence(rest)
        break
    return text


@dataclass
class ClaimPart:
    """One atomic claim from a sentence: its text and the speech verb that introduced it (if any)."""

    text: str
    verb: str | None = None


def split_coordinated(text: str, verb: str | None = None, min_words: int = 4) -> list[ClaimPart]:
    """Split "A, and promised that B" (a second speech verb) and "A, and we B" into parts.

    Each part must be a clause of at least `min_words` words; otherwise the text stays whole.
    The first part keeps `verb` (the sentence's own speech verb), later parts their own.

    >>> [p.text for p in split_coordinated("Unemployment fell to 4 percent in 2019, and we built 300 schools.")]
    ['Unemployment fell to 4 percent in 2019.', 'We built 300 schools.']
    """
    cuts: list[tuple[int, int, str | None]] = []
    for m in _COORD.finditer(text):
        cuts.append((m.start(), m.end(), m.group("verb").split()[0]))
    for m in _PRONOUN_CLAUSE.finditer(text):
        if not any(a <= m.start() < b for a, b, _ in cuts):
            cuts.append((m.start(), m.end(), None))
    if not cuts:
        return [ClaimPart(text, verb)]
    cuts.sort()
    parts: list[ClaimPart] = []
    pos, cur_verb = 0, verb
    for a, b, v in cuts:
        parts.append(ClaimPart(text[pos:a], cur_verb))
        pos, cur_verb = b, (v or cur_verb)
    parts.append(ClaimPart(text[pos:], cur_verb))
    # a part that opens with a subject pronoun ("we now power 310,000 homes") has its verb next
    if any(
        not (looks_clause(p.text, min_words) or (_PRONOUN_START.match(p.text) and len(p.text.split()) >= min_words))
        for p in parts
    ):
        return [ClaimPart(text, verb)]
    return [ClaimPart(_sentence(p.text), p.verb) for p in parts]


def claim_category(text: str, verb: str | None = None) -> str:
    """``"prediction"`` for a forecast or promise (not checkable before the fact), else ``"fact"``.

    >>> claim_category("Inflation had fallen to 3 percent.", verb="said")
    'fact'
    >>> claim_category("We will hold nobody.")
    'prediction'
    """
    if verb and verb.lower() in PROMISE_VERBS:
        return "prediction"
    if _CONDITIONAL.match(text) and "," in text:
        # "If some think that we will close our borders, they are mistaken": the main clause counts
        text = text.rsplit(",", 1)[1]
    if _FUTURE.search(text) or _WOULD_BY.search(text):
        return "prediction"
    return "fact"

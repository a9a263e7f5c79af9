"""Small helpers about speakers: cleaning a name as written, titles, organisations, pronouns.

>>> _looks_org("Foreign Ministry")
True
>>> resolve_pronouns("He said it was cold.", {"person": ["Anatoly Glaz"]}, in_quote=False)
'Anatoly Glaz said it was cold.'
"""

from __future__ import annotations

import re

from factdesk.claims.vocab_en import ORG_WORDS, TITLE_WORDS

# --- small helpers ---------------------------------------------------------------------------


def _clean_np(s: str) -> str:
    s = " ".join(s.replace("\n", " ").split()).strip(" ,;:-—–")
    s = re.sub(r"(?:’s|'s|’|')$", "", s)
    s = re.sub(r"^(?:[Tt]he|[Aa]n?)\s+", "", s)
    return s.strip()


def _title_case_label(label: str) -> str:
    label = " ".join(label.split())
    if label.isupper():
        return " ".join(w if len(w) <= 2 and w.endswith(".") else w.capitalize() for w in label.split())
    return label


def _is_title_phrase(s: str) -> bool:
    words = [w.strip(",.").lower() for w in s.split()[:5]]
    return bool(words) and any(w in TITLE_WORDS for w in words)


def _looks_org(name: str) -> bool:
    toks = [t.lower().strip(".,") for t in name.split()]
    return any(t in ORG_WORDS for t in toks) or (len(toks) == 1 and name.isupper() and len(name) <= 6)


# --- decontextualisation ---------------------------------------------------------------------

_PAREN_PRONOUN = re.compile(r"\b(?:[Hh]e|[Ss]he|[Tt]hey|[Ii]t|[Hh]im|[Hh]er|[Tt]hem)\s*\(([A-Z][^)]{1,60})\)")
_LEAD_PRONOUN = re.compile(r"^(He|She|They|It|This)\s+(?!is\b|was\b|seems\b|appears\b|takes\b)(?=[a-z])")


def resolve_pronouns(text: str, candidates: dict[str, list[str]], in_quote: bool) -> str:
    """Replace ``He (X)`` by X, and a leading pronoun by the one entity that fits.

    `candidates` maps "person" / "group" / "thing" to the distinct entities named in the
    sentence before; a pronoun is replaced only when exactly one candidate fits, and leading
    pronouns only outside quotes (inside a quote, "he" is rarely the speaker).
    """
    text = _PAREN_PRONOUN.sub(lambda m: m.group(1), text)
    if in_quote:
        return text
    m = _LEAD_PRONOUN.match(text)
    if not m:
        return text
    pron = m.group(1)
    pool = {"He": "person", "She": "person", "They": "group", "It": "thing", "This": "thing"}[pron]
    options = candidates.get(pool, [])
    if pron == "This" and not re.match(
        r"This\s+(?:will|would|could|has|had|means|meant|shows|showed|cost|costs)\b", text
    ):
        return text
    if len(options) == 1:
        return options[0] + text[m.end(1) :]
    return text

"""English vocabularies for attribution: speech verbs, titles, organisations, name patterns.

The regular expressions and word sets the English `Attributor` reads with, and
`looks_english`. The tables for Russian, Ukrainian, Belarusian and Polish live in
`factdesk.claims.langtables`.

>>> looks_english("The minister said that unemployment fell by a third last year.")
True
>>> looks_english("Министр заявил, что безработица за год сократилась на треть.")
False
"""

from __future__ import annotations

import re

# --- vocabularies ----------------------------------------------------------------------------

SPEECH_VERBS = (
    "said|says|say|claimed|claims|proclaimed|proclaims|told|tells|added|adds|stated|states|argued|argues|"
    "insisted|insists|wrote|writes|tweeted|tweets|declared|declares|noted|notes|asserted|asserts|alleged|"
    "alleges|explained|explains|warned|warns|announced|announces|stressed|stresses|maintained|maintains|"
    "boasted|boasts|suggested|suggests|responded|responds|replied|replies|continued|contended|contends|"
    "acknowledged|acknowledges|admitted|admits|denied|denies|countered|emphasi[sz]ed|emphasi[sz]es|"
    "pointed out|recalled|reported|reports|summari[sz]ed|summari[sz]es|accused|accuses|estimated|estimates|"
    "predicted|predicts|promised|promises|vowed|vows|testified|posted|remarked|observed|concluded|concludes|"
    "repeated|confirmed|confirms|commented|quipped|charged|complained|complains|conceded|concedes|"
    "assured|assures|pledged|pledges|revealed|reveals|cautioned|cautions"
)
_AUX = r"(?:(?:has|have|had|also|again|later|then|once|previously|recently|repeatedly|specifically|publicly|"
_AUX += r"reportedly|allegedly|further|all but|falsely|wrongly|correctly|\w+ly)\s+){0,3}"
_VERB_RE = re.compile(r"\b" + _AUX + r"(?P<verb>" + SPEECH_VERBS + r")\b")
_ACCORDING_RE = re.compile(r"\b[Aa]ccording to (?P<np>(?:the\s+)?[A-Z][^,.;:“”\"()]{1,80}?)(?=[,.;:“”\"()]|$)")
_THAT_RE = re.compile(
    r"^\s*(?:(?:reporters|journalists|parliament|lawmakers|the \w+|an? \w+|us|them|him|her|me|[A-Z]\w+)\s+)?that\s+"
)

TITLE_WORDS = {
    "president",
    "vice",
    "minister",
    "secretary",
    "senator",
    "sen.",
    "rep.",
    "representative",
    "governor",
    "gov.",
    "mayor",
    "chancellor",
    "dr.",
    "prof.",
    "professor",
    "general",
    "gen.",
    "ambassador",
    "judge",
    "justice",
    "commissioner",
    "king",
    "queen",
    "pope",
    "premier",
    "congressman",
    "congresswoman",
    "speaker",
    "director",
    "chairman",
    "chairwoman",
    "chair",
    "ceo",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "head",
    "chief",
    "founder",
    "leader",
    "adviser",
    "advisor",
    "analyst",
    "researcher",
    "economist",
    "official",
    "officer",
    "deputy",
    "manager",
    "editor",
    "correspondent",
    "member",
    "candidate",
    "executive",
    "coordinator",
    "lawyer",
    "attorney",
    "mp",
    "mep",
    "envoy",
    "press",
    "diplomat",
    "councillor",
    "councilor",
    "superintendent",
    "commander",
    "scientist",
    "author",
    "host",
    "anchor",
    "moderator",
    "owner",
    "partner",
}
_TITLE_PREFIX = (
    r"(?:President|Vice President|Prime Minister|Foreign Minister|Minister|Secretary|Senator|Sen\.|Rep\.|"
    r"Representative|Governor|Gov\.|Mayor|Chancellor|Dr\.|Prof\.|Professor|General|Gen\.|Ambassador|Judge|"
    r"Justice|Commissioner|King|Queen|Pope|Premier|Congressman|Congresswoman|Speaker|Director|Chairman|"
    r"Chairwoman|CEO|Spokesperson|Spokesman|Spokeswoman|Mr\.|Mrs\.|Ms\.)"
)
ORG_WORDS = {
    "ministry",
    "agency",
    "office",
    "department",
    "council",
    "union",
    "organization",
    "organisation",
    "watch",
    "times",
    "news",
    "post",
    "reuters",
    "associated",
    "press",
    "committee",
    "commission",
    "government",
    "party",
    "bank",
    "fund",
    "institute",
    "university",
    "center",
    "centre",
    "association",
    "federation",
    "corporation",
    "inc",
    "inc.",
    "ltd",
    "company",
    "group",
    "service",
    "bureau",
    "house",
    "court",
    "parliament",
    "congress",
    "senate",
    "kremlin",
    "administration",
    "authority",
    "police",
    "army",
    "forces",
    "nato",
    "eu",
    "un",
    "u.n.",
    "who",
    "unhcr",
    "officials",
    "spokesperson",
    "spokesman",
    "report",
    "study",
    "survey",
    "plan",
    "statement",
    "board",
    "school",
    "hospital",
    "network",
    "journal",
    "magazine",
    "tribune",
    "telegraph",
    "guardian",
    "herald",
    "gazette",
    "cdc",
    "fbi",
    "cia",
    "nasa",
    "ministry's",
    "staff",
    "campaign",
    "researchers",
    "experts",
    "scientists",
    "regime",
    "city",
    "state",
    "county",
    "people",
}
_ORG_NOUN_RE = re.compile(
    r"\b(?:officials?|spokes(?:person|man|woman)|ministry|agency|government|police|department|researchers|"
    r"report|study|survey|experts?|scientists|company|campaign|administration|authorities|office|"
    r"organi[sz]ation|committee|commission)\b",
    re.I,
)
_STOP_LABELS = {
    "NOTE",
    "UPDATE",
    "SOURCE",
    "SOURCES",
    "Q",
    "A",
    "EDITOR'S NOTE",
    "EDITOR’S NOTE",
    "WARNING",
    "SUBJECT",
    "TITLE",
    "DATE",
    "BY",
    "PHOTO",
    "CAPTION",
    "CORRECTION",
    "TRANSCRIPT",
    "CONTACT",
    "MEDIA CONTACT",
    "URL",
    "PUBLISHED",
    "PUBLISHER",
    "AUTHOR",
    "LANGUAGE",
    "HTTP",
    "HTTPS",
    "TAGS",
    "RELATED",
    "READ MORE",
    "SEE ALSO",
    "FOR IMMEDIATE RELEASE",
    "ABOUT",
    "EMAIL",
    "PHONE",
    "TEL",
    "FAX",
    "WEBSITE",
    "LOCATION",
    "WHEN",
    "WHERE",
}
_CAP_TOKEN = r"(?:[A-Z][\w’'.-]*|al-\w+|bin|de|van|von|der|da|di|la|le)"
_NAME_RE = re.compile(r"[A-Z][\w’'-]*\.?(?:\s+" + _CAP_TOKEN + r"){0,4}")
_PERSON_RE = re.compile(
    r"(?P<title>(?:(?:U\.S\.|U\.K\.|[A-Z][a-z]+)\s+){0,3}(?:" + _TITLE_PREFIX + r"|(?i:leader|minister|secretary|"
    r"spokes(?:person|man|woman)|director|chief executive|chair(?:man|woman)?|president|mayor|councillor|senator|"
    r"governor|ambassador|professor|economist|analyst|commissioner))\s+)?"
    r"(?P<name>[A-Z][a-z’'-]+(?:\s+(?:(?:al-|bin\s+|de\s+|van\s+|von\s+|da\s+|di\s+|le\s+|la\s+)?"
    r"[A-Z][a-z’'-]+|[A-Z]\.)){1,3})"
)
_APPOSITIVE_RE = re.compile(
    r"(?P<name>[A-Z][a-z’'-]+(?:\s+(?:al-|bin |de |van |von )?[A-Z][a-z’'-]+){1,3}),\s+(?:the\s+|a\s+|an\s+)?"
    r"(?P<title>[^,.;:“”\"()]{3,110}?)(?=\s*(?:[,.;:“”\"()]|$|\s+(?:said|says|told|claimed|added)\b))"
)
_SPEAKER_LINE_RE = re.compile(
    r"^[ \t]*(?P<label>[A-Z][A-Z.'’ -]{0,48}[A-Z.]|[A-Z][a-z’'.-]+(?:\s+[A-Z][a-z’'.-]+){0,3})"
    r"(?:\s*\((?P<paren>[^)]{1,60})\))?(?:,\s*(?P<title>[^:\n]{2,80}?))?\s*:[ \t]+(?=\S)"
)
_PRONOUNS = {"he", "she", "they", "i", "we"}
_GENERIC_ORG = {
    "company",
    "firm",
    "authority",
    "ministry",
    "agency",
    "council",
    "group",
    "department",
    "organisation",
    "organization",
    "government",
    "union",
    "bank",
    "trust",
    "charity",
    "campaign",
    "party",
}

_LEAD_STOP = {
    "on",
    "in",
    "at",
    "after",
    "before",
    "during",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "yesterday",
    "former",
    "then",
    "new",
    "when",
    "while",
    "but",
    "and",
    "earlier",
    "later",
    "last",
    "this",
    "that",
    "year",
    "week",
    "month",
}
_MENTION_RE = re.compile(
    r"(?<![\w’'-])([A-Z][a-z’'-]+(?:\s+(?:al-|bin |de |van |von )?[A-Z][a-z’'-]+){1,2})(?![\w’'-])"
)
_CLAUSAL = {
    "said",
    "says",
    "say",
    "claimed",
    "claims",
    "argued",
    "argues",
    "insisted",
    "insists",
    "stated",
    "states",
    "added",
    "adds",
    "warned",
    "warns",
    "estimated",
    "estimates",
    "alleged",
    "alleges",
    "asserted",
    "asserts",
    "maintained",
    "maintains",
    "noted",
    "notes",
    "predicted",
    "predicts",
    "contended",
    "contends",
    "believes",
}


_AUX_START = re.compile(
    r"\s*(?:may|might|can|could|would|will|should|must|shall|was|were|is|are|has|have|had|"
    r"did|does|do)\b",
    re.I,
)
_REPORTING_RE = re.compile(
    r"\b(?:" + SPEECH_VERBS + r"|quoted?|quotes|quoting|published|interview\w*|statement|speech|"
    r"spoke|speaking|"
    r"briefing|press conference|remarks|article|post)\b",
    re.I,
)

_EN_FUNCTION = {
    "the",
    "a",
    "an",
    "of",
    "to",
    "in",
    "and",
    "is",
    "are",
    "was",
    "were",
    "that",
    "for",
    "on",
    "with",
    "as",
    "it",
    "this",
    "by",
    "be",
    "at",
    "from",
    "or",
    "not",
    "have",
    "has",
    "had",
    "but",
    "they",
    "he",
    "she",
    "we",
    "i",
    "you",
    "will",
    "would",
    "said",
    "which",
    "their",
    "his",
    "her",
    "its",
    "our",
    "there",
    "been",
}
_WORDS_RE = re.compile(r"[^\W\d_]+", re.U)


def looks_english(text: str, sample: int = 20000) -> bool:
    """True when the text reads as English: enough English function words, mostly Latin letters."""
    words = _WORDS_RE.findall(text[:sample])
    if len(words) < 8:
        return bool(words) and sum(w.lower() in _EN_FUNCTION for w in words) >= 1 or not words
    latin = sum(1 for w in words if w.isascii())
    if latin / len(words) < 0.7:
        return False
    return sum(w.lower() in _EN_FUNCTION for w in words) / len(words) >= 0.12

"""Which language a text is in: py3langid's model (it ships inside the package), a set of
languages it may answer with, and a script rule for the East Slavic languages.

`detect(text)` returns an ISO 639-1 code ("en", "ru", "uk", "be", "pl", ...) or None when the
text has too few letters to say (an empty string, a number, a URL). The desk stores it on
every document, passage and claim and shows it in every report; `--lang` overrides it.

Two things on top of the raw model, both measured by `bench/bench_langid.py` (BENCHMARKS.md):

- **a restricted set** (`DESK_LANGUAGES`): the languages the desk reads or meets next to
  them. py3langid's full set of 97 languages answers "mk", "sr" or "kk" for a short Russian
  or Ukrainian line; restricted, it cannot.
- **Cyrillic letter rules**: a guess of Serbian, Macedonian, Kazakh, Ukrainian or
  Belarusian for a text with none of that language's own letters (ј, ѓ, қ, і, ў...) is asked
  again without it; and (`cyrillic_hint`) Belarusian, Russian and Ukrainian share most
  words the model has seen, but not letters. "ў" is Belarusian only; "ї", "є", "ґ" are
  Ukrainian only; "ы"/"э" are Russian or Belarusian and never Ukrainian; "и" and "щ" are
  never Belarusian; "і" is never Russian. When the letters rule out all but one of the three,
  that one wins over the model's guess; otherwise the model's guess stands.

>>> detect("The minister said unemployment fell by a third.")
'en'
>>> detect("Министр заявил, что безработица сократилась на треть.")
'ru'
>>> detect("Міністр заявив, що безробіття скоротилося на третину.")
'uk'
>>> detect("Міністр заявіў, што беспрацоўе скарацілася на траціну.")
'be'
>>> detect("  12 345 ") is None
True
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from typing import Any

# The languages the desk reads (en ru uk be pl ar fa), their neighbours in the region, and the
# 15 XNLI languages the accuracy bench covers. Anything else is read as the nearest of these.
DESK_LANGUAGES: tuple[str, ...] = tuple(
    sorted(
        set(
            "en ru uk be pl ar fa "  # the desk's own
            "bg mk sr hr sl cs sk lt lv et ro hu de fr es it pt nl sv da no fi ka hy az kk tr he "  # the region
            "el hi sw th ur vi zh ja ko".split()  # the rest of XNLI, and east Asia
        )
    )
)
NAMES = {
    "en": "English",
    "ru": "Russian",
    "uk": "Ukrainian",
    "be": "Belarusian",
    "pl": "Polish",
    "ar": "Arabic",
    "fa": "Persian",
    "bg": "Bulgarian",
    "de": "German",
    "fr": "French",
}
EAST_SLAVIC = ("ru", "uk", "be")
MIN_LETTERS = 3
SAMPLE_CHARS = 4000  # a long document is identified by its opening: the model is linear in length

_OTHER_CYRILLIC = ("bg", "mk", "sr", "kk")
_NEEDS_LETTERS = {"sr": set("ђјљњћџ"), "mk": set("ѓќѕјљњџ"), "uk": set("іїєґ"), "be": set("ўі"), "kk": set("әғқңөұүһі")}
_OWN_LETTERS = {"ru": set("ыэё"), "uk": set("іїєґ"), "be": set("ўі")}
_LETTER = re.compile(r"[^\W\d_]", re.U)
_CYR = re.compile(r"[\u0400-\u04ff]")
_lock = threading.Lock()
_models: dict[tuple[str, ...] | None, Any] = {}


def _identifier(languages: Sequence[str] | None) -> Any:
    key = tuple(languages) if languages else None
    with _lock:
        ident = _models.get(key)
        if ident is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            if key:
                ident.set_languages(list(key))
            _models[key] = ident
    return ident


def cyrillic_hint(text: str) -> str | None:
    """ "be", "uk" or "ru" when the letters leave only that one of the three; else None.

    >>> cyrillic_hint("заявіў"), cyrillic_hint("заявив, що її"), cyrillic_hint("заявил, что мы"), cyrillic_hint("Минск")
    ('be', 'uk', 'ru', None)
    """
    t = text.lower()
    possible = {"ru", "uk", "be"}
    if "ў" in t:
        possible -= {"ru", "uk"}
    if any(c in t for c in "їєґ"):
        possible -= {"ru", "be"}
    if "ы" in t or "э" in t or "ё" in t:
        possible.discard("uk")
    if "ъ" in t:
        possible -= {"uk", "be"}
    if "и" in t or "щ" in t:
        possible.discard("be")
    if "і" in t:
        possible.discard("ru")
    return possible.pop() if len(possible) == 1 else None


def detect_scored(
    text: str, languages: Sequence[str] | None = DESK_LANGUAGES, script_rule: bool = True
) -> tuple[str | None, float]:
    """(language, probability) of `text`; (None, 0.0) when it has fewer than `MIN_LETTERS` letters.

    `languages=None` lets the model answer with any of its 97 languages; `script_rule=False`
    turns off the Belarusian/Russian/Ukrainian letter rule (both for measuring them).
    """
    if not isinstance(text, str):
        return None, 0.0
    sample = text[:SAMPLE_CHARS]
    if len(_LETTER.findall(sample[:400])) < MIN_LETTERS and len(_LETTER.findall(sample)) < MIN_LETTERS:
        return None, 0.0
    lang, prob = _identifier(languages).classify(sample)
    lang, prob = str(lang), float(prob)
    if script_rule and languages and lang in _NEEDS_LETTERS and _CYR.search(sample):
        # a Cyrillic guess whose own letters are absent is a near neighbour's: "Она не знала
        # куда смотреть" has no "ј" and is not Serbian, "У реки много черепах" no "і" and is not
        # Ukrainian; ask again without it
        lower = set(sample.lower())
        # (Ukrainian and Belarusian only from six words up: a short line can miss "і")
        long_enough = len(sample.split()) >= 6
        dropped = {c for c, own in _NEEDS_LETTERS.items() if not lower & own and (long_enough or c not in EAST_SLAVIC)}
        if lang in dropped:
            lang, prob = _identifier(tuple(c for c in languages if c not in dropped)).classify(sample)
            lang, prob = str(lang), float(prob)
    if script_rule and (lang in EAST_SLAVIC or lang in _OTHER_CYRILLIC) and _CYR.search(sample):
        hint = cyrillic_hint(sample)
        # Bulgarian, Macedonian and Serbian share "и", "щ", "ъ" with Russian: over their guess,
        # only a letter they lack ("ы", "э", "і", "ў") names one of the three.
        if hint is not None and lang in _OTHER_CYRILLIC and not (set(sample.lower()) & _OWN_LETTERS[hint]):
            hint = None
        if hint is not None and hint != lang and (languages is None or hint in languages):
            return hint, prob
    return lang, prob


def detect(text: str, languages: Sequence[str] | None = DESK_LANGUAGES, default: str | None = None) -> str | None:
    """The ISO 639-1 code of `text`'s language, or `default` when there is too little text to say."""
    lang, _ = detect_scored(text, languages)
    return lang or default


def detect_many(texts: Iterable[str], default: str | None = None) -> list[str | None]:
    """`detect` over several texts (the model is loaded once)."""
    return [detect(t, default=default) for t in texts]


def check_code(code: str | None) -> str | None:
    """A `--lang` value checked: a two- or three-letter code in lower case, or None for "detect".

    >>> check_code("RU"), check_code("auto")
    ('ru', None)
    """
    if code is None or code.strip().lower() in ("", "auto", "detect"):
        return None
    c = code.strip().lower()
    if not re.fullmatch(r"[a-z]{2,3}", c):
        from factdesk.errors import InvalidValue

        raise InvalidValue(
            f"--lang {code!r} is not a language code: use a two-letter ISO 639-1 code such as en, ru, uk, be, pl, "
            "or auto to detect it"
        )
    return c

"""Query building: the content words of a claim, which the lexical search ORs together.

English claims are searched on the store's stemmed full-text index with `lexical_query`.
Claims in other languages are searched on the passages' lemmas (`lemma_query`, indexed by
the store from `lemma_text`): "границе" and "границы" are both "граница", which no English
stemmer knows. Lemmas come from simplemma for the languages the desk reads beyond English
(`LEMMA_LANGUAGES`); any other language (Belarusian, which simplemma lacks; English, searched
by the stemmer) keeps its lower-cased word forms.

This module imports nothing from factdesk, so the stores use the same word list to make any
user text safe full-text syntax (`factdesk.store.sqlite`, `factdesk.store.postgres`).

>>> query_terms("Did Russia's air strikes in Syria start in 2015?")
['russia', 'air', 'strikes', 'syria', 'start', '2015']
>>> lemma_query("Польша направила к границе с Беларусью 15 тысяч военных", "ru")
'польша направить граница беларусь 15 тысяча военный'
"""

from __future__ import annotations

import re
from functools import lru_cache

# Words too common to help a lexical query; keeping them makes BM25 slow and noisy.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves said says say""".split()
)

_WORD = re.compile(r"\w+", re.UNICODE)


def query_terms(text: str, limit: int = 32) -> list[str]:
    """Lower-cased content words of a query, de-duplicated in order (at most `limit`)."""
    seen: dict[str, None] = {}
    for w in _WORD.findall(text.lower()):
        if w in STOPWORDS or (len(w) < 2 and not w.isdigit()):
            continue
        seen.setdefault(w, None)
        if len(seen) >= limit:
            break
    return list(seen)


def lexical_query(text: str, limit: int = 32) -> str:
    """The query a lexical retriever sends the store: the content words, space-separated.

    The store ORs the words (any passage sharing one is a candidate) and ranks by BM25;
    building the query again from this string gives the same words (it is a fixed point).

    >>> lexical_query("The EU imposed sanctions on Belarus")
    'eu imposed sanctions belarus'
    """
    return " ".join(query_terms(text, limit))


# Function words of the desk's other languages (in lemma form too), left out of lemma queries.
OTHER_STOPWORDS = frozenset(
    """и в во на с со по к ко о об от до из за у не ни что как это этот тот быть был была были
    бы же ли или а но да для при над под про без так также уже ещё еще его её ее их он она они
    мы вы я который свой весь год года году
    і й та в у на з із зі по до від за про не ні що як це цей той бути був була були б би же чи
    або а але для при над під без так також вже ще його її їх він вона вони ми ви я який свій
    весь рік року
    i w we na z ze po do od za o u nie ni że jak to ten tamten być był była były by czy albo a
    ale dla przy nad pod bez tak także już jeszcze jego jej ich on ona oni my wy ja który swój
    cały się rok roku""".split()
)
LEMMA_LANGUAGES = frozenset({"ru", "uk", "pl", "bg", "ar", "fa"})
"""Languages whose words are lemmatised; any other language's words are kept as written (lower-cased).

simplemma holds ~45 languages, but loading one dictionary takes 0.1-3 s and its cache keeps 8:
text identified as many languages in turn (short or hostile input) reloaded dictionaries for
over a second each (the fuzz suite ran 3x slower). The desk's own languages stay under that cap,
so each dictionary loads once per process."""


@lru_cache(maxsize=200_000)
def _lemma(word: str, lang: str) -> str:
    import simplemma  # loaded on first use: its dictionaries take a moment per language

    return str(simplemma.lemmatize(word, lang=lang)).lower()


def lemmas(text: str, lang: str | None) -> list[str]:
    """Every word of `text` as its lemma in `lang` (lower-cased), in order.

    >>> lemmas("Польща передала Україні", "uk")
    ['польща', 'передати', 'україна']
    """
    words = _WORD.findall(text.lower())
    if lang not in LEMMA_LANGUAGES:
        return words
    return [w if w.isdigit() else _lemma(w, lang) for w in words]


def lemma_text(text: str, lang: str | None) -> str:
    """What the store indexes for a passage in `lang`: its lemmas, space-separated."""
    return " ".join(lemmas(text, lang))


def lemma_query(text: str, lang: str | None, limit: int = 32) -> str:
    """The lemma search for a claim in `lang`: its content lemmas, de-duplicated, space-separated.

    The store ORs them and ranks by BM25, as `lexical_query`'s words.
    """
    seen: dict[str, None] = {}
    for w in lemmas(text, lang):
        if w in STOPWORDS or w in OTHER_STOPWORDS or (len(w) < 2 and not w.isdigit()):
            continue
        seen.setdefault(w, None)
        if len(seen) >= limit:
            break
    return " ".join(seen)

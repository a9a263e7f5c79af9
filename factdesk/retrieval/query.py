"""Query building: the content words of a claim, which the lexical search ORs together.

This module imports nothing from factdesk, so the stores use the same word list to make any
user text safe full-text syntax (`factdesk.store.sqlite`, `factdesk.store.postgres`).

>>> query_terms("Did Russia's air strikes in Syria start in 2015?")
['russia', 'air', 'strikes', 'syria', 'start', '2015']
"""

from __future__ import annotations

import re

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

"""factdesk: an offline-first fact-checking desk.

>>> from factdesk import Desk, Claim
>>> desk = Desk(db=":memory:")  # doctest: +SKIP
"""

from factdesk.types import (
    AveritecLabel,
    Claim,
    Document,
    Evidence,
    FactCheck,
    Passage,
    Rating,
    Stance,
    StanceLabel,
    Verdict,
)

__version__ = "0.1.0"

__all__ = [
    "AveritecLabel", "Claim", "Desk", "Document", "Evidence", "FactCheck", "Passage",
    "Rating", "Stance", "StanceLabel", "Verdict", "__version__",
]


def __getattr__(name: str):  # lazy, so `import factdesk` stays cheap
    if name == "Desk":
        from factdesk.pipeline import Desk

        return Desk
    raise AttributeError(name)

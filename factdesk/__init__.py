"""factdesk: an offline-first fact-checking desk.

>>> from factdesk import Desk, Claim
>>> desk = Desk(db=":memory:")  # doctest: +SKIP
>>> desk.describe()  # doctest: +SKIP
'retrieve -> judge -> write -> ground -> match'

The parts each stage drives are typed by the Protocols in `factdesk.protocols`.
"""

from factdesk.types import (
    AveritecLabel,
    CheckDraft,
    Claim,
    Document,
    Evidence,
    FactCheck,
    Match,
    Passage,
    Rating,
    Stance,
    StanceLabel,
    Verdict,
)

__version__ = "0.1.0"

__all__ = [
    "AveritecLabel",
    "CheckDraft",
    "Claim",
    "Desk",
    "Document",
    "Evidence",
    "FactCheck",
    "Match",
    "Passage",
    "Rating",
    "Stance",
    "StanceLabel",
    "Verdict",
    "__version__",
]


def __getattr__(name: str):  # lazy, so `import factdesk` stays cheap
    if name == "Desk":
        from factdesk.pipeline import Desk

        return Desk
    raise AttributeError(name)

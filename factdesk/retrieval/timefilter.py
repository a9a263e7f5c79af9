"""The time filter: a fact-check weighs only what was published before the claim was made.

>>> import datetime as dt
>>> from factdesk.types import Claim
>>> evidence_cutoff(Claim("Minsk is in Belarus", date="2021-12-14"))
datetime.date(2021, 12, 15)
>>> evidence_cutoff(Claim("Minsk is in Belarus")) is None
True
"""

from __future__ import annotations

import datetime as dt

from factdesk.types import Claim


def evidence_cutoff(claim: Claim, before: dt.date | None = None) -> dt.date | None:
    """The `before` date retrievers filter on: evidence must be published strictly before it.

    An explicit `before` wins; otherwise a dated claim admits evidence published up to and
    including its own day; an undated claim admits everything (None).
    """
    if before is not None:
        return before
    if claim.date is not None:
        return claim.date + dt.timedelta(days=1)
    return None

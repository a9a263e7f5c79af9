"""Counts over time and the trend of a recurring claim.

The trend compares the last 4 weeks with the 8 weeks before them, as rates per week, up to a
reference day (the latest date the desk has, so an old corpus still reads sensibly):

- new: first seen within the last 4 weeks;
- rising: at least 2 mentions in the last 4 weeks, at a weekly rate at least 1.5 times that of
  the 8 weeks before;
- fading: a weekly rate at most half that of the 8 weeks before (or no mention for 12 weeks);
- steady: anything else.

>>> import datetime as dt
>>> d = [dt.date(2026, 1, 5), dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 20)]
>>> trend(d, today=dt.date(2026, 3, 25))
'rising'
>>> week_key(dt.date(2026, 1, 1)), month_key(dt.date(2026, 1, 1))
('2026-W01', '2026-01')
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

RECENT_DAYS = 28
BEFORE_DAYS = 56
TRENDS = ("new", "rising", "steady", "fading")


def week_key(d: dt.date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def month_key(d: dt.date) -> str:
    return f"{d.year}-{d.month:02d}"


def counts(dates: Iterable[dt.date]) -> tuple[dict[str, int], dict[str, int]]:
    """(per ISO week, per month), in time order."""
    ds = sorted(dates)
    weeks = Counter(week_key(d) for d in ds)
    months = Counter(month_key(d) for d in ds)
    return dict(sorted(weeks.items())), dict(sorted(months.items()))


def trend(dates: Iterable[dt.date], today: dt.date) -> str:
    """new, rising, steady or fading (see the module's docstring)."""
    ds = [d for d in dates if d <= today]
    if not ds:
        return "steady"
    recent_from = today - dt.timedelta(days=RECENT_DAYS - 1)
    before_from = recent_from - dt.timedelta(days=BEFORE_DAYS)
    if min(ds) >= recent_from:
        return "new"
    recent = sum(d >= recent_from for d in ds)
    before = sum(before_from <= d < recent_from for d in ds)
    recent_rate, before_rate = recent / (RECENT_DAYS / 7), before / (BEFORE_DAYS / 7)
    if recent >= 2 and recent_rate >= 1.5 * before_rate:
        return "rising"
    if recent_rate <= 0.5 * before_rate or (recent == 0 and before == 0):
        return "fading"
    return "steady"

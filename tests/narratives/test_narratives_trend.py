"""Trends and counts over time."""

from __future__ import annotations

import datetime as dt

from factdesk.narratives.trend import counts, trend

D = dt.date
TODAY = D(2026, 3, 31)


def test_trend_labels() -> None:
    assert trend([D(2026, 3, 20)], TODAY) == "new"
    assert trend([D(2026, 1, 20), D(2026, 3, 10), D(2026, 3, 20)], TODAY) == "rising"
    assert trend([D(2026, 1, 10), D(2026, 1, 20), D(2026, 2, 10), D(2026, 2, 20), D(2026, 3, 20)], TODAY) == "fading"
    assert trend([D(2025, 6, 1), D(2025, 7, 1)], TODAY) == "fading"
    assert trend([D(2026, 1, 20), D(2026, 2, 20), D(2026, 3, 20)], TODAY) == "steady"
    assert trend([], TODAY) == "steady"


def test_counts_per_week_and_month() -> None:
    weeks, months = counts([D(2026, 1, 5), D(2026, 1, 6), D(2026, 2, 1)])
    assert weeks == {"2026-W02": 2, "2026-W05": 1}
    assert months == {"2026-01": 2, "2026-02": 1}

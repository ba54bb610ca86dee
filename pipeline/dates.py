"""Partial ISO dates ("2025", "2025-04", "2025-04-30") from a printed year, month and day.

Metadata, citations and deadlines all turn printed dates into the contract's partial ISO
form. They share this one check that the date exists: a plan that prints "31/02/2025",
"tháng 13" or "năm 0000" has a typo, and a typo must not reach the dataset as a date.
"""

from __future__ import annotations

from datetime import date

#: Years a plan, a deadline or a cited document can carry: the `year` of rules/deadlines.yaml
#: and rules/citations.yaml ("19xx" or "20xx").
YEARS = range(1900, 2100)


def partial_iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """The ISO form of a year, a month of it or a day of that month; None when there is no such
    year, month or day (a day needs its month)."""
    if year not in YEARS or (day is not None and month is None):
        return None
    try:
        date(year, 1 if month is None else month, 1 if day is None else day)
    except ValueError:
        return None
    return f"{year:04d}" + (f"-{month:02d}" if month is not None else "") + (f"-{day:02d}" if day is not None else "")


"""Time frames -> the contract's deadline object (kind, period, recurrence).

"Quý II, năm 2025" -> quarter 2025-04 … 2025-06; "Hằng năm (trước ngày 10/12)"
-> recurring yearly; "Sau khi có nền tảng …" -> conditional. The grammar is data
(rules/deadlines.yaml, `grammar`): the first rule whose pattern is found decides
the kind, its named groups the period. Unreadable text is kept as kind "open".

A recurring phrase wins over a year found in the same text only when it comes
first ("Hằng năm, trước ngày 10/12"); "2026 và duy trì hằng năm" is a range from
2026: what the text says first is what it means.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex

from ..numerals import roman_value
from ..rules import load as load_rules

@dataclass(frozen=True)
class Deadline:
    """The contract's deadlineObject."""

    text: str
    kind: str  # date | month | quarter | year | range | recurring | continuous | conditional | open
    period_start: str | None = None  # partial ISO date: "2025", "2025-04", "2025-04-30"
    period_end: str | None = None
    recurrence: str | None = None  # yearly | quarterly | monthly | school_year


@dataclass(frozen=True)
class _Rule:
    name: str
    kind: str
    pattern: regex.Pattern
    recurrence: str | None


@lru_cache(maxsize=1)
def grammar() -> tuple[_Rule, ...]:
    rules = load_rules("deadlines.yaml")
    fill = {"{year}": f"(?:{rules['year']})", "{quarter}": rules["quarter"]}
    compiled = []
    for rule in rules["grammar"]:
        pattern = rule["pattern"]
        for key, value in fill.items():
            pattern = pattern.replace(key, value)
        compiled.append(_Rule(rule["name"], rule["kind"], regex.compile(pattern, regex.I), rule.get("recurrence")))
    return tuple(compiled)


def parse_deadline(text: str) -> Deadline:
    """The meaning of one time-frame text; kind "open" when no rule reads it."""
    clean = " ".join(text.split()).strip(" .;,")
    found = [(m.start(), order, rule, m) for order, rule in enumerate(grammar()) if (m := rule.pattern.search(clean))]
    if not found:
        return Deadline(clean, "open")
    recurring = [f for f in found if f[2].kind in ("recurring", "continuous")]
    dated = [f for f in found if f[2].kind not in ("recurring", "continuous", "conditional")]
    if recurring and (not dated or recurring[0][0] < dated[0][0] and dated[0][2].name != "from_year"):
        _, _, rule, _ = min(recurring, key=lambda f: (f[0], f[1]))
        return Deadline(clean, rule.kind, recurrence=rule.recurrence)
    if any(f[2].kind == "conditional" for f in found) and not dated:
        return Deadline(clean, "conditional")
    _, _, rule, match = min(dated, key=lambda f: (f[1], f[0]))  # grammar order: the most precise rule first
    start, end = _period(rule.name, match)
    recurrence = rule.recurrence if rule.recurrence else ("school_year" if rule.name == "school_year" else None)
    return Deadline(clean, rule.kind, start, end, recurrence)


def _period(name: str, m: regex.Match) -> tuple[str | None, str | None]:
    g = m.groupdict()
    if name in ("date_slash", "date_words", "before_date"):
        day = f"{g['y']}-{int(g['m']):02d}-{int(g['d']):02d}"
        return (None, day) if name == "before_date" else (day, day)
    if name == "month":
        month = f"{g['y']}-{int(g['m']):02d}"
        return month, month
    if name == "quarter":
        q = int(g["q"]) if g["q"].isdigit() else roman_value(g["q"])
        return f"{g['y']}-{3 * q - 2:02d}", f"{g['y']}-{3 * q:02d}"
    if name in ("school_year", "year_range"):
        return g["y1"], g["y2"]
    if name == "from_year":
        return g["y1"], None
    if name == "until_year":
        return None, g["y2"]
    return g["y"], g["y"]

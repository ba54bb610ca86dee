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


def _fill(pattern: str) -> str:
    rules = load_rules("deadlines.yaml")
    return pattern.replace("{year}", f"(?:{rules['year']})").replace("{quarter}", rules["quarter"])


@lru_cache(maxsize=1)
def grammar() -> tuple[_Rule, ...]:
    return tuple(
        _Rule(rule["name"], rule["kind"], regex.compile(_fill(rule["pattern"]), regex.I), rule.get("recurrence"))
        for rule in load_rules("deadlines.yaml")["grammar"]
    )


def _inline(pattern: str) -> str:
    """A grammar pattern ready to sit in one alternation: no group names, no start anchors."""
    return regex.sub(r"(?<!\[)\^", "", regex.sub(r"\(\?P<\w+>", "(?:", _fill(pattern)))


@lru_cache(maxsize=1)
def phrase_pattern() -> str:
    """A regex (source) for one time frame as it opens a text: an optional opener, then what a
    grammar rule reads or a wrapped start of it. The table cues recognise deadlines with it."""
    rules = load_rules("deadlines.yaml")
    bodies = [_inline(rule["pattern"]) for rule in rules["grammar"]] + [_inline(p) for p in rules["partial"]]
    openers = "|".join(regex.escape(w) for w in sorted(rules["openers"], key=len, reverse=True))
    return rf"(?:(?:{openers})\s+)?(?:{'|'.join(f'(?:{b})' for b in bodies)})(?!\p{{L}})"


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
    if name in ("month", "month_slash"):
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

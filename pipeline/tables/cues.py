"""What a fragment of a table cell looks like: a unit name, a deadline, a value.

Shared by the rules path and the classifier's features of flattened tables.
The vocabularies are data: rules/units.yaml and rules/deadlines.yaml.
"""

from __future__ import annotations

from functools import lru_cache

import regex

from ..extractors.deadlines import phrase_pattern
from ..rules import load as load_rules
from ..rules import phrase_alternation

# a target value: "100%", "≥ 80%", "> 95%", "01", "2,5", "1.200"; a run of them is one per cell
VALUE = regex.compile(r"(?:[<>≥≤]=?\s*)?\d+(?:[.,]\d+)*\s*%?|[-–x](?!\S)")  # "-", "x": printed for "none" / "yes"
_VALUE_LINE = regex.compile(rf"^{VALUE.pattern}(?:\s+{VALUE.pattern})*$")
_VALUE_START = regex.compile(r"^(?:[<>≥≤]=?\s*)\d|^\d+(?:[.,]\d+)?\s*%")
_ACRONYM = regex.compile(r"^[\p{Lu}\d&\-]{2,}$")


def _unit_heads() -> list[str]:
    """Bodies, their abbreviations, and the collective forms task tables use ("Các cơ sở …")."""
    units = load_rules("units.yaml")
    return units["bodies"] + units["body_abbreviations"] + units["other_heads"]


@lru_cache(maxsize=1)
def _unit_head() -> regex.Pattern:
    return regex.compile(rf"^(?:[-–+•]\s*)?(?:{phrase_alternation(_unit_heads())})(?!\p{{L}})")


@lru_cache(maxsize=1)
def _deadline() -> tuple[regex.Pattern, regex.Pattern]:
    """(the whole text is a time frame, the text opens with one): the deadline grammar's phrases."""
    phrase = phrase_pattern()
    whole = regex.compile(rf"^(?:{phrase})(?:[\s,;.]+(?:{phrase}|[\p{{Ll}}\d][^\n]*))*[.;]?$", regex.I)
    start = regex.compile(rf"^(?:{phrase})", regex.I)
    return whole, start


def is_value(text: str) -> bool:
    """A target value or a run of them: "100%", "≥ 80% 100%", "01"."""
    return bool(_VALUE_LINE.match(text.strip()))


def starts_with_value(text: str) -> bool:
    """ "> 95% cơ sở giáo dục …": a target stated with what it counts."""
    return bool(_VALUE_START.match(text.strip()))


def starts_with_unit(text: str) -> bool:
    return bool(_unit_head().match(text.strip()))


def is_deadline(text: str) -> bool:
    """The whole fragment reads as a time frame: "Quý II, năm 2025.", "Hằng năm và theo …"."""
    return bool(_deadline()[0].match(text.strip()))


def starts_with_deadline(text: str) -> int:
    """Length of the deadline phrase the fragment starts with, 0 when none."""
    m = _deadline()[1].match(text.strip())
    return m.end() if m else 0


def is_acronym(word: str) -> bool:
    """GDĐT, KHTC, GDTX, GDNN&ĐH: capitals that end a unit's name."""
    return bool(_ACRONYM.match(word))


@lru_cache(maxsize=1)
def _measures() -> frozenset[str]:
    return frozenset(m.lower() for m in load_rules("units.yaml")["measures"])


def is_measure(text: str) -> bool:
    """A unit of measure as a column prints it: "%", "người", "tỷ đồng", "cơ sở"."""
    return text.strip().lower() in _measures()


def value_starts(text: str) -> list[int]:
    """Where each value of the run of values ending `text` starts: "… số 100% 100%" -> two."""
    run = regex.search(rf"(?:^|(?<=\s))(?:{VALUE.pattern})(?:\s+(?:{VALUE.pattern}))*\s*$", text)
    if not run or (run.start() > 0 and not regex.search(r"\d", run.group())):
        return []  # "Phòng Tổ chức -": a name going on, not a "-" cell
    return [run.start() + m.start() for m in VALUE.finditer(run.group())]


@lru_cache(maxsize=1)
def deadline_continuers() -> frozenset[str]:
    """Words after which a time frame goes on ("Hằng năm và theo …"), rather than other text."""
    return frozenset(load_rules("deadlines.yaml")["continuers"])


@lru_cache(maxsize=1)
def name_ends() -> frozenset[str]:
    return frozenset(load_rules("units.yaml")["name_ends"])


@lru_cache(maxsize=1)
def dangling_words() -> frozenset[str]:
    return frozenset(load_rules("units.yaml")["dangling_words"])


def unit_starts_within(text: str) -> list[int]:
    """Offsets inside `text` where a second unit name starts after a finished one.

    "Phòng GDĐT Các cơ sở giáo dục" -> [11]: a PDF put two cells on one line.
    Only after a word that can end a name (an acronym, "Sở", "tỉnh" …).
    """
    if not starts_with_unit(text):
        return []
    cuts = []
    for m in regex.finditer(r"(?<=\S)\s+(?=\p{Lu})", text):
        before = text[: m.start()].split()[-1].rstrip(",;")
        if before != text[: m.start()].split()[-1]:
            continue  # "Sở, Phòng …": a list inside one cell
        if (is_acronym(before) or before in name_ends()) and starts_with_unit(text[m.end():]):
            cuts.append(m.end())
    return cuts

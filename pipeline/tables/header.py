"""Column headers -> roles (seq, indicator, task, target with year, lead, support, …).

The lexicon lives in rules/table_headers.yaml. Headers vary from plan to plan
("Cơ quan chủ trì", "Phòng chủ trì", "Sở, ngành chủ trì"), so matching is by
keyword position first and by similarity when no keyword is inside.
"""

from __future__ import annotations

import difflib
from functools import lru_cache

import regex

from ..model import TableColumn as Column
from ..numerals import to_int
from ..rules import load as load_rules


# columns that hold a row's own text (what the task or indicator is, what a unit does)
TEXT_ROLES = ("task", "indicator", "implementer")


def lexicon() -> dict:
    """rules/table_headers.yaml: header keywords by role, the target-year pattern."""
    return load_rules("table_headers.yaml")


@lru_cache(maxsize=1)
def _keywords() -> tuple[tuple[str, str], ...]:
    pairs = [(kw.lower(), role) for role, kws in lexicon()["roles"].items() for kw in kws]
    return tuple(sorted(set(pairs), key=lambda p: -len(p[0])))


@lru_cache(maxsize=1)
def _patterns() -> tuple[regex.Pattern, tuple[tuple[regex.Pattern, str], ...]]:
    """The target-year pattern and one whole-word pattern per keyword, compiled once."""
    words = tuple((regex.compile(rf"(?<!\p{{L}}){regex.escape(kw)}(?!\p{{L}})"), role) for kw, role in _keywords())
    return regex.compile(lexicon()["target_year"]), words


def _clean(header: str) -> str:
    return " ".join(regex.sub(r"[()\[\]*:.]", " ", header).lower().split())


@lru_cache(maxsize=1024)
def classify_header(header: str) -> Column:
    """The role of one column header as printed."""
    text = _clean(header)
    target_year, keywords = _patterns()
    year = target_year.match(text)
    if year:
        return Column(header, "target", to_int(year.group("year")))
    best: tuple[int, int, str] | None = None  # (position, -length, role)
    for pattern, role in keywords:
        m = pattern.search(text)
        if m:
            candidate = (m.start(), -(m.end() - m.start()), role)
            best = candidate if best is None or candidate < best else best
    if best is not None:
        return Column(header, best[2])
    return Column(header, _closest_role(text))


def _closest_role(text: str) -> str:
    scored = [(difflib.SequenceMatcher(None, text, kw).ratio(), role) for kw, role in _keywords()]
    score, role = max(scored)
    return role if score >= lexicon()["min_similarity"] else "other"


def table_kind(columns: list[Column]) -> str:
    """indicators | tasks | responsibilities | other, from the roles its columns carry."""
    roles = {c.role for c in columns}
    if "indicator" in roles and ("target" in roles or "unit_of_measure" in roles):
        return "indicators"
    if "task" in roles and roles & {"lead", "support", "deadline"}:
        return "tasks"
    if ("task" in roles or "indicator" in roles) and "implementer" in roles:
        return "responsibilities"
    return "other"


@lru_cache(maxsize=4096)
def keyword_at_start(header: str) -> bool:
    """Whether a header name begins with a lexicon keyword or a target year ("Đến năm 2030")."""
    text = _clean(header)
    if _patterns()[0].match(text):
        return True
    return any(
        text.startswith(keyword) and (len(text) == len(keyword) or not text[len(keyword)].isalpha())
        for keyword, _ in _keywords()
    )

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
from spacy.language import Language
from spacy.tokens import Doc

from ..dates import partial_iso
from ..model import Deadline, DeadlineMention, Provenance
from ..numerals import roman_value, to_int
from ..rules import load as load_rules
from ..rules import phrase_alternation
from .context import cell_provenance, locate_cell, text_of, text_provenance, warn

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
    openers = phrase_alternation(rules["openers"])
    return rf"(?:(?:{openers})\s+)?(?:{'|'.join(f'(?:{b})' for b in bodies)})(?!\p{{L}})"


#: What a time frame's text loses at either end (besides whitespace): "Hằng năm." -> "Hằng năm".
_TRIM = " .;,"


def parse_deadline(text: str) -> Deadline:
    """The meaning of one time-frame text; kind "open" when no rule reads it. A rule whose
    match names no real period ("31/02/2025", "năm học 2026-2025") does not read it."""
    clean = " ".join(text.split()).strip(_TRIM)
    found = [(m.start(), order, rule, m) for order, rule in enumerate(grammar()) if (m := rule.pattern.search(clean))]
    if not found:
        return Deadline(clean, "open")
    recurring = [f for f in found if f[2].kind in ("recurring", "continuous")]
    dated = [(f, period) for f in found if f[2].kind not in ("recurring", "continuous", "conditional")
             and (period := _period(f[2].name, f[3])) is not None]
    if recurring and (not dated or recurring[0][0] < dated[0][0][0] and dated[0][0][2].name != "from_year"):
        _, _, rule, _ = min(recurring, key=lambda f: (f[0], f[1]))
        return Deadline(clean, rule.kind, recurrence=rule.recurrence)
    if not dated:
        kind = "conditional" if any(f[2].kind == "conditional" for f in found) else "open"
        return Deadline(clean, kind)
    (_, _, rule, _), (start, end) = min(dated, key=lambda d: (d[0][1], d[0][0]))  # grammar order: the most precise rule first
    recurrence = rule.recurrence if rule.recurrence else ("school_year" if rule.name == "school_year" else None)
    return Deadline(clean, rule.kind, start, end, recurrence)


def _period(name: str, m: regex.Match) -> tuple[str | None, str | None] | None:
    """(start, end) of the period a rule's match names, as partial ISO dates; None when the
    day or month does not exist or a range ends before it starts."""
    g = m.groupdict()
    if name in ("date_slash", "date_words", "before_date"):
        day = partial_iso(to_int(g["y"]), to_int(g["m"]), to_int(g["d"]))
        return None if day is None else (None, day) if name == "before_date" else (day, day)
    if name in ("month", "month_slash"):
        month = partial_iso(to_int(g["y"]), to_int(g["m"]))
        return None if month is None else (month, month)
    if name == "quarter":
        q = to_int(g["q"]) if g["q"].isdigit() else roman_value(g["q"])
        return partial_iso(to_int(g["y"]), 3 * q - 2), partial_iso(to_int(g["y"]), 3 * q)
    if name in ("school_year", "year_range"):
        first, last = to_int(g["y1"]), to_int(g["y2"])
        return None if last < first else (partial_iso(first), partial_iso(last))
    if name == "from_year":
        return partial_iso(to_int(g["y1"])), None
    if name == "until_year":
        return None, partial_iso(to_int(g["y2"]))
    return partial_iso(to_int(g["y"])), partial_iso(to_int(g["y"]))


# --- Finding time frames in a plan (the `kehoach_deadlines` component) -------------------------

#: How sure a mention is, by how it was found.
CONFIDENCE = {"label": 0.95, "table": 0.95, "standalone": 0.8, "after_opener": 0.6}


@lru_cache(maxsize=1)
def _prose_patterns() -> tuple[regex.Pattern, regex.Pattern]:
    """(phrases that carry their own time word, bare years/dates after a prose opener)."""
    rules = load_rules("deadlines.yaml")
    by_use: dict[str, list[str]] = {"standalone": [], "after_opener": []}
    for rule in rules["grammar"]:
        if rule["prose"] in by_use:
            by_use[rule["prose"]].append(f"(?:{_inline(rule['pattern'])})")
    openers = phrase_alternation(rules["prose_openers"])
    standalone = regex.compile(rf"(?<!\p{{L}})(?:{'|'.join(by_use['standalone'])})(?!\p{{L}})", regex.I)
    bare = regex.compile(rf"(?<!\p{{L}})(?:{openers})\s+(?P<frame>{'|'.join(by_use['after_opener'])})(?![\p{{L}}\d/])",
                         regex.I)
    return standalone, bare


@lru_cache(maxsize=1)
def _label_pattern() -> regex.Pattern:
    labels = "|".join(load_rules("deadlines.yaml")["labels"])
    return regex.compile(rf"(?m)^[ \t]*(?:[-+•*]\s*)?(?:{labels})\s*:\s*(?P<frame>[^\n]*\S)")


@Language.component("kehoach_deadlines")
def deadlines_component(doc: Doc) -> Doc:
    """Time frames from deadline columns, "Thời gian thực hiện:" lines and prose phrases."""
    found = _table_deadlines(doc) + _label_deadlines(doc)
    taken = [(m.start, m.end) for m in found] + [(c.start, c.end) for c in doc._.citations]
    for mention in _prose_deadlines(doc):
        if not any(mention.start < end and start < mention.end for start, end in taken):
            found.append(mention)
            taken.append((mention.start, mention.end))
    for mention in found:
        if mention.kind == "open":
            warn(doc, f"deadline: time frame not understood, kept as open: {mention.text!r}")
    doc._.deadlines = sorted(found, key=lambda m: (m.start, m.end))
    return doc


def _mention(doc: Doc, text: str, start: int, end: int, how: str, where: Provenance | None = None) -> DeadlineMention:
    where = where or text_provenance(doc, start, end)
    d = parse_deadline(text)
    confidence = CONFIDENCE[how] if d.kind != "open" else 0.3
    return DeadlineMention(d.text, d.kind, d.period_start, d.period_end, d.recurrence, start, end, where.section,
                           where.page, confidence, where.table, where.row)


def _table_deadlines(doc: Doc) -> list[DeadlineMention]:
    found = []
    for table in doc._.tables:
        columns = [i for i, c in enumerate(table.columns) if c.role == "deadline"]
        for r, row in enumerate(table.rows):
            for i in columns:
                cell = " ".join(row.cells[i].split()).strip(_TRIM) if i < len(row.cells) else ""
                if cell:
                    start, end = locate_cell(doc, table, r, i, cell)
                    found.append(_mention(doc, cell, start, end, "table", cell_provenance(doc, table, r, start, end)))
    return found


def _label_deadlines(doc: Doc) -> list[DeadlineMention]:
    inside_tables = [(t.start, t.end) for t in doc._.tables]
    found = []
    for m in _label_pattern().finditer(text_of(doc)):
        if any(s <= m.start() < e for s, e in inside_tables):
            continue
        start, end = _trimmed(text_of(doc), *m.span("frame"))
        if start < end:
            found.append(_mention(doc, text_of(doc)[start:end], start, end, "label"))
    return found


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the whitespace and punctuation `parse_deadline` drops at its ends, so
    that a mention's offsets hold exactly the words of its text."""
    while start < end and (text[start].isspace() or text[start] in _TRIM):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _TRIM):
        end -= 1
    return start, end


def _prose_deadlines(doc: Doc) -> list[DeadlineMention]:
    skip = [(s.start, s.end) for s in doc._.sections if s.kind in ("header", "title")]
    skip += [(t.start, t.end) for t in doc._.tables]
    standalone, bare = _prose_patterns()
    found = []
    for how, pattern in (("standalone", standalone), ("after_opener", bare)):
        for m in pattern.finditer(text_of(doc)):
            start, end = m.span()
            if not any(s <= start < e for s, e in skip):
                found.append(_mention(doc, m.group(), start, end, how))
    return found

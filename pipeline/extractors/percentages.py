"""Percentages, with their comparator, scope and subject, in prose and table cells.

"Trên 95% đối với cơ sở giáo dục phổ thông" -> op ">", value 95, scope "cơ sở giáo dục phổ
thông"; "Từ 85% trở lên cơ sở giáo dục phổ thông triển khai …" -> ">=" 85, subject "cơ sở giáo
dục phổ thông triển khai …"; "đạt trung bình 5% đối với cấp tiểu học và 10% đối với cấp trung
học" -> two, "=" each (the second takes the first's comparator and subject), one per scope.

The grammar is data (rules/targets.yaml), shared with the indicator extractor's target cells:
`read_values` reads every value of a text with its comparator and scope; `find_percentages` adds
what each percentage is of. A bare value states no comparison: op None ("100%" is not "= 100"
unless the plan says "đạt"/"bằng"); the contract allows null.

In prose only numbers with a percent sign count. In a table, a cell's "95%" always counts, and a
bare "≥ 80" counts in a target column when the row's unit of measure (or the column's name) is "%".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import regex
from spacy.language import Language
from spacy.tokens import Doc

from ..model import Percentage, Table
from ..numerals import ascii_digits
from ..rules import load as load_rules
from .context import cell_provenance, locate_cell, locate_words, text_of, text_provenance

RULES = "targets.yaml"
INEQUALITIES = (">=", ">", "<=", "<")

#: How sure a percentage is, by where it was read.
CONFIDENCE = {"text": 0.9, "cell": 0.95, "bare_cell": 0.85}


@dataclass(frozen=True)
class Value:
    """One value read from a text; offsets are into that text."""

    start: int  # the value with its comparator words and suffix: "tối thiểu đạt 25%"
    end: int
    value: float
    op: str | None
    percent: bool  # written with "%" / "phần trăm"
    scope: str | None = None
    extent: int = 0  # where the value and its scope phrase end
    subject: str | None = None
    coordinated: bool = False  # joined to the value before by "và" / "," / "hoặc"
    after: tuple[int, int] | None = None  # the span of the noun phrase after the value, when it is its subject


def _phrase(words: str) -> str:
    """A vocabulary entry as a regex: words match across whitespace, at word boundaries."""
    body = r"\s+".join(regex.escape(w) for w in words.split())
    if regex.match(r"\p{L}", words):
        return rf"(?<![\p{{L}}\p{{N}}]){body}(?!\p{{L}})"
    return body


def _alternation(entries: list[str]) -> str:
    return "|".join(_phrase(w) for w in sorted(entries, key=len, reverse=True))


@dataclass(frozen=True)
class _Grammar:
    value: regex.Pattern  # with a percent sign
    percent_sign: regex.Pattern
    year: regex.Pattern  # a bare number that is a year, not a value
    bare: regex.Pattern  # percent sign optional
    ops: tuple[tuple[regex.Pattern, str | None], ...]  # comparator word -> op
    suffix_ops: tuple[tuple[regex.Pattern, str], ...]
    scopes: tuple[regex.Pattern, ...]
    scope_labels: tuple[regex.Pattern, ...]
    clause_end: regex.Pattern
    hard_end: regex.Pattern
    not_after: regex.Pattern
    anchors: regex.Pattern
    lead: regex.Pattern
    trail: regex.Pattern
    coordination: regex.Pattern
    max_words: int
    max_words_before: int


@lru_cache(maxsize=1)
def grammar() -> _Grammar:
    rules = load_rules(RULES)
    words = [w for c in rules["comparators"] for w in c["words"]]
    suffixes = [w for c in rules["suffixes"] for w in c["words"]]
    pre = rf"(?P<pre>(?:(?:{_alternation(words)})\s*)*)"
    post = rf"(?P<post>\s+(?:{_alternation(suffixes)}))?"
    number, percent = rules["number"], rules["percent"]
    value = regex.compile(rf"{pre}{number}(?P<pct>{percent}){post}", regex.I)
    bare = regex.compile(rf"{pre}{number}(?P<pct>{percent})?{post}", regex.I)
    ops = tuple((regex.compile(rf"^(?:{_alternation(c['words'])})", regex.I), c["op"]) for c in rules["comparators"])
    suffix_ops = tuple((regex.compile(_alternation(c["words"]), regex.I), c["op"]) for c in rules["suffixes"])
    following = rf"(?:(?:{_alternation(words)})\s*)*\d"
    scopes = tuple(regex.compile(s["pattern"].replace("{next}", following), regex.I) for s in rules["scope_patterns"])
    labels = tuple(regex.compile(s["pattern"], regex.I | regex.M) for s in rules["scope_labels"])
    subject = rules["subject"]
    return _Grammar(
        value, regex.compile(percent, regex.I), regex.compile(rules["year"]), bare, ops, suffix_ops, scopes, labels,
        regex.compile(subject["clause_end"], regex.I),
        regex.compile(subject["hard_end"], regex.I),
        regex.compile(rf"^\s*(?:{_alternation(subject['not_after'])})", regex.I),
        regex.compile(_alternation(subject["anchors"]), regex.I),
        regex.compile(rf"^(?:(?:{_alternation(subject['lead_words'])})[\s,]*)+", regex.I),
        regex.compile(rf"(?:(?:^|[\s,]+)(?:{_alternation(subject['trail_words'])}))+[\s,]*$|[\s,;:.-]+$", regex.I),
        regex.compile(rules["coordination"], regex.I),
        subject["max_words"], subject["max_words_before"],
    )


def parse_number(text: str) -> float:
    """ "95,5" / "95.5" -> 95.5; "1.000" -> 1000 (a dot or comma before three digits groups thousands)."""
    text = ascii_digits(text.strip())
    if regex.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", text):
        return float(regex.sub(r"[.,]", "", text))
    return float(text.replace(",", "."))


def parse_percent(text: str) -> float | None:
    """The value of the first percentage in `text` ("95,5%" -> 95.5), None without one."""
    found = read_values(text)
    return found[0].value if found else None


def format_percent(value: float) -> str:
    """95.5 -> "95,5%" (Vietnamese decimal comma); 100.0 -> "100%"."""
    return f"{value:g}".replace(".", ",") + "%"


def _op(pre: str, post: str | None) -> str | None:
    g = grammar()
    ops: list[str | None] = []
    rest = pre.strip()
    while rest:  # the longest phrase at this point, whichever comparator it belongs to
        best = max(((m.end(), op) for pattern, op in g.ops if (m := pattern.match(rest))), default=None)
        if best is None:
            break
        ops.append(best[1])
        rest = rest[best[0]:].strip()
    op = next((o for o in ops if o in INEQUALITIES), None) or ("=" if "=" in ops else None)
    if post and op in (None, "="):
        op = next(o for pattern, o in g.suffix_ops if pattern.search(post))
    return op


def _scope(text: str, at: int) -> tuple[str | None, int]:
    for pattern in grammar().scopes:
        m = pattern.match(text[at:])
        if m:
            return " ".join(m.group("scope").split()).strip(" ,"), at + m.end()
    return None, at


#: How far before a percent sign a value's comparator words may start, and after it its suffix ends.
_WINDOW = (120, 30)


def _matches(text: str, bare: bool):
    """The grammar's matches in `text`; with a percent sign required, only near percent signs
    (the pattern is costly to try at every offset of a whole plan)."""
    g = grammar()
    if bare:
        yield from g.bare.finditer(text)
        return
    windows: list[list[int]] = []
    for m in g.percent_sign.finditer(text):
        lo, hi = max(0, m.start() - _WINDOW[0]), min(len(text), m.end() + _WINDOW[1])
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = hi
        else:
            windows.append([lo, hi])
    for lo, hi in windows:
        yield from g.value.finditer(text, lo, hi)


def read_values(text: str, bare: bool = False) -> list[Value]:
    """Every value in `text` in order, with its comparator and scope phrase.

    `bare`: numbers without a percent sign count too (a table's target cell); years do not."""
    if not regex.search(r"\d", text):
        return []
    g = grammar()
    found: list[Value] = []
    for m in _matches(text, bare):
        if not m.group("pct") and g.year.fullmatch(m.group("num")):
            continue
        if found and m.start() < found[-1].extent:  # a number inside the scope of the one before
            continue
        value = parse_number(m.group("num"))
        if not math.isfinite(value):  # hundreds of digits: no value a plan states (and no JSON number)
            continue
        start = m.start() + (len(m.group("pre")) - len(m.group("pre").lstrip()))
        op = _op(m.group("pre"), m.group("post"))
        scope, extent = _scope(text, m.end())
        coordinated = bool(found) and found[-1].extent <= m.start() and bool(
            g.coordination.match(text[found[-1].extent:start]))
        if coordinated and op is None:
            op = found[-1].op
        found.append(Value(start, m.end(), value, op, bool(m.group("pct")), scope,
                           max(extent, m.end()), coordinated=coordinated))
    return found


# --- Subjects: what a value is of -------------------------------------------------------------


def _clause_start(text: str, at: int) -> int:
    line = text.rfind("\n", 0, at) + 1  # a line break ends a clause: look no further back
    starts = [m.end() for m in grammar().hard_end.finditer(text, line, at)]
    return starts[-1] if starts else line


def clause_end_at(text: str, at: int) -> int:
    m = grammar().clause_end.search(text, at)
    return m.start() if m else len(text)


def trim_phrase(phrase: str, max_words: int, from_end: bool = False) -> str | None:
    g = grammar()
    phrase = " ".join(phrase.split())
    words = phrase.split(" ")
    if len(words) > max_words:
        phrase = " ".join(words[-max_words:] if from_end else words[:max_words])
    for _ in range(3):
        phrase = g.lead.sub("", phrase)
        phrase = g.trail.sub("", phrase).strip(" ,;:.-–+•*")
    return phrase or None


def subject_after(text: str, v: Value, stop: int | None = None) -> tuple[int, int] | None:
    """The span of the noun phrase right after a value that says what it is of, if any."""
    end = clause_end_at(text, v.extent)
    if stop is not None:
        end = min(end, stop)
    after = text[v.extent:end]
    if not after.strip() or grammar().not_after.match(after) or not regex.match(r"\s*\p{L}", after):
        return None
    start = v.extent + len(after) - len(after.lstrip())
    return start, start + len(after.strip())


def _subject_before(text: str, v: Value) -> str | None:
    g = grammar()
    lo = _clause_start(text, v.start)
    before = text[lo:v.start]
    anchors = list(g.anchors.finditer(before))
    if anchors:
        return trim_phrase(before[anchors[-1].start():], g.max_words)
    return trim_phrase(before, g.max_words_before, from_end=True)


def with_subjects(text: str, values: list[Value]) -> list[Value]:
    """Each value with what it is of: the phrase after it, else the one before it in its clause;
    a coordinated value without either takes its neighbour's ("5% đối với … và 10% đối với …")."""
    out: list[Value] = []
    for i, v in enumerate(values):
        nxt = values[i + 1].start if i + 1 < len(values) else None
        span = subject_after(text, v, nxt)
        if span:
            subject = trim_phrase(text[span[0]:span[1]], grammar().max_words)
        elif v.coordinated and out:
            subject = out[-1].subject
        else:
            subject = _subject_before(text, v)
        out.append(replace(v, subject=subject, after=span))
    return out


def scope_label(text: str, at: int) -> str | None:
    """The scope a line states for all its values ("- Đối với giáo dục phổ thông: …"), if the line
    holding offset `at` starts with one."""
    line_start = text.rfind("\n", 0, at) + 1
    for pattern in grammar().scope_labels:
        m = pattern.match(text, line_start)
        if m and m.end() <= at:
            return " ".join(m.group("scope").split())
    return None


def find_percentages(text: str) -> list[Value]:
    """Every percentage of a running text, with comparator, scope and subject."""
    values = with_subjects(text, read_values(text))
    return [v if v.scope else replace(v, scope=scope_label(text, v.start)) for v in values]


# --- The `kehoach_percentages` component ------------------------------------------------------


@Language.component("kehoach_percentages")
def percentages_component(doc: Doc) -> Doc:
    """Percentages in prose (outside tables) and in every table cell."""
    found = _prose_percentages(doc) + _table_percentages(doc)
    doc._.percentages = sorted(found, key=lambda p: (p.start, p.end))
    return doc


def _prose_percentages(doc: Doc) -> list[Percentage]:
    inside_tables = [(t.start, t.end) for t in doc._.tables]
    found = []
    for v in find_percentages(text_of(doc)):
        if any(s <= v.start < e for s, e in inside_tables):
            continue
        where = text_provenance(doc, v.start, v.end)
        found.append(Percentage(text_of(doc)[v.start:v.end], v.value, v.op, v.subject, v.start, v.end, where.section,
                                where.page, CONFIDENCE["text"], v.scope))
    return found


def percent_column(table: Table, row: int, column: int) -> bool:
    """Whether bare numbers in this cell are percentages: a target column of a row whose unit of
    measure is "%" (or whose column name says "%")."""
    col = table.columns[column]
    if col.role != "target":
        return False
    if "%" in col.name:
        return True
    cells = table.rows[row].cells
    return any(c.role == "unit_of_measure" and k < len(cells) and cells[k].strip() == "%"
               for k, c in enumerate(table.columns))


def _row_subject(table: Table, row: int) -> str | None:
    """What a row's values are of: its indicator (or task), shortened like a prose subject."""
    cells = table.rows[row].cells
    for role in ("indicator", "task"):
        for k, c in enumerate(table.columns):
            if c.role == role and k < len(cells) and cells[k].strip():
                return trim_phrase(cells[k], grammar().max_words)
    return None


def cell_values(cell: str, bare: bool) -> list[Value]:
    """The values of one table cell; when it holds several ("> 95% cơ sở giáo dục phổ thông …;
    > 90% cơ sở giáo dục mầm non …"), the phrase after each is its scope."""
    values = read_values(cell, bare=bare)
    if len(values) < 2:
        return values
    out = []
    for i, v in enumerate(values):
        if v.scope is None:
            nxt = values[i + 1].start if i + 1 < len(values) else len(cell)
            rest = cell[v.extent:nxt]
            tail = trim_phrase(rest.split(";")[0], 20)
            v = replace(v, scope=tail)
        out.append(v)
    return out


def _table_percentages(doc: Doc) -> list[Percentage]:
    found = []
    for table in doc._.tables:
        for r, row in enumerate(table.rows):
            subject = _row_subject(table, r)
            for k, cell in enumerate(row.cells):
                if not cell.strip() or k >= len(table.columns) or table.columns[k].role in ("seq", "group"):
                    continue
                bare = percent_column(table, r, k)
                own_text = table.columns[k].role in ("indicator", "task")
                values = with_subjects(cell, read_values(cell)) if own_text else cell_values(cell, bare)
                if not values:
                    continue
                lo, hi = locate_cell(doc, table, r, k)
                cursor = lo
                for v in values:  # in order: "100% … 100%" are two places
                    start, end = locate_words(text_of(doc), cell[v.start:v.end], cursor, hi)
                    cursor = end if end < hi else lo
                    where = cell_provenance(doc, table, r, start, end)
                    how = "cell" if v.percent else "bare_cell"
                    found.append(Percentage(" ".join(cell[v.start:v.end].split()), v.value, v.op,
                                            v.subject if own_text else subject, start, end, where.section,
                                            where.page, CONFIDENCE[how], v.scope, table.id, r))
    return found



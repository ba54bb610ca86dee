"""Indicators and their yearly targets: from indicator tables and from prose target lists.

Tables: one indicator per row of a table with an indicator column and target columns; one
`Target` per target column (its year from the header), read by `parse_targets`: "≥95%" -> >= 95,
"Duy trì" -> value None (qualitative, kept), "> 95 (phổ thông); > 90 (mầm non)" -> two targets
by scope, empty or "-" -> none. Unit of measure, group, lead and implementing units from the
row's other columns (units canonicalized by `units.unit_names`).

Prose: under a heading (a section or a plain line) that announces targets ("Chỉ tiêu đến năm
2030", "II. MỤC TIÊU ĐẾN NĂM 2030", "Phấn đấu đạt các chỉ tiêu sau:"), each statement that opens
with a value names one indicator ("- 100% cơ sở giáo dục thực hiện tuyển sinh đầu cấp …");
several on one line are split at ";"; a line ending "trong đó:" names one indicator whose "+"
sub-items give its targets by scope. The year is the innermost heading's (the end of a range),
or one the statement states itself ("đến hết năm 2025, 100% …").

A plan often states an indicator in its text and again in an appendix: a prose indicator whose
name is close enough to a table row's (`similarity` >= MERGE_THRESHOLD, or >= MERGE_WITH_VALUE
when a target of the same year agrees) is the same indicator, kept once with both provenances.

Ids: "t2-r5" = table t2, its 5th row (1-based; `row` keeps the 0-based index); "s12-3" = the
3rd prose indicator of section s12 (the innermost numbered section holding the statement).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

import regex
from spacy.language import Language
from spacy.tokens import Doc

from ..model import Indicator, Section, Table, Target
from ..numerals import to_int
from ..rules import load as load_rules
from ..rules import phrase_alternation
from .context import cell_provenance, section_at, text_of, text_provenance, warn
from .percentages import RULES, Value, cell_values, clause_end_at, find_percentages, trim_phrase
from .units import mentions_by_row, unit_names

#: Name similarity (`similarity`, 0..1) from which a prose statement and a table row are one
#: indicator; a lower bar when they also agree on a target of the same year. On the seeds the
#: statements that are an appendix row score 0.57–0.88 against it, and the best wrong row of any
#: statement at most 0.52 (and "100%" agrees with most rows, so agreement alone proves little).
MERGE_THRESHOLD = 0.7
MERGE_WITH_VALUE = 0.55

#: How sure an indicator is, by where it was read.
CONFIDENCE = {"delimited": 0.95, "flattened": 0.9, "no_target": 0.75, "prose": 0.75, "prose_no_year": 0.6}


@dataclass(frozen=True)
class _Vocabulary:
    empty: frozenset[str]
    qualitative: regex.Pattern
    headings: tuple[regex.Pattern, ...]
    heading_year: regex.Pattern
    statement_year: regex.Pattern
    heading_max_words: int
    parent_end: regex.Pattern
    part_of_previous: regex.Pattern
    stop_words: regex.Pattern


@lru_cache(maxsize=1)
def vocabulary() -> _Vocabulary:
    rules = load_rules(RULES)
    qualitative = phrase_alternation(rules["qualitative"])
    stops = phrase_alternation(rules["name_stop_words"])
    return _Vocabulary(
        frozenset(rules["empty_cells"]),
        regex.compile(rf"^(?:{qualitative})(?!\p{{L}})", regex.I),
        tuple(regex.compile(h["pattern"], regex.I | regex.M) for h in rules["target_headings"]),
        regex.compile(rules["heading_year"], regex.I),
        regex.compile(rules["statement_year"], regex.I),
        rules["heading_max_words"],
        regex.compile(rules["parent_end"], regex.I),
        regex.compile(rules["part_of_previous"], regex.I),
        regex.compile(rf"(?<!\p{{L}})(?:{stops})(?!\p{{L}})", regex.I),
    )


def _clean(text: str) -> str:
    return " ".join(text.split())


# --- Target cells -----------------------------------------------------------------------------


def _qualitative_target(segment: str, year: int | None) -> Target:
    text = segment.strip(" ;,.")
    m = regex.match(r"^(?P<text>.*?\S)\s*\((?P<scope>[^()]+)\)$", text)
    if m and not vocabulary().qualitative.match(m.group("scope")):
        return Target(year, None, None, text, _clean(m.group("scope")))
    return Target(year, None, None, text)


def parse_targets(cell: str, year: int | None) -> list[Target]:
    """The targets one table cell sets for `year`.

    "≥95%" -> [>= 95]; "100" -> [None 100] (no comparison stated); "Duy trì, nâng cao" -> [value
    None, qualitative]; "> 95 (phổ thông); > 90 (mầm non)" -> two targets, scoped; "", "-" -> []."""
    text = _clean(cell)
    if not text or text in vocabulary().empty:
        return []
    values = cell_values(text, bare=True)
    if not values:
        return [_qualitative_target(text, year)]
    targets: list[tuple[int, Target]] = []
    bounds = [v.start for v in values[1:]] + [len(text)]
    for v, nxt in zip(values, bounds):
        stop = text.find(";", v.extent)
        hi = nxt if stop < 0 else min(nxt, stop)
        scope = v.scope if v.scope and not vocabulary().qualitative.match(v.scope) else None
        if len(values) == 1:  # the whole cell is this target's text ("Duy trì 100%", "≥ 80")
            piece = text.strip(" ;,.")
        else:
            piece = text[v.start:hi].strip(" ;,.")
        targets.append((v.start, Target(year, v.op, v.value, piece, scope)))
    # segments without a number in a cell that has numbers: "100% (phổ thông); Duy trì (mầm non)"
    pos = 0
    for segment in text.split(";"):
        lo, pos = pos, pos + len(segment) + 1
        if segment.strip(" .,") and not any(lo <= v.start < pos for v in values):
            targets.append((lo, _qualitative_target(segment, year)))
    return [t for _, t in sorted(targets, key=lambda p: p[0])]


# --- Indicator tables -------------------------------------------------------------------------


def _row_units(doc: Doc, table: Table, row: int, cells: list[str], by_row: dict) -> dict[str, list[str]]:
    """Lead and implementing units of a row: the unit component's mentions of it (the same
    canonical names as `doc.units`); the columns split here only when that component did not run."""
    if doc._.unit_mentions is not None:
        mentions = sorted(by_row.get((table.id, row), []), key=lambda m: m.start)
        return {role: list(dict.fromkeys(m.name for m in mentions if m.role == role)) for role in ("lead", "implementing")}
    column_role = {"lead": "lead", "implementer": "implementing"}
    found: dict[str, list[str]] = {"lead": [], "implementing": []}
    for k, c in enumerate(table.columns):
        if c.role in column_role and cells[k].strip():
            found[column_role[c.role]] += [u for u in unit_names(cells[k]) if u not in found[column_role[c.role]]]
    return found


def is_indicator_table(table: Table) -> bool:
    roles = {c.role for c in table.columns}
    return table.kind == "indicators" or ("indicator" in roles and "target" in roles)


def _table_indicators(doc: Doc) -> list[Indicator]:
    found = []
    by_row = mentions_by_row(doc)
    for table in doc._.tables:
        if not is_indicator_table(table):
            continue
        name_col = next((k for k, c in enumerate(table.columns) if c.role in ("indicator", "task")), None)
        if name_col is None:
            warn(doc, f"indicator: table {table.id} has no indicator column")
            continue
        for r, row in enumerate(table.rows):
            cells = row.cells + [""] * (len(table.columns) - len(row.cells))
            name = _clean(cells[name_col])
            if not name:
                continue
            targets = [t for k, c in enumerate(table.columns) if c.role == "target" for t in parse_targets(cells[k], c.year)]
            units = [_clean(cells[k]) for k, c in enumerate(table.columns) if c.role == "unit_of_measure" and cells[k].strip()]
            unit = units[0] if units else ("%" if any("%" in t.text for t in targets) else None)
            units_of = _row_units(doc, table, r, cells, by_row)
            where = cell_provenance(doc, table, r)
            if not targets:
                warn(doc, f"indicator: no target read in table {table.id} row {r}: {name[:60]!r}")
            confidence = CONFIDENCE.get(table.shape, 0.9) if targets else CONFIDENCE["no_target"]
            found.append(Indicator(f"{table.id}-r{r + 1}", name, row.group, unit, targets, units_of["lead"],
                                   units_of["implementing"], "table", table.id, where.start, where.end,
                                   where.section, where.page, confidence, r, [where]))
    return found


# --- Prose target lists -----------------------------------------------------------------------


@dataclass
class _Line:
    start: int  # offsets of the line's content (bullet included) in doc.text
    end: int
    text: str
    bullet: str | None


@dataclass
class _Context:
    start: int
    end: int
    year: int | None


@dataclass
class _Statement:
    name: str
    targets: list[Target]
    start: int
    end: int
    base: Section | None
    has_year: bool


_BULLET = regex.compile(r"^[ \t]*(?P<bullet>[-+•*–])[ \t]*")


def target_heading_year(line: str) -> tuple[bool, int | None]:
    """(whether a line or heading announces targets, the year it sets them for)."""
    v = vocabulary()
    text = _clean(line)
    if len(text.split()) > v.heading_max_words or not any(h.search(text) for h in v.headings):
        return False, None
    years = [to_int(m.group("year")) for m in v.heading_year.finditer(text)]
    return True, (years[-1] if years else None)


def _lines(doc: Doc) -> list[_Line]:
    skip = [(t.start, t.end) for t in doc._.tables]
    skip += [(s.start, s.end) for s in doc._.sections if s.kind in ("header", "title")]
    out = []
    for m in regex.finditer(r"[^\n]+", text_of(doc)):
        if any(s <= m.start() < e for s, e in skip) or not m.group().strip():
            continue
        b = _BULLET.match(m.group())
        out.append(_Line(m.start(), m.end(), m.group(), b.group("bullet") if b else None))
    return out


def _block(doc: Doc, offset: int) -> Section | None:
    """The innermost numbered (not list-item) section at an offset."""
    s = section_at(doc, offset)
    while s is not None and s.list_item:
        s = next((x for x in doc._.sections if x.id == s.parent), None)
    return s


def _contexts(doc: Doc, lines: list[_Line]) -> tuple[list[_Context], set[int]]:
    """Regions of target lists (a target heading to the end of its section) and the starts of
    lines that are such headings."""
    contexts, heading_lines = [], set()
    for s in doc._.sections:
        if s.list_item or s.kind not in ("body", "appendix"):
            continue
        is_target, year = target_heading_year(s.heading or "")
        if is_target:
            contexts.append(_Context(s.start, s.end, year))
    section_starts = {s.start for s in doc._.sections if not s.list_item}
    plain: list[_Context] = []
    for line in lines:
        if line.start in section_starts:
            heading_lines.add(line.start)
            continue
        is_target, year = target_heading_year(line.text)
        is_target = is_target and not find_percentages(line.text)  # a line with a value states a target itself
        if is_target or (plain and _looks_like_heading(line)):  # a plain heading reaches the next heading-like line
            for c in plain:
                if c.start < line.start < c.end:
                    c.end = line.start
        if is_target:
            block = _block(doc, line.start)
            plain.append(_Context(line.start, block.end if block else len(text_of(doc)), year))
            heading_lines.add(line.start)
    return contexts + plain, heading_lines


def _looks_like_heading(line: _Line) -> bool:
    """A short line that is neither a list item nor a sentence ("Nhiệm vụ", "III. TỔ CHỨC THỰC HIỆN")."""
    text = _clean(line.text)
    return (not line.bullet and len(text.split()) <= vocabulary().heading_max_words // 2
            and not regex.search(r"[.;,:]$", text) and not find_percentages(text))


def _context_of(contexts: list[_Context], offset: int) -> tuple[bool, int | None]:
    inside = [c for c in contexts if c.start <= offset < c.end]
    if not inside:
        return False, None
    dated = [c for c in inside if c.year is not None]
    return True, (max(dated, key=lambda c: c.start).year if dated else None)


def _year_in(text: str, default: int | None) -> tuple[int | None, bool]:
    m = vocabulary().statement_year.search(text)
    return (to_int(m.group("year")), True) if m else (default, default is not None)


def _name(text: str) -> str:
    return _clean(text).strip(" ,;:.-–+•*")


def _statements(doc: Doc, line: _Line, year: int | None) -> list[_Statement]:
    """The indicators one line states: a value opening a clause starts one; a coordinated value
    or one introduced by "trong đó" adds a scoped target to it."""
    values = find_percentages(line.text)
    out: list[_Statement] = []
    prev: Value | None = None
    for i, v in enumerate(values):
        between = line.text[prev.extent:v.start] if prev else ""
        if out and (v.coordinated or vocabulary().part_of_previous.search(between)):
            scope = v.scope or (v.subject if not v.coordinated else None)
            out[-1].targets.append(Target(out[-1].targets[0].year, v.op, v.value, line.text[v.start:v.end], scope))
            out[-1].end = max(out[-1].end, line.start + v.extent)
        else:
            if v.after:
                name, end = _name(line.text[v.after[0]:v.after[1]]), v.after[1]
            else:  # the value sits inside its clause: the words before it, and what follows it there
                stop = min(clause_end_at(line.text, v.extent), values[i + 1].start if i + 1 < len(values) else len(line.text))
                rest = trim_phrase(line.text[v.extent:stop], 40)
                name, end = " ".join(x for x in (v.subject, rest) if x), stop if rest else v.extent
            start = v.start  # the statement starts with its value, or with the subject before it
            if not v.after and v.subject and v.subject in line.text[:v.start]:
                start = line.text.rfind(v.subject, 0, v.start)
            y, has_year = _year_in(line.text[:v.start], year)
            out.append(_Statement(name, [Target(y, v.op, v.value, line.text[v.start:v.end], v.scope)],
                                  line.start + start, line.start + end, _block(doc, line.start), has_year))
        prev = v
    return [s for s in out if s.name]


def _prose_indicators(doc: Doc) -> list[Indicator]:
    lines = _lines(doc)
    contexts, heading_lines = _contexts(doc, lines)
    statements: list[_Statement] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        inside, year = _context_of(contexts, line.start)
        if not inside or line.start in heading_lines:
            i += 1
            continue
        parent = vocabulary().parent_end.search(line.text)
        children = []
        j = i + 1
        while parent and j < len(lines) and lines[j].bullet and lines[j].bullet != line.bullet:
            children.append(lines[j])
            j += 1
        if parent and children and not find_percentages(line.text):
            body = line.text[_BULLET.match(line.text).end() if line.bullet else 0:parent.start()]
            y, has_year = _year_in(body, year)
            targets = []
            for child in children:
                for v in find_percentages(child.text):
                    scope = v.scope or v.subject
                    targets.append(Target(y, v.op, v.value, child.text[v.start:v.end], scope))
            if targets and _name(body):
                statements.append(_Statement(_name(body), targets, line.start, children[-1].end,
                                             _block(doc, line.start), has_year))
                i = j
                continue
        statements.extend(_statements(doc, line, year))
        i += 1
    counts: dict[str, int] = {}
    found = []
    for s in statements:
        base = s.base.id if s.base else "text"
        counts[base] = counts.get(base, 0) + 1
        where = text_provenance(doc, s.start, s.end)
        confidence = CONFIDENCE["prose"] if s.has_year else CONFIDENCE["prose_no_year"]
        found.append(Indicator(f"{base}-{counts[base]}", s.name, None, "%", s.targets, [], [], "text", None,
                               s.start, s.end, where.section, where.page, confidence, None, [where]))
    return found


# --- One indicator stated twice ---------------------------------------------------------------


def name_tokens(name: str) -> list[str]:
    """A name as compared: lower case, NFC, stop words ("tỷ lệ", "các", "được" …) and punctuation dropped."""
    text = unicodedata.normalize("NFC", name).lower()
    text = vocabulary().stop_words.sub(" ", text)
    return regex.findall(r"[\p{L}\p{N}]+", text)


def similarity(a: str, b: str) -> float:
    """How alike two indicator names are, 0..1: the larger of the token Jaccard index and
    difflib's ratio over the token sequences (word order counts, repeats too)."""
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return 0.0
    jaccard = len(set(ta) & set(tb)) / len(set(ta) | set(tb))
    return max(jaccard, SequenceMatcher(None, ta, tb, autojunk=False).ratio())


def _agrees(a: Indicator, b: Indicator) -> bool:
    return any(x.year == y.year and x.year is not None and x.value == y.value and x.value is not None
               for x in a.targets for y in b.targets)


def merge(table_items: list[Indicator], prose_items: list[Indicator]) -> list[Indicator]:
    """Table rows and prose statements, a prose statement of a row's indicator folded into it:
    the row gains the statement's provenance and its targets for years the row does not set."""
    kept = []
    for p in prose_items:
        scored = [(similarity(p.name, t.name), t) for t in table_items]
        scored = [(score, t) for score, t in scored
                  if score >= MERGE_THRESHOLD or (score >= MERGE_WITH_VALUE and _agrees(p, t))]
        if not scored:
            kept.append(p)
            continue
        _, best = max(scored, key=lambda st: st[0])
        years = {t.year for t in best.targets}
        best.targets.extend(t for t in p.targets if t.year not in years)
        best.provenance.extend(p.provenance)
        best.confidence = max(best.confidence, p.confidence)
    return table_items + kept


@Language.component("kehoach_indicators")
def indicators_component(doc: Doc) -> Doc:
    """Indicators from indicator tables and prose target lists, one per indicator stated."""
    found = merge(_table_indicators(doc), _prose_indicators(doc))
    doc._.indicators = sorted(found, key=lambda i: (i.start, i.end))
    return doc


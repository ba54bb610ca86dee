"""Tasks: one per row of a task (or responsibilities) table and one per prose task block,
the same task in both places merged into one (the `kehoach_tasks` component).

A prose task block is a numbered heading followed by label lines (seed 004 §III):

    4.1. Đẩy mạnh phong trào, nâng cao chất lượng …
    - Đơn vị chủ trì: Phòng Tổ chức – Hành chính.
    - Đơn vị phối hợp: Các đơn vị thuộc Sở, các cơ sở giáo dục.
    - Thời gian thực hiện: Hằng năm.

Units come from the `kehoach_units` mentions of the same table row / label lines (so a task
names units exactly as `doc._.units` does); deadlines are the deadline component's readings of the
same cells and lines.

Merging prose and appendix: a prose task and a table row are one task when they carry the same
printed number and their texts agree (word overlap >= MATCH), or, for a number the plan printed
twice or shifted (004 prints "2.3." twice in §III; its appendix numbers them 2.3 and 2.4), when
the texts agree best among the rows left (>= MATCH_TEXT). The merged task keeps:
- id: the table's number: the appendix numbers every task once;
- text: the prose's: a paragraph as written, where a flattened table cell is rebuilt from line
  fragments (seed 004's 4.1 was printed across a page break after its deadline);
- units: the table's for each role it fills, the prose's for a role the table leaves empty, and a
  warning when they differ (5.3: the appendix leads with Thanh tra Sở, Phòng Kế hoạch - Tài chính
  and Phòng Giáo dục phổ thông, §III names only the first two; 4.2: §III swaps lead and
  co-operating unit). The appendix is the plan's assignment list, and the reviewed gold tables
  (annotations/tables) follow it;
- deadline and output: the table's when it has them;
- source "text" (the prose comes first in the plan), both places in `provenance`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import regex
from spacy.language import Language
from spacy.tokens import Doc

from ..model import Deadline, Provenance, Table, Task
from ..rules import load as load_rules
from ..rules import phrase_alternation
from .context import cell_provenance, locate_cell, text_of, text_provenance, warn
from .deadlines import parse_deadline
from .units import mentions_by_row, unit_names

#: Word overlap above which a prose task and a table row with the same number are one task.
MATCH = 0.5
#: Word overlap above which a prose task and a table row are one task whatever their numbers.
MATCH_TEXT = 0.6
#: Confidence by where a task was read.
CONFIDENCE = {"table": 0.9, "text": 0.85, "both": 0.97, "no_lead": 0.6}
TASK_TABLES = ("tasks", "responsibilities")
_ROLE_FIELD = {"lead": "lead_units", "support": "support_units", "implementing": "implementing_units"}
_WORDS = regex.compile(r"[\p{L}\p{N}]+")
_NUMBER = regex.compile(r"^\s*(?:\d+(?:\.\d+)*|[IVXLC]+|[a-zđ])[.)]?\s*$")
_GROUP_LABEL = regex.compile(r"^\s*([IVXLC]+|\d+)[.)]\s")
_HEADING_NUMBER = regex.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[a-zđ]\))\s*")


@dataclass
class _Draft:
    """A task while it is assembled: where it was read, its units by role."""

    number: str | None
    text: str
    group: str | None
    source: str
    start: int
    end: int
    section: str | None
    page: int | None
    table: str | None = None
    row: int | None = None
    units: dict[str, list[str]] = field(default_factory=lambda: {r: [] for r in _ROLE_FIELD})
    deadline: Deadline | None = None
    output: str | None = None
    provenance: list[Provenance] = field(default_factory=list)
    merged: bool = False

    @property
    def group_label(self) -> str | None:
        m = _GROUP_LABEL.match(self.group or "")
        return m.group(1) if m else None


@Language.component("kehoach_tasks", requires=["doc._.units"], assigns=["doc._.tasks"])
def tasks_component(doc: Doc) -> Doc:
    table_tasks = [t for table in doc._.tables if table.kind in TASK_TABLES for t in _table_tasks(doc, table)]
    table_tasks = _merge_tables(doc, table_tasks)
    prose_tasks = _prose_tasks(doc)
    drafts = _merge(doc, prose_tasks, table_tasks)
    doc._.tasks = _finish(doc, drafts)
    return doc


def _deadline(doc: Doc, text: str, where: tuple[str, int] | int) -> Deadline:
    """The meaning the deadline component gave this time frame (a table cell by (table, row), a
    "Thời gian thực hiện:" line by the offset of its value), so a task and `doc.deadlines` agree;
    parsed here only when that component did not run."""
    for m in doc._.deadlines or []:
        if (m.table, m.row) == where if isinstance(where, tuple) else (m.table is None and m.start == where):
            return Deadline(m.text, m.kind, m.period_start, m.period_end, m.recurrence)
    return parse_deadline(text)


# --- tables -------------------------------------------------------------------------------------


def _table_tasks(doc: Doc, table: Table) -> list[_Draft]:
    roles = [c.role for c in table.columns]
    if "task" not in roles:
        return []
    by_row = mentions_by_row(doc)
    task_col = roles.index("task")
    seq_col = roles.index("seq") if "seq" in roles else None
    drafts = []
    for r, row in enumerate(table.rows):
        cells = row.cells + [""] * (len(roles) - len(row.cells))
        text = " ".join(cells[task_col].split())
        if not text:
            continue
        s, e = locate_cell(doc, table, r, task_col)
        where = cell_provenance(doc, table, r)
        number = cells[seq_col].strip().rstrip(".") if seq_col is not None and cells[seq_col].strip() else None
        draft = _Draft(number, text, row.group, "table", s, e, where.section, where.page, table.id, r,
                       provenance=[cell_provenance(doc, table, r, s, e)])
        mentions = by_row.get((table.id, r))
        if mentions is not None or doc._.unit_mentions is not None:
            for m in sorted(mentions or [], key=lambda m: m.start):
                _add_unit(draft, m.role or "implementing", m.name)
        else:  # the units component did not run: read the columns directly
            for j, role in enumerate(roles):
                field_role = {"lead": "lead", "support": "support", "implementer": "implementing"}.get(role)
                if field_role:
                    for name in unit_names(cells[j]):
                        _add_unit(draft, field_role, name)
        deadline = next((cells[j] for j, role in enumerate(roles) if role == "deadline" and cells[j].strip()), None)
        draft.deadline = _deadline(doc, deadline, (table.id, r)) if deadline else None
        output = next((cells[j] for j, role in enumerate(roles) if role == "output" and cells[j].strip()), None)
        draft.output = " ".join(output.split()) if output else None
        drafts.append(draft)
    return drafts


def _add_unit(draft: _Draft, role: str, name: str) -> None:
    if name not in draft.units[role]:
        draft.units[role].append(name)


def _merge_tables(doc: Doc, drafts: list[_Draft]) -> list[_Draft]:
    """Rows of two tables that list the same tasks (a responsibilities appendix beside a task
    appendix, seed 002) are one task: same number and agreeing text."""
    out: list[_Draft] = []
    for d in drafts:
        twin = next((o for o in out if o.table != d.table and o.number == d.number
                     and _overlap(o.text, d.text) >= MATCH), None)
        if twin is None:
            out.append(d)
            continue
        first, second = (twin, d) if _prefer_table(doc, twin, d) else (d, twin)
        _absorb(first, second)
        if first is d:
            out[out.index(twin)] = d
    return out


def _prefer_table(doc: Doc, a: _Draft, b: _Draft) -> bool:
    """The task table (lead / support columns) speaks for a task before a responsibilities table."""
    kind = {t.id: t.kind for t in doc._.tables}
    return not (kind.get(a.table) == "responsibilities" and kind.get(b.table) == "tasks")


def _absorb(into: _Draft, other: _Draft) -> None:
    """`other` (a responsibilities row) adds the bodies it gives duties to as implementing units:
    the task table's lead / co-operating columns already say who leads."""
    for names in other.units.values():
        for name in names:
            if not any(name in into.units[r] for r in into.units):
                _add_unit(into, "implementing", name)
    into.deadline = into.deadline or other.deadline
    into.output = into.output or other.output
    into.provenance += other.provenance
    into.merged = True


# --- prose --------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _label_line() -> regex.Pattern:
    """Any label line of a task block: unit labels (unit_aliases.yaml), time labels (deadlines.yaml)
    and output labels (tasks.yaml)."""
    units = load_rules("unit_aliases.yaml")["labels"]
    words = [w for ws in units.values() for w in ws]
    unit_alt = phrase_alternation(words)
    time_alt = "|".join(load_rules("deadlines.yaml")["labels"])
    output_alt = "|".join(load_rules("tasks.yaml")["output_labels"])
    return regex.compile(rf"(?m)^[ \t]*(?:[-+•*]\s*)?(?:(?P<unit>{unit_alt})|(?P<time>{time_alt})|(?P<output>{output_alt}))"
                         rf"\s*:[ \t]*(?P<value>[^\n]*)")


def _prose_tasks(doc: Doc) -> list[_Draft]:
    """Numbered blocks followed by a lead-unit label line with a value."""
    sections = {s.id: s for s in doc._.sections}
    in_tables = [(t.start, t.end) for t in doc._.tables]
    full = text_of(doc)
    blocks: dict[str, list[regex.Match]] = {}
    for m in _label_line().finditer(full):
        if any(s <= m.start() < e for s, e in in_tables):
            continue
        owner = _task_section(doc, full, sections, m.start())
        if owner is not None:
            blocks.setdefault(owner.id, []).append(m)
    mentions = [m for m in (doc._.unit_mentions or []) if m.how == "label"]
    drafts = []
    for sid, labels in blocks.items():
        s = sections[sid]
        if not any(m.group("unit") and m.group("value").strip() for m in labels):
            continue  # "- Chủ trì:" over a list of duties: not a task block
        first = labels[0].start()
        head = full[s.start:first]
        number = _HEADING_NUMBER.match(head)
        text_start = s.start + (number.end() if number else 0)
        text = " ".join(full[text_start:first].split())
        if not text:
            continue
        where = text_provenance(doc, text_start, text_start + len(full[text_start:first].rstrip()))
        parent = sections.get(s.parent)
        group = f"{parent.label}. {parent.heading}" if parent is not None and parent.heading and parent.label else None
        draft = _Draft(s.label, text, group, "text", where.start, where.end, s.id, where.page, provenance=[where])
        end = labels[-1].end()
        for m in mentions:
            if first <= m.start < end + 1 and m.role:
                _add_unit(draft, m.role, m.name)
        times = [m for m in labels if m.group("time") and m.group("value").strip()]
        if times:
            draft.deadline = _deadline(doc, times[0].group("value"), times[0].start("value"))
        outputs = [m for m in labels if m.group("output") and m.group("value").strip()]
        if outputs:
            draft.output = " ".join(outputs[0].group("value").split()).rstrip(" .;")
        drafts.append(draft)
    return sorted(drafts, key=lambda d: d.start)


def _task_section(doc: Doc, full: str, sections: dict, offset: int):
    """The numbered section a label line belongs to: up from the innermost section, past list
    items and inline enumerations ("(1) Mời chuyên gia …")."""
    from .context import section_at

    s = section_at(doc, offset)
    while s is not None and (s.list_item or full[s.start:s.start + 1] == "(" or not s.label):
        s = sections.get(s.parent)
    if s is None or s.kind != "body":
        return None
    return s


# --- merging prose and tables -------------------------------------------------------------------


def _overlap(a: str, b: str) -> float:
    """Share of the shorter text's words found in the other (case-insensitive)."""
    wa, wb = _WORDS.findall(a.lower()), _WORDS.findall(b.lower())
    if not wa or not wb:
        return 0.0
    small, big = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    pool: dict[str, int] = {}
    for w in big:
        pool[w] = pool.get(w, 0) + 1
    hits = 0
    for w in small:
        if pool.get(w, 0) > 0:
            pool[w] -= 1
            hits += 1
    return hits / len(small)


def _merge(doc: Doc, prose: list[_Draft], table: list[_Draft]) -> list[_Draft]:
    pairs: dict[int, int] = {}  # prose index -> table index
    taken: set[int] = set()
    for i, p in enumerate(prose):  # same number, agreeing text
        for j, t in enumerate(table):
            if j not in taken and p.number and p.number == t.number and _overlap(p.text, t.text) >= MATCH:
                pairs[i] = j
                taken.add(j)
                break
    for i, p in enumerate(prose):  # a number printed twice or shifted: the text decides
        if i in pairs:
            continue
        best = max(((_overlap(p.text, t.text), j) for j, t in enumerate(table) if j not in taken), default=(0.0, -1))
        if best[0] >= MATCH_TEXT:
            pairs[i] = best[1]
            taken.add(best[1])
    out = []
    for i, p in enumerate(prose):
        j = pairs.get(i)
        if j is None:
            out.append(p)
            continue
        t = table[j]
        out.append(_join(doc, p, t))
    out += [t for j, t in enumerate(table) if j not in taken]
    return out


def _join(doc: Doc, prose: _Draft, table: _Draft) -> _Draft:
    """One task read in the prose and in a table (see the module notes for what wins)."""
    for role in _ROLE_FIELD:
        a, b = table.units[role], prose.units[role]
        if a and b and set(a) != set(b):
            warn(doc, f"task {table.number or prose.number}: {role} units differ between the text ({', '.join(b)})"
                      f" and table {table.table} ({', '.join(a)}); the table's are kept")
    units = {role: list(table.units[role] or prose.units[role]) for role in _ROLE_FIELD}
    if prose.number and table.number and prose.number != table.number:
        warn(doc, f"task {table.number}: numbered {prose.number} in the text, {table.number} in table {table.table}")
    return _Draft(table.number or prose.number, prose.text, table.group or prose.group, "text", prose.start,
                  prose.end, prose.section, prose.page, table.table, table.row, units,
                  table.deadline or prose.deadline, table.output or prose.output,
                  prose.provenance + table.provenance, merged=True)


# --- ids, confidence ----------------------------------------------------------------------------


def _keys(d: _Draft, restarts: bool) -> list[str]:
    """Ids a task may take, best first: its printed number, or group.number when the table
    numbers its rows again in every group ("II.3")."""
    if not d.number or not _NUMBER.match(d.number):
        return []
    grouped = [f"{d.group_label}.{d.number}"] if d.group_label and "." not in d.number else []
    return grouped if restarts and grouped else [d.number] + grouped


def _finish(doc: Doc, drafts: list[_Draft]) -> list[Task]:
    drafts = sorted(drafts, key=lambda d: (d.start, d.end))
    per_table: dict[str | None, list[str]] = {}
    for d in drafts:
        if d.number and d.table:
            per_table.setdefault(d.table, []).append(d.number)
    restarting = {t for t, nums in per_table.items() if len(nums) != len(set(nums))}  # "1, 2 | 1, 2, 3 …"
    numbers: dict[str, int] = {}
    for d in drafts:
        for key in _keys(d, d.table in restarting):
            numbers[key] = numbers.get(key, 0) + 1
    tasks, seen = [], set()
    for d in drafts:
        unique = [k for k in _keys(d, d.table in restarting) if numbers[k] == 1]
        if unique:  # the printed number, or group.number where numbers restart per group ("II.3")
            task_id = unique[0]
        elif d.table is not None:
            task_id = f"{d.table}-{d.number}" if d.number else f"{d.table}-r{d.row + 1}"
        else:
            task_id = f"{d.section}-{d.number}" if d.number else str(d.section)
        while task_id in seen:
            task_id += "'"
        seen.add(task_id)
        confidence = CONFIDENCE["both"] if d.merged and d.source == "text" else CONFIDENCE[d.source]
        if not d.units["lead"]:
            confidence = min(confidence, CONFIDENCE["no_lead"])
            if not d.units["implementing"]:
                warn(doc, f"task {task_id}: no lead or implementing unit")
        tasks.append(Task(task_id, d.text, d.group, d.units["lead"], d.units["support"], d.units["implementing"],
                          d.deadline, d.output, d.source, d.table, d.start, d.end, d.section, d.page, confidence,
                          d.row, d.provenance))
    return tasks

"""Comparing plans of a dataset: targets of one concept across localities, and a plan against
the plan it implements (its lineage).

Reads only the dataset folder `kehoach ingest` wrote: the DuckDB file for the matrix, and the
two plans' JSON for a lineage (the comparison needs their whole indicators and tasks).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .ingest import JSON_DIR
from .dataset import DUCKDB_FILE
from .extractors.citations import fold
from .link.graph import ParentLink
from .link.lineage import LineageReport, compare_lineage
from .link.tables import parent_links_of
from .model import Document

OP_SIGNS = {">=": "≥", ">": ">", "=": "=", "<=": "≤", "<": "<"}


class DatasetError(Exception):
    """The dataset folder cannot answer: missing, or no such plan. One line, for the CLI."""


# --- The matrix: concept x plan ------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """A column of the matrix."""

    document_id: str
    label: str  # "Quảng Ninh (Sở Giáo dục và Đào tạo)"
    locality: str | None
    level: str | None
    issuer: str | None
    issued_date: str | None


@dataclass(frozen=True)
class Cell:
    """One plan's target(s) for one concept in the chosen year."""

    text: str  # as shown: "≥ 95", "100; 90 (mầm non)", "Duy trì"
    value: float | None  # the main number (the unscoped target's, else the first)
    op: str | None
    indicator_id: str
    highest: bool = False  # the highest value of its row, where plans differ


@dataclass(frozen=True)
class ConceptRow:
    concept_id: str
    concept_name: str
    cells: dict[str, Cell]  # by document_id; plans without the concept are missing
    differs: bool  # the plans that set it do not all set the same target


@dataclass(frozen=True)
class ConceptMatrix:
    year: int
    plans: tuple[Plan, ...]
    rows: tuple[ConceptRow, ...]


def connect(dataset: Path):
    """A read-only connection to the dataset's DuckDB file."""
    import duckdb

    path = dataset / DUCKDB_FILE
    if not path.is_file():
        raise DatasetError(f"{dataset}: no {DUCKDB_FILE} here (make it with: kehoach ingest PLANS… --out {dataset})")
    return duckdb.connect(str(path), read_only=True)


@dataclass(frozen=True)
class ConceptTarget:
    """One target of one plan's indicator, with the indicator's concept (matrix, report charts)."""

    concept_id: str
    concept_name: str
    document_id: str
    indicator_id: str
    indicator_name: str
    unit: str | None
    year: int
    op: str | None
    value: float | None
    text: str
    scope: str | None


_TARGETS = """
SELECT c.concept_id, c.concept_name, t.document_id, t.indicator_id, i.name, i.unit, t.year, t.op, t.value, t.text,
       t.scope
FROM indicator_targets t
JOIN indicators i USING (document_id, indicator_id)
JOIN indicator_concepts c USING (document_id, indicator_id)
WHERE t.year IS NOT NULL AND (? IS NULL OR t.year = ?)
ORDER BY c.concept_id, t.document_id, t.indicator_id, t.scope NULLS FIRST, t.year
"""


def concept_targets(con, year: int | None = None) -> list[ConceptTarget]:
    """Every dated target of the dataset with its concept, or those of one `year`."""
    return [ConceptTarget(*row) for row in con.execute(_TARGETS, [year, year]).fetchall()]


def target_years(dataset: Path) -> Counter:
    """How many targets the dataset sets for each year."""
    with connect(dataset) as con:
        return Counter(dict(con.execute("SELECT year, count(*) FROM indicator_targets WHERE year IS NOT NULL "
                                        "GROUP BY year").fetchall()))


def default_year(dataset: Path) -> int:
    """The milestone most concepts are compared at: the year with the most targets (the latest
    of equals)."""
    years = target_years(dataset)
    if not years:
        raise DatasetError(f"{dataset}: the plans of this dataset set no targets")
    return max(years, key=lambda y: (years[y], y))


def concept_matrix(dataset: Path, year: int | None = None, indicator: str | None = None,
                   min_plans: int = 1) -> ConceptMatrix:
    """Concept x plan, the target each plan sets for `year`; only concepts whose name (or an
    indicator's) contains `indicator` (case and accents ignored), and set by at least `min_plans` plans."""
    year = year or default_year(dataset)
    with connect(dataset) as con:
        targets = concept_targets(con, year)
        documents = con.execute("SELECT document_id, locality, locality_level, issuer, issued_date FROM documents "
                                "ORDER BY locality_level, locality, issued_date").fetchall()
    wanted = _folded(indicator) if indicator else None
    by_concept: dict[str, list[ConceptTarget]] = {}
    for target in targets:
        by_concept.setdefault(target.concept_id, []).append(target)
    rows = []
    for concept_id, found in by_concept.items():
        if wanted and not any(wanted in _folded(t.concept_name) or wanted in _folded(t.indicator_name) for t in found):
            continue
        row = _concept_row(concept_id, found)
        if len(row.cells) >= min_plans:
            rows.append(row)
    used = {d for r in rows for d in r.cells}
    plans = tuple(p for p in _plans(documents) if p.document_id in used)
    rows.sort(key=lambda r: (-len(r.cells), r.concept_name))
    return ConceptMatrix(year, plans, tuple(rows))


def _concept_row(concept_id: str, found: list[ConceptTarget]) -> ConceptRow:
    per_plan: dict[str, list[ConceptTarget]] = {}
    for t in found:
        per_plan.setdefault(t.document_id, []).append(t)
    cells = {doc: _cell(rs) for doc, rs in per_plan.items()}
    differs = len({(c.op or "", c.value, c.text if c.value is None else "") for c in cells.values()}) > 1
    if differs:
        top = max((c.value for c in cells.values() if c.value is not None), default=None)
        cells = {d: Cell(c.text, c.value, c.op, c.indicator_id, c.value is not None and c.value == top)
                 for d, c in cells.items()}
    return ConceptRow(concept_id, found[0].concept_name, cells, differs)


def _cell(targets: list[ConceptTarget]) -> Cell:
    """A plan's targets of one concept and year, one cell: the unscoped target first."""
    first = next((t for t in targets if t.scope is None), targets[0])
    parts = [_target_text(t.op, t.value, t.text) + (f" ({t.scope})" if t.scope else "") for t in targets]
    return Cell("; ".join(dict.fromkeys(parts)), first.value, first.op, first.indicator_id)


def _target_text(op: str | None, value: float | None, text: str) -> str:
    if value is None:
        return " ".join(text.split())
    number = f"{value:g}"
    return f"{OP_SIGNS.get(op, op)} {number}" if op else number


def _plans(documents: list[tuple]) -> list[Plan]:
    shared = Counter(d[1] for d in documents)
    return [Plan(doc_id, plan_label(doc_id, locality, issuer, shared[locality] > 1), locality, level, issuer, issued)
            for doc_id, locality, level, issuer, issued in documents]


def plan_label(document_id: str, locality: str | None, issuer: str | None, locality_shared: bool) -> str:
    """How a plan is named in tables: its locality, with the issuer when several plans of the
    dataset share that locality; the issuer (or id) when the locality is unknown."""
    if locality and locality_shared:
        return f"{locality} ({issuer or document_id})"
    return locality or issuer or document_id


def _folded(text: str | None) -> str:
    """Lower case without accents, đ as d: what a user types to find "Tỷ lệ hồ sơ trực tuyến"."""
    return fold(text or "").lower()


def matrix_records(matrix: ConceptMatrix) -> list[dict[str, str]]:
    """The matrix as flat records (CSV, Excel): one per concept, one column per plan."""
    records = []
    for row in matrix.rows:
        record = {"concept_id": row.concept_id, "concept": row.concept_name, "differs": "yes" if row.differs else ""}
        for plan in matrix.plans:
            cell = row.cells.get(plan.document_id)
            record[plan.label] = cell.text if cell else ""
        records.append(record)
    return records


def matrix_html(matrix: ConceptMatrix) -> str:
    """The matrix as an HTML table (no scripts, no outside resources): rows where plans differ
    are marked, and the highest target of such a row is bold."""
    from html import escape

    head = "".join(f'<th title="{escape(p.issuer or "")}">{escape(p.label)}</th>' for p in matrix.plans)
    body = []
    for row in matrix.rows:
        cells = []
        for plan in matrix.plans:
            cell = row.cells.get(plan.document_id)
            if cell is None:
                cells.append('<td class="none">–</td>')
            else:
                cls = "highest" if cell.highest else ""
                cells.append(f'<td class="{cls}">{escape(cell.text)}</td>')
        mark = ' class="differs"' if row.differs else ""
        body.append(f'<tr{mark}><th scope="row" title="{escape(row.concept_id)}">{escape(row.concept_name)}</th>'
                    f"{''.join(cells)}</tr>")
    return (f'<table class="matrix"><caption>Targets for {matrix.year}</caption>'
            f"<thead><tr><th>concept</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


# --- Lineage: a plan against its parent ------------------------------------------------------------


@dataclass(frozen=True)
class Lineage:
    child: Document
    parent: Document
    evidence: ParentLink  # the recorded link, or match "given" when the user named the parent
    report: LineageReport


def resolve_plan(dataset: Path, plan: str) -> str:
    """A plan's document id from its id, an id prefix, or its file's name or path."""
    with connect(dataset) as con:
        rows = con.execute("SELECT document_id, source FROM documents").fetchall()
    hits = [d for d, source in rows if d == plan]
    hits = hits or [d for d, source in rows if d.startswith(plan) or source == plan or Path(source).name == plan
                    or Path(source).stem == plan]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise DatasetError(f"{plan}: no such plan in {dataset} (give a document id, or the plan's file name)")
    raise DatasetError(f"{plan}: names {len(hits)} plans in {dataset}; give more of the document id")


def load_document(dataset: Path, document_id: str) -> Document:
    path = dataset / JSON_DIR / f"{document_id}.json"
    if not path.is_file():
        raise DatasetError(f"{path}: missing (ingest again to rebuild it)")
    return Document.from_json(json.loads(path.read_text(encoding="utf-8")))


def lineage(dataset: Path, plan: str, parent: str | None = None) -> Lineage:
    """`plan` against its parent: the one `plan_links` records, or the one the user names."""
    child_id = resolve_plan(dataset, plan)
    with connect(dataset) as con:
        if parent:
            evidence = ParentLink(child_id, resolve_plan(dataset, parent), None, "given", None, ("named by the user",))
        else:
            found = parent_links_of(con, child_id)
            if not found:
                raise DatasetError(f"{plan}: no parent plan of it in {dataset} (none of the plans it cites is "
                                   "in the dataset); name one with --parent")
            evidence = found[0]
        concept_of = {(d, i): c for d, i, c in con.execute(
            "SELECT document_id, indicator_id, concept_id FROM indicator_concepts WHERE document_id IN (?, ?)",
            [child_id, evidence.parent]).fetchall()}
    child, parent_doc = load_document(dataset, child_id), load_document(dataset, evidence.parent)
    return Lineage(child, parent_doc, evidence, compare_lineage(child, parent_doc, concept_of or None))


def lineage_records(result: Lineage) -> list[dict[str, object]]:
    """Every change as a flat record (CSV): target changes, then tasks whose lead differs."""
    records: list[dict[str, object]] = []
    for c in result.report.targets:
        records.append({"what": "target", "change": c.kind, "concept": c.concept, "year": c.year, "scope": c.scope,
                        "parent_item": c.parent_indicator, "child_item": c.child_indicator,
                        "parent": _change_side(c.parent_op, c.parent_value, c.parent_text),
                        "child": _change_side(c.child_op, c.child_value, c.child_text),
                        "name": c.child_name or c.parent_name})
    for t in result.report.task_changes:
        records.append({"what": "task", "change": t.kind, "concept": None, "year": None, "scope": None,
                        "parent_item": t.parent_task, "child_item": t.child_task,
                        "parent": "; ".join(t.parent_leads), "child": "; ".join(t.child_leads), "name": t.child_text})
    return records


def _change_side(op: str | None, value: float | None, text: str | None) -> str | None:
    if value is None and not text:
        return None
    return _target_text(op, value, text or "")


def lineage_lines(result: Lineage, kinds: Sequence[str] = ("raised", "lowered", "changed", "dropped", "added")) -> list[str]:
    """The lineage as text: the link and its evidence, counts, then each change."""
    r, e = result.report, result.evidence
    child, parent = result.child.document, result.parent.document
    lines = [f"{_plan_name(child)}  implements  {_plan_name(parent)}",
             f"  link: {e.match}" + (f" (score {e.score:g})" if e.score is not None else "") + (f" via {e.ref}" if e.ref else "")]
    lines += [f"    - {reason}" for reason in e.reasons]
    counts = Counter(c.kind for c in r.targets)
    lines.append("targets: " + ", ".join(f"{counts.get(k, 0)} {k}" for k in ("adopted", *kinds)))
    for kind in kinds:
        for c in r.changes(kind):
            name = c.child_name or c.parent_name or ""
            scope = f" ({c.scope})" if c.scope else ""
            sides = f"{_change_side(c.parent_op, c.parent_value, c.parent_text) or '–'} -> " \
                    f"{_change_side(c.child_op, c.child_value, c.child_text) or '–'}"
            lines.append(f"  {kind:8} {c.year or '':<5} {sides:<20} {_short(name)}{scope}")
    lines.append(f"tasks: {len(r.tasks)} paired, {len(r.task_changes)} with another lead, "
                 f"{len(r.added_tasks)} added, {len(r.dropped_tasks)} dropped")
    for t in r.task_changes:
        lines.append(f"  lead     {t.child_task:<6} {'; '.join(t.parent_leads)} -> {'; '.join(t.child_leads)}  {_short(t.child_text)}")
    return lines


def _plan_name(info) -> str:
    number = info.number or (f"…/{info.symbol}" if info.symbol else "no number")
    return f"{info.doc_type or 'plan'} {number} ({info.issuer or info.id}, {info.issued_date or 'undated'})"


def _short(text: str, words: int = 14) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")

"""`kehoach show`: one kind of extracted item as a readable table, each row with its source text.

A column spec per kind is data (`COLUMNS`): a header and a function of the item.
The last column is always where the item came from and the text it was read from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table as RichTable

from .model import Deadline, Document, Provenance, Target

SOURCE_WIDTH = 70  # characters of source text shown per item


def _units(names: list[str]) -> str:
    return "; ".join(names)


def _deadline(d: Deadline | None) -> str:
    if d is None:
        return ""
    period = "–".join(p for p in (d.period_start, d.period_end) if p)
    extra = ", ".join(x for x in (period, d.recurrence) if x)
    return f"{d.kind}" + (f" ({extra})" if extra else "")


def _target(t: Target) -> str:
    value = t.text if t.value is None else f"{t.op or ''}{t.value:g}"
    scope = f" [{t.scope}]" if t.scope else ""
    return f"{t.year or '?'}: {value}{scope}"


def _op_value(item: Any) -> str:
    return f"{item.op or ''}{item.value:g}%"


COLUMNS: dict[str, list[tuple[str, Callable[[Any], str]]]] = {
    "citations": [("ref", lambda c: c.ref), ("type", lambda c: c.doc_type or ""), ("number", lambda c: c.number or ""),
                  ("date", lambda c: c.issued_date or ""), ("issuer", lambda c: c.issuer or ""),
                  ("subject", lambda c: c.title or "")],
    "indicators": [("id", lambda i: i.id), ("group", lambda i: i.group or ""), ("name", lambda i: i.name),
                   ("unit", lambda i: i.unit or ""), ("targets", lambda i: "\n".join(map(_target, i.targets))),
                   ("lead", lambda i: _units(i.lead_units))],
    "percentages": [("value", _op_value), ("scope", lambda p: p.scope or ""), ("subject", lambda p: p.subject or "")],
    "deadlines": [("text", lambda d: d.text), ("meaning", lambda d: _deadline(d))],
    "units": [("name", lambda u: u.name), ("type", lambda u: u.type), ("mentions", lambda u: str(u.mentions)),
              ("roles", lambda u: ", ".join(u.roles)), ("aliases", lambda u: "; ".join(u.aliases))],
    "tasks": [("id", lambda t: t.id), ("task", lambda t: t.text), ("lead", lambda t: _units(t.lead_units)),
              ("support", lambda t: _units(t.support_units)), ("deadline", lambda t: t.deadline.text if t.deadline else ""),
              ("meaning", lambda t: _deadline(t.deadline))],
}
KINDS = tuple(COLUMNS)


def _places(item: Any) -> list[Provenance]:
    places = getattr(item, "provenance", None)
    if places:
        return places
    return [Provenance("table" if getattr(item, "table", None) else "text", item.start, item.end, item.section,
                       item.page, getattr(item, "table", None), getattr(item, "row", None))]


def _where(doc: Document, item: Any, labels: dict[str, str]) -> str:
    lines = []
    for p in _places(item):
        label = f"{p.table} row {p.row}" if p.source == "table" else labels.get(p.section or "", "text")
        page = f" p.{p.page}" if p.page else ""
        excerpt = " ".join(doc.text[p.start:p.end].split())
        if len(excerpt) > SOURCE_WIDTH:
            excerpt = excerpt[: SOURCE_WIDTH - 1] + "…"
        lines.append(f"{label}{page}: {excerpt}")
    return "\n".join(lines)


def _section_labels(doc: Document) -> dict[str, str]:
    """Section id -> "§II.1"-style label; a "-" list item is named by the heading it sits under."""
    by_id = {s.id: s for s in doc.sections}

    def label(section) -> str:
        while section is not None and (section.list_item or not section.label):
            if section.parent is None:
                return section.kind
            section = by_id.get(section.parent)
        return f"§{section.label}" if section is not None else "text"

    return {s.id: label(s) for s in doc.sections}


def show(doc: Document, kind: str, console: Console | None = None) -> int:
    """Print the items of one kind; return how many there were."""
    console = console or Console()
    items = getattr(doc, kind)
    table = RichTable(title=f"{kind} ({len(items)})", show_lines=True, expand=True)
    for header, _ in COLUMNS[kind]:
        table.add_column(header, overflow="fold", ratio=1)
    table.add_column("conf.", justify="right", min_width=5)
    table.add_column("source", overflow="fold", ratio=2, min_width=24)
    labels = _section_labels(doc)
    for item in items:
        cells = [get(item) for _, get in COLUMNS[kind]]
        table.add_row(*cells, f"{item.confidence:.2f}", _where(doc, item, labels))
    console.print(table)
    return len(items)


def matrix_console(matrix, out=None) -> None:
    """The concept x plan matrix of `kehoach compare` as a terminal table: rows where the plans
    differ are marked "≠", the highest target of such a row is bold."""
    console = Console(file=out.open("w", encoding="utf-8") if out else None, width=None if out is None else 200)
    table = RichTable(title=f"Targets for {matrix.year}: {len(matrix.rows)} concepts x {len(matrix.plans)} plans",
                      show_lines=True)
    table.add_column("", width=1)
    table.add_column("concept", ratio=3)
    for plan in matrix.plans:
        table.add_column(plan.label, ratio=1)
    for row in matrix.rows:
        cells = []
        for plan in matrix.plans:
            cell = row.cells.get(plan.document_id)
            cells.append("–" if cell is None else f"[bold green]{cell.text}[/]" if cell.highest else cell.text)
        table.add_row("≠" if row.differs else "", row.concept_name, *cells)
    console.print(table)

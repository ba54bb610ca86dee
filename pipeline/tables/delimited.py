"""Delimited tables: rows whose cells are separated by tabs in the normalized text.

They come from text files that kept their tables as tab-separated rows (seed 000)
and from DOCX tables, which the loader writes one row per line. A run of
consecutive tab rows is one table; its first row is the header. Rows whose
number cell is a roman numeral and that carry a single title are group rows;
a row with an empty number cell that goes on in lower case is the rest of the
row above, broken by a page (seed 000, Phụ lục 3, row 22).
"""

from __future__ import annotations

from typing import Callable

import regex

from ..model import Section, Table, TableRow
from ..segment import Paragraph, paragraphs_of
from ..textshape import is_table_row, starts_lower
from .header import classify_header, table_kind

# a group row's number: a roman numeral (I … XXXIX) or a capital letter (A., B.)
_GROUP_SEQ = regex.compile(r"^(?:X{0,3}(?:IX|IV|V?I{1,3}|V)|X{1,3}|[A-Z])\.?$")
_COLUMN_NUMBER = regex.compile(r"^\(?\d{1,2}\)?$")

PageAt = Callable[[int], "int | None"]


def find_delimited_tables(text: str, sections: list[Section], page_at: PageAt) -> list[Table]:
    tables: list[Table] = []
    for run in _tab_runs(paragraphs_of(text)):
        table = _build(run, sections, page_at, f"t{len(tables) + 1}")
        if table is not None:
            tables.append(table)
    return tables


def _tab_runs(paras: list[Paragraph]) -> list[list[Paragraph]]:
    runs: list[list[Paragraph]] = []
    current: list[Paragraph] = []
    for para in paras:
        if is_table_row(para.text):
            current.append(para)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _build(run: list[Paragraph], sections: list[Section], page_at: PageAt, table_id: str) -> Table | None:
    header = [cell.strip() for cell in run[0].text.split("\t")]
    if len(run) < 2 or len(header) < 2:
        return None
    columns = [classify_header(cell) for cell in header]
    seq = next((i for i, c in enumerate(columns) if c.role == "seq"), None)
    rows: list[TableRow] = []
    group: str | None = None
    for para in run[1:]:
        cells = _cells(para.text, len(columns))
        if cells == header or _is_column_numbers(cells):
            continue
        if seq is not None and _is_group_row(cells, seq):
            group = _group_label(cells, seq)
            continue
        if rows and seq is not None and _continues_row(cells, seq):
            _merge(rows[-1], cells, para.end)
            continue
        rows.append(TableRow(cells=cells, group=group, page=page_at(para.start), start=para.start, end=para.end))
    if not rows:
        return None
    section = _innermost(sections, run[0].start)
    return Table(
        id=table_id,
        section=section.id if section else None,
        caption=section.heading if section and section.kind == "appendix" else None,
        kind=table_kind(columns),
        columns=columns,
        rows=rows,
        page_start=page_at(run[0].start),
        page_end=page_at(max(run[-1].end - 1, run[-1].start)),
        start=run[0].start,
        end=run[-1].end,
        shape="delimited",
    )


def _cells(line: str, width: int) -> list[str]:
    cells = [cell.strip() for cell in line.split("\t")]
    if len(cells) > width:  # stray trailing cells: keep their text in the last column
        cells = cells[: width - 1] + [" ".join(c for c in cells[width - 1 :] if c)]
    return cells + [""] * (width - len(cells))


def _is_column_numbers(cells: list[str]) -> bool:
    """The "(1) (2) (3)" row printed under some headers."""
    filled = [c for c in cells if c]
    return len(filled) >= 2 and all(_COLUMN_NUMBER.match(c) for c in filled) and filled[0].startswith("(")


def _is_group_row(cells: list[str], seq: int) -> bool:
    number = cells[seq].strip()
    others = [c for i, c in enumerate(cells) if i != seq and c]
    return bool(_GROUP_SEQ.match(number)) and len(others) == 1


def _group_label(cells: list[str], seq: int) -> str:
    number = cells[seq].strip().rstrip(".")
    title = next(c for i, c in enumerate(cells) if i != seq and c)
    return f"{number}. {title}"


def _continues_row(cells: list[str], seq: int) -> bool:
    filled = [c for i, c in enumerate(cells) if i != seq and c]
    return not cells[seq] and bool(filled) and starts_lower(filled[0])


def _merge(row: TableRow, cells: list[str], end: int) -> None:
    row.cells = [f"{a} {b}".strip() if b else a for a, b in zip(row.cells, cells)]
    row.end = end


def _innermost(sections: list[Section], offset: int) -> Section | None:
    containing = [s for s in sections if s.start <= offset <= s.end and not s.list_item]
    return max(containing, key=lambda s: s.level, default=None)

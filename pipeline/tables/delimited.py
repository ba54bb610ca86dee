"""Delimited tables: rows whose cells are separated by tabs in the normalized text.

They come from text files that kept their tables as tab-separated rows (seed 000),
from DOCX tables and from ruled PDF tables, which the loaders write one row per
line. A run of consecutive tab rows is one table; its first row is the header,
and a second row that names the columns under a spanning header cell makes a
two-level header ("DANH MỤC TTHC ĐÃ CÔNG BỐ" over "Tên TTHC | Lĩnh vực | Mã TTHC":
"DANH MỤC TTHC ĐÃ CÔNG BỐ / Tên TTHC"). The header rows repeated on later pages
are skipped. Rows whose number cell is a roman numeral and that carry a single
title are group rows. A row with an empty number cell that goes on in lower case
is the rest of the row above, broken by a page (seed 000, Phụ lục 3, row 22); right
after a page break (PDF), a row whose cell goes on from the cell above it (lower
case, or the next "(k)" of a list) is joined to the row above as well.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

import regex

from ..model import Section, Table, TableColumn, TableRow
from ..numerals import ROMAN, to_int
from ..segment import Paragraph, paragraphs_of
from ..textshape import is_table_row, join_wrapped, starts_lower
from .header import classify_header, table_kind
from .numbering import ROW_NUMBER, follows, group_label, has_children, is_child, seq_tuple

# a group row's number: a roman numeral (I … XXXIX) or a capital letter (A., B.)
_GROUP_SEQ = regex.compile(rf"^(?:{ROMAN}|[A-Z])\.?$")
_COLUMN_NUMBER = regex.compile(r"^\(?\d{1,2}\)?$")
# a list item number "(3)" opening a cell, and any such number inside a cell
_ITEM_START = regex.compile(r"^\((\d{1,2})\)")
_ITEM = regex.compile(r"\((\d{1,2})\)")
# what closes a cell's text for good; ";" and "," go on to a next list item
_FULL_STOP = (".", "!", "?")
SUB_HEADER_SEPARATOR = " / "

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
    first = [cell.strip() for cell in run[0].text.split("\t")]
    if len(run) < 2 or len(first) < 2:
        return None
    second = _cells(run[1].text, len(first))
    if _starts_numbering(first, second):  # no header row: the table opens with its row 1
        headers: list[list[str]] = []
        columns = [TableColumn("", "seq")] + [TableColumn("", "other") for _ in first[1:]]
    else:
        headers = [first] + ([second] if _is_sub_header(first, second) else [])
        columns = _columns(headers)
    seq = next((i for i, c in enumerate(columns) if c.role == "seq"), None)
    rows: list[TableRow] = []
    group: str | None = None
    for para in run[len(headers):]:
        cells = _cells(para.text, len(columns))
        if cells in headers or _is_column_numbers(cells):
            continue
        if seq is not None and _is_group_row(cells, seq):
            group = _group_label(cells, seq)
            continue
        if rows and _continues_row(cells, seq, rows[-1], _after_page_break(rows[-1], para, page_at)):
            _merge(rows[-1], cells, para.end)
            continue
        rows.append(TableRow(cells=cells, group=group, page=page_at(para.start), start=para.start, end=para.end))
    if seq is not None:
        rows = _numbered_groups(rows, seq)
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


def _starts_numbering(first: list[str], second: list[str]) -> bool:
    """A table without a header row: its first row is numbered 1 and the next row's number follows
    ("2", or "1.1" under it)."""
    if not (ROW_NUMBER.match(first[0]) and ROW_NUMBER.match(second[0]) and any(first[1:])):
        return False
    return seq_tuple(first[0].rstrip(".")) == (1,) and follows((1,), seq_tuple(second[0].rstrip(".")))


def _is_sub_header(first: list[str], second: list[str]) -> bool:
    """Is `second` the lower level of a two-level header?

    It names columns only under cells of `first` that span several columns
    (a cell followed by empty ones), and names all the columns of at least
    one such span. A data row fills the number column or the columns of
    their own, so it never qualifies.
    """
    spans = _spans(first)
    named = {i for i, cell in enumerate(second) if cell}
    under = {i for start, end in spans for i in range(start, end)}
    return bool(named) and named <= under and any(set(range(start, end)) <= named for start, end in spans)


def _spans(header: list[str]) -> list[tuple[int, int]]:
    """[start, end) of each header cell followed by empty cells: a cell merged across columns."""
    starts = [i for i, cell in enumerate(header) if cell] + [len(header)]
    return [(a, b) for a, b in zip(starts, starts[1:]) if b - a > 1]


def _columns(headers: list[list[str]]) -> list[TableColumn]:
    """One column per header cell; under a two-level header "Top / Sub", its role read from the sub name."""
    if len(headers) == 1:
        return [classify_header(cell) for cell in headers[0]]
    first, second = headers
    columns = []
    owner = ""
    for top, sub in zip(first, second):
        owner = top or owner
        if not sub:
            columns.append(classify_header(top or owner))
            continue
        name = f"{owner}{SUB_HEADER_SEPARATOR}{sub}"
        column = classify_header(sub)
        columns.append(replace(column if column.role != "other" else classify_header(name), name=name))
    return columns


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
    title = next(c for i, c in enumerate(cells) if i != seq and c)
    return group_label(cells[seq], title)


def _numbered_groups(rows: list[TableRow], seq: int) -> list[TableRow]:
    """Rows numbered "1" with children "1.1", "1.2" below are the groups of those children."""
    seqs = [r.cells[seq].strip() for r in rows]
    kept: list[TableRow] = []
    parent: tuple[str, str] | None = None  # (number, label)
    for row, number, children in zip(rows, seqs, has_children(seqs)):
        if children:
            title = " ".join(c for i, c in enumerate(row.cells) if i != seq and c)
            parent = (number, group_label(number, title))
            continue
        if parent and is_child(number, parent[0]):
            row.group = parent[1]
        kept.append(row)
    return kept


def _continues_row(cells: list[str], seq: int | None, above: TableRow, page_break: bool) -> bool:
    """Is this row the rest of the row above, cut by a page or written on its own line?

    With a number column: an empty number and a first cell going on in lower
    case (a text file's broken row). Right after a page break (a row cut by
    the page, its number cell empty or absent): any cell that goes on from
    the cell above it.
    """
    if seq is not None and cells[seq]:
        return False
    filled = [(i, c) for i, c in enumerate(cells) if i != seq and c]
    if not filled:
        return False
    if seq is not None and starts_lower(filled[0][1]):
        return True
    return page_break and any(_goes_on(above.cells[i], cell) for i, cell in filled)


def _goes_on(above: str, cell: str) -> bool:
    """Does `cell` continue the text of the cell above it across a page break?

    Lower case after an unfinished text ("… giới hạn yêu cầu và" / "không nhỏ
    hơn 700 mm."), or the next item of a numbered list in the cell above
    ("… (2) …" / "(3) …"): the list's last item there, or an item it has
    not reached yet (a cell may hold two lists, or cite "(5)" in passing).
    """
    if not above:
        return False
    if starts_lower(cell):
        return not above.endswith(_FULL_STOP)
    item = _ITEM_START.match(cell)
    if item is None:
        return False
    number = to_int(item.group(1))
    listed = [to_int(n) for n in _ITEM.findall(above)]
    return number - 1 in listed and (listed[-1] == number - 1 or number not in listed)


def _after_page_break(above: TableRow, para: Paragraph, page_at: PageAt) -> bool:
    """Does `para` start on a later page than where the row above ends? (PDF input only.)"""
    before, here = page_at(max(above.end - 1, above.start)), page_at(para.start)
    return before is not None and here is not None and here > before


def _merge(row: TableRow, cells: list[str], end: int) -> None:
    """Append the rest of a broken row, cell by cell ("… NĐ-" + "CP …" glued, as a wrapped line)."""
    row.cells = [join_wrapped(a, b) if a and b else a or b for a, b in zip(row.cells, cells)]
    row.end = end


def _innermost(sections: list[Section], offset: int) -> Section | None:
    containing = [s for s in sections if s.start <= offset <= s.end and not s.list_item]
    return max(containing, key=lambda s: s.level, default=None)

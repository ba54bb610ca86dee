"""Flattened tables: rebuild rows and columns from one-fragment-per-line text.

Text taken from a PDF keeps a table as its cells' lines one after another: the
row number, the task over several lines, then the lead unit, the co-operating
units, the deadline … with the header repeated on every page and group rows
("I. CÔNG TÁC CHỈ ĐẠO", "2 Phát triển dữ liệu …") between the rows.

find (header, row starts, group rows: rules) -> split glued lines into pieces
(rules) -> assign each piece to a column (a monotonic best path over the
columns, scored by the fragment classifier when its model is there, by rules
otherwise) -> join the pieces of each column into cells.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterable, Sequence

import regex

from ..model import Section, Table, TableColumn, TableRow
from ..numerals import ROMAN, roman_value
from ..segment import Paragraph, paragraphs_of
from ..textshape import ends_sentence, is_all_caps, is_table_row, join_wrapped, starts_lower, starts_upper
from . import cues
from .classifier import default_scorer
from .header import TEXT_ROLES, classify_header, keyword_at_start, table_kind
from .numbering import follows, group_label, has_children, is_child, seq_tuple

PageAt = Callable[[int], "int | None"]

_SEQ = regex.compile(r"^(?P<seq>\d{1,3}(?:\.\d{1,3})*)\.?(?:\s+(?P<rest>\S.*))?$")
_ROMAN = regex.compile(rf"^(?P<num>{ROMAN})(?:[.)]\s*|\s+)(?P<title>\S.*)$")
_COLUMN_NUMBERS = regex.compile(r"^\(?\d{1,2}\)?(?:\s+\(?\d{1,2}\)?)+$")


# --------------------------------------------------------------------------
# Data passed between the steps
# --------------------------------------------------------------------------


@dataclass
class Piece:
    """A fragment of one cell: a line, or part of a line where a PDF glued two cells."""

    text: str
    start: int
    end: int
    line: int  # index of its line: pieces of one line rejoin with their own spacing


@dataclass
class FlatRow:
    seq: str
    group: str | None
    pieces: list[Piece]
    start: int
    end: int

    @cached_property
    def kinds(self) -> list[str]:
        """How each piece follows the one before (see `boundaries`), worked out once."""
        return boundaries(self.pieces)


@dataclass
class FlatTable:
    columns: list[TableColumn]
    header_lines: list[str]
    rows: list[FlatRow] = field(default_factory=list)
    groups: list[tuple[str, FlatRow]] = field(default_factory=list)
    start: int = 0
    end: int = 0

    @property
    def seq_column(self) -> int:
        return next((k for k, c in enumerate(self.columns) if c.role == "seq"), 0)

    @property
    def content(self) -> list[int]:
        """The columns the pieces go to: all but the row number."""
        return [k for k in range(len(self.columns)) if k != self.seq_column]

    @property
    def roles(self) -> list[str]:
        return [self.columns[k].role for k in self.content]


@dataclass(frozen=True)
class PathSettings:
    """Costs of the column path; the emission scores come from the scorer."""

    skip: float = 0.3  # a column left empty
    skip_target: float = 1.5  # indicator tables print "-" rather than leave a target empty
    continues_stay: float = 0.0
    continues_move: float = 2.5
    new_stay: float = 1.0
    new_move: float = 0.2
    open_stay: float = 0.3
    open_move: float = 0.6
    same_line_stay: float = 1.0
    same_line_move: float = 0.0


# --------------------------------------------------------------------------
# Header
# --------------------------------------------------------------------------


def split_header(line: str, *, first: bool = True) -> list[str] | None:
    """Column names of a header line as a PDF prints it, all on one line.

    "STT Nhiệm vụ Phòng chủ trì Phòng phối hợp" -> [STT, Nhiệm vụ, Phòng chủ trì,
    Phòng phối hợp]: the most names such that each starts with a header keyword.
    The first header line must start with the number column ("TT", "STT").
    """
    words = line.split()
    if not words or len(words) > 40 or ends_sentence(line) or is_table_row(line):
        return None
    if first and not keyword_at_start(" ".join(words[:2])) and not keyword_at_start(words[0]):
        return None  # the quick no: a first header line opens with "TT", "STT", "Số TT"
    starts = [i for i, w in enumerate(words) if i == 0 or starts_upper(w)]
    best: dict[int, list[str]] = {0: []}  # words[:end] -> the most names covering them
    for end in starts[1:] + [len(words)]:
        for begin in (s for s in starts if s < end and s in best):
            name = " ".join(words[begin:end])
            candidate = best[begin] + [name]
            if keyword_at_start(name) and len(candidate) > len(best.get(end, [])):
                best[end] = candidate
    names = best.get(len(words))
    if not names:
        return None
    if first and (classify_header(names[0]).role != "seq" or len(names) < 3):
        return None
    return names


# --------------------------------------------------------------------------
# Finding the tables and their rows
# --------------------------------------------------------------------------


def find_flattened_tables(
    text: str,
    sections: list[Section],
    page_at: PageAt,
    scorer=None,
    start_id: int = 1,
) -> list[Table]:
    """Tables whose cells reach the text one fragment per line, in the appendices."""
    scorer = scorer or default_scorer()  # the model when it is there and earned it, else the rules
    tables: list[Table] = []
    for section, flat in appendix_flat_tables(text, sections):
        table = build_table(flat, text, scorer, page_at, section, f"t{start_id + len(tables)}")
        if table.rows:
            tables.append(table)
    return tables


def appendix_flat_tables(text: str, sections: list[Section]) -> list[tuple[Section, FlatTable]]:
    """Each flattened table the row reader finds in a top-level appendix, with its appendix."""
    found = []
    lines = paragraphs_of(text)
    for section in sections:
        if section.kind != "appendix" or section.parent is not None:
            continue
        region = lines_within(lines, section.start, section.end)
        if any(is_table_row(p.text) for p in region):
            continue  # a delimited table: its parser has it
        found += [(section, flat) for flat in read_flat_tables(region)]
    return found


def lines_within(lines: list[Paragraph], start: int, end: int) -> list[Paragraph]:
    """The lines lying inside [start, end] (lines sorted by offset)."""
    first = bisect.bisect_left([p.start for p in lines], start)
    region = []
    for para in lines[first:]:
        if para.end > end:
            break
        region.append(para)
    return region


def read_flat_tables(lines: list[Paragraph]) -> list[FlatTable]:
    """Headers, group rows and rows (with their fragments) of the tables in `lines`."""
    tables: list[FlatTable] = []
    i = 0
    while i < len(lines):
        names = split_header(lines[i].text.strip())
        if names is None:
            i += 1
            continue
        header_lines = [lines[i].text.strip()]
        i += 1
        while i < len(lines) and not _SEQ.match(lines[i].text.strip()):
            more = split_header(lines[i].text.strip(), first=False)
            if more is None or _ROMAN.match(lines[i].text.strip()):
                break
            names += more
            header_lines.append(lines[i].text.strip())
            i += 1
        table = FlatTable([classify_header(n) for n in names], header_lines, start=lines[i - 1].start)
        i = _read_rows(lines, i, table)
        tables.append(table)
    return tables


def _read_rows(lines: list[Paragraph], i: int, table: FlatTable) -> int:
    """Fill `table` from lines[i:]; return where a different table's header starts."""
    reader = _RowReader(table)
    while i < len(lines):
        line = lines[i].text.strip()
        if line == table.header_lines[0]:
            i = _skip_repeated_header(lines, i, table.header_lines)
            continue
        if split_header(line) is not None:
            break  # another table
        reader.feed(lines[i])
        i += 1
    reader.close()
    return i


def _skip_repeated_header(lines: list[Paragraph], i: int, header_lines: list[str]) -> int:
    for expected in header_lines:
        if i < len(lines) and lines[i].text.strip() == expected:
            i += 1
    return i


class _RowReader:
    """Turns lines into rows: a valid next number opens a row, a roman numeral a group."""

    def __init__(self, table: FlatTable):
        self.table = table
        self.row: FlatRow | None = None
        self.last_seq: tuple[int, ...] | None = None
        self.after_group = True
        self.group: str | None = None
        self.roman = 0
        self.target_values = sum(c.role == "target" for c in table.columns) > 0
        self.deadline_column = any(c.role == "deadline" for c in table.columns)
        self.numbered: list[FlatRow] = []

    def feed(self, para: Paragraph) -> None:
        line = para.text.strip()
        if not line or _COLUMN_NUMBERS.match(line):
            return
        if self._group_row(line, para):
            return
        m = _SEQ.match(line)
        if m and self._next_seq(seq_tuple(m.group("seq"))):
            self._close()
            self.last_seq = seq_tuple(m.group("seq"))
            self.after_group = False
            self.row = FlatRow(m.group("seq"), self.group, [], para.start, para.end)
            if m.group("rest"):
                offset = para.start + len(para.text) - len(para.text.lstrip()) + m.start("rest")
                self._add(m.group("rest"), offset, para.index)
            return
        if self.row is not None:
            offset = para.start + len(para.text) - len(para.text.lstrip())
            self._add(line, offset, para.index)
            self.row.end = para.end

    def _group_row(self, line: str, para: Paragraph) -> bool:
        m = _ROMAN.match(line)
        if not m or roman_value(m.group("num")) != self.roman + 1:
            return False
        title = m.group("title")
        if not (is_all_caps(title) or (starts_upper(title) and len(title.split()) <= 80)):
            return False
        self._close()
        self.roman += 1
        self.group = group_label(m.group("num"), m.group("title"))
        self.after_group = True
        self.row = None
        return True

    def _next_seq(self, seq: tuple[int, ...]) -> bool:
        prev = self.last_seq
        if prev is None or self.after_group:
            return seq in ((1,), (1, 1)) or (prev is not None and follows(prev, seq))
        return follows(prev, seq)

    def _add(self, text: str, offset: int, line: int) -> None:
        assert self.row is not None
        self.row.pieces += split_glued(
            text, offset, line, values=self.target_values, deadlines=self.deadline_column
        )

    def _close(self) -> None:
        if self.row is not None:
            self.numbered.append(self.row)
            self.row = None

    def close(self) -> None:
        """Numbers with children (1 -> 1.1) are group rows: their text is the group's title."""
        self._close()
        parent: tuple[str, str] | None = None  # (number, label)
        for row, children in zip(self.numbered, has_children([r.seq for r in self.numbered])):
            if children:
                parent = (row.seq, group_label(row.seq, " ".join(p.text for p in row.pieces)))
                self.table.groups.append((parent[1], row))
                continue
            if parent and is_child(row.seq, parent[0]):
                row.group = parent[1]
            self.table.rows.append(row)
        if self.numbered:
            self.table.end = self.numbered[-1].end


# --------------------------------------------------------------------------
# Lines that carry two cells
# --------------------------------------------------------------------------


def split_glued(text: str, offset: int, line: int, *, values: bool, deadlines: bool) -> list[Piece]:
    """Cut a line where a PDF put two cells side by side.

    "Phòng GDĐT Các cơ sở giáo dục" (lead, support), "… học bạ số 100% 100%"
    (indicator, 2030, 2045), "Các cơ sở giáo dục Hằng năm" (support, deadline).
    Over-cutting is safe: pieces that land in one column are joined again.
    """
    cuts = set(cues.unit_starts_within(text))
    if values:
        cuts |= set(_value_cuts(text))
    if deadlines:
        cuts |= set(_deadline_cuts(text))
    bounds = [0] + sorted(cuts) + [len(text)]
    pieces = []
    for a, b in zip(bounds, bounds[1:]):
        part = text[a:b].rstrip()
        if part.strip():
            lead = len(part) - len(part.lstrip())
            pieces.append(Piece(part.strip(), offset + a + lead, offset + a + len(part), line))
    return pieces


def _value_cuts(text: str) -> list[int]:
    """Before each value of a trailing run of values, unless the line is a single value."""
    starts = cues.value_starts(text)
    if starts and text[: starts[0]].rstrip().endswith((",", ";")):
        starts = starts[1:]  # "(phổ thông); > 90 (mầm non)": a list of values inside one cell
    return [at for at in starts if at > 0]


def _deadline_cuts(text: str) -> list[int]:
    """ "Các cơ sở giáo dục Hằng năm": a unit name, then a capitalised time frame."""
    if not cues.starts_with_unit(text):
        return []
    for m in regex.finditer(r"\s+(?=\p{Lu})", text):
        rest = text[m.end():]
        if cues.starts_with_deadline(rest) and cues.is_deadline(rest) and not cues.starts_with_unit(rest):
            return [m.end()]
    return []


# --------------------------------------------------------------------------
# Pieces -> columns
# --------------------------------------------------------------------------

def boundaries(pieces: list[Piece]) -> list[str]:
    """How each piece follows the one before it: start | same_line | continues | new | open.

    "continues" when the text plainly goes on (lower case, a trailing comma,
    "thuộc" …), "new" when what came before is finished (a sentence, or a whole
    unit name, time frame or value — judged on the run of pieces it continues,
    so "Phòng Tổ chức / - Hành chính" counts as one name).
    """
    kinds: list[str] = []
    run = ""
    for i, piece in enumerate(pieces):
        kind = "start" if i == 0 else _boundary(pieces[i - 1], run, piece)
        kinds.append(kind)
        run = f"{run} {piece.text}" if kind in ("continues", "same_line") else piece.text
    return kinds


def _boundary(prev: Piece, run: str, piece: Piece) -> str:
    if prev.line == piece.line:
        return "same_line"
    before, text = prev.text.rstrip(), piece.text
    last_word = before.split()[-1] if before.split() else ""
    if starts_lower(text) or before.endswith((",", ";", "-", "–", "(", "/")) or last_word in cues.dangling_words():
        return "continues"
    if regex.match(r"^[-–]\s*\p{L}", text):
        bullet_list = regex.match(r"^[-–+•]\s", prev.text)
        if bullet_list or not cues.starts_with_unit(text):
            return "continues"  # "- Các cơ sở" under "- Phòng GDĐT"; "Phòng Tổ chức / - Hành chính"
    if before.endswith((".", "!", "?", ":")):
        return "new"
    if _complete(run) and not starts_lower(text):
        return "new"
    return "open"


def _complete(text: str) -> bool:
    """A run of pieces that can end a cell by itself: a unit name, a time frame, a value."""
    return cues.starts_with_unit(text) or cues.is_deadline(text) or cues.is_value(text)


Fit = Callable[[int, "int | None", int], float]


def assign_columns(kinds: Sequence[str], roles: Sequence[str], fit: Fit, settings: PathSettings = PathSettings()) -> list[int]:
    """The cheapest left-to-right path of pieces over columns.

    Cells come column by column, so a piece is in the column of the piece
    before it or in one further right. `fit(i, prev_column, column)` is how
    well piece i fits `column` after a piece in `prev_column` (None for the
    first piece): a log-probability or a rule score, <= 0.
    """
    n, m = len(kinds), len(roles)
    if n == 0:
        return []
    skip = [settings.skip_target if role == "target" else settings.skip for role in roles]

    def skipped(a: int, b: int) -> float:  # cost of leaving the columns strictly between a and b empty
        return sum(skip[a + 1 : b])

    inf = float("inf")
    cost = [[inf] * m for _ in range(n)]
    back = [[0] * m for _ in range(n)]
    for j in range(m):
        cost[0][j] = skipped(-1, j) - fit(0, None, j)
    for i in range(1, n):
        kind = kinds[i]
        stay = getattr(settings, f"{kind}_stay")
        move = getattr(settings, f"{kind}_move")
        for j in range(m):
            best, arg = cost[i - 1][j] + stay - fit(i, j, j), j
            for k in range(j):
                c = cost[i - 1][k] + move + skipped(k, j) - fit(i, k, j)
                if c < best:
                    best, arg = c, k
            cost[i][j] = best
            back[i][j] = arg
    j = min(range(m), key=lambda col: cost[n - 1][col] + 0.3 * skipped(col, m))
    path = [j]
    for i in range(n - 1, 0, -1):
        j = back[i][j]
        path.append(j)
    return path[::-1]


def build_table(
    flat: FlatTable, text: str, scorer, page_at: PageAt, section: Section | None, table_id: str
) -> Table:
    columns = flat.columns
    rows = []
    for row in flat.rows:
        cells = row_cells(flat, row, column_path(flat, row, scorer), text)
        rows.append(TableRow(cells=cells, group=row.group, page=page_at(row.start), start=row.start, end=row.end))
    start = flat.start
    end = max([r.end for r in flat.rows] + [g.end for _, g in flat.groups] + [start])
    return Table(
        id=table_id,
        section=section.id if section else None,
        caption=section.heading if section else None,
        kind=table_kind(columns),
        columns=columns,
        rows=rows,
        page_start=page_at(start),
        page_end=page_at(max(end - 1, start)),
        start=start,
        end=end,
        shape="flattened",
    )


def column_path(flat: FlatTable, row: FlatRow, scorer) -> list[int]:
    """The content column (index into `flat.content`) of each piece of the row."""
    return assign_columns(row.kinds, flat.roles, scorer.fit(row.pieces, row.kinds, flat.roles))


def row_cells(flat: FlatTable, row: FlatRow, path: list[int], text: str) -> list[str]:
    """The row's cells, number column included, from the column of each piece."""
    cells = [""] * len(flat.columns)
    cells[flat.seq_column] = row.seq
    for j, k in enumerate(flat.content):
        cells[k] = join_pieces([p for p, col in zip(row.pieces, path) if col == j], text)
    _reattach_stray_text(cells, flat.columns)
    return cells


def join_pieces(pieces: Iterable[Piece], text: str) -> str:
    """Pieces of one line keep the line's spacing; lines are joined as wrapped lines are
    (a space, none after a glued "57-" before "NQ/TW")."""
    parts: list[Piece] = []
    for p in pieces:
        if parts and parts[-1].line == p.line:
            parts[-1] = Piece(text[parts[-1].start : p.end], parts[-1].start, p.end, p.line)
        else:
            parts.append(p)
    cell = ""
    for p in parts:
        cell = join_wrapped(cell, p.text) if cell else p.text
    return cell


def _reattach_stray_text(cells: list[str], columns: list[TableColumn]) -> None:
    """ "Hằng năm đấu hằng năm, mỗi đơn vị …": the end of the task cell, cut by a page
    break, printed after the deadline. Give it back when the task cell stops mid-sentence."""
    text_col = next((k for k, c in enumerate(columns) if c.role in TEXT_ROLES), None)
    if text_col is None or ends_sentence(cells[text_col]):
        return
    for k, column in enumerate(columns):
        if column.role != "deadline" or not cells[k]:
            continue
        length = cues.starts_with_deadline(cells[k])
        rest = cells[k][length:].lstrip(" ,")
        first = rest.split()[0] if rest.split() else ""
        if length and starts_lower(rest) and first not in cues.deadline_continuers():
            cells[k] = cells[k][:length].rstrip()
            cells[text_col] = f"{cells[text_col]} {rest}".strip()

"""Ruled tables on a PDF page, written the way the DOCX loader writes tables.

pdfium reads a table cell by cell, one wrapped cell line per text line, so
the table finder downstream sees prose fragments. Here each ruled table
replaces its own characters in pdfium's page text with one line per row,
cells joined by "\\t", a merged cell's text once and empty cells for the
columns or rows it spans: the shape `pipeline/tables/delimited.py` reads
from DOCX tables.

Stages, each one job:
- `page_rulings`: the page's horizontal and vertical rules, read from
  pdfium's path objects (no rendering, no text); a page with fewer than a
  2 x 2 grid needs (text pages, highlighted paragraphs) stops here;
- `find_tables`: pdfplumber's table finder (snap and join the rules,
  intersections, cells, tables) on those rules, keeping grids that hold data;
- `splice_tables`: the page text with each table's characters replaced by
  its rows, at the place in reading order where pdfium met the table; cell
  text is pdfium's own, so it reads like the rest of the page.

Why the rules come from pdfium and not from pdfplumber's page objects:
pdfplumber's "lines" strategy needs the page parsed by pdfminer, which was
90% of the time spent on the 45 table pages of QĐ 1074 (4.9 s of 5.4 s,
the finder itself 0.06 s). Reading the rules from pdfium and giving them to
pdfplumber as explicit lines is the same "lines" strategy at pdfium's speed;
`tests/test_pdf_tables.py` checks that both give the same cells.
"""

from __future__ import annotations

import ctypes
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import pypdfium2.raw as pdfium_c

from ..textshape import join_wrapped

if TYPE_CHECKING:  # the settings live with the loader that owns them
    from .pdf import PdfSettings

Box = tuple[float, float, float, float]  # left, bottom, right, top (pt, the page as displayed, y up)
Point = tuple[float, float]
Matrix = tuple[float, float, float, float, float, float]  # a b c d e f: x' = ax + cy + e, y' = bx + dy + f
Rule = tuple[str, float, float, float]  # ("h", y, x0, x1) or ("v", x, y0, y1)

IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
LINE_BREAK = "\r\n"  # pdfium's line separator in page text
PDFIUM_HYPHEN = "\ufffe"  # pdfium's mark for a hyphen at a line end
CELL_SEPARATOR = "\t"
MAX_FORM_DEPTH = 3  # form XObjects nested deeper than this are not searched for rules
AXIS_TOLERANCE = 0.5  # pt a segment may lean and still be horizontal or vertical
MIN_RULE_LENGTH = 1.0  # pt; shorter pieces (the ends of a thin bar) are no rules (pdfplumber's prefilter)


# --- the page as displayed ------------------------------------------------------------


def display_matrix(pdf_page: Any) -> Matrix:
    """PDF user space -> the page as displayed: /Rotate applied, origin at its lower left.

    Rows and columns are rows and columns of the displayed page: a landscape
    appendix drawn sideways on a portrait page and turned by /Rotate 90 has
    its rows along the user space's x axis.
    """
    x0, y0, x1, y1 = pdf_page.get_mediabox()
    rotation = pdf_page.get_rotation() % 360
    if rotation == 90:
        return (0.0, -1.0, 1.0, 0.0, -y0, x1)
    if rotation == 180:
        return (-1.0, 0.0, 0.0, -1.0, x1, y1)
    if rotation == 270:
        return (0.0, 1.0, -1.0, 0.0, y1, -x0)
    return (1.0, 0.0, 0.0, 1.0, -x0, -y0)


def display_box(pdf_page: Any) -> Box:
    """The displayed page's box in its own space: (0, 0, width, height)."""
    x0, y0, x1, y1 = pdf_page.get_mediabox()
    width, height = x1 - x0, y1 - y0
    turned = pdf_page.get_rotation() % 180 == 90
    return (0.0, 0.0, height, width) if turned else (0.0, 0.0, width, height)


def to_display(matrix: Matrix, point: Point) -> Point:
    return _apply(matrix, *point)


def char_centers(textpage: Any, text: str, display: Matrix) -> list[Point | None]:
    """The centre of each character of `text` (pdfium's text of `textpage`) on the displayed page.

    None for whitespace and for characters pdfium made up (line breaks,
    hyphen marks): they have no place of their own. Raw pdfium calls, as
    this runs once per character of every page with a table.
    """
    raw = textpage.raw
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    a, b, c, d, e, f = display
    centers: list[Point | None] = []
    for k, char in enumerate(text):
        if char.isspace() or pdfium_c.FPDFText_IsGenerated(raw, k) == 1 or not pdfium_c.FPDFText_GetCharBox(
            raw, k, left, right, bottom, top
        ):
            centers.append(None)
            continue
        x, y = (left.value + right.value) / 2, (bottom.value + top.value) / 2
        centers.append((a * x + c * y + e, b * x + d * y + f))
    return centers


# --- rules from pdfium ----------------------------------------------------------------


def page_rulings(pdf_page: Any, settings: PdfSettings, display: Matrix = IDENTITY) -> list[Rule]:
    """The straight horizontal and vertical pieces the page's paths draw, in display space.

    Painted paths only (a clipping path draws nothing). A filled box thicker
    than `ruling_max_thickness` without a stroke is a highlight or shading,
    not a rule: QĐ 1696 highlights whole paragraphs with stacked filled boxes,
    which would otherwise make a one-column "table" of the paragraph.
    """
    rules: list[Rule] = []
    for obj, matrix in _path_objects(pdf_page.raw, display, 0):
        fill, stroke = ctypes.c_int(), ctypes.c_int()
        if not pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke):
            continue
        if fill.value == pdfium_c.FPDF_FILLMODE_NONE and not stroke.value:
            continue
        if not stroke.value and _thickness(obj) > settings.ruling_max_thickness:
            continue
        rules += [rule for a, b in _straight_pieces(obj, matrix) if (rule := _as_rule(a, b)) is not None]
    return rules


def has_grid(rules: Sequence[Rule], settings: PdfSettings) -> bool:
    """Enough rules each way for the smallest table (a 2 x 2 grid needs 3 and 3)."""
    across = sum(1 for rule in rules if rule[0] == "h")
    return min(across, len(rules) - across) >= settings.table_min_rules


def _path_objects(parent: Any, matrix: Matrix, depth: int) -> Iterator[tuple[Any, Matrix]]:
    """Path objects of a page and of the form XObjects on it, each with its matrix to page space."""
    count, get = (
        (pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject) if depth == 0
        else (pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject)
    )
    for k in range(count(parent)):
        obj = get(parent, k)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            yield obj, _compose(_matrix_of(obj), matrix)
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
            yield from _path_objects(obj, _compose(_matrix_of(obj), matrix), depth + 1)


def _matrix_of(obj: Any) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    """The matrix applying `inner`, then `outer`."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m: Matrix, x: float, y: float) -> Point:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _thickness(obj: Any) -> float:
    """The smaller side of a path's bounds (page space): a rule is thin, a highlight is not."""
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        return 0.0
    return min(right.value - left.value, top.value - bottom.value)


def _straight_pieces(obj: Any, matrix: Matrix) -> Iterator[tuple[Point, Point]]:
    """The line segments of a path (curves skipped), closing segments included, in page space."""
    start = current = None
    x, y = ctypes.c_float(), ctypes.c_float()
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        if not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
            continue
        point = _apply(matrix, x.value, y.value)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or current is None:
            start = point
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            yield current, point
        current = point
        if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None and start != current:
            yield current, start
            current = start


def _as_rule(a: Point, b: Point) -> Rule | None:
    """A segment as a horizontal or vertical rule; None for slanted or tiny ones."""
    (x0, y0), (x1, y1) = a, b
    if abs(y1 - y0) <= AXIS_TOLERANCE and abs(x1 - x0) >= MIN_RULE_LENGTH:
        return ("h", (y0 + y1) / 2, min(x0, x1), max(x0, x1))
    if abs(x1 - x0) <= AXIS_TOLERANCE and abs(y1 - y0) >= MIN_RULE_LENGTH:
        return ("v", (x0 + x1) / 2, min(y0, y1), max(y0, y1))
    return None


# --- tables from the rules (pdfplumber's finder) ----------------------------------------------


@dataclass(frozen=True)
class PageTable:
    """One ruled table: its box and its cells row by row (None where a merged cell covers the slot)."""

    box: Box
    cells: tuple[tuple[Box | None, ...], ...]

    @property
    def row_spans(self) -> tuple[tuple[float, float], ...]:
        """(bottom, top) of each row, merged cells that start in it included."""
        return tuple(
            (min((b[1] for b in row if b), default=0.0), max((b[3] for b in row if b), default=0.0))
            for row in self.cells
        )

    def cell_at(self, point: Point, row_spans: Sequence[tuple[float, float]]) -> tuple[int, int] | None:
        """(row, column) of the cell holding a point; a merged cell answers for all the slots it covers.

        `row_spans` is `self.row_spans`, computed once per page by the caller.
        """
        x, y = point
        if not _inside(point, self.box):
            return None
        for r, (bottom, top) in enumerate(row_spans):
            if bottom <= y <= top:
                for c, box in enumerate(self.cells[r]):
                    if box is not None and box[0] <= x <= box[2] and box[1] <= y <= box[3]:
                        return r, c
        return None


@dataclass(frozen=True)
class _Frame:
    """What pdfplumber's TableFinder reads of a page when every rule is given explicitly: its box."""

    bbox: tuple[float, float, float, float]


def find_tables(rules: Sequence[Rule], page_box: Box, settings: PdfSettings) -> list[PageTable]:
    """pdfplumber's "lines" tables for the given rules, keeping grids that can hold data.

    pdfplumber works top-down (y grows downwards); the rules go in with y
    negated and the cells come back the same way, so everything stays in
    the display space of the rules and of the characters.
    """
    from pdfplumber.table import TableFinder  # imported on the first page with rules

    across = [_edge(rule) for rule in rules if rule[0] == "h"]
    down = [_edge(rule) for rule in rules if rule[0] == "v"]
    if min(len(across), len(down)) < 2:
        return []
    left, bottom, right, top = page_box
    finder = TableFinder(_Frame((left, -top, right, -bottom)), {
        "vertical_strategy": "explicit", "horizontal_strategy": "explicit",
        "explicit_vertical_lines": down, "explicit_horizontal_lines": across,
        **plumber_tolerances(settings),
    })
    tables = []
    for found in finder.tables:
        cells = tuple(tuple(_from_plumber(box) if box else None for box in row.cells) for row in found.rows)
        if _is_grid(cells, settings):
            tables.append(PageTable(_from_plumber(found.bbox), cells))
    return tables


def plumber_tolerances(settings: PdfSettings) -> dict[str, float]:
    """pdfplumber's table-finder tolerances from the loader's settings."""
    return {
        "snap_tolerance": settings.table_snap_tolerance,
        "join_tolerance": settings.table_join_tolerance,
        "intersection_tolerance": settings.table_intersection_tolerance,
        "edge_min_length": settings.table_edge_min_length,
    }


def _edge(rule: Rule) -> dict[str, Any]:
    """A rule as pdfplumber's edge object (top-down coordinates: y negated)."""
    orientation, at, low, high = rule
    if orientation == "h":
        return {"object_type": "line_edge", "orientation": "h", "x0": low, "x1": high, "top": -at, "bottom": -at,
                "width": high - low, "height": 0.0}
    return {"object_type": "line_edge", "orientation": "v", "x0": at, "x1": at, "top": -high, "bottom": -low,
            "width": 0.0, "height": high - low}


def _from_plumber(bbox: tuple[float, float, float, float]) -> Box:
    x0, top, x1, bottom = bbox
    return x0, -bottom, x1, -top


def _is_grid(cells: Sequence[Sequence[Box | None]], settings: PdfSettings) -> bool:
    """At least `table_min_rows` x `table_min_columns`: a box around one paragraph is not a table."""
    width = max((len(row) for row in cells), default=0)
    return len(cells) >= settings.table_min_rows and width >= settings.table_min_columns


def _inside(point: Point, box: Box) -> bool:
    x, y = point
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


# --- putting the rows into the page text -------------------------------------------------------


@dataclass(frozen=True)
class Spliced:
    """Page text after splicing, and where each offset of the original text went.

    `starts[k]` is the offset in `text` at which original character k would
    stand (the place of a removed character is where the next kept one is),
    so that words inserted later by offset (stamps) land in the same place.
    """

    text: str
    starts: tuple[int, ...]
    tables: int = 0  # tables written as rows

    @classmethod
    def unchanged(cls, text: str) -> "Spliced":
        return cls(text, tuple(range(len(text) + 1)))

    def at(self, offset: int) -> int:
        return self.starts[min(max(offset, 0), len(self.starts) - 1)]


def splice_tables(text: str, centers: Sequence[Point | None], tables: Sequence[PageTable]) -> Spliced:
    """Replace the tables' characters in pdfium's `text` with their rows.

    `centers[k]` is the centre of character k, None for whitespace and for
    characters pdfium generated (line breaks, hyphen marks): those go where
    the character before them went, so a cell keeps its inner line breaks
    and no blank lines are left where the table was. A table with no row of
    two filled cells (a ruled box around a paragraph or a figure) stays text.
    """
    owners = _owners(text, centers, tables)
    texts = _cell_texts(text, owners, tables)
    kept = {t for t, rows in enumerate(texts) if _holds_data(rows)}
    pieces: list[str] = []
    placed: set[int] = set()
    for char, owner in zip(text, owners):
        if owner is None or owner[0] not in kept:
            pieces.append(char)
        elif owner[0] not in placed:
            placed.add(owner[0])
            pieces.append(_block(texts[owner[0]], before="".join(pieces[-2:])))
        else:
            pieces.append("")
    starts = [0]
    for piece in pieces:
        starts.append(starts[-1] + len(piece))
    return Spliced("".join(pieces), tuple(starts), len(placed))


_Owner = tuple[int, int, int]  # table, row, column


def _owners(text: str, centers: Sequence[Point | None], tables: Sequence[PageTable]) -> list[_Owner | None]:
    """For each character, the table cell it belongs to, or None (page text)."""
    spans = [table.row_spans for table in tables]
    owners: list[_Owner | None] = []
    last: _Owner | None = None  # where the last character with a place on the page went
    for k, char in enumerate(text):
        center = None if char.isspace() else centers[k]
        if center is not None:
            last = _cell_of(center, tables, spans)
        owners.append(last)
    return owners


def _cell_of(
    point: Point, tables: Sequence[PageTable], spans: Sequence[Sequence[tuple[float, float]]],
) -> _Owner | None:
    for t, table in enumerate(tables):
        cell = table.cell_at(point, spans[t])
        if cell is not None:
            return (t, *cell)
    return None


def _cell_texts(text: str, owners: Sequence[_Owner | None], tables: Sequence[PageTable]) -> list[list[list[str]]]:
    """Per table, per row, per column: the cell's characters in pdfium's order as one line ("" if none)."""
    parts: dict[_Owner, list[str]] = {}
    for char, owner in zip(text, owners):
        if owner is not None:
            parts.setdefault(owner, []).append(char)
    return [
        [[cell_text("".join(parts.get((t, r, c), ()))) for c in range(len(row))] for r, row in enumerate(table.cells)]
        for t, table in enumerate(tables)
    ]


def cell_text(raw: str) -> str:
    """One cell's wrapped lines as one line: "105/2025/NĐ-" + "CP" glued, other lines joined by a space.

    A tab inside a cell would read as a cell break, so it becomes a space.
    """
    text = unicodedata.normalize("NFC", raw.replace(PDFIUM_HYPHEN, "-\n")).replace(CELL_SEPARATOR, " ")
    joined = ""
    for line in text.replace("\r", "\n").split("\n"):
        line = " ".join(line.split())
        if line:
            joined = join_wrapped(joined, line) if joined else line
    return joined


def _holds_data(rows: Sequence[Sequence[str]]) -> bool:
    """Some row has two filled cells; with one text per row, the grid is a frame, not a table."""
    return any(sum(1 for cell in row if cell) >= 2 for row in rows)


def _block(rows: Sequence[Sequence[str]], before: str) -> str:
    """Rows as lines of tab-joined cells (empty rows dropped), on lines of their own."""
    lead = "" if not before or before.endswith(("\n", "\r")) else LINE_BREAK
    lines = [CELL_SEPARATOR.join(row) for row in rows if any(row)]
    return lead + LINE_BREAK.join(lines) + LINE_BREAK

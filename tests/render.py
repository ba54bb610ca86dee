"""Render a plain-text plan to a PDF that looks like a real one (test helper).

Real plans reach us as PDFs with hard line wraps, a running header from page 2
on, page numbers, ruled tables that break across pages with their header row
repeated, and a two-column masthead ("UBND HUYỆN X | CỘNG HÒA XÃ HỘI ..."). The
tests need such PDFs with known content, so this draws them from text:

* each line is a paragraph, wrapped to the page width;
* consecutive lines containing a tab are one table, the first row its header
  (blank lines between them do not end it: seed 000 marks its source's page
  breaks inside tables with blank lines, and its tables are one table each);
* a line that is just "\\f", or one named in `page_breaks`, starts a new page;
* Markdown markers ("##", "**", "<b>") are stripped; a line that had them is bold;
* with `footnotes`, a superscript label in the text ("dữ liệu¹") is drawn raised and its
  note at the foot of the page where the marker lands, in smaller type, as Word prints them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian package fonts-dejavu-core
FONT, FONT_BOLD = "DejaVuSerif", "DejaVuSerif-Bold"
DEFAULT_RUNNING_HEADER = "Kế hoạch của Ủy ban nhân dân"
# Vietnamese administrative documents: left 3 cm, right 2 cm, top and bottom 2 cm.
MARGINS = {"leftMargin": 3 * cm, "rightMargin": 2 * cm, "topMargin": 2 * cm, "bottomMargin": 2 * cm}
LEADING_FACTOR = 1.3
# reportlab's default cell padding: 6 pt left and right
CELL_PADDING = 12.5
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
FOOT_GAP = 6  # pt between the body frame and the footnote rule

_MARKDOWN = re.compile(r"^\s*#+\s*|\*\*|</?b>|__")
_BOLD_HINT = re.compile(r"^\s*#|\*\*|<b>")


@dataclass(frozen=True)
class _Block:
    kind: str  # "line" | "table" | "break"
    text: str = ""
    bold: bool = False
    rows: tuple[tuple[str, ...], ...] = ()


def render_pdf(
    source: str | Sequence[str],
    out_path: str | Path,
    *,
    running_header: str | None = DEFAULT_RUNNING_HEADER,
    page_numbers: bool = True,
    lines_per_page: int | None = None,
    font_size: float = 11,
    tables: bool = True,
    page_breaks: Iterable[str] = (),
    masthead: tuple[Sequence[str], Sequence[str]] | None = None,
    footnotes: Mapping[str, str] | None = None,
) -> Path:
    """Draw `source` (text or lines) into `out_path` and return that path.

    `lines_per_page` makes the text frame exactly that many body lines high.
    `page_breaks` lists line starts (after Markdown stripping) that begin a
    new page, e.g. a paragraph in the middle of a section. `masthead` is the
    (left, right) column pair drawn side by side at the top of page 1.
    `tables=False` draws tab rows as plain lines instead of a ruled table.
    `footnotes` maps a label ("1") to its note; the text marks where it applies with the
    label in superscript digits ("dữ liệu¹").
    """
    out_path = Path(out_path)
    _register_fonts()
    # not splitlines(): it would also split at the "\f" that asks for a page break
    lines = source.replace("\r\n", "\n").split("\n") if isinstance(source, str) else list(source)
    styles = _styles(font_size)
    blocks = parse_blocks(lines, page_breaks=tuple(page_breaks), tables=tables)
    decorate = _page_decorator(running_header, page_numbers, font_size)
    notes = dict(footnotes or {})
    reserve = max((_notes_height([label], notes, styles) for label in notes), default=0.0)
    for attempt in range(4):  # the foot area moves the text: grow it until every page's notes fit
        feet = _Feet(notes, styles, reserve)
        story: list[Flowable] = _masthead(masthead, styles) if masthead else []
        story += [_flowable(block, styles, feet) for block in blocks]
        margins = _margins(lines_per_page, styles["body"].leading, foot=reserve + FOOT_GAP if notes else 0.0)
        doc = SimpleDocTemplate(str(out_path), pagesize=A4, **margins)
        doc.afterPage = lambda: feet.draw(doc.canv)
        doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
        if feet.tallest <= reserve:
            break
        reserve = feet.tallest if attempt < 2 else _notes_height(list(notes), notes, styles)
    return out_path


def parse_blocks(lines: Sequence[str], *, page_breaks: tuple[str, ...] = (), tables: bool = True) -> list[_Block]:
    """Group lines into paragraphs, tables (runs of tab lines) and page breaks."""
    blocks: list[_Block] = []
    rows: list[tuple[str, ...]] = []
    for raw in lines:
        if tables and "\t" in raw:
            rows.append(tuple(strip_markdown(cell) for cell in raw.split("\t")))
            continue
        if rows and not raw.strip():
            continue  # a blank line inside a table
        if rows:
            blocks.append(_Block("table", rows=tuple(rows)))
            rows = []
        blocks.extend(_line_blocks(raw, page_breaks))
    if rows:
        blocks.append(_Block("table", rows=tuple(rows)))
    return blocks


def strip_markdown(line: str) -> str:
    """"## **II. MỤC TIÊU**" -> "II. MỤC TIÊU"."""
    return _MARKDOWN.sub("", line).strip()


def _line_blocks(raw: str, page_breaks: tuple[str, ...]) -> list[_Block]:
    if raw.strip(" \t\r\n") == "\f":
        return [_Block("break")]
    text = strip_markdown(raw.replace("\t", " "))
    if not text:
        return []
    line = _Block("line", text=text, bold=bool(_BOLD_HINT.search(raw)))
    if any(text.startswith(mark) for mark in page_breaks):
        return [_Block("break"), line]
    return [line]


def _flowable(block: _Block, styles: dict[str, ParagraphStyle], feet: "_Feet | None" = None) -> Flowable:
    if block.kind == "break":
        return PageBreak()
    if block.kind == "table":
        return _table(block.rows, styles)
    style = styles["bold" if block.bold else "body"]
    labels = feet.labels_in(block.text) if feet else []
    if not labels:
        return Paragraph(escape(block.text), style)
    markup = escape(block.text)
    for label, _at in labels:
        markup = markup.replace(label.translate(SUPERSCRIPTS), f"<super>{label}</super>", 1)
    return _NotedParagraph(markup, style, labels=labels, feet=feet)


class _NotedParagraph(Paragraph):
    """A paragraph with footnote markers: when drawn, it hands its labels to the page's foot.

    `labels` pairs each label with the marker's offset in the plain text, so that a paragraph
    split by a page break gives each note to the part that holds its marker.
    """

    def __init__(self, text, style: ParagraphStyle, *, labels: list[tuple[str, int]] = (), feet: "_Feet | None" = None, **kw):
        super().__init__(text, style, **kw)  # split() makes the parts through this too, without notes
        self.labels, self.feet = list(labels), feet

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        cut = len(parts[0].getPlainText()) if len(parts) == 2 else None
        for i, part in enumerate(parts):
            part.feet = self.feet
            part.labels = [(label, at - (cut if i else 0)) for label, at in self.labels
                           if cut is None or (at < cut) == (i == 0)]
        return parts

    def draw(self):
        self.feet.pending.extend(label for label, _at in self.labels)
        super().draw()


class _Feet:
    """The footnotes waiting for the end of the page their markers were drawn on."""

    def __init__(self, notes: Mapping[str, str], styles: dict[str, ParagraphStyle], reserve: float):
        self.notes, self.styles, self.reserve = notes, styles, reserve
        self.pending: list[str] = []
        self.tallest = 0.0  # the tallest foot drawn, to check that the reserve was enough

    def labels_in(self, text: str) -> list[tuple[str, int]]:
        return [(label, text.find(label.translate(SUPERSCRIPTS))) for label in self.notes
                if label.translate(SUPERSCRIPTS) in text]

    def draw(self, canvas) -> None:
        """Below the text frame: a short rule, then each note of the page, label raised."""
        labels, self.pending = self.pending, []
        if not labels:
            return
        self.tallest = max(self.tallest, _notes_height(labels, self.notes, self.styles))
        width = A4[0] - MARGINS["leftMargin"] - MARGINS["rightMargin"]
        y = MARGINS["bottomMargin"] + self.reserve
        canvas.saveState()
        canvas.setLineWidth(0.5)
        canvas.line(MARGINS["leftMargin"], y, MARGINS["leftMargin"] + width / 3, y)
        canvas.restoreState()
        for label in labels:
            note = _note_paragraph(label, self.notes, self.styles)
            _w, h = note.wrap(width, A4[1])
            y -= h
            note.drawOn(canvas, MARGINS["leftMargin"], y)


def _note_paragraph(label: str, notes: Mapping[str, str], styles: dict[str, ParagraphStyle]) -> Paragraph:
    return Paragraph(f"<super>{label}</super> {escape(notes[label])}", styles["note"])


def _notes_height(labels: Sequence[str], notes: Mapping[str, str], styles: dict[str, ParagraphStyle]) -> float:
    width = A4[0] - MARGINS["leftMargin"] - MARGINS["rightMargin"]
    return sum(_note_paragraph(label, notes, styles).wrap(width, A4[1])[1] for label in labels) + 2


def _table(rows: tuple[tuple[str, ...], ...], styles: dict[str, ParagraphStyle]) -> Table:
    """A ruled table whose header row repeats on every page it runs onto."""
    width = max(len(row) for row in rows)
    cells = [
        [Paragraph(escape(cell), styles["cell_bold" if i == 0 else "cell"]) for cell in row + ("",) * (width - len(row))]
        for i, row in enumerate(rows)
    ]
    table = Table(cells, colWidths=_column_widths(rows, width, styles["cell"].fontSize), repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _column_widths(rows: tuple[tuple[str, ...], ...], width: int, font_size: float) -> list[float]:
    """Give each column room for its longest word, then share the rest by its longest cell."""
    usable = A4[0] - MARGINS["leftMargin"] - MARGINS["rightMargin"]
    cols = [[row[i] if i < len(row) else "" for row in rows] for i in range(width)]
    least = [max(_text_width(w, font_size) for cell in col for w in cell.split() or [""]) + CELL_PADDING for col in cols]
    wish = [min(max(_text_width(cell, font_size) for cell in col), usable / 2) + CELL_PADDING for col in cols]
    if sum(least) >= usable:
        return [usable * w / sum(least) for w in least]
    spare = usable - sum(least)
    extra = [max(w - m, 0.0) for w, m in zip(wish, least)]
    scale = min(1.0, spare / sum(extra)) if sum(extra) else 0.0
    widths = [m + e * scale for m, e in zip(least, extra)]
    return [w * usable / sum(widths) for w in widths]


def _text_width(text: str, font_size: float) -> float:
    return pdfmetrics.stringWidth(text, FONT_BOLD, font_size)


def _masthead(columns: tuple[Sequence[str], Sequence[str]], styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """Issuer on the left, national motto on the right, as Word lays them out: a borderless table."""
    left, right = ("<br/>".join(escape(line) for line in column) for column in columns)
    usable = A4[0] - MARGINS["leftMargin"] - MARGINS["rightMargin"]
    need = [max(_text_width(line, styles["center"].fontSize) for line in column) + CELL_PADDING for column in columns]
    widths = [usable * n / sum(need) for n in need]  # each line fits unbroken when the two fit together
    table = Table([[Paragraph(left, styles["center"]), Paragraph(right, styles["center"])]], colWidths=widths)
    return [table]


def _styles(font_size: float) -> dict[str, ParagraphStyle]:
    leading = font_size * LEADING_FACTOR
    body = ParagraphStyle("body", fontName=FONT, fontSize=font_size, leading=leading)
    cell_size = font_size - 1
    return {
        "body": body,
        "bold": ParagraphStyle("bold", parent=body, fontName=FONT_BOLD),
        "center": ParagraphStyle("center", parent=body, fontName=FONT_BOLD, fontSize=font_size - 1.5,
                                 leading=(font_size - 1.5) * LEADING_FACTOR, alignment=1),
        "cell": ParagraphStyle("cell", parent=body, fontSize=cell_size, leading=cell_size * LEADING_FACTOR),
        "cell_bold": ParagraphStyle("cell_bold", parent=body, fontName=FONT_BOLD, fontSize=cell_size,
                                    leading=cell_size * LEADING_FACTOR),
        "note": ParagraphStyle("note", parent=body, fontSize=font_size - 2, leading=(font_size - 2) * 1.2),
    }


def _margins(lines_per_page: int | None, leading: float, foot: float = 0.0) -> dict[str, float]:
    """Page margins; with `lines_per_page`, a bottom margin that leaves room for exactly that many lines.
    `foot` (pt) is kept free above the bottom margin for footnotes."""
    if lines_per_page is None:
        return {**MARGINS, "bottomMargin": MARGINS["bottomMargin"] + foot}
    # platypus frames keep 6 pt of padding on each side
    frame_height = lines_per_page * leading + 12 + 0.5
    bottom = A4[1] - MARGINS["topMargin"] - frame_height
    if bottom < (MARGINS["bottomMargin"] + foot if foot else 1 * cm):
        raise ValueError(f"lines_per_page={lines_per_page} does not fit on an A4 page")
    return {**MARGINS, "bottomMargin": bottom}


def _page_decorator(running_header: str | None, page_numbers: bool, font_size: float):
    """Draw the running header (pages 2+) and the page number (every page)."""

    def decorate(canvas, doc) -> None:
        page = canvas.getPageNumber()
        canvas.saveState()
        canvas.setFont(FONT, font_size - 2)
        if running_header and page > 1:
            canvas.drawCentredString(A4[0] / 2, A4[1] - 1.2 * cm, running_header)
        if page_numbers:
            canvas.drawCentredString(A4[0] / 2, 1.0 * cm, str(page))
        canvas.restoreState()

    return decorate


def _register_fonts() -> None:
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name in (FONT, FONT_BOLD):
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"{name}.ttf")))

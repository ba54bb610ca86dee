"""PDF: the text layer, page by page, judged before it is trusted.

Speed: pdfplumber reads 3-10 pages/s, pdfium 40-60 times that, so pdfium
reads every page. Measured on rendered and real plans, pdfium's content-order
text is already in reading order: a two-column masthead comes out column
after column, words drawn alternately into two columns of one baseline are
put in x order, and table cells come out cell by cell. What content order
cannot fix is a page whose content stream was written out of order (lines
drawn bottom-up or shuffled); such a page is read again with pdfplumber,
which sorts characters by position. The test is cheap: how often the next
text run jumps back up the page without moving to a column on the right.

Stamps: the number and date of a signed document are often stamped into
widget annotations, outside the page content ("Số: /QĐ-UBND" with "1696"
stamped over the gap). pdfium flattens them into the page; each stamped word
is then put back into the line it sits on.

Tables: pdfium reads a ruled table cell by cell, one wrapped line per text
line. On pages whose paths draw a grid, pdfplumber's table finder turns the
rules into cells, and each table's text is written instead as one line per
row, cells joined by "\t", merged cells empty, as the DOCX loader writes
tables (see `pdf_tables`). Pages without rules cost one look at their path
objects.

Trust: a text layer can be present and useless (fonts without a Unicode map,
OCR without Vietnamese). Each page is scored by `pipeline.quality`; bad pages
are dropped with a warning, and a file with no usable page is a LoadError.

Scans: pages without a text layer and pages whose layer is judged garbage are
read by Tesseract (`pipeline.load.ocr`) and their text judged like a text
layer's; without Tesseract they are skipped with a warning naming what to install.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .. import quality
from ..limits import Limits, check_pages
from . import ocr as ocr_engine
from . import register
from .base import LoadedText, LoadError, OffsetMap
from .ocr import OcrError, OcrPage, OcrSettings
from .pdf_tables import (
    Matrix, Spliced, char_centers, display_box, display_matrix, find_tables, has_grid, page_rulings, splice_tables,
    to_display,
)

PAGE_SEPARATOR = "\f"
# Controls that a text layer may carry (e.g. garbled glyphs decoded to \x0c); tab and newline stay.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\uffff]")
_TRAILING_SPACE = re.compile(r"[^\S\t]+$")
# pdfium marks a line-final hyphen it joined to the next line with U+FFFE;
# the loader keeps the layout, so the hyphen and the line break come back.
_PDFIUM_HYPHEN = "\ufffe"
# A run counts as above the previous one when its bottom is this far (pt) over the previous top.
_RISE_TOLERANCE = 1.0

NO_TEXT_LAYER = "PDF has no text layer (scanned?)"
# Pages OCR reads: no text layer at all, or one judged garbage.
OCR_STATUSES = ("image-only", "unusable")


@dataclass(frozen=True)
class PdfSettings:
    """Knobs of the PDF loader; the defaults are what the measurements support."""

    # Re-read a page with pdfplumber when its text runs jump back up the page
    # this often (normal pages: 0-2, one per header or footer drawn first) ...
    reorder_min_backtracks: int = 5
    # ... and in at least this share of run-to-run steps.
    reorder_min_share: float = 0.10
    # Put stamped numbers and dates (widget annotations) into their lines.
    merge_stamps: bool = True
    # Read ruled tables as rows of tab-separated cells.
    read_tables: bool = True
    # Look for tables only when a page's paths draw this many rules each way
    # (a 2 x 2 grid needs 3); text pages have none, highlighted paragraphs no vertical ones.
    table_min_rules: int = 3
    # A filled path thicker than this (pt) without a stroke is a highlight or shading, not a rule.
    ruling_max_thickness: float = 2.0
    # pdfplumber's table finder on the rules: its default tolerances (pt).
    table_snap_tolerance: float = 3.0
    table_join_tolerance: float = 3.0
    table_intersection_tolerance: float = 3.0
    table_edge_min_length: float = 3.0
    # A grid smaller than this is a box around a paragraph, not a table.
    table_min_rows: int = 2
    table_min_columns: int = 2
    # Pages without a usable text layer are read by OCR (see `pipeline.load.ocr`).
    ocr: OcrSettings = field(default_factory=OcrSettings)

    def __post_init__(self) -> None:
        if self.reorder_min_backtracks < 1 or not 0 <= self.reorder_min_share <= 1:
            raise ValueError("reorder_min_backtracks must be >= 1 and reorder_min_share within 0..1")
        lengths = ("ruling_max_thickness", "table_snap_tolerance", "table_join_tolerance",
                   "table_intersection_tolerance", "table_edge_min_length")
        negative = [name for name in lengths if getattr(self, name) < 0]
        if negative:
            raise ValueError(f"{', '.join(negative)} cannot be negative")
        if min(self.table_min_rules, self.table_min_rows, self.table_min_columns) < 1:
            raise ValueError("table_min_rules, table_min_rows and table_min_columns must be >= 1")


@dataclass
class _Page:
    number: int  # 1-based
    text: str = ""
    engine: str = "pdfium"
    stamps: int = 0  # stamped words merged in
    tables: int = 0  # ruled tables written as tab-separated rows
    status: str = "ok"  # ok | blank | image-only | unusable | unreadable
    quality: quality.TextQuality | None = None
    problem: str | None = None  # why the page was skipped
    notes: list[str] = field(default_factory=list)  # warnings about a page that was kept
    ocr: bool = False  # the text is Tesseract's
    ocr_confidence: float | None = None  # mean word confidence 0-1 of an OCR'd page
    ocr_words: int = 0
    ocr_problem: str | None = None  # why OCR did not give a page its text

    def info(self) -> dict:
        """The page_info entry; "quality" is the share of valid syllables, None when too little text to judge."""
        q = self.quality
        return {
            "page": self.number,
            "chars": len(self.text),
            "quality": round(q.valid_share, 3) if q and q.judged else None,
            "ocr": self.ocr,
            "ocr_confidence": round(self.ocr_confidence, 3) if self.ocr_confidence is not None else None,
            "engine": self.engine,
            "status": self.status,
            "stamps": self.stamps,
            "tables": self.tables,
        }


@register(".pdf")
def load_pdf(path: Path, settings: PdfSettings | None = None, limits: Limits | None = None) -> LoadedText:
    """Read every page's text layer, OCR the pages without a usable one; raise LoadError when no page is usable."""
    settings = settings or PdfSettings()
    notes = _preflight(Path(path), limits or Limits())
    pages = _read_pages(Path(path), settings)
    _raise_if_unusable(path, pages)
    loaded = _assemble(path, pages, settings.ocr)
    loaded.warnings[:0] = notes
    return loaded


# --- reading ----------------------------------------------------------------------


def _read_pages(path: Path, settings: PdfSettings) -> list[_Page]:
    doc = _open(path)
    plumber = _PlumberFallback(path)
    try:
        pages = [_read_page(doc, i, settings, plumber) for i in range(len(doc))]
        for page in pages:
            _judge(page)
        _read_by_ocr(doc, pages, settings)
        return pages
    finally:
        plumber.close()
        doc.close()


_PDF_MAGIC = b"%PDF-"
_MAGIC_WINDOW = 1024  # readers accept the header this far into the file
_PDF_EOF = b"%%EOF"
_EOF_WINDOW = 1024  # writers may append a few bytes after the end marker
ENCRYPTED_WITHOUT_PASSWORD = "encrypted PDF opened without a password (its user password is empty)"


def _preflight(path: Path, limits: Limits) -> list[str]:
    """What is known before any page is read: the file opens, it has no more pages than the limit
    (a bomb of thousands of pages is refused at once); a warning when it is encrypted but opens
    without a password (an empty user password: only the owner's restrictions are set)."""
    doc = _open(path)
    try:
        check_pages(path, len(doc), limits)
        return [ENCRYPTED_WITHOUT_PASSWORD] if pdfium_c.FPDF_GetSecurityHandlerRevision(doc.raw) != -1 else []
    finally:
        doc.close()


def _open(path: Path) -> pdfium.PdfDocument:
    """Open with pdfium; every failure becomes a one-line LoadError."""
    with path.open("rb") as fh:
        if _PDF_MAGIC not in fh.read(_MAGIC_WINDOW):
            raise LoadError(path, "not a PDF: no %PDF header (a file of another type renamed .pdf?)")
    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD or "password" in str(exc).lower():
            raise LoadError(path, "encrypted PDF: a password is required") from exc
        raise LoadError(path, f"corrupt PDF: {_pdfium_reason(exc)}{_truncation_hint(path)}") from exc
    except (OSError, ValueError) as exc:
        raise LoadError(path, f"corrupt PDF: {exc}") from exc
    doc.init_forms()  # right after opening, before pages are counted or loaded (pdfium's rule)
    if len(doc) == 0:
        doc.close()
        raise LoadError(path, "corrupt PDF: no pages")
    return doc


def _truncation_hint(path: Path) -> str:
    """A PDF ends with %%EOF; one cut short (an interrupted download) does not."""
    with path.open("rb") as fh:
        fh.seek(max(path.stat().st_size - _EOF_WINDOW, 0))
        return "" if _PDF_EOF in fh.read() else " (truncated? no %%EOF marker at the end of the file)"


def _pdfium_reason(exc: Exception) -> str:
    """'Failed to load document (PDFium: Data format error).' -> 'data format error'."""
    match = re.search(r"PDFium: ([^)]*)", str(exc))
    return (match.group(1) if match else str(exc)).strip(" .").lower()


def _read_page(doc: pdfium.PdfDocument, index: int, settings: PdfSettings, plumber: "_PlumberFallback") -> _Page:
    page = _Page(index + 1)
    try:
        pdf_page = doc[index]
        textpage = pdf_page.get_textpage()
        raw = textpage.get_text_range()
        if _out_of_order(textpage, settings, display_matrix(pdf_page)):
            raw = _reordered(plumber, page, raw)
        else:
            spliced = _with_tables(pdf_page, textpage, raw, page, settings)
            if settings.merge_stamps and pdfium_c.FPDFPage_GetAnnotCount(pdf_page) > 0:
                raw, page.stamps = _merge_stamps(doc, index, pdf_page, raw, spliced)
            else:
                raw = spliced.text
        page.text = clean_page_text(raw)
        if not page.text.strip():
            page.status = "image-only" if _has_images(doc[index]) else "blank"
    except pdfium.PdfiumError as exc:
        page.status, page.problem = "unreadable", f"cannot be read ({_pdfium_reason(exc)})"
    return page


def clean_page_text(raw: str) -> str:
    """pdfium/pdfplumber page text -> NFC lines joined by "\\n", no controls or trailing spaces.

    Trailing tabs stay: they are the empty last cells of a table row.
    """
    text = raw.replace(_PDFIUM_HYPHEN, "-\n").replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text))
    return "\n".join(_TRAILING_SPACE.sub("", line) for line in text.split("\n")).strip("\n")


def _has_images(pdf_page: pdfium.PdfPage) -> bool:
    return any(True for _ in pdf_page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)))


# --- reading order ------------------------------------------------------------------


def _out_of_order(textpage: pdfium.PdfTextPage, settings: PdfSettings, display: Matrix) -> bool:
    """Does content order jump back up the page too often to be reading order?"""
    steps, backtracks = _backtracks(textpage, display)
    return backtracks >= settings.reorder_min_backtracks and backtracks >= settings.reorder_min_share * steps


def _backtracks(textpage: pdfium.PdfTextPage, display: Matrix) -> tuple[int, int]:
    """(run-to-run steps, steps that go up the page without moving to a column on the right).

    Going up and right is a new column (masthead, table cell); going up and
    left or straight up is text drawn out of reading order. "Up" is up the
    page as displayed: on a page turned by /Rotate, up the user space is sideways.
    """
    rects = [_displayed(textpage.get_rect(i), display) for i in range(textpage.count_rects())]
    backtracks = 0
    for prev, cur in zip(rects, rects[1:]):
        rises = cur[1] > prev[3] + _RISE_TOLERANCE
        new_column = cur[0] >= prev[2] - _RISE_TOLERANCE
        backtracks += rises and not new_column
    return max(len(rects) - 1, 0), backtracks


def _displayed(rect: Box, display: Matrix) -> Box:
    """A (left, bottom, right, top) box of user space, as (left, bottom, right, top) on the displayed page."""
    (ax, ay), (bx, by) = to_display(display, rect[:2]), to_display(display, rect[2:])
    return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def _reordered(plumber: "_PlumberFallback", page: _Page, raw: str) -> str:
    """The page's text in position order from pdfplumber; pdfium's text, with a note, if that fails."""
    try:
        text = plumber.page_text(page.number - 1)
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many exception types
        page.notes.append(f"text drawn out of reading order, kept as drawn (pdfplumber: {type(exc).__name__})")
        return raw
    page.engine = "pdfplumber"
    return text


class _PlumberFallback:
    """pdfplumber, opened only when a page needs it (it costs 20-50x pdfium per page)."""

    def __init__(self, path: Path):
        self.path = path
        self._pdf = None

    def page_text(self, index: int) -> str:
        if self._pdf is None:
            import pdfplumber

            self._pdf = pdfplumber.open(self.path)
        return self._pdf.pages[index].extract_text() or ""

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()


# --- tables -------------------------------------------------------------------------

Box = tuple[float, float, float, float]  # left, bottom, right, top (pt, origin bottom left)


def _with_tables(
    pdf_page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, raw: str, page: _Page, settings: PdfSettings,
) -> Spliced:
    """The page text with its ruled tables as tab-separated rows; unchanged on pages without rulings."""
    if not settings.read_tables:
        return Spliced.unchanged(raw)
    display = display_matrix(pdf_page)
    rules = page_rulings(pdf_page, settings, display)
    if not has_grid(rules, settings):
        return Spliced.unchanged(raw)
    tables = find_tables(rules, display_box(pdf_page), settings)
    if not tables:
        return Spliced.unchanged(raw)
    if textpage.count_chars() != len(raw):
        page.notes.append("ruled tables read as plain text (pdfium's text and characters do not line up)")
        return Spliced.unchanged(raw)
    spliced = splice_tables(raw, char_centers(textpage, raw, display), tables)
    page.tables = spliced.tables
    return spliced


# --- stamps -------------------------------------------------------------------------


def _merge_stamps(
    doc: pdfium.PdfDocument, index: int, pdf_page: pdfium.PdfPage, base: str, spliced: Spliced,
) -> tuple[str, int]:
    """Flatten the page's annotations and put each stamped word into its line.

    Places are found in `base`, pdfium's own text of the page, and carried
    over to `spliced`, the text the page ends up with (tables written as rows).
    """
    # pdfium flattens without a form environment too; pypdfium2's flatten() insists on one,
    # which a document without forms (a LibreOffice export with link annotations) never gets
    if pdfium_c.FPDFPage_Flatten(pdf_page.raw, pdfium_c.FLAT_NORMALDISPLAY) != pdfium_c.FLATTEN_SUCCESS:
        return spliced.text, 0
    pdf_page.close()
    textpage = doc[index].get_textpage()  # the flattened page, reloaded
    full = textpage.get_text_range()
    if not full.startswith(base) or textpage.count_chars() != len(full):
        return spliced.text, 0  # flattening changed the page's own text: keep it as it was
    words = _words(textpage, full, start=len(base))
    if not words:
        return spliced.text, 0
    chars = [(k, textpage.get_charbox(k)) for k in range(len(base)) if not base[k].isspace()]
    inserts = sorted((spliced.at(_insert_at(box, chars, len(base))), _center(box)[0], text) for text, box in words)
    return _splice(spliced.text, inserts), len(words)


def _words(textpage: pdfium.PdfTextPage, text: str, start: int) -> list[tuple[str, Box]]:
    """Whitespace-separated words of text[start:], each with its bounding box."""
    runs: list[tuple[str, list[Box]]] = []
    for k in range(start, len(text)):
        if text[k].isspace():
            continue
        if k == start or text[k - 1].isspace():
            runs.append(("", []))
        word, boxes = runs[-1]
        boxes.append(textpage.get_charbox(k))
        runs[-1] = (word + text[k], boxes)
    return [(word, _union(boxes)) for word, boxes in runs]


def _union(boxes: list[Box]) -> Box:
    lefts, bottoms, rights, tops = zip(*boxes)
    return min(lefts), min(bottoms), max(rights), max(tops)


def _center(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _insert_at(box: Box, chars: list[tuple[int, Box]], end: int) -> int:
    """Offset where a stamped word belongs: before the first character right of it on its line.

    A word on no line of the page's own text goes to the end (`end`).
    """
    x, y = _center(box)
    on_line = [(k, char) for k, char in chars if char[1] <= y <= char[3]]
    if not on_line:
        return end
    right_of = [k for k, char in on_line if _center(char)[0] > x]
    return min(right_of) if right_of else max(k for k, _ in on_line) + 1


def _splice(base: str, inserts: list[tuple[int, float, str]]) -> str:
    """Insert words at offsets, with a space where they would touch a letter or digit."""
    out: list[str] = []
    tail: list[str] = []
    last = 0
    for offset, _, word in inserts:
        if offset >= len(base):
            tail.append(word)
            continue
        out.append(base[last:offset])
        last = offset
        before = "".join(out)[-1:]
        out.append((" " if before and not before.isspace() else "") + word + (" " if base[offset].isalnum() else ""))
    out.append(base[last:])
    if tail:
        out.append("\n" + " ".join(tail))
    return "".join(out)


# --- OCR ------------------------------------------------------------------------------


def _read_by_ocr(doc: pdfium.PdfDocument, pages: list[_Page], settings: PdfSettings) -> None:
    """Give the pages without a usable text layer Tesseract's text; say on each why not when it cannot."""
    todo = [page for page in pages if page.status in OCR_STATUSES]
    if not todo or not settings.ocr.enabled:  # turned off: the pages are skipped as before OCR
        return
    missing = ocr_engine.missing(settings.ocr)
    if missing:
        for page in todo:
            page.ocr_problem = missing
        return
    results = ocr_engine.read_pages((doc[page.number - 1] for page in todo), settings)
    for page, result in zip(todo, results):
        _take_ocr(page, result, settings.ocr)


def _take_ocr(page: _Page, result: OcrPage | OcrError, settings: OcrSettings) -> None:
    """Judge the OCR text like a text layer; keep it when usable, else leave the page as it was, with the reason."""
    if isinstance(result, OcrError):
        page.ocr_problem = f"OCR failed: {result}"
        return
    text = clean_page_text(result.text)
    if not text.strip():
        page.ocr_problem = "OCR found no text"
        return
    judged = quality.text_quality(text)
    problem = quality.problem(judged)
    if problem:
        page.ocr_problem = f"OCR text unusable too ({problem})"
        return
    if page.status == "unusable":
        page.notes.append(f"unusable text layer ({page.problem}), read by OCR")
    if result.confidence is not None and result.confidence < settings.min_confidence:
        page.notes.append(f"low OCR confidence {result.confidence:.2f}, check the text")
    page.text, page.quality, page.problem, page.status = text, judged, None, "ok"
    page.engine, page.ocr, page.tables = ocr_engine.ENGINE, True, result.tables
    page.ocr_confidence, page.ocr_words = result.confidence, result.words


def _ocr_summary(pages: list[_Page], settings: OcrSettings) -> str | None:
    """'pages 1–2 read by OCR (Tesseract vie), mean confidence 0.87': the mean is over all their words."""
    read = [page for page in pages if page.ocr]
    words = sum(page.ocr_words for page in read)
    if not read or not words:
        return None
    mean = sum((page.ocr_confidence or 0.0) * page.ocr_words for page in read) / words
    label = "page" if len(read) == 1 else "pages"
    low = " (low: check the text)" if mean < settings.min_confidence else ""
    return (f"{label} {_page_ranges([page.number for page in read])} read by OCR "
            f"(Tesseract {'+'.join(settings.languages)}), mean confidence {mean:.2f}{low}")


def _page_ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5] -> '1–3, 5'."""
    ranges: list[list[int]] = []
    for n in numbers:
        if ranges and n == ranges[-1][1] + 1:
            ranges[-1][1] = n
        else:
            ranges.append([n, n])
    return ", ".join(f"{a}–{b}" if a != b else f"{a}" for a, b in ranges)


# --- judging and assembling -----------------------------------------------------------


def _judge(page: _Page) -> None:
    """Score a page with text; mark it unusable when the text layer is garbage."""
    if page.status != "ok":
        return
    page.quality = quality.text_quality(page.text)
    page.problem = quality.problem(page.quality)
    if page.problem:  # a page typed in TCVN3 or VNI reads as garbage until it is converted
        page.quality = quality.text_quality(_as_normalize_reads_it(page.text))
        page.problem = quality.problem(page.quality)
    if page.problem:
        page.status = "unusable"


def _as_normalize_reads_it(text: str) -> str:
    """The page's text after legacy-font conversion and diacritic repair, which normalization
    applies later: asked only of a page that fails as it stands, so sound pages are repaired once."""
    from ..encoding import repair_lines

    return "\n".join(repair_lines(text.split("\n"), from_pdf=True).lines)


def _raise_if_unusable(path: Path | str, pages: list[_Page]) -> None:
    if any(page.status == "ok" for page in pages):
        return
    bad = [page for page in pages if page.status == "unusable"]
    if not bad:
        unreadable = [page for page in pages if page.status == "unreadable"]
        if unreadable and len(unreadable) == len(pages):
            raise LoadError(path, f"corrupt PDF: no page can be read ({unreadable[0].problem})")
        raise LoadError(path, NO_TEXT_LAYER + _why_not_ocr(pages))
    overall = quality.text_quality("\n".join(page.text for page in bad))
    reason = quality.problem(overall) or bad[0].problem
    raise LoadError(path, f"unusable text layer: {reason} ({_hint(overall)}){_why_not_ocr(bad)}")


def _why_not_ocr(pages: list[_Page]) -> str:
    """'; OCR needs Tesseract …': why OCR did not save the pages (the first reason), or ''."""
    reason = next((page.ocr_problem for page in pages if page.ocr_problem), None)
    return f"; {reason}" if reason else ""


def _hint(q: quality.TextQuality) -> str:
    if q.judged and q.vietnamese_share < quality.MIN_VIETNAMESE_SHARE and q.valid_share >= quality.MIN_VALID_SHARE:
        return "OCR or text without Vietnamese diacritics?"
    return "fonts without a Unicode map?"


def _assemble(path: Path | str, pages: list[_Page], ocr: OcrSettings | None = None) -> LoadedText:
    """Join usable pages with form feeds; dropped pages stay as empty pages so numbering holds."""
    texts, starts, warnings = [], [], []
    offset = 0
    for page in pages:
        text = page.text if page.status == "ok" else ""
        starts.append((offset, page.number))
        texts.append(text)
        offset += len(text) + len(PAGE_SEPARATOR)
        warnings += [f"page {page.number}: {note}" for note in page.notes]
        warning = _warning(page)
        if warning:
            warnings.append(warning)
    summary = _ocr_summary(pages, ocr or OcrSettings())
    if summary:
        warnings.append(summary)
    return LoadedText(
        path=str(path),
        format="pdf",
        text=PAGE_SEPARATOR.join(texts),
        pages=OffsetMap.from_pairs(starts),
        page_count=len(pages),
        warnings=warnings,
        page_info=[page.info() for page in pages],
    )


def _warning(page: _Page) -> str | None:
    # "; OCR needs Tesseract …: apt install …" ends the line, so that the command can be copied
    skipped = f"; {page.ocr_problem}" if page.ocr_problem else ", page skipped"
    if page.status == "unusable":
        return f"page {page.number}: unusable text layer ({page.problem}){skipped}"
    if page.status == "image-only":
        return f"page {page.number}: no text layer (scanned page?){skipped}"
    if page.status == "unreadable":
        return f"page {page.number}: {page.problem}, page skipped"
    return None

"""OCR of a PDF page that has no usable text layer: pdfium renders it, Tesseract reads it.

Many plans reach us as scans of signed paper: pages that are one image, or
images under a hidden OCR layer made without Vietnamese (see
`pipeline.quality`). Such a page is rendered at `OcrSettings.dpi`, read by
Tesseract with its Vietnamese model, and its words are laid out again as
lines in Tesseract's reading order (block, paragraph, line), one visual
line per text line as pdfium gives a text layer, so the page then goes the
way of any text page: judged, normalized, segmented.

Why the `tesseract` command and not pytesseract: pytesseract is a thin
wrapper that writes every image to a temporary file and takes the binary's
path from a module global. Calling the command ourselves is as short
(`subprocess.run` with a timeout, the image on stdin as PGM, TSV on stdout),
keeps the command in the settings, and adds no dependency.

Tesseract runs single-threaded (OMP_THREAD_LIMIT=1): on a page of seed 003
at 300 dpi on 2 cores its OpenMP threads made it 3-4 times slower (10.5 s
against 2.7 s); pages are read in parallel instead (`OcrSettings.workers`).

Tables: Tesseract reads a ruled table as loose words. The rules are found
in the page image (long dark runs each way, `find_rules`), given to the same
table finder as the rules of a text-layer page (`pdf_tables.find_tables`),
erased from the image so that Tesseract does not read them as "|" or "_",
and the words, each character placed at its word's centre, are written as
tab-separated rows by `pdf_tables.splice_tables`, as for a text-layer table.
"""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import numpy as np
import pypdfium2 as pdfium

from .pdf_tables import PageTable, Point, Rule, display_box, find_tables, has_grid, splice_tables

if TYPE_CHECKING:  # the table settings live with the loader that owns them
    from .pdf import PdfSettings

ENGINE = "tesseract"
POINTS_PER_INCH = 72
# apt packages and readable names of the languages Tesseract is asked for
LANGUAGE_NAMES = {"vie": "Vietnamese", "eng": "English"}
LIST_TIMEOUT = 30  # seconds for `tesseract --list-langs`
# Tesseract's TSV: level 5 rows are words.
_WORD_LEVEL = "5"
# Pixels erased on each side of a rule found in a page image: its grey, anti-aliased edges.
RULE_HALO = 2
# Rows (pixels) between the runs of one rule: a rule tilted by the scanner steps one row at a time.
RULE_DRIFT = 2
# A rule is pieced together from runs at least 1/RULE_PIECES of `rule_min_length` (a tilted
# rule's run on one pixel row is short; letters' strokes are shorter still).
RULE_PIECES = 8
_TSV_COLUMNS = 12


# Pages OCR'd at once when `OcrSettings.workers` is None; batch workers set it to 1, since
# they already run one per core.
OCR_WORKERS_ENV = "KEHOACH_OCR_WORKERS"


@dataclass(frozen=True)
class OcrSettings:
    """How scanned pages are read; the defaults are what the measurements support."""

    # OCR pages without a text layer and pages whose text layer is garbage.
    enabled: bool = True
    # Tesseract language models, joined with "+" (`tesseract -l vie+eng`).
    languages: tuple[str, ...] = ("vie",)
    # Render resolution: Tesseract is trained on text about 20-30 px high, i.e. 300 dpi.
    dpi: int = 300
    # Seconds Tesseract may spend on one page before it is stopped (measured: 2-4 s a page).
    timeout: float = 120.0
    # Pages read at once; None: one per core.
    workers: int | None = None
    command: str = "tesseract"
    # Mean word confidence under which a page is flagged for checking.
    min_confidence: float = 0.70
    # Ruled tables on scanned pages (see `find_rules`), in pt: a rule is a dark run
    # at least this long, pieces of a broken rule are joined across gaps this wide,
    # and a run thicker than `rule_max_thickness` is a filled area, not a rule.
    rule_min_length: float = 30.0
    rule_gap: float = 3.0
    rule_max_thickness: float = 3.0
    # Threads of one Tesseract process (OMP_THREAD_LIMIT); pages run in parallel instead.
    threads: int = 1

    def __post_init__(self) -> None:
        if not self.languages:
            raise ValueError("languages cannot be empty")
        if self.dpi < 50 or self.timeout <= 0:
            raise ValueError("dpi must be >= 50 and timeout > 0")
        if self.workers is not None and self.workers < 1:
            raise ValueError("workers must be >= 1 (or None: one per core)")
        if self.threads < 1:
            raise ValueError("threads must be >= 1")
        if not 0 <= self.min_confidence <= 1:
            raise ValueError("min_confidence must be within 0..1")
        if min(self.rule_min_length, self.rule_gap, self.rule_max_thickness) < 0:
            raise ValueError("rule_min_length, rule_gap and rule_max_thickness cannot be negative")

    @property
    def scale(self) -> float:
        """Pixels per point of the rendered page."""
        return self.dpi / POINTS_PER_INCH


class OcrError(Exception):
    """Tesseract could not read a page (timeout, crash); the message says why, in a few words."""


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float  # 0-1
    box: tuple[int, int, int, int]  # left, top, right, bottom (px, origin top left)
    line: tuple[int, int, int]  # Tesseract's (block, paragraph, line)


@dataclass(frozen=True)
class OcrPage:
    """What OCR made of one page: text as a text layer would give it, and how sure Tesseract was."""

    text: str
    confidence: float | None  # mean word confidence 0-1; None when no word was found
    words: int
    tables: int = 0  # ruled tables written as tab-separated rows


# --- is Tesseract there? ---------------------------------------------------------------


def install_hint(settings: OcrSettings) -> str:
    """'OCR needs Tesseract with Vietnamese data: apt install tesseract-ocr tesseract-ocr-vie'."""
    names = " and ".join(LANGUAGE_NAMES.get(lang, lang) for lang in settings.languages)
    packages = " ".join(f"tesseract-ocr-{lang.lower().replace('_', '-')}" for lang in settings.languages)
    return f"OCR needs Tesseract with {names} data: apt install tesseract-ocr {packages}"


def missing(settings: OcrSettings) -> str | None:
    """What to install when OCR cannot run here (no binary, or no data for a language); None when it can.

    Both causes get the same hint: the apt command installs what is missing either way.
    """
    try:
        listed = subprocess.run(
            [settings.command, "--list-langs"], capture_output=True, text=True, timeout=LIST_TIMEOUT,
            env=_env(settings),
        )
    except (OSError, subprocess.TimeoutExpired):
        return install_hint(settings)
    have = set(listed.stdout.split())
    if listed.returncode != 0 or any(lang not in have for lang in settings.languages):
        return install_hint(settings)
    return None


def _env(settings: OcrSettings) -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": str(settings.threads)}


# --- one page ---------------------------------------------------------------------------


def render(pdf_page: Any, settings: OcrSettings) -> np.ndarray:
    """The page as displayed (/Rotate applied), grey, at `settings.dpi`: rows x columns of uint8."""
    bitmap = pdf_page.render(scale=settings.scale, grayscale=True)
    image = bitmap.to_numpy()
    return image.reshape(image.shape[:2]).copy()


@dataclass(frozen=True)
class Prepared:
    """A rendered page and its ruled tables: pdfium's part of the work, done in the main thread."""

    image: np.ndarray
    height: float  # pt, the page as displayed
    tables: tuple[PageTable, ...] = ()


def prepare(pdf_page: Any, settings: PdfSettings) -> Prepared:
    """Render the page; when its image draws a ruled grid, find the tables and erase the rules."""
    ocr = settings.ocr
    image = render(pdf_page, ocr)
    page_box = display_box(pdf_page)
    if not settings.read_tables:
        return Prepared(image, page_box[3])
    dark = binarize(image)
    found = find_rules(dark, ocr, page_box[3])
    rules = [rule.rule for rule in found]
    tables = find_tables(rules, page_box, settings) if has_grid(rules, settings) else []
    if tables:
        image = _erase_table_rules(image, dark, found, tables, settings, page_box[3])
    return Prepared(image, page_box[3], tuple(tables))


def read_rendered(page: Prepared, settings: PdfSettings) -> OcrPage:
    """Tesseract's words laid out as lines, tables as rows; may raise OcrError."""
    ocr = settings.ocr
    words = tesseract_words(page.image, ocr)
    text, centers = lay_out(words, ocr.scale, page.height)
    tables = 0
    if page.tables:
        spliced = splice_tables(text, centers, page.tables)
        text, tables = spliced.text, spliced.tables
    return OcrPage(text, mean_confidence(words), len(words), tables)


def read_pages(pdf_pages: Iterable[Any], settings: PdfSettings) -> Iterable[OcrPage | OcrError]:
    """OCR pages in order, `workers` at a time: pdfium renders here, Tesseract processes run in threads.

    A page Tesseract fails on yields its OcrError, so the other pages are still read.
    Pages are rendered one batch ahead at most, to bound the memory held by images.
    """
    workers = settings.ocr.workers or int(os.environ.get(OCR_WORKERS_ENV) or 0) or os.cpu_count() or 1
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        pending: list[Future] = []
        for pdf_page in pdf_pages:
            try:
                pending.append(pool.submit(_read_or_error, prepare(pdf_page, settings), settings))
            except pdfium.PdfiumError as exc:
                pending.append(_done(OcrError(f"the page cannot be rendered ({exc})")))
            if len(pending) >= workers:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()
    finally:  # stopped early (a time limit, an error): queued pages are not read
        pool.shutdown(wait=False, cancel_futures=True)


def _read_or_error(page: Prepared, settings: PdfSettings) -> OcrPage | OcrError:
    try:
        return read_rendered(page, settings)
    except OcrError as exc:
        return exc


def _done(result: OcrError) -> Future:
    future: Future = Future()
    future.set_result(result)
    return future


def mean_confidence(words: Sequence[Word]) -> float | None:
    return sum(word.confidence for word in words) / len(words) if words else None


# --- Tesseract --------------------------------------------------------------------------


def tesseract_words(image: np.ndarray, settings: OcrSettings) -> list[Word]:
    """Tesseract's words of a grey image, in its reading order."""
    command = [settings.command, "stdin", "stdout", "-l", "+".join(settings.languages), "--dpi", str(settings.dpi),
               "tsv"]
    try:
        done = subprocess.run(command, input=_pgm(image), capture_output=True, timeout=settings.timeout,
                              env=_env(settings))
    except subprocess.TimeoutExpired as exc:
        raise OcrError(f"Tesseract took more than {settings.timeout:g} s") from exc
    except OSError as exc:
        raise OcrError(f"Tesseract cannot be run ({exc.strerror or exc})") from exc
    if done.returncode != 0:
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
        raise OcrError(f"Tesseract failed ({last})")
    return parse_tsv(done.stdout.decode("utf-8", "replace"))


def _pgm(image: np.ndarray) -> bytes:
    """A grey image as binary PGM, which Tesseract (Leptonica) reads from stdin without compression."""
    rows, columns = image.shape
    return b"P5\n%d %d\n255\n" % (columns, rows) + np.ascontiguousarray(image, dtype=np.uint8).tobytes()


def parse_tsv(tsv: str) -> list[Word]:
    """Words of Tesseract's TSV output; layout rows (blocks, lines) and empty words are dropped."""
    words = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t", _TSV_COLUMNS - 1)
        if len(cells) < _TSV_COLUMNS or cells[0] != _WORD_LEVEL or not cells[11].strip():
            continue
        block, par, line = (int(v) for v in cells[2:5])
        left, top, width, height = (int(v) for v in cells[6:10])
        confidence = max(float(cells[10]), 0.0) / 100
        words.append(Word(cells[11].strip(), confidence, (left, top, left + width, top + height), (block, par, line)))
    return words


def lay_out(words: Sequence[Word], scale: float, page_height: float) -> tuple[str, list[Point | None]]:
    """Words as text lines (Tesseract's lines, in its order) and each character's place on the page.

    Places are in the display space of `pdf_tables` (pt, origin bottom left):
    each character stands at its word's centre, spaces and line breaks have none.
    """
    pieces: list[str] = []
    centers: list[Point | None] = []
    previous = None
    for word in words:
        if previous is not None:
            pieces.append(" " if word.line == previous else "\n")
            centers.append(None)
        left, top, right, bottom = word.box
        center = ((left + right) / 2 / scale, page_height - (top + bottom) / 2 / scale)
        pieces.append(word.text)
        centers.extend([center] * len(word.text))
        previous = word.line
    return "".join(pieces), centers


# --- ruled tables in the image ----------------------------------------------------------


def binarize(image: np.ndarray) -> np.ndarray:
    """Ink (True) and paper by Otsu's threshold: scans differ too much in paper and ink for a fixed one.

    A page of one grey level (a blank scan) has no ink.
    """
    histogram = np.bincount(image.ravel(), minlength=256).astype(float)
    if np.count_nonzero(histogram) < 2:
        return np.zeros(image.shape, dtype=bool)
    levels = np.arange(256)
    weight = np.cumsum(histogram)
    total = weight[-1]
    mass = np.cumsum(histogram * levels)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mass[-1] * weight / total - mass) ** 2 / (weight * (total - weight))
    threshold = int(np.nanargmax(between[:-1]))
    return image <= threshold


def find_rules(dark: np.ndarray, settings: OcrSettings, page_height: float) -> list[FoundRule]:
    """Horizontal and vertical rules drawn in a page image, each with its pixels.

    Rules come in the display space of `pdf_tables` (pt, y up), ready for
    `find_tables`. A rule is a run of ink at least `rule_min_length` long,
    pieced together from runs on neighbouring pixel rows, so that a line a
    scanner tilted or broke is still one rule.
    """
    scale = settings.scale
    found: list[FoundRule] = []
    for across, low, high, (rows, columns) in _long_lines(dark, settings):
        found.append(FoundRule(("h", page_height - across / scale, low / scale, high / scale), (rows, columns)))
    for across, low, high, (columns, rows) in _long_lines(dark.T, settings):
        rule = ("v", across / scale, page_height - high / scale, page_height - low / scale)
        found.append(FoundRule(rule, (rows, columns)))
    return found


@dataclass(frozen=True)
class FoundRule:
    rule: Rule
    pixels: tuple[np.ndarray, np.ndarray]  # (rows, columns) of its ink in the image


def _erase_table_rules(
    image: np.ndarray, dark: np.ndarray, found: Sequence[FoundRule], tables: Sequence[PageTable],
    settings: PdfSettings, page_height: float,
) -> np.ndarray:
    """The image without the rules of its tables, which Tesseract reads as "|" and "_".

    Only rules on the edge of a table's cell, and only their pixels inside
    the table's box: an underline elsewhere is left alone (erasing it clips
    the letters that touch it), and so are the "rules" a row of bold letter
    tops makes inside a cell, and a letter just outside a table that a rule
    was chained to. Around a rule goes a pixel of anything (specks of the
    rule's ragged edge) and its grey edge, not more of the ink of a letter
    that sits on it.
    """
    scale = settings.ocr.scale
    edges = [_cell_edges(table) for table in tables]
    rules = np.zeros(image.shape, dtype=bool)
    for rule in found:
        if any(_on_edge(rule.rule, table_edges, settings.table_snap_tolerance) for table_edges in edges):
            rules[rule.pixels] = True
    inside = np.zeros(image.shape, dtype=bool)
    margin = RULE_HALO + 1
    for left, bottom, right, top in (table.box for table in tables):
        row0, row1 = int((page_height - top) * scale) - margin, int((page_height - bottom) * scale) + margin + 1
        col0, col1 = int(left * scale) - margin, int(right * scale) + margin + 1
        inside[max(row0, 0):row1, max(col0, 0):col1] = True
    rules &= inside
    erased = image.copy()
    erased[_grow(rules, 1) | (_grow(rules, RULE_HALO) & ~dark)] = 255
    return erased


def _cell_edges(table: PageTable) -> tuple[set[float], set[float]]:
    """(ys of the cells' tops and bottoms, xs of their sides), pt."""
    boxes = [box for row in table.cells for box in row if box is not None]
    return {y for box in boxes for y in (box[1], box[3])}, {x for box in boxes for x in (box[0], box[2])}


def _on_edge(rule: Rule, edges: tuple[set[float], set[float]], tolerance: float) -> bool:
    orientation, at = rule[0], rule[1]
    return any(abs(at - edge) <= tolerance for edge in edges[0 if orientation == "h" else 1])


_Line = tuple[float, float, float, tuple[np.ndarray, np.ndarray]]  # centre across, start, end (px), pixels


def _long_lines(dark: np.ndarray, settings: OcrSettings) -> list[_Line]:
    """Lines along the rows of `dark` (each row a pixel row): runs joined across rows and small gaps."""
    scale = settings.scale
    gap = max(int(round(settings.rule_gap * scale)), 1)
    runs = _runs(dark, min_length=max(int(settings.rule_min_length * scale) // RULE_PIECES, 2))
    lines = []
    for group in _chain(runs, gap):
        rows, starts, ends = group[:, 0], group[:, 1], group[:, 2]
        length = int(ends.max() - starts.min())
        ink = int((ends - starts).sum())
        if length < settings.rule_min_length * scale or ink / length > settings.rule_max_thickness * scale:
            continue
        pixels = _run_pixels(group)
        center = float(np.average(rows + 0.5, weights=ends - starts))
        lines.append((center, float(starts.min()), float(ends.max()), pixels))
    return lines


def _runs(dark: np.ndarray, min_length: int) -> np.ndarray:
    """(row, start, end) of each run of ink along a row at least `min_length` long, row by row."""
    padded = np.zeros((dark.shape[0], dark.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = dark
    steps = np.diff(padded, axis=1)
    rows, starts = np.nonzero(steps == 1)
    _, ends = np.nonzero(steps == -1)  # row-major order: the k-th end closes the k-th start
    keep = ends - starts >= min_length
    return np.column_stack((rows[keep], starts[keep], ends[keep]))


def _chain(runs: np.ndarray, gap: int) -> list[np.ndarray]:
    """Group runs into lines: a run joins the lines it continues on the same or a neighbouring row.

    Neighbouring: up to RULE_DRIFT rows away (a tilted or thick rule), and
    touching a line's recent runs or within `gap` of them along the row (a
    rule the scanner broke). A run that continues two lines makes them one.
    """
    parent = list(range(len(runs)))  # union-find over runs

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    tails: list[tuple[int, int, int, int]] = []  # (run, row, start, end) of runs on recent rows
    for k, (row, start, end) in enumerate(runs):
        tails = [tail for tail in tails if row - tail[1] <= RULE_DRIFT]
        for other, _, s, e in tails:
            if start <= e + gap and end >= s - gap:
                parent[root(other)] = root(k)
        tails.append((k, int(row), int(start), int(end)))
    groups: dict[int, list[int]] = {}
    for k in range(len(runs)):
        groups.setdefault(root(k), []).append(k)
    return [runs[members] for members in groups.values()]


def _grow(mask: np.ndarray, by: int) -> np.ndarray:
    """The mask widened by `by` pixels each way: a scanned rule's grey edges are not ink, but still a rule."""
    grown = mask.copy()
    for shift in range(1, by + 1):
        grown[shift:] |= mask[:-shift]
        grown[:-shift] |= mask[shift:]
        grown[:, shift:] |= mask[:, :-shift]
        grown[:, :-shift] |= mask[:, shift:]
    return grown


def _run_pixels(group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of every pixel of a group's runs, for erasing them."""
    lengths = group[:, 2] - group[:, 1]
    rows = np.repeat(group[:, 0], lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return rows, np.repeat(group[:, 1], lengths) + offsets

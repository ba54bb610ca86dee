"""Normalization: raw loader text -> clean paragraphs with page provenance.

Two kinds of steps, each a small named function:

* character steps work inside one line (Unicode NFC and tone placement, dash,
  quote and space variants, LaTeX and Markdown remnants);
* line steps work on the list of lines (page furniture, footnotes, lines
  wrapped mid-sentence by a PDF layout).

Lines carry the page and paragraph they came from, so the output text keeps an
offset -> page map however lines are dropped or joined. Output paragraphs are
separated by one "\\n"; table rows keep their cells separated by "\\t".
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable

import regex

from .encoding import repair_lines
from .headings import match_heading
from .load.base import LoadedText, OffsetMap
from .model import Footnote
from .numerals import ascii_digits
from .rules import load as load_rules
from .textshape import (
    FROM_SUPERSCRIPT, SUPERSCRIPT_DIGITS, TO_SUPERSCRIPT, ends_sentence, is_all_caps, is_table_row, join_wrapped,
    joins_tight, starts_lower, starts_upper,
)


@dataclass
class Line:
    text: str
    page: int | None = None
    para: int | None = None
    # PDF text: the line-role model's class when it is sure of it (pipeline/line_roles.py); the
    # line steps let it decide only where their rules are unsure
    advice: str | None = None


@dataclass
class NormalizedText:
    text: str
    pages: OffsetMap
    paragraphs: OffsetMap
    footnotes: list[Footnote] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        return self.pages.at(offset) if self.pages else None


# --------------------------------------------------------------------------
# Vocabulary (rules/normalize.yaml), loaded once
# --------------------------------------------------------------------------


def rules() -> dict:
    return load_rules("normalize.yaml")


@lru_cache(maxsize=1)
def _char_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for key in ("dashes", "double_quotes", "single_quotes", "spaces", "invisible"):
        entry = rules()[key]
        for ch in entry["chars"]:
            table[ord(ch)] = entry["to"]
    return table


@lru_cache(maxsize=1)
def _tone_fixes() -> tuple[regex.Pattern, dict[str, str]]:
    """Map old-style 'oà' to new-style 'òa' (and oe, uy) at the end of a syllable."""
    tones = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
    mapping: dict[str, str] = {}
    for pair in rules()["tone_placement"]["pairs"]:
        for first, second in ((pair[0], pair[1]), (pair[0].upper(), pair[1].upper()), (pair[0].upper(), pair[1])):
            for tone in tones:
                old = first + unicodedata.normalize("NFC", second + tone)
                new = unicodedata.normalize("NFC", first + tone) + second
                mapping[old] = new
    alternatives = "|".join(sorted(map(regex.escape, mapping), key=len, reverse=True))
    # not after q (qu- is an onset: "quý" is right in both styles), not before a letter (coda)
    pattern = regex.compile(rf"(?<![qQ])({alternatives})(?!\p{{L}}|\p{{M}})")
    return pattern, mapping


# --------------------------------------------------------------------------
# Character steps (one line in, one line out)
# --------------------------------------------------------------------------


def unicode_nfc(line: str) -> str:
    """NFC, then one tone placement, so 'hoà'/'hòa' and 'thuỷ'/'thủy' compare equal."""
    line = unicodedata.normalize("NFC", line)
    pattern, mapping = _tone_fixes()
    return pattern.sub(lambda m: mapping[m.group(1)], line)


def dashes_quotes_spaces(line: str) -> str:
    return line.translate(_char_table())


_LATEX_MATH = regex.compile(r"\$([^$\n]{1,60})\$")
_LATEX_CMD = regex.compile(r"\\[a-zA-Z]+|\\%")


def latex_remnants(line: str) -> str:
    """`$\\geq 80$` -> `≥ 80`: converters leave short math spans around comparators."""
    if "$" not in line and "\\" not in line:
        return line
    commands = rules()["latex_commands"]["map"]

    def fix_math(m: regex.Match) -> str:
        body = _LATEX_CMD.sub(lambda c: commands.get(c.group(0), c.group(0)), m.group(1))
        return " ".join(body.split())

    line = _LATEX_MATH.sub(fix_math, line)
    return _LATEX_CMD.sub(lambda c: commands.get(c.group(0), c.group(0)), line)


_MD_HEADING = regex.compile(r"^\s{0,3}#{1,6}\s+")
_MD_TAGS = regex.compile(r"</?(?:b|i|u|em|strong|sup|sub|span|p|br)\s*/?>", regex.I)
_MD_STRONG = regex.compile(r"\*\*\*|\*\*|__")
_MD_EM = regex.compile(r"(?<![\p{L}\p{N}*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\p{L}\p{N}*])")
_MD_NESTED_BULLET = regex.compile(r"^(\s*)[-*]\s+(?=[-+•]\s)")
_MD_AUTOLINK = regex.compile(r"<((?:https?|ftp)://[^>\s]+)>")


def markdown_markers(line: str) -> str:
    """Drop `##`, `**`, `*…*`, `<b>` and `- +` double bullets; keep the words."""
    if not any(ch in line for ch in "#*_<-"):
        return line
    line = _MD_HEADING.sub("", line)
    line = _MD_AUTOLINK.sub(r"\1", line)
    line = _MD_TAGS.sub("", line)
    line = _MD_STRONG.sub("", line)
    line = _MD_EM.sub(r"\1", line)
    return _MD_NESTED_BULLET.sub(r"\1", line)


_SPACES = regex.compile(r"[ ]{2,}")


def whitespace(line: str) -> str:
    """Collapse runs of spaces; keep tabs (cell separators) but trim spaces around them.

    Trailing empty cells go, but a row whose only text is in its first cell (a
    heading row spanning the table, "A.1 Nhà/khoang cháy …") keeps one tab: it
    is still a row, and losing it would cut its table in two.
    """
    if "\t" in line:
        cells = [_SPACES.sub(" ", cell).strip() for cell in line.split("\t")]
        if not any(cells):
            return ""
        row = "\t".join(cells).rstrip("\t")
        return row if "\t" in row else row + "\t"
    return _SPACES.sub(" ", line).strip()


CHAR_STEPS: dict[str, Callable[[str], str]] = {
    "unicode_nfc": unicode_nfc,
    "dashes_quotes_spaces": dashes_quotes_spaces,
    # "٢٠٢٥", "１２" -> "2025", "12"; int() cannot read the digits of newer Unicode versions that a regex \d matches
    "ascii_digits": ascii_digits,
    "latex_remnants": latex_remnants,
    "markdown_markers": markdown_markers,
    "whitespace": whitespace,
    # again: dropping an invisible character or a marker can put a mark next to its letter ("A\u00ad\u0300")
    "recompose": unicode_nfc,
}


def clean_line(line: str, steps: Iterable[str] = tuple(CHAR_STEPS)) -> str:
    """The character steps, and again while that shortens the line: a removal can uncover another
    remnant ("<<b>b>" -> "<b>", a "$…$" span short enough once its spaces are collapsed), and a
    line cleaned once must come out of cleaning unchanged."""
    functions = [_char_step(name) for name in steps]
    once = _apply(functions, line)
    while len(again := _apply(functions, once)) < len(once):
        once = again
    return once


def _char_step(name: str) -> Callable[[str], str]:
    try:
        return CHAR_STEPS[name]
    except KeyError:
        raise ValueError(f"unknown normalization step {name!r}; valid: {', '.join(CHAR_STEPS)}") from None


def _apply(functions: list[Callable[[str], str]], line: str) -> str:
    for step in functions:
        line = step(line)
    return line


# --------------------------------------------------------------------------
# Line shapes shared by the line steps
# --------------------------------------------------------------------------

# Lines that open a block although they are not headings (those come from
# rules/structure.yaml through `match_heading`).
_OTHER_BLOCK_START = regex.compile(
    r"""^(?:
        (?:PHỤ\sLỤC|Phụ\slục|Nơi\snhận|Kính\sgửi|Căn\scứ|Số\s*:|KT\.|TM\.|TL\.|TUQ\.|Q\.\s)
      | \(Kèm\stheo
      | \*\s                                   # a Markdown bullet left after cleaning
      | \d{1,3}\s*$                             # a number alone (row number, page number)
    )""",
    regex.X,
)
_NUMBER_OR_DATE_START = regex.compile(r"^\d{1,4}\s*[/-]\s*[\dA-ZĐ]")
_APPENDIX_HEAD = regex.compile(r"^(?:PHỤ\s*LỤC|Phụ\s*lục)(?:\s+(?:số\s*)?[IVXLC\d]+[A-Za-z]?)?\s*[.:]?\s*$")


def is_block_start(line: str) -> bool:
    """A heading, a list item or another opener: a wrapped line never goes on into it."""
    return match_heading(line) is not None or bool(_OTHER_BLOCK_START.match(line))


# --------------------------------------------------------------------------
# Line steps
# --------------------------------------------------------------------------

_PAGE_NUMBER = regex.compile(r"^(?:-\s*)?(?:Trang\s+)?\d{1,3}(?:\s*/\s*\d{1,3})?(?:\s*-)?$", regex.I)


def drop_page_furniture(lines: list[Line], page_breaks: bool) -> list[Line]:
    """Remove page numbers and running headers/footers.

    With real page boundaries (PDF), furniture is what sits at the top or bottom
    of pages: page-number lines, and lines repeated on many pages. Without them
    (text extracted elsewhere), only a page-number line that interrupts a
    sentence is certain: the line before does not end it and the next one
    continues it in lower case.
    """
    if page_breaks:
        return _drop_edge_furniture(lines)
    keep: list[Line] = []
    for i, line in enumerate(lines):
        if _PAGE_NUMBER.match(line.text) and _interrupts_sentence(lines, i):
            continue
        keep.append(line)
    return keep


def _interrupts_sentence(lines: list[Line], i: int) -> bool:
    prev = next((ln.text for ln in reversed(lines[:i]) if ln.text), "")
    nxt = next((ln.text for ln in lines[i + 1 :] if ln.text), "")
    return bool(prev) and not ends_sentence(prev) and not is_table_row(prev) and starts_lower(nxt)


_EDGE_LINES = 2  # lines at the top and bottom of a page that may be furniture


def _drop_edge_furniture(lines: list[Line]) -> list[Line]:
    by_page: dict[int | None, list[int]] = {}
    for i, line in enumerate(lines):
        if line.text:
            by_page.setdefault(line.page, []).append(i)
    edges = {p: _edge_indices(idx) for p, idx in by_page.items()}
    shape_pages: Counter[str] = Counter()
    for p, idx in edges.items():
        for shape in {_shape(lines[i].text) for i in idx}:
            shape_pages[shape] += 1
    min_repeats = max(2, int(0.4 * len(by_page)))

    def is_furniture(i: int) -> bool:
        text = lines[i].text
        repeated = shape_pages[_shape(text)] >= min_repeats and not is_table_row(text)
        return _edge_line_is_furniture(lines[i], repeated)

    drop = {i for idx in edges.values() for i in idx if is_furniture(i)}
    for idx in by_page.values():
        drop |= _second_from_edge(idx, drop, is_furniture)
    return [line for i, line in enumerate(lines) if i not in drop]


def _edge_line_is_furniture(line: Line, repeated: bool) -> bool:
    """An edge line repeated on many pages or shaped like a page number is furniture, unless the
    line-role model is sure a page-number-shaped line is not (a footnote label, a table's row
    number at the foot of a page: numbers repeat at page edges); where the model is sure a line
    no rule recognises is furniture, it is. A repeated line of words stays the rules'."""
    page_number = bool(_PAGE_NUMBER.match(line.text))
    if line.advice is not None and (page_number or not repeated):
        return line.advice == "furniture"
    return page_number or repeated


def _second_from_edge(idx: list[int], drop: set[int], is_furniture: Callable[[int], bool]) -> set[int]:
    """On a short page, the line next to a dropped edge line when it is furniture too.

    A short page only has its very first and last lines as edges, but the
    last page of a table often holds a running header, a page number and a
    few rows: the page number left behind would cut the table in two.
    """
    if len(idx) > 2 * _EDGE_LINES + 1 or len(idx) < 3:
        return set()
    more = set()
    for edge, inner in ((idx[0], idx[1]), (idx[-1], idx[-2])):
        if edge in drop and is_furniture(inner):
            more.add(inner)
    return more


def _edge_indices(idx: list[int]) -> list[int]:
    """First and last lines of a page; on a short page only the very first and last."""
    depth = _EDGE_LINES if len(idx) > 2 * _EDGE_LINES + 1 else 1
    return sorted(set(idx[:depth] + idx[-depth:]))


def _shape(text: str) -> str:
    return regex.sub(r"\d+", "#", text.strip().lower())


_SUPER_NOTE = regex.compile(rf"^([{SUPERSCRIPT_DIGITS}]+)\s*(\S.*)$")
_PLAIN_NOTE = regex.compile(r"^(\d{1,2})\s+(\p{Lu}.*)$")
_NOTE_LOOKBACK = 80  # lines between a footnote marker and its footnote (one page)


def extract_footnotes(lines: list[Line]) -> tuple[list[Line], list[Footnote]]:
    """Move footnotes out of the running text.

    Two shapes: "¹ text" (superscript label), and PDF text where the label is a
    plain number at the start of a line ("1 Phát triển …") and the marker is
    glued to the word it annotates ("dữ liệu1"). A plain-number line counts as
    a footnote only when its number is the next expected label and a glued
    marker with that number stands in the lines before it; the marker is then
    turned into a superscript so that it cannot be read as a quantity.
    """
    keep: list[Line] = []
    notes: list[Footnote] = []
    expected = 1
    i = 0
    while i < len(lines):
        line = lines[i]
        note = _footnote_start(line.text, expected, keep) or _advised_note(line, keep)
        if note is None:
            keep.append(line)
            i += 1
            continue
        label, body, marker = note
        if marker is not None:
            _superscript_marker(*marker)
        i += 1
        if not body and (j := _next_nonblank(lines, i)) is not None:  # a raised label on a line of its own
            body, i = lines[j].text, j + 1
        while True:
            j = _next_nonblank(lines, i)
            if j is None or not (_continues_note(body, lines[j].text) or _advised_note_goes_on(line, lines[j])):
                break
            body = join_wrapped(body, lines[j].text)
            i = j + 1
        notes.append(Footnote(label=label, text=body.strip(), page=line.page))
        if label.isdigit():
            expected = int(label) + 1
    return keep, notes


_Marker = tuple[Line, int, int]  # the line holding a glued footnote marker, and its span


def _footnote_start(text: str, expected: int, before: list[Line]) -> tuple[str, str, _Marker | None] | None:
    """(label, first text, glued marker) when `text` opens a footnote; None otherwise."""
    m = _SUPER_NOTE.match(text)
    if m:
        return m.group(1).translate(FROM_SUPERSCRIPT), m.group(2), None
    m = _PLAIN_NOTE.match(text)
    if not m or int(m.group(1)) != expected:
        return None
    marker = _find_marker(expected, before)
    return (str(expected), m.group(2), marker) if marker else None


_NOTE_LABEL = regex.compile(rf"^([\d{SUPERSCRIPT_DIGITS}]{{1,2}})(?:\s+(\S.*))?$")


def _advised_note(line: Line, before: list[Line]) -> tuple[str, str, _Marker | None] | None:
    """A footnote the rules do not see but the line-role model is sure of: a label alone on its
    line (a raised label that PDF text puts on a line of its own) or before its text, whose
    number need not be the next expected one nor have its marker found."""
    m = _NOTE_LABEL.match(line.text) if line.advice == "footnote" else None
    if m is None:
        return None
    label = m.group(1).translate(FROM_SUPERSCRIPT)
    return label, m.group(2) or "", _find_marker(int(label), before)


def _advised_note_goes_on(note: Line, nxt: Line) -> bool:
    """After a footnote the model is sure of, the lines below it on its page go on with it
    (notes are the last text of a page), unless the model is sure a line is something else or
    the line opens with a note label."""
    return (note.advice == "footnote" and nxt.page == note.page and nxt.advice in (None, "continuation")
            and not _NOTE_LABEL.match(nxt.text))


def _find_marker(number: int, before: list[Line]) -> _Marker | None:
    """The nearest earlier "word{number}" (a footnote marker glued to its word)."""
    pattern = regex.compile(rf"(?<=[\p{{L}})\]])({number})(?=[\s.,;:)\]]|$)")
    for prev in reversed(before[-_NOTE_LOOKBACK:]):
        if is_table_row(prev.text):
            continue
        found = pattern.search(prev.text)
        if found:
            return prev, found.start(), found.end()
    return None


def _superscript_marker(line: Line, start: int, end: int) -> None:
    line.text = line.text[:start] + line.text[start:end].translate(TO_SUPERSCRIPT) + line.text[end:]


def _continues_note(body: str, nxt: str) -> bool:
    if joins_tight(body, nxt):
        return True
    return not ends_sentence(body) and starts_lower(nxt)


def _next_nonblank(lines: list[Line], i: int) -> int | None:
    while i < len(lines):
        if lines[i].text:
            return i
        i += 1
    return None




def join_wrapped_lines(lines: list[Line], hard_wrapped: bool) -> list[list[Line]]:
    """Group lines into paragraphs: join what a layout wrapped mid-sentence.

    A line continues the previous one when the next line starts in lower case,
    when the previous ended in a glued "57-" / "28/KH-", or when the previous
    fills the line width without ending its sentence. Headings, list items,
    table rows and numbers always start a new paragraph. Inside appendices
    (flattened tables) only the lower-case and glued rules apply, so that the
    fragments of neighbouring cells stay apart.
    """
    width = _typical_width(lines)
    paragraphs: list[list[Line]] = []
    blank_run = 0
    in_appendix = False
    for line in lines:
        if not line.text:
            blank_run += 1
            continue
        if _APPENDIX_HEAD.match(line.text):
            in_appendix = True
        crossed_blank = blank_run > 0 and not hard_wrapped
        blank_run = 0
        joined = bool(paragraphs) and _continues(paragraphs[-1], line.text, width, crossed_blank, in_appendix)
        if paragraphs and line.advice is not None:
            joined = _advised_join(paragraphs[-1], line, joined, width, crossed_blank, in_appendix)
        if joined:
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return paragraphs


def _continues(para: list[Line], nxt: str, width: int, crossed_blank: bool, in_appendix: bool) -> bool:
    prev = para[-1].text
    if is_table_row(prev) or is_table_row(nxt) or is_block_start(nxt):
        return False
    if joins_tight(prev, nxt):
        return True
    if _NUMBER_OR_DATE_START.match(nxt) and not ends_sentence(prev):
        return not crossed_blank  # "… số \n11/NQ-CP", "… ngày \n09/01/2025": never a new paragraph
    if starts_lower(nxt):
        return not (crossed_blank and ends_sentence(prev))
    if crossed_blank or in_appendix or ends_sentence(prev):
        return False
    if prev.endswith(","):  # a comma never ends a paragraph or a heading
        return not is_all_caps(nxt) or is_all_caps(prev)
    if is_all_caps(nxt) and not is_all_caps(prev):
        return False
    if len(prev) < 0.72 * width:
        return False
    return not is_block_start(para[0].text) or _heading_goes_on(prev)


_BLOCK_CLASSES = ("heading", "list_item", "body")


def _advised_join(para: list[Line], line: Line, joined: bool, width: int, crossed_blank: bool, in_appendix: bool) -> bool:
    """The line-role model's say where the rules judge a wrap by shape alone: a line it is sure
    goes on with the paragraph above is joined although it opens with a heading or item label
    ("- xã hội …", "6 Điều 55 …" wrapped), the line above is short of the text width or belongs
    to a heading; a line it is sure opens a block is not joined on the width rule alone. The
    other reasons of the rules stand: table rows, sentence ends, blank lines, appendices,
    openers ("Căn cứ", "PHỤ LỤC" …), lower-case starts, glued "57-" wraps, capitals after mixed case."""
    prev = para[-1].text
    if is_table_row(prev) or is_table_row(line.text):
        return joined
    if line.advice == "continuation" and not joined:
        label_or_plain = match_heading(line.text) is not None or not is_block_start(line.text)
        caps_after_mixed = is_all_caps(line.text) and not is_all_caps(prev)
        return label_or_plain and not (ends_sentence(prev) or crossed_blank or in_appendix or caps_after_mixed)
    if line.advice in _BLOCK_CLASSES and joined:
        return _continues(para, line.text, 10**9, crossed_blank, in_appendix)  # not only the width said yes
    return joined


def _heading_goes_on(prev: str) -> bool:
    """A full-width heading line followed by a capitalized line: a name goes on, or the body starts."""
    last = prev.rsplit(" ", 1)[-1]
    return starts_upper(last) or last.lower() in _connectors()


@lru_cache(maxsize=1)
def _connectors() -> frozenset[str]:
    return frozenset(rules()["heading_connectors"])


def _typical_width(lines: list[Line]) -> int:
    lengths = sorted(len(ln.text) for ln in lines if ln.text and not is_table_row(ln.text))
    if not lengths:
        return 80
    return max(lengths[int(0.9 * (len(lengths) - 1))], 20)


def looks_hard_wrapped(lines: list[Line]) -> bool:
    """PDF-extracted text: short lines of nearly equal width; blank lines carry no meaning."""
    lengths = sorted(len(ln.text) for ln in lines if ln.text and not is_table_row(ln.text))
    if len(lengths) < 20:
        return False
    median = lengths[len(lengths) // 2]
    p90 = lengths[int(0.9 * (len(lengths) - 1))]
    return median <= 100 and p90 <= 130


# --------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------


def split_lines(loaded: LoadedText) -> list[Line]:
    """Raw text -> lines with their page and paragraph.

    Pages come from the loader's map; text without one (e.g. pdftotext output saved
    as .txt) still has its pages when they are separated by form feeds.
    """
    lines: list[Line] = []
    offset = 0
    use_form_feeds = not loaded.pages and "\f" in loaded.text
    page = 1
    for raw in loaded.text.split("\n"):
        for k, part in enumerate(raw.split("\f")):
            page += k > 0
            lines.append(Line(
                part,
                loaded.pages.at(offset) if loaded.pages else (page if use_form_feeds else None),
                loaded.paragraphs.at(offset) if loaded.paragraphs else None,
            ))
            offset += len(part) + 1  # the "\n" or "\f" after it
    return lines


def normalize(loaded: LoadedText) -> NormalizedText:
    lines = split_lines(loaded)
    # before NFC: legacy font encodings (TCVN3, VNI) and damaged diacritics, line by line (encoding.py)
    repaired = repair_lines([line.text for line in lines], from_pdf=loaded.format == "pdf")
    for line, text in zip(lines, repaired.lines):
        line.text = clean_line(text)
    from .line_roles import advise_lines  # late: line_roles is built on this module's steps

    advise_lines(lines, loaded)  # PDF text: the line-role model's confident classes, when it earned a say
    page_breaks = "\f" in loaded.text or bool(loaded.pages)
    lines = drop_page_furniture(lines, page_breaks)
    lines, notes = extract_footnotes(lines)
    hard_wrapped = looks_hard_wrapped(lines)
    paragraphs = join_wrapped_lines(lines, hard_wrapped)
    result = _assemble(paragraphs, notes)
    result.warnings.extend(repaired.warnings())
    return result


def normalize_text(text: str) -> NormalizedText:
    """Convenience for tests and callers holding a string."""
    return normalize(LoadedText(path="<text>", format="txt", text=text))


def _assemble(paragraphs: list[list[Line]], notes: list[Footnote]) -> NormalizedText:
    parts: list[str] = []
    page_pairs: list[tuple[int, int]] = []
    para_pairs: list[tuple[int, int]] = []
    offset = 0
    last_page = last_para = None
    for p_index, para in enumerate(paragraphs):
        if p_index:
            parts.append("\n")
            offset += 1
        for l_index, line in enumerate(para):
            if l_index:
                sep = "" if joins_tight(para[l_index - 1].text, line.text) else " "
                parts.append(sep)
                offset += len(sep)
            if line.page is not None and line.page != last_page:
                page_pairs.append((offset, line.page))
                last_page = line.page
            if line.para is not None and line.para != last_para:
                para_pairs.append((offset, line.para))
                last_para = line.para
            parts.append(line.text)
            offset += len(line.text)
    return NormalizedText(
        text="".join(parts),
        pages=OffsetMap.from_pairs(page_pairs),
        paragraphs=OffsetMap.from_pairs(para_pairs),
        footnotes=notes,
    )

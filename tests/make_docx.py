"""Build DOCX plans for tests from plain text lines, laid out the way Word users do.

`make_plan_docx` writes what the DOCX loader must undo: the header block in a
borderless two-column layout table, data tables as real ruled tables, and
(optionally) headings whose "I." / "1." / "a)" / "-" exist only as Word list
numbering. One input line becomes one paragraph, blank lines included, so a
test can compare the loaded text with the input line by line.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Callable, Sequence

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

TITLE = "kế hoạch"
# Lines of the header block that belong in the right column: the national
# motto and the "<place>, ngày ... tháng ... năm ..." date line.
RIGHT_HEADER = re.compile(r"(?i)(cộng hòa|cộng hoà|độc lập|,\s*ngày\b)")
MARKUP = (
    (re.compile(r"^\s*#{1,6}\s+"), ""),  # Markdown headings
    (re.compile(r"\*\*|__"), ""),  # Markdown bold
    (re.compile(r"</?(?:b|i|u|strong|em)>", re.I), ""),  # HTML inline tags
)
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]
LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Typed heading forms that become Word list levels: (level, regex, value of the match).
HEADING_LEVELS = (
    (0, re.compile(r"^(?P<n>[IVX]+)\.\s+(?P<rest>.*)$"), lambda n: ROMAN.index(n) + 1 if n in ROMAN else 0),
    (1, re.compile(r"^(?P<n>\d{1,2})\.\s+(?P<rest>.*)$"), int),
    (2, re.compile(r"^(?P<n>[a-z])\)\s+(?P<rest>.*)$"), lambda n: LETTERS.index(n) + 1),
)
BULLET = re.compile(r"^-\s+(?P<rest>.*)$")
HEADING_LIST_XML = """
<w:abstractNum {ns} w:abstractNumId="{aid}">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%3)"/></w:lvl>
</w:abstractNum>"""
BULLET_LIST_XML = """
<w:abstractNum {ns} w:abstractNumId="{aid}">
  <w:multiLevelType w:val="singleLevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="-"/></w:lvl>
</w:abstractNum>"""


def make_plan_docx(
    out_path: str | Path,
    lines: Sequence[str],
    *,
    table_rows: Sequence[Sequence[str]] | None = None,
    header_layout: bool = True,
    auto_numbered_headings: bool = False,
    header: tuple[Sequence[str], Sequence[str]] | None = None,
) -> Path:
    """Write a DOCX plan and return its path.

    lines: the plan as text; Markdown/HTML markers are stripped. Consecutive
        lines containing "\\t" become one ruled table ("Table Grid"), first row
        marked as the header row.
    table_rows: one more ruled table (rows of cells) after the lines.
    header_layout: put the lines before the "KẾ HOẠCH" title into a borderless
        two-column table: issuing body and "Số:" left, motto and date right.
    auto_numbered_headings: typed "I." / "1." / "a)" / "-" become Word list
        numbering (the typed label is removed from the text). A typed number
        that Word's counters would not produce stays typed, so the loaded text
        keeps exactly the numbers of the input.
    header: explicit (left lines, right lines) for the layout table; the
        lines are then all written as body paragraphs.
    """
    document = docx.Document()
    lines = [strip_markup(line) for line in lines]
    if header is not None:
        add_layout_table(document, *header)
    elif header_layout:
        left, right, lines = split_header(lines)
        if left or right:
            add_layout_table(document, left, right)
    numberer = HeadingNumberer(document) if auto_numbered_headings else None
    for block in group_table_lines(lines):
        if isinstance(block, list):
            add_grid_table(document, [row.split("\t") for row in block])
        else:
            add_paragraph(document, block, numberer)
    if table_rows:
        add_grid_table(document, [list(row) for row in table_rows])
    out_path = Path(out_path)
    document.save(str(out_path))
    return out_path


def strip_markup(line: str) -> str:
    for pattern, replacement in MARKUP:
        line = pattern.sub(replacement, line)
    return line


def split_header(lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(left column, right column, remaining lines) around the first "KẾ HOẠCH" line."""
    title = next((i for i, line in enumerate(lines) if line.strip().casefold() == TITLE), None)
    if title is None:
        return [], [], lines
    head = [line.strip() for line in lines[:title] if line.strip()]
    left = [line for line in head if not RIGHT_HEADER.search(line)]
    right = [line for line in head if RIGHT_HEADER.search(line)]
    return left, right, lines[title:]


def group_table_lines(lines: list[str]) -> list[str | list[str]]:
    """Paragraph lines as str; each run of consecutive tab lines as one list."""
    blocks: list[str | list[str]] = []
    for line in lines:
        if "\t" in line and blocks and isinstance(blocks[-1], list):
            blocks[-1].append(line)
        elif "\t" in line:
            blocks.append([line])
        else:
            blocks.append(line)
    return blocks


def add_layout_table(document, left: Sequence[str], right: Sequence[str]) -> None:
    """A borderless 2-column table, one line per row and column, like real headers."""
    rows = max(len(left), len(right), 1)
    table = document.add_table(rows=rows, cols=2)  # no style: "Normal Table" has no borders
    for i in range(rows):
        table.cell(i, 0).text = left[i] if i < len(left) else ""
        table.cell(i, 1).text = right[i] if i < len(right) else ""


def add_grid_table(document, rows: list[list[str]]) -> None:
    width = max(len(row) for row in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = document.styles["Table Grid"]
    for r, row in enumerate(rows):
        for c in range(width):
            table.cell(r, c).text = row[c].strip() if c < len(row) else ""
    header_pr = table.rows[0]._tr.get_or_add_trPr()
    header_pr.append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))


def add_paragraph(document, line: str, numberer: "HeadingNumberer | None") -> None:
    if numberer is not None:
        numbered = numberer.take(line)
        if numbered is not None:
            num_id, ilvl, text = numbered
            paragraph = document.add_paragraph(text)
            num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = ilvl
            num_pr.get_or_add_numId().val = num_id
            return
    document.add_paragraph(line)


class HeadingNumberer:
    """Adds two lists to numbering.xml (headings I./1./a), bullets -) and decides,
    line by line, whether Word's counters would draw the typed label."""

    def __init__(self, document):
        numbering = document.part.numbering_part.element
        self.heading_num = _add_list(numbering, HEADING_LIST_XML)
        self.bullet_num = _add_list(numbering, BULLET_LIST_XML)
        self._counters: dict[int, int] = {}

    def take(self, line: str) -> tuple[int, int, str] | None:
        """(numId, ilvl, text without the label) or None to keep the line typed."""
        bullet = BULLET.match(line)
        if bullet:
            return self.bullet_num, 0, bullet.group("rest")
        for level, pattern, value_of in HEADING_LEVELS:
            match = pattern.match(line)
            if match and value_of(match.group("n")) == self._counters.get(level, 0) + 1:
                self._advance(level)
                return self.heading_num, level, match.group("rest")
        return None

    def _advance(self, level: int) -> None:
        self._counters[level] = self._counters.get(level, 0) + 1
        for deeper in [k for k in self._counters if k > level]:
            del self._counters[deeper]


def _add_list(numbering, abstract_xml: str) -> int:
    """Insert an abstractNum (before the first w:num, as the schema wants) and a w:num; return the numId."""
    abstract_ids = [int(a.get(qn("w:abstractNumId"))) for a in numbering.iterchildren(qn("w:abstractNum"))]
    num_ids = [int(n.get(qn("w:numId"))) for n in numbering.iterchildren(qn("w:num"))]
    abstract_id, num_id = max(abstract_ids, default=-1) + 1, max(num_ids, default=0) + 1
    abstract = parse_xml(abstract_xml.format(ns=nsdecls("w"), aid=abstract_id))
    first_num = numbering.find(qn("w:num"))
    if first_num is None:
        numbering.append(abstract)
    else:
        first_num.addprevious(abstract)
    numbering.append(parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'
    ))
    return num_id


def recode_runs(path: str | Path, split: Callable[[str], Sequence[tuple[str, str | None]]]) -> Path:
    """Rewrite every plain text run of a DOCX as the runs `split` makes of its text.

    `split(text)` returns (text, font name or None) pieces; each becomes a run
    with the old run's properties and, when named, that font (w:rFonts ascii
    and hAnsi). Used to write a plan as a legacy-font document would store it
    (".VnTime" / ".VnTimeH" runs holding TCVN3 codes).
    """
    path = Path(path)
    document = docx.Document(str(path))
    for run in list(document.element.body.iter(qn("w:r"))):
        pieces = [child for child in run if child.tag != qn("w:rPr")]
        if not pieces or any(child.tag != qn("w:t") for child in pieces):
            continue
        for text, font in split("".join(t.text or "" for t in pieces)):
            run.addprevious(_run_like(run, text, font))
        run.getparent().remove(run)
    document.save(str(path))
    return path


def _run_like(run, text: str, font: str | None):
    new = copy.deepcopy(run)
    for child in [child for child in new if child.tag != qn("w:rPr")]:
        new.remove(child)
    if font is not None:
        rpr = new.find(qn("w:rPr"))
        if rpr is None:
            rpr = parse_xml(f"<w:rPr {nsdecls('w')}/>")
            new.insert(0, rpr)
        for old in rpr.findall(qn("w:rFonts")):
            rpr.remove(old)
        fonts = parse_xml(f'<w:rFonts {nsdecls("w")} w:ascii="{font}" w:hAnsi="{font}" w:cs="{font}"/>')
        rpr.insert(int(rpr.find(qn("w:rStyle")) is not None), fonts)  # after a w:rStyle, as the schema wants
    t = parse_xml(f'<w:t {nsdecls("w")} xml:space="preserve"/>')
    t.text = text
    new.append(t)
    return new

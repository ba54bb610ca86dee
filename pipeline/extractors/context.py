"""What every extractor component reads from the spaCy `Doc`, and how it says where an item came from.

The pipeline builds one `Doc` over the normalized text (whitespace tokens: the
extractors need offsets, not Vietnamese word segmentation) and hangs the earlier
stages' results on it as extensions: `doc._.sections`, `doc._.tables`,
`doc._.page_at`, `doc._.footnotes`. Each component writes its items to its own extension
(`doc._.citations`, `doc._.units` …) and may read the ones of components that ran
before it (tasks read units and deadlines), the way spaCy components share a `Doc`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

import regex
from spacy.tokens import Doc

from ..model import Footnote, Provenance, Section, Table

#: Extensions the extractors fill, in contract order.
ITEM_KINDS = ("citations", "indicators", "percentages", "deadlines", "units", "tasks")


@dataclass(frozen=True)
class SectionIndex:
    """The innermost section at an offset, by bisecting section starts (sections nest)."""

    sections: tuple[Section, ...]
    starts: tuple[int, ...]

    @classmethod
    def build(cls, sections: list[Section]) -> SectionIndex:
        ordered = tuple(sorted(sections, key=lambda s: (s.start, -s.end)))
        return cls(ordered, tuple(s.start for s in ordered))

    def at(self, offset: int) -> Section | None:
        i = bisect_right(self.starts, offset) - 1
        while i >= 0:  # walk back to the nearest section still open at `offset`
            s = self.sections[i]
            if s.start <= offset < s.end:
                return s
            i -= 1
        return None


def _register() -> None:
    names = ("plain_text", "footnotes", "sections", "tables", "page_at", "section_index", "warnings", *ITEM_KINDS)
    for name in names:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


_register()


def prepare(doc: Doc, text: str, sections: list[Section], tables: list[Table],
            page_at: Callable[[int], int | None] | None = None, footnotes: list[Footnote] | None = None) -> Doc:
    """Attach the earlier stages' results to a fresh `Doc` and empty item lists.

    Footnotes are not part of the text (normalize moves them out); extractors that read
    them (citations) give their items a `footnote` label and offsets into its text."""
    doc._.plain_text = text
    doc._.footnotes = footnotes or []
    doc._.sections = sections
    doc._.tables = tables
    doc._.page_at = page_at or (lambda offset: None)
    doc._.section_index = SectionIndex.build(sections)
    doc._.warnings = []
    for kind in ITEM_KINDS:
        doc._.set(kind, [])
    return doc


def text_of(doc: Doc) -> str:
    """The normalized text. Read it here, not with `doc.text`: spaCy rebuilds that string
    from the tokens on every access (tens of milliseconds on a plan)."""
    return doc._.plain_text


def section_at(doc: Doc, offset: int) -> Section | None:
    return doc._.section_index.at(offset)


def text_provenance(doc: Doc, start: int, end: int) -> Provenance:
    section = section_at(doc, start)
    return Provenance("text", start, end, section.id if section else None, doc._.page_at(start))


def cell_provenance(doc: Doc, table: Table, row: int, start: int | None = None, end: int | None = None) -> Provenance:
    """A table row (or a cell inside it when its offsets are known)."""
    r = table.rows[row]
    start = r.start if start is None else start
    end = r.end if end is None else end
    return Provenance("table", start, end, table.section, r.page, table.id, row)


def locate_cell(doc: Doc, table: Table, row: int, column: int, text: str | None = None) -> tuple[int, int]:
    """Offsets of one cell inside its row's span of the normalized text (of `text` inside it, when
    given: a cleaned part of the cell).

    The row's cells are found in column order, each after the one before, so equal cells of one
    row ("100%" under 2025 and under 2030) are two places. Cells are stored cleaned (lines
    joined), so their words are matched across any whitespace; a cell not found in order (a
    flattened cell reassembled from fragments) is the whole row."""
    r = table.rows[row]
    lo, hi = _cell_spans(doc, table, row)[column] if column < len(r.cells) else (r.start, r.end)
    if text is not None and text.split() != r.cells[column].split():
        return locate_words(text_of(doc), text, lo, hi)
    return lo, hi


def _cell_spans(doc: Doc, table: Table, row: int) -> list[tuple[int, int]]:
    r = table.rows[row]
    spans, cursor = [], r.start
    for cell in r.cells:
        found = find_words(text_of(doc), cell, cursor, r.end) or find_words(text_of(doc), cell, r.start, r.end)
        spans.append(found or (r.start, r.end))
        if found and found[0] >= cursor:
            cursor = found[1]
    return spans


def find_words(text: str, piece: str, lo: int, hi: int) -> tuple[int, int] | None:
    """Where the words of `piece` (cleaned: lines joined) stand in text[lo:hi], across any whitespace."""
    words = piece.split()
    if not words:
        return None
    found = regex.compile(r"\s+".join(map(regex.escape, words))).search(text, lo, hi)
    return (found.start(), found.end()) if found else None


def locate_words(text: str, piece: str, lo: int, hi: int) -> tuple[int, int]:
    """`find_words`, or the whole of (lo, hi) when the words are not found there."""
    return find_words(text, piece, lo, hi) or (lo, hi)


def warn(doc: Doc, message: str) -> None:
    doc._.warnings.append(message)

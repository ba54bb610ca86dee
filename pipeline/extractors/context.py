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


def locate_cell(doc: Doc, table: Table, row: int, cell: str, after: int | None = None) -> tuple[int, int]:
    """Offsets of a cell's text inside its row's span of the normalized text.

    Cells are stored cleaned (lines joined), so the words are matched across any
    whitespace; the whole row when they are not found in order (a flattened cell
    that was reassembled from fragments). `after` (the end of the row's previous cell)
    keeps equal cells apart: "100%  100%" in one row are two places."""
    r = table.rows[row]
    words = cell.split()
    if words:
        pattern = regex.compile(r"\s+".join(map(regex.escape, words)))
        lo = max(r.start, after) if after is not None else r.start
        found = pattern.search(text_of(doc), lo, r.end) or (pattern.search(text_of(doc), r.start, r.end) if lo > r.start else None)
        if found:
            return found.start(), found.end()
    return r.start, r.end


def warn(doc: Doc, message: str) -> None:
    doc._.warnings.append(message)

"""What every loader returns, and the errors a loader may raise.

A loader turns one file into one text plus provenance: which page (PDF) or
paragraph (DOCX) each character came from. Later stages never look at the file
again, so everything they may need to cite (page numbers, line boundaries that
came from the layout) has to be carried here.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path


class LoadError(Exception):
    """A file that cannot be turned into usable text.

    The message is one line that names the reason; the CLI prefixes the file.
    """

    def __init__(self, path: Path | str, reason: str):
        super().__init__(reason)
        self.path = str(path)
        self.reason = reason

    def __str__(self) -> str:  # one line, file first
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class OffsetMap:
    """Sorted (offset, value) breakpoints: value holds from offset to the next one.

    Used for offset -> page (PDF) and offset -> paragraph index (DOCX).
    """

    starts: tuple[int, ...] = ()
    values: tuple[int, ...] = ()

    @classmethod
    def from_pairs(cls, pairs: list[tuple[int, int]]) -> "OffsetMap":
        pairs = sorted(pairs)
        return cls(tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))

    def at(self, offset: int) -> int | None:
        if not self.starts:
            return None
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.values[max(i, 0)]

    def __bool__(self) -> bool:
        return bool(self.starts)


@dataclass
class LoadedText:
    """One file's raw text and where each part of it came from.

    `text` keeps the layout's line breaks ("\\n"); pages are separated by a form
    feed ("\\f") in PDF input so that normalization can find page furniture.
    `pages` maps offsets to 1-based page numbers (PDF only), `paragraphs` maps
    offsets to 0-based paragraph indices (DOCX only).
    """

    path: str
    format: str  # txt | md | pdf | docx
    text: str
    pages: OffsetMap = field(default_factory=OffsetMap)
    paragraphs: OffsetMap = field(default_factory=OffsetMap)
    page_count: int | None = None
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    # per-page facts the loader measured (e.g. text-layer quality); free-form
    page_info: list[dict] = field(default_factory=list)

"""Typed objects that move between the stages, and their JSON form.

The JSON form is the public contract (schema_version "1", published as
`pipeline/schema/document.schema.json`): keep names and meanings, add fields
freely. Every dataclass here maps one-to-one onto an object of that schema.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from . import SCHEMA_VERSION


@dataclass(frozen=True)
class Locality:
    name: str
    level: str  # tỉnh | thành phố | huyện | thị xã | quận | xã | phường | thị trấn | đặc khu


@dataclass(frozen=True)
class Signer:
    name: str | None
    title: str | None


@dataclass
class DocumentInfo:
    """The `document` object: identity, source and metadata read from the plan."""

    id: str
    source: str
    format: str
    doc_type: str | None = None
    number: str | None = None
    symbol: str | None = None
    issuer: str | None = None
    locality: Locality | None = None
    place: str | None = None
    issued_date: str | None = None
    title: str | None = None
    signer: Signer | None = None
    recipients: list[str] = field(default_factory=list)
    page_count: int | None = None
    encoding: str | None = None
    text_quality: float | None = None


@dataclass
class Section:
    id: str
    parent: str | None
    level: int
    kind: str  # header | title | preamble | body | closing | appendix
    label: str | None
    heading: str | None
    start: int
    end: int
    page_start: int | None = None
    page_end: int | None = None
    list_item: bool = False  # a "-" / "+" item rather than a numbered heading
    caption: str | None = None  # appendices: "(Kèm theo Kế hoạch số … ngày …)"


@dataclass(frozen=True)
class TableColumn:
    name: str  # as printed
    role: str  # seq | group | indicator | task | unit_of_measure | target | lead | support | implementer | deadline | output | other
    year: int | None = None  # target columns: the milestone year


@dataclass
class TableRow:
    cells: list[str]
    group: str | None  # the group row it sits under, e.g. "I. HẠ TẦNG SỐ VÀ AN TOÀN THÔNG TIN"
    page: int | None
    start: int  # offsets of the row in the normalized text
    end: int


@dataclass
class Table:
    id: str
    section: str | None  # the appendix or section it belongs to
    caption: str | None
    kind: str  # indicators | tasks | responsibilities | other
    columns: list[TableColumn]
    rows: list[TableRow]
    page_start: int | None
    page_end: int | None
    start: int
    end: int
    shape: str  # how it reached us: delimited (tab rows in text, DOCX or ruled PDF tables) | flattened (one cell fragment per line)


@dataclass(frozen=True)
class Footnote:
    label: str
    text: str
    page: int | None = None


@dataclass
class Document:
    """Everything `kehoach extract` knows about one plan."""

    document: DocumentInfo
    text: str
    sections: list[Section] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    indicators: list[dict[str, Any]] = field(default_factory=list)
    percentages: list[dict[str, Any]] = field(default_factory=list)
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {"schema_version": SCHEMA_VERSION, **data}

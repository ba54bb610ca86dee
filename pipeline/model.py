"""Typed objects that move between the stages, and their JSON form.

The JSON form is the public contract (schema_version "1", published as
`pipeline/schema/document.schema.json`): keep names and meanings, add fields
freely. Every dataclass here maps one-to-one onto an object of that schema.
"""

from __future__ import annotations

import functools
import types
import typing
from dataclasses import asdict, dataclass, field, fields, is_dataclass
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
    diacritics_quality: float | None = None  # share of accented words that are valid syllables


@dataclass
class PageInfo:
    """How one PDF page was read: from its text layer or by OCR, and how well."""

    page: int  # 1-based
    status: str  # ok | blank | image-only | unusable | unreadable
    chars: int  # characters the page gave
    quality: float | None = None  # share of valid syllables; None when too little text
    ocr: bool = False
    ocr_confidence: float | None = None  # mean word confidence of the OCR engine, 0-1
    engine: str = "pdfium"  # pdfium | pdfplumber | tesseract


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


@dataclass(frozen=True)
class Deadline:
    """The contract's deadlineObject: what a time frame means."""

    text: str
    kind: str  # date | month | quarter | year | range | recurring | continuous | conditional | open
    period_start: str | None = None  # partial ISO date: "2025", "2025-04", "2025-04-30"
    period_end: str | None = None
    recurrence: str | None = None  # yearly | quarterly | monthly | school_year


# --- Extracted items (issue 4). Each carries where it was read: offsets in the normalized
# text, the innermost section, the page, and for table cells the table id and row index.


@dataclass(frozen=True)
class Provenance:
    """One place an item was read from."""

    source: str  # text | table
    start: int
    end: int
    section: str | None
    page: int | None = None
    table: str | None = None
    row: int | None = None  # index into the table's rows


@dataclass
class Citation:
    text: str
    doc_type: str | None
    number: str | None  # normalized: "57-NQ/TW", "131/QĐ-TTg", "02/2025/TT-BGDĐT"
    issued_date: str | None
    issuer: str | None
    title: str | None  # the subject: "về đột phá phát triển khoa học, công nghệ …"
    ref: str  # one key per cited document, shared by its repeats and short forms
    start: int
    end: int
    section: str | None
    page: int | None
    confidence: float
    footnote: str | None = None  # set when read in a footnote: start/end then index that footnote's text


@dataclass
class Percentage:
    text: str
    value: float
    op: str | None  # >= | > | = | <= | < | None
    subject: str | None
    start: int
    end: int
    section: str | None
    page: int | None
    confidence: float
    scope: str | None = None  # "đối với cấp tiểu học"
    table: str | None = None
    row: int | None = None


@dataclass
class Target:
    year: int | None
    op: str | None
    value: float | None  # None for qualitative targets ("Duy trì", "Thí điểm")
    text: str
    scope: str | None = None  # one of several targets in one cell: "phổ thông", "mầm non"


@dataclass
class Indicator:
    id: str
    name: str
    group: str | None
    unit: str | None  # unit of measure
    targets: list[Target]
    lead_units: list[str]
    implementing_units: list[str]
    source: str  # table | text: where it was read first
    table: str | None
    start: int
    end: int
    section: str | None
    page: int | None
    confidence: float
    row: int | None = None
    provenance: list[Provenance] = field(default_factory=list)  # every place it is stated


@dataclass
class DeadlineMention:
    """A time frame found in the text or a table cell (contract `deadline`)."""

    text: str
    kind: str
    period_start: str | None
    period_end: str | None
    recurrence: str | None
    start: int
    end: int
    section: str | None
    page: int | None
    confidence: float
    table: str | None = None
    row: int | None = None


@dataclass
class Unit:
    """A responsible body, once per canonical name, with every place it is named."""

    name: str
    aliases: list[str]
    type: str  # sở | phòng | ủy ban | trung tâm | công an | cơ sở giáo dục | tổ chức đoàn thể | ban chỉ đạo | other
    mentions: int
    confidence: float
    roles: list[str] = field(default_factory=list)  # lead | support | implementing, as the plan assigns them
    provenance: list[Provenance] = field(default_factory=list)


@dataclass
class Task:
    id: str
    text: str
    group: str | None
    lead_units: list[str]
    support_units: list[str]
    implementing_units: list[str]
    deadline: Deadline | None
    output: str | None
    source: str  # table | text: where it was read first
    table: str | None
    start: int
    end: int
    section: str | None
    page: int | None
    confidence: float
    row: int | None = None
    provenance: list[Provenance] = field(default_factory=list)


@dataclass
class Document:
    """Everything `kehoach extract` knows about one plan."""

    document: DocumentInfo
    text: str
    pages: list[PageInfo] = field(default_factory=list)  # PDF input only
    sections: list[Section] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    percentages: list[Percentage] = field(default_factory=list)
    deadlines: list[DeadlineMention] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {"schema_version": SCHEMA_VERSION, **data}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Document":
        """The typed document back from its JSON form (as `to_json` or `kehoach extract` wrote it).
        Keys this version does not know are ignored, so newer outputs still load."""
        return _build(cls, data)


@functools.lru_cache(maxsize=None)
def _field_types(kind: type) -> dict[str, Any]:
    """A dataclass's fields and their resolved types (resolving is slow: once per class)."""
    hints = typing.get_type_hints(kind)
    return {f.name: hints[f.name] for f in fields(kind)}


@functools.lru_cache(maxsize=None)
def _type_shape(kind: Any) -> tuple[Any, tuple]:
    return typing.get_origin(kind), typing.get_args(kind)


def _build(kind: Any, value: Any) -> Any:
    """Rebuild `value` as the annotated type `kind`: dataclasses, lists and optionals of them."""
    if value is None:
        return None
    if is_dataclass(kind):
        hints = _field_types(kind)
        return kind(**{k: _build(hints[k], v) for k, v in value.items() if k in hints})
    origin, args = _type_shape(kind)
    if origin is list:
        (item,) = args
        return [_build(item, v) for v in value]
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        return _build(options[0], value) if len(options) == 1 else value
    return value

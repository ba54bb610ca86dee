"""The per-document path: load -> normalize -> segment -> metadata -> tables -> extractors -> Document.

A pure function of the file, so batch runners can map it over files in any
executor. Tables are read after segmentation; the extractor stack (a spaCy
pipeline, pipeline/extractors/nlp.py) runs last, over the text, sections and tables.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from .extractors.nlp import run_extractors
from .files import file_hash, id_of_hash
from .limits import Limits
from .load import LoadedText, load
from .metadata import read_metadata
from .model import Document, DocumentInfo, PageInfo, Section, Table
from .normalize import NormalizedText, normalize
from .quality import diacritics_problem, diacritics_quality, problem, text_quality
from .segment import segment
from .tables.delimited import find_delimited_tables
from .tables.flattened import find_flattened_tables

def document_id(path: Path) -> str:
    return id_of_hash(file_hash(path))


def extract_document(path: str | Path, limits: Limits | None = None) -> Document:
    """Read one plan within `limits` (default: `Limits()`); raise `LoadError` when the file cannot
    be read or is over a limit."""
    path = Path(path)
    loaded = load(path, limits)
    return build_document(loaded, document_id(path))


def build_document(loaded: LoadedText, doc_id: str) -> Document:
    norm = normalize(loaded)
    sections = segment(norm.text)
    _attach_pages(sections, norm)
    info = DocumentInfo(
        id=doc_id,
        source=loaded.path,
        format=loaded.format,
        page_count=loaded.page_count,
        encoding=loaded.encoding,
    )
    quality = text_quality(norm.text)
    info.text_quality = round(quality.valid_share, 3) if quality.judged else None
    info.diacritics_quality = diacritics_quality(quality)
    warnings = list(loaded.warnings) + list(norm.warnings)
    reason = problem(quality)
    if reason:
        warnings.append(f"low text quality: {reason} (not Vietnamese, or a legacy font encoding?)")
    elif damaged := diacritics_problem(quality):
        warnings.append(f"{damaged} (damaged diacritics or an unknown font encoding?)")
    warnings += read_metadata(info, norm.text, sections)
    warnings += _structure_warnings(sections)
    tables = find_tables(norm.text, sections, norm.page_at)
    extracted = run_extractors(norm.text, sections, tables, norm.page_at, footnotes=norm.footnotes)
    return Document(
        document=info, text=norm.text, pages=pages_of(loaded), sections=sections, footnotes=norm.footnotes, tables=tables,
        **extracted.items, warnings=warnings + extracted.warnings,
    )


def pages_of(loaded: LoadedText) -> list[PageInfo]:
    """The contract's per-page facts from what the PDF loader measured (other formats: none)."""
    keys = {f.name for f in fields(PageInfo)}
    return [PageInfo(**{k: v for k, v in info.items() if k in keys}) for info in loaded.page_info]


def find_tables(text: str, sections: list[Section], page_at) -> list[Table]:
    """Every table of the plan: tab-delimited rows first (their shape is certain), then tables
    flattened into one cell fragment per line, numbered after them."""
    tables = find_delimited_tables(text, sections, page_at)
    return tables + find_flattened_tables(text, sections, page_at, start_id=len(tables) + 1)


def _attach_pages(sections: list[Section], norm: NormalizedText) -> None:
    if not norm.pages:
        return
    for s in sections:
        s.page_start = norm.page_at(s.start)
        s.page_end = norm.page_at(max(s.end - 1, s.start))


def _structure_warnings(sections: list[Section]) -> list[str]:
    kinds = {s.kind for s in sections}
    warnings = []
    if "body" not in kinds:
        warnings.append("structure: no numbered body sections found (I., 1., a) …)")
    if "title" not in kinds:
        warnings.append("structure: no title found (no 'KẾ HOẠCH' / 'QUYẾT ĐỊNH' … line)")
    return warnings

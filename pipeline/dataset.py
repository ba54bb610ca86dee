"""Documents -> the normalized dataset: Parquet files, a DuckDB database and an Excel workbook.

The tables, their columns, types and meanings are data (`schema/dataset.yaml`); this module
only says how each table's rows come out of a `Document` (one function per table, registered
by name) and writes them. Rows are built one document at a time, so a batch never holds all its
documents in memory, only their rows.

Writing is all or nothing per output: everything goes to a staging folder beside the outputs
first and is then moved into place, so a crash leaves the previous dataset readable.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import regex
import yaml

from .model import Document, Provenance

DATASET_SPEC = "dataset.yaml"
PARQUET_DIR = "parquet"
DUCKDB_FILE = "kehoach.duckdb"
EXCEL_FILE = "kehoach.xlsx"

_ARROW_TYPES = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
_LIST_SEPARATOR = "\n"  # lists in one cell (lead units, recipients): one item per line

# --- The table definitions (schema/dataset.yaml) ------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string | int | float | bool
    meaning: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    meaning: str
    columns: tuple[Column, ...]
    schema: str | None = None  # the JSON Schema object ($defs) the table flattens
    elsewhere: dict[str, str] = field(default_factory=dict)  # schema property -> where it went
    excel: bool = True  # also a sheet of the workbook

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([(c.name, _ARROW_TYPES[c.type]) for c in self.columns])


@dataclass(frozen=True)
class ViewSpec:
    name: str
    meaning: str
    sql: str


def _flatten(items: list) -> Iterator[dict]:
    """Column lists may splice shared groups (`*provenance` in the YAML) as nested lists."""
    for item in items:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


@lru_cache(maxsize=1)
def _spec_data() -> dict:
    return yaml.safe_load(resources.files("pipeline.schema").joinpath(DATASET_SPEC).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def table_specs() -> dict[str, TableSpec]:
    """Every table of the dataset, in the order of `schema/dataset.yaml`."""
    specs = {}
    for name, entry in _spec_data()["tables"].items():
        columns = tuple(Column(c["name"], c["type"], c["meaning"]) for c in _flatten(entry["columns"]))
        specs[name] = TableSpec(name, entry["meaning"], columns, entry.get("schema"),
                                dict(entry.get("elsewhere") or {}), entry.get("excel", True))
    return specs


@lru_cache(maxsize=1)
def view_specs() -> tuple[ViewSpec, ...]:
    """The DuckDB views for the common questions."""
    return tuple(ViewSpec(name, v["meaning"], v["sql"].strip()) for name, v in _spec_data().get("views", {}).items())


# --- Rows out of a document: one function per table ------------------------------------------

RowFunction = Callable[[Document], Iterable[dict[str, Any]]]
_ROWS: dict[str, RowFunction] = {}


def rows_of(table: str) -> Callable[[RowFunction], RowFunction]:
    """Register the function giving `table`'s rows for one document."""
    def register(fn: RowFunction) -> RowFunction:
        _ROWS[table] = fn
        return fn
    return register


def _joined(items: Iterable[str] | None) -> str | None:
    items = [i for i in items or () if i]
    return _LIST_SEPARATOR.join(items) if items else None


def _place(p: Provenance | Any) -> dict[str, Any]:
    """The provenance columns of an item (anything with section, page, start, end)."""
    return {"section_id": p.section, "page": p.page, "start": p.start, "end": p.end}


def _first_place(item: Any) -> dict[str, Any]:
    return _place(item.provenance[0]) if getattr(item, "provenance", None) else _place(item)


@rows_of("documents")
def _documents(doc: Document) -> Iterable[dict[str, Any]]:
    info = doc.document
    yield {
        "document_id": info.id, "source": info.source, "format": info.format, "doc_type": info.doc_type,
        "number": info.number, "symbol": info.symbol, "issuer": info.issuer,
        "locality": info.locality.name if info.locality else None,
        "locality_level": info.locality.level if info.locality else None,
        "place": info.place, "issued_date": info.issued_date, "title": info.title,
        "signer_name": info.signer.name if info.signer else None,
        "signer_title": info.signer.title if info.signer else None,
        "recipients": _joined(info.recipients), "page_count": info.page_count, "encoding": info.encoding,
        "text_quality": info.text_quality, "diacritics_quality": info.diacritics_quality,
        "ocr_pages": sum(p.ocr for p in doc.pages), "text_length": len(doc.text), "sections": len(doc.sections),
        "tables": len(doc.tables), "citations": len(doc.citations), "indicators": len(doc.indicators),
        "tasks": len(doc.tasks), "warnings": _joined(doc.warnings),
    }


@rows_of("pages")
def _pages(doc: Document) -> Iterable[dict[str, Any]]:
    for p in doc.pages:
        yield {"document_id": doc.document.id, **asdict(p)}


@rows_of("sections")
def _sections(doc: Document) -> Iterable[dict[str, Any]]:
    for s in doc.sections:
        yield {"document_id": doc.document.id, "section_id": s.id, "parent_id": s.parent, "level": s.level,
               "kind": s.kind, "label": s.label, "heading": s.heading, "list_item": s.list_item,
               "caption": s.caption, "start": s.start, "end": s.end, "page_start": s.page_start, "page_end": s.page_end}


@rows_of("tables")
def _table_cells(doc: Document) -> Iterable[dict[str, Any]]:
    for t in doc.tables:
        for r, row in enumerate(t.rows):
            for c, cell in enumerate(row.cells):
                column = t.columns[c] if c < len(t.columns) else None
                yield {"document_id": doc.document.id, "table_id": t.id, "table_kind": t.kind, "shape": t.shape,
                       "caption": t.caption, "row": r, "column": c,
                       "column_name": column.name if column else None, "column_role": column.role if column else None,
                       "column_year": column.year if column else None, "group": row.group, "cell": cell,
                       "section_id": t.section, "page": row.page, "start": row.start, "end": row.end}


@rows_of("citations")
def _citations(doc: Document) -> Iterable[dict[str, Any]]:
    for i, c in enumerate(doc.citations):
        yield {"document_id": doc.document.id, "mention": i, "ref": c.ref, "doc_type": c.doc_type, "number": c.number,
               "issued_date": c.issued_date, "issuer": c.issuer, "title": c.title, "text": c.text,
               "footnote": c.footnote, "confidence": c.confidence, **_place(c)}


@rows_of("indicators")
def _indicators(doc: Document) -> Iterable[dict[str, Any]]:
    for i in doc.indicators:
        yield {"document_id": doc.document.id, "indicator_id": i.id, "name": i.name, "group": i.group, "unit": i.unit,
               "lead_units": _joined(i.lead_units), "implementing_units": _joined(i.implementing_units),
               "source": i.source, "table_id": i.table, "row": i.row, "places": max(1, len(i.provenance)),
               "confidence": i.confidence, **_first_place(i)}


@rows_of("indicator_targets")
def _indicator_targets(doc: Document) -> Iterable[dict[str, Any]]:
    for i in doc.indicators:
        place = _first_place(i)
        for t in i.targets:
            yield {"document_id": doc.document.id, "indicator_id": i.id, "year": t.year, "op": t.op,
                   "value": t.value, "text": t.text, "scope": t.scope, **place}


@rows_of("percentages")
def _percentages(doc: Document) -> Iterable[dict[str, Any]]:
    for n, p in enumerate(doc.percentages):
        yield {"document_id": doc.document.id, "mention": n, "value": p.value, "op": p.op, "subject": p.subject,
               "scope": p.scope, "text": p.text, "table_id": p.table, "row": p.row, "confidence": p.confidence,
               **_place(p)}


@rows_of("deadlines")
def _deadlines(doc: Document) -> Iterable[dict[str, Any]]:
    for n, d in enumerate(doc.deadlines):
        yield {"document_id": doc.document.id, "mention": n, "text": d.text, "kind": d.kind,
               "period_start": d.period_start, "period_end": d.period_end, "recurrence": d.recurrence,
               "table_id": d.table, "row": d.row, "confidence": d.confidence, **_place(d)}


@rows_of("units")
def _units(doc: Document) -> Iterable[dict[str, Any]]:
    for u in doc.units:
        place = _first_place(u) if u.provenance else {"section_id": None, "page": None, "start": None, "end": None}
        yield {"document_id": doc.document.id, "unit_name": u.name, "type": u.type, "aliases": _joined(u.aliases),
               "roles": _joined(u.roles), "mentions": u.mentions, "confidence": u.confidence, **place}


@rows_of("unit_mentions")
def _unit_mentions(doc: Document) -> Iterable[dict[str, Any]]:
    for u in doc.units:
        for p in u.provenance:
            yield {"document_id": doc.document.id, "unit_name": u.name, "source": p.source, "table_id": p.table,
                   "row": p.row, **_place(p)}


@rows_of("tasks")
def _tasks(doc: Document) -> Iterable[dict[str, Any]]:
    for t in doc.tasks:
        d = t.deadline
        yield {"document_id": doc.document.id, "task_id": t.id, "text": t.text, "group": t.group,
               "lead_unit": t.lead_units[0] if t.lead_units else None,
               "deadline_text": d.text if d else None, "deadline_kind": d.kind if d else None,
               "deadline_start": d.period_start if d else None, "deadline_end": d.period_end if d else None,
               "deadline_recurrence": d.recurrence if d else None, "output": t.output, "source": t.source,
               "table_id": t.table, "row": t.row, "places": max(1, len(t.provenance)), "confidence": t.confidence,
               **_first_place(t)}


@rows_of("task_units")
def _task_units(doc: Document) -> Iterable[dict[str, Any]]:
    for t in doc.tasks:
        place = _first_place(t)
        for role, names in (("lead", t.lead_units), ("support", t.support_units), ("implementing", t.implementing_units)):
            for position, name in enumerate(names):
                yield {"document_id": doc.document.id, "task_id": t.id, "unit_name": name, "role": role,
                       "position": position, **place}


# --- Collecting and writing -------------------------------------------------------------------


class DatasetBuilder:
    """Rows of every table, added one document at a time and kept as Arrow batches (columnar:
    a fraction of the memory the same rows take as Python objects)."""

    def __init__(self) -> None:
        self._batches: dict[str, list[pa.RecordBatch]] = {name: [] for name in table_specs()}

    def add(self, doc: Document) -> None:
        for name, rows in _ROWS.items():
            self.add_rows(name, rows(doc))

    def add_rows(self, table: str, rows: Iterable[dict[str, Any]]) -> None:
        """Rows of `table`; also rows computed over the whole batch (cross-document links)."""
        rows = list(rows)
        if rows:
            self._batches[table].append(_record_batch(table_specs()[table], rows))

    def tables(self) -> dict[str, pa.Table]:
        """Every table, typed by its spec."""
        return {name: pa.Table.from_batches(self._batches[name], schema=spec.arrow_schema)
                for name, spec in table_specs().items()}


def _record_batch(spec: TableSpec, rows: list[dict[str, Any]]) -> pa.RecordBatch:
    """Rows as one typed batch; a row whose columns are not the spec's is a bug: it raises."""
    names = set(spec.arrow_schema.names)
    for row in rows:
        if row.keys() != names:
            raise ValueError(f"table {spec.name}: a row has columns {sorted(row)}, the spec says {sorted(names)}")
    return pa.RecordBatch.from_pylist(rows, schema=spec.arrow_schema)


def write_dataset(tables: dict[str, pa.Table], out_dir: Path, excel: bool = True) -> None:
    """Write `out_dir/parquet/`, `out_dir/kehoach.duckdb` and (with `excel`) `out_dir/kehoach.xlsx`,
    each replaced whole: built in a staging folder, then moved over the previous one."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=".staging-"))
    try:
        parquet_dir = staging / PARQUET_DIR
        write_parquet(tables, parquet_dir)
        write_duckdb(parquet_dir, staging / DUCKDB_FILE)
        if excel:
            write_excel(tables, staging / EXCEL_FILE)
        _swap_dir(parquet_dir, out_dir / PARQUET_DIR)
        os.replace(staging / DUCKDB_FILE, out_dir / DUCKDB_FILE)
        if excel:
            os.replace(staging / EXCEL_FILE, out_dir / EXCEL_FILE)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def remove_stale_staging(out_dir: Path) -> None:
    """Staging folders a killed run left behind."""
    for stale in out_dir.glob(".staging-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _swap_dir(new: Path, target: Path) -> None:
    old = target.with_name(f".{target.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def write_parquet(tables: dict[str, pa.Table], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        pq.write_table(table, folder / f"{name}.parquet", compression="zstd")


def write_duckdb(parquet_dir: Path, path: Path) -> None:
    """The Parquet tables loaded into one DuckDB file, plus the views of `schema/dataset.yaml`."""
    import duckdb

    with duckdb.connect(str(path)) as con:
        for name in table_specs():
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM read_parquet(?)', [str(parquet_dir / f"{name}.parquet")])
            con.execute(f"COMMENT ON TABLE \"{name}\" IS '{_sql_string(table_specs()[name].meaning)}'")
        for view in view_specs():
            con.execute(f'CREATE VIEW "{view.name}" AS {view.sql}')


def _sql_string(text: str) -> str:
    return text.replace("'", "''")


_EXCEL_ILLEGAL = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_EXCEL_CELL_LIMIT = 32_767
_EXCEL_ROW_LIMIT = 1_048_575  # one row is the header
#: Cell text stays text: a plan's "=…" or "http…" is not a formula or a link, "01" not a number.
_EXCEL_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                  "strings_to_urls": False, "nan_inf_to_errors": True}


def _excel_text(value: Any) -> Any:
    if isinstance(value, str):
        value = _EXCEL_ILLEGAL.sub(" ", value)
        return value if len(value) <= _EXCEL_CELL_LIMIT else value[: _EXCEL_CELL_LIMIT - 1] + "…"
    return value


def write_excel(tables: dict[str, pa.Table], path: Path) -> None:
    """The tables marked `excel` as sheets (header row frozen, filters on), after an "about"
    sheet saying what each one holds. Written with xlsxwriter row by row in constant memory."""
    import xlsxwriter

    specs = table_specs()
    sheets = [name for name in tables if specs[name].excel]
    book = xlsxwriter.Workbook(str(path), _EXCEL_OPTIONS)
    try:
        bold = book.add_format({"bold": True})
        about = [("sheet", "rows", "meaning", "note")] + [
            (name, tables[name].num_rows, specs[name].meaning,
             "" if tables[name].num_rows <= _EXCEL_ROW_LIMIT else f"first {_EXCEL_ROW_LIMIT:,} rows; the Parquet file has them all")
            for name in sheets]
        _write_sheet(book.add_worksheet("about"), about, bold)
        for name in sheets:
            table = tables[name].slice(0, _EXCEL_ROW_LIMIT)
            rows = zip(*(column.to_pylist() for column in table.columns))
            _write_sheet(book.add_worksheet(name[:31]), [tuple(table.column_names), *rows], bold)
    finally:
        book.close()


def write_table_xlsx(table: pa.Table, path: Path, sheet: str) -> None:
    """One table as a one-sheet workbook (kehoach compare --format xlsx)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), _EXCEL_OPTIONS)
    try:
        rows = zip(*(column.to_pylist() for column in table.columns))
        _write_sheet(book.add_worksheet(sheet[:31]), [tuple(table.column_names), *rows], book.add_format({"bold": True}))
    finally:
        book.close()


def _write_sheet(sheet, rows: list[tuple], header_format) -> None:
    sheet.freeze_panes(1, 0)
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, [_excel_text(v) for v in row], header_format if r == 0 else None)
    if rows:
        sheet.autofilter(0, 0, max(0, len(rows) - 1), max(0, len(rows[0]) - 1))


# --- docs/dataset.md ------------------------------------------------------------------------------


def dataset_docs() -> str:
    """The Markdown reference of the dataset, generated from `schema/dataset.yaml`."""
    lines = ["# The kehoach dataset", "",
             "Generated from `pipeline/schema/dataset.yaml` by `python -m pipeline.dataset --docs`; "
             "do not edit by hand (a test checks it is current).", "",
             "`kehoach ingest PATH… --out DIR` writes `DIR/json/<document_id>.json` (the document contract), "
             f"`DIR/{PARQUET_DIR}/<table>.parquet`, `DIR/{DUCKDB_FILE}` (the same tables plus the views below) and "
             f"`DIR/{EXCEL_FILE}` (the tables marked *sheet* below). Offsets (`start`, `end`) index the "
             "document's normalized `text` in its JSON file; lists in one cell hold one item per line.", ""]
    for spec in table_specs().values():
        lines += [f"## `{spec.name}`", "", spec.meaning[0].upper() + spec.meaning[1:] + "."
                  + (" Also a sheet of the workbook." if spec.excel else ""), ""]
        if spec.schema:
            lines += [f"Flattens the JSON Schema object `{spec.schema}`.", ""]
        lines += ["| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{c.name}` | {c.type} | {c.meaning.replace('|', '&#124;')} |" for c in spec.columns]
        lines.append("")
    if view_specs():
        lines += ["## Views (DuckDB)", ""]
        for view in view_specs():
            lines += [f"### `{view.name}`", "", view.meaning[0].upper() + view.meaning[1:] + ".", "",
                      "```sql", view.sql, "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--docs"]:
        sys.stdout.write(dataset_docs())
    else:
        sys.exit("usage: python -m pipeline.dataset --docs > docs/dataset.md")

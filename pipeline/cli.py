"""The `kehoach` command line. Thin: parse options, call a stage, print.

Errors a user can cause (missing file, unreadable or unsupported input) print
one line on stderr naming the file and the reason and exit with code 2; a
traceback only with --debug. A document that was read but whose text layer
is partly unusable is printed with its warnings and exits with code 1.
"""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from . import __version__
from .files import write_atomic
from .limits import Limits
from .show import KINDS as SHOW_KINDS

app = typer.Typer(
    name="kehoach",
    help="Read Vietnamese administrative plans (Kế hoạch) into sectioned, normalized JSON.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_DEGRADED = 1
EXIT_INPUT_ERROR = 2
EXIT_INTERNAL_ERROR = 3
_DEGRADED_MARKERS = ("unusable text layer", "no text layer")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kehoach {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Optional[bool] = typer.Option(None, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """kehoach: plans in, clean JSON out."""


def _fail(path: Path | str, reason: str, code: int) -> None:
    typer.echo(f"kehoach: error: {path}: {reason}", err=True)
    raise typer.Exit(code)


# The limits per document (pipeline.limits), one option each; 0 switches a limit off.
_MAX_FILE_MB = typer.Option(Limits.max_file_mb, "--max-file-mb", min=0, help="Refuse larger files (MB; 0: no limit).")
_MAX_PAGES = typer.Option(Limits.max_pages, "--max-pages", min=0, help="Refuse PDFs with more pages (0: no limit).")
_MAX_CHARS = typer.Option(Limits.max_chars, "--max-chars", min=0,
                          help="Refuse documents with more characters of text (0: no limit).")
_MAX_UNPACKED_MB = typer.Option(Limits.max_unpacked_mb, "--max-unpacked-mb", min=0,
                                help="Refuse DOCX files whose parts unpack to more (MB; ZIP bombs; 0: no limit).")


def _run_extract(file: Path, debug: bool, limits: Limits | None = None):
    from .extract import extract_document
    from .load import LoadError

    try:
        return extract_document(file, limits)
    except LoadError as exc:
        if debug:
            raise
        _fail(exc.path, exc.reason, EXIT_INPUT_ERROR)
    except Exception as exc:  # a bug of ours: still one line unless --debug
        if debug:
            raise
        _fail(file, f"internal error ({type(exc).__name__}: {exc}); rerun with --debug for the traceback", EXIT_INTERNAL_ERROR)


def _exit_status(warnings: list[str]) -> int:
    return EXIT_DEGRADED if any(m in w for w in warnings for m in _DEGRADED_MARKERS) else 0


@app.command()
def extract(
    file: Path = typer.Argument(..., help="A plan: .txt, .md, .pdf or .docx."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the JSON here instead of stdout."),
    pretty: bool = typer.Option(False, "--pretty", help="Indent the JSON."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
    max_file_mb: float = _MAX_FILE_MB,
    max_pages: int = _MAX_PAGES,
    max_chars: int = _MAX_CHARS,
    max_unpacked_mb: float = _MAX_UNPACKED_MB,
) -> None:
    """Read one plan and print its JSON document (schema_version 1)."""
    limits = Limits.from_options(max_file_mb=max_file_mb, max_pages=max_pages, max_chars=max_chars,
                                 max_unpacked_mb=max_unpacked_mb)
    doc = _run_extract(file, debug, limits)
    data = doc.to_json()
    content = json.dumps(data, ensure_ascii=False, indent=2 if pretty else None) + "\n"
    if out is None:
        sys.stdout.write(content)
    else:
        write_atomic(out, content)
    for warning in doc.warnings:
        typer.echo(f"kehoach: warning: {file}: {warning}", err=True)
    raise typer.Exit(_exit_status(doc.warnings))


@app.command()
def sections(
    file: Path = typer.Argument(..., help="A plan: .txt, .md, .pdf or .docx."),
    items: bool = typer.Option(False, "--items", help="Also list '-' and '+' list items."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
) -> None:
    """Print the section tree as an indented outline: label, heading, pages."""
    doc = _run_extract(file, debug)
    for line in outline_lines(doc, include_items=items):
        typer.echo(line)
    raise typer.Exit(_exit_status(doc.warnings))


class TableFormat(str, Enum):
    text = "text"
    csv = "csv"
    json = "json"


@app.command()
def tables(
    file: Path = typer.Argument(..., help="A plan: .txt, .md, .pdf or .docx."),
    fmt: TableFormat = typer.Option(TableFormat.text, "--format", "-f", help="text (aligned grid), csv or json."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Directory for one file per table (csv, json)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
) -> None:
    """Print the plan's tables (typed columns, rows with their group), or write one file per table."""
    from .tables.export import table_csv, table_json, print_table

    doc = _run_extract(file, debug)
    if fmt is TableFormat.text:
        for table in doc.tables:
            print_table(table)
    else:
        render = table_csv if fmt is TableFormat.csv else table_json
        for table in doc.tables:
            content = render(table)
            if out is None:
                sys.stdout.write(content + "\n")
            else:
                write_atomic(out / f"{doc.document.id}_{table.id}.{fmt.value}", content)
    if not doc.tables:
        typer.echo(f"kehoach: {file}: no tables found", err=True)
    raise typer.Exit(_exit_status(doc.warnings))


#: The kinds `kehoach show --only` accepts: those `pipeline/show.py` has columns for.
ItemKind = Enum("ItemKind", {kind: kind for kind in SHOW_KINDS}, type=str)


@app.command()
def show(
    file: Path = typer.Argument(..., help="A plan: .txt, .md, .pdf or .docx."),
    only: Optional[ItemKind] = typer.Option(None, "--only", help="One kind of item; all kinds when left out."),
    width: Optional[int] = typer.Option(None, "--width", help="Table width in characters (default: the terminal's)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
) -> None:
    """Print extracted items as readable tables, each with the text it was read from."""
    from rich.console import Console

    from .show import show as show_items

    doc = _run_extract(file, debug)
    console = Console(width=width)
    for kind in [only.value] if only else SHOW_KINDS:
        show_items(doc, kind, console)
    raise typer.Exit(_exit_status(doc.warnings))


@app.command()
def train(
    model: Optional[list[str]] = typer.Option(None, "--model", "-m",
                                              help="tables | units | line_roles; repeat for several (default: all)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Models folder (default: models/, or $KEHOACH_MODELS)."),
) -> None:
    """Train the pipeline's models from annotations/; print leave-one-plan-out figures beside the rules."""
    from .modelfile import model_dir
    from .training import MODELS, train_all

    names = model or list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        _fail("--model", f"unknown model {unknown[0]!r}: choose from {', '.join(MODELS)}", EXIT_INPUT_ERROR)
    folder = out or model_dir()
    train_all(folder, names, echo=typer.echo)
    typer.echo(f"saved {', '.join(MODELS[n].file for n in names)} in {folder} (each with .metrics.json and .md)")


class ExecutorName(str, Enum):
    local = "local"
    dask = "dask"


EXIT_INTERRUPTED = 130


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Plans and folders of plans (.pdf, .docx, .doc, .txt, .md)."),
    out: Path = typer.Option(..., "--out", "-o", help="The dataset folder: json/, parquet/, kehoach.duckdb, kehoach.xlsx, manifest.csv."),
    workers: int = typer.Option(os.cpu_count() or 1, "--workers", "-w", min=1, help="Worker processes (default: all cores)."),
    force: bool = typer.Option(False, "--force", help="Reprocess files that did not change since the last run."),
    executor: ExecutorName = typer.Option(ExecutorName.local, "--executor", help="local processes, or a Dask cluster."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address (default: a local cluster)."),
    timeout: float = typer.Option(Limits.max_seconds, "--timeout", min=0,
                                  help="Seconds allowed per document (local executor; 0: no limit)."),
    max_memory_mb: float = typer.Option(Limits.max_memory_mb, "--max-memory-mb", min=0,
                                     help="Memory (MB) a worker may use per document (local executor; 0: no limit)."),
    max_file_mb: float = _MAX_FILE_MB,
    max_pages: int = _MAX_PAGES,
    max_chars: int = _MAX_CHARS,
    max_unpacked_mb: float = _MAX_UNPACKED_MB,
    excel: bool = typer.Option(True, "--excel/--no-excel", help="Also write kehoach.xlsx."),
    concepts: Path = typer.Option(Path("annotations/indicator_concepts.csv"), "--concepts",
                                  help="Reviewed indicator concepts (CSV) that fix what clustering would decide; ignored when missing."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Ingest many plans into a dataset; one bad file never stops the batch.

    Unchanged files (same content hash as in the last run's manifest) are skipped; failures are
    recorded in manifest.csv with their reason. Exit code 1 when some file failed.
    """
    from .ingest import IngestSettings
    from .ingest import ingest as run_ingest
    from .progress import IngestProgress

    limits = Limits.from_options(max_file_mb=max_file_mb, max_pages=max_pages, max_chars=max_chars,
                                 max_unpacked_mb=max_unpacked_mb, max_seconds=timeout, max_memory_mb=max_memory_mb)
    settings = IngestSettings(workers=workers, force=force, excel=excel, limits=limits,
                              executor=executor.value, scheduler=scheduler, concept_mapping=concepts)
    try:
        with IngestProgress(enabled=not quiet) as bar:
            summary = run_ingest(paths, out, settings, progress=bar.advance, on_start=bar.start,
                                 on_dataset=bar.building)
    except FileNotFoundError as exc:
        _fail(exc.args[0], "no such file or folder", EXIT_INPUT_ERROR)
    except KeyboardInterrupt:
        typer.echo(f"kehoach: interrupted; {out / 'manifest.csv'} says what is done, and the previous dataset "
                   "is unchanged. Run the same command again to finish.", err=True)
        raise typer.Exit(EXIT_INTERRUPTED)
    except RuntimeError as exc:
        _fail(out, str(exc), EXIT_INPUT_ERROR)
    for row in summary.rows:
        if row.status == "failed":
            typer.echo(f"kehoach: failed: {row.path}: {row.error}", err=True)
    counts = ", ".join(f"{summary.count(s)} {s}" for s in ("ok", "skipped-unchanged", "duplicate", "failed")
                       if summary.count(s))
    typer.echo(f"{summary.documents} documents in {out} ({counts}) in {summary.seconds:.1f} s")
    raise typer.Exit(EXIT_DEGRADED if summary.count("failed") else 0)


class CompareFormat(str, Enum):
    text = "text"
    csv = "csv"
    xlsx = "xlsx"
    html = "html"


@app.command()
def compare(
    dataset: Path = typer.Argument(..., help="A dataset folder written by kehoach ingest."),
    indicator: Optional[str] = typer.Option(None, "--indicator", "-i", help="Only concepts whose name contains this (accents ignored)."),
    year: Optional[int] = typer.Option(None, "--year", "-y", help="Milestone year (default: the year with the most targets)."),
    min_plans: int = typer.Option(1, "--min-plans", min=1, help="Only concepts set by at least this many plans."),
    lineage: Optional[str] = typer.Option(None, "--lineage", help="A plan (document id or file name): its targets and tasks against its parent plan's."),
    parent: Optional[str] = typer.Option(None, "--parent", help="With --lineage: compare against this plan instead of the recorded parent."),
    fmt: CompareFormat = typer.Option(CompareFormat.text, "--format", "-f", help="text, csv, xlsx or html."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write here (required for xlsx)."),
) -> None:
    """Compare plans: targets of each indicator concept across localities, or a plan against its parent."""
    from . import compare as cmp

    try:
        if lineage:
            result = cmp.lineage(dataset, lineage, parent)
            records, lines, html = cmp.lineage_records(result), cmp.lineage_lines(result), None
        else:
            matrix = cmp.concept_matrix(dataset, year, indicator, min_plans)
            records, lines, html = cmp.matrix_records(matrix), None, cmp.matrix_html(matrix)
    except cmp.DatasetError as exc:
        typer.echo(f"kehoach: error: {exc}", err=True)
        raise typer.Exit(EXIT_INPUT_ERROR)
    if fmt is CompareFormat.xlsx:
        if out is None:
            _fail(dataset, "--format xlsx needs --out FILE.xlsx", EXIT_INPUT_ERROR)
        _write_xlsx(records, out)
        return
    if fmt is CompareFormat.csv:
        content = _csv_text(records)
    elif fmt is CompareFormat.html:
        content = html if html is not None else _records_html(records)
    elif lines is not None:
        content = "\n".join(lines) + "\n"
    else:
        from .show import matrix_console

        matrix_console(matrix, out)
        return
    if out is None:
        sys.stdout.write(content)
    else:
        write_atomic(out, content)


def _csv_text(records: list[dict]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    if records:
        writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    return buffer.getvalue()


def _records_html(records: list[dict]) -> str:
    from html import escape

    if not records:
        return "<table></table>\n"
    head = "".join(f"<th>{escape(str(k))}</th>" for k in records[0])
    rows = "".join("<tr>" + "".join(f"<td>{escape('' if v is None else str(v))}</td>" for v in r.values()) + "</tr>"
                   for r in records)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>\n"


def _write_xlsx(records: list[dict], out: Path) -> None:
    import pyarrow as pa

    from .dataset import write_table_xlsx
    from .files import replaced_atomically

    with replaced_atomically(out) as tmp:
        write_table_xlsx(pa.Table.from_pylist(records) if records else pa.table({}), tmp, "compare")


@app.command()
def report(
    dataset: Path = typer.Argument(..., help="A dataset folder written by kehoach ingest."),
    out: Path = typer.Option(..., "--out", "-o", help="The HTML file to write."),
) -> None:
    """Write one self-contained HTML page about a dataset: overview, comparison, charts of targets,
    citation graph, and each plan with its items highlighted in its text."""
    from .compare import DatasetError
    from .report import build_report

    try:
        content = build_report(dataset)
    except DatasetError as exc:
        typer.echo(f"kehoach: error: {exc}", err=True)
        raise typer.Exit(EXIT_INPUT_ERROR)
    write_atomic(out, content)
    typer.echo(f"wrote {out} ({len(content.encode('utf-8')) // 1024} KiB)")


def outline_lines(doc, include_items: bool = False, width: int = 100) -> list[str]:
    lines = []
    for s in doc.sections:
        if s.list_item and not include_items:
            continue
        text = s.heading or _first_words(doc.text[s.start : s.end])
        label = f"{s.label}. " if s.label and s.kind == "body" and not s.list_item else (f"{s.label} " if s.label else "")
        pages = ""
        if s.page_start is not None:
            pages = f"  [p. {s.page_start}]" if s.page_start == s.page_end else f"  [pp. {s.page_start}-{s.page_end}]"
        kind = "" if s.kind == "body" else f"({s.kind}) "
        entry = f"{'  ' * (s.level - 1)}{kind}{label}{text}"
        if len(entry) > width:
            entry = entry[: width - 1] + "…"
        lines.append(entry + pages)
    return lines


def _first_words(text: str, n: int = 12) -> str:
    words = text.split()
    return " ".join(words[:n]) + (" …" if len(words) > n else "")


from .cli_gold import annotate_app, evaluate_command  # noqa: E402  (gold and evaluation commands, their own module)

app.add_typer(annotate_app, name="annotate")
app.command("evaluate")(evaluate_command)

if __name__ == "__main__":  # pragma: no cover
    app()

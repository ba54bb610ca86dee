"""Batch ingest: many files -> `DIR/json/`, the dataset and `DIR/manifest.csv`.

The per-document work (`process_file`) is a pure function of the file: it returns the JSON text
or the reason the file could not be read, and never raises. So it can be mapped over local
worker processes or a Dask cluster alike, and one bad file never stops the batch.

The parent process alone writes: each document's JSON as its result arrives (atomically), the
manifest after every result, and the dataset once at the end (all or nothing, see
`dataset.write_dataset`). Killed mid-batch, it leaves the previous dataset readable and a
manifest saying what is done; the next run skips what is done and unchanged (content hash).
A path ingested before and now changed replaces its old document. The dataset holds every
document of the manifest, so batches into one folder add up.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timezone
from pathlib import Path

from .dataset import DatasetBuilder, remove_stale_staging, write_dataset
from .files import file_hash, id_of_hash, write_atomic

JSON_DIR = "json"
MANIFEST = "manifest.csv"
INPUT_SUFFIXES = (".pdf", ".docx", ".doc", ".txt", ".md")
#: statuses of a manifest row
OK, FAILED, UNCHANGED, DUPLICATE, PENDING = "ok", "failed", "skipped-unchanged", "duplicate", "pending"
_DONE = (OK, UNCHANGED)
_MANIFEST_EVERY = 0.5  # seconds between manifest rewrites while results arrive


@dataclass(frozen=True)
class IngestSettings:
    workers: int = os.cpu_count() or 1
    force: bool = False  # reprocess unchanged files too
    excel: bool = True
    timeout: float | None = 600.0  # seconds per document (local workers)
    executor: str = "local"  # local | dask
    scheduler: str | None = None  # a Dask scheduler address; None starts a LocalCluster
    concept_mapping: Path | None = Path("annotations/indicator_concepts.csv")  # people's concept decisions


@dataclass(frozen=True)
class FileResult:
    """What the per-document work returns: the JSON document, or why there is none."""

    path: str
    document_id: str | None
    status: str  # ok | failed
    error: str | None
    seconds: float
    json: str | None = None
    warnings: int = 0
    pages: int | None = None
    text_quality: float | None = None
    diacritics_quality: float | None = None
    peak_mb: float | None = None  # the worker process's peak resident memory so far


@dataclass(frozen=True)
class ManifestRow:
    path: str
    size_bytes: int | None
    sha256: str | None
    document_id: str | None
    status: str
    error: str | None
    warnings: int
    pages: int | None
    text_quality: float | None
    diacritics_quality: float | None
    seconds: float | None
    processed_at: str | None


@dataclass(frozen=True)
class IngestSummary:
    rows: list[ManifestRow]
    seconds: float
    documents: int  # in the dataset

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.rows)


# --- The per-document work ----------------------------------------------------------------------


def process_file(path: str, timeout: float | None = None) -> FileResult:
    """Read one plan into its JSON text. Never raises: a file that cannot be read is a result."""
    import json

    from .extract import extract_document
    from .load import LoadError

    started = time.perf_counter()
    try:
        with _time_limit(timeout):
            doc = extract_document(path)
            text = json.dumps(doc.to_json(), ensure_ascii=False)
    except LoadError as exc:
        return FileResult(path, None, FAILED, exc.reason, time.perf_counter() - started)
    except _Timeout:
        return FileResult(path, None, FAILED, f"took longer than {timeout:g} s (the time limit per document)",
                          time.perf_counter() - started)
    except Exception as exc:  # a bug of ours on this file: recorded, the batch goes on
        return FileResult(path, None, FAILED, f"internal error ({type(exc).__name__}: {exc})",
                          time.perf_counter() - started)
    info = doc.document
    return FileResult(path, info.id, OK, None, time.perf_counter() - started, text, len(doc.warnings),
                      info.page_count, info.text_quality, info.diacritics_quality, _peak_mb())


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


class _Timeout(Exception):
    pass


class _time_limit:
    """SIGALRM after `seconds`, where signals can be used (a process's main thread)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.armed = bool(seconds) and threading.current_thread() is threading.main_thread()

    def __enter__(self) -> None:
        if self.armed:
            signal.signal(signal.SIGALRM, self._fire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)

    @staticmethod
    def _fire(signum, frame):
        raise _Timeout()


# --- Executors: map process_file over paths, results in completion order ------------------------


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent, which stops the batch and writes what is done."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_local(paths: list[str], settings: IngestSettings) -> Iterator[FileResult]:
    """Local worker processes. A worker that dies (out of memory, a crash in a native library)
    breaks the pool: the files then unfinished are retried one at a time, and the one that kills
    its worker again is recorded as failed."""
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    crashed: list[str] = []
    with ProcessPoolExecutor(max(1, settings.workers), mp_context=context, initializer=_worker_init) as pool:
        futures = {pool.submit(process_file, p, settings.timeout): p for p in paths}
        try:
            for future in as_completed(futures):
                try:
                    yield future.result()
                except BrokenProcessPool:
                    crashed.append(futures[future])
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    for path in crashed:
        yield _run_alone(path, settings, context)


def _run_alone(path: str, settings: IngestSettings, context) -> FileResult:
    with ProcessPoolExecutor(1, mp_context=context, initializer=_worker_init) as pool:
        try:
            return pool.submit(process_file, path, settings.timeout).result()
        except BrokenProcessPool:
            return FileResult(path, None, FAILED, "the worker process died while reading it "
                              "(out of memory, or a crash in a native library)", 0.0)


def run_dask(paths: list[str], settings: IngestSettings) -> Iterator[FileResult]:
    """The same function mapped over a Dask cluster: the one at `settings.scheduler`, or a local
    cluster of `settings.workers` processes. Results come back as JSON text, so the workers need
    not share the output folder. (The per-document time limit is the local executor's.)"""
    try:
        from distributed import Client, LocalCluster, as_completed as dask_completed
    except ImportError as exc:
        raise RuntimeError("the dask executor needs Dask: pip install 'kehoach[dask]'") from exc
    cluster = None
    if settings.scheduler:
        client = Client(settings.scheduler)
    else:
        cluster = LocalCluster(n_workers=max(1, settings.workers), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        futures = client.map(process_file, paths, pure=False)
        for future in dask_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


EXECUTORS: dict[str, Callable[[list[str], IngestSettings], Iterator[FileResult]]] = {
    "local": run_local,
    "dask": run_dask,
}


# --- Inputs and the manifest ----------------------------------------------------------------------


def collect_inputs(paths: Iterable[Path]) -> list[Path]:
    """The plans under `paths` (files as given; folders walked for supported suffixes), sorted,
    each once. Raises FileNotFoundError for a path that does not exist."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in INPUT_SUFFIXES and not child.name.startswith("."):
                    found.setdefault(child, None)
        elif path.exists():
            found.setdefault(path, None)
        else:
            raise FileNotFoundError(str(path))
    return list(found)


def read_manifest(out_dir: Path) -> dict[str, ManifestRow]:
    """The previous run's rows by path (empty when there was none)."""
    path = out_dir / MANIFEST
    if not path.exists():
        return {}
    types = {f.name: f.type for f in fields(ManifestRow)}
    rows = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for raw in csv.DictReader(fh):
            rows[raw["path"]] = ManifestRow(**{k: _parse(types[k], raw.get(k, "")) for k in types})
    return rows


def _parse(kind: str, value: str):
    if value == "":
        return None if kind != "int" else 0
    if kind.startswith("int"):
        return int(value)
    if kind.startswith("float"):
        return float(value)
    return value


def write_manifest(out_dir: Path, rows: Iterable[ManifestRow]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[f.name for f in fields(ManifestRow)], lineterminator="\n")
    writer.writeheader()
    for row in sorted(rows, key=lambda r: r.path):
        writer.writerow({k: "" if v is None else v for k, v in asdict(row).items()})
    write_atomic(out_dir / MANIFEST, buffer.getvalue())


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --- The batch ------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """What this run does with each input: rows decided up front, paths left to process."""

    rows: dict[str, ManifestRow]
    todo: list[str]


def plan_batch(files: list[Path], previous: dict[str, ManifestRow], json_dir: Path, force: bool) -> _Plan:
    rows = dict(previous)  # inputs of earlier batches stay in the dataset
    todo, first_with_hash = [], {}
    for file in files:
        key = str(file)
        try:
            size, sha = file.stat().st_size, file_hash(file)
        except OSError as exc:
            rows[key] = ManifestRow(key, None, None, None, FAILED, f"cannot read the file: {exc.strerror or exc}",
                                    0, None, None, None, None, _now())
            continue
        doc_id = id_of_hash(sha)
        before = previous.get(key)
        if sha in first_with_hash:
            rows[key] = ManifestRow(key, size, sha, doc_id, DUPLICATE, f"same content as {first_with_hash[sha]}",
                                    0, None, None, None, None, _now())
            continue
        first_with_hash[sha] = key
        if (not force and before is not None and before.sha256 == sha and before.status in _DONE
                and (json_dir / f"{doc_id}.json").exists()):
            rows[key] = replace(before, status=UNCHANGED, error=None)
            continue
        rows[key] = ManifestRow(key, size, sha, doc_id, PENDING, None, 0, None, None, None, None, None)
        todo.append(key)
    return _Plan(rows, todo)


def ingest(paths: Iterable[Path], out_dir: Path, settings: IngestSettings = IngestSettings(),
           progress: Callable[[FileResult], None] | None = None,
           on_start: Callable[[int], None] | None = None,
           on_dataset: Callable[[], None] | None = None) -> IngestSummary:
    """Ingest the plans under `paths` into `out_dir`. KeyboardInterrupt leaves the manifest
    saying what is done (the rest `pending`) and the previous dataset untouched."""
    started = time.perf_counter()
    files = collect_inputs(paths)  # a missing input stops us before anything is written
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(out_dir)
    json_dir = out_dir / JSON_DIR
    json_dir.mkdir(exist_ok=True)
    batch = plan_batch(files, read_manifest(out_dir), json_dir, settings.force)
    rows = batch.rows
    write_manifest(out_dir, rows.values())
    if on_start:
        on_start(len(batch.todo))
    last_write = time.monotonic()
    try:
        for result in _execute(batch.todo, settings):
            rows[result.path] = _record(result, rows[result.path], json_dir)
            if progress:
                progress(result)
            if time.monotonic() - last_write >= _MANIFEST_EVERY:
                write_manifest(out_dir, rows.values())
                last_write = time.monotonic()
    finally:
        write_manifest(out_dir, rows.values())
    _remove_unlisted(rows.values(), json_dir)
    if on_dataset:
        on_dataset()
    documents = build_dataset(out_dir, rows.values(), excel=settings.excel, concept_mapping=settings.concept_mapping)
    return IngestSummary(sorted(rows.values(), key=lambda r: r.path), time.perf_counter() - started, documents)


def _execute(paths: list[str], settings: IngestSettings) -> Iterator[FileResult]:
    if not paths:
        return iter(())
    try:
        run = EXECUTORS[settings.executor]
    except KeyError:
        raise ValueError(f"unknown executor {settings.executor!r}: choose one of {', '.join(EXECUTORS)}") from None
    return run(paths, settings)


def _record(result: FileResult, row: ManifestRow, json_dir: Path) -> ManifestRow:
    if result.status == OK:
        write_atomic(json_dir / f"{result.document_id}.json", result.json + "\n")
    return replace(row, status=result.status, error=result.error, document_id=result.document_id or row.document_id,
                   warnings=result.warnings, pages=result.pages, text_quality=result.text_quality,
                   diacritics_quality=result.diacritics_quality,
                   seconds=round(result.seconds, 3), processed_at=_now())


def _remove_unlisted(rows: Iterable[ManifestRow], json_dir: Path) -> None:
    """JSON of documents no input holds any more (a file changed or failed since it was read)."""
    kept = {f"{r.document_id}.json" for r in rows if r.status in _DONE}
    for path in json_dir.glob("*.json"):
        if path.name not in kept:
            path.unlink()


def build_dataset(out_dir: Path, rows: Iterable[ManifestRow], excel: bool = True,
                  concept_mapping: Path | None = None) -> int:
    """Parquet, DuckDB and Excel from the JSON of every done document of the manifest, with the
    links across them (concepts, citation graph, parents)."""
    import json

    from .link.tables import link_rows
    from .model import Document

    builder, linked, seen = DatasetBuilder(), [], set()
    for row in sorted(rows, key=lambda r: r.path):
        if row.status not in _DONE or row.document_id in seen:
            continue
        seen.add(row.document_id)
        data = json.loads((out_dir / JSON_DIR / f"{row.document_id}.json").read_text(encoding="utf-8"))
        doc = Document.from_json(data)
        builder.add(doc)
        linked.append(_for_linking(doc))
    for table, table_rows in link_rows(linked, concept_mapping).items():
        builder.add_rows(table, table_rows)
    write_dataset(builder.tables(), out_dir, excel=excel)
    return len(seen)


def _for_linking(doc):
    """What the links read of a document (its info, text, sections, citations, indicators and
    tasks): the rest is let go, so a large batch is not held in memory whole."""
    return replace(doc, tables=[], footnotes=[], percentages=[], deadlines=[], units=[])

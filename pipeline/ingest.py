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
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timezone
from pathlib import Path

from .dataset import DatasetBuilder, remove_stale_staging, write_dataset
from .files import file_hash, id_of_hash, write_atomic
from .limits import Limits, TimeLimitExceeded, cpu_budget, data_mb, death_reason, guard, memory_reason, time_reason
from .load.ocr import OCR_WORKERS_ENV

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
    limits: Limits = Limits()  # per document: size, pages, characters, time, memory (see pipeline.limits)
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


def process_file(path: str, limits: Limits = Limits()) -> FileResult:
    """Read one plan into its JSON text within `limits`. Never raises: a file that cannot be read,
    or that is over a limit, is a result."""
    import json

    from .extract import extract_document
    from .load import LoadError

    started = time.perf_counter()

    def failed(reason: str) -> FileResult:
        return FileResult(path, None, FAILED, reason, time.perf_counter() - started)

    try:
        with guard(limits):
            doc = extract_document(path, limits)
            text = json.dumps(doc.to_json(), ensure_ascii=False)
    except LoadError as exc:
        return failed(exc.reason)
    except TimeLimitExceeded:
        return failed(time_reason(limits))
    except MemoryError:
        return failed(memory_reason(limits))
    except Exception as exc:  # a bug of ours on this file: recorded, the batch goes on
        return failed(f"internal error ({type(exc).__name__}: {exc})")
    info = doc.document
    return FileResult(path, info.id, OK, None, time.perf_counter() - started, text, len(doc.warnings),
                      info.page_count, info.text_quality, info.diacritics_quality, _peak_mb())


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


# --- Executors: map process_file over paths, results in completion order ------------------------


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent, which stops the batch and writes what is done. They load
    the pipeline before their first document, so that its time limit counts the document alone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ[OCR_WORKERS_ENV] = "1"  # one worker per core already: its scanned pages one at a time
    from .extractors.nlp import make_nlp

    make_nlp()


def run_local(paths: list[str], settings: IngestSettings) -> Iterator[FileResult]:
    """Local worker processes, each reading one file at a time, watched from here. A worker that
    dies (a native library aborting when memory runs out, the kernel stopping a native call past
    the CPU limit, a crash) costs only the file it was reading, whose result says why; one still
    running past the time limit, stuck where no signal reaches it, is stopped. A new worker takes
    the place of each one lost."""
    import multiprocessing
    from multiprocessing.connection import wait as wait_for_any

    context = multiprocessing.get_context("forkserver")
    todo, pool = deque(paths), []
    try:
        while todo or any(worker.busy for worker in pool):
            while len(pool) < min(max(1, settings.workers), len(todo) + sum(worker.busy for worker in pool)):
                pool.append(_Worker.start(context))
            for worker in pool:
                if worker.ready and not worker.busy and todo:
                    worker.read(todo.popleft(), settings.limits)
            wait_for_any([w.conn for w in pool] + [w.process.sentinel for w in pool], timeout=_SAMPLE_S)
            for worker in list(pool):
                result = worker.check(settings.limits)
                if result is not None:
                    yield result
                if not worker.process.is_alive() and not worker.busy:
                    worker.close()
                    pool.remove(worker)
    finally:
        for worker in pool:
            worker.close()


_READY = "ready"
_SAMPLE_S = 0.1  # how often the parent looks at its workers (results, deaths, memory, the clock)
_STUCK_MARGIN_S = 5.0  # past the CPU backstop (limits.cpu_budget), the parent stops a worker


@dataclass
class _Worker:
    """One worker process, the file it is reading and what the parent saw of it."""

    process: object  # multiprocessing's Process of the forkserver context
    conn: object  # the parent's end of a duplex Pipe
    ready: bool = False  # the pipeline is loaded
    path: str | None = None
    since: float = 0.0
    peak_mb: float | None = None  # the largest data memory seen while it read `path`

    @classmethod
    def start(cls, context) -> "_Worker":
        conn, child = context.Pipe()
        process = context.Process(target=_worker_main, args=(child,), daemon=True)
        process.start()
        child.close()
        return cls(process, conn)

    @property
    def busy(self) -> bool:
        return self.path is not None

    def read(self, path: str, limits: Limits) -> None:
        self.path, self.since, self.peak_mb = path, time.monotonic(), None
        self.conn.send((path, limits))

    def check(self, limits: Limits) -> FileResult | None:
        """The result of its file when there is one: sent, or the reason it will never come."""
        try:
            while self.conn.poll():
                message = self.conn.recv()
                if message == _READY:
                    self.ready = True
                    continue
                self.path = None
                return message
        except (EOFError, OSError):  # the process is gone; its exit status says why
            pass
        if not self.process.is_alive():
            return self._died(limits)
        if self.busy:
            self.peak_mb = max(self.peak_mb or 0.0, data_mb(self.process.pid) or 0.0)
            budget = cpu_budget(limits)
            if budget is not None and time.monotonic() - self.since > budget + _STUCK_MARGIN_S:
                self.process.kill()
                self.process.join()
                return self._result(time_reason(limits))
        return None

    def _died(self, limits: Limits) -> FileResult | None:
        self.process.join()
        if not self.ready:
            raise RuntimeError(f"worker processes cannot start (one ended with exit status {self.process.exitcode})")
        return self._result(death_reason(self.process.exitcode, limits, self.peak_mb)) if self.busy else None

    def _result(self, reason: str) -> FileResult:
        path, self.path = self.path, None
        return FileResult(path, None, FAILED, reason, time.monotonic() - self.since)

    def close(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


def _worker_main(conn) -> None:
    """A worker's life: load the pipeline, then read the files the parent sends until it hangs up."""
    _worker_init()
    conn.send(_READY)
    while True:
        try:
            path, limits = conn.recv()
        except EOFError:
            return
        conn.send(process_file(path, limits))


def run_dask(paths: list[str], settings: IngestSettings) -> Iterator[FileResult]:
    """The same function mapped over a Dask cluster: the one at `settings.scheduler`, or a local
    cluster of `settings.workers` processes. Results come back as JSON text, so the workers need
    not share the output folder. (The content limits hold there too; time and memory limits are
    the local executor's: tasks run in worker threads, where signals and rlimits are not ours.)"""
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
        futures = client.map(process_file, paths, limits=settings.limits, pure=False)
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

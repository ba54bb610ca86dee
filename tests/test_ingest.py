"""Batch ingest: the corpus into a dataset, bad files recorded and skipped, re-runs, Ctrl-C, Dask."""

from __future__ import annotations

import csv
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.dataset import table_specs
from pipeline.files import file_hash, id_of_hash
from pipeline.ingest import IngestSettings, ingest, read_manifest

from .conftest import SEEDS

CORPUS = next(iter(SEEDS.values())).parent
# Verified by reading the seeds (tests/test_seeds.py and the extractor tests check each item).
CITATION_MENTIONS = {"000": 33, "001": 20, "002": 15, "003": 38, "004": 41}
TASKS = {"000": 23, "001": 0, "002": 7, "003": 14, "004": 37}


def manifest(out: Path) -> dict[str, dict]:
    with (out / "manifest.csv").open(encoding="utf-8") as fh:
        return {Path(r["path"]).name: r for r in csv.DictReader(fh)}


def sql(out: Path, query: str, params: list | None = None) -> list[tuple]:
    """Rows of a query on the dataset's DuckDB file (the connection closed again: DuckDB shares one
    open database per path in a process, and the tests replace the file between runs)."""
    with duckdb.connect(str(out / "kehoach.duckdb"), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


def json_documents(out: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (out / "json").glob("*.json")}


def test_corpus_ingest_writes_every_output(corpus_dataset):
    out = corpus_dataset
    for name in ("manifest.csv", "kehoach.duckdb", "kehoach.xlsx"):
        assert (out / name).is_file(), name
    assert sorted(p.stem for p in (out / "parquet").glob("*.parquet")) == sorted(table_specs())
    rows = manifest(out)
    assert {r["status"] for r in rows.values()} == {"ok"}
    assert {r["diacritics_quality"] for r in rows.values()} == {"1.0"}
    assert {name: r["document_id"] for name, r in rows.items()} == {p.name: id_of_hash(file_hash(p)) for p in SEEDS.values()}
    assert len(json_documents(out)) == 5


def test_row_counts_match_the_seeds(corpus_dataset):
    by_source = dict(sql(corpus_dataset, "SELECT split_part(source, '/', -1), document_id FROM documents"))
    ids = {key: by_source[path.name] for key, path in SEEDS.items()}
    mentions = dict(sql(corpus_dataset, "SELECT document_id, count(*) FROM citations GROUP BY 1"))
    tasks = dict(sql(corpus_dataset, "SELECT document_id, count(*) FROM tasks GROUP BY 1"))
    assert {k: mentions.get(i, 0) for k, i in ids.items()} == CITATION_MENTIONS
    assert {k: tasks.get(i, 0) for k, i in ids.items()} == TASKS
    # seed 000, Phụ lục 2 (table t2): 31 indicator rows, each with targets for 2025, 2030, 2035 and 2040;
    # rows 30 and 31 print "-" for 2045
    targets = sql(corpus_dataset, "SELECT t.year, count(*) FROM indicator_targets t JOIN indicators i "
                  "USING (document_id, indicator_id) WHERE t.document_id = ? AND i.table_id = 't2' GROUP BY 1", [ids["000"]])
    assert dict(targets) == {2025: 31, 2030: 31, 2035: 31, 2040: 31, 2045: 29}


def test_parquet_duckdb_and_json_agree(corpus_dataset):
    out = corpus_dataset
    docs = json_documents(out).values()
    expected = {
        "documents": len(docs),
        "sections": sum(len(d["sections"]) for d in docs),
        "tables": sum(len(r["cells"]) for d in docs for t in d["tables"] for r in t["rows"]),
        "citations": sum(len(d["citations"]) for d in docs),
        "indicators": sum(len(d["indicators"]) for d in docs),
        "indicator_targets": sum(len(i["targets"]) for d in docs for i in d["indicators"]),
        "percentages": sum(len(d["percentages"]) for d in docs),
        "deadlines": sum(len(d["deadlines"]) for d in docs),
        "units": sum(len(d["units"]) for d in docs),
        "unit_mentions": sum(len(u["provenance"]) for d in docs for u in d["units"]),
        "tasks": sum(len(d["tasks"]) for d in docs),
        "task_units": sum(len(t["lead_units"]) + len(t["support_units"]) + len(t["implementing_units"])
                          for d in docs for t in d["tasks"]),
    }
    for table, count in expected.items():
        assert pq.read_metadata(out / "parquet" / f"{table}.parquet").num_rows == count, table
        assert sql(out, f'SELECT count(*) FROM "{table}"')[0][0] == count, table
    frame = pq.read_table(out / "parquet" / "tasks.parquet").to_pandas().sort_values(["document_id", "task_id"])
    with duckdb.connect(str(out / "kehoach.duckdb"), read_only=True) as con:
        same = con.execute("SELECT * FROM tasks ORDER BY document_id, task_id").df()
    assert frame.reset_index(drop=True).astype(str).equals(same.astype(str))


def test_offsets_in_the_dataset_point_at_the_item_text(corpus_dataset):
    out = corpus_dataset
    texts = {doc_id: d["text"] for doc_id, d in json_documents(out).items()}
    rows = sql(out, "SELECT document_id, text, start, \"end\" FROM citations WHERE footnote IS NULL")
    assert rows
    for doc_id, text, start, end in rows:
        assert " ".join(texts[doc_id][start:end].split()) == text  # a mention's text has its line breaks as spaces


def test_views_answer_the_common_questions(corpus_dataset):
    # seed 004 (Sở GDĐT Quảng Ninh): Phòng Giáo dục phổ thông leads tasks of its PHỤ LỤC
    lead = dict(sql(corpus_dataset, "SELECT unit_name, tasks FROM tasks_by_lead_unit"))
    assert lead["Phòng Giáo dục phổ thông"] >= 10
    cites = sql(corpus_dataset, "SELECT count(DISTINCT citing_document) FROM citation_graph WHERE number = '57-NQ/TW'")[0][0]
    assert cites == 5  # every seed implements Nghị quyết 57-NQ/TW
    localities = {r[0] for r in sql(corpus_dataset, "SELECT DISTINCT locality FROM targets_by_indicator_year")}
    assert localities == {"Tân Kỳ", "Cát Hải", "Quảng Ninh"}


def test_excel_workbook_has_the_main_tables(corpus_dataset):
    from openpyxl import load_workbook

    book = load_workbook(corpus_dataset / "kehoach.xlsx", read_only=True)
    assert book.sheetnames[0] == "about"
    assert {"documents", "indicators", "indicator_targets", "tasks", "task_units", "citations", "units"} <= set(book.sheetnames)
    tasks = book["tasks"]
    assert tasks.max_row - 1 == sum(TASKS.values())


def test_rerun_skips_unchanged_files(corpus_dataset, tmp_path):
    out = tmp_path / "data"
    shutil.copytree(corpus_dataset, out)
    result = CliRunner().invoke(app, ["ingest", str(CORPUS), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert {r["status"] for r in manifest(out).values()} == {"skipped-unchanged"}
    assert "5 documents" in result.output


# --- A batch with bad files -----------------------------------------------------------------------


def _pdf_bytes(tmp_path: Path) -> bytes:
    from .render import render_pdf

    pdf = tmp_path / "plan.pdf"
    render_pdf(SEEDS["003"].read_text(encoding="utf-8").splitlines(), pdf)
    return pdf.read_bytes()


@pytest.fixture()
def bad_batch(tmp_path) -> Path:
    batch = tmp_path / "inbox"
    batch.mkdir()
    shutil.copy(SEEDS["002"], batch / "a_good.txt")
    shutil.copy(SEEDS["003"], batch / "b_good.txt")
    shutil.copy(SEEDS["002"], batch / "c_duplicate.txt")
    pdf = _pdf_bytes(tmp_path)
    (batch / "d_corrupt.pdf").write_bytes(pdf[: len(pdf) // 3])
    (batch / "e_empty.txt").write_bytes(b"")
    (batch / "f_binary.pdf").write_bytes(bytes(range(256)) * 64)
    (batch / "g_notes.csv").write_text("not a plan", encoding="utf-8")  # not an input suffix: not walked
    return batch


def test_bad_files_are_recorded_and_the_batch_goes_on(bad_batch, tmp_path):
    out = tmp_path / "data"
    result = CliRunner().invoke(app, ["ingest", str(bad_batch), "--out", str(out), "--workers", "2", "--quiet"])
    assert result.exit_code == 1, result.output  # some files failed
    rows = manifest(out)
    assert set(rows) == {"a_good.txt", "b_good.txt", "c_duplicate.txt", "d_corrupt.pdf", "e_empty.txt", "f_binary.pdf"}
    status = {name: r["status"] for name, r in rows.items()}
    assert status == {"a_good.txt": "ok", "b_good.txt": "ok", "c_duplicate.txt": "duplicate",
                      "d_corrupt.pdf": "failed", "e_empty.txt": "failed", "f_binary.pdf": "failed"}
    assert rows["c_duplicate.txt"]["error"].endswith("a_good.txt")
    assert rows["c_duplicate.txt"]["document_id"] == rows["a_good.txt"]["document_id"]
    assert "empty" in rows["e_empty.txt"]["error"]
    assert rows["d_corrupt.pdf"]["error"].startswith("corrupt PDF")
    assert rows["f_binary.pdf"]["error"].startswith("not a PDF: no %PDF header")
    for name in ("d_corrupt.pdf", "f_binary.pdf"):
        assert rows[name]["error"] and "internal error" not in rows[name]["error"], rows[name]
        assert f"failed: {bad_batch / name}: " in result.output
    assert sql(out, "SELECT count(*) FROM documents")[0][0] == 2
    assert sorted(p.stem for p in (out / "json").glob("*.json")) == sorted(
        {rows["a_good.txt"]["document_id"], rows["b_good.txt"]["document_id"]})

    # a second run: the good ones are unchanged, a changed file replaces its old document
    (bad_batch / "b_good.txt").write_text(SEEDS["004"].read_text(encoding="utf-8"), encoding="utf-8")
    rerun = ingest([bad_batch], out, IngestSettings(workers=1, excel=False))
    again = {Path(r.path).name: r for r in rerun.rows}
    assert again["a_good.txt"].status == "skipped-unchanged"
    assert again["b_good.txt"].status == "ok"
    assert again["b_good.txt"].document_id != rows["b_good.txt"]["document_id"]
    assert not (out / "json" / f"{rows['b_good.txt']['document_id']}.json").exists()
    sources = {r[0].split("/")[-1]: r[1] for r in sql(out, "SELECT source, tasks FROM documents")}
    assert sources == {"a_good.txt": TASKS["002"], "b_good.txt": TASKS["004"]}


def test_missing_input_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "nowhere"), "--out", str(tmp_path / "data")])
    assert result.exit_code == 2
    assert result.output.strip() == f"kehoach: error: {tmp_path / 'nowhere'}: no such file or folder"
    assert not (tmp_path / "data").exists()


# --- Ctrl-C mid-batch -----------------------------------------------------------------------------


def _copies(folder: Path, count: int) -> None:
    """Plans with changed bytes (a trailing line), so each is its own document."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = [SEEDS[k] for k in ("002", "003")]
    for n in range(count):
        text = seeds[n % len(seeds)].read_text(encoding="utf-8")
        (folder / f"copy_{n:03d}.txt").write_text(f"{text}\n(bản sao {n})\n", encoding="utf-8")


def test_interrupted_batch_keeps_the_previous_dataset_and_resumes(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "data"
    _copies(inbox, 2)
    first = ingest([inbox], out, IngestSettings(workers=1, excel=False))
    assert first.documents == 2
    _copies(inbox, 24)
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "ingest", str(inbox), "--out", str(out),
                             "--workers", "1", "--quiet", "--no-excel"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until the new run has finished some documents
        done = [r for r in read_manifest(out).values() if r.status == "ok" and r.processed_at != first.rows[0].processed_at]
        if len(done) >= 2 or proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Run the same command again" in err
    statuses = [r.status for r in read_manifest(out).values()]
    assert statuses.count("pending") > 0 and statuses.count("ok") + statuses.count("skipped-unchanged") >= 4
    assert sql(out, "SELECT count(*) FROM documents")[0][0] == 2
    assert not list(out.glob(".staging-*"))

    finished = ingest([inbox], out, IngestSettings(workers=2, excel=False))
    assert finished.documents == 24
    assert finished.count("ok") + finished.count("skipped-unchanged") == 24
    assert finished.count("ok") < 24  # what the interrupted run finished was not read again
    assert sql(out, "SELECT count(*) FROM documents")[0][0] == 24


# --- Dask -----------------------------------------------------------------------------------------


def test_dask_executor_gives_the_same_outputs(corpus_dataset, tmp_path, monkeypatch):
    pytest.importorskip("distributed", reason="Dask is an optional extra (pip install 'kehoach[dask]')")
    from pipeline import ingest as ingest_module

    def no_local_pool(*args, **kwargs):  # the documents must come through Dask, not a local pool
        raise AssertionError("a local process pool was started")

    monkeypatch.setattr(ingest_module._Worker, "start", no_local_pool)
    out = tmp_path / "data"
    summary = ingest([CORPUS], out, IngestSettings(workers=2, executor="dask", excel=False))
    assert summary.count("ok") == 5
    local, dask = json_documents(corpus_dataset), json_documents(out)
    assert local.keys() == dask.keys()
    for doc_id in local:
        assert local[doc_id]["tasks"] == dask[doc_id]["tasks"]
        assert local[doc_id]["citations"] == dask[doc_id]["citations"]
    rerun = ingest([CORPUS], out, IngestSettings(workers=2, executor="dask", excel=False))
    assert {r.status for r in rerun.rows} == {"skipped-unchanged"}


# --- The documented schema ------------------------------------------------------------------------


def test_docs_dataset_md_is_current():
    from pipeline.dataset import dataset_docs

    docs = Path(__file__).resolve().parents[1] / "docs" / "dataset.md"
    assert docs.read_text(encoding="utf-8") == dataset_docs(), "regenerate: python -m pipeline.dataset --docs > docs/dataset.md"


def test_dataset_tables_cover_the_json_schema():
    """Every property of a flattened schema object is a column, or says where it went."""
    from pipeline.contract import schema

    defs = schema()["$defs"]
    for spec in table_specs().values():
        if not spec.schema:
            continue
        columns = {c.name for c in spec.columns}
        for prop in defs[spec.schema].get("properties", {}):
            assert prop in columns or prop in spec.elsewhere, f"{spec.name}: schema property {prop!r} is not in the dataset"

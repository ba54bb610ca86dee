"""Damaged and hostile inputs, and the limits per document.

One `kehoach ingest` run reads a folder of bad files, all built here, together with a good seed:
every file gets a correct result or a one-line reason in the manifest and on stderr, no file
stops the batch, failed files leave no JSON, the dataset holds the good documents. Then each
limit of `pipeline.limits` on its own.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import signal
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import duckdb
import pypdfium2 as pdfium
import pytest
from reportlab.lib import pdfencrypt
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.ingest import _READY, _Worker, process_file
from pipeline.limits import Limits, TimeLimitExceeded, cpu_budget, death_reason, guard, memory_reason, time_reason
from pipeline.load import LoadError, load

from .conftest import SEEDS
from .make_docx import make_plan_docx
from .render import FONT, FONT_DIR, render_pdf

GOOD_SEED = SEEDS["002"]
# The memory limit of the batch: workers hold about 430 MB at rest and read a seed in a few MB more;
# the huge content stream below takes pdfium past 3 GB.
BATCH_MEMORY_MB = 1536
# The batch's ZIP-bomb limit, so that the bomb is cheap to build (the default is 512 MB).
BATCH_UNPACKED_MB = 64


# --- building the bad files -----------------------------------------------------------------------


def write_pdf(path: Path, objects: list[bytes]) -> Path:
    """A PDF of the given objects (object 1 the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def many_pages_pdf(path: Path, pages: int) -> Path:
    """Thousands of pages sharing one small content stream: a few hundred kB."""
    first_page = 5
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(pages))
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R"
            b" /Resources << /Font << /F1 4 0 R >> >> >>")
    content = b"BT /F1 12 Tf 72 700 Td (Trang) Tj ET"
    return write_pdf(path, [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ] + [page] * pages)


def huge_stream_pdf(path: Path, megabytes: int) -> Path:
    """One page whose content stream inflates to `megabytes` MB of line drawings from about
    1/150 of that on disk; pdfium parses a content stream whole, in native code."""
    line = b"10 10 m 20 20 l S\n"
    chunk = line * ((1 << 20) // len(line))
    packer = zlib.compressobj(1)
    data = b"".join(packer.compress(chunk) for _ in range(megabytes)) + packer.flush()
    return write_pdf(path, [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
    ])


def canvas_pdf(path: Path, lines: list[str], **kwargs) -> Path:
    """Lines drawn one under another in DejaVu Serif (Vietnamese glyphs), 60 to a page."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / f"{FONT}.ttf")))
    c = canvas.Canvas(str(path), **kwargs)
    for n, line in enumerate(lines):
        if n and n % 60 == 0:
            c.showPage()
        if n % 60 == 0:
            c.setFont(FONT, 10)
        c.drawString(40, 800 - 13 * (n % 60), line)
    c.save()
    return path


def seed_lines(key: str) -> list[str]:
    return SEEDS[key].read_text(encoding="utf-8").splitlines()


def plan_body(key: str) -> list[str]:
    """A seed's lines up to its first appendix: a Vietnamese plan with no appendix."""
    lines = seed_lines(key)
    return lines[: next(i for i, line in enumerate(lines) if line.strip().lower().startswith("phụ lục"))]


# Seed 000, Phụ lục 1: nine indicator rows of five cells, here without the header row above them.
HEADERLESS_ROWS = seed_lines("000")[321:330]

ENGLISH_PLAN = """\
PEOPLE'S COMMITTEE OF TAN AN DISTRICT        SOCIALIST REPUBLIC OF VIETNAM
No.: 12/PLAN-PC                              Independence - Freedom - Happiness
                                             Tan An, 10 March 2026

PLAN
Implementing digital transformation in education in 2026

Pursuant to the Law on Education of 14 June 2019;
Pursuant to the plan of the Provincial People's Committee on digital transformation to 2030;
The District People's Committee issues this plan as follows:

I. PURPOSE AND REQUIREMENTS
1. Purpose
- To raise the share of schools that use digital records to 100% by the end of 2026.
- To train every teacher in basic digital skills and in the safe use of data.
- To put all administrative procedures in education online so that parents can apply at home.
2. Requirements
- Tasks are assigned to named units, each with a clear deadline and a result to report.
- The units coordinate closely and report problems to the committee in good time.

II. TASKS
1. Digital records
- The Division of Education and Training leads the rollout of electronic school records in all schools.
- Schools update their records on the shared system every month.
2. Training
- The district office coordinates the training of teachers and school staff before June 2026.
- Each school names one staff member to support teachers who need help with the new system.
3. Online services
- The division publishes every procedure on the public service portal by September 2026.
- The division checks the share of applications received online every quarter.

III. IMPLEMENTATION
1. The Division of Education and Training leads this plan, guides the schools and sums up the results.
2. The Division of Finance and Planning provides the funds from the district budget for 2026.
3. The schools carry out the tasks above and report their progress every quarter.
During the implementation, any difficulty should be reported to the People's Committee for guidance.

Recipients:                                  ON BEHALF OF THE PEOPLE'S COMMITTEE
- Provincial People's Committee;             CHAIRMAN
- Schools in the district;
- Archives.
"""


def copy_zip(source: Path, target: Path, drop: str) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != drop:
                dst.writestr(item, src.read(item))
    return target


def zip_bomb_docx(path: Path, megabytes: int) -> Path:
    """A package with a Word body that unpacks to `megabytes` MB (a few hundred kB on disk)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as part:
            block = b" " * (1 << 20)
            for _ in range(megabytes):
                part.write(block)
    return path


def build_inbox(folder: Path, tmp: Path) -> dict[str, Path]:
    """Every hostile case of the batch, by name."""
    folder.mkdir()
    good_pdf = render_pdf(seed_lines("003"), tmp / "plan.pdf")
    pdf = good_pdf.read_bytes()
    head = seed_lines("003")[:40]
    good_docx = make_plan_docx(tmp / "plan.docx", plan_body("003"))
    cases = {
        "good_seed.txt": lambda p: p.write_bytes(GOOD_SEED.read_bytes()),
        "zero_bytes.pdf": lambda p: p.write_bytes(b""),
        "truncated.pdf": lambda p: p.write_bytes(pdf[: len(pdf) // 2]),
        # the cross-reference table is where startxref says no longer: pdfium rebuilds it
        "broken_xref.pdf": lambda p: p.write_bytes(pdf[: pdf.rindex(b"startxref")] + b"startxref\n999999\n%%EOF\n"),
        "encrypted_empty_password.pdf": lambda p: canvas_pdf(
            p, head, encrypt=pdfencrypt.StandardEncryption("", ownerPassword="chu-so-huu", canModify=0)),
        "encrypted_password.pdf": lambda p: canvas_pdf(
            p, head, encrypt=pdfencrypt.StandardEncryption("mat-khau", ownerPassword="chu-so-huu")),
        "pages_5000.pdf": lambda p: many_pages_pdf(p, 5000),
        "huge_stream.pdf": lambda p: huge_stream_pdf(p, 200),
        "zip_renamed.docx": lambda p: _zip_with(p, {"notes.txt": "không phải văn bản Word"}),
        "missing_body.docx": lambda p: copy_zip(good_docx, p, "word/document.xml"),
        "missing_thumbnail.docx": lambda p: copy_zip(good_docx, p, "docProps/thumbnail.jpeg"),
        "zip_bomb.docx": lambda p: zip_bomb_docx(p, 2 * BATCH_UNPACKED_MB),
        "binary_junk.txt": lambda p: p.write_bytes(bytes(range(256)) * 64),
        "utf16_no_bom.txt": lambda p: p.write_bytes(GOOD_SEED.read_text(encoding="utf-8").encode("utf-16-le")),
        "text_50mb.txt": lambda p: _big_text(p, 50 << 20),
        "english_plan.txt": lambda p: p.write_text(ENGLISH_PLAN, encoding="utf-8"),
        "no_appendix.txt": lambda p: p.write_text("\n".join(plan_body("003")) + "\n", encoding="utf-8"),
        "headerless_table.txt": lambda p: p.write_text(headerless_plan(), encoding="utf-8"),
        "text_named.doc": lambda p: p.write_text("Kế hoạch số 12/KH-UBND\nNội dung.\n" * 20, encoding="utf-8"),
        "junk_named.doc": lambda p: p.write_bytes(bytes(range(255, -1, -1)) * 16),
    }
    paths = {}
    for name, make in cases.items():
        make(folder / name)
        paths[name] = folder / name
    return paths


def headerless_plan() -> str:
    lines = plan_body("003") + ["", "PHỤ LỤC", "CÁC CHỈ TIÊU CHUYỂN ĐỔI SỐ", ""] + HEADERLESS_ROWS
    return "\n".join(lines) + "\n"


def _zip_with(path: Path, members: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)


def _big_text(path: Path, size: int) -> None:
    line = "Kế hoạch thực hiện nhiệm vụ năm 2026.\n".encode("utf-8")
    block = line * ((1 << 20) // len(line) + 1)
    with path.open("wb") as fh:
        while fh.tell() < size:
            fh.write(block[: size - fh.tell()])


# What each failed file's manifest row says: the whole reason, or its start where it ends in
# details of the run (pdfium's wording, the memory seen).
FAILED = {
    "zero_bytes.pdf": "empty file (0 bytes)",
    "truncated.pdf": "corrupt PDF: ",
    "encrypted_password.pdf": "encrypted PDF: a password is required",
    "pages_5000.pdf": "too many pages: 5,000 > limit 2,000 (--max-pages)",
    "huge_stream.pdf": f"out of memory: needs more than {BATCH_MEMORY_MB:,} MB (--max-memory-mb)",
    "zip_renamed.docx": "not a Word document: a ZIP archive without Word parts",
    "missing_body.docx": "corrupt DOCX: missing word/document.xml",
    "zip_bomb.docx": f"too large when unpacked (a ZIP bomb?): {2 * BATCH_UNPACKED_MB:.1f} MB > limit "
                     f"{BATCH_UNPACKED_MB} MB (--max-unpacked-mb)",
    "binary_junk.txt": "undecodable text: binary data, not text (NUL bytes, and not UTF-16 or UTF-32)",
    # refused from its size alone, before it is read: 50 MiB hold at least a quarter as many characters
    "text_50mb.txt": "too much text: 52,428,800 bytes hold at least 13,107,200 characters > limit 5,000,000 "
                     "(--max-chars)",
    "text_named.doc": "not a Word document: plain text named .doc; rename it to .txt",
    "junk_named.doc": "not a Word document: no Word 97-2003 (OLE2), DOCX or RTF signature "
                      "(a file of another type renamed .doc?)",
}
OK_FILES = {"good_seed.txt", "broken_xref.pdf", "encrypted_empty_password.pdf", "missing_thumbnail.docx",
            "utf16_no_bom.txt", "english_plan.txt", "no_appendix.txt", "headerless_table.txt"}


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    """The bad files and a good seed through one `kehoach ingest` run."""
    tmp = tmp_path_factory.mktemp("hostile")
    inbox = build_inbox(tmp / "inbox", tmp)
    out = tmp / "data"
    result = CliRunner().invoke(app, [
        "ingest", str(tmp / "inbox"), "--out", str(out), "--workers", "2", "--quiet", "--no-excel",
        "--max-memory-mb", str(BATCH_MEMORY_MB), "--max-unpacked-mb", str(BATCH_UNPACKED_MB),
    ])
    with (out / "manifest.csv").open(encoding="utf-8") as fh:
        rows = {Path(row["path"]).name: row for row in csv.DictReader(fh)}
    documents = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (out / "json").glob("*.json")}
    return inbox, out, result, rows, documents


def test_every_file_has_a_row_and_the_batch_ends_with_failures(hostile_batch):
    inbox, out, result, rows, _ = hostile_batch
    assert result.exit_code == 1, result.output  # some files failed; nothing crashed
    assert set(rows) == set(inbox) == OK_FILES | set(FAILED)
    assert {name for name, row in rows.items() if row["status"] == "ok"} == OK_FILES


def test_failed_files_have_a_one_line_reason_and_no_json(hostile_batch):
    inbox, out, result, rows, _ = hostile_batch
    for name, reason in FAILED.items():
        row = rows[name]
        assert row["status"] == "failed", (name, row)
        assert row["error"].startswith(reason), (name, row["error"])
        assert "\n" not in row["error"] and "internal error" not in row["error"], row["error"]
        assert f"kehoach: failed: {inbox[name]}: {row['error']}\n" in result.output
        assert not (out / "json" / f"{row['document_id']}.json").exists(), name
    assert "(truncated? no %%EOF marker at the end of the file)" in rows["truncated.pdf"]["error"]
    # pdfium aborts when an allocation fails: the worker died, the row says why, the batch went on
    assert "; the worker process died at " in rows["huge_stream.pdf"]["error"]


def test_good_files_have_their_json_and_the_dataset_holds_them(hostile_batch):
    _, out, _, rows, documents = hostile_batch
    ids = {rows[name]["document_id"] for name in OK_FILES}
    assert set(documents) == ids
    with duckdb.connect(str(out / "kehoach.duckdb"), read_only=True) as con:
        sources = {Path(source).name for (source,) in con.execute("SELECT source FROM documents").fetchall()}
    assert sources == OK_FILES
    assert sorted(p.stem for p in (out / "parquet").glob("*.parquet"))  # the dataset was written


def by_name(rows: dict, documents: dict, name: str) -> dict:
    return documents[rows[name]["document_id"]]


def test_utf16_without_bom_reads_as_the_utf8_original(hostile_batch):
    _, _, _, rows, documents = hostile_batch
    utf16, original = by_name(rows, documents, "utf16_no_bom.txt"), by_name(rows, documents, "good_seed.txt")
    assert utf16["document"]["encoding"] == "utf_16_le"
    assert utf16["text"] == original["text"]
    assert len(utf16["sections"]) == len(original["sections"]) > 10


def test_repaired_and_unlocked_files_say_so(hostile_batch):
    _, _, _, rows, documents = hostile_batch
    unlocked = by_name(rows, documents, "encrypted_empty_password.pdf")
    assert unlocked["warnings"][0] == "encrypted PDF opened without a password (its user password is empty)"
    assert "KẾ HOẠCH" in unlocked["text"].splitlines()
    repaired = by_name(rows, documents, "missing_thumbnail.docx")
    assert repaired["warnings"][0] == "damaged DOCX: opened without 1 missing part(s) (docProps/thumbnail.jpeg)"
    assert repaired["text"] == by_name(rows, documents, "no_appendix.txt")["text"]


def test_broken_xref_is_rebuilt(hostile_batch):
    inbox, _, _, rows, documents = hostile_batch
    rebuilt = by_name(rows, documents, "broken_xref.pdf")
    intact = pdfium.PdfDocument(str(inbox["truncated.pdf"].parent.parent / "plan.pdf"))
    assert rebuilt["document"]["page_count"] == len(intact) == int(rows["broken_xref.pdf"]["pages"])
    assert rebuilt["document"]["title"].startswith("Thực hiện Nghị quyết số 57-NQ/TW")


def test_english_plan_is_read_with_a_low_quality_warning(hostile_batch):
    _, _, _, rows, documents = hostile_batch
    warnings = by_name(rows, documents, "english_plan.txt")["warnings"]
    assert any(w.startswith("low text quality: share of words with Vietnamese letters 0.00") for w in warnings)


def test_plan_without_appendix_has_no_appendix_and_no_table(hostile_batch):
    _, _, _, rows, documents = hostile_batch
    doc = by_name(rows, documents, "no_appendix.txt")
    assert [s for s in doc["sections"] if s["kind"] == "appendix"] == []
    assert doc["tables"] == []
    assert doc["document"]["title"].startswith("Thực hiện Nghị quyết số 57-NQ/TW")


def test_headerless_appendix_table_keeps_every_row(hostile_batch):
    _, _, _, rows, documents = hostile_batch
    doc = by_name(rows, documents, "headerless_table.txt")
    [table] = doc["tables"]
    assert [row["cells"][0] for row in table["rows"]] == [str(n) for n in range(1, 10)]


def test_headerless_appendix_table_is_found_under_its_appendix(hostile_batch):
    _, _, _, rows, documents = hostile_batch
    doc = by_name(rows, documents, "headerless_table.txt")
    [appendix] = [s for s in doc["sections"] if s["kind"] == "appendix"]
    [table] = doc["tables"]
    assert table["section"] == appendix["id"] and len(table["columns"]) == 5


# --- each limit on its own -------------------------------------------------------------------------


def test_limits_are_positive_and_zero_means_none():
    with pytest.raises(ValueError, match="max_pages must be positive"):
        Limits(max_pages=0)
    limits = Limits.from_options(max_pages=0, max_chars=10)
    assert (limits.max_pages, limits.max_chars) == (None, 10)


def test_file_size_limit(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes(GOOD_SEED.read_bytes())  # 27,752 bytes
    with pytest.raises(LoadError) as err:
        load(path, Limits(max_file_mb=0.01))
    assert err.value.reason == "file too large: 27,752 bytes > limit 0.01 MB (--max-file-mb)"
    assert load(path, Limits(max_file_mb=0.1)).text


def test_page_limit_is_checked_before_pages_are_read(tmp_path):
    path = many_pages_pdf(tmp_path / "pages.pdf", 3)
    with pytest.raises(LoadError) as err:
        load(path, Limits(max_pages=2))
    assert str(err.value) == f"{path}: too many pages: 3 > limit 2 (--max-pages)"
    assert load(path, Limits(max_pages=3)).page_count == 3
    assert load(path, Limits(max_pages=None)).page_count == 3


def test_character_limit_before_and_after_decoding(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("Kế hoạch năm 2026.\n" * 100, encoding="utf-8")  # 1,900 characters in 2,400 bytes
    with pytest.raises(LoadError) as err:  # decoded, then counted
        load(path, Limits(max_chars=1000))
    assert err.value.reason == "too much text: 1,900 characters > limit 1,000 (--max-chars)"
    with pytest.raises(LoadError) as err:  # refused from its size, unread
        load(path, Limits(max_chars=500))
    assert err.value.reason == "too much text: 2,400 bytes hold at least 600 characters > limit 500 (--max-chars)"
    assert len(load(path, Limits(max_chars=1900)).text) == 1900


def test_unpacked_size_limit(tmp_path):
    path = make_plan_docx(tmp_path / "plan.docx", ["KẾ HOẠCH", "Nội dung."])
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    with pytest.raises(LoadError) as err:
        load(path, Limits(max_unpacked_mb=0.01))
    assert err.value.reason == f"too large when unpacked (a ZIP bomb?): {unpacked:,} bytes > limit 0.01 MB (--max-unpacked-mb)"
    assert load(path, Limits(max_unpacked_mb=unpacked / (1 << 20))).text.startswith("KẾ HOẠCH")


def test_extract_command_takes_the_content_limits(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("Kế hoạch năm 2026.\n" * 100, encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", str(path), "--max-chars", "1000"])
    assert result.exit_code == 2
    assert result.output == f"kehoach: error: {path}: too much text: 1,900 characters > limit 1,000 (--max-chars)\n"


def test_time_limit_stops_python_code():
    with pytest.raises(TimeLimitExceeded):
        with guard(Limits(max_seconds=0.2, max_memory_mb=None)):
            while True:
                pass


def test_time_limit_is_a_failed_result(monkeypatch, tmp_path):
    def endless(*args, **kwargs):
        while True:
            pass

    monkeypatch.setattr("pipeline.extract.build_document", endless)
    path = tmp_path / "plan.txt"
    path.write_bytes(GOOD_SEED.read_bytes())
    limits = Limits(max_seconds=0.2, max_memory_mb=None)
    result = process_file(str(path), limits)
    assert (result.status, result.error, result.json) == ("failed", time_reason(limits), None)
    assert result.error == "took longer than 0.2 s (the time limit per document, --timeout)"


def test_memory_error_is_a_failed_result(monkeypatch, tmp_path):
    def greedy(*args, **kwargs):
        raise MemoryError()

    monkeypatch.setattr("pipeline.extract.build_document", greedy)
    path = tmp_path / "plan.txt"
    path.write_bytes(GOOD_SEED.read_bytes())
    result = process_file(str(path), Limits(max_memory_mb=2048))
    assert (result.status, result.error) == ("failed", "out of memory: needs more than 2,048 MB (--max-memory-mb)")


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[1])


def test_memory_limit_makes_python_allocations_fail():
    """In a process of its own: the limit applies to the whole process."""
    done = run_python(
        "from pipeline.limits import Limits, data_mb, guard\n"
        "import os\n"
        "limit = data_mb(os.getpid()) + 200\n"
        "try:\n"
        "    with guard(Limits(max_memory_mb=limit, max_seconds=None)):\n"
        "        block = bytearray(400 << 20)\n"
        "    print('allocated')\n"
        "except MemoryError:\n"
        "    print('MemoryError')\n"
        "block = bytearray(400 << 20)  # the limit is lifted after the document\n"
        "print('lifted')\n")
    assert done.stdout.split() == ["MemoryError", "lifted"], done.stderr


def test_cpu_backstop_stops_a_native_call_that_never_returns():
    """pbkdf2 with 2^31 rounds (many minutes) is one call into C: SIGALRM's handler cannot run until it returns,
    so the kernel's CPU limit (max_seconds plus a grace) ends the process."""
    limits = Limits(max_seconds=1, max_memory_mb=None)
    assert cpu_budget(limits) == 3
    done = run_python(
        "import hashlib\n"
        "from pipeline.limits import Limits, guard\n"
        "with guard(Limits(max_seconds=1, max_memory_mb=None)):\n"
        "    hashlib.pbkdf2_hmac('sha256', b'k', b's', 2 ** 31 - 1)\n"
        "print('returned')\n")
    assert done.returncode == -signal.SIGXCPU, (done.returncode, done.stdout, done.stderr)
    assert death_reason(done.returncode, limits, None) == time_reason(limits)


def _stuck_worker(conn) -> None:
    """A worker stuck where no signal reaches it (SIGALRM blocked) and burning no CPU."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    conn.send(_READY)
    conn.recv()
    time.sleep(3600)


def test_a_worker_stuck_past_the_time_limit_is_stopped_by_the_parent():
    context = multiprocessing.get_context("forkserver")
    conn, child = context.Pipe()
    process = context.Process(target=_stuck_worker, args=(child,), daemon=True)
    process.start()
    child.close()
    worker, limits = _Worker(process, conn), Limits(max_seconds=0.5, max_memory_mb=None)
    try:
        while not worker.ready:
            assert worker.check(limits) is None
            conn.poll(0.1)
        worker.read("stuck.pdf", limits)
        result = None
        while result is None:  # cpu_budget(limits) + _STUCK_MARGIN_S: 7.5 s
            result = worker.check(limits)
            conn.poll(0.1)
    finally:
        worker.close()
    assert (result.path, result.status, result.error) == ("stuck.pdf", "failed", time_reason(limits))
    assert not process.is_alive()


@pytest.mark.parametrize("exitcode, peak, reason", [
    (-signal.SIGXCPU, None, "took longer than 600 s (the time limit per document, --timeout)"),
    (-signal.SIGABRT, 3000.0, "out of memory: needs more than 4,096 MB (--max-memory-mb); "
                              "the worker process died at 3,000 MB (SIGABRT)"),
    (-signal.SIGSEGV, 500.0, "the worker process died while reading it (SIGSEGV): "
                             "a crash in a native library, or out of memory"),
    (1, None, "the worker process died while reading it (exit status 1): "
              "a crash in a native library, or out of memory"),
])
def test_why_a_worker_died(exitcode, peak, reason):
    assert death_reason(exitcode, Limits(), peak) == reason


def test_limits_are_lifted_after_each_document():
    import resource

    kinds = (resource.RLIMIT_CPU, resource.RLIMIT_DATA)
    before, handler = [resource.getrlimit(kind) for kind in kinds], signal.getsignal(signal.SIGALRM)
    with guard(Limits()):
        assert resource.getrlimit(resource.RLIMIT_DATA)[0] == 4096 << 20
        assert signal.getsignal(signal.SIGALRM) is not handler
    assert [resource.getrlimit(kind) for kind in kinds] == before
    assert signal.getsignal(signal.SIGALRM) is handler
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_memory_reason_names_the_option():
    assert memory_reason(Limits(max_memory_mb=1536)) == "out of memory: needs more than 1,536 MB (--max-memory-mb)"

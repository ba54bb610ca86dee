"""The command line: outputs, and one clear line with exit code 2 for every bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pipeline import __version__
from pipeline.cli import app
from pipeline.load import LoadError
from pipeline.contract import validation_errors

from tests.conftest import SEEDS

runner = CliRunner()


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_version_and_help():
    assert _run("--version").stdout.strip() == f"kehoach {__version__}"
    for command in ("extract", "sections"):
        result = _run(command, "--help")
        assert result.exit_code == 0 and "Usage" in result.stdout


def test_extract_prints_valid_json():
    result = _run("extract", SEEDS["003"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert validation_errors(data) == []
    assert data["document"]["issuer"] == "Phòng Giáo dục và Đào tạo huyện Cát Hải"


def test_extract_writes_out_file(tmp_path):
    out = tmp_path / "nested" / "doc.json"
    result = _run("extract", SEEDS["000"], "--out", out, "--pretty")
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("{\n  \"schema_version\": \"1\"")
    assert [p.name for p in out.parent.iterdir()] == ["doc.json"]  # no temporary file left


def test_sections_outline():
    result = _run("sections", SEEDS["004"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("(title) Thực hiện Kế hoạch số 28/KH-UBND")
    assert "I. MỤC ĐÍCH, YÊU CẦU" in lines
    assert "  1.1. Xây dựng kế hoạch và thực hiện tuyên truyền" in "\n".join(lines)
    assert lines[-1].startswith("(appendix) PHỤ LỤC Danh mục các nhiệm vụ")


def test_show_prints_one_kind_with_its_source_text():
    result = _run("show", SEEDS["004"], "--only", "deadlines", "--width", "200")
    assert result.exit_code == 0, result.output
    assert "deadlines (" in result.stdout
    # a time line of §III (task 1.1) with its meaning and where it was read
    assert "Quý II, năm 2025" in result.stdout and "quarter (2025-04–2025-06)" in result.stdout
    assert "§1.1: Quý II, năm 2025" in result.stdout


def test_show_has_columns_for_every_extracted_kind():
    from pipeline.extractors.context import ITEM_KINDS
    from pipeline.show import KINDS

    assert sorted(KINDS) == sorted(ITEM_KINDS)


def test_show_rejects_an_unknown_kind():
    result = _run("show", SEEDS["004"], "--only", "tables")
    assert result.exit_code == 2 and "tables" in result.output


def _encrypted_pdf(path):
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    enc = pdfencrypt.StandardEncryption("secret", ownerPassword="owner", canPrint=0)
    c = canvas.Canvas(str(path), encrypt=enc)
    c.drawString(72, 720, "KE HOACH")
    c.save()


def _image_only_pdf(path):
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.rect(72, 72, 300, 400, fill=1)  # a page with marks but no text layer
    c.save()


@pytest.mark.parametrize("suffix, make, reason", [
    (".pdf", lambda p: None, "file not found"),
    (".xyz", lambda p: p.write_text("x"), "unsupported file type '.xyz'"),
    (".txt", lambda p: p.write_bytes(b""), "empty file (0 bytes)"),
    (".pdf", lambda p: p.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage"), "corrupt PDF"),
    (".pdf", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20), "not a PDF"),
    (".pdf", _encrypted_pdf, "encrypted PDF"),
    (".pdf", _image_only_pdf, "no text layer"),
    (".txt", lambda p: p.write_bytes(bytes(range(256)) * 40), "undecodable text"),
], ids=["missing", "unsupported", "empty", "corrupt-pdf", "png-as-pdf", "encrypted-pdf", "no-text-layer", "binary-txt"])
def test_bad_input_gives_one_line_and_exit_2(tmp_path, suffix, make, reason):
    path = tmp_path / f"input{suffix}"
    make(path)
    result = runner.invoke(app, ["extract", str(path)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"kehoach: error: {path}: ")
    assert reason in lines[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_debug_shows_the_traceback(tmp_path):
    path = tmp_path / "missing.txt"
    result = runner.invoke(app, ["extract", str(path), "--debug"])
    assert isinstance(result.exception, LoadError) and result.exception.reason == "file not found"


def test_out_file_untouched_on_error(tmp_path):
    out = tmp_path / "doc.json"
    out.write_text("previous", encoding="utf-8")
    result = _run("extract", tmp_path / "missing.pdf", "--out", out)
    assert result.exit_code == 2
    assert out.read_text(encoding="utf-8") == "previous"

"""kehoach compare: the concept x plan matrix on the seed dataset, and a lineage the test builds."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.compare import concept_matrix, default_year, lineage
from pipeline.ingest import IngestSettings, ingest

from .test_lineage import PARENT_NUMBER, write_lineage_pair


def _by_label(matrix):
    return {p.document_id: p.label for p in matrix.plans}


def _row(matrix, words: str):
    (row,) = [r for r in matrix.rows if words in r.concept_name]
    labels = _by_label(matrix)
    return row, {labels[d]: c.text for d, c in row.cells.items()}


def test_default_year_is_the_most_targeted_milestone(corpus_dataset):
    assert default_year(corpus_dataset) == 2030


def test_matrix_of_concepts_shared_by_plans(corpus_dataset):
    matrix = concept_matrix(corpus_dataset, 2030, min_plans=2)
    assert [p.label for p in matrix.plans] == ["Cát Hải", "Quảng Ninh", "Tân Kỳ"]
    assert len(matrix.rows) == 7
    # cashless payments: seed 004 "100% cơ sở giáo dục triển khai thực hiện thanh toán không dùng tiền mặt",
    # seed 000 Phụ lục 2 row 19: ≥95% for 2030
    row, cells = _row(matrix, "thanh toán không dùng tiền mặt")
    assert cells == {"Quảng Ninh": "100", "Tân Kỳ": "≥ 95"}
    assert row.differs
    assert [c.highest for d, c in sorted(row.cells.items(), key=lambda dc: _by_label(matrix)[dc[0]])] == [True, False]
    # digital signing of records: 100% in both 003 and 000, the same target
    row, cells = _row(matrix, "ký số")
    assert cells == {"Cát Hải": "100", "Tân Kỳ": "100"} and not row.differs


def test_indicator_filter_ignores_accents(corpus_dataset):
    plain = concept_matrix(corpus_dataset, 2030, indicator="thanh toan")
    accented = concept_matrix(corpus_dataset, 2030, indicator="THANH TOÁN")
    assert [r.concept_id for r in plain.rows] == [r.concept_id for r in accented.rows]
    assert len(plain.rows) == 3
    # the concept's name, or one of its indicators' (seed 000: "Giao dịch tài chính nội bộ … thanh toán …")
    assert {r.concept_name for r in plain.rows} == {
        "Cơ sở giáo dục triển khai thực hiện thanh toán không dùng tiền mặt",
        "Giao dịch tài chính nội bộ của cơ sở giáo dục được thực hiện …",
        "Thanh toán trực tuyến trong giải quyết thủ tục hành chính lĩnh vực giáo dục"}


def test_compare_cli_formats(corpus_dataset, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["compare", str(corpus_dataset), "--min-plans", "2", "-f", "csv"])
    assert result.exit_code == 0, result.output
    records = list(csv.DictReader(io.StringIO(result.output)))
    assert len(records) == 7
    assert list(records[0])[:3] == ["concept_id", "concept", "differs"]
    html = runner.invoke(app, ["compare", str(corpus_dataset), "--indicator", "ký số", "-f", "html"]).output
    assert html.startswith('<table class="matrix"><caption>Targets for 2030</caption>') and "http" not in html
    text = runner.invoke(app, ["compare", str(corpus_dataset), "--indicator", "thanh toan"]).output
    assert "Targets for 2030: 3 concepts x 2 plans" in text
    out = tmp_path / "matrix.xlsx"
    assert runner.invoke(app, ["compare", str(corpus_dataset), "-f", "xlsx", "-o", str(out)]).exit_code == 0
    from openpyxl import load_workbook

    sheet = load_workbook(out, read_only=True)["compare"]
    assert [c.value for c in next(sheet.iter_rows(max_row=1))][:3] == ["concept_id", "concept", "differs"]


def test_compare_errors_are_one_line(corpus_dataset, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["compare", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip().startswith(f"kehoach: error: {tmp_path}: no kehoach.duckdb here")
    result = runner.invoke(app, ["compare", str(corpus_dataset), "--lineage", "003_aa9e29c94280bf41.txt"])
    assert result.exit_code == 2
    assert "no parent plan of it" in result.output and len(result.output.strip().splitlines()) == 1
    result = runner.invoke(app, ["compare", str(corpus_dataset), "--lineage", "nothing-like-it"])
    assert result.exit_code == 2 and "no such plan" in result.output


# --- Lineage on a pair the test writes (the plans of tests/test_lineage.py) ------------------------


@pytest.fixture(scope="module")
def lineage_dataset(tmp_path_factory):
    """Seed 004 with its blank number filled in, and a district plan that implements it, ingested."""
    inbox = tmp_path_factory.mktemp("inbox")
    write_lineage_pair(inbox)
    out = tmp_path_factory.mktemp("lineage_dataset")
    summary = ingest([inbox], out, IngestSettings(workers=2, excel=False))
    assert summary.count("ok") == 2
    return out


def test_parent_link_is_recorded_with_its_evidence(lineage_dataset):
    result = lineage(lineage_dataset, "derived.txt")
    assert result.parent.document.number == PARENT_NUMBER
    assert result.evidence.match == "exact"
    assert f"number {PARENT_NUMBER} agrees" in result.evidence.reasons


def test_lineage_lists_exactly_the_changes(lineage_dataset):
    report = lineage(lineage_dataset, "derived.txt").report
    kinds = {k: len(report.changes(k)) for k in ("adopted", "raised", "lowered", "changed", "dropped", "added")}
    assert kinds == {"adopted": 3, "raised": 1, "lowered": 1, "changed": 0, "dropped": 21, "added": 2}
    raised, lowered = report.changes("raised")[0], report.changes("lowered")[0]
    assert (raised.parent_value, raised.child_value) == (50.0, 70.0)
    assert (lowered.parent_op, lowered.parent_value, lowered.child_op, lowered.child_value) == (">=", 50.0, ">=", 40.0)
    assert {(c.parent_task, c.child_task, c.removed_leads, c.added_leads) for c in report.task_changes} == {
        ("1.3", "1", ("Thanh tra Sở",), ("Các cơ sở giáo dục",)),
        ("2.3", "2", ("Phòng Giáo dục phổ thông",), ("Phòng Giáo dục và Đào tạo",)),
    }


def test_lineage_cli(lineage_dataset):
    runner = CliRunner()
    text = runner.invoke(app, ["compare", str(lineage_dataset), "--lineage", "derived.txt"])
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert lines[1].startswith("  link: exact")
    assert "targets: 3 adopted, 1 raised, 1 lowered, 0 changed, 21 dropped, 2 added" in lines
    assert any(line.startswith("  raised   2030  50 -> 70") for line in lines)
    assert any(line.startswith("  lowered  2030  ≥ 50 -> ≥ 40") for line in lines)
    records = list(csv.DictReader(io.StringIO(runner.invoke(
        app, ["compare", str(lineage_dataset), "--lineage", "derived.txt", "-f", "csv"]).output)))
    assert sum(r["what"] == "task" for r in records) == 2
    assert sum(r["change"] == "dropped" for r in records) == 21


def test_lineage_against_a_parent_the_user_names(lineage_dataset):
    result = lineage(lineage_dataset, "derived.txt", parent="004_numbered.txt")
    assert (result.evidence.match, result.evidence.ref, result.evidence.score) == ("given", None, None)
    assert result.parent.document.number == PARENT_NUMBER
    assert len(result.report.changes("dropped")) == 21
    text = CliRunner().invoke(app, ["compare", str(lineage_dataset), "--lineage", "derived.txt",
                                    "--parent", "004_numbered.txt"]).output
    assert text.splitlines()[1] == "  link: given"

"""DOCX input: seeds written as Word documents (layout table for the header, a real ruled
table, optionally Word auto-numbering for the headings) give the same document as their text."""

from __future__ import annotations

import pytest

from pipeline.contract import validation_errors
from pipeline.extract import extract_document
from tests.conftest import META_FIELDS, SEEDS, outline
from tests.make_docx import make_plan_docx


@pytest.mark.parametrize("seed", ["000", "003"])
@pytest.mark.parametrize("auto_numbered", [False, True], ids=["typed-numbers", "word-numbering"])
def test_same_document_as_text(tmp_path, seed, auto_numbered):
    lines = SEEDS[seed].read_text(encoding="utf-8").splitlines()
    docx_path = make_plan_docx(tmp_path / f"{seed}.docx", lines, auto_numbered_headings=auto_numbered)
    doc, txt = extract_document(docx_path), extract_document(SEEDS[seed])
    assert doc.document.format == "docx"
    assert outline(doc) == outline(txt)
    for field in META_FIELDS:
        assert getattr(doc.document, field) == getattr(txt.document, field), field
    assert validation_errors(doc.to_json()) == []


def test_real_table_rows_stay_rows(tmp_path):
    """Seed 000's Phụ lục 1 is a real Word table: its rows come out as tab-separated lines."""
    lines = SEEDS["000"].read_text(encoding="utf-8").splitlines()
    doc = extract_document(make_plan_docx(tmp_path / "000.docx", lines))
    rows = [line.split("\t") for line in doc.text.split("\n") if "\t" in line]
    assert rows[0] == ["TT", "Chỉ tiêu", "Đơn vị tính", "Đến năm 2030", "Đến năm 2045"]
    assert rows[1] == ["1", "Tỷ lệ sử dụng dịch vụ công trực tuyến trong lĩnh vực giáo dục", "%", "≥ 80", "Duy trì, nâng cao"]
    appendix = next(s for s in doc.sections if s.label == "PHỤ LỤC 1")
    assert appendix.start < doc.text.index("TT\tChỉ tiêu\tĐơn vị tính") < appendix.end

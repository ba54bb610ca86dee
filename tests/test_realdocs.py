"""Real documents of Vietnamese authorities (../shared/realdocs, see its README): a correct
document, or a clear refusal — never a crash and never garbage passed on as text.
Expected values were read off the documents themselves."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.contract import validation_errors
from pipeline.extract import extract_document
from pipeline.segment import top_level
from tests.conftest import realdoc

runner = CliRunner()


def _top(doc):
    return [(s.kind, s.label, s.heading) for s in top_level(doc.sections)]


def test_decision_1696_pdf():
    doc = extract_document(realdoc("laocai-ubnd_QD-1696-QD-UBND_2026-05-15.pdf"))
    info = doc.document
    assert (info.doc_type, info.number, info.symbol) == ("Quyết định", "1696/QĐ-UBND", "QĐ-UBND")
    assert info.issuer == "Ủy ban nhân dân tỉnh Lào Cai"
    assert (info.locality.name, info.locality.level, info.place) == ("Lào Cai", "tỉnh", "Lào Cai")
    # the header's date line is overprinted by a stamp ("tháng 5 4"); the appendix caption gives 15/5/2026
    assert info.issued_date == "2026-05-15"
    assert any("unreadable date line" in w for w in doc.warnings)
    assert (info.signer.name, info.signer.title) == ("Nguyễn Tuấn Anh", "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH")
    assert info.recipients[0] == "Như Điều 4" and info.recipients[-1] == "Lưu: VT, KT (Long)"
    assert info.title.startswith("Về việc ủy quyền cho Giám đốc Sở Công Thương")
    assert [(k, label) for k, label, _ in _top(doc)] == [
        ("header", None), ("title", None), ("preamble", None), ("body", "Điều 1"), ("body", "Điều 2"),
        ("body", "Điều 3"), ("body", "Điều 4"), ("closing", None), ("appendix", "PHỤ LỤC"),
    ]
    assert all(s.page_start is not None for s in doc.sections)
    assert top_level(doc.sections)[-1].page_start == 3  # the landscape appendix page
    assert validation_errors(doc.to_json()) == []


def test_plan_2242_docx():
    doc = extract_document(realdoc("laocai-sct_KH-2242-KH-SCT_2026-04-23.docx"))
    info = doc.document
    assert (info.doc_type, info.number, info.symbol) == ("Kế hoạch", None, "KH-SCT")  # pre-signature copy
    assert info.issuer == "Sở Công Thương tỉnh Lào Cai"
    assert (info.locality.name, info.locality.level, info.place, info.issued_date) == ("Lào Cai", "tỉnh", "Lào Cai", "2026-04")
    assert (info.signer.name, info.signer.title) == ("Hoàng Văn Thuân", "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC")
    assert info.recipients == ["Ban Giám đốc Sở", "Lưu: VT, CN(M.Cường"]
    assert _top(doc) == [
        ("header", None, None), ("title", None, "KẾ HOẠCH Kiểm tra, cấp Giấy chứng nhận huấn luyện kỹ thuật an toàn vật liệu nổ công nghiệp, tiền chất thuốc nổ trên địa bàn tỉnh Lào Cai"),
        ("preamble", None, None), ("body", "I", "MỤC ĐÍCH, YÊU CẦU"), ("body", "II", "NỘI DUNG"),
        ("body", "III", "TỔ CHỨC THỰC HIỆN"), ("closing", None, None),
        # an appendix without "PHỤ LỤC": a title in capitals above "(Kèm theo Kế hoạch số …)"
        ("appendix", None, "PHÂN CÔNG NHIỆM VỤ CỦA TỔ CÔNG TÁC KIỂM TRA, CẤP GIẤY CHỨNG NHẬN HUẤN LUYỆN KỸ THUẬT AN TOÀN VLNCN"),
    ]
    assert validation_errors(doc.to_json()) == []


def test_plan_chi_thi_11_docx():
    doc = extract_document(realdoc("laocai-ubnd_KH-draft-nonumber-KH-UBND-CT11_2026-05-13.docx"))
    info = doc.document
    assert (info.number, info.symbol, info.issuer) == (None, "KH-UBND", "Ủy ban nhân dân tỉnh Lào Cai")
    assert (info.place, info.issued_date) == ("Lào Cai", "2026")  # "ngày … tháng … năm 2026"
    assert info.title.startswith("Triển khai thực hiện Chỉ thị số 11-CT/TU ngày 04/01/2026 của Ban Thường vụ Tỉnh ủy")
    assert (info.signer.name, info.signer.title) == ("Nguyễn Thành Sinh", "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH")
    assert [(k, label, h) for k, label, h in _top(doc) if k in ("body", "appendix")] == [
        ("body", "I", "MỤC ĐÍCH, YÊU CẦU"), ("body", "II", "NHIỆM VỤ, GIẢI PHÁP"), ("body", "III", "KINH PHÍ THỰC HIỆN"),
        ("body", "IV", "TỔ CHỨC THỰC HIỆN"), ("body", "V", "CHẾ ĐỘ BÁO CÁO"),
        ("appendix", "PHỤ LỤC", "MỘT SỐ NHIỆM VỤ TRỌNG TÂM CỦA CÁC SỞ, BAN, NGÀNH VÀ ĐỊA PHƯƠNG"),
    ]
    # the appendix's Word table: 14 tasks with lead ("Sở, ngành chủ trì tham mưu"), support and time frame
    assert [t.id for t in doc.tasks] == [str(i) for i in range(1, 15)]
    first, second = doc.tasks[:2]
    assert first.lead_units == ["Các Sở, ban, ngành", "Ủy ban nhân dân các xã, phường"]  # "…; UBND các xã, phường"
    assert first.support_units == ["Các Sở, ban, ngành", "Các cơ quan, đơn vị, địa phương liên quan"]
    assert (first.deadline.kind, first.deadline.period_start, first.deadline.period_end) == ("quarter", "2026-04", "2026-06")
    assert second.lead_units == ["Sở Nông nghiệp và Môi trường"]
    assert (second.deadline.text, second.deadline.period_start) == ("Xong trong tháng 5/2026", "2026-05")
    directive = next(c for c in doc.citations if c.number == "11-CT/TU")
    assert (directive.doc_type, directive.issued_date, directive.issuer) == ("Chỉ thị", "2026-01-04", "Ban Thường vụ Tỉnh ủy")
    assert validation_errors(doc.to_json()) == []


@pytest.mark.parametrize("name, reason", [
    ("laocai-sct_KH-1105-KH-DKT_2026-03-10.pdf", "unusable text layer"),  # fonts without ToUnicode
    ("laocai-sct_QD-1050-QD-SCT_2026-03-06.pdf", "unusable text layer"),  # the same, partly
    ("laocai-sct_PhieuTrinh-nonumber-PANM-NgoiNhu1A_2026-05-20_scan-badocr.pdf", "unusable text layer"),  # OCR without Vietnamese
    ("bct-cuchoachat_CV-813-HC-CNHC_2026-04-22_scan.pdf", "no text layer"),  # image only
])
def test_unreadable_pdfs_are_refused_clearly(name, reason, monkeypatch, tmp_path):
    """Without Tesseract on PATH (with it, these are read by OCR: tests/test_ocr.py)."""
    monkeypatch.setenv("PATH", str(tmp_path))
    path = realdoc(name)
    result = runner.invoke(app, ["extract", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"kehoach: error: {path}: ") and reason in lines[0]
    assert lines[0].endswith("; OCR needs Tesseract with Vietnamese data: apt install tesseract-ocr tesseract-ocr-vie")
    assert result.stdout == ""

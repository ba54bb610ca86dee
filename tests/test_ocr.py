"""OCR of scanned PDF pages with Tesseract (pipeline/load/ocr.py and its use in pipeline/load/pdf.py).

Scans are made here from seed text: `tests.render` draws the text PDF, pypdfium2
rasterizes its pages and Pillow wraps the images as an image-only PDF, so the
OCR version can be compared with the text-layer version of the same pages.
Tests that run Tesseract skip (printing why) when it or its Vietnamese data is
missing, and fail in CI; the tests of a missing Tesseract make it missing.
"""

from __future__ import annotations

import difflib
import re
import time
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.extract import build_document, document_id, extract_document
from pipeline.load import LoadError, load
from pipeline.load import ocr
from pipeline.load.ocr import OcrSettings
from pipeline.load.pdf import NO_TEXT_LAYER, PdfSettings, load_pdf
from pipeline.quality import VIETNAMESE_LETTERS
from pipeline.segment import top_level
from tests.conftest import IN_CI, SEEDS, realdoc, require_tool
from tests.render import render_pdf

SCAN_DPI = 200  # resolution of the made-up scans: a common office scanner setting
INSTALL = "OCR needs Tesseract with Vietnamese data: apt install tesseract-ocr tesseract-ocr-vie"
OCR_SUMMARY = re.compile(r"^pages? [\d–, ]+ read by OCR \(Tesseract vie\), mean confidence (\d\.\d\d)")


def require_tesseract() -> None:
    """Skip (printing why) when Tesseract or its Vietnamese data is missing; fail in CI."""
    reason = ocr.missing(OcrSettings())
    if reason:
        if IN_CI:
            pytest.fail(f"{reason}, but CI must install it (.ci/run)")
        print(f"SKIP: {reason}")
        pytest.skip(reason)


def scan_of(pdf: Path, out: Path, dpi: int = SCAN_DPI) -> Path:
    """An image-only PDF of `pdf`'s pages, as a scanner makes it: one grey image per page."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        images = [doc[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(doc))]
    finally:
        doc.close()
    images[0].save(out, save_all=True, append_images=images[1:], resolution=dpi)
    return out


def pages_of(parts: list[tuple[Path, list[int]]], out: Path) -> Path:
    """A PDF of the given pages (0-based) of the given PDFs, in that order."""
    doc = pdfium.PdfDocument.new()
    for path, pages in parts:
        source = pdfium.PdfDocument(str(path))
        doc.import_pages(source, pages)
        source.close()
    doc.save(str(out))
    return out


def similar(a: str | None, b: str | None) -> float:
    return difflib.SequenceMatcher(None, a or "", b or "").ratio()


# --- a seed plan, scanned -------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_pair(tmp_path_factory):
    """Seed 003 (8 pages) as a text PDF and as its scan, each loaded and extracted once:
    (text document, scan document, text LoadedText, scan LoadedText)."""
    require_tesseract()
    tmp = tmp_path_factory.mktemp("ocr_seed")
    text_pdf = render_pdf(SEEDS["003"].read_text(encoding="utf-8"), tmp / "003.pdf")
    scan_pdf = scan_of(text_pdf, tmp / "003_scan.pdf")
    text_loaded = load(text_pdf)
    started = time.perf_counter()
    scan_loaded = load(scan_pdf)
    scan_doc = build_document(scan_loaded, document_id(scan_pdf))
    print(f"seed 003 scan: {scan_loaded.page_count} pages extracted with OCR in {time.perf_counter() - started:.1f} s")
    return build_document(text_loaded, document_id(text_pdf)), scan_doc, text_loaded, scan_loaded


def test_scanned_seed_pages_are_read_by_ocr(seed_pair):
    text_doc, scan_doc, _, _ = seed_pair
    assert scan_doc.document.page_count == text_doc.document.page_count == 8
    summary = [w for w in scan_doc.warnings if OCR_SUMMARY.match(w)]
    assert len(summary) == 1 and summary[0].startswith("pages 1–8 read by OCR (Tesseract vie), mean confidence ")
    assert float(OCR_SUMMARY.match(summary[0]).group(1)) >= 0.9  # measured 0.96 (DejaVu Serif at 200 dpi)
    assert not any("unusable" in w or "no text layer" in w for w in scan_doc.warnings)


def test_scanned_seed_page_info(seed_pair):
    _, _, text_loaded, scan_loaded = seed_pair
    pages = scan_loaded.text.split("\f")
    for info, text in zip(scan_loaded.page_info, pages, strict=True):
        assert info["ocr"] is True and info["engine"] == "tesseract" and info["status"] == "ok"
        assert 0.8 <= info["ocr_confidence"] <= 1 and info["ocr_confidence"] == round(info["ocr_confidence"], 3)
        assert info["chars"] == len(text) > 0
    # text-layer pages say so
    assert all(p["ocr"] is False and p["ocr_confidence"] is None and p["engine"] == "pdfium"
               for p in text_loaded.page_info)


def test_scanned_seed_keeps_its_section_tree(seed_pair):
    """Top-level sections of the scan match the text version's: same kinds in the same order,
    headings alike. OCR errors measured: "YÊU CẦU" read "YÊU CÂU", "III." (DejaVu Serif Bold,
    whose serifs touch) read "II.", so one label may differ."""
    text_doc, scan_doc, _, _ = seed_pair
    text_top, scan_top = top_level(text_doc.sections), top_level(scan_doc.sections)
    assert [s.kind for s in scan_top] == [s.kind for s in text_top]
    assert [s.kind for s in text_top].count("body") == 4 and [s.kind for s in text_top].count("appendix") == 2
    assert all(similar(a.heading, b.heading) >= 0.9 for a, b in zip(text_top, scan_top))
    assert sum(a.label != b.label for a, b in zip(text_top, scan_top)) <= 1
    assert scan_doc.document.title == text_doc.document.title
    assert scan_doc.document.issuer == text_doc.document.issuer == "Phòng Giáo dục và Đào tạo huyện Cát Hải"


def test_scanned_seed_keeps_its_citations(seed_pair):
    text_doc, scan_doc, _, _ = seed_pair
    numbers = [c.number for c in text_doc.citations if c.number]
    found = {c.number for c in scan_doc.citations}
    assert len(numbers) >= 20  # the seed cites many documents (measured: 38 citations with a number)
    assert sum(n in found for n in numbers) >= 0.9 * len(numbers)
    assert "57-NQ/TW" in found and "44/KH-UBND" in found


def test_scanned_masthead_gives_the_same_metadata(tmp_path):
    """Tesseract reads a two-column masthead line by line across both columns, where pdfium gives
    column after column; the header's facts come out the same either way."""
    require_tesseract()
    left = ["UBND HUYỆN CÁT HẢI", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "Số: 12/KH-PGDĐT"]
    right = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Cát Hải, ngày 10 tháng 3 năm 2025"]
    body = ["KẾ HOẠCH", "Triển khai chuyển đổi số trong giáo dục năm 2025", "I. MỤC ĐÍCH, YÊU CẦU",
            "1. Mục đích", "Nâng cao chất lượng dạy và học bằng công nghệ số."]
    text_pdf = render_pdf(body, tmp_path / "mast.pdf", masthead=(left, right))
    text_doc, scan_doc = extract_document(text_pdf), extract_document(scan_of(text_pdf, tmp_path / "mast_scan.pdf"))
    fields = ("number", "symbol", "issuer", "place", "issued_date", "title")
    expected = ("12/KH-PGDĐT", "KH-PGDĐT", "Phòng Giáo dục và Đào tạo huyện Cát Hải", "Cát Hải", "2025-03-10",
                "Triển khai chuyển đổi số trong giáo dục năm 2025")
    assert tuple(getattr(text_doc.document, f) for f in fields) == expected
    assert tuple(getattr(scan_doc.document, f) for f in fields) == expected


# --- ruled tables on a scanned page -----------------------------------------------------------

TABLE = [
    ("STT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời gian hoàn thành"),
    ("1", "Xây dựng kho học liệu số dùng chung cho các trường", "Phòng Giáo dục và Đào tạo", "Quý II/2026"),
    ("2", "Tập huấn kỹ năng số cho giáo viên", "Ủy ban nhân dân xã", "Tháng 9/2026"),
    ("3", "Đánh giá kết quả thực hiện", "Văn phòng Ủy ban nhân dân", "Hằng năm"),
]


def test_ruled_table_on_a_scanned_page_comes_back_as_rows(tmp_path):
    require_tesseract()
    lines = ["KẾ HOẠCH", "Triển khai chuyển đổi số trong giáo dục năm 2026", "I. NHIỆM VỤ CỤ THỂ"]
    lines += ["\t".join(row) for row in TABLE] + ["Các đơn vị căn cứ Kế hoạch này để triển khai thực hiện."]
    text_pdf = render_pdf(lines, tmp_path / "table.pdf", running_header=None, page_numbers=False)
    scanned = load_pdf(scan_of(text_pdf, tmp_path / "table_scan.pdf"))
    assert scanned.page_info[0]["ocr"] is True and scanned.page_info[0]["tables"] == 1
    rows = [tuple(line.split("\t")) for line in scanned.text.splitlines() if "\t" in line]
    assert rows == TABLE
    # the same rows as the text layer gives them, and the text around the table in place
    assert [line for line in load_pdf(text_pdf).text.splitlines() if "\t" in line] == ["\t".join(r) for r in TABLE]
    lines_out = scanned.text.splitlines()
    assert lines_out[2] == "I. NHIỆM VỤ CỤ THỂ" and lines_out[-1].startswith("Các đơn vị căn cứ Kế hoạch")


def test_rules_found_in_an_image_tilted_and_broken():
    """By construction: a 3 x 3 grid drawn 2 px wide, one rule tilted by a pixel every 150, one broken."""
    settings = OcrSettings(dpi=300)
    dark = np.zeros((1200, 1000), dtype=bool)
    for y in (100, 400, 700, 1000):
        dark[y:y + 2, 100:900] = True
    for x in (100, 366, 633, 900):
        dark[100:1002, x:x + 2] = True
    dark[400:402, :] = False  # redraw the second rule tilted: one row down every 150 px
    for k, x0 in enumerate(range(100, 900, 150)):
        dark[400 + k:402 + k, x0:min(x0 + 150, 900)] = True
    dark[700:702, 480:486] = False  # a 6 px break in the third rule
    dark[500:540, 200:230] = True  # a blot of ink: no rule
    found = ocr.find_rules(dark, settings, page_height=1200 / settings.scale)
    across = sorted(r.rule for r in found if r.rule[0] == "h")
    down = sorted(r.rule for r in found if r.rule[0] == "v")
    assert len(across) == 4 and len(down) == 4
    assert [round(r[2] * settings.scale) for r in across] == [100] * 4
    assert [round(r[3] * settings.scale) for r in across] == [902] * 4  # to the far side of the last column rule
    assert [round(r[1] * settings.scale) for r in down] == [101, 367, 634, 901]


# --- real scans -------------------------------------------------------------------------------


def test_real_image_only_scan_is_read():
    """CV 813/HC-CNHC of Cục Hóa chất: two JPEG pages of about 86 dpi. Facts read on the page
    images: issuer "BỘ CÔNG THƯƠNG / CỤC HÓA CHẤT", "Kính gửi: Cục Hải quan", the symbol
    "/HC-CNHC" after a handwritten number (813, which OCR does not read), Công văn số
    15464/CHQ-GSQL, Nghị định số 24/2026/NĐ-CP and, on page 2, Công văn số 597/HC-QLHC."""
    require_tesseract()
    loaded = load_pdf(realdoc("bct-cuchoachat_CV-813-HC-CNHC_2026-04-22_scan.pdf"))
    assert [p["ocr"] for p in loaded.page_info] == [True, True]
    assert all(p["ocr_confidence"] >= 0.8 for p in loaded.page_info)  # measured 0.93 and 0.90
    first, second = loaded.text.split("\f")
    for fact in ("BỘ CÔNG THƯƠNG", "CỤC HÓA CHẤT", "/HC-CNHC", "Kính gửi: Cục Hải quan", "15464/CHQ-GSQL",
                 "Nghị định số 24/2026/NĐ-CP"):
        assert fact in first, fact
    assert "597/HC-QLHC" in second
    assert [w for w in loaded.warnings if OCR_SUMMARY.match(w)] == [loaded.warnings[-1]]


@pytest.fixture(scope="module")
def phieu_trinh(tmp_path_factory):
    """Pages 1 and 4 of the Phiếu trình (all 7 take 10 s of OCR): its first page and the table's first."""
    require_tesseract()
    path = realdoc("laocai-sct_PhieuTrinh-nonumber-PANM-NgoiNhu1A_2026-05-20_scan-badocr.pdf")
    return load_pdf(pages_of([(path, [0, 3])], tmp_path_factory.mktemp("phieu_trinh") / "p1_p4.pdf"))


def test_real_garbage_ocr_layer_is_replaced(phieu_trinh):
    """The Phiếu trình's hidden OCR layer has no Vietnamese letter; Tesseract vie's text has.
    Facts read on the page image of page 1."""
    loaded = phieu_trinh
    assert len(loaded.page_info) == 2 and all(p["ocr"] and p["status"] == "ok" for p in loaded.page_info)
    first = loaded.text.split("\f")[0]
    assert sum(ch in VIETNAMESE_LETTERS for ch in first) > 300
    for fact in ("PHIẾU TRÌNH", "Kính gửi: Lãnh đạo Sở Công Thương", "466/PC-VPUBND", "01/TTr-CT05",
                 "II. ĐÁNH GIÁ CỦA CHUYÊN VIÊN XỬ LÝ CHÍNH"):
        assert fact in first, fact
    assert loaded.warnings == [
        "page 1: unusable text layer (share of words with Vietnamese letters 0.00), read by OCR",
        "page 2: unusable text layer (share of words with Vietnamese letters 0.00), read by OCR",
        loaded.warnings[-1],
    ]
    assert loaded.warnings[-1].startswith("pages 1–2 read by OCR (Tesseract vie), mean confidence ")


def test_real_scanned_table_keeps_its_columns(phieu_trinh):
    """Page 4 (landscape) starts the appendix table: 6 columns, header as read on the page image."""
    page4 = phieu_trinh.text.split("\f")[1]
    assert phieu_trinh.page_info[1]["tables"] == 1
    rows = [line.split("\t") for line in page4.splitlines() if "\t" in line]
    assert all(len(row) == 6 for row in rows)
    header = rows[0]
    assert header[0] == "STT" and header[1].startswith("Cấu trúc và nội dung Phương án")
    # "thẩm định" comes back as "thâm định" (Tesseract drops the hook above here and in the body)
    assert header[3].startswith("Đối chiếu với Thiết kế") and header[5].startswith("Đánh giá của Chuyên viên th")
    assert rows[1][:2] == ["1.", "Căn cứ lập Phương án"]
    assert [row[5] for row in rows[2:] if row[5] == "Đạt"] == ["Đạt", "Đạt"]


# --- without Tesseract ------------------------------------------------------------------------


@pytest.fixture
def no_tesseract(monkeypatch, tmp_path):
    """Tesseract is not on PATH."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.fixture(scope="module")
def half_scanned(tmp_path_factory) -> tuple[Path, Path]:
    """(a PDF whose page 1 has a text layer and page 2 is a scan, an all-scan PDF of both pages)."""
    tmp = tmp_path_factory.mktemp("half_scanned")
    text_pdf = render_pdf(["Kế hoạch số 12/KH-UBND", "Triển khai nhiệm vụ chuyển đổi số.", "\f",
                           "Trang hai của kế hoạch."], tmp / "two.pdf", running_header=None)
    scan = scan_of(text_pdf, tmp / "two_scan.pdf")
    return pages_of([(text_pdf, [0]), (scan, [1])], tmp / "half.pdf"), scan


def test_without_tesseract_a_scanned_page_warns_what_to_install(no_tesseract, half_scanned):
    loaded = load_pdf(half_scanned[0])
    assert "Triển khai nhiệm vụ chuyển đổi số." in loaded.text.split("\f")[0]
    assert loaded.text.split("\f")[1] == ""
    assert ocr.missing(OcrSettings()) == INSTALL
    assert loaded.warnings == [f"page 2: no text layer (scanned page?); {INSTALL}"]
    assert [(p["status"], p["ocr"], p["ocr_confidence"]) for p in loaded.page_info] == [
        ("ok", False, None), ("image-only", False, None)]


def test_without_tesseract_a_scan_fails_in_one_line(no_tesseract, half_scanned):
    scan = half_scanned[1]
    with pytest.raises(LoadError) as err:
        load_pdf(scan)
    assert err.value.reason == f"{NO_TEXT_LAYER}; {INSTALL}" == (
        "PDF has no text layer (scanned?); OCR needs Tesseract with Vietnamese data: "
        "apt install tesseract-ocr tesseract-ocr-vie")
    result = CliRunner().invoke(app, ["extract", str(scan)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [f"kehoach: error: {scan}: {NO_TEXT_LAYER}; {INSTALL}"]


def test_without_vietnamese_data_the_same(monkeypatch, tmp_path, half_scanned):
    """Tesseract there, but its data folder has no vie.traineddata."""
    require_tool("tesseract")
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    assert ocr.missing(OcrSettings()) == INSTALL
    with pytest.raises(LoadError, match="OCR needs Tesseract with Vietnamese data"):
        load_pdf(half_scanned[1])


def test_a_page_tesseract_fails_on_is_skipped_with_the_reason(tmp_path, half_scanned):
    """A stand-in `tesseract` that lists vie but fails on every image (as on a corrupt one)."""
    fake = tmp_path / "tesseract"
    fake.write_text('#!/bin/sh\nif [ "$1" = "--list-langs" ]; then echo "List of languages (1):"; echo vie; exit 0; fi\n'
                    'cat >/dev/null; echo "Error in pixReadMem: simulated" >&2; exit 1\n')
    fake.chmod(0o755)
    settings = PdfSettings(ocr=OcrSettings(command=str(fake)))
    loaded = load_pdf(half_scanned[0], settings)
    assert loaded.warnings == ["page 2: no text layer (scanned page?); OCR failed: Tesseract failed "
                               "(Error in pixReadMem: simulated)"]
    with pytest.raises(LoadError) as err:
        load_pdf(half_scanned[1], settings)
    assert err.value.reason == f"{NO_TEXT_LAYER}; OCR failed: Tesseract failed (Error in pixReadMem: simulated)"


def test_low_confidence_is_flagged(tmp_path):
    require_tesseract()
    text_pdf = render_pdf(["Kế hoạch số 12/KH-UBND", "Triển khai nhiệm vụ chuyển đổi số."], tmp_path / "short.pdf")
    loaded = load_pdf(scan_of(text_pdf, tmp_path / "short_scan.pdf"),
                      PdfSettings(ocr=OcrSettings(min_confidence=0.999)))
    note, summary = loaded.warnings
    shown = re.fullmatch(r"page 1: low OCR confidence (0\.\d\d), check the text", note).group(1)
    assert summary == f"page 1 read by OCR (Tesseract vie), mean confidence {shown} (low: check the text)"
    assert abs(float(shown) - loaded.page_info[0]["ocr_confidence"]) <= 0.005


def test_ocr_turned_off(half_scanned):
    """Pages without a usable text layer are skipped, as before OCR."""
    loaded = load_pdf(half_scanned[0], PdfSettings(ocr=OcrSettings(enabled=False)))
    assert loaded.warnings == ["page 2: no text layer (scanned page?), page skipped"]
    with pytest.raises(LoadError) as err:
        load_pdf(half_scanned[1], PdfSettings(ocr=OcrSettings(enabled=False)))
    assert err.value.reason == NO_TEXT_LAYER


# --- pieces -----------------------------------------------------------------------------------


def test_tsv_words_are_laid_out_as_lines():
    """Tesseract's TSV (by construction): layout rows and empty words dropped, lines rebuilt."""
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        "1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t",
        "5\t1\t1\t1\t1\t1\t300\t300\t100\t40\t96.5\tKế",
        "5\t1\t1\t1\t1\t2\t420\t300\t150\t40\t91.5\thoạch",
        "5\t1\t1\t1\t1\t3\t600\t300\t10\t40\t95.0\t ",
        "5\t1\t1\t1\t2\t1\t300\t360\t60\t40\t50.0\tsố",
        "5\t1\t2\t1\t1\t1\t300\t500\t80\t40\t-1\t12",
    ]
    words = ocr.parse_tsv("\n".join([header] + rows) + "\n")
    assert [w.text for w in words] == ["Kế", "hoạch", "số", "12"]
    assert [w.confidence for w in words] == [0.965, 0.915, 0.5, 0.0]
    assert words[1].box == (420, 300, 570, 340)
    text, centers = ocr.lay_out(words, scale=300 / 72, page_height=842.0)
    assert text == "Kế hoạch\nsố\n12"
    assert len(centers) == len(text) and centers[2] is None and centers[8] is None
    assert centers[0] == pytest.approx((350 * 72 / 300, 842.0 - 320 * 72 / 300))
    assert ocr.mean_confidence(words) == pytest.approx((0.965 + 0.915 + 0.5) / 4)


def test_ink_is_told_from_paper():
    page = np.full((40, 40), 235, dtype=np.uint8)  # grey paper
    page[10:12, 5:35] = 40  # a rule
    page[20:21, 5:35] = 225  # a shade of the paper (JPEG noise): not ink
    dark = ocr.binarize(page)
    assert dark.sum() == 60 and dark[10:12, 5:35].all()
    assert not ocr.binarize(np.full((40, 40), 255, dtype=np.uint8)).any()  # a blank scan has no ink


def test_blank_scanned_page_is_no_text(tmp_path):
    require_tesseract()
    from PIL import Image

    path = tmp_path / "blank.pdf"
    Image.new("L", (1654, 2339), 255).save(path, resolution=200)  # A4 at 200 dpi, nothing on it
    with pytest.raises(LoadError) as err:
        load_pdf(path)
    assert err.value.reason == f"{NO_TEXT_LAYER}; OCR found no text"


def test_settings_are_checked():
    with pytest.raises(ValueError, match="dpi"):
        OcrSettings(dpi=10)
    with pytest.raises(ValueError, match="languages"):
        OcrSettings(languages=())
    with pytest.raises(ValueError, match="min_confidence"):
        OcrSettings(min_confidence=2)
    assert ocr.install_hint(OcrSettings(languages=("vie", "eng"))) == (
        "OCR needs Tesseract with Vietnamese and English data: apt install tesseract-ocr tesseract-ocr-vie "
        "tesseract-ocr-eng")

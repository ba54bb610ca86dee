"""PDF loader: pages and page map, reading order, stamps, errors, real documents."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest
from reportlab.lib import pdfencrypt
from reportlab.pdfgen import canvas

from pipeline.load import LoadError, load
from pipeline.load import pdf as pdf_loader
from pipeline.load.ocr import OcrSettings
from pipeline.load.pdf import NO_TEXT_LAYER, PdfSettings, load_pdf
from tests.conftest import realdoc
from tests.render import FONT, _register_fonts, render_pdf, strip_markdown


BODY = "Dòng {n:02d}: triển khai nhiệm vụ chuyển đổi số trong giáo dục và đào tạo."
# The text-layer judge alone: OCR of the pages it rejects is tested in tests/test_ocr.py.
TEXT_LAYER_ONLY = PdfSettings(ocr=OcrSettings(enabled=False))
HEADER = "Kế hoạch số 12/KH-UBND"
LINES_PER_PAGE = 20


def _plan_lines(count: int = 45) -> list[str]:
    return [BODY.format(n=n) for n in range(1, count + 1)]


@pytest.fixture(scope="module")
def plan_pdf(tmp_path_factory) -> Path:
    """45 one-line paragraphs, 20 per page: lines 1-20 on page 1, 21-40 on page 2, 41-45 on page 3."""
    out = tmp_path_factory.mktemp("pdf") / "plan.pdf"
    return render_pdf(_plan_lines(), out, running_header=HEADER, lines_per_page=LINES_PER_PAGE)


@pytest.fixture(scope="module")
def plan(plan_pdf):
    return load(plan_pdf)


# --- the rendering helper --------------------------------------------------------------


def test_render_smoke(tmp_path):
    text = "## **I. MỤC ĐÍCH**\nNội dung <b>đậm</b>\nTT\tNhiệm vụ\tĐơn vị chủ trì\n1\tSố hóa hồ sơ\tPhòng GDĐT\n"
    out = render_pdf(text, tmp_path / "smoke.pdf")
    loaded = load(out)
    assert loaded.page_count == 1
    assert "I. MỤC ĐÍCH" in loaded.text and "##" not in loaded.text and "**" not in loaded.text
    assert "Nội dung đậm" in loaded.text and "<b>" not in loaded.text
    assert "1\tSố hóa hồ sơ\tPhòng GDĐT" in loaded.text.splitlines()  # the ruled table, read back as rows


def test_strip_markdown():
    assert strip_markdown("#### **2.1. Các chỉ tiêu**") == "2.1. Các chỉ tiêu"
    assert strip_markdown("<b>I</b>") == "I"


def test_render_table_repeats_its_header_row_across_pages(tmp_path):
    rows = ["TT\tNhiệm vụ\tĐơn vị chủ trì"] + [f"{n}\tNhiệm vụ số {n} của kế hoạch\tPhòng Văn hóa - Xã hội" for n in range(1, 80)]
    loaded = load(render_pdf(["Phụ lục"] + rows, tmp_path / "table.pdf"))
    pages = loaded.text.split("\f")
    assert len(pages) >= 2
    assert all("TT\tNhiệm vụ\tĐơn vị chủ trì" in page.splitlines() for page in pages)
    assert "79\tNhiệm vụ số 79 của kế hoạch\tPhòng Văn hóa - Xã hội" in pages[-1].splitlines()


def test_render_forced_page_break_inside_a_section(tmp_path):
    lines = ["I. MỤC ĐÍCH", "Đoạn thứ nhất của mục.", "Đoạn thứ hai của mục.", "II. YÊU CẦU"]
    loaded = load(render_pdf(lines, tmp_path / "break.pdf", page_breaks=["Đoạn thứ hai"]))
    first, second = loaded.text.split("\f")
    assert "Đoạn thứ nhất" in first and "Đoạn thứ hai" in second and "II. YÊU CẦU" in second


def test_render_form_feed_line_breaks_the_page(tmp_path):
    loaded = load(render_pdf(["Trang một", "\f", "Trang hai"], tmp_path / "ff.pdf"))
    assert loaded.page_count == 2


# --- pages, page map, text form -----------------------------------------------------------


def test_pages_are_separated_by_form_feeds(plan):
    assert plan.format == "pdf"
    assert plan.page_count == 3
    assert plan.text.count("\f") == 2
    assert len(plan.page_info) == 3


def test_page_map_points_at_the_right_page(plan):
    for n, page in ((1, 1), (20, 1), (21, 2), (40, 2), (41, 3)):
        offset = plan.text.index(BODY.format(n=n))
        assert plan.pages.at(offset) == page, f"line {n}"
    assert plan.pages.starts == (0, plan.text.index("\f") + 1, plan.text.rindex("\f") + 1)
    assert plan.pages.values == (1, 2, 3)


def test_running_header_and_page_numbers_are_kept(plan):
    first, second, third = plan.text.split("\f")
    assert HEADER not in first
    assert HEADER in second.splitlines() and HEADER in third.splitlines()
    assert "2" in second.splitlines() and "3" in third.splitlines()


def test_lines_are_lf_only_without_trailing_spaces(plan):
    assert "\r" not in plan.text
    assert all(line == line.rstrip() for line in plan.text.split("\n"))


def test_page_info(plan):
    info = plan.page_info[1]
    assert info["page"] == 2 and info["ocr"] is False and info["engine"] == "pdfium"
    assert info["status"] == "ok" and info["quality"] == 1.0
    assert info["chars"] == len(plan.text.split("\f")[1])


def test_output_is_nfc(tmp_path):
    nfd = unicodedata.normalize("NFD", "Kế hoạch thực hiện nhiệm vụ năm 2026 của Ủy ban nhân dân")
    loaded = load(render_pdf([nfd] * 3, tmp_path / "nfd.pdf"))
    assert unicodedata.is_normalized("NFC", loaded.text)
    assert "Kế hoạch thực hiện nhiệm vụ" in loaded.text


def test_line_final_hyphen_keeps_hyphen_and_line_break(tmp_path):
    path = tmp_path / "hyphen.pdf"
    _draw_lines(path, [(72, 700, "phát triển kinh-"), (72, 686, "tế xã hội")])
    assert "kinh-\ntế xã hội" in load(path).text


# --- reading order ------------------------------------------------------------------------------

LEFT = ["UBND HUYỆN CÁT HẢI", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"]
RIGHT = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]


def test_two_column_masthead_is_not_interleaved(tmp_path):
    loaded = load(render_pdf(["KẾ HOẠCH", "Nội dung kế hoạch."], tmp_path / "mast.pdf", masthead=(LEFT, RIGHT)))
    for line in LEFT + RIGHT:
        assert line in loaded.text


def test_columns_drawn_word_by_word_are_not_interleaved(tmp_path):
    """A producer that alternates between the columns of one baseline, word by word."""
    path = tmp_path / "words.pdf"
    words = []
    for row, (left, right) in enumerate(zip(LEFT, RIGHT)):
        y = 780 - 16 * row
        lw, rw = left.split(), right.split()
        for k in range(max(len(lw), len(rw))):
            if k < len(lw):
                words.append((60 + 70 * k, y, lw[k]))
            if k < len(rw):
                words.append((300 + 45 * k, y, rw[k]))
    _draw_lines(path, words + [(60, 700, "Nội dung kế hoạch năm 2026.")], size=9)
    text = load(path).text
    assert "UBND HUYỆN CÁT HẢI" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text


def test_shuffled_content_stream_is_read_in_position_order(tmp_path):
    path = _shuffled_pdf(tmp_path)
    loaded = load(path)
    assert loaded.page_info[0]["engine"] == "pdfplumber"
    assert loaded.text.splitlines() == [BODY.format(n=n) for n in range(1, 31)]


def test_reorder_can_be_switched_off(tmp_path):
    path = _shuffled_pdf(tmp_path)
    loaded = load_pdf(path, PdfSettings(reorder_min_backtracks=10_000))
    assert loaded.page_info[0]["engine"] == "pdfium"
    assert loaded.text.splitlines() != [BODY.format(n=n) for n in range(1, 31)]


def test_failed_reorder_keeps_the_drawn_order_with_a_warning(tmp_path, monkeypatch):
    def broken(self, index):
        raise RuntimeError("pdfminer failed")

    monkeypatch.setattr(pdf_loader._PlumberFallback, "page_text", broken)
    path = _shuffled_pdf(tmp_path)
    loaded = load(path)
    assert loaded.page_info[0]["engine"] == "pdfium"
    assert loaded.warnings == ["page 1: text drawn out of reading order, kept as drawn (pdfplumber: RuntimeError)"]


def test_settings_are_checked():
    with pytest.raises(ValueError):
        PdfSettings(reorder_min_share=2)


def test_stamped_number_goes_into_its_line(tmp_path):
    """A signed document's number lives in a widget annotation over the gap after "Số:"."""
    path = tmp_path / "stamp.pdf"
    c = _canvas(path)
    c.drawString(72, 760, "ỦY BAN NHÂN DÂN TỈNH")
    c.drawString(72, 740, "Số:            /QĐ-UBND")
    for n in range(1, 25):
        c.drawString(72, 710 - 16 * n, BODY.format(n=n))
    c.acroForm.textfield(name="so", value="1696", x=100, y=736, width=40, height=18, borderWidth=0,
                         fontName="Helvetica", fontSize=11, fillColor=None, borderColor=None)
    c.save()
    loaded = load(path)
    assert "Số: 1696/QĐ-UBND" in loaded.text.splitlines()
    assert loaded.page_info[0]["stamps"] == 1


# --- errors ----------------------------------------------------------------------------------


def test_not_a_pdf(tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"Ke hoach nam 2026, day khong phai PDF.\n" * 50)
    with pytest.raises(LoadError, match="not a PDF: no %PDF header"):
        load(path)


def test_truncated_pdf(plan_pdf, tmp_path):
    path = tmp_path / "truncated.pdf"
    data = plan_pdf.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(LoadError, match="corrupt PDF"):
        load(path)


def test_encrypted_pdf_needs_a_password(tmp_path):
    path = tmp_path / "secret.pdf"
    c = canvas.Canvas(str(path), encrypt=pdfencrypt.StandardEncryption("mat-khau", ownerPassword="chu"))
    c.drawString(72, 700, "Ke hoach")
    c.save()
    with pytest.raises(LoadError) as err:
        load(path)
    assert err.value.reason == "encrypted PDF: a password is required"


def test_owner_password_only_is_readable(tmp_path):
    path = tmp_path / "restricted.pdf"
    enc = pdfencrypt.StandardEncryption("", ownerPassword="chu", canCopy=0, canModify=0)
    c = _canvas(path, encrypt=enc)
    for n in range(1, 25):
        c.drawString(72, 760 - 16 * n, BODY.format(n=n))
    c.save()
    assert BODY.format(n=24) in load(path).text


def test_image_only_pdf_has_no_text_layer(tmp_path):
    from PIL import Image, ImageDraw

    png = tmp_path / "scan.png"
    image = Image.new("RGB", (400, 300), "white")
    ImageDraw.Draw(image).rectangle((40, 40, 360, 80), fill="black")
    image.save(png)
    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path))
    c.drawImage(str(png), 72, 400, width=400, height=300)
    c.save()
    with pytest.raises(LoadError) as err:
        load(path)
    assert err.value.reason.startswith(NO_TEXT_LAYER)  # "; OCR found no text", or what to install for OCR
    assert "no text layer" in str(err.value) and str(path) in str(err.value)


# Vietnamese letters decoded to Cyrillic look-alikes, as fonts without ToUnicode do.
_GARBLE = str.maketrans("ầởđệộịươạảếấồờớợựừữứ", "ҫӢÿӊӜӏѭѫҥҧӃҩӗӡӟӧӵӯӳӭ")


def test_garbled_text_layer_is_unusable(tmp_path):
    lines = [BODY.format(n=n).translate(_GARBLE) for n in range(1, 30)]
    with pytest.raises(LoadError) as err:
        load_pdf(render_pdf(lines, tmp_path / "garbled.pdf"), TEXT_LAYER_ONLY)
    assert err.value.reason.startswith("unusable text layer: share of valid Vietnamese syllables")
    assert err.value.reason.endswith("(fonts without a Unicode map?)")


def test_bad_pages_are_dropped_with_a_warning(tmp_path):
    good = _plan_lines(20)
    bad = [line.translate(_GARBLE) for line in _plan_lines(20)]
    loaded = load_pdf(render_pdf(good + ["\f"] + bad + ["\f"] + good, tmp_path / "mixed.pdf", running_header=None,
                                 page_numbers=False), TEXT_LAYER_ONLY)
    assert loaded.page_count == 3
    first, second, third = loaded.text.split("\f")
    assert second == "" and BODY.format(n=20) in first and BODY.format(n=20) in third
    assert len(loaded.warnings) == 1
    assert loaded.warnings[0].startswith("page 2: unusable text layer (share of valid Vietnamese syllables 0.")
    assert [p["status"] for p in loaded.page_info] == ["ok", "unusable", "ok"]
    assert loaded.pages.at(len(first) + 1) == 2 and loaded.pages.at(len(first) + 2) == 3


# --- real documents --------------------------------------------------------------------------

# realdoc() skips (printing why) when ../shared/realdocs is absent, and fails in CI.


def test_real_fonts_without_unicode_map_are_unusable():
    with pytest.raises(LoadError) as err:
        load_pdf(realdoc("laocai-sct_KH-1105-KH-DKT_2026-03-10.pdf"), TEXT_LAYER_ONLY)
    assert err.value.reason.startswith("unusable text layer: share of valid Vietnamese syllables 0.")
    assert err.value.reason.endswith("(fonts without a Unicode map?)")


def test_real_partly_broken_layer_is_unusable():
    """QĐ 1050: some runs decode, but every page is mostly look-alike garbage (measured 0.29-0.54 valid)."""
    with pytest.raises(LoadError, match="unusable text layer"):
        load_pdf(realdoc("laocai-sct_QD-1050-QD-SCT_2026-03-06.pdf"), TEXT_LAYER_ONLY)


def test_real_scan_has_no_text_layer():
    with pytest.raises(LoadError) as err:
        load_pdf(realdoc("bct-cuchoachat_CV-813-HC-CNHC_2026-04-22_scan.pdf"), TEXT_LAYER_ONLY)
    assert err.value.reason == NO_TEXT_LAYER


def test_real_ocr_layer_without_vietnamese_is_unusable():
    path = realdoc("laocai-sct_PhieuTrinh-nonumber-PANM-NgoiNhu1A_2026-05-20_scan-badocr.pdf")
    with pytest.raises(LoadError, match="unusable text layer: share of words with Vietnamese letters 0.00"):
        load_pdf(path, TEXT_LAYER_ONLY)


def test_real_decision_loads_with_its_stamped_number():
    loaded = load(realdoc("laocai-ubnd_QD-1696-QD-UBND_2026-05-15.pdf"))
    assert loaded.page_count == 3 and loaded.text.count("\f") == 2
    assert "ỦY BAN NHÂN DÂN" in loaded.text and "TỈNH LÀO CAI" in loaded.text
    assert "Số: 1696/QĐ-UBND" in loaded.text
    assert loaded.pages.at(loaded.text.index("1696")) == 1
    assert loaded.warnings == []
    # pdfium's hyphen mark at "NĐ-|CP" (a line end inside a table cell): the cell's lines are glued back
    assert "\ufffe" not in loaded.text and "Điều 44 Nghị định số 105/2025/NĐ-CP của Chính phủ" in loaded.text


def test_real_60_page_attachment_loads_with_good_quality():
    loaded = load(realdoc("bxd_QD-1074-QD-BXD-tai-lieu-kem-theo_2026-06-29.pdf"))
    assert loaded.page_count == 60 and loaded.text.count("\f") == 59
    assert loaded.warnings == []
    judged = [p["quality"] for p in loaded.page_info if p["quality"] is not None]
    assert len(judged) >= 55 and min(judged) > 0.95
    assert "С.2.2" in loaded.text  # the heading with a Cyrillic С stays as printed
    assert unicodedata.is_normalized("NFC", loaded.text)


# --- helpers -------------------------------------------------------------------------------------


def _shuffled_pdf(tmp_path: Path) -> Path:
    """30 body lines drawn in random order: content order is not reading order."""
    path = tmp_path / "shuffled.pdf"
    lines = [(72, 780 - 16 * n, BODY.format(n=n)) for n in range(1, 31)]
    random.Random(7).shuffle(lines)
    _draw_lines(path, lines)
    return path


def _canvas(path: Path, size: float = 11, **kwargs) -> canvas.Canvas:
    _register_fonts()
    c = canvas.Canvas(str(path), **kwargs)
    c.setFont(FONT, size)
    return c


def _draw_lines(path: Path, items: list[tuple[float, float, str]], size: float = 11) -> None:
    """Draw strings at (x, y) in the given order: the content stream order is the list order."""
    c = _canvas(path, size)
    for x, y, text in items:
        c.drawString(x, y, text)
    c.save()


def test_pdf_exported_by_libreoffice_with_link_annotations_loads(tmp_path):
    """A LibreOffice export has annotations (links) but no form: flattening its stamps must not
    need a form environment (pypdfium2's flatten() refused it: an internal error on every page)."""
    import subprocess

    from tests.conftest import require_tool

    soffice = require_tool("soffice")
    source = realdoc("laocai-ubnd_KH-draft-nonumber-KH-UBND-CT11_2026-05-13.docx")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    loaded = load(tmp_path / f"{source.stem}.pdf")
    assert loaded.page_count >= 10
    assert "KẾ HOẠCH" in loaded.text and "Nơi nhận:" in loaded.text

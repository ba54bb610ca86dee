"""Ruled tables in PDFs: read as tab-separated rows by the PDF loader, then parsed like DOCX tables.

Expected values were read off the documents: QĐ 1696 p3 and QĐ 1074 pp14-58 rendered to PNG with
pypdfium2 and looked at, and the seed 000 text itself for the rendered seed."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from pipeline.extract import extract_document
from pipeline.load import load
from pipeline.load.base import LoadedText
from pipeline.load.pdf import PdfSettings, load_pdf
from pipeline.load.pdf_tables import display_box, display_matrix, find_tables, page_rulings, plumber_tolerances
from pipeline.normalize import normalize, whitespace
from pipeline.tables.delimited import find_delimited_tables
from tests.conftest import SEEDS, realdoc, require_tool
from tests.render import FONT, FONT_DIR, _register_fonts, render_pdf

DECISION_1696 = "laocai-ubnd_QD-1696-QD-UBND_2026-05-15.pdf"
ATTACHMENT_1074 = "bxd_QD-1074-QD-BXD-tai-lieu-kem-theo_2026-06-29.pdf"
RUNNING_HEADER = "Bản in thử nghiệm - Kế hoạch ngành giáo dục"


def _normalized(cells: list[str]) -> list[str]:
    return [" ".join(cell.split()) for cell in cells]


def _fonts() -> None:
    if not (FONT_DIR / "DejaVuSerif.ttf").exists():
        require_tool("fc-list")  # fonts-dejavu-core missing: fail in CI, skip elsewhere
        pytest.skip(f"fonts-dejavu-core is not installed ({FONT_DIR})")
    _register_fonts()


# --- seed 000 drawn as ruled tables: the same tables as its text ------------------------------


@pytest.fixture(scope="module")
def seed_000(tmp_path_factory):
    """(PDF document, text document, loaded PDF) of seed 000, its three appendix tables drawn ruled."""
    _fonts()
    lines = SEEDS["000"].read_text(encoding="utf-8").splitlines()
    pdf = render_pdf(lines, tmp_path_factory.mktemp("pdf") / "000.pdf", running_header=RUNNING_HEADER)
    return extract_document(pdf), extract_document(SEEDS["000"]), load(pdf)


def test_seed_000_pdf_tables_equal_text_tables(seed_000):
    pdf, txt, _ = seed_000
    assert [len(t.rows) for t in pdf.tables] == [len(t.rows) for t in txt.tables] == [9, 31, 23]
    for a, b in zip(pdf.tables, txt.tables):
        assert (a.kind, a.caption, a.shape) == (b.kind, b.caption, "delimited")
        assert [(c.name, c.role, c.year) for c in a.columns] == [(c.name, c.role, c.year) for c in b.columns]
        assert [(_normalized(r.cells), r.group) for r in a.rows] == [(_normalized(r.cells), r.group) for r in b.rows]


def test_seed_000_tables_break_across_pages_with_their_header_repeated(seed_000):
    pdf, _, loaded = seed_000
    indicators, tasks = pdf.tables[1], pdf.tables[2]
    assert (indicators.page_start, indicators.page_end) == (11, 20)
    assert (tasks.page_start, tasks.page_end) == (20, 25)
    header = "\t".join(c.name for c in indicators.columns)
    pages_with_header = [n for n, page in enumerate(loaded.text.split("\f"), 1) if header in page.split("\n")]
    assert pages_with_header == list(range(11, 21))  # drawn again on every page the table runs onto ...
    for table in (indicators, tasks):  # ... and read once
        assert all(r.cells != [c.name for c in table.columns] for r in table.rows)
    # the last page of the task table holds the running header, the page number and one row
    assert [r.cells[0] for r in tasks.rows if r.page == 25] == ["23"]


def test_seed_000_pdf_rows_point_into_the_text(seed_000):
    pdf, _, _ = seed_000
    for table in pdf.tables:
        for row in table.rows:
            assert pdf.text[row.start : row.end].split("\t")[0] == row.cells[0]
            assert table.page_start <= row.page <= table.page_end


# --- QĐ 1696: one landscape page, a two-level header, group rows, row-spans ---------------------


@pytest.fixture(scope="module")
def decision_1696():
    return extract_document(realdoc(DECISION_1696))


def test_1696_loader_writes_the_appendix_table_as_rows():
    loaded = load(realdoc(DECISION_1696))
    assert [p["tables"] for p in loaded.page_info] == [0, 0, 1]
    pages = loaded.text.split("\f")
    assert "\t" not in pages[0] + pages[1]  # the highlighted paragraphs of pp1-2 are no tables
    lines = pages[2].split("\n")
    # the stamped number and date still go into the caption above the table
    assert lines[4] == "(Kèm theo Quyết định số 1696/QĐ-UBND ngày 15/ 5/2026 của UBND tỉnh Lào Cai)"
    assert lines[5:8] == [
        "STT\tNỘI DUNG NHIỆM VỤ ỦY QUYỀN\tCĂN CỨ PHÁP LÝ\tDANH MỤC TTHC ĐÃ CÔNG BỐ\t\t\tGHI CHÚ",
        "\t\t\tTÊN TTHC\tLĨNH VỰC CÔNG BỐ\tMÃ TTHC\t",
        "I.\tLĩnh vực Vận chuyển hàng hóa nguy hiểm\t\t\t\t\t",
    ]
    assert len(lines) == 14 and lines[-1] == "\t\t\tCấp lại chứng chỉ kiểm định viên\tAn toàn vệ sinh lao động\t2.000066\t"


def test_1696_two_level_header(decision_1696):
    [table] = decision_1696.tables
    assert [c.name for c in table.columns] == [
        "STT", "NỘI DUNG NHIỆM VỤ ỦY QUYỀN", "CĂN CỨ PHÁP LÝ", "DANH MỤC TTHC ĐÃ CÔNG BỐ / TÊN TTHC",
        "DANH MỤC TTHC ĐÃ CÔNG BỐ / LĨNH VỰC CÔNG BỐ", "DANH MỤC TTHC ĐÃ CÔNG BỐ / MÃ TTHC", "GHI CHÚ",
    ]
    assert table.columns[0].role == "seq"
    assert (table.page_start, table.page_end, table.shape) == (3, 3, "delimited")
    appendix = next(s for s in decision_1696.sections if s.id == table.section)
    assert appendix.kind == "appendix" and table.caption == appendix.heading


def test_1696_rows_groups_and_row_spans(decision_1696):
    [table] = decision_1696.tables
    assert len(table.rows) == 5  # one per TTHC
    assert [r.group for r in table.rows] == ["I. Lĩnh vực Vận chuyển hàng hóa nguy hiểm"] * 3 + ["II. Lĩnh vực An toàn vệ sinh lao động"] * 2
    assert [r.cells[5] for r in table.rows] == ["1.014967", "1.014968", "1.014969", "2.000140", "2.000066"]
    first = table.rows[0].cells
    assert first[0] == "1" and first[1].startswith("Cấp, cấp điều chỉnh, cấp lại, thu hồi giấy phép vận chuyển hàng hóa")
    assert "Điều 44 Nghị định số 105/2025/NĐ-CP của Chính phủ" in first[1]  # "NĐ-" | "CP" across a cell line
    assert first[2] == "Khoản 2 Điều 3 Thông tư số 15/2026/TT-BCT ngày 25/3/2026 của Bộ Công Thương"
    assert first[3:6] == [
        "Cấp Giấy phép vận chuyển hàng hóa nguy hiểm loại 1 (trừ vật liệu nổ công nghiệp, tiền chất thuốc nổ), 2, 3, 4, 9",
        "Vận chuyển hàng hóa nguy hiểm", "1.014967",
    ]
    # nội dung and căn cứ are merged over the group's TTHC rows: empty under the first, as in DOCX
    assert [r.cells[:3] for r in table.rows[1:3]] == [["", "", ""]] * 2
    assert table.rows[3].cells[:3] == ["1", "Cấp, cấp lại chứng chỉ kiểm định viên", "Điều 27 Nghị định số 146/2025/NĐ-CP ngày 12/6/2025 của Chính phủ"]
    assert table.rows[4].cells == ["", "", "", "Cấp lại chứng chỉ kiểm định viên", "An toàn vệ sinh lao động", "2.000066", ""]


# --- QĐ 1074 attachment: Phụ lục A-F, one 2-column table each, ~45 pages -------------------------


@pytest.fixture(scope="module")
def attachment_1074():
    return extract_document(realdoc(ATTACHMENT_1074))


def test_1074_one_table_per_appendix(attachment_1074):
    """Each Phụ lục starts a page with its own heading and caption above a new table: six tables."""
    doc = attachment_1074
    appendices = [s for s in doc.sections if s.kind == "appendix"]
    assert [s.label for s in appendices] == [f"PHỤ LỤC {x}" for x in "ABCDEF"]
    assert [t.section for t in doc.tables] == [s.id for s in appendices]
    assert [(t.page_start, t.page_end) for t in doc.tables] == [(14, 19), (20, 33), (34, 40), (41, 45), (46, 48), (49, 58)]
    assert [len(t.rows) for t in doc.tables] == [10, 31, 17, 8, 8, 36]
    names = [[c.name for c in t.columns] for t in doc.tables]
    assert names[:4] == [["Giải pháp kỹ thuật nâng cao an toàn PCCC", "Ghi chú"]] * 4
    assert names[4:] == [["Giải pháp kỹ thuật nâng cao an toàn PCCC điển hình", "Ghi chú"]] * 2
    for table, header in zip(doc.tables, names):  # the header row repeated on ~45 pages is read once
        assert all(r.cells != header for r in table.rows)


def test_1074_rows_cut_by_a_page_are_joined(attachment_1074):
    a, b, _, d = attachment_1074.tables[:4]
    assert a.rows[0].cells == ["A.1 Nhà/khoang cháy không bảo đảm bậc chịu lửa yêu cầu", ""]
    assert a.rows[1].cells[1] == ("A.1.1 và A.1.2: - Áp dụng đối với nhà sản xuất và nhà kho, khi chủ công trình không có "
                                  "nhu cầu về bảo vệ tài sản; - Không áp dụng cho các nhà/khoang cháy có hạng nguy hiểm "
                                  "cháy và cháy nổ A, B.")
    # A.2: pp16-18; the note goes on in lower case on p17, the solution text with "(3)" of A.2.3's list on p18
    a2 = a.rows[5]
    assert a2.page == 16 and a2.cells[0].startswith("Áp dụng một trong các giải pháp sau (A.2.1, A.2.2 hoặc A.2.3): A.2.1")
    assert a2.cells[1] == ("A.2.1, A.2.2 và A.2.3: - Áp dụng đối với nhà sản xuất và nhà kho, khi chủ công trình không "
                           "có nhu cầu về bảo vệ tài sản; - Không áp dụng cho các nhà/khoang cháy có hạng nguy hiểm "
                           "cháy và cháy nổ A, B.")
    assert "cùng cột khi có cháy), và các cấu kiện chịu lực tương tự khác) không bảo đảm" in a2.cells[0]
    assert a2.cells[0].endswith("phải nhỏ hơn 15 phút. Trường hợp không bảo đảm điều kiện này thì phải tăng cường cho "
                                "các kết cấu chịu lực đạt giới hạn chịu lửa lớn hơn thời gian thoát nạn cần thiết của "
                                "người. CHÚ DẪN: 1. Cấu kiện có giới hạn chịu lửa tối thiểu R 15; 2. Hệ thống báo cháy "
                                "tự động; 3. Toàn bộ người trong nhà thoát ra ngoài sau không quá 15 phút. "
                                "Hình A.5 - Minh họa cho giải pháp A.2.3")
    # A.4: the note "… các nhà/khoang" (p18) | "cháy có hạng nguy hiểm …" (p19)
    assert a.rows[9].cells[1] == ("- Áp dụng khi chủ công trình không có nhu cầu về bảo vệ tài sản; - Không áp dụng cho "
                                  "các nhà/khoang cháy có hạng nguy hiểm cháy và cháy nổ A, B.")
    # B.10: "… 70 % giới hạn yêu cầu và" (p32) | "không nhỏ hơn 700 mm." (p33)
    b10 = next(r for r in b.rows if r.cells[0].startswith("Áp dụng một trong các giải pháp sau (B.10.1 đến B.10.3)"))
    assert b10.cells[1] == "Bề rộng thực tế không nhỏ hơn 70 % giới hạn yêu cầu và không nhỏ hơn 700 mm."
    assert b10.cells[0].endswith("Hình B.11 - Minh họa cho các vị trí hành lang thoát nạn bị thu hẹp")
    last = ("Lối thoát nạn của nhà (dẫn từ thang bộ ra ngoài nhà) phải thỏa mãn các điều kiện lối ra ngoài "
            "trực tiếp theo 1.4.33a trong [1].")
    assert [r.cells for r in b.rows[-2:]] == [
        ["B.11 Số lối thoát nạn của nhà nhỏ hơn số lối thoát nạn yêu cầu của tầng", ""], [last, ""],
    ]
    # D.2.1: "(2) Nhà phải trang bị …" opens p44 after "(1) Cải tạo …" on p43; the figure Hình D.2 adds no text
    d21 = d.rows[5]
    assert d21.page == 43 and "(1) Cải tạo thang máy thường để phục vụ chữa cháy như sau:" in d21.cells[0]
    assert ("nhỏ hơn kích thước tiêu chuẩn của thang máy chữa cháy. (2) Nhà phải trang bị hệ thống báo cháy tự động "
            "địa chỉ (chỉ cần báo được tầng có cháy).") in d21.cells[0]
    assert ("Hình D.2 - Minh họa cho giải pháp cải tạo thang máy thường thành thang máy chữa cháy D.2.1.3 Đối với "
            "nhà ở riêng lẻ") in d21.cells[0]


def test_1074_heading_with_a_cyrillic_letter_stays_as_printed(attachment_1074):
    c = attachment_1074.tables[2]
    assert ["С.2.2 Diện tích khoang cháy vượt quá giới hạn cho phép tương ứng với bậc chịu lửa của nhà", ""] in [r.cells for r in c.rows]


# --- the rules and the grid: the same cells as pdfplumber's own "lines" strategy ----------------


def _grids_from_pdfium(path, index: int, settings: PdfSettings):
    doc = pdfium.PdfDocument(str(path))
    try:
        page = doc[index]
        height = display_box(page)[3]
        tables = find_tables(page_rulings(page, settings, display_matrix(page)), display_box(page), settings)
        return [[[None if b is None else tuple(round(v) for v in (b[0], height - b[3], b[2], height - b[1])) for b in row]
                 for row in t.cells] for t in tables]
    finally:
        doc.close()


def _grids_from_pdfplumber(path, index: int, settings: PdfSettings):
    import pdfplumber

    def ruling(obj: dict) -> bool:  # the loader's rule: filled boxes thicker than a rule are highlights
        fat = obj.get("object_type") == "rect" and obj.get("fill") and not obj.get("stroke")
        return not (fat and min(obj["width"], obj["height"]) > settings.ruling_max_thickness)

    with pdfplumber.open(path) as pdf:
        found = pdf.pages[index].filter(ruling).find_tables(
            {"vertical_strategy": "lines", "horizontal_strategy": "lines", **plumber_tolerances(settings)})
        return [[[None if b is None else tuple(round(v) for v in b) for b in row.cells] for row in t.rows]
                for t in found if len(t.rows) >= settings.table_min_rows and len(t.rows[0].cells) >= settings.table_min_columns]


@pytest.mark.parametrize("name, pages", [(DECISION_1696, (0, 1, 2)), (ATTACHMENT_1074, (13, 14, 17, 43))])
def test_rules_from_pdfium_give_pdfplumbers_cells(name, pages):
    """Rules read from pdfium's paths, fed to pdfplumber's finder, give the cells of pdfplumber's
    "lines" strategy on its own parse of the page (p15 and p44 of QĐ 1074 carry figures)."""
    settings = PdfSettings()
    path = realdoc(name)
    for index in pages:
        assert _grids_from_pdfium(path, index, settings) == _grids_from_pdfplumber(path, index, settings), index + 1


# --- shapes that are not tables, a turned page, settings -------------------------------------


def test_boxed_and_highlighted_paragraphs_are_not_tables(tmp_path):
    _fonts()
    path = tmp_path / "boxes.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont(FONT, 11)
    c.rect(66, 600, 470, 70)  # a stroked box around a paragraph
    c.setFillColorRGB(1, 1, 0)
    for n in range(4):  # a highlight drawn as stacked filled boxes per line, like QĐ 1696 pp1-2, ...
        c.rect(66, 520 - 16 * n, 235, 16, stroke=0, fill=1)
        c.rect(301, 520 - 16 * n, 235, 16, stroke=0, fill=1)  # ... here in two halves: a 2 x 4 "grid" of fills
    c.setFillColorRGB(0, 0, 0)
    for n in range(20):
        c.drawString(72, 760 - 16 * n, f"Dòng {n:02d}: triển khai nhiệm vụ chuyển đổi số trong giáo dục và đào tạo.")
    c.save()
    loaded = load(path)
    assert "\t" not in loaded.text and loaded.page_info[0]["tables"] == 0
    assert len(loaded.text.split("\n")) == 20


def test_table_on_a_page_turned_by_rotate(tmp_path):
    """A landscape appendix drawn sideways on a portrait page and shown upright by /Rotate 90."""
    _fonts()
    drawn, turned = tmp_path / "drawn.pdf", tmp_path / "turned.pdf"
    width, _ = A4
    c = canvas.Canvas(str(drawn), pagesize=A4)
    c.translate(width, 0)
    c.rotate(90)
    c.setFont(FONT, 11)
    c.drawString(72, 500, "PHỤ LỤC: Danh sách đơn vị")
    rows = [("TT", "Tên đơn vị", "Thời hạn"), ("1", "Sở Công Thương", "Quý II/2026"), ("2", "Sở Xây dựng", "Hằng năm")]
    xs, top, height = [72, 120, 400, 560], 480, 24
    for r, row in enumerate(rows):
        for k, cell in enumerate(row):
            c.drawString(xs[k] + 4, top - height * r - 16, cell)
    for r in range(len(rows) + 1):
        c.line(xs[0], top - height * r, xs[-1], top - height * r)
    for x in xs:
        c.line(x, top, x, top - height * len(rows))
    c.drawString(72, 380, "Nơi nhận: như trên")
    c.save()
    doc = pdfium.PdfDocument(str(drawn))
    doc[0].set_rotation(90)
    doc.save(str(turned))
    doc.close()
    assert load(turned).text.split("\n") == [
        "PHỤ LỤC: Danh sách đơn vị", "TT\tTên đơn vị\tThời hạn", "1\tSở Công Thương\tQuý II/2026",
        "2\tSở Xây dựng\tHằng năm", "Nơi nhận: như trên",
    ]


def test_tables_can_be_switched_off():
    loaded = load_pdf(realdoc(DECISION_1696), PdfSettings(read_tables=False))
    assert "\t" not in loaded.text and [p["tables"] for p in loaded.page_info] == [0, 0, 0]


@pytest.mark.parametrize("bad", [
    {"table_snap_tolerance": -1}, {"ruling_max_thickness": -0.5}, {"table_min_rules": 0}, {"table_min_columns": 0},
])
def test_table_settings_are_checked(bad):
    with pytest.raises(ValueError):
        PdfSettings(**bad)


# --- the text side: rows across page breaks, two-level headers --------------------------------


@pytest.mark.parametrize("continuation, joined", [
    ("\tkhông nhỏ hơn 700 mm.", True),                        # a lower-case cell after an unfinished one
    ("(3) Lối ra ngoài nhà\t", True),                         # the next item of the list above
    ("(5) Lối ra ngoài nhà\t", False),                        # not the next item
    ("Trường hợp khác\tÁp dụng cho nhà cao tầng.", False),    # a new row
])
def test_row_cut_by_a_page_break(continuation, joined):
    page_1 = "\n".join(["Giải pháp\tGhi chú",
                        "Bảo đảm các điều kiện sau: (1) Báo cháy; (2) Chiếu sáng sự cố;\tBề rộng không nhỏ hơn 70 % và"])
    page_2 = "\n".join(["Giải pháp\tGhi chú", continuation])  # the header row repeated, then the rest
    [table] = find_delimited_tables(f"{page_1}\n{page_2}", [], lambda at: 1 if at <= len(page_1) else 2)
    assert len(table.rows) == (1 if joined else 2)
    assert table.page_end == 2


def test_lower_case_row_on_the_same_page_of_a_table_without_numbers_stays():
    """Without a number column, only a page break makes a lower-case row a continuation."""
    text = "Giải pháp\tGhi chú\nBảo đảm các điều kiện sau\t\nvà các điều kiện khác\tKhông áp dụng."
    [table] = find_delimited_tables(text, [], lambda at: 1)
    assert len(table.rows) == 2


def test_two_level_header_is_repeated_on_the_next_page_and_read_once():
    text = "\n".join([
        "STT\tNội dung\tDANH MỤC TTHC\t\tGhi chú",
        "\t\tTên TTHC\tMã TTHC",
        "I.\tLĩnh vực hóa chất",
        "1\tCấp giấy phép\tCấp Giấy chứng nhận\t2.000001",
        "STT\tNội dung\tDANH MỤC TTHC\t\tGhi chú",
        "\t\tTên TTHC\tMã TTHC",
        "\t\tCấp lại Giấy chứng nhận\t2.000002",
    ])
    [table] = find_delimited_tables(text, [], lambda at: None)
    assert [c.name for c in table.columns] == ["STT", "Nội dung", "DANH MỤC TTHC / Tên TTHC", "DANH MỤC TTHC / Mã TTHC", "Ghi chú"]
    assert [(r.cells, r.group) for r in table.rows] == [
        (["1", "Cấp giấy phép", "Cấp Giấy chứng nhận", "2.000001", ""], "I. Lĩnh vực hóa chất"),
        (["", "", "Cấp lại Giấy chứng nhận", "2.000002", ""], "I. Lĩnh vực hóa chất"),
    ]


def test_a_data_row_is_no_sub_header():
    text = "TT\tNội dung\tĐơn vị\n1\tRà soát\tSở Công Thương\n2\tKiểm tra\tThanh tra tỉnh"
    [table] = find_delimited_tables(text, [], lambda at: None)
    assert [c.name for c in table.columns] == ["TT", "Nội dung", "Đơn vị"] and len(table.rows) == 2


def test_a_row_with_only_its_first_cell_stays_a_row():
    assert whitespace("A.1 Nhà/khoang cháy không bảo đảm\t") == "A.1 Nhà/khoang cháy không bảo đảm\t"
    assert whitespace("\t\t") == ""


def test_running_header_and_page_number_between_table_pages_go():
    """The last page of a table: running header, page number, one row (a short page)."""
    pages = [
        ["Kế hoạch số 12", "1", "PHỤ LỤC", "TT\tNhiệm vụ\tĐơn vị", "1\tSố hóa hồ sơ\tPhòng GDĐT",
         "2\tKiểm tra\tThanh tra", "3\tRà soát\tSở Nội vụ"],
        ["Kế hoạch số 12", "2", "TT\tNhiệm vụ\tĐơn vị", "4\tTập huấn\tPhòng GDĐT", "5\tBáo cáo\tPhòng GDĐT",
         "6\tTổng kết\tPhòng GDĐT"],
        ["Kế hoạch số 12", "3", "TT\tNhiệm vụ\tĐơn vị", "7\tĐánh giá\tPhòng GDĐT"],
    ]
    loaded = LoadedText(path="<pdf>", format="pdf", text="\f".join("\n".join(p) for p in pages))
    norm = normalize(loaded)
    [table] = find_delimited_tables(norm.text, [], norm.page_at)
    assert [r.cells[0] for r in table.rows] == [str(n) for n in range(1, 8)]
    assert (table.page_start, table.page_end) == (1, 3)

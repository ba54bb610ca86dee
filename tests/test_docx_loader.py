"""DOCX (and .doc) loader: generated plans, XML edge cases, real documents, errors."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from pipeline.load import doc as doc_loader
from pipeline.load import load
from pipeline.load.base import LoadError
from pipeline.load.docx import Numbering, Styles, load_docx
from tests.conftest import realdoc, require_tool
from tests.make_docx import make_plan_docx

UBND_CT11 = "laocai-ubnd_KH-draft-nonumber-KH-UBND-CT11_2026-05-13.docx"
SCT_PLANS = {  # file -> month typed in its date line
    "laocai-sct_KH-2242-KH-SCT_2026-04-23.docx": 4,
    "laocai-sct_KH-3024-KH-SCT_2026-05-27.docx": 5,
    "laocai-sct_KH-3898-KH-SCT_2026-06-30.docx": 6,
}
ROMAN_HEADING = re.compile(r"^(I|II|III|IV|V|VI|VII|VIII|IX|X)\. ")

PLAN_LINES = [
    "ỦY BAN NHÂN DÂN",
    "XÃ TÂN KỲ",
    "Số: /KH-UBND",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Tân Kỳ, ngày tháng 03 năm 2026",
    "## KẾ HOẠCH",
    "**Triển khai chuyển đổi số**",
    "",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "1. Mục đích",
    "- Nâng cao chất lượng",
    "2. Yêu cầu",
    "a) Đúng tiến độ",
    "b) Đúng thành phần",
    "II. NHIỆM VỤ",
    "1. Hạ tầng số",
    "3. Dữ liệu",  # skips 2: Word's counters cannot draw it, so it stays typed
    "TT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian",
    "1\t<b>Xây dựng kho dữ liệu</b>\tPhòng Văn hóa - Xã hội\tQuý II/2026",
    "2\tĐào tạo kỹ năng số\tTrường THCS\tThường xuyên",
    "III. TỔ CHỨC THỰC HIỆN",
]
HEADER_LINES = PLAN_LINES[:6]
# what the loader gives after the header: markup gone, one line per paragraph or row
BODY_LINES = [
    "KẾ HOẠCH",
    "Triển khai chuyển đổi số",
    "",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "1. Mục đích",
    "- Nâng cao chất lượng",
    "2. Yêu cầu",
    "a) Đúng tiến độ",
    "b) Đúng thành phần",
    "II. NHIỆM VỤ",
    "1. Hạ tầng số",
    "3. Dữ liệu",
    "TT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian",
    "1\tXây dựng kho dữ liệu\tPhòng Văn hóa - Xã hội\tQuý II/2026",
    "2\tĐào tạo kỹ năng số\tTrường THCS\tThường xuyên",
    "III. TỔ CHỨC THỰC HIỆN",
]


def lines_of(loaded) -> list[str]:
    return loaded.text.split("\n")


def squeeze(line: str) -> str:
    return " ".join(line.split())


def block_lines(loaded, needle: str) -> list[str]:
    """All lines that map to the same body block as the line starting with `needle`."""
    offset = next(m.start() for m in re.finditer(rf"(?m)^{re.escape(needle)}", loaded.text))
    block = loaded.paragraphs.at(offset)
    out, position = [], 0
    for line in lines_of(loaded):
        if loaded.paragraphs.at(position) == block:
            out.append(line)
        position += len(line) + 1
    return out


# ---------------------------------------------------------------- generated plans


@pytest.fixture
def plan(tmp_path):
    return load_docx(make_plan_docx(tmp_path / "plan.docx", PLAN_LINES))


def test_header_layout_table_comes_out_as_plain_lines_left_column_first(plan):
    assert lines_of(plan)[:6] == HEADER_LINES
    assert "\t" not in "\n".join(lines_of(plan)[:6])


def test_body_keeps_paragraph_order_and_empty_lines_and_table_rows(plan):
    assert lines_of(plan)[6:] == BODY_LINES
    assert plan.format == "docx"
    assert plan.warnings == []


def test_paragraph_map_points_at_body_blocks(plan):
    # block 0 is the header table; paragraphs follow; the data table is one block
    assert block_lines(plan, "ỦY BAN") == HEADER_LINES
    assert plan.paragraphs.at(plan.text.index("KẾ HOẠCH")) == 1
    assert plan.paragraphs.at(plan.text.index("II. NHIỆM VỤ")) == 1 + BODY_LINES.index("II. NHIỆM VỤ")
    rows = block_lines(plan, "TT\t")
    assert [row.split("\t")[0] for row in rows] == ["TT", "1", "2"]
    assert plan.paragraphs.at(plan.text.index("III. TỔ CHỨC")) == plan.paragraphs.at(plan.text.index("TT\t")) + 1


def test_auto_numbered_headings_get_their_numbers_back(tmp_path):
    path = make_plan_docx(tmp_path / "numbered.docx", PLAN_LINES, auto_numbered_headings=True)
    stored = [p.text for p in docx.Document(str(path)).paragraphs]
    assert "MỤC ĐÍCH, YÊU CẦU" in stored and "I. MỤC ĐÍCH, YÊU CẦU" not in stored
    assert "Đúng tiến độ" in stored and "Nâng cao chất lượng" in stored
    assert "3. Dữ liệu" in stored  # not reproducible by Word's counters: typed

    loaded = load_docx(path)
    assert lines_of(loaded) == HEADER_LINES + BODY_LINES


def test_without_header_layout_every_line_is_a_paragraph(tmp_path):
    loaded = load_docx(make_plan_docx(tmp_path / "flat.docx", PLAN_LINES[:8], header_layout=False))
    assert lines_of(loaded) == [*HEADER_LINES, "KẾ HOẠCH", "Triển khai chuyển đổi số"]
    assert loaded.paragraphs.values == tuple(range(8))


def test_extra_table_rows_are_appended_as_a_ruled_table(tmp_path):
    path = make_plan_docx(tmp_path / "t.docx", ["KẾ HOẠCH"], table_rows=[["TT", "Chỉ tiêu"], ["1", "80%"]])
    assert lines_of(load_docx(path)) == ["KẾ HOẠCH", "TT\tChỉ tiêu", "1\t80%"]


# ---------------------------------------------------------------- body XML edge cases


def docx_with_body(tmp_path, *fragments: str, numbering: str | None = None) -> Path:
    """A DOCX whose body is the given w:p / w:tbl / w:sdt XML fragments."""
    document = docx.Document()
    body = document.element.body
    for fragment in fragments:
        body.append(parse_xml(_ns(fragment)))
    body.append(body.sectPr)  # sectPr must stay last
    if numbering is not None:
        numbering_el = document.part.numbering_part.element
        for child in list(numbering_el):
            numbering_el.remove(child)
        for child in parse_xml(f"<w:numbering {nsdecls('w')}>{numbering}</w:numbering>"):
            numbering_el.append(child)
    path = tmp_path / "body.docx"
    document.save(str(path))
    return path


def _ns(fragment: str) -> str:
    """Declare the w: namespace on the fragment's root element."""
    return re.sub(r"^<(w:\w+)", lambda m: f"<{m.group(1)} {nsdecls('w')}", fragment.strip(), count=1)


def run(text: str, rpr: str = "") -> str:
    return f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>'


def para(*runs: str, ppr: str = "") -> str:
    return f"<w:p>{ppr}{''.join(runs)}</w:p>"


def numbered(num_id: int, ilvl: int, text: str) -> str:
    return para(run(text), ppr=f'<w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr></w:pPr>')


def test_breaks_tabs_hidden_deleted_inserted_and_content_controls(tmp_path):
    path = docx_with_body(
        tmp_path,
        para(run("ỦY BAN NHÂN DÂN"), "<w:r><w:br/></w:r>", run("TỈNH LÀO CAI")),
        para("<w:r><w:tab/></w:r>", run("I."), "<w:r><w:tab/><w:tab/></w:r>", run("MỤC ĐÍCH")),
        para(run("Kế hoạch"), run(" ẩn", "<w:rPr><w:vanish/></w:rPr>"),
             '<w:del w:id="1" w:author="a"><w:r><w:delText> đã xóa</w:delText></w:r></w:del>',
             '<w:ins w:id="2" w:author="a">' + run(" năm 2026") + "</w:ins>"),
        "<w:sdt><w:sdtPr/><w:sdtContent>" + para(run("Trong điều khiển nội dung")) + "</w:sdtContent></w:sdt>",
        para(run("Dấu"), '<w:r><w:sym w:font="Wingdings" w:char="F0FE"/></w:r>'),
    )
    loaded = load_docx(path)
    assert lines_of(loaded) == [
        "ỦY BAN NHÂN DÂN", "TỈNH LÀO CAI",
        "I. MỤC ĐÍCH",  # tabs are spacing, not cells: only table rows carry "\t"
        "Kế hoạch năm 2026",
        "Trong điều khiển nội dung",
        "Dấu\uf0fe",
    ]
    assert loaded.paragraphs.values == (0, 1, 2, 3, 4)


def cell(text: str, tcpr: str = "") -> str:
    return f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{para(run(text)) if text else '<w:p/>'}</w:tc>"


def table(rows: list[list[str]], columns: int, borders: str = "single", style: str = "") -> str:
    edges = "".join(f'<w:{e} w:val="{borders}"/>' for e in ("top", "left", "bottom", "right", "insideH", "insideV"))
    grid = "".join("<w:gridCol/>" for _ in range(columns))
    body = "".join(f"<w:tr>{''.join(r)}</w:tr>" for r in rows)
    properties = f"<w:tblPr>{style}<w:tblBorders>{edges}</w:tblBorders></w:tblPr>"
    return f"<w:tbl>{properties}<w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>"


def test_merged_cells_appear_once_and_vertical_continuations_are_empty(tmp_path):
    rows = [
        [cell("TT"), cell("Nhiệm vụ"), cell("Đơn vị"), cell("Thời gian")],
        [cell("I", '<w:gridSpan w:val="4"/>')],
        [cell("1"), cell("Rà soát", '<w:vMerge w:val="restart"/>'), cell("Sở Công Thương"), cell("2026")],
        [cell("2"), cell("", "<w:vMerge/>"), cell("Sở Xây dựng"), cell("2027")],
        [cell("3"), "<w:tc><w:tcPr/>" + para(run("Sở A")) + para(run("Sở B")) + "</w:tc>", cell("x"), cell("y")],
    ]
    loaded = load_docx(docx_with_body(tmp_path, table(rows, 4)))
    assert lines_of(loaded) == [
        "TT\tNhiệm vụ\tĐơn vị\tThời gian",
        "I\t\t\t",  # spans 4 grid columns: text once, still 4 cells
        "1\tRà soát\tSở Công Thương\t2026",
        "2\t\tSở Xây dựng\t2027",
        "3\tSở A Sở B\tx\ty",
    ]


@pytest.mark.parametrize(
    "borders, rows, expected",
    [
        # borderless, small: a layout table, read column by column
        ("none", [["ỦY BAN", "CỘNG HÒA"], ["Số: 12/KH", "Hà Nội, ngày 1"]],
         ["ỦY BAN", "Số: 12/KH", "CỘNG HÒA", "Hà Nội, ngày 1"]),
        # ruled: a data table, even when small
        ("single", [["TT", "Nội dung"], ["1", "Rà soát"]], ["TT\tNội dung", "1\tRà soát"]),
        # white lines are invisible
        ("single' w:color='FFFFFF", [["A", "B"]], ["A", "B"]),
        # ruled but holding "Nơi nhận": still the signature block
        ("single", [["Nơi nhận:", "KT. CHỦ TỊCH"]], ["Nơi nhận:", "KT. CHỦ TỊCH"]),
        # borderless but too long for a header: data
        ("none", [[str(i), "x"] for i in range(7)], [f"{i}\tx" for i in range(7)]),
    ],
)
def test_layout_tables_are_told_from_data_tables(tmp_path, borders, rows, expected):
    borders = borders.replace("'", '"')
    xml = table([[cell(text) for text in row] for row in rows], len(rows[0]), borders=borders)
    assert lines_of(load_docx(docx_with_body(tmp_path, xml))) == expected


def test_table_borders_from_the_table_style_count(tmp_path):
    # "Table Grid" in python-docx's template draws all lines; no direct borders here
    xml = table([[cell("TT"), cell("Nội dung")]], 2, style='<w:tblStyle w:val="TableGrid"/>')
    xml = xml.replace(re.search(r"<w:tblBorders>.*</w:tblBorders>", xml).group(0), "")
    assert lines_of(load_docx(docx_with_body(tmp_path, xml))) == ["TT\tNội dung"]


# ---------------------------------------------------------------- list numbering

MULTILEVEL = """
<w:abstractNum w:abstractNumId="0">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2.%3."/></w:lvl>
  <w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%4)"/></w:lvl>
  <w:lvl w:ilvl="4"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="\uf0b7"/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="1">
  <w:lvl w:ilvl="0"><w:start w:val="3"/><w:numFmt w:val="decimalZero"/><w:lvlText w:val="Điều %1:"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerRoman"/><w:lvlText w:val="%1.%2"/><w:isLgl/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="0"/>
  <w:lvlOverride w:ilvl="1"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
<w:num w:numId="4"><w:abstractNumId w:val="1"/></w:num>
"""

NUMBERING_CASES = [
    # (numId, ilvl) in document order -> label Word draws
    ("levels and restarts", [(1, 0), (1, 1), (1, 1), (1, 2), (1, 2), (1, 1), (1, 3), (1, 3), (1, 0), (1, 1)],
     ["I.", "1.", "2.", "2.1.", "2.2.", "3.", "a)", "b)", "II.", "1."]),
    ("bullets are dashes", [(1, 4), (1, 4)], ["-", "-"]),
    ("another num of the same list continues it", [(1, 1), (2, 1), (1, 1)], ["1.", "2.", "3."]),
    ("startOverride restarts on first use only", [(1, 1), (1, 1), (3, 1), (3, 1)], ["1.", "2.", "1.", "2."]),
    ("start value, zero-padded, legal numbering", [(4, 0), (4, 1), (4, 0)], ["Điều 03:", "3.1", "Điều 04:"]),
    ("unknown numId draws nothing", [(9, 0)], [""]),
    ("numId 0 switches numbering off", [(0, 0)], [""]),
]


@pytest.mark.parametrize("name, references, labels", NUMBERING_CASES, ids=[c[0] for c in NUMBERING_CASES])
def test_numbering_labels(name, references, labels):
    numbering = Numbering(parse_xml(f"<w:numbering {nsdecls('w')}>{MULTILEVEL}</w:numbering>"),
                          Styles(docx.Document().styles.element))
    paragraphs = [parse_xml(_ns(numbered(num_id, ilvl, "x"))) for num_id, ilvl in references]
    assert [numbering.label(p) for p in paragraphs] == labels


def test_numbering_inherited_from_the_paragraph_style(tmp_path):
    document = docx.Document()  # its "List Number" style carries numId 5 (decimal "%1.")
    for text in ("Một", "Hai"):
        document.add_paragraph(text, style="List Number")
    document.add_paragraph("Ba", style="Normal")
    path = tmp_path / "styled.docx"
    document.save(str(path))
    assert lines_of(load_docx(path)) == ["1. Một", "2. Hai", "Ba"]


def test_numbering_in_table_cells_and_body_share_counters(tmp_path):
    numbering = '<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/>' \
                '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>' \
                '<w:num w:numId="7"><w:abstractNumId w:val="0"/></w:num>'
    tc = "<w:tc><w:tcPr/>" + numbered(7, 0, "") + "</w:tc>"
    rows = [[cell("TT"), cell("Việc")], [tc, cell("Rà soát")], [tc, cell("Kiểm tra")]]
    path = docx_with_body(tmp_path, numbered(7, 0, "Mở đầu"), table(rows, 2), numbering=numbering)
    assert lines_of(load_docx(path)) == ["1. Mở đầu", "TT\tViệc", "2.\tRà soát", "3.\tKiểm tra"]


# ---------------------------------------------------------------- real documents


@pytest.fixture(scope="module")
def ct11():
    return load_docx(realdoc(UBND_CT11))


def test_ct11_header_lines(ct11):
    # the issuing body is one paragraph wrapped with spaces, not two
    assert [squeeze(line) for line in lines_of(ct11)[:5]] == [
        "ỦY BAN NHÂN DÂN TỈNH LÀO CAI",
        "Số: /KH-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Lào Cai, ngày tháng năm 2026",
    ]
    assert block_lines(ct11, "CỘNG HÒA") == lines_of(ct11)[:5]


def test_ct11_sections_start_lines_with_their_numbers(ct11):
    headings = [line.rstrip() for line in lines_of(ct11) if ROMAN_HEADING.match(line)]
    assert headings == [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. NHIỆM VỤ, GIẢI PHÁP",
        "III. KINH PHÍ THỰC HIỆN",
        "IV. TỔ CHỨC THỰC HIỆN",
        "V. CHẾ ĐỘ BÁO CÁO",
    ]
    lines = lines_of(ct11)
    section_iv = lines[lines.index("IV. TỔ CHỨC THỰC HIỆN  "):lines.index("V. CHẾ ĐỘ BÁO CÁO")]
    units = [line for line in section_iv if re.match(r"\d+\. ", line)]
    assert [int(line.split(".")[0]) for line in units] == list(range(1, 13))
    assert units[1] == "2. Sở Nông nghiệp và Môi trường" and units[2] == "3. Sở Công Thương"


def test_ct11_signature_block_is_plain_lines(ct11):
    lines = block_lines(ct11, "Nơi nhận:")
    assert lines[0] == "Nơi nhận:" and lines[1] == "- Bộ Nông nghiệp và Môi trường (để báo cáo);"
    assert lines[-4:] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Thành Sinh"]
    assert not any("\t" in line for line in lines)


def test_ct11_appendix_table_is_16_rows_of_6_cells(ct11):
    rows = [line.split("\t") for line in block_lines(ct11, "TT\tTên nhiệm vụ")]
    assert len(rows) == 16 and {len(row) for row in rows} == {6}
    assert rows[0] == ["TT", "Tên nhiệm vụ", "Sở, ngành chủ trì tham mưu", "Đơn vị phối hợp thực hiện",
                       "Thời gian thực hiện", "Ghi chú"]
    assert rows[1] == ["", "(1)", "(2)", "(3)", "(4)", "(5)"]
    assert [row[0] for row in rows[2:]] == [str(n) for n in range(1, 15)]
    assert rows[2][4] == "Xong trong Quý II/2026" and rows[3][4] == "Xong trong tháng 5/2026"
    assert rows[2][2] == "Các Sở, ban, ngành; UBND các xã, phường"


def test_ct11_footnote_marker_and_line(ct11):
    assert ct11.text.count("¹") == 2
    marker = ct11.text.index("khoáng sản¹ đến cán bộ")
    note = ct11.text.index("\n¹ Đặc biệt: Luật Địa chất và khoáng sản ngày 29/11/2024;")
    assert marker < note
    # the note follows the paragraph that cites it, before the next paragraph
    assert ct11.text.index("- Thực hiện đa dạng hóa") > note
    assert ct11.paragraphs.at(note + 1) == ct11.paragraphs.at(marker)


def test_ct11_has_no_stray_tabs_outside_tables(ct11):
    table = set(block_lines(ct11, "TT\tTên nhiệm vụ"))
    assert [line for line in lines_of(ct11) if "\t" in line and line not in table] == []


@pytest.mark.parametrize("name, month", sorted(SCT_PLANS.items()))
def test_sct_plans(name, month):
    loaded = load_docx(realdoc(name))
    lines = lines_of(loaded)
    assert [squeeze(line) for line in lines[:6]] == [
        "UBND TỈNH LÀO CAI",
        "SỞ CÔNG THƯƠNG",
        "Số: /KH-SCT",
        "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        f"Lào Cai, ngày tháng {month} năm 2026",
    ]
    assert lines[6] == "KẾ HOẠCH"
    assert [line for line in lines if ROMAN_HEADING.match(line)] == [
        "I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG", "III. TỔ CHỨC THỰC HIỆN",
    ]
    signature = block_lines(loaded, "Nơi nhận:")
    assert signature[:2] == ["Nơi nhận:", "- Ban Giám đốc Sở;"]
    assert signature[-3:] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Hoàng Văn Thuân"]


@pytest.mark.parametrize("name", sorted(SCT_PLANS))
def test_sct_assignment_table_gets_its_auto_numbered_tt_column(name):
    rows = [line.split("\t") for line in block_lines(load_docx(realdoc(name)), "TT\tNhiệm vụ thực hiện")]
    assert len(rows) == 10 and {len(row) for row in rows} == {4}
    assert rows[0] == ["TT", "Nhiệm vụ thực hiện", "Người thực hiện", "Ghi chú"]
    assert [row[0] for row in rows[1:]] == [f"{n}." for n in range(1, 10)]
    assert rows[1][1] == "Rà soát việc đáp ứng các điều kiện của học viên"


def test_kh2242_people_in_one_cell_are_joined_on_one_line():
    loaded = load_docx(realdoc("laocai-sct_KH-2242-KH-SCT_2026-04-23.docx"))
    rows = [row.split("\t") for row in block_lines(loaded, "TT\tNhiệm vụ thực hiện")]
    # one paragraph per person in the cell; a row stays on one line
    assert rows[1][2] == "Đỗ Mạnh Cường Vũ Việt Linh Nguyễn Thị Loan" and rows[1][3] == ""


# ---------------------------------------------------------------- errors


def test_zip_without_document_xml(tmp_path):
    path = tmp_path / "empty.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(LoadError) as info:
        load_docx(path)
    assert str(info.value) == f"{path}: corrupt DOCX: missing word/document.xml"


def test_broken_document_xml(tmp_path):
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(make_plan_docx(tmp_path / "ok.docx", ["KẾ HOẠCH"])) as source, \
            zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data[:200] if item.filename == "word/document.xml" else data)
    with pytest.raises(LoadError) as info:
        load_docx(path)
    assert info.value.reason.startswith("corrupt DOCX: ") and "\n" not in info.value.reason


def test_random_bytes(tmp_path):
    path = tmp_path / "random.docx"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(LoadError) as info:
        load_docx(path)
    assert info.value.reason == "corrupt DOCX: not a ZIP archive"


@pytest.mark.parametrize(
    "stream, reason",
    [
        ("EncryptionInfo", "password-protected"),
        ("WordDocument", "Word 97-2003 document named .docx"),
        ("Workbook", "an OLE2 (Office 97-2003) container"),
    ],
)
def test_ole2_container(tmp_path, stream, reason):
    path = tmp_path / "office.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + stream.encode("utf-16-le") + bytes(64))
    with pytest.raises(LoadError) as info:
        load_docx(path)
    assert info.value.reason.startswith("encrypted or legacy Office file: ")
    assert reason in info.value.reason and "\n" not in str(info.value)


# ---------------------------------------------------------------- .doc through LibreOffice


def test_doc_without_libreoffice_says_how_to_fix_it(tmp_path, monkeypatch):
    monkeypatch.setattr(doc_loader.shutil, "which", lambda name: None)
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    with pytest.raises(LoadError) as info:
        doc_loader.load_doc(path)
    assert info.value.reason == doc_loader.MISSING_TOOL
    assert "libreoffice-writer-nogui" in info.value.reason


def test_doc_that_is_really_a_docx_is_read_directly(tmp_path, monkeypatch):
    monkeypatch.setattr(doc_loader.shutil, "which", lambda name: None)
    path = make_plan_docx(tmp_path / "plan.docx", ["KẾ HOẠCH", "I. MỤC ĐÍCH"]).rename(tmp_path / "plan.doc")
    loaded = doc_loader.load_doc(path)
    assert lines_of(loaded) == ["KẾ HOẠCH", "I. MỤC ĐÍCH"]
    assert loaded.warnings == ["file named .doc is a .docx; read directly"]


def test_docx_and_doc_are_registered(tmp_path):
    from pipeline.load import supported_suffixes

    assert {".doc", ".docx"} <= set(supported_suffixes())
    loaded = load(make_plan_docx(tmp_path / "plan.docx", ["KẾ HOẠCH"]))
    assert loaded.format == "docx" and loaded.text == "KẾ HOẠCH"


def test_real_doc_converted_with_libreoffice():
    require_tool("soffice")
    loaded = doc_loader.load_doc(realdoc("laocai-sct_CV-draft-nonumber-SCT-CN-TB-tham-dinh_2025-12-31.doc"))
    assert loaded.format == "docx" and loaded.warnings[0] == doc_loader.CONVERTED_WARNING
    assert loaded.path.endswith(".doc")
    assert "Nơi nhận:" in lines_of(loaded)
    assert any(line.count("\t") >= 2 for line in lines_of(loaded))  # the appendix tables


def fake_soffice(tmp_path, monkeypatch, script: str) -> None:
    """Put a stand-in `soffice` first on PATH; `script` is its shell body."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    tool = bindir / "soffice"
    tool.write_text("#!/bin/sh\n" + script)
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")


def test_doc_conversion_runs_soffice_headless_into_a_private_profile(tmp_path, monkeypatch):
    docx_out = make_plan_docx(tmp_path / "converted.docx", ["KẾ HOẠCH", "I. MỤC ĐÍCH"])
    log = tmp_path / "args.txt"
    fake_soffice(tmp_path, monkeypatch, f"""
echo "HOME=$HOME" > {log}; echo "$@" >> {log}
prev=""; for a in "$@"; do [ "$prev" = "--outdir" ] && outdir="$a"; prev="$a"; done
mkdir -p "$outdir"; cp {docx_out} "$outdir/$(basename "$prev" .doc).docx"
""")
    source = tmp_path / "-odd name.doc"
    source.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    loaded = doc_loader.load_doc(source)
    assert lines_of(loaded) == ["KẾ HOẠCH", "I. MỤC ĐÍCH"]
    assert loaded.path == str(source) and loaded.warnings == [doc_loader.CONVERTED_WARNING]
    home, args = log.read_text().splitlines()
    assert home.startswith("HOME=/") and home != f"HOME={os.environ.get('HOME')}"
    assert args.startswith("--headless") and "--convert-to docx" in args and "-env:UserInstallation=file://" in args
    assert args.endswith("/input.doc")


def test_doc_conversion_failure_reports_libreoffice_last_line(tmp_path, monkeypatch):
    fake_soffice(tmp_path, monkeypatch, 'echo "Error: source file could not be loaded" >&2; exit 1\n')
    source = tmp_path / "bad.doc"
    source.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    with pytest.raises(LoadError) as info:
        doc_loader.load_doc(source)
    assert info.value.reason == "LibreOffice could not convert the .doc: Error: source file could not be loaded"


def test_doc_conversion_times_out(tmp_path, monkeypatch):
    fake_soffice(tmp_path, monkeypatch, "sleep 30 & wait\n")  # a child keeps the pipe open
    monkeypatch.setattr(doc_loader, "CONVERT_TIMEOUT_S", 0.5)
    source = tmp_path / "slow.doc"
    source.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    with pytest.raises(LoadError, match="did not convert the .doc within 0.5 s"):
        doc_loader.load_doc(source)


@pytest.mark.parametrize(
    "name, table_shapes",
    [
        ("laocai-sct_CV-draft-nonumber-SCT-CN-TB-tham-dinh_2025-12-31.doc", [(23, 8), (14, 3), (11, 5)]),
        ("bct_TT-15-2026-TT-BCT_2026-03-25.doc", [(9, 3), (26, 10)]),
    ],
)
def test_real_doc_tables_after_conversion(name, table_shapes):
    require_tool("soffice")
    loaded = doc_loader.load_doc(realdoc(name))
    shapes, position = {}, 0
    for line in lines_of(loaded):
        if "\t" in line:
            shapes.setdefault(loaded.paragraphs.at(position), []).append(line.count("\t") + 1)
        position += len(line) + 1
    assert [(len(cells), cells[0]) for cells in shapes.values()] == table_shapes
    assert all(len(set(cells)) == 1 for cells in shapes.values())  # every row has every grid column

"""Appendix tables kept as tab-separated rows (text files, DOCX): typed columns, groups, rows.
Expected values read off seed 000 and the real DOCX plans."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.extract import extract_document
from pipeline.tables.header import classify_header, lexicon, table_kind
from tests.conftest import SEEDS, realdoc
from tests.make_docx import make_plan_docx


@pytest.mark.parametrize("header, role", list(lexicon()["examples"].items()))
def test_header_lexicon_examples(header, role):
    assert classify_header(header).role == role


@pytest.mark.parametrize("header, year", [("Năm 2025", 2025), ("Đến năm 2030", 2030), ("Đến 2045", 2045), ("Chỉ tiêu năm 2026", 2026)])
def test_target_years(header, year):
    column = classify_header(header)
    assert (column.role, column.year) == ("target", year)


def test_group_rows_roman_or_letter_and_broken_rows():
    from pipeline.tables.delimited import find_delimited_tables

    text = ("TT\tNội dung nhiệm vụ\tĐơn vị chủ trì\tThời gian thực hiện\n"
            "A\tNHIỆM VỤ CHUNG\n"
            "1\tRà soát quy hoạch khoáng sản\tSở Nông nghiệp và Môi trường\tQuý II/2026\n"
            "\tvà công bố kết quả\n"
            "XIV\tNHIỆM VỤ RIÊNG\n"
            "2\tKiểm tra định kỳ\tThanh tra tỉnh\tHằng năm\n"
            "V\tKiểm tra\tThanh tra tỉnh\tHằng năm")  # two filled cells: a row, not a group
    [t] = find_delimited_tables(text, [], lambda offset: None)
    assert [(r.cells, r.group) for r in t.rows] == [
        (["1", "Rà soát quy hoạch khoáng sản và công bố kết quả", "Sở Nông nghiệp và Môi trường", "Quý II/2026"], "A. NHIỆM VỤ CHUNG"),
        (["2", "Kiểm tra định kỳ", "Thanh tra tỉnh", "Hằng năm"], "XIV. NHIỆM VỤ RIÊNG"),
        (["V", "Kiểm tra", "Thanh tra tỉnh", "Hằng năm"], "XIV. NHIỆM VỤ RIÊNG"),
    ]


def test_unknown_header_is_other():
    assert classify_header("Hình ảnh minh họa").role == "other"
    assert table_kind([classify_header(h) for h in ("TT", "Hình ảnh minh họa")]) == "other"


@pytest.fixture(scope="module")
def seed_000_tables():
    return extract_document(SEEDS["000"]).tables


def test_seed_000_appendix_1(seed_000_tables):
    t = seed_000_tables[0]
    assert (t.kind, t.caption) == ("indicators", "Các chỉ tiêu theo Nghị quyết số 71/NQ-CP, Nghị quyết số 11/NQ-CP thuộc lĩnh vực giáo dục và đào tạo")
    assert [(c.role, c.year) for c in t.columns] == [("seq", None), ("indicator", None), ("unit_of_measure", None), ("target", 2030), ("target", 2045)]
    assert len(t.rows) == 9
    assert t.rows[0].cells == ["1", "Tỷ lệ sử dụng dịch vụ công trực tuyến trong lĩnh vực giáo dục", "%", "≥ 80", "Duy trì, nâng cao"]
    assert t.rows[8].cells[3:] == ["> 95 (phổ thông); > 90 (mầm non)", "100"]


def test_seed_000_appendix_2(seed_000_tables):
    t = seed_000_tables[1]
    assert t.kind == "indicators"
    assert [c.year for c in t.columns if c.role == "target"] == [2025, 2030, 2035, 2040, 2045]
    assert [c.role for c in t.columns][-2:] == ["lead", "implementer"]
    assert len(t.rows) == 31
    assert [r.cells[0] for r in t.rows] == [str(i) for i in range(1, 32)]
    groups = list(dict.fromkeys(r.group for r in t.rows))
    assert groups == [
        "I. HẠ TẦNG SỐ VÀ AN TOÀN THÔNG TIN", "II. DỮ LIỆU SỐ VÀ NỀN TẢNG SỐ", "III. QUẢN TRỊ SỐ VÀ CẢI CÁCH HÀNH CHÍNH",
        "IV. NĂNG LỰC SỐ VÀ CÔNG DÂN SỐ", "V. GIÁO DỤC STEM, ĐỔI MỚI SÁNG TẠO VÀ TRÍ TUỆ NHÂN TẠO",
        "VI. GIÁM SÁT VÀ ĐÁNH GIÁ CHUYÊN ĐỔI SỐ",
    ]
    assert t.rows[10].cells == [
        "11", "Tỷ lệ người dân thực hiện thủ tục hành chính thuộc lĩnh vực giáo dục và đào tạo trên môi trường số",
        "≥70%", "≥90%", "≥95%", "≥98%", "100%", "Sở Giáo dục và Đào tạo", "Phòng Văn hóa - Xã hội, Trung tâm Phục vụ hành chính công xã",
    ]
    assert t.rows[28].cells[2:4] == ["Thí điểm", "≥50%"]
    assert t.rows[30].cells[6] == "-"


def test_seed_000_appendix_3(seed_000_tables):
    t = seed_000_tables[2]
    assert t.kind == "tasks"
    assert [c.role for c in t.columns] == ["seq", "task", "lead", "support", "deadline"]
    assert len(t.rows) == 23 and len({r.group for r in t.rows}) == 7
    row_22 = t.rows[21]
    assert row_22.cells == [
        "22",
        "Phối hợp, đồng hành với doanh nghiệp công nghệ triển khai các nền tảng số, học liệu số, giải pháp trí tuệ nhân tạo "
        "và các dịch vụ số phục vụ quản trị, dạy học trong ngành Giáo dục (theo quy định)",
        "Sở Giáo dục và Đào tạo và phòng Văn hóa - Xã hội", "Các cơ sở giáo dục", "Thường xuyên",
    ]
    assert row_22.group == "VI. Thúc đẩy mạnh mẽ hoạt động khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số trong doanh nghiệp"
    assert t.rows[6].group.startswith("III. Tăng cường đầu tư, hoàn thiện hạ tầng")  # a group row written without <b>
    assert t.rows[22].cells[4] == "Hàng năm và thường xuyên"


def test_rows_point_into_the_text(seed_000_tables):
    text = extract_document(SEEDS["000"]).text
    for t in seed_000_tables:
        for row in t.rows:
            assert text[row.start : row.end].split("\t")[0].strip() == row.cells[0]


def test_docx_table_gives_the_same_rows(tmp_path, seed_000_tables):
    lines = SEEDS["000"].read_text(encoding="utf-8").splitlines()
    docx_tables = extract_document(make_plan_docx(tmp_path / "000.docx", lines)).tables
    assert [(t.kind, [c.role for c in t.columns]) for t in docx_tables] == [(t.kind, [c.role for c in t.columns]) for t in seed_000_tables]
    for a, b in zip(docx_tables, seed_000_tables):
        assert [(r.cells, r.group) for r in a.rows] == [(r.cells, r.group) for r in b.rows]


def test_real_docx_task_table_chi_thi_11():
    doc = extract_document(realdoc("laocai-ubnd_KH-draft-nonumber-KH-UBND-CT11_2026-05-13.docx"))
    [t] = doc.tables
    assert t.kind == "tasks" and [c.role for c in t.columns] == ["seq", "task", "lead", "support", "deadline", "other"]
    assert [r.cells[0] for r in t.rows] == [str(i) for i in range(1, 15)]  # the "(1)…(5)" row is not a task
    assert t.rows[0].cells[4] == "Xong trong Quý II/2026" and t.rows[1].cells[4] == "Xong trong tháng 5/2026"
    assert t.rows[13].cells[2:5] == ["UBND các xã, phường", t.rows[13].cells[3], "Thường xuyên"]
    assert t.caption == "MỘT SỐ NHIỆM VỤ TRỌNG TÂM CỦA CÁC SỞ, BAN, NGÀNH VÀ ĐỊA PHƯƠNG"


@pytest.mark.parametrize(
    "name, second_task",
    [
        ("laocai-sct_KH-2242-KH-SCT_2026-04-23.docx", "Xây dựng bài kiểm tra, đáp án"),
        ("laocai-sct_KH-3024-KH-SCT_2026-05-27.docx", "Xây dựng bài kiểm tra, đáp án"),
        ("laocai-sct_KH-3898-KH-SCT_2026-06-30.docx", "Xây dựng tài liệu huấn luyện, bài kiểm tra, đáp án"),
    ],
)
def test_real_docx_auto_numbered_tt_column(name, second_task):
    doc = extract_document(realdoc(name))
    [t] = doc.tables
    assert [c.role for c in t.columns] == ["seq", "task", "implementer", "other"]
    assert [r.cells[0] for r in t.rows] == [f"{i}." for i in range(1, 10)]  # from Word numbering, not the cell text
    assert t.rows[1].cells[1] == second_task
    assert t.rows[8].cells[1].startswith("Trình ký")


def test_cli_tables_csv_and_json(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["tables", str(SEEDS["000"]), "--format", "csv", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 3 and all(f.endswith(".csv") for f in files)
    first = (tmp_path / files[0]).read_text(encoding="utf-8").splitlines()
    assert first[0] == "group,TT,Chỉ tiêu,Đơn vị tính,Đến năm 2030,Đến năm 2045,page"
    assert len(first) == 10
    result = runner.invoke(app, ["tables", str(SEEDS["000"]), "--format", "json"])
    assert json.loads(result.stdout.split("\n}\n")[0] + "\n}")["kind"] == "indicators"
    result = runner.invoke(app, ["tables", str(SEEDS["000"])], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    assert "t3 · tasks · PHÂN CÔNG TRIỂN KHAI NHIỆM VỤ" in result.stdout and "TT [seq]" in result.stdout
    assert "Hàng năm và thường xuyên" in result.stdout


def test_docx_tables_give_the_rows_of_the_text(tmp_path, seed_docs):
    """Seed 000 written as a Word document with real tables: the same tables as its text."""
    lines = SEEDS["000"].read_text(encoding="utf-8").splitlines()
    doc = extract_document(make_plan_docx(tmp_path / "000.docx", lines))
    text_tables = seed_docs["000"].tables
    assert [len(t.rows) for t in doc.tables] == [len(t.rows) for t in text_tables] == [9, 31, 23]
    for from_docx, from_text in zip(doc.tables, text_tables):
        assert [(c.role, c.year) for c in from_docx.columns] == [(c.role, c.year) for c in from_text.columns]
        assert [r.cells for r in from_docx.rows] == [r.cells for r in from_text.rows]
        assert [r.group for r in from_docx.rows] == [r.group for r in from_text.rows]


def test_numbered_groups():
    from pipeline.tables.numbering import has_children

    assert has_children(["1", "1.1", "1.2", "2", "3", "3.1"]) == [True, False, False, False, True, False]
    assert has_children(["1", "10", "11"]) == [False, False, False]  # "10" is not a child of "1"


def test_roman_numerals():
    from pipeline.numerals import roman_value, to_roman

    assert [roman_value(n) for n in ("I", "IV", "VII", "IX", "XIV", "xxxix")] == [1, 4, 7, 9, 14, 39]
    assert [to_roman(n) for n in (1, 4, 9, 14, 39)] == ["I", "IV", "IX", "XIV", "XXXIX"]


def test_row_numbers_that_can_follow():
    from pipeline.tables.numbering import follows, seq_tuple

    assert follows(seq_tuple("1.2"), seq_tuple("1.3")) and follows(seq_tuple("1.2"), seq_tuple("2"))
    assert follows(seq_tuple("3"), seq_tuple("3.1"))
    assert not follows(seq_tuple("3"), seq_tuple("5")) and not follows(seq_tuple("1.2"), seq_tuple("1.4"))


@pytest.mark.parametrize("second, rows, group", [
    ("2", ["1", "2"], None),
    ("1.1", ["1.1"], "1. Rà soát dữ liệu học sinh Phòng GDĐT Quý II/2026"),  # "1" above "1.1": its group row
])
def test_table_without_a_header_row_keeps_its_row_1(second, rows, group):
    from pipeline.tables.delimited import find_delimited_tables

    text = (f"1\tRà soát dữ liệu học sinh\tPhòng GDĐT\tQuý II/2026\n"
            f"{second}\tCập nhật hồ sơ số\tCác trường\tHằng năm")
    [t] = find_delimited_tables(text, [], lambda offset: None)
    assert [c.role for c in t.columns] == ["seq", "other", "other", "other"]
    assert [r.cells[0] for r in t.rows] == rows
    assert t.rows[-1].group == group


def test_a_header_row_is_still_a_header():
    from pipeline.tables.delimited import find_delimited_tables

    text = "TT\tNội dung\tĐơn vị chủ trì\n1\tRà soát dữ liệu\tPhòng GDĐT\n2\tCập nhật hồ sơ\tCác trường"
    [t] = find_delimited_tables(text, [], lambda offset: None)
    assert [c.name for c in t.columns] == ["TT", "Nội dung", "Đơn vị chủ trì"]
    assert [r.cells[0] for r in t.rows] == ["1", "2"]

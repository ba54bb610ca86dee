"""Indicators (pipeline/extractors/indicators.py): target cells, indicator tables, prose target
lists under a "Chỉ tiêu/Mục tiêu … năm YYYY" heading, and one indicator stated in both."""

from __future__ import annotations

import re

import pytest

from pipeline.extractors.indicators import MERGE_THRESHOLD, parse_targets, similarity, target_heading_year
from pipeline.extractors.nlp import run_extractors
from pipeline.model import Section, Table, TableColumn, TableRow
from pipeline.rules import load

Q = "qualitative"  # a target stated in words: value None

# (cell, [(op, value, scope)]) — target cells as indicator tables print them; a qualitative target
# is (None, None, scope); the cell's year goes to every target.
TARGET_CELLS = [
    ("≥95%", [(">=", 95, None)]),
    ("≥ 80", [(">=", 80, None)]),
    ("≥80 %", [(">=", 80, None)]),
    (">= 60", [(">=", 60, None)]),
    ("> 90", [(">", 90, None)]),
    ("100%", [(None, 100, None)]),
    ("100", [(None, 100, None)]),
    ("20", [(None, 20, None)]),
    ("95,5%", [(None, 95.5, None)]),
    ("95.5", [(None, 95.5, None)]),
    ("Trên 95%", [(">", 95, None)]),
    ("Từ 95% trở lên", [(">=", 95, None)]),
    ("90% trở lên", [(">=", 90, None)]),
    ("Tối thiểu 25%", [(">=", 25, None)]),
    ("Ít nhất 50%", [(">=", 50, None)]),
    ("Không dưới 70%", [(">=", 70, None)]),
    ("Không thấp hơn 80%", [(">=", 80, None)]),
    ("Đạt 100%", [("=", 100, None)]),
    ("Bằng 100%", [("=", 100, None)]),
    ("Dưới 5%", [("<", 5, None)]),
    ("< 2", [("<", 2, None)]),
    ("Không quá 5%", [("<=", 5, None)]),
    ("Tối đa 10%", [("<=", 10, None)]),
    ("≤ 3%", [("<=", 3, None)]),
    ("Mức 2 trở lên", [(">=", 2, None)]),
    ("Duy trì 100%", [(None, 100, None)]),
    ("100% (duy trì)", [(None, 100, None)]),
    # several targets in one cell, by scope
    ("> 95 (phổ thông); > 90 (mầm non)", [(">", 95, "phổ thông"), (">", 90, "mầm non")]),
    ("≥ 90% (THCS); ≥ 85% (Tiểu học)", [(">=", 90, "THCS"), (">=", 85, "Tiểu học")]),
    ("100% (phổ thông), 95% (mầm non)", [(None, 100, "phổ thông"), (None, 95, "mầm non")]),
    ("> 95% cơ sở giáo dục phổ thông và giáo dục thường xuyên; > 90% cơ sở giáo dục mầm non và cơ quan quản lý giáo dục.",
     [(">", 95, "cơ sở giáo dục phổ thông và giáo dục thường xuyên"),
      (">", 90, "cơ sở giáo dục mầm non và cơ quan quản lý giáo dục")]),
    ("> 95% cơ sở giáo dục\nphổ thông;\n> 90% cơ sở giáo dục\nmầm non.",
     [(">", 95, "cơ sở giáo dục phổ thông"), (">", 90, "cơ sở giáo dục mầm non")]),
    ("5% đối với cấp tiểu học và 10% đối với cấp trung học", [(None, 5, "cấp tiểu học"), (None, 10, "cấp trung học")]),
    ("Đạt trung bình 5% đối với cấp tiểu học và 10% đối với cấp trung học",
     [("=", 5, "cấp tiểu học"), ("=", 10, "cấp trung học")]),
    ("≥ 95 (phổ thông); Duy trì (mầm non)", [(">=", 95, "phổ thông"), (None, None, "mầm non")]),
    # stated in words: kept, value None
    ("Duy trì", [(None, None, None)]),
    ("Thí điểm", [(None, None, None)]),
    ("Duy trì, nâng cao", [(None, None, None)]),
    ("Hoàn thành", [(None, None, None)]),
    ("Cơ bản hoàn thành", [(None, None, None)]),
    ("Năm 2026", [(None, None, None)]),  # a year is not a value
    # no target
    ("", []),
    ("   ", []),
    ("-", []),
    ("—", []),
    ("x", []),
]


def test_there_are_at_least_forty_target_cells():
    assert len(TARGET_CELLS) >= 40


@pytest.mark.parametrize("cell, expected", TARGET_CELLS, ids=[c[0][:50] for c in TARGET_CELLS])
def test_target_cells(cell, expected):
    targets = parse_targets(cell, 2030)
    assert [(t.op, t.value, t.scope) for t in targets] == expected
    assert all(t.year == 2030 for t in targets)
    for t in targets:
        assert t.text and " ".join(t.text.split()) == t.text
        if t.value is None:
            assert t.op is None


def test_target_text():
    assert [t.text for t in parse_targets("> 95 (phổ thông); > 90 (mầm non)", 2030)] == ["> 95 (phổ thông)", "> 90 (mầm non)"]
    assert [t.text for t in parse_targets("Duy trì, nâng cao", 2045)] == ["Duy trì, nâng cao"]
    assert [t.text for t in parse_targets("≥ 80", None)] == ["≥ 80"]
    assert parse_targets("≥ 80", None)[0].year is None


# --- Target headings --------------------------------------------------------------------------

HEADINGS = [
    ("Chỉ tiêu đến năm 2030", True, 2030),
    ("a) Chỉ tiêu đến năm 2045", True, 2045),
    ("II. MỤC TIÊU ĐẾN NĂM 2030", True, 2030),
    ("Mục tiêu cụ thể", True, None),
    ("Các chỉ tiêu chủ yếu đến hết năm 2025:", True, 2025),
    ("Mục tiêu giai đoạn 2026-2030", True, 2030),
    ("Chỉ tiêu năm 2026", True, 2026),
    ("Phấn đấu đến năm 2030 đạt các chỉ tiêu sau:", True, 2030),
    ("Các chỉ tiêu theo Nghị quyết số 71/NQ-CP và Nghị quyết số 11/NQ-CP", True, None),
    ("Nhiệm vụ, giải pháp", False, None),
    ("Phụ lục I kèm theo Kế hoạch", False, None),
    ("Thực hiện Kế hoạch số 48/KH-UBND ngày 15/3/2025", False, None),
]


@pytest.mark.parametrize("line, is_target, year", HEADINGS, ids=[h[0] for h in HEADINGS])
def test_target_headings(line, is_target, year):
    assert target_heading_year(line) == (is_target, year)


@pytest.mark.parametrize("entry", load("targets.yaml")["target_headings"], ids=lambda e: e["id"])
def test_target_heading_rule_examples(entry):
    for line in entry["examples"]:
        assert target_heading_year(line)[0], line
    for line in entry.get("counter_examples", []):
        assert not target_heading_year(line)[0], line


# --- Seed 000, Phụ lục 2: 31 indicators in 6 groups, 2025/2030/2035/2040/2045 --------------------
# As the source prints them (corpus/000_*.txt, "## PHỤ LỤC 2"): name, then the five target cells.

P2_GROUPS = ["I. HẠ TẦNG SỐ VÀ AN TOÀN THÔNG TIN"] * 3 + ["II. DỮ LIỆU SỐ VÀ NỀN TẢNG SỐ"] * 7 + [
    "III. QUẢN TRỊ SỐ VÀ CẢI CÁCH HÀNH CHÍNH"] * 10 + ["IV. NĂNG LỰC SỐ VÀ CÔNG DÂN SỐ"] * 5 + [
    "V. GIÁO DỤC STEM, ĐỔI MỚI SÁNG TẠO VÀ TRÍ TUỆ NHÂN TẠO"] * 4 + ["VI. GIÁM SÁT VÀ ĐÁNH GIÁ CHUYÊN ĐỔI SỐ"] * 2
P2 = [
    ("Tỷ lệ cơ sở giáo dục có kết nối Internet băng rộng ổn định",
     "≥95% | 100% | 100% | 100% | 100%"),
    ("Tỷ lệ phòng học được trang bị thiết bị dạy học số",
     "≥70% | ≥90% | ≥95% | 100% | 100%"),
    ("Tỷ lệ sự cố ATTT được phát hiện, xử lý kịp thời",
     "≥90% | ≥95% | 100% | 100% | 100%"),
    ("Tỷ lệ dữ liệu học sinh và giáo viên được chuẩn hóa, cập nhật đầy đủ, chính xác và đồng bộ",
     "≥80% | ≥95% | 100% | 100% | 100%"),
    ("Tỷ lệ dữ liệu về cơ sở vật chất và trang thiết bị trường học được số hóa và quản lý tập trung",
     "≥70% | ≥95% | 100% | 100% | 100%"),
    ("Tỷ lệ dữ liệu giáo dục được tích hợp và chia sẻ qua nền tảng tích hợp, chia sẻ dữ liệu của thành phố",
     "≥60% | ≥85% | 100% | 100% | 100%"),
    ("Tỷ lệ hồ sơ chuyên môn của cơ sở giáo dục được tạo lập và lưu trữ trên môi trường điện tử",
     "≥80% | ≥95% | 100% | 100% | 100%"),
    ("Tỷ lệ học sinh được cấp và quản lý học bạ điện tử theo quy định",
     "100% | Duy trì | Duy trì | Duy trì | Duy trì"),
    ("Tỷ lệ văn bằng, chứng chỉ được số hóa và cung cấp dịch vụ tra cứu trực tuyến",
     "≥70% | ≥95% | 100% | 100% | 100%"),
    ("Tỷ lệ hồ sơ cấp phát văn bằng, chứng chỉ được xử lý trên môi trường điện tử",
     "≥70% | ≥90% | 100% | 100% | 100%"),
    ("Tỷ lệ người dân thực hiện thủ tục hành chính thuộc lĩnh vực giáo dục và đào tạo trên môi trường số",
     "≥70% | ≥90% | ≥95% | ≥98% | 100%"),
    ("Tỷ lệ người dân và tổ chức hài lòng khi sử dụng dịch vụ công trực tuyến trong lĩnh vực giáo dục và đào tạo",
     "≥95% | ≥98% | 100% | 100% | 100%"),
    ("Tỷ lệ cơ sở giáo dục thực hiện ký số hồ sơ chuyên môn, sổ điểm và học bạ theo quy định",
     "≥90% | 100% | 100% | 100% | 100%"),
    ("Tỷ lệ giáo viên có chữ ký số hoặc chữ ký điện tử cá nhân phục vụ công tác chuyên môn",
     "≥70% | ≥90% | ≥95% | 100% | 100%"),
    ("Tỷ lệ dịch vụ công trực tuyến đủ điều kiện được cung cấp toàn trình",
     "100% | 100% | 100% | 100% | 100%"),
    ("Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận và xử lý trực tuyến",
     "≥70% | ≥85% | ≥95% | 100% | 100%"),
    ("Tỷ lệ hồ sơ thủ tục hành chính được số hóa theo quy định",
     "≥80% | 100% | 100% | 100% | 100%"),
    ("Tỷ lệ giao dịch hành chính trong lĩnh vực giáo dục được thực hiện theo hình thức không tiếp xúc trực tiếp",
     "≥70% | 100% | 100% | 100% | 100%"),
    ("Tỷ lệ cơ sở giáo dục thực hiện thu học phí và các khoản thu hợp pháp bằng phương thức thanh toán không dùng tiền mặt",
     "≥80% | ≥95% | 100% | 100% | 100%"),
    ("Tỷ lệ giao dịch tài chính nội bộ của cơ sở giáo dục được thực hiện qua hệ thống ngân hàng hoặc trung gian thanh toán hợp pháp",
     "≥80% | ≥95% | 100% | 100% | 100%"),
    ("Tỷ lệ cán bộ quản lý và giáo viên được bồi dưỡng, cập nhật kỹ năng số cơ bản và nâng cao",
     "≥90% | 100% | 100% | 100% | 100%"),
    ("Tỷ lệ giáo viên ứng dụng học liệu số và nền tảng số trong hoạt động dạy học",
     "≥70% | ≥90% | ≥95% | 100% | 100%"),
    ("Tỷ lệ cán bộ quản lý và giáo viên được tập huấn về an toàn thông tin và bảo vệ dữ liệu cá nhân hàng năm",
     "≥80% | ≥95% | 100% | 100% | 100%"),
    ("Tỷ lệ học sinh được giáo dục kỹ năng số theo chương trình và khung năng lực số phù hợp với từng cấp học",
     "≥80% | 100% | 100% | 100% | 100%"),
    ("Tỷ lệ cơ sở giáo dục tổ chức hoạt động giáo dục công dân số, văn hóa ứng xử trên môi trường mạng và an toàn mạng học đường",
     "≥80% | ≥95% | 100% | 100% | 100%"),
    ("Tỷ lệ trường phổ thông triển khai giáo dục STEM theo kế hoạch của ngành",
     "≥80% | 100% | 100% | 100% | 100%"),
    ("Tỷ lệ trường có câu lạc bộ STEM hoặc câu lạc bộ đổi mới sáng tạo hoạt động thường xuyên",
     "≥60% | ≥85% | ≥95% | 100% | 100%"),
    ("Tỷ lệ giáo viên tham gia hoạt động nghiên cứu khoa học, sáng kiến và cải tiến chuyên môn",
     "≥40% | ≥60% | ≥80% | ≥90% | 100%"),
    ("Tỷ lệ cơ sở giáo dục phổ thông triển khai thí điểm nội dung giáo dục trí tuệ nhân tạo phù hợp với từng cấp học và điều kiện thực tế",
     "Thí điểm | ≥50% | ≥80% | 100% | 100%"),
    ("Tỷ lệ cơ sở giáo dục phổ thông đạt mức độ 2 trở lên về chuyển đổi số theo bộ chỉ số đánh giá",
     "≥75% | ≥95% | 100% | 100% | -"),
    ("Tỷ lệ cơ sở giáo dục mầm non đạt mức độ 2 trở lên về chuyển đổi số theo bộ chỉ số đánh giá",
     "≥70% | ≥90% | ≥95% | 100% | -"),
]
YEARS = (2025, 2030, 2035, 2040, 2045)


def expected_target(cell: str, year: int):
    """What a Phụ lục cell means, read independently of the grammar: "≥95%" -> (>=, 95), "100%" ->
    (None, 100), a word -> qualitative, "-" -> no target."""
    cell = cell.strip()
    if cell == "-":
        return None
    m = re.fullmatch(r"(≥|>)?\s*(\d+)\s*%?", cell)
    if m:
        return (year, {"≥": ">=", ">": ">", None: None}[m.group(1)], float(m.group(2)), cell)
    return (year, None, None, cell)


def test_seed_000_appendix_2(seed_docs):
    doc = seed_docs["000"]
    table = next(t for t in doc.tables if t.kind == "indicators" and len(t.rows) == 31)
    rows = [i for i in doc.indicators if i.table == table.id]
    assert len(rows) == 31
    for k, (indicator, (name, cells), group) in enumerate(zip(rows, P2, P2_GROUPS)):
        assert indicator.id == f"{table.id}-r{k + 1}" and indicator.row == k
        assert indicator.name == name
        assert indicator.group == group
        assert indicator.source == "table" and indicator.confidence >= 0.9
        expected = [e for year, cell in zip(YEARS, cells.split(" | ")) if (e := expected_target(cell, year))]
        assert [(t.year, t.op, t.value, t.text) for t in indicator.targets] == expected, name
        assert indicator.provenance[0].source == "table" and indicator.provenance[0].row == k
        assert indicator.lead_units and indicator.lead_units[0] == "Sở Giáo dục và Đào tạo"
        assert indicator.implementing_units
    # every row sets all five years, except the two "-" of 2045 (rows 30 and 31)
    assert [len(i.targets) for i in rows] == [5] * 29 + [4, 4]
    assert rows[7].targets[1].text == "Duy trì" and rows[28].targets[0].text == "Thí điểm"
    assert rows[10].lead_units == ["Sở Giáo dục và Đào tạo"]
    # printed "… Trung tâm Phục vụ hành chính công xã"; the plan's task table names the same centre
    # without "xã" (Phụ lục 3, row 18), and an indicator names units as doc.units does
    assert rows[10].implementing_units == ["Phòng Văn hóa - Xã hội", "Trung tâm Phục vụ hành chính công"]
    names = {u.name for u in seed_docs["000"].units}
    assert all(set(i.lead_units + i.implementing_units) <= names for i in rows)
    assert rows[0].unit == "%"  # no unit column: the targets say "%"


P1 = [
    ("Tỷ lệ sử dụng dịch vụ công trực tuyến trong lĩnh vực giáo dục",
     [(2030, ">=", 80, "≥ 80", None), (2045, None, None, "Duy trì, nâng cao", None)]),
    ("Tỷ lệ thủ tục hành chính đủ điều kiện trong lĩnh vực giáo dục được cung cấp dịch vụ công trực tuyến toàn trình",
     [(2030, None, 100, "100", None), (2045, None, 100, "100", None)]),
    ("Tỷ lệ hồ sơ thủ tục hành chính trong lĩnh vực giáo dục được xử lý trực tuyến toàn trình",
     [(2030, ">=", 80, "≥ 80", None), (2045, ">=", 95, "≥ 95", None)]),
    ("Tỷ lệ hồ sơ thủ tục hành chính trong lĩnh vực giáo dục được số hóa",
     [(2030, ">=", 80, "≥ 80", None), (2045, None, 100, "100", None)]),
    ("Tỷ lệ kết quả giải quyết thủ tục hành chính trong lĩnh vực giáo dục được cấp bản điện tử",
     [(2030, ">=", 80, "≥ 80", None), (2045, None, 100, "100", None)]),
    ("Tỷ lệ thanh toán trực tuyến trong giải quyết thủ tục hành chính lĩnh vực giáo dục",
     [(2030, ">=", 50, "≥ 50", None), (2045, ">=", 80, "≥ 80", None)]),
    ("Văn bản, hồ sơ công việc trong ngành giáo dục được xử lý toàn trình trên môi trường điện tử",
     [(2030, None, 100, "100", None), (2045, None, 100, "100", None)]),
    ("Nhiệm vụ được giao trong ngành giáo dục được theo dõi, cập nhật trên hệ thống điện tử",
     [(2030, None, 100, "100", None), (2045, None, 100, "100", None)]),
    ("Mức độ chuyển đổi số đối với các cơ sở giáo dục, cơ quan quản lý giáo dục đạt mức 2 trở lên",
     [(2030, ">", 95, "> 95 (phổ thông)", "phổ thông"), (2030, ">", 90, "> 90 (mầm non)", "mầm non"),
      (2045, None, 100, "100", None)]),
]


def test_seed_000_appendix_1(seed_docs):
    doc = seed_docs["000"]
    table = next(t for t in doc.tables if t.kind == "indicators" and len(t.rows) == 9)
    rows = [i for i in doc.indicators if i.table == table.id]
    assert [i.name for i in rows] == [name for name, _ in P1]
    for indicator, (name, targets) in zip(rows, P1):
        assert [(t.year, t.op, t.value, t.text, t.scope) for t in indicator.targets] == targets, name
        assert indicator.unit == "%" and indicator.group is None
        assert indicator.lead_units == [] and indicator.implementing_units == []


def test_seed_003_appendix(seed_docs):
    """Seed 003's Phụ lục I (a flattened table): 6 indicators, 2030 and 2045."""
    doc = seed_docs["003"]
    rows = [i for i in doc.indicators if i.source == "table"]
    assert len(rows) == 6 and len(doc.indicators) == 6
    assert [[(t.year, t.op, t.value) for t in i.targets] for i in rows] == [
        [(2030, ">", 95), (2030, ">", 90), (2045, None, 100)],
        [(2030, None, 100), (2045, None, 100)], [(2030, None, 100), (2045, None, 100)],
        [(2030, None, 95), (2045, None, 100)], [(2030, None, 85), (2045, None, 100)],
        [(2030, None, 100), (2045, None, 100)]]
    assert [t.scope for t in rows[0].targets[:2]] == ["cơ sở giáo dục phổ thông và giáo dục thường xuyên",
                                                      "cơ sở giáo dục mầm non và cơ quan quản lý giáo dục"]
    assert rows[1].name == "Cơ sở giáo dục triển khai ký số trên các hệ thống sổ sách, sổ điểm, học bạ số"


# --- Prose target lists -----------------------------------------------------------------------


def test_seed_000_prose_targets(seed_docs):
    """§II.2.1 a) "Chỉ tiêu đến năm 2030" (5 items) and b) "Chỉ tiêu đến năm 2045" (2 items): three
    are stated again in the appendices and merge with their rows; four stay prose indicators."""
    doc = seed_docs["000"]
    prose = [i for i in doc.indicators if i.source == "text"]
    assert [(i.id, [(t.year, t.op, t.value) for t in i.targets]) for i in prose] == [
        ("s11-3", [(2030, None, 100)]), ("s11-4", [(2030, ">=", 95)]), ("s11-5", [(2030, ">=", 85)]),
        ("s19-2", [(2045, None, 100)])]
    assert prose[0].name.startswith("cơ sở giáo dục phổ thông tổ chức giảng dạy kỹ năng số cho học sinh")
    assert prose[1].name == ("cơ sở giáo dục phổ thông thực hiện lồng ghép, tích hợp giáo dục khởi nghiệp, đổi mới "
                             "sáng tạo vào các môn học và hoạt động giáo dục")
    assert all(i.table is None and i.row is None and i.unit == "%" and 0.5 <= i.confidence < 0.9 for i in prose)
    for i in prose:
        [where] = i.provenance
        assert where.source == "text" and doc.text[where.start:where.end].endswith(i.name)


def test_seed_000_prose_and_appendix_are_one_indicator(seed_docs):
    """"Mức độ chuyển đổi số … trong đó: + Trên 95% … phổ thông; + Trên 90% … mầm non" (a, 2030) and
    "100% cơ sở giáo dục và cơ quan quản lý giáo dục đạt mức độ chuyển đổi số mức 2 trở lên" (b, 2045)
    are Phụ lục 1 row 9; "100% cơ sở giáo dục triển khai ký số …" (a) is Phụ lục 2 row 13."""
    doc = seed_docs["000"]
    by_id = {i.id: i for i in doc.indicators}
    level = by_id["t1-r9"]
    assert [p.source for p in level.provenance] == ["table", "text", "text"]
    texts = [doc.text[p.start:p.end] for p in level.provenance[1:]]
    assert texts[0].startswith("- Mức độ chuyển đổi số") and texts[0].endswith("Trên 90% đối với cơ sở giáo dục mầm non.")
    assert texts[1].startswith("100% cơ sở giáo dục và cơ quan quản lý giáo dục đạt mức độ chuyên đổi số")
    assert [(t.year, t.op, t.value) for t in level.targets] == [(2030, ">", 95), (2030, ">", 90), (2045, None, 100)]
    signing = by_id["t2-r13"]
    assert [p.source for p in signing.provenance] == ["table", "text"]
    assert doc.text[signing.provenance[1].start:signing.provenance[1].end].startswith("100% cơ sở giáo dục triển khai ký số")
    assert len(doc.indicators) == 9 + 31 + 4


SEED_004 = [
    ("s13-1", 100, None, None, "thông tin của trẻ em, học sinh, học viên, sinh viên"),
    ("s16-1", 100, None, None, "cán bộ, công chức, viên chức ngành giáo dục thực hiện xử lý hồ sơ công việc"),
    ("s16-2", 100, None, None, "quy trình giải quyết thủ tục hành chính lĩnh vực giáo dục"),
    ("s16-3", 100, None, None, "cơ sở giáo dục triển khai thực hiện thanh toán không dùng tiền mặt"),
    ("s20-1", 100, None, None, "cơ sở giáo dục thực hiện tuyển sinh đầu cấp theo hình thức trực tuyến"),
    ("s20-2", 100, None, None, "cơ sở giáo dục triển khai sổ sách, sổ điểm, học bạ điện tử"),
    ("s20-3", 100, None, None, "cơ sở giáo dục sử dụng trí tuệ nhân tạo AI trong quản lý giáo dục"),
    ("s20-4", 100, None, None, "cơ sở giáo dục và đào tạo được công nhận mức độ chuyển đổi số từ mức độ 2 trở lên"),
    ("s25-1", 100, None, None, "cán bộ quản lý giáo dục có năng lực ứng dụng AI"),
    ("s25-2", 100, None, None, "giáo viên, giảng viên sử dụng AI để hỗ trợ giảng dạy"),
    ("s25-3", 50, None, None, "giáo viên, giảng viên có thể thiết kế nội dung dạy học dựa trên AI"),
    ("s25-4", 100, None, None, "cơ sở giáo dục nghề nghiệp triển khai ứng dụng AI"),
    ("s25-5", 50, ">=", None, "ứng dụng AI hỗ trợ trong quá trình đánh giá kỹ năng thực hành của người học"),
    ("s25-6", 100, None, None, "cơ sở giáo dục thực hiện các phương pháp dạy học tích cực"),
    ("s25-7", 100, None, None, "cơ sở giáo dục tổ chức các hoạt động nghiên cứu STEM"),
    ("s25-8", 100, None, None, "cơ sở giáo dục phổ thông triển khai dạy học trực tuyến"),
    ("s25-9", 5, "=", "cấp tiểu học", "tỉ trọng nội dung chương trình giáo dục phổ thông"),
    ("s31-1", 100, None, "giáo dục phổ thông", "học sinh được nâng cao nhận thức, hiểu biết về AI"),
    ("s31-2", 30, None, "giáo dục phổ thông", "học sinh trung học phổ thông ứng dụng AI vào nghiên cứu khoa học kỹ thuật"),
    ("s31-3", 100, None, "giáo dục nghề nghiệp", "người học sử dụng AI trong học tập, nghiên cứu"),
    ("s31-4", 50, None, "giáo dục nghề nghiệp", "học viên có năng lực ứng dụng AI trong ngành nghề của mình"),
    ("s31-5", 100, None, None, "cán bộ, công chức, viên chức hằng năm được tập huấn, bồi dưỡng về chuyển đổi số"),
    ("s35-1", 100, None, None, "các cơ sở giáo dục trên địa bàn tỉnh được đầu tư, nâng cấp hạ tầng số"),
    ("s35-2", 100, None, None, "các cơ sở giáo dục đảm bảo kinh phí chi cho hoạt động khoa học công nghệ"),
]


def test_seed_004_prose_targets(seed_docs):
    """§II "MỤC TIÊU ĐẾN NĂM 2030" › 2. "Mục tiêu cụ thể" › 2.1–2.6: every "- 100% …" statement is an
    indicator for 2030; "; " splits a line into several; "trong đó 50% …" and "5% … và 10% …" add
    scoped targets; "Đối với giáo dục phổ thông:" scopes its line. No table of indicators to merge with."""
    doc = seed_docs["004"]
    assert all(i.source == "text" for i in doc.indicators)
    got = [(i.id, i.targets[0].value, i.targets[0].op, i.targets[0].scope, i.name) for i in doc.indicators]
    assert [g[:4] for g in got] == [e[:4] for e in SEED_004]
    for (_, _, _, _, name), (_, _, _, _, start) in zip(got, SEED_004):
        assert name.startswith(start), name
    assert {t.year for i in doc.indicators for t in i.targets} == {2030}
    by_id = {i.id: i for i in doc.indicators}
    assert [(t.value, t.scope) for t in by_id["s20-4"].targets] == [(100, None), (50, "được công nhận mức độ 3")]
    assert [(t.value, t.op, t.scope) for t in by_id["s25-9"].targets] == [(5, "=", "cấp tiểu học"), (10, "=", "cấp trung học")]
    assert by_id["s20-1"].name == "cơ sở giáo dục thực hiện tuyển sinh đầu cấp theo hình thức trực tuyến"


@pytest.mark.parametrize("seed", ["001", "002"])
def test_no_indicators_without_targets(seed_docs, seed):
    """001 refers to a missing appendix for its targets; 002's "Mục tiêu cụ thể" states no values."""
    assert seed_docs[seed].indicators == []


# --- A synthetic plan: plain-line headings, a prose list and its appendix table ----------------

PLAN = """KẾ HOẠCH
Phát triển giáo dục số năm 2026
Chỉ tiêu đến năm 2027:
- Trên 90% trường học triển khai học bạ số;
- 100% giáo viên được bồi dưỡng kỹ năng số cơ bản.
- Đối với cấp học mầm non: 70% cơ sở giáo dục ứng dụng phần mềm quản lý trẻ.
Mục tiêu đến năm 2030
- Tỷ lệ hồ sơ tuyển sinh đầu cấp được xử lý trực tuyến đạt tối thiểu 95%.
Nhiệm vụ
- Phấn đấu 100% trường có phòng học thông minh.
"""


def _plan_with_table() -> tuple[str, list[Table]]:
    text = PLAN + "PHỤ LỤC\n"
    columns = [TableColumn("TT", "seq"), TableColumn("Chỉ tiêu", "indicator"), TableColumn("Năm 2027", "target", 2027),
               TableColumn("Năm 2030", "target", 2030), TableColumn("Đơn vị chủ trì", "lead"),
               TableColumn("Đơn vị thực hiện", "implementer")]
    rows, start = [], len(text)
    for cells in (["1", "Tỷ lệ trường học triển khai học bạ số", "> 90%", "100%", "Phòng Giáo dục và Đào tạo",
                   "Các trường mầm non; Các trường tiểu học"],
                  ["2", "Tỷ lệ phòng học có màn hình tương tác", "30%", "≥ 60%", "Phòng Giáo dục và Đào tạo", ""]):
        row_start = len(text)
        text += "\t".join(cells) + "\n"
        rows.append(TableRow(cells, None, 2, row_start, len(text) - 1))
    table = Table("t1", None, "Chỉ tiêu", "indicators", columns, rows, 2, 2, start, len(text), "delimited")
    return text, [table]


def test_plain_line_headings_give_the_year():
    found = run_extractors(PLAN, sections=[], tables=[], components=("kehoach_percentages", "kehoach_indicators"))
    indicators = found.items["indicators"]
    assert [(i.id, i.name, [(t.year, t.op, t.value, t.scope) for t in i.targets]) for i in indicators] == [
        ("text-1", "trường học triển khai học bạ số", [(2027, ">", 90, None)]),
        ("text-2", "giáo viên được bồi dưỡng kỹ năng số cơ bản", [(2027, None, 100, None)]),
        ("text-3", "cơ sở giáo dục ứng dụng phần mềm quản lý trẻ", [(2027, None, 70, "cấp học mầm non")]),
        ("text-4", "Tỷ lệ hồ sơ tuyển sinh đầu cấp được xử lý trực tuyến", [(2030, ">=", 95, None)]),
    ]  # the line "Nhiệm vụ" ends the reach of "Mục tiêu đến năm 2030": what follows is not a target list


def test_sections_bound_a_heading():
    """With sections, a target heading reaches the end of its section: the task list after it is not a target list."""
    text = PLAN
    lines = text.split("\n")
    offsets = [sum(len(x) + 1 for x in lines[:k]) for k in range(len(lines) + 1)]
    sections = [Section("s1", None, 1, "title", None, "KẾ HOẠCH", 0, offsets[2] - 1),
                Section("s2", None, 1, "body", "1", "Chỉ tiêu đến năm 2027", offsets[2], offsets[6] - 1),
                Section("s3", None, 1, "body", "2", "Mục tiêu đến năm 2030", offsets[6], offsets[8] - 1),
                Section("s4", None, 1, "body", "3", "Nhiệm vụ", offsets[8], len(text))]
    found = run_extractors(text, sections=sections, tables=[], components=("kehoach_percentages", "kehoach_indicators"))
    indicators = found.items["indicators"]
    assert [(i.id, i.targets[0].year, i.section) for i in indicators] == [
        ("s2-1", 2027, "s2"), ("s2-2", 2027, "s2"), ("s2-3", 2027, "s2"), ("s3-1", 2030, "s3")]


def test_prose_and_table_merge_with_both_provenances():
    text, tables = _plan_with_table()
    found = run_extractors(text, sections=[], tables=tables, components=("kehoach_percentages", "kehoach_indicators"))
    indicators = found.items["indicators"]
    by_id = {i.id: i for i in indicators}
    merged = by_id["t1-r1"]
    assert [p.source for p in merged.provenance] == ["table", "text"]
    assert text[merged.provenance[1].start:merged.provenance[1].end] == "Trên 90% trường học triển khai học bạ số"
    assert merged.provenance[0].table == "t1" and merged.provenance[0].row == 0
    assert [(t.year, t.op, t.value) for t in merged.targets] == [(2027, ">", 90), (2030, None, 100)]
    assert merged.lead_units == ["Phòng Giáo dục và Đào tạo"]
    assert merged.implementing_units == ["Các trường mầm non", "Các trường tiểu học"]
    assert merged.source == "table" and merged.confidence >= 0.9
    assert len(by_id["t1-r2"].provenance) == 1
    assert {i.id for i in indicators} == {"t1-r1", "t1-r2", "text-2", "text-3", "text-4"}


def test_a_table_row_gains_a_year_only_the_prose_states():
    text, tables = _plan_with_table()
    text = text.replace("Trên 90% trường học triển khai học bạ số", "Trên 90% trường học triển khai học bạ số")
    tables[0].columns[3] = TableColumn("Ghi chú", "other")
    found = run_extractors(text, sections=[], tables=tables, components=("kehoach_percentages", "kehoach_indicators"))
    merged = next(i for i in found.items["indicators"] if i.id == "t1-r1")
    assert [(t.year, t.value) for t in merged.targets] == [(2027, 90)]


SIMILAR = [
    ("Mức độ chuyển đổi số đối với cơ sở giáo dục",
     "Mức độ chuyển đổi số đối với các cơ sở giáo dục, cơ quan quản lý giáo dục đạt mức 2 trở lên", 0.55, 0.7),
    ("cơ sở giáo dục và cơ quan quản lý giáo dục đạt mức độ chuyên đổi số mức 2 trở lên",
     "Mức độ chuyển đổi số đối với các cơ sở giáo dục, cơ quan quản lý giáo dục đạt mức 2 trở lên", 0.7, 1.0),
    ("trường học triển khai học bạ số", "Tỷ lệ trường học triển khai học bạ số", 1.0, 1.0),
    ("cơ sở giáo dục phổ thông thực hiện lồng ghép, tích hợp giáo dục khởi nghiệp",
     "Tỷ lệ cơ sở giáo dục phổ thông triển khai thí điểm nội dung giáo dục trí tuệ nhân tạo", 0.0, 0.55),
    ("giáo viên được bồi dưỡng kỹ năng số", "Tỷ lệ phòng học có màn hình tương tác", 0.0, 0.2),
]


@pytest.mark.parametrize("a, b, low, high", SIMILAR, ids=[s[0][:40] for s in SIMILAR])
def test_similarity(a, b, low, high):
    assert low <= similarity(a, b) <= high
    assert similarity(a, b) == similarity(b, a)


def test_threshold_is_documented():
    assert 0.5 < MERGE_THRESHOLD < 1


@pytest.mark.parametrize("seed", ["000", "004"])
def test_the_threshold_keeps_unmerged_statements_apart(seed_docs, seed):
    """A prose statement left on its own is below the merge threshold against every table row of
    its plan: the threshold, not the order of the rows, decided that it is another indicator."""
    doc = seed_docs[seed]
    rows = [i.name for i in doc.indicators if i.source == "table"]
    alone = [i.name for i in doc.indicators if i.source == "text"]
    assert alone, "the seed states prose targets"
    for name in alone:
        assert max((similarity(name, row) for row in rows), default=0.0) < MERGE_THRESHOLD, name


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_indicator_invariants(seed_docs, seed):
    doc = seed_docs[seed]
    ids = [i.id for i in doc.indicators]
    assert len(ids) == len(set(ids))
    for i in doc.indicators:
        assert i.provenance and i.name
        assert 0 <= i.start <= i.end <= len(doc.text)
        for t in i.targets:
            assert t.op in (">=", ">", "=", "<=", "<", None)
            assert t.value is not None or t.op is None

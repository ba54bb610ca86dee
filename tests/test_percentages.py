"""Percentages (rules/targets.yaml, pipeline/extractors/percentages.py): value, comparator, scope
and subject as plans write them, in prose and in table cells."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.extractors.nlp import run_extractors
from pipeline.extractors.percentages import format_percent, parse_percent, read_values
from pipeline.model import Table, TableColumn, TableRow
from pipeline.rules import load

ANY = object()  # a subject the case does not pin down


def percentages(text: str, tables: list[Table] | None = None):
    return run_extractors(text, sections=[], tables=tables or [], components=("kehoach_percentages",)).items["percentages"]


# (text, [(value, op, scope, subject)]) — real phrasings of the seed plans and the forms plans use.
CASES = [
    # comparators in words
    ("+ Trên 95% đối với cơ sở giáo dục phổ thông;", [(95, ">", "cơ sở giáo dục phổ thông", None)]),
    ("+ Trên 90% đối với cơ sở giáo dục mầm non.", [(90, ">", "cơ sở giáo dục mầm non", None)]),
    ("- Từ 95% trở lên cơ sở giáo dục phổ thông thực hiện lồng ghép, tích hợp giáo dục khởi nghiệp.",
     [(95, ">=", None, "cơ sở giáo dục phổ thông thực hiện lồng ghép, tích hợp giáo dục khởi nghiệp")]),
    ("- Từ 85% trở lên cơ sở giáo dục phổ thông triển khai phương thức giáo dục STEM.",
     [(85, ">=", None, "cơ sở giáo dục phổ thông triển khai phương thức giáo dục STEM")]),
    ("hướng tới tối thiểu đạt 25%.", [(25, ">=", None, None)]),
    ("Phân đầu bố trí tỷ lệ cán bộ có chuyên môn trong đội ngũ lãnh đạo, hướng tới tối thiểu đạt 25%.",
     [(25, ">=", None, "tỷ lệ cán bộ có chuyên môn trong đội ngũ lãnh đạo")]),
    ("tối thiểu 25% cán bộ quản lý", [(25, ">=", None, "cán bộ quản lý")]),
    ("ít nhất 60% giáo viên sử dụng học liệu số", [(60, ">=", None, "giáo viên sử dụng học liệu số")]),
    ("ít nhất là 70%", [(70, ">=", None, None)]),
    ("không dưới 90% học sinh", [(90, ">=", None, "học sinh")]),
    ("không thấp hơn 80% so với năm 2024", [(80, ">=", None, None)]),
    ("Mức độ chuyển đổi số đạt từ 80% trở lên", [(80, ">=", None, "Mức độ chuyển đổi số")]),
    ("Tỷ lệ hài lòng đạt trên 90%", [(90, ">", None, "Tỷ lệ hài lòng")]),
    ("hơn 60% phụ huynh", [(60, ">", None, "phụ huynh")]),
    ("đạt 95% trường học", [(95, "=", None, "trường học")]),
    ("bằng 100% kế hoạch", [(100, "=", None, "kế hoạch")]),
    ("dưới 5% hồ sơ trễ hạn", [(5, "<", None, "hồ sơ trễ hạn")]),
    ("thấp hơn 10%", [(10, "<", None, None)]),
    ("không quá 3%", [(3, "<=", None, None)]),
    ("không vượt quá 5% tổng kinh phí", [(5, "<=", None, "tổng kinh phí")]),
    ("tối đa 10% thời lượng chương trình", [(10, "<=", None, "thời lượng chương trình")]),
    ("90% trở lên", [(90, ">=", None, None)]),
    ("5% trở xuống", [(5, "<=", None, None)]),
    ("ở mức 50%", [(50, None, None, None)]),
    # signs
    ("≥80%", [(80, ">=", None, None)]),
    (">= 60% học sinh", [(60, ">=", None, "học sinh")]),
    ("> 95% cơ sở giáo dục", [(95, ">", None, "cơ sở giáo dục")]),
    ("≤ 5%", [(5, "<=", None, None)]),
    ("< 2% hồ sơ quá hạn", [(2, "<", None, "hồ sơ quá hạn")]),
    ("Trên 95 % đối với trường", [(95, ">", "trường", None)]),
    # nothing stated: op None
    ("- 100% cơ sở giáo dục thực hiện tuyển sinh đầu cấp theo hình thức trực tuyến.",
     [(100, None, None, "cơ sở giáo dục thực hiện tuyển sinh đầu cấp theo hình thức trực tuyến")]),
    ("Phấn đấu 100% cán bộ, công chức, viên chức được đào tạo kiến thức cơ bản.",
     [(100, None, None, "cán bộ, công chức, viên chức được đào tạo kiến thức cơ bản")]),
    ("đảm bảo đến hết năm 2025, 100% cán bộ, công chức được đào tạo các kỹ năng số cơ bản",
     [(100, None, None, "cán bộ, công chức được đào tạo các kỹ năng số cơ bản")]),
    ("80 phần trăm học sinh", [(80, None, None, "học sinh")]),
    ("tăng 10% so với năm học trước", [(10, None, None, None)]),
    # decimals
    ("95,5% hồ sơ", [(95.5, None, None, "hồ sơ")]),
    ("95.5% hồ sơ", [(95.5, None, None, "hồ sơ")]),
    ("đạt 12,5%", [(12.5, "=", None, None)]),
    # several, by scope
    ("nội dung chương trình giáo dục phổ thông đạt trung bình 5% đối với cấp tiểu học và 10% đối với cấp trung học.",
     [(5, "=", "cấp tiểu học", ANY), (10, "=", "cấp trung học", ANY)]),
    ("đảm bảo tỉ trọng nội dung chương trình giáo dục phổ thông đạt trung bình 5% đối với cấp tiểu học và 10% "
     "đối với cấp trung học.",
     [(5, "=", "cấp tiểu học", "tỉ trọng nội dung chương trình giáo dục phổ thông"),
      (10, "=", "cấp trung học", "tỉ trọng nội dung chương trình giáo dục phổ thông")]),
    ("5% đối với cấp tiểu học và 10% đối với cấp trung học", [(5, None, "cấp tiểu học", None), (10, None, "cấp trung học", None)]),
    ("Trên 95% đối với cơ sở giáo dục phổ thông và 90% đối với cơ sở giáo dục mầm non",
     [(95, ">", "cơ sở giáo dục phổ thông", None), (90, ">", "cơ sở giáo dục mầm non", None)]),
    ("95% ở cấp trung học cơ sở; 90% ở cấp tiểu học", [(95, None, "cấp trung học cơ sở", None), (90, None, "cấp tiểu học", None)]),
    ("100% (phổ thông), 95% (mầm non)", [(100, None, "phổ thông", None), (95, None, "mầm non", None)]),
    ("- Đối với giáo dục phổ thông: 100% học sinh được nâng cao nhận thức, hiểu biết về AI; 30% học sinh trung học "
     "phổ thông ứng dụng AI vào nghiên cứu khoa học kỹ thuật.",
     [(100, None, "giáo dục phổ thông", "học sinh được nâng cao nhận thức, hiểu biết về AI"),
      (30, None, "giáo dục phổ thông", "học sinh trung học phổ thông ứng dụng AI vào nghiên cứu khoa học kỹ thuật")]),
    ("- Đối với giáo dục nghề nghiệp: 100% người học sử dụng AI trong học tập, nghiên cứu; 50% học viên có năng lực "
     "ứng dụng AI trong ngành nghề của mình.",
     [(100, None, "giáo dục nghề nghiệp", "người học sử dụng AI trong học tập, nghiên cứu"),
      (50, None, "giáo dục nghề nghiệp", "học viên có năng lực ứng dụng AI trong ngành nghề của mình")]),
    ("ứng dụng AI hỗ trợ tối thiểu 50% trong quá trình đánh giá kỹ năng thực hành của người học.",
     [(50, ">=", None, "ứng dụng AI hỗ trợ")]),
    ("- 100% cơ sở giáo dục và đào tạo được công nhận mức độ chuyển đổi số từ mức độ 2 trở lên, trong đó 50% được công "
     "nhận mức độ 3.", [(100, None, None, ANY), (50, None, None, "được công nhận mức độ 3")]),
    ("100% cán bộ quản lý giáo dục có năng lực ứng dụng AI; 100% giáo viên, giảng viên sử dụng AI để hỗ trợ giảng dạy",
     [(100, None, None, "cán bộ quản lý giáo dục có năng lực ứng dụng AI"),
      (100, None, None, "giáo viên, giảng viên sử dụng AI để hỗ trợ giảng dạy")]),
    # no percentage: numbers without a percent sign in prose are not percentages
    ("Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05/3/2020", []),
    ("Hoàn thành trong Quý II/2025", []),
    ("đạt mức 2 trở lên", []),
    ("> 95 (phổ thông)", []),
    ("mỗi cơ sở giáo dục có tối thiểu 01 phòng studio", []),
]


def test_there_are_at_least_forty_phrasings():
    assert len([c for c in CASES if c[1]]) >= 40


@pytest.mark.parametrize("text, expected", CASES, ids=[c[0][:60] for c in CASES])
def test_percentage_phrasings(text, expected):
    found = percentages(text)
    got = [(p.value, p.op, p.scope, p.subject) for p in found]
    want = [(v, op, scope, got[i][3] if i < len(got) and subject is ANY else subject)
            for i, (v, op, scope, subject) in enumerate(expected)]
    assert got == want
    for p in found:
        assert text[p.start:p.end] == p.text
        assert p.table is None and p.confidence == 0.9


# --- The rule file's own examples (each comparator, suffix, scope pattern) ----------------------

RULES = load("targets.yaml")
EXAMPLES = [(entry["id"], text, op, value) for key in ("comparators", "suffixes") for entry in RULES[key]
            for text, (op, value) in entry["examples"].items()]
EXAMPLES += [("bare", text, op, value) for text, (op, value) in RULES["examples_bare"].items()]


@pytest.mark.parametrize("rule, text, op, value", EXAMPLES, ids=[f"{e[0]}:{e[1]}" for e in EXAMPLES])
def test_rule_examples(rule, text, op, value):
    [found] = read_values(text)
    assert (found.op, found.value) == (op, value)


def test_rule_ids_unique():
    for key in ("comparators", "suffixes", "scope_patterns", "scope_labels", "target_headings"):
        ids = [entry["id"] for entry in RULES[key]]
        assert len(ids) == len(set(ids)), key


@pytest.mark.parametrize("entry", RULES["scope_patterns"], ids=lambda e: e["id"])
def test_scope_pattern_examples(entry):
    for after, scope in entry["examples"].items():
        found = read_values("95%" + after)
        assert found[0].scope == scope


# --- Parsing and formatting numbers -----------------------------------------------------------


@pytest.mark.parametrize("text, value", [("95,5%", 95.5), ("95.5%", 95.5), ("100%", 100), ("1.000%", 1000),
                                         ("12,25%", 12.25), ("0,5%", 0.5), ("không có", None)])
def test_parse_percent(text, value):
    assert parse_percent(text) == value


@given(st.integers(min_value=0, max_value=10000).map(lambda n: n / 100))
def test_parse_format_round_trip(value):
    assert parse_percent(format_percent(value)) == value


@given(st.text(max_size=80))
def test_never_raises(text):
    for p in read_values(text) + read_values(text, bare=True):
        assert p.start <= p.end


# --- Table cells ------------------------------------------------------------------------------


def _table(lines: list[list[str]], columns: list[TableColumn]) -> tuple[str, Table]:
    text, rows = "PHỤ LỤC\n", []
    start = len(text)
    for cells in lines:
        row_start = len(text)
        text += "\t".join(cells) + "\n"
        rows.append(TableRow(cells, None, None, row_start, len(text) - 1))
    return text, Table("t1", None, None, "indicators", columns, rows, None, None, start, len(text), "delimited")


COLUMNS = [TableColumn("TT", "seq"), TableColumn("Chỉ tiêu", "indicator"), TableColumn("Đơn vị tính", "unit_of_measure"),
           TableColumn("Đến năm 2030", "target", 2030), TableColumn("Đến năm 2045", "target", 2045)]


def test_table_cells():
    """Bare numbers are percentages in a "%" row's target cells, not in a row counted in schools;
    "95%" counts anywhere; several values in one cell are split by scope."""
    text, table = _table([
        ["1", "Tỷ lệ sử dụng dịch vụ công trực tuyến", "%", "≥ 80", "Duy trì, nâng cao"],
        ["2", "Mức độ chuyển đổi số đạt mức 2 trở lên", "%", "> 95 (phổ thông); > 90 (mầm non)", "100"],
        ["3", "Số trường có phòng học STEM", "trường", "20", "35"],
        ["4", "Triển khai học bạ số cho 100% học sinh phổ thông", "", "≥95%", "-"],
    ], COLUMNS)
    found = percentages(text, [table])
    got = [(p.row, p.value, p.op, p.scope, p.text) for p in found]
    assert got == [
        (0, 80, ">=", None, "≥ 80"),
        (1, 95, ">", "phổ thông", "> 95"), (1, 90, ">", "mầm non", "> 90"), (1, 100, None, None, "100"),
        (3, 100, None, None, "100%"), (3, 95, ">=", None, "≥95%"),
    ]
    assert all(text[p.start:p.end] == p.text and p.table == "t1" for p in found)
    assert found[0].subject == "Tỷ lệ sử dụng dịch vụ công trực tuyến"
    assert found[4].subject == "học sinh phổ thông"  # a value inside the row's own text
    assert [p.confidence for p in found] == [0.85, 0.85, 0.85, 0.85, 0.95, 0.95]


def test_percentages_inside_a_table_are_read_once_from_its_cells():
    text, table = _table([["1", "Tỷ lệ trường đạt chuẩn", "%", "≥ 80%", "100%"]], COLUMNS)
    text = "Phấn đấu 100% trường đạt chuẩn.\n" + text
    shift = len("Phấn đấu 100% trường đạt chuẩn.\n")
    table.start += shift
    table.end += shift
    for row in table.rows:
        row.start += shift
        row.end += shift
    found = percentages(text, [table])
    assert [(p.table, p.value) for p in found] == [(None, 100), ("t1", 80), ("t1", 100)]


def test_equal_cells_of_one_row_are_two_places():
    """"100%" printed in two target cells (and in the row's own text) are three percentages at
    three offsets, not three copies of the first (found by evaluating against the gold of 000)."""
    text, table = _table([["1", "Tỷ lệ 100% trường đạt chuẩn", "%", "100%", "100%"]], COLUMNS)
    found = percentages(text, [table])
    assert [p.value for p in found] == [100, 100, 100]
    starts = [p.start for p in found]
    assert starts == sorted(set(starts)) and len(set(starts)) == 3
    assert all(text[p.start:p.end] == "100%" for p in found)


def test_equal_cells_are_two_places_for_every_extractor():
    """The row's cells are located once, in column order (extractors/context.locate_cell), so the
    deadline extractor keeps two equal deadline cells apart too, not the percentage one alone."""
    columns = [TableColumn("TT", "seq"), TableColumn("Nhiệm vụ", "task"),
               TableColumn("Thời gian bắt đầu", "deadline"), TableColumn("Thời gian hoàn thành", "deadline")]
    text, table = _table([["1", "Rà soát dữ liệu", "Quý II/2025", "Quý II/2025"]], columns)
    found = run_extractors(text, [], [table], lambda _: None).items["deadlines"]
    assert [d.text for d in found] == ["Quý II/2025", "Quý II/2025"]
    assert found[0].start < found[1].start
    assert all(text[d.start:d.end] == "Quý II/2025" for d in found)


def test_no_two_seed_percentages_share_a_span(seed_docs):
    for key, doc in seed_docs.items():
        spans = [(p.start, p.end) for p in doc.percentages]
        assert len(spans) == len(set(spans)), key


# --- The seeds --------------------------------------------------------------------------------


def test_seed_000(seed_docs):
    """Seed 000: §II.2.1 states 8 percentages; Phụ lục 1 gives 18 values (bare numbers in its "%"
    unit column), Phụ lục 2 gives 148 (31 rows × 5 years, less 4 "Duy trì", 1 "Thí điểm" and 2
    "-"), Phụ lục 3 one ("học bạ số cho 100% học sinh")."""
    doc = seed_docs["000"]
    prose = [p for p in doc.percentages if p.table is None]
    assert [(p.text, p.op, p.scope) for p in prose] == [
        ("Trên 95%", ">", "cơ sở giáo dục phổ thông"), ("Trên 90%", ">", "cơ sở giáo dục mầm non"),
        ("100%", None, None), ("100%", None, None), ("Từ 95% trở lên", ">=", None), ("Từ 85% trở lên", ">=", None),
        ("100%", None, None), ("100%", None, None)]
    by_table = {}
    for p in doc.percentages:
        by_table[p.table] = by_table.get(p.table, 0) + 1
    assert by_table == {None: 8, "t1": 18, "t2": 148, "t3": 1}
    t2 = [p for p in doc.percentages if p.table == "t2"]
    assert sum(p.op == ">=" for p in t2) == 61  # the source prints "≥" 61 times in Phụ lục 2 and all(p.op in (">=", None) for p in t2)


def test_seed_004_prose(seed_docs):
    """Seed 004 §II.2 states 26 percentages; the "5% … và 10% …" sentence comes back in §III (and in
    the appendix table, read from its cells)."""
    doc = seed_docs["004"]
    prose = [p for p in doc.percentages if p.table is None]
    goals = next(s for s in doc.sections if s.label == "II")
    assert len(prose) == 28
    assert len([p for p in prose if goals.start <= p.start < goals.end]) == 26
    assert [(p.value, p.op, p.scope) for p in prose if p.scope] == [
        (5, "=", "cấp tiểu học"), (10, "=", "cấp trung học"),
        (100, None, "giáo dục phổ thông"), (30, None, "giáo dục phổ thông"),
        (100, None, "giáo dục nghề nghiệp"), (50, None, "giáo dục nghề nghiệp"),
        (5, "=", "cấp tiểu học"), (10, "=", "cấp trung học")]
    assert ("tối thiểu 50%", ">=", 50) in [(p.text, p.op, p.value) for p in prose]
    online = next(p for p in prose if p.subject and "tuyển sinh đầu cấp" in p.subject)
    assert (online.value, online.op, online.subject) == (
        100, None, "cơ sở giáo dục thực hiện tuyển sinh đầu cấp theo hình thức trực tuyến")


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_offsets_and_text(seed_docs, seed):
    doc = seed_docs[seed]
    for p in doc.percentages:
        assert doc.text[p.start:p.end].split() == p.text.split()
        assert p.op in (">=", ">", "=", "<=", "<", None)

"""Tasks: table rows and prose task blocks, the same task in both places merged (the
`kehoach_tasks` component), on the seed plans and on small texts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.extractors.deadlines import parse_deadline
from pipeline.extractors.nlp import run_extractors
from pipeline.extractors.units import unit_names
from pipeline.segment import segment

GOLD = Path(__file__).resolve().parents[1] / "annotations" / "tables"

U = {"TT": "Thanh tra Sở", "KHTC": "Phòng Kế hoạch - Tài chính", "GDPT": "Phòng Giáo dục phổ thông",
     "TCHC": "Phòng Tổ chức - Hành chính", "GDNN": "Phòng Giáo dục nghề nghiệp, thường xuyên và mầm non",
     "DV": "Các đơn vị thuộc Sở", "CS": "Các cơ sở giáo dục", "CT": "Đơn vị chủ trì nhiệm vụ"}

# Seed 004's PHỤ LỤC, read against the plan (appendix and §III) and annotations/tables/004_*.json:
# (number, lead units, co-operating units, deadline kind, period start, period end)
SEED_004 = [
    ("1.1", "TT", "DV CS", "quarter", "2025-04", "2025-06"),
    ("1.2", "TCHC", "DV CS", "quarter", "2025-07", "2025-09"),
    ("1.3", "TT", "DV CS", "conditional", None, None),
    ("1.4", "TCHC", "DV CS", "recurring", None, None),
    ("1.5", "TCHC", "DV CS", "recurring", None, None),
    ("1.6", "GDPT GDNN", "DV CS", "recurring", None, None),
    ("1.7", "GDPT GDNN", "DV CS", "recurring", None, None),
    ("1.8", "TCHC", "DV CS", "recurring", None, None),
    ("2.1", "TCHC KHTC", "DV CS", "recurring", None, None),
    ("2.2", "GDPT", "TT CS", "year", "2025", "2025"),
    ("2.3", "GDPT", "TCHC CS", "recurring", None, None),
    ("2.4", "TT", "DV CS", "recurring", None, None),
    ("2.5", "GDPT GDNN TCHC", "TT KHTC CS", "recurring", None, None),
    ("3.1", "GDPT", "TT KHTC CS", "recurring", None, None),
    ("3.2", "GDPT", "TT KHTC CS", "recurring", None, None),
    ("3.3", "GDPT", "TT KHTC CS", "recurring", None, None),
    ("3.4", "GDPT", "TT KHTC CS", "recurring", None, None),
    ("3.5", "GDPT", "CS", "recurring", None, None),
    ("4.1", "TCHC", "DV CS", "recurring", None, None),
    ("4.2", "TT", "GDPT CS", "recurring", None, None),
    ("4.3", "TT", "GDPT CS", "recurring", None, None),
    ("4.4", "GDPT GDNN", "DV CS", "recurring", None, None),
    ("4.5", "GDPT GDNN", "DV CS", "recurring", None, None),
    ("4.6", "GDPT GDNN", "DV CS", "recurring", None, None),
    ("4.7", "GDPT GDNN", "DV CS", "recurring", None, None),
    ("5.1", "TT GDPT GDNN", "DV CS", "recurring", None, None),
    ("5.2", "GDPT", "TT KHTC CS", "recurring", None, None),
    ("5.3", "TT KHTC GDPT", "DV CS", "recurring", None, None),
    ("6.1", "TT", "DV CS", "recurring", None, None),
    ("6.2", "GDPT", "DV CS", "recurring", None, None),
    ("6.3", "KHTC", "DV CS", "recurring", None, None),
    ("7.1", "TT", "DV CS", "recurring", None, None),
    ("7.2", "TCHC", "DV CS", "recurring", None, None),
    ("8.1", "GDPT", "KHTC", "recurring", None, None),
    ("8.2", "KHTC", "DV CS", "recurring", None, None),
    ("8.3", "KHTC", "GDPT GDNN CS", "recurring", None, None),
    ("8.4", "KHTC", "CT CS", "recurring", None, None),
]


def _names(codes: str) -> list[str]:
    return [U[c] for c in codes.split()]


def test_seed_004_has_the_37_tasks_of_its_appendix(seed_docs):
    doc = seed_docs["004"]
    assert [t.id for t in doc.tasks] == [row[0] for row in SEED_004]
    for task, (number, lead, support, kind, start, end) in zip(doc.tasks, SEED_004):
        assert task.lead_units == _names(lead), number
        assert task.support_units == _names(support), number
        assert (task.deadline.kind, task.deadline.period_start, task.deadline.period_end) == (kind, start, end), number
        assert task.implementing_units == []


def test_seed_004_agrees_with_the_gold_appendix(seed_docs):
    """Units and deadlines equal what the reviewed gold cells say, cell by cell."""
    gold = json.loads(next(GOLD.glob("004_*.json")).read_text(encoding="utf-8"))
    rows = gold["tables"][0]["rows"]
    tasks = seed_docs["004"].tasks
    assert len(rows) == len(tasks) == 37
    for task, row in zip(tasks, rows):
        number, text, lead, support, deadline = row["cells"]
        assert task.id == number
        assert task.lead_units == unit_names(lead)
        assert task.support_units == unit_names(support)
        assert task.deadline == parse_deadline(deadline)
        assert task.group == row["group"]


def test_seed_004_prose_and_appendix_are_one_task_each(seed_docs):
    """§III states each task with '- Đơn vị chủ trì / phối hợp / Thời gian thực hiện' lines; the
    appendix repeats it. One task each, with both places; §III prints '2.3.' twice, so its second
    2.3 and its 2.4 are the appendix's 2.4 and 2.5 (matched by their words)."""
    doc = seed_docs["004"]
    sections = {s.id: s for s in doc.sections}
    for task in doc.tasks:
        assert [p.source for p in task.provenance] == ["text", "table"], task.id
        assert task.source == "text" and task.table == "t1" and task.confidence >= 0.95
        text_place, table_place = task.provenance
        assert table_place.row == task.row and table_place.table == "t1"
        assert sections[text_place.section].heading.split()[:4] == task.text.split()[:4]
        assert doc.text[text_place.start:text_place.end].split() == task.text.split()
    by_id = {t.id: t for t in doc.tasks}
    assert sections[by_id["2.4"].section].label == "2.3"
    assert sections[by_id["2.5"].section].label == "2.4"
    assert by_id["2.4"].text.startswith("Thực hiện quy trình giải quyết thủ tục hành chính")
    assert by_id["4.1"].text.endswith("mỗi cơ sở giáo dục có ít nhất 03 Đề tài/sáng kiến được triển khai thực hiện.")
    # where §III and the appendix disagree on units, the appendix is kept and a warning says so
    assert any(w.startswith("task 5.3: lead units differ") for w in doc.warnings)
    assert any(w.startswith("task 4.2: lead units differ") for w in doc.warnings)
    assert any(w == "task 2.4: numbered 2.3 in the text, 2.4 in table t1" for w in doc.warnings)


def test_seed_002_task_and_responsibility_tables(seed_docs):
    """Seed 002 lists its 7 tasks twice: Phụ lục 2 (lead / co-operating office, deadline) and
    Phụ lục 1 (what the Sở, the communes and the schools each do). One task per row, both places."""
    doc = seed_docs["002"]
    assert [t.id for t in doc.tasks] == [str(i) for i in range(1, 8)]
    first = doc.tasks[0]
    assert first.text == "Triển khai cấp học bạ số cho 100% học sinh phổ thông."
    assert first.lead_units == ["Văn phòng Sở"]
    assert first.support_units == ["Phòng Giáo dục Trung học", "Phòng Giáo dục Mầm non - Giáo dục Tiểu học",
                                   "Phòng Giáo dục thường xuyên, Giáo dục nghề nghiệp và Đại học",
                                   "Phòng Kế hoạch - Tài chính"]
    assert first.implementing_units == ["Sở Giáo dục và Đào tạo", "Ủy ban nhân dân cấp xã", "Các cơ sở giáo dục"]
    assert (first.deadline.kind, first.deadline.period_start) == ("month", "2026-06")
    assert [t.lead_units for t in doc.tasks][2] == ["Phòng Quản lý chất lượng"]
    assert doc.tasks[2].support_units[0] == "Văn phòng Sở"  # the cell printed the bare "Văn phòng"
    for task in doc.tasks:
        assert {p.table for p in task.provenance} == {"t1", "t2"} and task.source == "table"
        assert task.lead_units and task.deadline is not None


def test_seed_003_task_table_numbers_restart_per_group(seed_docs):
    doc = seed_docs["003"]
    assert [t.id for t in doc.tasks] == ["I.1", "I.2", "II.1", "II.2", "II.3", "II.4", "II.5", "II.6", "III.1",
                                         "IV.1", "IV.2", "V.1", "VI.1", "VII.1"]
    first = doc.tasks[0]
    assert first.group == "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"
    assert first.lead_units == ["Phòng Giáo dục và Đào tạo", "Các cơ sở giáo dục"]
    assert first.output == "Hội nghị quán triệt"
    assert (first.deadline.kind, first.deadline.period_start) == ("year", "2025")
    assert doc.tasks[6].support_units == ["Các đơn vị cung cấp sản phẩm chuyển đổi số trong giáo dục",
                                          "Các cơ sở giáo dục"]
    assert all(t.lead_units[0] == "Phòng Giáo dục và Đào tạo" for t in doc.tasks)
    assert doc.tasks[2].lead_units == ["Phòng Giáo dục và Đào tạo", "Các cơ sở giáo dục"]  # "- Phòng GDĐT - Các cơ sở"


def test_seed_000_task_table(seed_docs):
    doc = seed_docs["000"]
    assert [t.id for t in doc.tasks] == [str(i) for i in range(1, 24)]
    assert doc.tasks[4].lead_units == ["Trung tâm Phục vụ hành chính công"]
    assert doc.tasks[6].lead_units == ["Sở Giáo dục và Đào tạo", "Phòng Văn hóa - Xã hội"]
    assert doc.tasks[11].lead_units == ["Sở Giáo dục và Đào tạo", "Phòng Kinh tế"]
    assert (doc.tasks[6].deadline.kind, doc.tasks[6].deadline.period_start) == ("range", "2026")
    assert all(t.source == "table" and t.lead_units and t.support_units for t in doc.tasks)


def test_seed_001_has_no_task_list(seed_docs):
    assert seed_docs["001"].tasks == []


def test_every_seed_task_has_a_lead_unit(seed_docs):
    for key, doc in seed_docs.items():
        for task in doc.tasks:
            assert task.lead_units, (key, task.id)
            assert doc.text[task.start:task.end].strip(), (key, task.id)


# --- small texts ----------------------------------------------------------------------------------


def _tasks(text: str):
    return run_extractors(text, segment(text), [], components=("kehoach_units", "kehoach_tasks")).items["tasks"]


def test_a_prose_task_block():
    text = ("III. NHIỆM VỤ\n1. Chuyển đổi số\n1.1. Triển khai học bạ số trong các trường tiểu học.\n"
            "- Đơn vị chủ trì: Phòng Giáo dục Tiểu học.\n- Đơn vị phối hợp: Văn phòng Sở; các trường tiểu học.\n"
            "- Thời gian thực hiện: Quý IV/2026.\n")
    [task] = _tasks(text)
    assert (task.id, task.text, task.source) == ("1.1", "Triển khai học bạ số trong các trường tiểu học.", "text")
    assert task.lead_units == ["Phòng Giáo dục Tiểu học"]
    assert task.support_units == ["Văn phòng Sở", "Các trường tiểu học"]
    assert (task.deadline.kind, task.deadline.period_start, task.deadline.period_end) == ("quarter", "2026-10", "2026-12")
    assert task.group == "1. Chuyển đổi số"


def test_a_list_of_duties_is_not_a_task():
    text = "VI. TỔ CHỨC THỰC HIỆN\n1. Phòng Văn hóa - Xã hội xã\n- Chủ trì:\n+ Xây dựng văn bản hướng dẫn.\n"
    assert _tasks(text) == []


@pytest.mark.parametrize("a, b, same", [
    ("Triển khai thực hiện tuyển sinh đầu cấp theo hình thức trực tuyến trên địa bàn toàn tỉnh.",
     "Triển khai thực hiện tuyển sinh đầu cấp theo hình thức trực tuyến trên địa bàn toàn tỉnh", True),
    ("Triển khai thực hiện tuyển sinh đầu cấp theo hình thức trực tuyến trên địa bàn toàn tỉnh.",
     "Thực hiện quy trình giải quyết thủ tục hành chính lĩnh vực giáo dục theo hướng cho phép sử dụng các giấy tờ "
     "điện tử", False),
])
def test_task_texts_agree_by_their_words(a, b, same):
    from pipeline.extractors.tasks import MATCH_TEXT, _overlap

    assert (_overlap(a, b) >= MATCH_TEXT) == same


# --- prose task blocks as plans write them: label variants -> the task read -------------------

# (lead label, support label, time label and value, output label and value) -> expected
BLOCKS = [
    # unit labels (rules/unit_aliases.yaml `labels`)
    ("- Đơn vị chủ trì: Sở Tài chính.", "- Đơn vị phối hợp: Sở Nội vụ.", "", "", ["Sở Tài chính"], ["Sở Nội vụ"], None, None),
    ("- Cơ quan chủ trì: Sở Tài chính.", "- Cơ quan phối hợp: Sở Nội vụ.", "", "", ["Sở Tài chính"], ["Sở Nội vụ"], None, None),
    ("- Chủ trì: Sở Tài chính.", "- Phối hợp: Sở Nội vụ.", "", "", ["Sở Tài chính"], ["Sở Nội vụ"], None, None),
    ("+ Đơn vị chủ trì: Sở Tài chính", "+ Đơn vị phối hợp: Sở Nội vụ", "", "", ["Sở Tài chính"], ["Sở Nội vụ"], None, None),
    ("• Đơn vị chủ trì: Sở Tài chính;", "• Đơn vị phối hợp: Sở Nội vụ;", "", "", ["Sở Tài chính"], ["Sở Nội vụ"], None, None),
    ("Đơn vị chủ trì: Sở Tài chính.", "Đơn vị phối hợp: Sở Nội vụ.", "", "", ["Sở Tài chính"], ["Sở Nội vụ"], None, None),
    ("- Đơn vị chịu trách nhiệm: Công an tỉnh.", "", "", "", ["Công an tỉnh"], [], None, None),
    ("- Đơn vị chủ trì: Sở GDĐT.", "- Đơn vị phối hợp: Sở Tài chính, Sở Nội vụ.", "", "",
     ["Sở Giáo dục và Đào tạo"], ["Sở Tài chính", "Sở Nội vụ"], None, None),
    ("- Đơn vị chủ trì: Phòng KHTC.", "- Đơn vị phối hợp: Văn phòng Sở; Thanh tra Sở.", "", "",
     ["Phòng Kế hoạch - Tài chính"], ["Văn phòng Sở", "Thanh tra Sở"], None, None),
    ("- Đơn vị chủ trì: Phòng Tổ chức – Hành chính.", "- Đơn vị phối hợp: Các đơn vị thuộc Sở, các cơ sở giáo dục.", "", "",
     ["Phòng Tổ chức - Hành chính"], ["Các đơn vị thuộc Sở", "Các cơ sở giáo dục"], None, None),
    ("- Đơn vị chủ trì: UBND các xã, phường.", "- Đơn vị phối hợp: Công an tỉnh và Sở Tư pháp.", "", "",
     ["Ủy ban nhân dân các xã, phường"], ["Công an tỉnh", "Sở Tư pháp"], None, None),
    ("- Đơn vị chủ trì: Trung tâm Phục vụ hành chính công tỉnh.", "", "", "",
     ["Trung tâm Phục vụ hành chính công tỉnh"], [], None, None),
    ("- Đơn vị chủ trì: Sở Khoa học và Công nghệ.", "- Đơn vị phối hợp: Sở Văn hóa, Thể thao và Du lịch.", "", "",
     ["Sở Khoa học và Công nghệ"], ["Sở Văn hóa, Thể thao và Du lịch"], None, None),
    ("- Đơn vị chủ trì: Sở Nông nghiệp và Môi trường.", "- Đơn vị phối hợp: Các Sở, ban, ngành.", "", "",
     ["Sở Nông nghiệp và Môi trường"], ["Các Sở, ban, ngành"], None, None),
    # time labels (rules/deadlines.yaml `labels`) and what they mean
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "- Thời gian thực hiện: Hằng năm.", "", ["Sở Tài chính"], [], ("recurring", None, None), None),
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "- Thời gian: Quý II/2026.", "", ["Sở Tài chính"], [], ("quarter", "2026-04", "2026-06"), None),
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "- Thời gian hoàn thành: tháng 6/2026.", "", ["Sở Tài chính"], [], ("month", "2026-06", "2026-06"), None),
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "- Thời hạn hoàn thành: trước ngày 30/6/2026.", "", ["Sở Tài chính"], [], ("date", None, "2026-06-30"), None),
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "- Thời hạn: Năm 2026.", "", ["Sở Tài chính"], [], ("year", "2026", "2026"), None),
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "- Tiến độ thực hiện: Thường xuyên.", "", ["Sở Tài chính"], [], ("continuous", None, None), None),
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "- Thời gian thực hiện: Giai đoạn 2026 - 2030.", "", ["Sở Tài chính"], [], ("range", "2026", "2030"), None),
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "- Thời gian thực hiện: Từ năm 2026.", "", ["Sở Tài chính"], [], ("range", "2026", None), None),
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "- Thời gian thực hiện: Năm học 2025-2026.", "", ["Sở Tài chính"], [], ("range", "2025", "2026"), None),
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "- Thời gian thực hiện: Quý III, năm 2025.", "", ["Sở Tài chính"], [], ("quarter", "2025-07", "2025-09"), None),
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "- Thời gian thực hiện: Theo kế hoạch riêng.", "", ["Sở Tài chính"], [], ("conditional", None, None), None),
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "- Thời gian thực hiện: Sau khi có nền tảng cung cấp cho địa phương.", "",
     ["Sở Tài chính"], [], ("conditional", None, None), None),
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "- Thời gian thực hiện: Định kỳ hàng quý.", "", ["Sở Tài chính"], [], ("recurring", None, None), None),
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "- Thời gian thực hiện: 2026 và duy trì các năm tiếp theo.", "",
     ["Sở Tài chính"], [], ("range", "2026", None), None),
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "- Thời gian thực hiện: Hằng năm (trước ngày 10/12).", "", ["Sở Tài chính"], [], ("recurring", None, None), None),
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "- Thời gian thực hiện: Kịp thời.", "", ["Sở Tài chính"], [], ("open", None, None), None),
    # output labels (rules/tasks.yaml)
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "", "- Sản phẩm: Quyết định phê duyệt.", ["Sở Tài chính"], [], None, "Quyết định phê duyệt"),
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "", "- Sản phẩm đầu ra: Báo cáo tổng kết.", ["Sở Tài chính"], [], None, "Báo cáo tổng kết"),
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "", "- Kết quả/sản phẩm: Kế hoạch của UBND tỉnh;", ["Sở Tài chính"], [], None, "Kế hoạch của UBND tỉnh"),
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "", "- Kết quả dự kiến: Cơ sở dữ liệu được cập nhật.", ["Sở Tài chính"], [], None, "Cơ sở dữ liệu được cập nhật"),
    ("- Đơn vị chủ trì: Sở Tài chính.", "", "", "- Hình thức sản phẩm: Văn bản hướng dẫn.", ["Sở Tài chính"], [], None, "Văn bản hướng dẫn"),
    # everything together, in other orders
    ("- Đơn vị chủ trì: Sở Nội vụ.", "- Đơn vị phối hợp: Sở Tài chính.", "- Thời gian thực hiện: Tháng 8/2026.",
     "- Sản phẩm: Đề án trình UBND tỉnh.", ["Sở Nội vụ"], ["Sở Tài chính"], ("month", "2026-08", "2026-08"), "Đề án trình UBND tỉnh"),
    ("- Chủ trì: Công an tỉnh.", "- Phối hợp: Sở Tư pháp, UBND các xã.", "- Thời gian: Năm 2027.", "- Kết quả: Báo cáo.",
     ["Công an tỉnh"], ["Sở Tư pháp", "Ủy ban nhân dân các xã"], ("year", "2027", "2027"), "Báo cáo"),
    ("- Đơn vị chủ trì: Văn phòng Sở.", "- Đơn vị phối hợp: Phòng GDTrH, Phòng GDMN-GDTH.", "- Thời gian thực hiện: Hằng năm.", "",
     ["Văn phòng Sở"], ["Phòng Giáo dục Trung học", "Phòng Giáo dục Mầm non - Giáo dục Tiểu học"], ("recurring", None, None), None),
    ("- Đơn vị chủ trì: Thanh tra Sở.", "- Đơn vị phối hợp: Phòng QLCL.", "- Thời gian thực hiện: Trong năm 2025.", "",
     ["Thanh tra Sở"], ["Phòng Quản lý chất lượng"], ("year", "2025", "2025"), None),
    ("- Đơn vị chủ trì: Phòng GDTX, GDNN&ĐH.", "", "- Thời gian thực hiện: Quý IV/2025.", "",
     ["Phòng Giáo dục thường xuyên, Giáo dục nghề nghiệp và Đại học"], [], ("quarter", "2025-10", "2025-12"), None),
    ("- Đơn vị chủ trì: Phòng Văn hóa - Xã hội.", "- Đơn vị phối hợp: Trạm Y tế xã.", "- Thời gian thực hiện: Thường xuyên.", "",
     ["Phòng Văn hóa - Xã hội"], ["Trạm Y tế xã"], ("continuous", None, None), None),
]


@pytest.mark.parametrize("lead, support, time, output, leads, supports, deadline, product", BLOCKS,
                         ids=[f"{i}:{b[0][:30]}|{(b[2] or b[3])[:30]}" for i, b in enumerate(BLOCKS)])
def test_prose_task_block_phrasings(lead, support, time, output, leads, supports, deadline, product):
    lines = [line for line in (lead, support, time, output) if line]
    text = "II. NHIỆM VỤ, GIẢI PHÁP\n1. Cải cách hành chính\n1.2. Rà soát thủ tục hành chính thuộc thẩm quyền.\n" + "\n".join(lines) + "\n"
    [task] = _tasks(text)
    assert (task.id, task.text) == ("1.2", "Rà soát thủ tục hành chính thuộc thẩm quyền.")
    assert (task.lead_units, task.support_units) == (leads, supports)
    meaning = None if task.deadline is None else (task.deadline.kind, task.deadline.period_start, task.deadline.period_end)
    assert meaning == deadline
    assert task.output == product


def test_there_are_at_least_forty_block_phrasings():
    assert len(BLOCKS) >= 40

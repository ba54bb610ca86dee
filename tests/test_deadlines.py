"""The deadline grammar (rules/deadlines.yaml): time frames as plans write them -> kind and period."""

from __future__ import annotations

import pytest

from pipeline.extractors.deadlines import Deadline, parse_deadline

D = Deadline

CASES = [
    # dates
    ("30/6/2026", "date", "2026-06-30", "2026-06-30", None),
    ("ngày 15/5/2026", "date", "2026-05-15", "2026-05-15", None),
    ("ngày 25 tháng 01 năm 2022", "date", "2022-01-25", "2022-01-25", None),
    ("Trước ngày 01/01/2030", "date", None, "2030-01-01", None),
    ("hoàn thành trước ngày 31/12/2025.", "date", None, "2025-12-31", None),
    ("31.12.2026", "date", "2026-12-31", "2026-12-31", None),
    # months
    ("Tháng 6/2026", "month", "2026-06", "2026-06", None),
    ("Tháng 8/2026", "month", "2026-08", "2026-08", None),
    ("Xong trong tháng 5/2026", "month", "2026-05", "2026-05", None),
    ("tháng 10 năm 2025", "month", "2025-10", "2025-10", None),
    ("Trong tháng 3-2026", "month", "2026-03", "2026-03", None),
    ("6/2026", "month", "2026-06", "2026-06", None),
    # quarters
    ("Quý II, năm 2025", "quarter", "2025-04", "2025-06", None),
    ("Quý II, năm\n2025.", "quarter", "2025-04", "2025-06", None),
    ("Quý III, năm 2025.", "quarter", "2025-07", "2025-09", None),
    ("Xong trong Quý II/2026", "quarter", "2026-04", "2026-06", None),
    ("Quý IV/2025", "quarter", "2025-10", "2025-12", None),
    ("quý 1 năm 2026", "quarter", "2026-01", "2026-03", None),
    # years and ranges
    ("Trong năm 2025", "year", "2025", "2025", None),
    ("Trong năm\n2025", "year", "2025", "2025", None),
    ("2025", "year", "2025", "2025", None),
    ("Năm 2026", "year", "2026", "2026", None),
    ("Đến năm 2030", "year", None, "2030", None),
    ("trước năm 2028", "year", None, "2028", None),
    ("2026-2030", "range", "2026", "2030", None),
    ("giai đoạn 2025 - 2030", "range", "2025", "2030", None),
    ("Giai đoạn 2026–2030", "range", "2026", "2030", None),
    ("năm học 2025-2026", "range", "2025", "2026", "school_year"),
    ("Năm học 2025 - 2026", "range", "2025", "2026", "school_year"),
    ("Từ năm 2026", "range", "2026", None, None),
    ("từ 2027", "range", "2027", None, None),
    ("2026 và duy trì", "range", "2026", None, None),
    ("2026 và duy trì hằng năm", "range", "2026", None, None),
    # recurring and continuous
    ("Hằng năm", "recurring", None, None, "yearly"),
    ("Hàng năm", "recurring", None, None, "yearly"),
    ("hàng năm (trước ngày 10/12)", "recurring", None, None, "yearly"),
    ("Hằng năm và theo phong trào thi đua của tỉnh", "recurring", None, None, "yearly"),
    ("Hàng năm và thường xuyên", "recurring", None, None, "yearly"),
    ("Định kỳ hàng quý (trước ngày 05 tháng cuối quý)", "recurring", None, None, "quarterly"),
    ("Hằng quý", "recurring", None, None, "quarterly"),
    ("hằng tháng", "recurring", None, None, "monthly"),
    ("Theo năm học", "recurring", None, None, "school_year"),
    ("Thường xuyên", "continuous", None, None, None),
    ("Thường \nxuyên", "continuous", None, None, None),
    ("Liên tục", "continuous", None, None, None),
    # conditional
    ("Theo kế hoạch riêng", "conditional", None, None, None),
    ("Sau khi có nền tảng cung cấp cho địa phương", "conditional", None, None, None),
    ("Khi có yêu cầu", "conditional", None, None, None),
    ("Theo chỉ đạo của UBND tỉnh", "conditional", None, None, None),
    # open: kept, never dropped
    ("Sớm nhất có thể", "open", None, None, None),
    ("Kịp thời", "open", None, None, None),
]


@pytest.mark.parametrize("text, kind, start, end, recurrence", CASES, ids=[c[0].replace("\n", " ") for c in CASES])
def test_deadline_grammar(text, kind, start, end, recurrence):
    deadline = parse_deadline(text)
    assert (deadline.kind, deadline.period_start, deadline.period_end, deadline.recurrence) == (
        kind, start, end, recurrence
    )
    assert deadline.text == " ".join(text.split()).strip(" .;,")


def test_there_are_at_least_forty_phrasings():
    assert len(CASES) >= 40


def test_every_deadline_of_the_seed_tables_is_read(seed_docs):
    """No deadline cell of a seed's task tables stays 'open'."""
    cells = [
        row.cells[k]
        for key in ("000", "002", "003", "004")
        for table in seed_docs[key].tables
        for k, column in enumerate(table.columns)
        if column.role == "deadline"
        for row in table.rows
        if row.cells[k]
    ]
    assert len(cells) >= 80
    assert [c for c in cells if parse_deadline(c).kind == "open"] == []


# --- The deadline component: time frames found in a plan -------------------------------------

from pipeline.extractors.nlp import run_extractors  # noqa: E402

PROSE = [
    ("Hoàn thành trước ngày 25/4/2025.", [("trước ngày 25/4/2025", "date")]),
    ("Báo cáo kết quả định kỳ hằng tháng về Sở.", [("định kỳ hằng tháng", "recurring")]),
    ("phấn đấu đến năm 2030 đạt 100% trường học", [("đến năm 2030", "year")]),
    ("Kế hoạch chuyển đổi số giai đoạn 2025-2030", [("giai đoạn 2025-2030", "range")]),
    ("tổ chức trong năm học 2025-2026", [("năm học 2025-2026", "range")]),
    ("Số học sinh năm 2025 tăng", [("năm 2025", "year")]),
    ("tổ chức sơ kết vào Quý III/2025", [("Quý III/2025", "quarter")]),
    ("áp dụng từ năm 2026", [("từ năm 2026", "range")]),
    ("Hoàn thành trong tháng 6/2026.", [("tháng 6/2026", "month")]),
    ("khai trương ngày 15 tháng 5 năm 2026", [("ngày 15 tháng 5 năm 2026", "date")]),
    ("rà soát hằng năm và đến hết năm 2025", [("hằng năm", "recurring"), ("đến hết năm 2025", "year")]),
    # bare numbers are document numbers, and "thường xuyên" in prose is an adverb
    ("Căn cứ Nghị định số 30/2020/NĐ-CP", []),
    ("thường xuyên kiểm tra, đôn đốc", []),
    ("đạt 2025 lượt truy cập", []),
]


@pytest.mark.parametrize("text, expected", PROSE, ids=[p[0] for p in PROSE])
def test_time_frames_in_prose(text, expected):
    found = run_extractors(text, [], [], components=("kehoach_deadlines",)).items["deadlines"]
    assert [(d.text, d.kind) for d in found] == expected
    assert all(text[d.start:d.end] == d.text for d in found)


def test_a_time_label_line_gives_its_value_with_offsets():
    text = "4.1. Đẩy mạnh tuyên truyền\n- Đơn vị chủ trì: Văn phòng Sở.\n- Thời gian thực hiện: Hằng năm. \n"
    [found] = run_extractors(text, [], [], components=("kehoach_deadlines",)).items["deadlines"]
    assert (found.text, found.kind, found.recurrence, found.confidence) == ("Hằng năm", "recurring", "yearly", 0.95)
    assert text[found.start:found.end] == "Hằng năm"


def test_seed_004_time_lines_and_table_cells(seed_docs):
    """Seed 004 §III gives each of its 37 tasks a '- Thời gian thực hiện:' line (read from the text:
    Quý II and Quý III 2025, one conditional, 'Trong năm 2025', the rest yearly); its appendix
    repeats them in a deadline column, one mention per row."""
    doc = seed_docs["004"]
    labels = [d for d in doc.deadlines if d.table is None and d.confidence == 0.95]
    assert len(labels) == 37
    kinds = [d.kind for d in labels]
    assert kinds.count("recurring") == 33
    assert [d.text for d in labels if d.kind != "recurring"] == [
        "Quý II, năm 2025", "Quý III, năm 2025", "Sau khi có nền tảng cung cấp cho địa phương", "Trong năm 2025"]
    cells = [d for d in doc.deadlines if d.table is not None]
    assert len(cells) == 37
    assert all(doc.text[d.start:d.end].split() == d.text.split() for d in cells)
    assert {(d.table, d.row) for d in cells} == {(cells[0].table, r) for r in range(37)}

"""Flattened tables (one cell fragment per line, as PDF text gives them): seeds 002, 003, 004.

The gold tables in annotations/tables/ were read cell by cell against each plan's
appendix (see their `review` notes); every row and cell of every table is compared.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from pipeline.extract import extract_document
from pipeline.segment import paragraphs_of
from pipeline.tables import classifier, cues
from pipeline.tables.classifier import RuleScorer, load_model
from pipeline.tables.flattened import (
    Piece,
    assign_columns,
    boundaries,
    build_table,
    read_flat_tables,
    split_glued,
    split_header,
)

ROOT = Path(__file__).resolve().parents[1]
GOLD = sorted((ROOT / "annotations" / "tables").glob("*.json"))


def _flat_tables(doc):
    return [t for t in doc.tables if t.shape == "flattened"]


@pytest.fixture(scope="module")
def docs():
    return {g.stem: extract_document(ROOT / "corpus" / json.loads(g.read_text())["document"]) for g in GOLD}


@pytest.mark.parametrize("gold_file", GOLD, ids=lambda p: p.stem[:3])
def test_every_row_and_cell_matches_the_gold(gold_file, docs):
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    assert gold["review"]["status"] == "reviewed"
    tables = _flat_tables(docs[gold_file.stem])
    assert [len(t.rows) for t in tables] == [len(t["rows"]) for t in gold["tables"]]
    for table, gold_table in zip(tables, gold["tables"]):
        assert [c.name for c in table.columns] == gold_table["columns"]
        for row, gold_row in zip(table.rows, gold_table["rows"]):
            assert row.cells == gold_row["cells"], row.cells[0]
            assert row.group == gold_row["group"]


def test_seed_002_tables(docs):
    pl1, pl2 = _flat_tables(docs["002_972056788dbd10e4"])
    assert pl1.kind == "responsibilities" and [c.role for c in pl1.columns].count("implementer") == 3
    assert pl1.rows[1].cells[1] == (
        "Triển khai, tạo lập Cơ sở dữ liệu văn bằng, chứng chỉ số theo hướng dẫn của Bộ GDĐT và UBND thành phố."
    )
    assert pl1.rows[4].cells[4].endswith("khai thác dữ liệu phục vụ giải quyết TTHC; phối hợp chia sẻ dữ liệu, giảm hồ sơ giấy.")
    assert pl2.kind == "tasks" and pl2.caption.startswith("PHÂN CÔNG THỰC HIỆN CÁC NHIỆM VỤ")
    assert pl2.rows[0].cells[2:] == [
        "Văn phòng Sở",
        "Phòng GDTrH Phòng GDMN-GDTH Phòng GDTX, GDNN&ĐH Phòng KHTC",
        "Tháng 6/2026",
    ]
    assert pl2.rows[2].cells[2:] == ["Phòng QLCL", "Văn phòng Phòng GDTrH Phòng GDMN-GDTH", "Tháng 8/2026"]
    assert pl2.rows[4].cells[2:] == ["Văn phòng Sở", "Các phòng chuyên môn, nghiệp vụ Sở", "Thường xuyên"]
    assert pl2.page_start is None  # a text file has no pages


def test_seed_003_tables(docs):
    indicators, tasks = _flat_tables(docs["003_aa9e29c94280bf41"])
    assert [(c.role, c.year) for c in indicators.columns] == [
        ("seq", None), ("indicator", None), ("target", 2030), ("target", 2045)
    ]
    assert indicators.rows[0].cells[2:] == [
        "> 95% cơ sở giáo dục phổ thông và giáo dục thường xuyên; > 90% cơ sở giáo dục mầm non và cơ quan quản lý giáo dục.",
        "100%",
    ]
    assert indicators.rows[1].cells == [
        "2", "Cơ sở giáo dục triển khai ký số trên các hệ thống sổ sách, sổ điểm, học bạ số", "100%", "100%"
    ]
    assert indicators.rows[3].cells[2:] == ["95%", "100%"]
    assert [c.role for c in tasks.columns] == ["seq", "task", "lead", "support", "deadline", "output"]
    groups = list(dict.fromkeys(r.group for r in tasks.rows))
    assert len(groups) == 7 and groups[0] == "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"
    assert tasks.rows[0].cells[2:] == ["- Phòng GDĐT - Các cơ sở giáo dục", "", "2025", "Hội nghị quán triệt"]
    assert tasks.rows[7].cells[2:] == ["Phòng GDĐT", "Các đơn vị liên quan", "Theo kế hoạch riêng", "Các chương trình biểu dương"]
    assert tasks.rows[8].cells[2:4] == ["Phòng GDĐT", "Các cơ sở giáo dục"]  # printed on one line
    assert [r.cells[0] for r in tasks.rows] == ["1", "2", "1", "2", "3", "4", "5", "6", "1", "1", "2", "1", "1", "1"]


def test_seed_004_table(docs):
    (table,) = _flat_tables(docs["004_a9d6e94571fd01cb"])
    assert [r.cells[0] for r in table.rows][:3] == ["1.1", "1.2", "1.3"] and table.rows[-1].cells[0] == "8.4"
    assert len(table.rows) == 37
    groups = list(dict.fromkeys(r.group for r in table.rows))
    assert len(groups) == 8 and groups[5] == (
        "6. Nâng cao thứ hạng các chỉ số cải cách hành chính, đổi mới sáng tạo, chuyển đổi số tỉnh Quảng Ninh"
    )
    by_seq = {r.cells[0]: r.cells for r in table.rows}
    assert by_seq["1.1"][2:] == ["Thanh tra Sở", "Các đơn vị thuộc Sở, các cơ sở giáo dục.", "Quý II, năm 2025."]
    assert by_seq["2.5"][2:4] == [
        "Phòng Giáo dục phổ thông; Phòng Giáo dục nghề nghiệp, thường xuyên, mầm non; Phòng Tổ chức - Hành chính",
        "Thanh tra Sở, Phòng Kế hoạch - Tài chính, các cơ sở giáo dục",
    ]
    assert by_seq["3.5"][2:] == ["Phòng Giáo dục phổ thông", "Các cơ sở giáo dục", "Hằng năm"]
    # the end of 4.1's task was printed after its deadline, on the next page
    assert by_seq["4.1"][1].endswith("viên chức ngành giáo dục. Phấn đấu hằng năm, mỗi đơn vị thuộc Sở GDĐT có ít nhất "
                                     "01 Đề tài/sáng kiến và mỗi cơ sở giáo dục có ít nhất 03 Đề tài/sáng kiến được triển khai thực hiện.")
    assert by_seq["4.1"][4] == "Hằng năm"
    assert by_seq["1.8"][4] == "Hằng năm và theo phong trào thi đua của tỉnh"
    assert by_seq["1.3"][4] == "Sau khi có nền tảng cung cấp cho địa phương"


# --------------------------------------------------------------------------
# An unseen layout: other wording, other units, other deadlines
# --------------------------------------------------------------------------

UNSEEN = """PHỤ LỤC
DANH MỤC NHIỆM VỤ
TT Nội dung công việc Cơ quan chủ trì Cơ quan phối hợp
Thời hạn hoàn thành
Sản phẩm
A. NHIỆM VỤ CHUNG
1
Rà soát, sửa đổi quy chế quản lý
dữ liệu dùng chung của tỉnh.
Sở Khoa học và
Công nghệ
Sở Tài chính; UBND các huyện, thị xã,
thành phố
Quý III/2026
Quyết định của UBND tỉnh
2
Xây dựng kho dữ liệu mở.
Văn phòng UBND tỉnh Các sở, ban, ngành
Trước ngày 30/6/2027
Kho dữ liệu
TT Nội dung công việc Cơ quan chủ trì Cơ quan phối hợp
Thời hạn hoàn thành
Sản phẩm
3
Tập huấn kỹ năng số cho cán bộ cấp xã.
Sở Nội vụ
Hằng năm
Lớp tập huấn"""


def test_an_unseen_layout_is_rebuilt():
    (flat,) = read_flat_tables(paragraphs_of(UNSEEN))
    table = build_table(flat, UNSEEN, RuleScorer(), lambda _: None, None, "t1")
    assert [c.role for c in table.columns] == ["seq", "task", "lead", "support", "deadline", "output"]
    assert [r.cells for r in table.rows] == [
        ["1", "Rà soát, sửa đổi quy chế quản lý dữ liệu dùng chung của tỉnh.", "Sở Khoa học và Công nghệ",
         "Sở Tài chính; UBND các huyện, thị xã, thành phố", "Quý III/2026", "Quyết định của UBND tỉnh"],
        ["2", "Xây dựng kho dữ liệu mở.", "Văn phòng UBND tỉnh", "Các sở, ban, ngành", "Trước ngày 30/6/2027",
         "Kho dữ liệu"],
        ["3", "Tập huấn kỹ năng số cho cán bộ cấp xã.", "Sở Nội vụ", "", "Hằng năm", "Lớp tập huấn"],
    ]


# --------------------------------------------------------------------------
# The steps
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, names",
    [
        ("STT Nhiệm vụ Phòng chủ trì Phòng phối hợp", ["STT", "Nhiệm vụ", "Phòng chủ trì", "Phòng phối hợp"]),
        ("Stt Chỉ tiêu Đến năm 2030 Đến 2045", ["Stt", "Chỉ tiêu", "Đến năm 2030", "Đến 2045"]),
        ("STT Nhiệm vụ Trách nhiệm của Sở GDĐT Trách nhiệm của UBND cấp xã",
         ["STT", "Nhiệm vụ", "Trách nhiệm của Sở GDĐT", "Trách nhiệm của UBND cấp xã"]),
        ("Số TT Tên nhiệm vụ Sở, ngành chủ trì Thời gian", ["Số TT", "Tên nhiệm vụ", "Sở, ngành chủ trì", "Thời gian"]),
        ("TT Nhiệm vụ của các Sở", None),  # not a header: "của các Sở" names no column
        ("1. Mục tiêu chung", None),
    ],
)
def test_split_header(line, names):
    assert split_header(line) == names


def test_glued_cells_are_cut():
    def texts(line, **kw):
        return [p.text for p in split_glued(line, 0, 0, **{"values": True, "deadlines": True, **kw})]

    assert texts("Phòng GDĐT Các cơ sở giáo dục") == ["Phòng GDĐT", "Các cơ sở giáo dục"]
    assert texts("Các cơ sở giáo dục Hằng năm") == ["Các cơ sở giáo dục", "Hằng năm"]
    assert texts("… học bạ số 100% 100%") == ["… học bạ số", "100%", "100%"]
    assert texts("thông); > 90 (mầm non)") == ["thông); > 90 (mầm non)"]
    assert texts("Văn phòng Sở") == ["Văn phòng Sở"]
    assert texts("Phòng Tổ chức -") == ["Phòng Tổ chức -"]
    assert texts("đạt 95% 100%", values=False) == ["đạt 95% 100%"]  # no target column: nothing to cut


def _pieces(*lines):
    return [Piece(t, 0, len(t), i) for i, t in enumerate(lines)]


def test_boundaries():
    kinds = boundaries(_pieces("Phòng Tổ chức", "- Hành chính", "Các đơn vị thuộc", "Sở, các cơ sở giáo dục", "Hằng năm"))
    assert kinds == ["start", "continues", "new", "continues", "new"]
    assert boundaries(_pieces("- Phòng GDĐT", "- Các cơ sở giáo dục"))[1] == "continues"
    assert boundaries(_pieces("… trên địa bàn tỉnh", "Quảng Ninh."))[1] == "open"


def test_the_path_never_goes_back_a_column():
    pieces = _pieces("Tổ chức tập huấn.", "Sở Nội vụ", "Hằng năm", "Sở Tài chính")
    roles = ["task", "lead", "deadline"]
    kinds = boundaries(pieces)
    path = assign_columns(kinds, roles, RuleScorer().fit(pieces, kinds, roles))
    assert path == sorted(path) and path[:3] == [0, 1, 2]
    assert path[3] == 2  # a unit after the deadline cannot go back to the lead column


def test_deadline_cues():
    for text in ["Quý II, năm 2025.", "Hằng năm", "Thường xuyên", "Tháng 6/2026", "Theo kế hoạch riêng",
                 "Xong trong Quý II/2026", "trước ngày 01/01/2030", "Theo năm học", "2025",
                 "Quý II, năm", "Trong năm", "6/2026", "Theo kế hoạch của UBND tỉnh"]:
        assert cues.is_deadline(text), text
    # a condition takes its complement; a wrapped task end after a time frame is not part of it
    assert cues.starts_with_deadline("Theo kế hoạch riêng") == len("Theo kế hoạch riêng")
    assert cues.starts_with_deadline("Hằng năm đấu hằng năm, mỗi đơn vị") == len("Hằng năm")
    for text in ["Phòng GDĐT", "Hội nghị quán triệt", "Tháng Ba thanh niên"]:
        assert not cues.is_deadline(text), text


# --------------------------------------------------------------------------
# The model: present, missing or stale
# --------------------------------------------------------------------------


@pytest.mark.parametrize("choice, scorer_name", [("rules", "rules"), ("model", "rules+model")])
def test_each_scorer_rebuilds_the_seeds(monkeypatch, choice, scorer_name):
    """KEHOACH_TABLE_SCORER picks the scorer the pipeline uses; both rebuild the (training) seeds."""
    monkeypatch.setenv("KEHOACH_TABLE_SCORER", choice)
    classifier.default_scorer.cache_clear()
    try:
        assert classifier.default_scorer().name == scorer_name
        for gold_file in GOLD:
            gold = json.loads(gold_file.read_text(encoding="utf-8"))
            tables = _flat_tables(extract_document(ROOT / "corpus" / gold["document"]))
            assert [[r.cells for r in t.rows] for t in tables] == [[r["cells"] for r in t["rows"]] for t in gold["tables"]]
    finally:
        monkeypatch.delenv("KEHOACH_TABLE_SCORER")
        classifier.default_scorer.cache_clear()


def test_the_saved_model_loads_with_its_card():
    model = load_model()
    assert model is not None, "models/table_fragments.joblib is missing: run `kehoach train`"
    metrics = json.loads((ROOT / "models" / "table_fragments.metrics.json").read_text())
    assert set(metrics["leave_one_plan_out"]) >= {json.loads(g.read_text())["document"] for g in GOLD}
    assert (ROOT / "models" / "table_fragments.md").read_text().count("leave one plan out") == 1


def test_a_stale_model_falls_back_to_the_rules(tmp_path):
    import joblib

    stale = tmp_path / "m.joblib"
    joblib.dump({"pipeline": None, "layouts": [], "feature_version": -1, "sklearn": "0"}, stale)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert load_model(stale) is None
    assert "using the rules" in str(caught[0].message)
    assert load_model(tmp_path / "missing.joblib") is None
    (tmp_path / "junk.joblib").write_bytes(b"not a model")
    with pytest.warns(UserWarning, match="cannot load"):
        assert load_model(tmp_path / "junk.joblib") is None


def test_training_reproduces_the_recorded_figures(tmp_path):
    """`kehoach train` gives the leave-one-plan-out figures the model card records, and the saved
    model, forced into the pipeline, scores each training plan as recorded."""
    from pipeline.tables import training

    recorded = json.loads((ROOT / "models" / "table_fragments.metrics.json").read_text())
    metrics = training.run(out=tmp_path / "m.joblib")
    assert metrics["leave_one_plan_out"] == recorded["leave_one_plan_out"]
    assert metrics["preferred"] == recorded["preferred"]
    model = load_model(tmp_path / "m.joblib")
    for plan in training.gold_plans():
        assert training.score(plan, model) == recorded["training_set"][plan.name]

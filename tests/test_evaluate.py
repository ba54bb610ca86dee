"""The scorer on hand-made cases: a miss, a false positive, a partial match, a wrong date, and
what --compare says a change fixed and broke."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.evaluate import Aligner, MatchSettings, compare_runs, evaluate, iou
from pipeline.model import Citation, DeadlineMention, Document, DocumentInfo, Percentage

TEXT = (
    "Căn cứ Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị và Quyết định số 131/QĐ-TTg.\n"
    "Phấn đấu 95% trường học đạt chuẩn trước ngày 30/6/2025.\n"
)


def at(text: str, part: str) -> tuple[int, int]:
    start = TEXT.index(part)
    return start, start + len(part)


def citation(part: str, number: str, date: str | None) -> Citation:
    start, end = at(TEXT, part)
    return Citation(part, "Nghị quyết", number, date, None, None, number, start, end, None, None, 1.0)


def percentage(part: str, value: float) -> Percentage:
    start, end = at(TEXT, part)
    return Percentage(part, value, None, None, start, end, None, None, 1.0)


def deadline(part: str) -> DeadlineMention:
    start, end = at(TEXT, part)
    return DeadlineMention(part, "date", "2025-06-30", "2025-06-30", None, start, end, None, None, 1.0)


NQ57 = "Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị"
QD131 = "Quyết định số 131/QĐ-TTg"


def doc(**items) -> Document:
    return Document(DocumentInfo(id="0" * 16, source="plan.txt", format="txt"), TEXT, **items)


def gold() -> Document:
    return doc(citations=[citation(NQ57, "57-NQ/TW", "2024-12-22"), citation(QD131, "131/QĐ-TTg", None)],
               percentages=[percentage("95%", 95.0)], deadlines=[deadline("trước ngày 30/6/2025")])


def test_perfect_prediction_scores_one():
    ev = evaluate([(gold(), gold())])
    for kind in ("citations", "percentages", "deadlines"):
        s = ev.kinds[kind]
        assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0), kind
    assert ev.fields["citations.issued_date"].tp == 1


def test_a_miss_lowers_recall_only():
    pred = gold()
    pred.citations = pred.citations[:1]  # Quyết định 131 not found
    s = evaluate([(gold(), pred)]).kinds["citations"]
    assert (s.tp, s.fp, s.fn) == (1, 0, 1)
    assert (s.precision, s.recall) == (1.0, 0.5)
    assert abs(s.f1 - 2 / 3) < 1e-9
    misses = [o for o in evaluate([(gold(), pred)]).outcomes if o.status == "miss"]
    assert [(o.kind, o.text, o.start) for o in misses] == [("citations", QD131, TEXT.index(QD131))]


def test_a_false_positive_lowers_precision_only():
    pred = gold()
    pred.percentages.append(percentage("2025", 2025.0))  # a year read as a percentage
    ev = evaluate([(gold(), pred)])
    s = ev.kinds["percentages"]
    assert (s.tp, s.fp, s.fn) == (1, 1, 0)
    assert (s.precision, s.recall) == (0.5, 1.0)
    fp = [o for o in ev.outcomes if o.status == "false_positive"]
    assert [(o.kind, o.text) for o in fp] == [("percentages", "2025")]
    assert ev.fields["percentages.value"].fp == 1  # its value is a wrong value too


def test_a_partial_match_is_a_miss_and_a_false_positive():
    pred = gold()
    short = "30/6/2025"  # the comparator "trước ngày" left out: IoU 9/20 < 0.5
    start, end = at(TEXT, short)
    pred.deadlines = [DeadlineMention(short, "date", "2025-06-30", "2025-06-30", None, start, end, None, None, 1.0)]
    ev = evaluate([(gold(), pred)])
    s = ev.kinds["deadlines"]
    assert (s.tp, s.fp, s.fn) == (0, 1, 1)
    [partial] = [o for o in ev.outcomes if o.kind == "deadlines"]
    assert (partial.status, partial.text, partial.predicted) == ("partial", "trước ngày 30/6/2025", short)
    # a looser overlap threshold accepts it as the same item
    loose = evaluate([(gold(), pred)], MatchSettings(span_overlap=0.4)).kinds["deadlines"]
    assert (loose.tp, loose.fp, loose.fn) == (1, 0, 0)


def test_a_wrong_date_is_a_match_with_a_wrong_field():
    pred = gold()
    pred.citations[0].issued_date = "2024-12-02"
    ev = evaluate([(gold(), pred)])
    assert ev.kinds["citations"].f1 == 1.0  # the item is found
    date = ev.fields["citations.issued_date"]
    assert (date.tp, date.fp, date.fn) == (0, 1, 1)  # its date is not
    assert ev.fields["citations.number"].f1 == 1.0
    [wrong] = [o for o in ev.outcomes if o.wrong]
    assert wrong.wrong == {"issued_date": {"gold": "2024-12-22", "predicted": "2024-12-02"}}


def test_offsets_are_aligned_when_the_prediction_text_differs():
    pred = gold()
    shifted = "Ghi chú đầu trang.\n" + TEXT.replace("Phấn đấu", "Phấn  đấu")
    pred.text = shifted
    for item in pred.citations + pred.percentages + pred.deadlines:
        item.start, item.end = shifted.index(item.text), shifted.index(item.text) + len(item.text)
    ev = evaluate([(gold(), pred)])
    assert all(ev.kinds[k].f1 == 1.0 for k in ("citations", "percentages", "deadlines"))
    align = Aligner(TEXT, shifted)
    assert align.to_gold(shifted.index("95%")) == TEXT.index("95%")


def test_iou():
    assert iou((0, 10), (0, 10)) == 1.0
    assert iou((0, 10), (5, 15)) == 5 / 15
    assert iou((0, 10), (10, 20)) == 0.0


def test_compare_lists_what_a_change_fixed_and_broke():
    before = gold()
    before.citations = before.citations[:1]  # misses QĐ 131
    after = gold()
    after.percentages = []  # finds QĐ 131, loses 95%
    base = evaluate([(gold(), before)]).to_json()
    now = evaluate([(gold(), after)]).to_json()
    c = compare_runs(base, now)
    assert [(o["kind"], o["text"]) for o in c.fixed] == [("citations", QD131)]
    assert [(o["kind"], o["text"]) for o in c.broken] == [("percentages", "95%")]
    assert c.kinds["citations"] == (base["kinds"]["citations"]["f1"], 1.0)


def _write_gold(folder, document: Document, status: str = "reviewed"):
    data = document.to_json()
    data["review"] = {"status": status, "source": "plan.txt", "method": "built by hand in the test"}
    (folder / "gold").mkdir(parents=True, exist_ok=True)
    (folder / "gold" / "plan.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_cli_scores_predicted_json_and_compares(tmp_path):
    _write_gold(tmp_path / "ann", gold())
    pred = gold()
    pred.citations = pred.citations[:1]
    (tmp_path / "pred").mkdir()
    (tmp_path / "pred" / "x.json").write_text(json.dumps(pred.to_json(), ensure_ascii=False), encoding="utf-8")
    runner = CliRunner()
    base = tmp_path / "base.json"
    result = runner.invoke(app, ["evaluate", "--gold", str(tmp_path / "ann"), "--pred", str(tmp_path / "pred"),
                                 "--out", str(base)])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if line.startswith("citations "))
    assert row.split()[1:] == ["2", "1", "1.000", "0.500", "0.667"]
    assert f"citations @{TEXT.index(QD131)}: {QD131}" in result.output
    (tmp_path / "pred" / "x.json").write_text(json.dumps(gold().to_json(), ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "--gold", str(tmp_path / "ann"), "--pred", str(tmp_path / "pred"),
                                 "--compare", str(base)])
    assert result.exit_code == 0, result.output
    assert "fixed (1):" in result.output and "broken (0):" in result.output
    assert "citations    0.667 → 1.000  (+0.333)" in result.output


def test_cli_refuses_drafts_with_one_line(tmp_path):
    _write_gold(tmp_path / "ann", gold(), status="draft")
    result = CliRunner().invoke(app, ["evaluate", "--gold", str(tmp_path / "ann"), "--pred", str(tmp_path)])
    assert result.exit_code == 2
    assert "plan.json: a draft" in result.output and len(result.output.strip().splitlines()) == 1


def test_cli_names_a_missing_or_broken_prediction(tmp_path):
    _write_gold(tmp_path / "ann", gold())
    runner = CliRunner()
    missing = runner.invoke(app, ["evaluate", "--gold", str(tmp_path / "ann"), "--pred", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "nope: not found" in missing.output
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    broken = runner.invoke(app, ["evaluate", "--gold", str(tmp_path / "ann"), str(tmp_path / "bad.json")])
    assert broken.exit_code == 2 and "bad.json: not a kehoach document JSON" in broken.output
    assert len(broken.output.strip().splitlines()) == 1

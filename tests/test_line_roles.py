"""The line-role classifier: its labelled data, its model file, and its say in normalization."""

from __future__ import annotations

import json
import warnings

import pytest

from pipeline import line_roles as LR
from pipeline.load.base import LoadedText, OffsetMap
from pipeline.normalize import Line, clean_line, extract_footnotes, join_wrapped_lines, normalize, drop_page_furniture
from tests.conftest import ROOT
from tests.render import FONT_DIR

DATA = sorted(LR.DATA_DIR.glob("*.jsonl"))
SEED_FILES = [p for p in DATA if p.name[:3].isdigit()]
REAL_FILES = [p for p in DATA if not p.name[:3].isdigit()]
MODEL_FILE = ROOT / "models" / "line_roles.joblib"


def _doc(prefix: str) -> LR.LabelledDoc:
    return LR.read_data(next(p for p in DATA if p.name.startswith(prefix)))


def _line(doc: LR.LabelledDoc, text: str, after: int = -1) -> LR.LabelledLine:
    """The first line after index `after` that is `text`, else the first that starts with it."""
    later = [ln for ln in doc.lines if ln.line > after]
    return next((ln for ln in later if ln.text.strip() == text), None) or next(
        ln for ln in later if ln.text.strip().startswith(text))


def _pdf_like(pages: list[list[str]]) -> LoadedText:
    """Text as the PDF loader gives it: layout lines, pages separated by form feeds, a page map."""
    pairs, offset = [], 0
    for number, lines in enumerate(pages, 1):
        pairs.append((offset, number))
        offset += len("\n".join(lines)) + 1
    return LoadedText(path="<pdf-like>", format="pdf", text="\f".join("\n".join(p) for p in pages),
                      pages=OffsetMap.from_pairs(pairs), page_count=len(pages))


# --- the data --------------------------------------------------------------------------------------


def test_there_are_seeds_and_real_documents():
    assert {p.name[:3] for p in SEED_FILES} == {"000", "001", "002", "003", "004"}
    assert len(REAL_FILES) >= 2


@pytest.mark.parametrize("path", DATA, ids=lambda p: p.stem[:24])
def test_data_files_are_well_formed(path):
    doc = LR.read_data(path)
    meta = doc.meta
    assert {"doc", "format", "source", "labels", "hand_checked", "made", "lines", "roles"} <= set(meta)
    assert [ln.line for ln in doc.lines] == list(range(len(doc.lines)))
    assert all(ln.doc == doc.name for ln in doc.lines)
    pages = [ln.page for ln in doc.lines]
    assert all(isinstance(p, int) and p >= 1 for p in pages) and pages == sorted(pages)
    for ln in doc.lines:
        assert (ln.role is None) == (not ln.text.strip()), ln
        assert ln.role is None or ln.role in LR.ROLES, ln
        assert isinstance(ln.start, bool)
        assert ln.role not in ("table", "furniture") or ln.start, ln
    assert meta["lines"] == sum(ln.role is not None for ln in doc.lines)
    if path in REAL_FILES:
        assert meta["hand_checked"] is True and "by hand" in meta["labels"]
    else:
        assert meta["gold_status"] == "reviewed", f"{path.name}: re-run the generator once the gold is reviewed"
        assert meta["unmatched"] == 0


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem[:3])
def test_seed_labels_agree_with_the_gold(path):
    """Every gold heading, list item and footnote opens exactly one labelled line, with that
    paragraph's first words; the page numbers and running headers are the renderer's."""
    doc = LR.read_data(path)
    gold = json.loads((ROOT / doc.meta["gold"]).read_text(encoding="utf-8"))
    paragraphs = gold["text"].split("\n")
    roles = LR.paragraph_roles(gold["text"], gold["sections"], gold["tables"])
    starts = {role: [ln for ln in doc.lines if ln.role == role and ln.start] for role in LR.ROLES}
    assert len(starts["heading"]) == roles.count("heading")
    assert len(starts["list_item"]) == sum(s["list_item"] for s in gold["sections"]) == roles.count("list_item")
    assert len(starts["footnote"]) == len(gold["footnotes"])
    assert bool(starts["table"]) == bool(gold["tables"])
    for role in ("heading", "list_item", "body"):
        heads = [LR.squash(p) for p, r in zip(paragraphs, roles) if r == role]
        for ln in starts[role]:
            assert any(h.startswith(LR.squash(clean_line(ln.text))) for h in heads), (role, ln)
    pages = max(ln.page for ln in doc.lines)
    header = doc.meta["running_header"]
    assert len(starts["furniture"]) == pages + (pages - 1 if header else 0)
    assert {ln.text.strip() for ln in starts["furniture"]} == {str(p) for p in range(1, pages + 1)} | ({header} if header else set())


# Lines read and checked by hand: (document, text the line starts with, role, opens its block)
SPOT_CHECKS = [
    ("004", "I. MỤC ĐÍCH, YÊU CẦU", "heading", True),
    ("004", "- Cụ thể hóa các quan điểm", "list_item", True),
    ("004", "khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số trong lĩnh vực giáo dục", "list_item", False),
    ("004", "Kế hoạch thực hiện Nghị quyết số 57-NQ/TW", "furniture", True),
    ("004", "TT Nhiệm vụ", "table", True),
    ("001", "Kế hoạch hành động số 15-KH/TU của Ban Thường vụ Tỉnh ủy về thực hiện Nghị quyết số", "footnote", False),
    ("003", "PHỤ LỤC I", "heading", True),
    ("laocai-ubnd_QD", "Lào Cai về việc Ban hành quy định", "body", False),
    ("laocai-ubnd_QD", "Thông tư số 15/2026/TT-BCT", "body", False),
    ("laocai-ubnd_QD", "PHỤ LỤC:", "heading", True),
    ("laocai-ubnd_QD", "(Kèm theo Quyết định số 1696", "heading", True),
    ("laocai-ubnd_QD", "STT\tNỘI DUNG", "table", True),
    ("laocai-ubnd_KH", "Thực hiện Chỉ thị số 11-CT/TU ngày 04/01/2026 của Ban Thường vụ", "body", True),
    ("laocai-ubnd_KH", "1", "footnote", True),
    ("laocai-ubnd_KH", "Đặc biệt: Luật Địa chất và khoáng sản", "footnote", False),
    ("laocai-ubnd_KH", "Đối với các loại khoáng sản có trữ lượng lớn", "list_item", False),
    ("laocai-ubnd_KH", "Phụ lục", "heading", True),
    ("bxd", "1 Phạm vi, đối tượng áp dụng", "heading", True),
    ("bxd", "– Bộ Xây dựng phối hợp biên soạn", "body", False),
    ("bxd", "6 Điều 55 Luật Phòng cháy", "heading", False),
    ("bxd", "Phần 1: Lựa chọn và bố trí", "body", False),
    ("bxd", "Lời nói đầu ....", "body", True),
    ("bxd", "/người, được bố trí sát", "heading", False),
    ("bxd", "THƯ MỤC TÀI LIỆU THAM KHẢO", "heading", True),
]


@pytest.mark.parametrize("prefix,text,role,start", SPOT_CHECKS)
def test_spot_checks(prefix, text, role, start):
    ln = _line(_doc(prefix), text)
    assert (ln.role, ln.start) == (role, start), ln


def test_footnote_labels_sit_at_the_foot_of_their_page():
    doc = _doc("004")
    for ln in doc.lines:
        if ln.role == "footnote" and ln.start:
            page = [x for x in doc.lines if x.page == ln.page and x.role]
            assert all(x.role == "footnote" for x in page[page.index(ln):]), ln


@pytest.mark.skipif(not (FONT_DIR / "DejaVuSerif.ttf").exists(), reason="fonts-dejavu-core is not installed")
def test_seed_data_is_what_the_generator_makes(tmp_path):
    """The committed seed file is regenerated byte for byte (the date aside) from the gold."""
    from pipeline.line_roles_data import make_training_data

    [made] = make_training_data(tmp_path, seeds=["003"])
    committed = LR.read_data(next(p for p in SEED_FILES if p.name.startswith("003")))
    again = LR.read_data(made)
    assert again.lines == committed.lines
    assert {k: v for k, v in again.meta.items() if k != "made"} == {k: v for k, v in committed.meta.items() if k != "made"}


# --- what the rules make of each line ---------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["laocai-ubnd_QD", "003"])
def test_the_trace_is_normalize(prefix, monkeypatch):
    """The line-by-line trace runs normalize's own steps: it gives normalize's text, with the
    model's advice and without."""
    doc = _doc(prefix)
    monkeypatch.setenv("KEHOACH_LINE_ROLES", "rules")
    labels, text = LR.traced_labels(doc.loaded())
    assert text == normalize(doc.loaded()).text
    assert all((label is None) == (not ln.text.strip()) for label, ln in zip(labels, doc.lines))
    monkeypatch.setenv("KEHOACH_LINE_ROLES", "model")
    model = LR.default_model()
    assert model is not None
    _, advised = LR.traced_labels(doc.loaded(), model)
    assert advised == normalize(doc.loaded()).text


# --- the model file ---------------------------------------------------------------------------------


def test_the_saved_model_loads_with_its_card():
    model = LR.load_model(MODEL_FILE)
    assert model is not None, "models/line_roles.joblib is missing: run `kehoach train`"
    metrics = json.loads(MODEL_FILE.with_suffix(".metrics.json").read_text(encoding="utf-8"))
    assert set(metrics["leave_one_document_out"]) == {LR.read_data(p).name for p in DATA}
    assert model.preferred == (metrics["preferred"] == "rules+model") and model.threshold == metrics["threshold"]
    card = MODEL_FILE.with_suffix(".md").read_text(encoding="utf-8")
    assert "leave one document out" in card and f"**{metrics['preferred']}**" in card
    # the pipeline takes the model's advice only because it beat the rules on held-out documents
    if model.preferred:
        mean = metrics["mean_macro_f1"]
        assert mean["rules+model"] > mean["rules"]
        assert all(r["rules+model"]["macro_f1"] >= r["rules"]["macro_f1"] for r in metrics["leave_one_document_out"].values())


def test_the_held_out_scores_are_reproduced():
    """The file keeps the model trained without one document: re-scoring that document with it
    gives the figures the metrics record."""
    import joblib

    saved = joblib.load(MODEL_FILE)
    metrics = json.loads(MODEL_FILE.with_suffix(".metrics.json").read_text(encoding="utf-8"))
    held = saved["held_out"]
    doc = next(LR.read_data(p) for p in DATA if LR.read_data(p).name == held["document"])
    scored = LR.score_doc(doc, held["pipeline"], saved["pos"], thresholds=(saved["threshold"],))
    figures = LR.figures(scored, saved["threshold"])
    assert figures == metrics["leave_one_document_out"][doc.name] == held["scores"]


def test_a_stale_or_missing_model_falls_back_to_the_rules_with_a_warning(tmp_path, monkeypatch):
    import joblib

    stale = tmp_path / "line_roles.joblib"
    joblib.dump({"pipeline": None, "feature_version": LR.FEATURE_VERSION + 1, "sklearn": "0"}, stale)
    with pytest.warns(UserWarning, match="using the rules"):
        assert LR.load_model(stale) is None
    with pytest.warns(UserWarning, match="missing"):
        assert LR.load_model(tmp_path / "nothing.joblib") is None
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("KEHOACH_MODELS", str(empty))
    monkeypatch.setenv("KEHOACH_LINE_ROLES", "model")
    with pytest.warns(UserWarning, match="rules only"):
        assert LR.default_model() is None
    loaded = _pdf_like([["KẾ HOẠCH", "1", "Triển khai nhiệm vụ"], ["2", "I. MỤC ĐÍCH"]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert normalize(loaded).text == "KẾ HOẠCH\n1\nTriển khai nhiệm vụ\nI. MỤC ĐÍCH"


def test_only_pdf_text_is_advised(monkeypatch):
    monkeypatch.setenv("KEHOACH_LINE_ROLES", "model")
    lines = [Line("KẾ HOẠCH", 1), Line("1", 1)]
    LR.advise_lines(lines, LoadedText(path="x.txt", format="txt", text="KẾ HOẠCH\n1"))
    assert [ln.advice for ln in lines] == [None, None]
    loaded = _pdf_like(PLAN)
    lines = LR.cleaned_lines(loaded)
    LR.advise_lines(lines, loaded)
    assert [ln.advice for ln in lines if ln.text in ("1", "2", "3")] == ["furniture"] * 3


# --- the advice in normalization: by hand, then from the model ---------------------------------------

WRAPPED = [
    "- Xây dựng phù hợp với tình hình phát triển kinh tế - xã hội của tỉnh, đảm bảo triển khai nhiệm vụ một",
    "cách trọng tâm, hiệu quả, tạo bước đột phá trong quản lý, giảng dạy, học tập và nghiên cứu khoa học",
    "trong ngành giáo dục, góp phần phát triển kinh tế",
    "- xã hội của địa phương trong giai đoạn mới.",
    "- Đảm bảo tính chủ động, linh hoạt và hiệu quả trên tinh thần đổi mới sáng tạo.",
]


def _joined(advice: dict[int, str]) -> list[str]:
    lines = [Line(text, 1, advice=advice.get(i)) for i, text in enumerate(WRAPPED)]
    return [" ".join(ln.text for ln in para) for para in join_wrapped_lines(lines, hard_wrapped=True)]


def test_a_wrapped_line_that_opens_with_a_label():
    """"- xã hội …" after "… kinh tế": the rules see an item; where the model is sure the line
    goes on with the item above, it is joined; a true item stays an item either way."""
    assert len(_joined({})) == 3  # the rules: three items
    assert _joined({3: "continuation", 4: "continuation"}) == [
        " ".join(WRAPPED[:4]), WRAPPED[4]]  # the last line opens after a sentence end: never joined
    assert len(_joined({3: "list_item"})) == 3


def test_a_line_the_model_is_sure_opens_a_block():
    full = "Các cơ sở giáo dục tổ chức rà soát hồ sơ, dữ liệu của người học và hoàn thành việc cập nhật dữ liệu"
    nxt = "Thông tư số 15/2026/TT-BCT ngày 25/3/2026 của Bộ trưởng Bộ Công Thương"
    for advice, paragraphs in ((None, 1), ("body", 2), ("continuation", 1)):
        lines = [Line(full, 1), Line(nxt, 1, advice=advice)]
        assert len(join_wrapped_lines(lines, hard_wrapped=True)) == paragraphs, advice


def test_a_raised_footnote_label_at_the_foot_of_a_page():
    """A label the PDF put on a line of its own, under the page's text: the rules take it for a
    page number; where the model is sure it is a footnote, it opens one with the line below."""
    def page(advice):
        return [Line("KẾ HOẠCH", 1), Line("Triển khai chuyển đổi số", 1), Line("I. NHIỆM VỤ", 1),
                Line("- Triển khai trên nền tảng dữ liệu1", 1),
                Line("- Số hóa hồ sơ của các cơ sở giáo dục.", 1), Line("1", 1, advice=advice),
                Line("Phát triển Chính quyền số trong giáo dục.", 1, advice=advice and "continuation"),
                Line("2", 2), Line("- Rà soát hạ tầng.", 2), Line("- Báo cáo kết quả.", 2)]

    kept, notes = extract_footnotes(drop_page_furniture(page(None), True))
    assert notes == [] and "1" not in [ln.text for ln in kept]  # the rules: a page number
    kept, notes = extract_footnotes(drop_page_furniture(page("footnote"), True))
    assert [(n.label, n.text, n.page) for n in notes] == [("1", "Phát triển Chính quyền số trong giáo dục.", 1)]
    assert [ln.text for ln in kept] == ["KẾ HOẠCH", "Triển khai chuyển đổi số", "I. NHIỆM VỤ",
                                        "- Triển khai trên nền tảng dữ liệu¹",  # its marker, raised
                                        "- Số hóa hồ sơ của các cơ sở giáo dục.", "- Rà soát hạ tầng.",
                                        "- Báo cáo kết quả."]


PLAN = [
    ["1", "KẾ HOẠCH", "Triển khai các nhiệm vụ chuyển đổi số năm 2026", "I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích",
     "- Tăng cường triển khai các ứng dụng phục vụ quản lý điều hành trên nền tảng dữ liệu của",
     "ngành giáo dục, bảo đảm kết nối, chia sẻ dữ liệu với các hệ thống của tỉnh.",
     "- Hoàn thành việc số hóa hồ sơ, sổ sách của các cơ sở giáo dục trước tháng 12/2026."],
    ["Kế hoạch chuyển đổi số ngành giáo dục", "2", "2. Yêu cầu",
     "- Tổ chức quán triệt, phổ biến nội dung Kế hoạch đến toàn thể cán bộ, giáo viên, nhân viên",
     "của các cơ sở giáo dục trên địa bàn."],
    ["Kế hoạch chuyển đổi số ngành giáo dục", "3", "II. NHIỆM VỤ", "- Rà soát hạ tầng công nghệ thông tin."],
]


@pytest.mark.parametrize("choice", ["rules", "model"])
def test_a_pdf_like_plan_with_the_model_and_with_the_rules(choice, monkeypatch):
    """Page numbers and a running header at the page edges go, headings stay headings and the
    wrapped item lines join, with the shipped model's advice and without it."""
    from pipeline.segment import segment

    monkeypatch.setenv("KEHOACH_LINE_ROLES", choice)
    text = normalize(_pdf_like(PLAN)).text
    assert text.split("\n") == [
        "KẾ HOẠCH", "Triển khai các nhiệm vụ chuyển đổi số năm 2026", "I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích",
        PLAN[0][5] + " " + PLAN[0][6], PLAN[0][7], "2. Yêu cầu", PLAN[1][3] + " " + PLAN[1][4],
        "II. NHIỆM VỤ", "- Rà soát hạ tầng công nghệ thông tin."]
    outline = [(s.label, s.heading) for s in segment(text) if s.kind == "body" and not s.list_item]
    assert outline == [("I", "MỤC ĐÍCH, YÊU CẦU"), ("1", "Mục đích"), ("2", "Yêu cầu"), ("II", "NHIỆM VỤ")]


# --- the renderer's footnotes ----------------------------------------------------------------------


@pytest.mark.skipif(not (FONT_DIR / "DejaVuSerif.ttf").exists(), reason="fonts-dejavu-core is not installed")
def test_render_puts_a_footnote_at_the_foot_of_its_markers_page(tmp_path):
    from pipeline.load import load
    from tests.render import render_pdf

    lines = ["KẾ HOẠCH"] + [f"Đoạn văn số {i} về chuyển đổi số trong giáo dục và đào tạo của tỉnh." for i in range(70)]
    lines[60] += " Trên nền tảng dữ liệu²."
    pdf = render_pdf(lines, tmp_path / "notes.pdf", footnotes={"2": "Phát triển Chính quyền số trong giáo dục."})
    pages = load(pdf).text.split("\f")
    marked = next(i for i, p in enumerate(pages) if "dữ liệu2" in p)
    assert marked >= 1  # not on the first page: the note follows its marker
    assert [ln.strip() for ln in pages[marked].split("\n")[-2:]] == ["2", "Phát triển Chính quyền số trong giáo dục."]
    assert all("Chính quyền số" not in p for i, p in enumerate(pages) if i != marked)


def test_a_model_for_a_held_out_evaluation(tmp_path):
    """`kehoach evaluate`'s folds train without one plan and without measuring: that plan's lines
    are left out and the advice keeps the choices the measured model made."""
    recorded = json.loads(MODEL_FILE.with_suffix(".metrics.json").read_text(encoding="utf-8"))
    out = tmp_path / "line_roles.joblib"
    metrics = LR.run(out, frozenset({"003_aa9e29c94280bf41"}), measure=False)
    seed_003 = recorded["documents"]["003_aa9e29c94280bf41"]["lines"]
    assert metrics["training_lines"] == recorded["training_lines"] - seed_003
    assert "003_aa9e29c94280bf41" not in metrics["documents"] and "leave_one_document_out" not in metrics
    assert (metrics["preferred"], metrics["threshold"], metrics["pos"]) == (
        recorded["preferred"], recorded["threshold"], recorded["pos"])
    model = LR.load_model(out)
    assert (model.preferred, model.threshold) == (recorded["preferred"] == "rules+model", recorded["threshold"])
    assert not out.with_suffix(".md").exists()  # the card belongs to the measured model

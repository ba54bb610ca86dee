"""Each normalization rule on its own, then the whole stage on shapes taken from the seeds."""

from __future__ import annotations

import unicodedata

import pytest

from pipeline.load.base import LoadedText, OffsetMap
from pipeline.normalize import (
    clean_line, dashes_quotes_spaces, latex_remnants, markdown_markers, normalize, normalize_text,
    rules, unicode_nfc, whitespace,
)


def _examples(key):
    return list(rules()[key]["examples"].items())


@pytest.mark.parametrize("raw, expected", _examples("tone_placement"))
def test_tone_placement_examples(raw, expected):
    assert unicode_nfc(raw) == expected


def test_decomposed_and_precomposed_match():
    decomposed = unicodedata.normalize("NFD", "Kế hoạch thủy lợi hòa bình")
    assert unicode_nfc(decomposed) == "Kế hoạch thủy lợi hòa bình"
    assert unicode_nfc(unicodedata.normalize("NFD", "hoà")) == unicode_nfc("hòa") == "hòa"


@pytest.mark.parametrize("raw, expected", _examples("dashes") + _examples("double_quotes") + _examples("single_quotes"))
def test_dash_and_quote_examples(raw, expected):
    assert dashes_quotes_spaces(raw) == expected


def test_invisible_and_odd_spaces():
    assert dashes_quotes_spaces("Sở\u00a0GDĐT\u200b") == "Sở GDĐT"


@pytest.mark.parametrize("raw, expected", _examples("latex_commands"))
def test_latex_examples(raw, expected):
    assert latex_remnants(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("## **II. MỤC TIÊU**", "II. MỤC TIÊU"),
    ("##### **a) Chỉ tiêu đến năm 2030**", "a) Chỉ tiêu đến năm 2030"),
    ("<b>I</b>\t<b>HẠ TẦNG SỐ</b>", "I\tHẠ TẦNG SỐ"),
    ("***Nơi nhận:***", "Nơi nhận:"),
    ("*(Chi tiết tại Phụ lục I kèm theo Kế hoạch)*", "(Chi tiết tại Phụ lục I kèm theo Kế hoạch)"),
    ("  - + Trên 95% đối với cơ sở giáo dục phổ thông;", "  + Trên 95% đối với cơ sở giáo dục phổ thông;"),
    ("theo phân công tại *Phụ lục 01*.", "theo phân công tại Phụ lục 01."),
    ("biểu mẫu <https://forms.gle/abc> để", "biểu mẫu https://forms.gle/abc để"),
    ("- Đơn vị chủ trì: Thanh tra Sở.", "- Đơn vị chủ trì: Thanh tra Sở."),
    ("3 * 4 = 12", "3 * 4 = 12"),
])
def test_markdown_markers(raw, expected):
    assert markdown_markers(raw) == expected


def test_whitespace_keeps_cells():
    assert whitespace("  a   b  ") == "a b"
    assert whitespace("1\t Tỷ lệ  \t%\t") == "1\tTỷ lệ\t%"


def test_clean_line_rejects_unknown_step():
    with pytest.raises(ValueError, match="unknown normalization step 'nope'"):
        clean_line("x", ["nope"])


def test_normalize_is_idempotent_on_a_seed_shape():
    once = normalize_text("Kế hoạch nhằm tổ chức triển khai đầy đủ \nUBND thành phố giao tại Văn bản số 358/KH-UBND; \n").text
    assert normalize_text(once).text == once


def test_joins_lines_wrapped_mid_sentence():
    text = (
        "Việc triển khai kế hoạch phải bảo đảm đúng thẩm quyền, phù hợp với mô \n\n"
        "hình chính quyền địa phương 2 cấp; phân định rõ trách nhiệm giữa Sở Giáo dục \n\n"
        "và Đào tạo và các cơ sở giáo dục. \n\n"
        "2. Yêu cầu \n\n"
        "- Xây dựng phù hợp.\n"
    ) * 4
    paras = normalize_text(text).text.split("\n")
    assert paras[0] == ("Việc triển khai kế hoạch phải bảo đảm đúng thẩm quyền, phù hợp với mô hình chính quyền "
                        "địa phương 2 cấp; phân định rõ trách nhiệm giữa Sở Giáo dục và Đào tạo và các cơ sở giáo dục.")
    assert paras[1:3] == ["2. Yêu cầu", "- Xây dựng phù hợp."]


def test_glued_document_numbers_join_without_space():
    text = "Thực hiện Nghị quyết số 57-\nNQ/TW ngày 22/12/2024 và Kế hoạch số 28/KH-\nUBND ngày 24/01/2025 của UBND tỉnh.\n"
    assert normalize_text(text).text == "Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 và Kế hoạch số 28/KH-UBND ngày 24/01/2025 của UBND tỉnh."


def test_full_width_heading_stops_before_body():
    """A heading that fills the line is not glued to the capitalized body line under it."""
    filler = "Đây là một dòng văn bản bình thường dài xấp xỉ chiều rộng của trang giấy in ra.\n"
    text = filler * 5 + "4. Xây dựng chương trình đào tạo tiến tiến và thu hút nhân tài các cấp học\nTham gia các khóa bồi dưỡng.\n"
    paras = normalize_text(text).text.split("\n")
    assert "4. Xây dựng chương trình đào tạo tiến tiến và thu hút nhân tài các cấp học" in paras
    assert "Tham gia các khóa bồi dưỡng." in paras


def test_page_number_inside_sentence_is_dropped_without_page_info():
    text = "thực hiện chế độ thông tin, báo cáo định kỳ, đột xuất theo \n\n7 \n\nyêu cầu; kịp thời phản ánh khó khăn.\n"
    assert normalize_text(text).text == "thực hiện chế độ thông tin, báo cáo định kỳ, đột xuất theo yêu cầu; kịp thời phản ánh khó khăn."


def test_running_headers_and_page_numbers_dropped_with_pages():
    words = ["một", "hai", "ba", "bốn", "năm"]
    content = [[f"Đoạn {w} mở đầu.", f"Yêu cầu {w} đầy đủ.", f"Tổ chức {w} thực hiện.", f"Kinh phí {w} cấp."] for w in words]
    pages = ["KẾ HOẠCH SỐ 12/KH-UBND\n" + "\n".join(lines) + f"\nTrang {i}" for i, lines in enumerate(content, 1)]
    raw = "\f".join(pages)
    starts, offset = [], 0
    for i, page in enumerate(pages, 1):
        starts.append((offset, i))
        offset += len(page) + 1
    norm = normalize(LoadedText("x.pdf", "pdf", raw, pages=OffsetMap.from_pairs(starts)))
    assert norm.text.split("\n") == [line for lines in content for line in lines]
    assert [norm.page_at(norm.text.index(lines[0])) for lines in content] == [1, 2, 3, 4, 5]


def test_paragraph_spanning_a_page_break_keeps_both_pages():
    raw = "Dòng đầu tiên của đoạn văn kéo dài\fsang trang sau và kết thúc ở đây."
    norm = normalize(LoadedText("x.pdf", "pdf", raw, pages=OffsetMap.from_pairs([(0, 1), (35, 2)])))
    assert norm.text == "Dòng đầu tiên của đoạn văn kéo dài sang trang sau và kết thúc ở đây."
    assert norm.page_at(0) == 1 and norm.page_at(norm.text.index("sang")) == 2


def test_superscript_footnote():
    text = "Triển khai trên địa bàn tỉnh Ninh Bình¹.\n\n¹ Kế hoạch hành động số 15-KH/TU của Ban Thường vụ Tỉnh ủy.\n\nII. NHIỆM VỤ\n"
    norm = normalize_text(text)
    assert [(n.label, n.text) for n in norm.footnotes] == [("1", "Kế hoạch hành động số 15-KH/TU của Ban Thường vụ Tỉnh ủy.")]
    assert norm.text == "Triển khai trên địa bàn tỉnh Ninh Bình¹.\nII. NHIỆM VỤ"


def test_plain_number_footnote_needs_its_marker():
    with_marker = "- 100% cán bộ dùng nền tảng dữ liệu1 \n1 Phát triển Chính quyền số trong giáo \ndục. \n- 100% cơ sở giáo dục.\n"
    norm = normalize_text(with_marker)
    assert [(n.label, n.text) for n in norm.footnotes] == [("1", "Phát triển Chính quyền số trong giáo dục.")]
    assert "dữ liệu¹" in norm.text
    # a table row "2 Cơ sở giáo dục …" is not a footnote: no footnote 1, no marker "…2"
    row = "Stt Chỉ tiêu\n2 Cơ sở giáo dục triển khai ký số 100% 100%\n"
    assert normalize_text(row).footnotes == []

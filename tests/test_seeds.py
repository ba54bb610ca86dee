"""The five seed plans end to end: metadata and section trees verified by reading them."""

from __future__ import annotations

import pytest

from pipeline.contract import check_offsets, validation_errors
from pipeline.segment import top_level

# (kind, label, heading) of every top-level section, in order, as printed in each seed.
TOP_LEVEL = {
    "000": [
        ("header", None, None),
        ("title", None, "KẾ HOẠCH Triển khai các nhiệm vụ về phát triển khoa học, công nghệ, đổi mới sáng tạo, chuyển đổi số của ngành Giáo dục và Đào tạo"),
        ("preamble", None, None),
        ("body", "I", "MỤC ĐÍCH, YÊU CẦU"),
        ("body", "II", "MỤC TIÊU"),
        ("body", "III", "NHIỆM VỤ, GIẢI PHÁP"),
        ("body", "IV", "NHIỆM VỤ, GIẢI PHÁP CỤ THỂ GIAI ĐOẠN 2025 - 2030"),
        ("body", "V", "KINH PHÍ THỰC HIỆN"),
        ("body", "VI", "TỔ CHỨC THỰC HIỆN"),
        ("closing", None, None),
        ("appendix", "PHỤ LỤC 1", "Các chỉ tiêu theo Nghị quyết số 71/NQ-CP, Nghị quyết số 11/NQ-CP thuộc lĩnh vực giáo dục và đào tạo"),
        ("appendix", "PHỤ LỤC 2", "Hệ thống chỉ tiêu và phân công trách nhiệm thực hiện Kế hoạch triển khai Nghị quyết số 57-NQ/TW trong ngành Giáo dục và Đào tạo thành phố Hải Phòng giai đoạn 2025-2045"),
        ("appendix", "PHỤ LỤC 3", "PHÂN CÔNG TRIỂN KHAI NHIỆM VỤ THỰC HIỆN NGHỊ QUYẾT SỐ 57-NQ/TW"),
    ],
    "001": [
        ("header", None, None),
        ("title", None, "KẾ HOẠCH Triển khai các nhiệm vụ về phát triển khoa học, công nghệ, đổi mới sáng tạo, chuyên đổi số của ngành Giáo dục và Đào tạo"),
        ("preamble", None, None),
        ("body", "I", "MỤC TIÊU"),
        ("body", "II", "CÁC NHIỆM VỤ, GIẢI PHÁP CHỦ YẾU"),
        ("body", "IV", "KINH PHÍ THỰC HIỆN"),  # the plan skips III
        ("body", "V", "TỔ CHỨC THỰC HIỆN"),
        ("closing", None, None),
    ],
    "002": [
        ("title", None, "KẾ HOẠCH Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia năm 2026"),
        ("preamble", None, None),
        ("body", "I", "MỤC ĐÍCH, YÊU CẦU"),
        ("body", "II", "MỤC TIÊU"),
        ("body", "III", "NỘI DUNG TRIỂN KHAI"),
        ("body", "IV", "THEO DÕI, KIỂM TRA, BÁO CÁO"),
        ("body", "V", "TỔ CHỨC THỰC HIỆN"),
        ("closing", None, None),
        ("appendix", "PHỤ LỤC 1", "NHIỆM VỤ TRỌNG TÂM NĂM 2026"),
        ("appendix", "PHỤ LỤC 2", "PHÂN CÔNG THỰC HIỆN CÁC NHIỆM VỤ THUỘC SỞ GIÁO DỤC VÀ ĐÀO TẠO"),
    ],
    "003": [
        ("header", None, None),
        ("title", None, "KẾ HOẠCH Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị, Nghị quyết số 03-NQ/CP ngày 09/01/2025 của Chính phủ và Chương trình hành động số 89-CTr/TU ngày 25/02/2025 của Ban Thường vụ Thành ủy Hải Phòng về phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số thành phố Hải Phòng đối với ngành Giáo dục và Đào tạo huyện năm 2025"),
        ("preamble", None, None),
        ("body", "I", "MỤC ĐÍCH, YÊU CẦU"),
        ("body", "II", "NỘI DUNG NHIỆM VỤ"),
        ("body", "III", "KINH PHÍ"),
        ("body", "IV", "PHÂN CÔNG THỰC HIỆN"),
        ("closing", None, None),
        ("appendix", "PHỤ LỤC I", "CÁC CHỈ TIÊU VỀ PHÁT TRIỂN KHOA HỌC, CÔNG NGHỆ, ĐỔI MỚI SÁNG TẠO VÀ CHUYỂN ĐỔI SỐ ĐỐI VỚI NGÀNH GIÁO DỤC VÀ ĐÀO TẠO"),
        ("appendix", "PHỤ LỤC II", "PHÂN CÔNG NHIỆM VỤ TRIỂN KẾ HOẠCH SỐ 44/KH-UBND NGÀY 28/02/2025 CỦA ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG ĐỐI VỚI NGÀNH GIÁO DỤC VÀ ĐÀO TẠO"),
    ],
    "004": [
        ("title", None, "Thực hiện Kế hoạch số 28/KH-UBND ngày 24/01/2025 của Ủy ban nhân dân tỉnh về triển khai Nghị quyết số 03/NQ-CP ngày 09/01/2025 của Chính phủ và Chương trình hành động số 46-CTr/TU của Ban Thường vụ Tỉnh ủy nhằm thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia"),
        ("preamble", None, None),
        ("body", "I", "MỤC ĐÍCH, YÊU CẦU"),
        ("body", "II", "MỤC TIÊU ĐẾN NĂM 2030"),
        ("body", "III", "NHIỆM VỤ, GIẢI PHÁP CỤ THỂ"),
        ("body", "IV", "TỔ CHỨC THỰC HIỆN"),
        ("closing", None, None),
        ("appendix", "PHỤ LỤC", "Danh mục các nhiệm vụ phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số"),
    ],
}

# (doc_type, number, symbol, issuer, locality, place, issued_date, signer name, signer title)
METADATA = {
    "000": ("Kế hoạch", None, "KH-UBND", "Ủy ban nhân dân xã Tân Kỳ", ("Tân Kỳ", "xã"), "Tân Kỳ", "2026-03", "Nguyễn Xuân Cường", "CHỦ TỊCH"),
    "001": ("Kế hoạch", None, "KH-SGDĐT", "Sở Giáo dục và Đào tạo tỉnh Ninh Bình", ("Ninh Bình", "tỉnh"), "Ninh Bình", "2025", "Nguyễn Văn Thuận", "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC"),
    "002": ("Kế hoạch", None, "KH-SGDĐT", "Sở Giáo dục và Đào tạo Hải Phòng", ("Hải Phòng", "thành phố"), None, "2026-01", "Uông Minh Long", "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC"),
    "003": ("Kế hoạch", None, "KH-PGDĐT", "Phòng Giáo dục và Đào tạo huyện Cát Hải", ("Cát Hải", "huyện"), "Cát Hải", "2025-03", "Đoàn Mạnh Hùng", "TRƯỞNG PHÒNG"),
    "004": ("Kế hoạch", None, "KH-SGDĐT", "Sở Giáo dục và Đào tạo tỉnh Quảng Ninh", ("Quảng Ninh", "tỉnh"), None, "2025-04", "Nguyễn Thị Thúy", "GIÁM ĐỐC"),
}


@pytest.mark.parametrize("seed", sorted(TOP_LEVEL))
def test_top_level_sections(seed_docs, seed):
    doc = seed_docs[seed]
    got = [(s.kind, s.label, s.heading if s.kind in ("title", "body", "appendix") else None) for s in top_level(doc.sections)]
    assert got == TOP_LEVEL[seed]


@pytest.mark.parametrize("seed", sorted(METADATA))
def test_metadata(seed_docs, seed):
    info = seed_docs[seed].document
    doc_type, number, symbol, issuer, locality, place, date, signer_name, signer_title = METADATA[seed]
    assert info.doc_type == doc_type
    assert info.number == number
    assert info.symbol == symbol
    assert info.issuer == issuer
    assert (info.locality.name, info.locality.level) == locality
    assert info.place == place
    assert info.issued_date == date
    assert info.signer.name == signer_name
    assert info.signer.title == signer_title


def test_recipients_are_cleaned_lines(seed_docs):
    assert seed_docs["000"].document.recipients == [
        "Sở Giáo dục và Đào tạo", "Lãnh đạo UBND xã", "Các phòng, ban, ngành, đơn vị",
        "Các trường trên địa bàn xã", "Lưu: VT, VHXXH",
    ]
    # a recipient wrapped over three printed lines is one recipient
    assert seed_docs["004"].document.recipients[8].startswith("Các trường: Cao đẳng Than-Khoáng sản Việt Nam")
    assert seed_docs["004"].document.recipients[8].endswith("Đại học Công nghiệp Quảng Ninh, Đại học Hạ Long")
    assert seed_docs["004"].document.recipients[-1] == "Lưu: VT, TTr"


def test_title_subject_wraps_into_one(seed_docs):
    assert seed_docs["003"].document.title.startswith("Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị, Nghị quyết số 03-NQ/CP")
    assert seed_docs["003"].document.title.endswith("đối với ngành Giáo dục và Đào tạo huyện năm 2025")


def _children(doc, parent_label_path):
    """Headings under a path of labels, e.g. ("II", "2", "2.1")."""
    parent = None
    for label in parent_label_path:
        parent = next(s for s in doc.sections if s.label == label and s.parent == (parent.id if parent else None) and s.kind == "body")
    return [(s.label, s.heading) for s in doc.sections if s.parent == parent.id and not s.list_item]


def test_nested_headings_seed_000(seed_docs):
    doc = seed_docs["000"]
    assert _children(doc, ("II",)) == [("1", "Mục tiêu chung"), ("2", "Mục tiêu, chỉ tiêu cụ thể")]
    assert _children(doc, ("II", "2")) == [
        ("2.1", "Các chỉ tiêu theo Nghị quyết số 71/NQ-CP và Nghị quyết số 11/NQ-CP"),
        ("2.2", "Các chỉ tiêu đánh giá theo giai đoạn 2025-2030"),
    ]
    assert _children(doc, ("II", "2", "2.1")) == [("a", "Chỉ tiêu đến năm 2030"), ("b", "Chỉ tiêu đến năm 2045")]
    assert [label for label, _ in _children(doc, ("VI", "3"))] == ["a", "b", "c"]


def test_wrapped_headings_are_one_heading(seed_docs):
    """Headings that wrap over several printed lines (seeds 002, 003, 004) come out whole."""
    assert ("2", "Xây dựng, hoàn thiện cơ sở dữ liệu giáo dục theo Chiến lược dữ liệu thành phố") in _children(seed_docs["002"], ("III",))
    assert ("3", "Các trường Mầm non, Tiểu học, Tiểu học và Trung học cơ sở, Trung học cơ sở (gọi tắt là các cơ sở giáo dục)") in _children(seed_docs["003"], ("IV",))
    assert ("4", "Xây dựng chương trình đào tạo tiến tiến và thu hút nhân tài") in _children(seed_docs["003"], ("II",))
    headings_004 = _children(seed_docs["004"], ("III",))
    assert headings_004[0] == ("1", "Nâng cao nhận thức, đột phá về đổi mới tư duy, xác định quyết tâm chính trị mạnh mẽ, quyết liệt lãnh đạo, chỉ đạo, tạo khí thế mới trong toàn ngành về phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số")
    assert [label for label, _ in headings_004] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert [label for label, _ in _children(seed_docs["004"], ("III", "1"))] == [f"1.{i}" for i in range(1, 9)]


def test_no_heading_swallowed(seed_docs):
    """Every line of the normalized text that opens like a body heading is a section."""
    from pipeline.headings import match_heading
    from pipeline.segment import paragraphs_of

    for key, doc in seed_docs.items():
        body = [s for s in doc.sections if s.kind == "body"]
        if not body:
            continue
        starts = {s.start for s in doc.sections}
        body_start, body_end = body[0].start, max(s.end for s in body)
        for para in paragraphs_of(doc.text):
            if body_start <= para.start < body_end and match_heading(para.text):
                assert para.start in starts, f"seed {key}: heading not a section: {para.text[:60]}"


def test_sections_partition_and_nest(seed_docs):
    for key, doc in seed_docs.items():
        by_id = {s.id: s for s in doc.sections}
        tops = top_level(doc.sections)
        for a, b in zip(tops, tops[1:]):
            assert a.end <= b.start, f"seed {key}: {a.kind} {a.label} overlaps {b.kind} {b.label}"
        for s in doc.sections:
            assert 0 <= s.start <= s.end <= len(doc.text)
            if s.parent:
                p = by_id[s.parent]
                assert p.start <= s.start and s.end <= p.end and p.level == s.level - 1


def test_footnotes_moved_out_of_running_text(seed_docs):
    notes_001 = seed_docs["001"].footnotes
    assert [n.label for n in notes_001] == ["1"]
    assert notes_001[0].text.startswith("Kế hoạch hành động số 15-KH/TU của Ban Thường vụ Tỉnh ủy")
    notes_004 = seed_docs["004"].footnotes
    assert [n.label for n in notes_004] == [str(i) for i in range(1, 9)]
    assert notes_004[3].text == "Triển khai phát triển năng lực số cho học sinh theo khung năng lực số ban hành kèm Thông tư 02/2025/TT-BGDĐT ngày 24/01/2025 của Bộ GDĐT."
    text = seed_docs["004"].text
    assert "Phát triển Chính quyền số, Xã hội số trong giáo dục." not in text
    assert "trên nền tảng dữ liệu¹" in text  # the marker stays, as a superscript
    assert "các môn thuộc lĩnh vực khoa học tự nhiên" in text  # page number "7" between them removed


def test_appendix_captions(seed_docs):
    captions = [s.caption for s in seed_docs["003"].sections if s.kind == "appendix"]
    assert captions == ["(Kèm theo Kế hoạch số /KH-PGDĐT ngày /3/2025 của Phòng Giáo dục và Đào tạo)"] * 2


@pytest.mark.parametrize("seed", sorted(TOP_LEVEL))
def test_output_validates_against_schema(seed_docs, seed):
    data = seed_docs[seed].to_json()
    assert validation_errors(data) == []
    assert check_offsets(data) == []


def test_text_quality_is_reported(seed_docs):
    for key, doc in seed_docs.items():
        assert doc.document.text_quality is not None and doc.document.text_quality > 0.95, key
        assert doc.document.diacritics_quality == 1.0, key  # every accented word of the seeds is a syllable
        assert not any(w.startswith("low text quality") for w in doc.warnings)

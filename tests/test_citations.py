"""Citations (pipeline/extractors/citations.py, rules/citations.yaml): how plans name other documents.

A table of phrasings as plans write them (the seeds and other localities' forms) -> the citation
read from them; the rule file's own examples; and the complete lists of cited documents of seeds
000 and 004, verified by reading them.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest
import regex

from pipeline.extractors.citations import (
    _date_at,
    _issuer_at,
    _title_at,
    find_mentions,
    fold,
    lexicon,
    merge_by_ref,
    parse_symbol,
)
from pipeline.extractors.nlp import run_extractors
from pipeline.rules import load

RULES = load("citations.yaml")


def cite(text: str):
    """(citations, warnings) of a text run through the citation component alone."""
    out = run_extractors(text, sections=[], tables=[], components=("kehoach_citations",))
    return out.items["citations"], out.warnings


class E(NamedTuple):
    """What one citation should read as; `ref` only checked when given."""

    doc_type: str | None
    number: str | None
    issued_date: str | None = None
    issuer: str | None = None
    title: str | None = None
    ref: str | None = None
    confidence: float | None = None


# (text, index of the citation checked, expected, number of citations in the text)
CASES = [
    # --- the forms -------------------------------------------------------------------
    (("Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, "
     "đổi mới sáng tạo và chuyển đổi số quốc gia;"), 0,
     E("Nghị quyết", "57-NQ/TW", "2024-12-22", "Bộ Chính trị",
       "về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia", "57-NQ/TW", 0.95), 1),
    (("Kế hoạch số 48/KH-UBND của Ủy ban nhân dân thành phố về thực hiện Nghị quyết số 11/NQ-CP ngày 14/01/2026 "
     "của Chính phủ"), 0,
     E("Kế hoạch", "48/KH-UBND", None, "Ủy ban nhân dân thành phố", "về thực hiện Nghị quyết số 11/NQ-CP"), 2),
    ("Quyết định số 131/QĐ-TTg ngày 25 tháng 01 năm 2022 của Thủ tướng Chính phủ", 0,
     E("Quyết định", "131/QĐ-TTg", "2022-01-25", "Thủ tướng Chính phủ", None, "131/QD-TTG"), 1),
    ("giảng dạy kỹ năng số theo Thông tư số 02/2025/TT-BGDĐT về Khung năng lực số cho người học.", 0,
     E("Thông tư", "02/2025/TT-BGDĐT", None, None, "về Khung năng lực số cho người học", "02/2025/TT-BGDDT"), 1),
    ("Chỉ thị số 04/CT-TTg ngày 11/02/2024 của Thủ tướng Chính phủ về tiếp tục đẩy mạnh triển khai Đề án 06", 0,
     E("Chỉ thị", "04/CT-TTg", "2024-02-11", "Thủ tướng Chính phủ", "về tiếp tục đẩy mạnh triển khai Đề án 06"), 2),
    (("Chương trình hành động số 46-CTr/TU ngày 15/01/2025 của Ban Thường vụ Tỉnh ủy (Chương trình hành động số "
     "46-CTr/TU)"), 0,
     E("Chương trình hành động", "46-CTr/TU", "2025-01-15", "Ban Thường vụ Tỉnh ủy", None, "46-CTR/TU"), 2),
    ("Nghị quyết số 03-NQ/TU, Kết luận số 312-KL/TU của Ban Thường vụ Thành ủy.", 1,
     E("Kết luận", "312-KL/TU", None, "Ban Thường vụ Thành ủy"), 2),
    (("văn bản số 5835/BGDDT-KHCNTT ngày 23/9/2025 của Bộ Giáo dục và Đào tạo về hướng dẫn thực hiện nhiệm vụ "
     "ứng dụng CNTT, CĐS, thống kê giáo dục năm học 2025-2026;"), 0,
     E("Văn bản", "5835/BGDDT-KHCNTT", "2025-09-23", "Bộ Giáo dục và Đào tạo",
       "về hướng dẫn thực hiện nhiệm vụ ứng dụng CNTT, CĐS, thống kê giáo dục năm học 2025-2026", "5835/BGDDT-KHCNTT"), 1),
    ("văn bản số 7802/BGDDT-GDPT ngày 27/11/2025 của Bộ GDĐT về việc hướng dẫn thực hiện Học bạ số.", 0,
     E("Văn bản", "7802/BGDDT-GDPT", "2025-11-27", "Bộ GDĐT", "về việc hướng dẫn thực hiện Học bạ số"), 1),
    ("Quán triệt Nghị quyết 57 trong toàn ngành.", 0, E("Nghị quyết", None, None, None, None, "NGHI QUYET 57", 0.4), 1),
    ("Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị. Nghị quyết 57 xác định", 1,
     E("Nghị quyết", "57-NQ/TW", None, None, None, "57-NQ/TW", 0.6), 2),
    ("Nghị quyết số 57 đặt mục tiêu; Nghị quyết số 57-NQ/TW ngày 22/12/2024.", 0,
     E("Nghị quyết", "57-NQ/TW", None, None, None, "57-NQ/TW", 0.6), 2),
    ("Đảm bảo dữ liệu liên thông với Bộ GDĐT, UBND tỉnh, Đề án 06, đáp ứng yêu cầu", 0,
     E("Đề án", None, None, None, None, "DE AN 06", 0.4), 1),
    (("theo Quyết định số 06/QĐ-TTg ngày 06/01/2022 của Thủ tướng Chính phủ phê duyệt Đề án \"Phát triển ứng dụng "
     "dữ liệu về dân cư, định danh và xác thực điện tử\". Tuyên truyền các nhiệm vụ của Đề án 06."), 2,
     E("Đề án", "06/QĐ-TTg", None, None, None, "06/QD-TTG", 0.6), 3),
    (("Quyết định số 131/QĐ-TTg ngày 25/01/2022 của Thủ tướng Chính phủ phê duyệt Đề án \"Tăng cường ứng dụng công "
     "nghệ thông tin và chuyển đổi số trong giáo dục\"; triển khai Đề án 131."), 0,
     E("Quyết định", "131/QĐ-TTg", "2022-01-25", "Thủ tướng Chính phủ",
       "phê duyệt Đề án \"Tăng cường ứng dụng công nghệ thông tin và chuyển đổi số trong giáo dục\""), 3),
    (("Quyết định số 131/QĐ-TTg ngày 25/01/2022 của Thủ tướng Chính phủ phê duyệt Đề án \"Tăng cường ứng dụng công "
     "nghệ thông tin và chuyển đổi số trong giáo dục\"; triển khai Đề án 131."), 2,
     E("Đề án", "131/QĐ-TTg", None, None, None, "131/QD-TTG", 0.6), 3),
    # --- number forms ------------------------------------------------------------------------
    ("Nghị quyết số 57-NQ/TW ngày 22-12-2024 của Bộ Chính trị", 0, E("Nghị quyết", "57-NQ/TW", "2024-12-22", "Bộ Chính trị"), 1),
    ("Nghị quyết số 57-NQ/TW ngày 22.12.2024", 0, E("Nghị quyết", "57-NQ/TW", "2024-12-22"), 1),
    ("Tổ chức quán triệt nội dung Nghị quyết số 57NQ/TW và các văn bản chỉ đạo", 0,
     E("Nghị quyết", "57-NQ/TW", None, None, None, "57-NQ/TW"), 1),
    ("Nghị quyết số 57 – NQ/TW", 0, E("Nghị quyết", "57-NQ/TW", ref="57-NQ/TW"), 1),
    ("Quyết định số 131/QĐ—TTg", 0, E("Quyết định", "131/QĐ-TTg", ref="131/QD-TTG"), 1),
    ("Nghị quyết số 03-NQ/CP ngày 09/01/2025 của Chính phủ và Chương trình hành động số 89-CTr/TU", 0,
     E("Nghị quyết", "03/NQ-CP", "2025-01-09", "Chính phủ", None, "03/NQ-CP"), 2),
    (("Thực hiện Kế hoạch hành động số 15-KH-TU ngày 28/8/2025 của Tỉnh ủy Ninh Bình về việc thực hiện Nghị quyết "
     "số 57-NQ/TW ngày 22/12/2024"), 0,
     E("Kế hoạch hành động", "15-KH/TU", "2025-08-28", "Tỉnh ủy Ninh Bình", "về việc thực hiện Nghị quyết số 57-NQ/TW"), 2),
    ("Kế hoạch số 28/KH-\nUBND ngày 24/01/2025 của UBND tỉnh", 0, E("Kế hoạch", "28/KH-UBND", "2025-01-24", "UBND tỉnh"), 1),
    ("Nghị quyết số\n57-NQ/TW ngày\n22/12/2024 của Bộ\nChính trị về đột phá", 0,
     E("Nghị quyết", "57-NQ/TW", "2024-12-22", "Bộ Chính trị", "về đột phá"), 1),
    ("NGHỊ QUYẾT SỐ 57-NQ/TW", 0, E("Nghị quyết", "57-NQ/TW"), 1),
    ("Luật số 43/2019/QH14 ngày 14/6/2019 của Quốc hội", 0, E("Luật", "43/2019/QH14", "2019-06-14", "Quốc hội", None, "43/2019/QH14"), 1),
    ("theo 57-NQ/TW và 03/NQ-CP", 1, E("Nghị quyết", "03/NQ-CP", None, None, None, "03/NQ-CP", 0.85), 2),
    ("các nhiệm vụ theo 03/NQ-CP ngày 09/01/2025 của Chính phủ về phát triển", 0,
     E("Nghị quyết", "03/NQ-CP", "2025-01-09", "Chính phủ", "về phát triển", "03/NQ-CP", 0.85), 1),
    ("Kế hoạch số /KH-UBND, ngày tháng 03 năm 2026 của UBND xã", 0,
     E("Kế hoạch", None, "2026-03", "UBND xã", None, "/KH-UBND", 0.4), 1),
    # --- issuers -----------------------------------------------------------------------------
    (("Kế hoạch số 28/KH-UBND ngày 24/01/2025 của Ủy ban nhân dân (UBND) tỉnh về triển khai Nghị quyết số 03/NQ-CP "
     "ngày 09/01/2025 của Chính phủ và Chương trình hành động số 46-CTr/TU"), 0,
     E("Kế hoạch", "28/KH-UBND", "2025-01-24", "Ủy ban nhân dân tỉnh", "về triển khai Nghị quyết số 03/NQ-CP"), 3),
    ("Nghị quyết số 03/NQ-CP ngày 09/01/2025 của Chính phủ và Chương trình hành động số 46-CTr/TU", 0,
     E("Nghị quyết", "03/NQ-CP", "2025-01-09", "Chính phủ"), 2),
    (("Căn cứ: (1) Kế hoạch số 37-KH/ĐU ngày 27/02/2025 của Đảng ủy Sở Giáo dục và Đào tạo (GDĐT) về tuyên truyền, "
     "quán triệt và triển khai thực hiện Nghị quyết số 57-NQ/TW, Chương trình hành động số 46-CTr/TU"), 0,
     E("Kế hoạch", "37-KH/ĐU", "2025-02-27", "Đảng ủy Sở Giáo dục và Đào tạo",
       "về tuyên truyền, quán triệt và triển khai thực hiện Nghị quyết số 57-NQ/TW", "37-KH/DU"), 3),
    ("Kế hoạch số 1449/KH-SGDĐT ngày 14/3/2025 của Sở Giáo dục và Đào tạo (GDĐT) tương xứng với điều kiện", 0,
     E("Kế hoạch", "1449/KH-SGDĐT", "2025-03-14", "Sở Giáo dục và Đào tạo", None, "1449/KH-SGDDT"), 1),
    ("Kế hoạch 1449/KH-SGDĐT ngày 14/3/2025 của Sở GDĐT phù hợp với yêu cầu", 0,
     E("Kế hoạch", "1449/KH-SGDĐT", "2025-03-14", "Sở GDĐT"), 1),
    (("Chương trình hành động số 89-CTr/TU ngày 25/02/2025 của Ban Thường vụ Thành ủy\nHải Phòng về phát triển khoa "
     "học, công nghệ"), 0,
     E("Chương trình hành động", "89-CTr/TU", "2025-02-25", "Ban Thường vụ Thành ủy Hải Phòng",
       "về phát triển khoa học, công nghệ"), 1),
    (("PHÂN CÔNG NHIỆM VỤ TRIỂN KẾ HOẠCH SỐ 44/KH-UBND NGÀY 28/02/2025 CỦA ỦY BAN NHÂN DÂN THÀNH\nPHỐ HẢI PHÒNG "
     "ĐỐI VỚI NGÀNH GIÁO DỤC VÀ ĐÀO TẠO"), 0,
     E("Kế hoạch", "44/KH-UBND", "2025-02-28", "ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG"), 1),
    (("Văn bản số 358/KH-UBND ngày 31/12/2025 của UBND thành phố Hải Phòng về việc thực hiện Nghị quyết 57-NQ/TW "
     "ngày 22/12/2024"), 0,
     E("Kế hoạch", "358/KH-UBND", "2025-12-31", "UBND thành phố Hải Phòng", "về việc thực hiện Nghị quyết 57-NQ/TW"), 2),
    (("Quyết định số 80/QĐ-TTg ngày 11/02/2023 của Thủ tướng chính phủ về phê duyệt quy hoạch tỉnh Quảng Ninh thời kỳ "
     "2021-2030, tầm nhìn đến năm 2050."), 0,
     E("Quyết định", "80/QĐ-TTg", "2023-02-11", "Thủ tướng chính phủ",
       "về phê duyệt quy hoạch tỉnh Quảng Ninh thời kỳ 2021-2030, tầm nhìn đến năm 2050"), 1),
    ("khung năng lực số ban hành kèm Thông tư 02/2025/TT-BGDĐT ngày 24/01/2025 của Bộ GDĐT.", 0,
     E("Thông tư", "02/2025/TT-BGDĐT", "2025-01-24", "Bộ GDĐT"), 1),
    ("Quyết định số 1/QĐ-BVHTTDL ngày 2/1/2024 của Bộ Văn hóa, Thể thao và Du lịch; Quyết định số 2/QĐ-UBND", 0,
     E("Quyết định", "1/QĐ-BVHTTDL", "2024-01-02", "Bộ Văn hóa, Thể thao và Du lịch"), 2),
    ("Kế hoạch số 67/KH-UBND ngày 12/9/2025 của UBND tỉnh Ninh Bình, Sở Giáo dục và Đào tạo ban hành", 0,
     E("Kế hoạch", "67/KH-UBND", "2025-09-12", "UBND tỉnh Ninh Bình"), 1),
    # --- subjects ----------------------------------------------------------------------------
    (("Quyết định số 5264/QĐ-UBND ngày 26/12/2025 của UBND thành phố phê duyệt Chiến lược dữ liệu thành phố Hải Phòng; "
     "văn bản số 13787/VP-VX ngày 28/12/2025 của UBND thành phố"), 0,
     E("Quyết định", "5264/QĐ-UBND", "2025-12-26", "UBND thành phố", "phê duyệt Chiến lược dữ liệu thành phố Hải Phòng"), 2),
    (("Nghị quyết số 71/NQ-CP ngày 01/4/2025 của Chính phủ ban hành Chương trình hành động thực hiện Nghị quyết số "
     "57-NQ/TW;"), 0,
     E("Nghị quyết", "71/NQ-CP", "2025-04-01", "Chính phủ",
       "ban hành Chương trình hành động thực hiện Nghị quyết số 57-NQ/TW"), 2),
    (("Nghị quyết số 11/NQ-CP ngày 14/01/2026 của Chính phủ sửa đổi, bổ sung, cập nhật Nghị quyết số 71/NQ-CP ngày "
     "01/4/2025 của Chính phủ;"), 0,
     E("Nghị quyết", "11/NQ-CP", "2026-01-14", "Chính phủ", "sửa đổi, bổ sung, cập nhật Nghị quyết số 71/NQ-CP"), 2),
    (("Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, đổi mới "
     "sáng tạo và chuyển đổi số quốc gia trên địa bàn tỉnh Ninh Bình, Sở Giáo dục và Đào tạo (GDĐT) ban hành Kế hoạch"), 0,
     E("Nghị quyết", "57-NQ/TW", "2024-12-22", "Bộ Chính trị",
       "về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia trên địa bàn tỉnh Ninh Bình"), 1),
    (("Chương trình hành động số 89-CTr/TU ngày 25/02/2025 của Ban Thường vụ Thành ủy Hải Phòng về phát triển khoa "
     "học năm 2025 (Thực hiện Kế hoạch số 44/KH-UBND ngày 28/02/2025 của Ủy ban nhân dân thành phố Hải Phòng);"), 0,
     E("Chương trình hành động", "89-CTr/TU", "2025-02-25", "Ban Thường vụ Thành ủy Hải Phòng",
       "về phát triển khoa học năm 2025"), 2),
    (("Kế hoạch số 276/KH-UBND ngày 10/11/2023 của UBND tỉnh về tăng cường ứng dụng công nghệ thông tin và thúc đẩy "
     "chuyển đổi số trong giáo dục và đào tạo giai đoạn 2023-2025, định hướng đến năm 2030."), 0,
     E("Kế hoạch", "276/KH-UBND", "2023-11-10", "UBND tỉnh",
       "về tăng cường ứng dụng công nghệ thông tin và thúc đẩy chuyển đổi số trong giáo dục và đào tạo giai đoạn "
       "2023-2025, định hướng đến năm 2030"), 1),
    (("Trên đây là Kế hoạch thực hiện Chương trình hành động số 89-CTr/TU ngày 25/02/2025 của Ban Thường vụ Thành ủy "
     "Hải Phòng về phát triển khoa học, công nghệ năm 2025./."), 0,
     E("Chương trình hành động", "89-CTr/TU", "2025-02-25", "Ban Thường vụ Thành ủy Hải Phòng",
       "về phát triển khoa học, công nghệ năm 2025"), 1),
    # --- other localities' documents and types -----------------------------------------------
    ("Nghị định số 13/2023/NĐ-CP ngày 17/4/2023 của Chính phủ về bảo vệ dữ liệu cá nhân", 0,
     E("Nghị định", "13/2023/NĐ-CP", "2023-04-17", "Chính phủ", "về bảo vệ dữ liệu cá nhân", "13/2023/ND-CP"), 1),
    ("Chỉ thị số 05-CT/TU ngày 10/3/2021 của Ban Thường vụ Tỉnh ủy Nghệ An về tăng cường", 0,
     E("Chỉ thị", "05-CT/TU", "2021-03-10", "Ban Thường vụ Tỉnh ủy Nghệ An", "về tăng cường"), 1),
    ("Công văn số 1234/UBND-VX ngày 5/6/2024 của UBND tỉnh Bắc Giang", 0,
     E("Công văn", "1234/UBND-VX", "2024-06-05", "UBND tỉnh Bắc Giang"), 1),
    ("Hướng dẫn số 12-HD/BTGTW ngày 20/5/2025 của Ban Tuyên giáo Trung ương", 0,
     E("Hướng dẫn", "12-HD/BTGTW", "2025-05-20", "Ban Tuyên giáo Trung ương"), 1),
    ("Thông báo kết luận số 123-TB/TU của Thường trực Tỉnh ủy", 0,
     E("Thông báo kết luận", "123-TB/TU", None, "Thường trực Tỉnh ủy"), 1),
    ("Quy định số 08-QĐi/TW ngày 25/10/2018 của Ban Chấp hành Trung ương", 0,
     E("Quy định", "08-QĐi/TW", "2018-10-25", "Ban Chấp hành Trung ương"), 1),
    ("Công điện số 01/CĐ-TTg ngày 02/01/2025 của Thủ tướng Chính phủ", 0,
     E("Công điện", "01/CĐ-TTg", "2025-01-02", "Thủ tướng Chính phủ"), 1),
    ("Tờ trình số 15/TTr-SGDĐT ngày 3/3/2025 của Sở Giáo dục và Đào tạo tỉnh Lào Cai", 0,
     E("Tờ trình", "15/TTr-SGDĐT", "2025-03-03", "Sở Giáo dục và Đào tạo tỉnh Lào Cai"), 1),
    ("Báo cáo số 120/BC-UBND ngày 30/11/2024 của UBND huyện Cát Hải", 0,
     E("Báo cáo", "120/BC-UBND", "2024-11-30", "UBND huyện Cát Hải"), 1),
    ("Nghị quyết số 01/2021/NQ-HĐND ngày 9/7/2021 của Hội đồng nhân dân tỉnh Quảng Ninh", 0,
     E("Nghị quyết", "01/2021/NQ-HĐND", "2021-07-09", "Hội đồng nhân dân tỉnh Quảng Ninh"), 1),
    ("Quyết định số 4567/QĐ-UBND ngày 15 tháng 12 năm 2023 của Chủ tịch UBND tỉnh", 0,
     E("Quyết định", "4567/QĐ-UBND", "2023-12-15", "Chủ tịch UBND tỉnh"), 1),
    ("Thực hiện Luật Giáo dục năm 2019 và Luật An ninh mạng", 0,
     E("Luật", None, "2019", None, None, "LUAT GIAO DUC", 0.4), 2),
    (("Đề án \"Tăng cường ứng dụng công nghệ thông tin và chuyển đổi số trong GDĐT giai đoạn 2022-2025, định hướng "
     "đến năm2030\" và Chỉ thị số 04/CT-TTg"), 0,
     E("Đề án", None, None, None, "Tăng cường ứng dụng công nghệ thông tin và chuyển đổi số trong GDĐT giai đoạn "
       "2022-2025, định hướng đến năm2030", confidence=0.4), 2),
]


@pytest.mark.parametrize("text, index, expected, count", CASES, ids=[f"{i:02d}" for i in range(len(CASES))])
def test_phrasings(text, index, expected, count):
    citations, _ = cite(text)
    assert len(citations) == count, [c.text for c in citations]
    c = citations[index]
    got = E(c.doc_type, c.number, c.issued_date, c.issuer, c.title,
            c.ref if expected.ref else None, c.confidence if expected.confidence else None)
    assert got == expected


def test_enough_phrasings():
    assert len(CASES) >= 40


# texts that name no other document
NOTHING = [
    "Kế hoạch năm 2025 của ngành",
    "giai đoạn 2025-2030, tầm nhìn đến năm 2045",
    "(Chi tiết tại Phụ lục 01 kèm theo Kế hoạch)",
    "Xây dựng chương trình 2 năm về chuyển đổi số",
    "- Đơn vị chủ trì: Phòng GDĐT; lớp 6/THCS",
    "Kế hoạch triển khai các nhiệm vụ về phát triển khoa học",
    "Sở GDĐT ban hành Kế hoạch này; báo cáo số liệu trước ngày 15/11/2025.",
    "Số: 12/KH-UBND\nTân Kỳ, ngày 05 tháng 3 năm 2026",
    "PHỤ LỤC 1\n(Kèm theo Kế hoạch số /KH-UBND, ngày tháng 03 năm 2026 của UBND xã)",
    "Nghị quyết 2025 của Hội đồng",
]


@pytest.mark.parametrize("text", NOTHING)
def test_no_citation(text):
    citations, _ = cite(text)
    assert citations == [], [c.text for c in citations]


def test_plan_naming_itself_by_its_header_number():
    citations, _ = cite("Số: /KH-UBND\nKẾ HOẠCH\nThực hiện Kế hoạch số 48/KH-UBND.\nCác đơn vị thực hiện Kế hoạch số "
                        "/KH-UBND nêu trên.")
    assert [c.number for c in citations] == ["48/KH-UBND"]


def test_family_swap_warns_once_naming_the_text():
    citations, warnings = cite("Nghị quyết số 03-NQ/CP ngày 09/01/2025 của Chính phủ; Nghị quyết số 03-NQ/CP.")
    assert [c.number for c in citations] == ["03/NQ-CP", "03/NQ-CP"]
    assert len(warnings) == 1 and "03-NQ/CP" in warnings[0] and "03/NQ-CP" in warnings[0]


def test_bad_date_is_left_out_with_a_warning():
    citations, warnings = cite("Quyết định số 12/QĐ-UBND ngày 32/13/2024 của UBND tỉnh")
    assert citations[0].issued_date is None and citations[0].issuer == "UBND tỉnh"
    assert any("32/13/2024" in w for w in warnings)


def test_ambiguous_short_form_stays_unlinked():
    citations, warnings = cite("Nghị quyết số 03-NQ/TU và Nghị quyết số 03/NQ-CP; Nghị quyết 03 đặt ra")
    assert citations[-1].ref == "NGHI QUYET 03" and citations[-1].number is None
    assert any("may be any of" in w for w in warnings)


def test_repeats_share_one_ref():
    text = ("Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị (Nghị quyết số 57-NQ/TW), Nghị quyết số 57NQ/TW, "
            "NGHỊ QUYẾT SỐ 57-NQ/TW, Nghị quyết 57, 57-NQ/TW")
    citations, _ = cite(text)
    assert len(citations) == 6 and {c.ref for c in citations} == {"57-NQ/TW"}


# --- the rule file's own examples ------------------------------------------------------------


def test_rule_ids_unique_and_types_cover_symbol_types():
    ids = [t["id"] for t in RULES["doc_types"]] + [d["id"] for d in RULES["dates"]]
    assert len(ids) == len(set(ids))
    names = {t["name"] for t in RULES["doc_types"]}
    assert {"Nghị quyết", "Quyết định", "Kế hoạch", "Thông tư", "Chỉ thị", "Kết luận"} <= names


@pytest.mark.parametrize("entry", RULES["doc_types"], ids=lambda t: t["id"])
def test_doc_type_examples(entry):
    for example in entry["examples"]:
        mentions = find_mentions(example)
        assert len(mentions) == 1 and mentions[0].doc_type.name == entry["name"], example


@pytest.mark.parametrize("printed, number", RULES["symbol"]["examples"].items())
def test_symbol_examples(printed, number):
    assert parse_symbol(printed).number == number


@pytest.mark.parametrize("text", RULES["symbol"]["counter_examples"])
def test_symbol_counter_examples(text):
    assert find_mentions(text) == []


def test_organ_families():
    lex = lexicon()
    assert all(lex.party_organs.match(o) for o in RULES["party_examples"])
    assert all(lex.state_organs.match(o) and not lex.party_organs.match(o) for o in RULES["state_examples"])


@pytest.mark.parametrize("entry", RULES["dates"], ids=lambda d: d["id"])
def test_date_examples(entry):
    for text, iso in entry["examples"].items():
        assert _date_at(text, 0, len(text))[0] == iso, text


@pytest.mark.parametrize("text, issuer", RULES["issuer_examples"].items())
def test_issuer_examples(text, issuer):
    assert _issuer_at(text, 0, len(text), upper=False)[0] == issuer


@pytest.mark.parametrize("text", RULES["issuer_counter_examples"])
def test_issuer_counter_examples(text):
    assert _issuer_at(text, 0, len(text), upper=False)[0] is None


@pytest.mark.parametrize("text, title", RULES["title_examples"].items())
def test_title_examples(text, title):
    end = text.find("; ")
    assert _title_at(text, 0, len(text) if end < 0 else end + 2, None) == title


@pytest.mark.parametrize("text, expected", RULES["name_examples"].items())
def test_name_examples(text, expected):
    (m,) = find_mentions(text)
    assert [m.name, m.year] == expected


# --- the seeds: every cited document, verified by reading them ---------------------------------

# ref -> (doc_type, number, issued_date, issuer) merged over all mentions; None where no mention says it.
SEED_000 = {
    "12-KH/TU": ("Kế hoạch hành động", "12-KH/TU", "2025-08-26", "Ban Thường vụ Thành ủy Hải Phòng"),
    "57-NQ/TW": ("Nghị quyết", "57-NQ/TW", "2024-12-22", "Bộ Chính trị"),
    "48/KH-UBND": ("Kế hoạch", "48/KH-UBND", None, "Ủy ban nhân dân thành phố"),
    "11/NQ-CP": ("Nghị quyết", "11/NQ-CP", "2026-01-14", "Chính phủ"),
    "71/NQ-CP": ("Nghị quyết", "71/NQ-CP", "2025-04-01", "Chính phủ"),
    "637/KH-UBND": ("Kế hoạch", "637/KH-UBND", "2026-02-04", "Sở Giáo dục và Đào tạo"),
    "02/2025/TT-BGDDT": ("Thông tư", "02/2025/TT-BGDĐT", None, None),
    "100/KH-UBND": ("Kế hoạch", "100/KH-UBND", None, None),  # "Kế hoạch số 100/KH-UBND của xã"
}
SEED_004 = {
    "28/KH-UBND": ("Kế hoạch", "28/KH-UBND", "2025-01-24", "Ủy ban nhân dân tỉnh"),
    "03/NQ-CP": ("Nghị quyết", "03/NQ-CP", "2025-01-09", "Chính phủ"),
    "46-CTR/TU": ("Chương trình hành động", "46-CTr/TU", "2025-01-15", "Ban Thường vụ Tỉnh ủy"),
    "57-NQ/TW": ("Nghị quyết", "57-NQ/TW", "2024-12-22", "Bộ Chính trị"),
    "37-KH/DU": ("Kế hoạch", "37-KH/ĐU", "2025-02-27", "Đảng ủy Sở Giáo dục và Đào tạo"),
    "276/KH-UBND": ("Kế hoạch", "276/KH-UBND", "2023-11-10", "UBND tỉnh"),
    "52-NQ/TW": ("Nghị quyết", "52-NQ/TW", "2019-09-27", "Bộ Chính trị"),
    "DE AN 06": ("Đề án", None, None, None),
    # cited only in footnotes 4 and 7
    "02/2025/TT-BGDDT": ("Thông tư", "02/2025/TT-BGDĐT", "2025-01-24", "Bộ GDĐT"),
    "80/QD-TTG": ("Quyết định", "80/QĐ-TTg", "2023-02-11", "Thủ tướng chính phủ"),
}
# mentions per seed, counted by reading (the header "Số:" line and appendix captions left out);
# footnotes included: 001's footnote 1 names six documents, 004's footnotes 4, 7 and 8 one each
MENTIONS = {"000": 33, "001": 20, "002": 15, "003": 38, "004": 41}


def _documents(doc) -> dict[str, tuple]:
    return {ref: (c.doc_type, c.number, c.issued_date, c.issuer) for ref, c in merge_by_ref(doc.citations).items()}


@pytest.mark.parametrize("key, expected", [("000", SEED_000), ("004", SEED_004)])
def test_seed_cited_documents(seed_docs, key, expected):
    assert _documents(seed_docs[key]) == expected


@pytest.mark.parametrize("key", sorted(MENTIONS))
def test_seed_mention_counts(seed_docs, key):
    assert len(seed_docs[key].citations) == MENTIONS[key]


def test_seed_000_subjects(seed_docs):
    merged = merge_by_ref(seed_docs["000"].citations)
    assert merged["637/KH-UBND"].title == ("về việc triển khai các nhiệm vụ về phát triển khoa học, công nghệ, đổi mới "
                                           "sáng tạo và chuyển đổi số của ngành Giáo dục và Đào tạo")
    assert merged["02/2025/TT-BGDDT"].title == "về Khung năng lực số cho người học"


def test_seed_001_short_names_link_to_their_decisions(seed_docs):
    citations = seed_docs["001"].citations
    de_an = [c for c in citations if c.text == "Đề án 06"]
    assert len(de_an) == 4 and {c.ref for c in de_an} == {"06/QD-TTG"}
    assert any("15-KH-TU" in w and "15-KH/TU" in w for w in seed_docs["001"].warnings)


def test_seed_003_party_form_of_a_government_resolution(seed_docs):
    doc = seed_docs["003"]
    printed = [c for c in doc.citations if "03-NQ/CP" in c.text]
    assert len(printed) == 7 and {c.number for c in printed} == {"03/NQ-CP"}
    assert {c.issuer for c in printed} == {"Chính phủ"} and {c.issued_date for c in printed} == {"2025-01-09"}
    warnings = [w for w in doc.warnings if "03-NQ/CP" in w]
    assert len(warnings) == 1 and "03/NQ-CP" in warnings[0]
    # the Party resolution of the city (03-NQ/TU) is another document
    assert "03-NQ/TU" in {c.ref for c in doc.citations}


def test_seed_004_footnote_citations(seed_docs):
    """Seed 004 cites Thông tư 02/2025/TT-BGDĐT and Quyết định 80/QĐ-TTg only in its footnotes 4 and 7
    (read from the text); such citations carry the footnote label, offsets into its text, its page."""
    doc = seed_docs["004"]
    notes = {f.label: f.text for f in doc.footnotes}
    in_notes = {c.ref: c for c in doc.citations if c.footnote}
    assert {"02/2025/TT-BGDDT", "80/QD-TTG"} <= set(in_notes)
    circular, decision = in_notes["02/2025/TT-BGDDT"], in_notes["80/QD-TTG"]
    assert (circular.footnote, circular.issued_date, circular.issuer) == ("4", "2025-01-24", "Bộ GDĐT")
    assert (decision.footnote, decision.issued_date) == ("7", "2023-02-11")
    for c in in_notes.values():
        assert " ".join(notes[c.footnote][c.start:c.end].split()) == c.text and c.section is None


@pytest.mark.parametrize("key", sorted(MENTIONS))
def test_seed_spans_hold_their_text(seed_docs, key):
    doc = seed_docs[key]
    notes = {f.label: f.text for f in doc.footnotes}
    for c in doc.citations:
        source = notes[c.footnote] if c.footnote else doc.text
        assert " ".join(source[c.start:c.end].split()) == c.text
        if c.number and c.confidence >= 0.85:  # the number as printed sits in the span, folded
            digits = regex.match(r"\d+", c.number).group()
            assert digits in c.text and fold(c.number.split("/")[-1].split("-")[-1]).upper() in fold(c.text).upper()
        assert 0 < c.confidence <= 1 and c.ref

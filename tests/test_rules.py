"""Every rule file entry runs its own examples (eyecite/reporters-db habit)."""

from __future__ import annotations

import pytest
import regex

from pipeline.headings import match_heading, rules

STYLES = rules()["heading_styles"]


def test_style_ids_unique():
    ids = [s["id"] for s in STYLES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s["id"])
def test_heading_style_examples(style):
    pattern = regex.compile(style["pattern"])
    for text, label in style.get("examples", {}).items():
        m = match_heading(text)
        assert m is not None and m.style == style["id"] and m.label == label, text
    for text in style.get("counter_examples", []):
        m = pattern.match(text)
        assert m is None, text


@pytest.mark.parametrize("text, doc_type", [("KẾ HOẠCH", "Kế hoạch"), ("QUYẾT ĐỊNH", "Quyết định"),
                                            ("KẾ HOẠCH Triển khai các nhiệm vụ", "Kế hoạch"),
                                            ("Kế hoạch số 44/KH-UBND", None), ("KẾ HOẠCH SỐ 44/KH-UBND NGÀY", None)])
def test_doc_type_lines(text, doc_type):
    from pipeline.segment import doc_type_of_line

    assert doc_type_of_line(text) == doc_type

"""Headings and list items: which style a line opens with (I., 1., 1.1., a), Điều 1, -, +).

The styles are data (rules/structure.yaml, `heading_styles`). Normalization asks
this module so that it never joins a wrapped line into a heading; segmentation
asks it to build the section tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex

from .rules import load as load_rules
from .textshape import is_table_row


def rules() -> dict:
    """rules/structure.yaml: heading styles, zones, document types."""
    return load_rules("structure.yaml")


@dataclass(frozen=True)
class HeadingStyle:
    id: str
    pattern: regex.Pattern
    item: bool


@dataclass(frozen=True)
class HeadingMatch:
    style: str
    label: str
    text: str
    item: bool


@lru_cache(maxsize=1)
def heading_styles() -> tuple[HeadingStyle, ...]:
    return tuple(
        HeadingStyle(entry["id"], regex.compile(entry["pattern"]), bool(entry.get("item")))
        for entry in rules()["heading_styles"]
    )


def match_heading(text: str) -> HeadingMatch | None:
    """The heading or list-item style a paragraph opens with, if any."""
    if is_table_row(text):
        return None
    for style in heading_styles():
        m = style.pattern.match(text)
        if m:
            return HeadingMatch(style.id, m.group("label"), m.group("text").strip(), style.item)
    return None

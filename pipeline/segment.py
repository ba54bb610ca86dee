"""Segmentation: normalized text -> the section tree of a plan.

A plan has a fixed outer shape (Nghị định 30/2020/NĐ-CP): header block, title,
preamble, numbered body, closing ("Trên đây là …", "Nơi nhận", signature),
appendices. The outer zones are found first, by their openers; then the body
is cut at its headings, whose nesting is decided by the order in which heading
styles (I., 1., 1.1., a), -, +) first appear, as Word's outline does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex

from .headings import match_heading, rules
from .model import Section
from .textshape import ends_sentence, is_all_caps, is_table_row


@dataclass(frozen=True)
class Paragraph:
    """One line of the normalized text (normalization puts one paragraph per line)."""

    index: int
    start: int
    end: int
    text: str


def paragraphs_of(text: str) -> list[Paragraph]:
    paras: list[Paragraph] = []
    offset = 0
    for i, line in enumerate(text.split("\n")):
        paras.append(Paragraph(i, offset, offset + len(line), line))
        offset += len(line) + 1
    return paras


# --------------------------------------------------------------------------
# Patterns from rules/structure.yaml
# --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def structure_patterns() -> dict[str, regex.Pattern]:
    r = rules()
    doc_types = sorted(r["doc_types"], key=len, reverse=True)
    return {
        "doc_type_line": regex.compile(rf"^(?P<type>{'|'.join(map(regex.escape, doc_types))})\s*(?P<rest>.*)$"),
        "preamble": regex.compile(rf"^(?:{'|'.join(map(regex.escape, r['preamble_openers']))})\b"),
        "closing": regex.compile(rf"^(?:{'|'.join(r['closing_openers'])})", regex.I),
        "end_marker": regex.compile(r["end_of_text_marker"]),
        "appendix": regex.compile(r["appendix_heading"]),
        "caption": regex.compile(r["appendix_caption"], regex.I),
        "number_line": regex.compile(r"^S[ốô]\s*:", regex.I),
        "date_line": regex.compile(r",?\s*ngày\b.*\bnăm\b", regex.I),
        "motto": regex.compile("|".join(r["national_motto"])),
        "rule_line": regex.compile(r"^[-_=.…*\s]{3,}$"),
    }


def doc_type_of_line(text: str) -> str | None:
    m = structure_patterns()["doc_type_line"].match(text.strip())
    if not m:
        return None
    rest = m.group("rest").strip()
    # "KẾ HOẠCH" alone or followed by its subject; not "Kế hoạch số 44/KH-UBND ..." in a sentence
    if rest and (not rest[:1].isupper() or regex.match(r"(?i)số\b", rest)):
        return None
    return rules()["doc_types"][m.group("type")]


# --------------------------------------------------------------------------
# Outer zones
# --------------------------------------------------------------------------


@dataclass
class Zones:
    """Paragraph indices where each outer part starts (None when absent)."""

    title: int | None
    title_end: int | None  # exclusive
    body: int | None
    closing: int | None
    appendices: list[int]


_HEADER_LOOKAHEAD = 25  # paragraphs in which a header block and title must appear


def find_zones(paras: list[Paragraph]) -> Zones:
    title, title_end = _find_title(paras)
    after_title = title_end if title_end is not None else 0
    body = _find_body_start(paras, after_title)
    closing = _find_closing(paras, body if body is not None else after_title)
    appendices = _find_appendices(paras, closing if closing is not None else (body or after_title))
    if closing is not None and appendices and appendices[0] < closing:
        closing = None
    return Zones(title, title_end, body, closing, appendices)


def _find_title(paras: list[Paragraph]) -> tuple[int | None, int | None]:
    p = structure_patterns()
    for para in paras[:_HEADER_LOOKAHEAD]:
        if doc_type_of_line(para.text):
            return para.index, _title_end(paras, para.index + 1)
        heading = match_heading(para.text)
        if heading and not heading.item:
            break
    # No title line: the document may start at the subject (seeds printed without
    # a header). The first paragraph is the subject when it does not end a sentence
    # and the next one opens a preamble.
    first = next((q for q in paras if q.text.strip()), None)
    if first is None or match_heading(first.text):
        return None, None
    nxt = next((q for q in paras[first.index + 1 :] if q.text.strip()), None)
    if nxt is not None and not ends_sentence(first.text) and p["preamble"].match(nxt.text):
        return first.index, first.index + 1
    return None, None


def _title_end(paras: list[Paragraph], i: int) -> int:
    """The subject after the type line, over one or more paragraphs. It stops at a
    heading or the closing; a further paragraph is not taken when it opens a preamble,
    ends a sentence, or is in capitals after a mixed-case subject ("ỦY BAN NHÂN DÂN
    TỈNH …" enacting a decision)."""
    p = structure_patterns()
    taken: list[str] = []
    while i < len(paras):
        text = paras[i].text.strip()
        if not text or p["rule_line"].match(text):
            i += 1
            continue
        if match_heading(text) or p["closing"].match(text):
            break
        if taken and (
            p["preamble"].match(text)
            or ends_sentence(text)
            or (is_all_caps(text) and not is_all_caps(taken[-1]))
        ):
            break
        taken.append(text)
        i += 1
        if ends_sentence(text):
            break
    return i


def _find_body_start(paras: list[Paragraph], start: int) -> int | None:
    for para in paras[start:]:
        m = match_heading(para.text)
        if m and not m.item and m.style != "heading.paren_number":
            return para.index
        if structure_patterns()["appendix"].match(para.text) and _short(para.text):
            return None
    return None


def _find_closing(paras: list[Paragraph], start: int) -> int | None:
    p = structure_patterns()
    for para in paras[start:]:
        text = para.text
        if p["closing"].match(text):
            return para.index
        if p["end_marker"].search(text) and not match_heading(text):
            return para.index
        if p["appendix"].match(text) and _short(text):
            return None
    return None


def _find_appendices(paras: list[Paragraph], start: int) -> list[int]:
    """'PHỤ LỤC …' headings; and, after the closing, an unlabelled appendix: a title in
    capitals right above a '(Kèm theo Kế hoạch số … ngày …)' caption."""
    p = structure_patterns()
    found = [q.index for q in paras[start:] if p["appendix"].match(q.text) and _short(q.text)]
    for q in paras[start:]:
        if not p["caption"].match(q.text.strip()):
            continue
        first = _caps_block_above(paras, q.index, start)
        if not any(first - _CAPTION_REACH <= i <= q.index for i in found):
            found.append(first)
    return sorted(found)


_CAPTION_REACH = 4  # paragraphs between an appendix heading and its caption


def _caps_block_above(paras: list[Paragraph], caption: int, floor: int) -> int:
    """The first paragraph of the title in capitals right above a caption: not above `floor`
    (where the zone the appendix follows starts) and not a heading ("I. CÔNG TÁC …"), which
    belongs to the body."""
    i = caption
    while (i - 1 >= floor and caption - (i - 1) <= _CAPTION_REACH and is_all_caps(paras[i - 1].text)
           and not match_heading(paras[i - 1].text)):
        i -= 1
    return i


def _short(text: str) -> bool:
    return len(text) <= 160


# --------------------------------------------------------------------------
# The tree
# --------------------------------------------------------------------------


class _Builder:
    def __init__(self, paras: list[Paragraph], text_len: int):
        self.paras = paras
        self.text_len = text_len
        self.sections: list[Section] = []

    def add(self, kind: str, first: int, last: int, *, level: int = 1, parent: str | None = None,
            label: str | None = None, heading: str | None = None) -> Section:
        """A section over paragraphs first..last-1 (the end is fixed later for body sections)."""
        start = self.paras[first].start
        end = self.paras[last - 1].end if last > first else start
        section = Section(
            id=f"s{len(self.sections) + 1}", parent=parent, level=level, kind=kind,
            label=label, heading=heading, start=start, end=end,
        )
        self.sections.append(section)
        return section


def segment(text: str) -> list[Section]:
    """Cut a normalized plan into its section tree (document order, parents first)."""
    paras = paragraphs_of(text)
    if not paras:
        return []
    zones = find_zones(paras)
    b = _Builder(paras, len(text))
    n = len(paras)
    boundaries = sorted({i for i in (zones.title, zones.body, zones.closing, *zones.appendices) if i is not None} | {n})

    def next_boundary(i: int) -> int:
        return next(x for x in boundaries if x > i)

    first_content = next((q.index for q in paras if q.text.strip()), 0)
    head_end = zones.title if zones.title is not None else (zones.body if zones.body is not None else 0)
    if zones.title is not None and head_end > first_content:
        b.add("header", first_content, head_end, heading=None)
    if zones.title is not None:
        title_paras = [q.text for q in paras[zones.title : zones.title_end] if q.text.strip()]
        b.add("title", zones.title, zones.title_end, heading=" ".join(title_paras))
        pre_start, pre_end = zones.title_end, (zones.body if zones.body is not None else next_boundary(zones.title_end - 1))
        if _has_text(paras, pre_start, pre_end):
            b.add("preamble", _first_text(paras, pre_start, pre_end), pre_end)
    elif zones.body is not None and _has_text(paras, 0, zones.body):
        b.add("preamble", first_content, zones.body)
    if zones.body is not None:
        _add_body(b, zones.body, next_boundary(zones.body))
    if zones.closing is not None:
        b.add("closing", zones.closing, next_boundary(zones.closing), heading=None)
    for start in zones.appendices:
        _add_appendix(b, start, next_boundary(start))
    _trim_ends(b.sections, text)
    return b.sections


def _has_text(paras: list[Paragraph], start: int, end: int) -> bool:
    return any(q.text.strip() for q in paras[start:end])


def _first_text(paras: list[Paragraph], start: int, end: int) -> int:
    return next((q.index for q in paras[start:end] if q.text.strip()), start)


_ITEM_RANK = 100  # list items nest under headings, never the other way round


def _add_body(b: _Builder, start: int, end: int) -> None:
    """Headings and list items, nested by the order in which their styles first appear."""
    headings: list[str] = []  # numbered styles, in order of first appearance
    items: list[str] = []  # "-" / "+" styles: always below every numbered style
    stack: list[tuple[int, Section]] = []  # (rank, section)
    for para in b.paras[start:end]:
        m = match_heading(para.text)
        if m is None:
            continue
        order = items if m.item else headings
        if m.style not in order:
            order.append(m.style)
        rank = order.index(m.style) + (_ITEM_RANK if m.item else 0)
        while stack and stack[-1][0] >= rank:
            stack.pop()
        parent = stack[-1][1] if stack else None
        section = b.add(
            "body", para.index, para.index + 1, level=len(stack) + 1,
            parent=parent.id if parent else None, label=m.label,
            heading=None if m.item else m.text,
        )
        section.list_item = m.item
        stack.append((rank, section))
    _close_body(b, start, end)


def _close_body(b: _Builder, start: int, end: int) -> None:
    """A body section runs until the next section that is not its descendant."""
    zone_end = b.paras[end - 1].end
    body = [s for s in b.sections if s.kind == "body"]
    for i, section in enumerate(body):
        stop = zone_end
        for later in body[i + 1 :]:
            if later.level <= section.level:
                stop = later.start - 1
                break
        section.end = max(stop, section.start)


def _add_appendix(b: _Builder, start: int, end: int) -> None:
    p = structure_patterns()
    para = b.paras[start]
    m = p["appendix"].match(para.text)
    if m:
        label = regex.sub(r"\s+", " ", m.group("label")).upper().replace("PHỤLỤC", "PHỤ LỤC")
        title_parts = [m.group("text").strip()] if m.group("text").strip() else []
        first_title = start + 1
    else:  # unlabelled: the title in capitals is the first paragraph
        label, title_parts, first_title = None, [], start
    caption = None
    for q in b.paras[first_title : min(end, start + 8)]:
        text = q.text.strip()
        if not text:
            continue
        if p["caption"].match(text):
            caption = text
            break
        if match_heading(text) or is_table_row(text) or len(title_parts) >= 4:
            break
        title_parts.append(text)
    if caption is None:
        title_parts = title_parts[:1]
    section = b.add("appendix", start, end, label=label, heading=" ".join(title_parts) or None)
    section.caption = caption


def _trim_ends(sections: list[Section], text: str) -> None:
    """Sections end at their last non-space character."""
    for s in sections:
        while s.end > s.start and text[s.end - 1] in " \n\t":
            s.end -= 1


def top_level(sections: list[Section]) -> list[Section]:
    return [s for s in sections if s.parent is None]

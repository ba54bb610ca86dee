"""Document metadata read from the header block, the title, the closing and captions.

What the header prints wins. Where a plan was printed without its header (the
text starts at the title), only what the text itself states is used: the
issuer from "… ban hành Kế hoạch", month and year from an appendix caption
"(Kèm theo Kế hoạch số … ngày … tháng 01 năm 2026)", the locality from the
issuer's name or from the place named with its level in the text. Nothing is
guessed: a field without evidence stays null.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import regex

from .dates import partial_iso
from .headings import rules as structure_rules
from .model import DocumentInfo, Locality, Section, Signer
from .numerals import to_int
from .rules import load as load_rules
from .rules import phrase_alternation
from .segment import doc_type_of_line, structure_patterns


def places() -> dict:
    return load_rules("places.yaml")


def _body_heads() -> list[str]:
    """Words a body's name starts with, abbreviations included (rules/units.yaml): who can issue a plan."""
    units = load_rules("units.yaml")
    return units["bodies"] + units["body_abbreviations"]


_NUMBER = regex.compile(
    r"S[ốô]\s*(?:hiệu)?\s*:\s*(?P<num>\d[\w.]*)?\s*(?P<sym>/\s*[\p{L}\d][\p{L}\d&.\-/]*)?", regex.I
)
_CAPTION_NUMBER = regex.compile(r"\bsố\s*(?P<num>\d[\w.]*)?\s*(?P<sym>/\s*[\p{L}\d][\p{L}\d&.\-/]*)", regex.I)
_DATE = regex.compile(
    r"(?:(?P<place>[\p{L}][\p{L} .'-]{0,40}?)\s*,\s*)?ngày\s*(?P<d>\d{1,2})?\s*(?:tháng|/)\s*(?P<m>\d{1,2})?\s*(?:năm|/)\s*(?P<y>\d{4})",
    regex.I,
)
_PLACE = regex.compile(r"(?P<place>\p{Lu}[\p{L} .'-]{0,40}?)\s*,\s*ngày\b", regex.I)
_SLASH_DATE = regex.compile(r"ngày\s*(?P<d>\d{1,2})?\s*/\s*(?P<m>\d{1,2})?\s*/\s*(?P<y>\d{4})", regex.I)
_PERSON = regex.compile(r"^(?:[\p{Lu}][\p{Ll}]*)(?:\s+[\p{Lu}][\p{Ll}]*){1,5}$")


def read_metadata(info: DocumentInfo, text: str, sections: list[Section]) -> list[str]:
    """Fill `info` in place from the text; return warnings."""
    warnings: list[str] = []
    header = _section_text(text, sections, "header")
    title = next((s for s in sections if s.kind == "title"), None)
    closing = _section_text(text, sections, "closing")
    captions = [s.caption for s in sections if s.kind == "appendix" and s.caption]

    header_lines = _header_lines(header)
    _read_number(info, header_lines, captions)
    _read_date(info, header_lines, captions, warnings)
    info.doc_type = _doc_type(info, title, text)
    if title is not None:
        info.title = _title_subject(text[title.start : title.end])
    info.issuer, info.locality = _issuer_and_locality(header_lines, text, closing, info.place)
    info.signer, info.recipients = _read_closing(closing)
    return warnings


def _section_text(text: str, sections: list[Section], kind: str) -> str:
    section = next((s for s in sections if s.kind == kind), None)
    return text[section.start : section.end] if section else ""


# --------------------------------------------------------------------------
# Header block
# --------------------------------------------------------------------------


def _header_lines(header: str) -> list[str]:
    """Header lines without the national motto, which may share a line with the issuer
    when two printed columns were extracted side by side."""
    motto_re = structure_patterns()["motto"]
    rule_line = structure_patterns()["rule_line"]
    lines: list[str] = []
    for line in _unwrap_header_lines([ln.strip() for ln in header.split("\n") if ln.strip()]):
        for part in motto_re.sub("\n", line).split("\n"):
            part = part.strip(" -_")
            if part and not rule_line.match(part):
                lines.append(part)
    return lines


def _read_number(info: DocumentInfo, header_lines: list[str], captions: list[str]) -> None:
    for line in header_lines:
        m = _NUMBER.search(line)
        if m and m.group("sym"):
            info.number, info.symbol = _number_and_symbol(m)
            return
    for caption in captions:  # the caption repeats the number of the plan it belongs to
        m = _CAPTION_NUMBER.search(caption)
        if m:
            info.number, info.symbol = _number_and_symbol(m)
            return


def _number_and_symbol(m: regex.Match) -> tuple[str | None, str]:
    symbol = regex.sub(r"\s+", "", m.group("sym")).lstrip("/").rstrip(".,;")
    num = m.group("num")
    return (f"{num}/{symbol}" if num else None), symbol


def _read_date(info: DocumentInfo, header_lines: list[str], captions: list[str], warnings: list[str]) -> None:
    for line in header_lines:
        line = _NUMBER.sub(" ", line)  # "Số: /KH-X Cát Hải, ngày …" (two columns on one line)
        m = _DATE.search(line)
        if m:
            info.place = _clean_place(m.group("place"))
            info.issued_date = _issued_date(m, warnings)
            return
        place = _PLACE.search(line)
        if place:  # a date line that cannot be read (e.g. a stamp printed over it)
            info.place = _clean_place(place.group("place"))
            warnings.append(f"header: unreadable date line {line.strip()!r}; date taken from a caption if any")
    for caption in captions:
        m = _DATE.search(caption) or _SLASH_DATE.search(caption)
        if m:
            info.issued_date = _issued_date(m, warnings)
            return


def _issued_date(m: regex.Match, warnings: list[str]) -> str | None:
    """The date as far as it exists: an impossible day, month or year is left out with a warning."""
    year = to_int(m.group("y"))
    month = to_int(m.group("m")) if m.group("m") else None
    day = to_int(m.group("d")) if m.group("d") else None
    if partial_iso(year) is None:
        warnings.append(f"header: impossible year {m.group('y')} in date line {m.group(0)!r}; date left out")
        return None
    if month is not None and partial_iso(year, month) is None:
        warnings.append(f"header: impossible month {month} in date line {m.group(0)!r}; month left out")
        month = None
    if month is None:
        day = None  # a day without its month dates nothing
    if day is not None and partial_iso(year, month, day) is None:
        warnings.append(f"header: impossible day {day} in date line {m.group(0)!r}; day left out")
        day = None
    return partial_iso(year, month, day)


def _clean_place(place: str | None) -> str | None:
    if not place:
        return None
    place = place.strip(" ,.-")
    return place or None


# --------------------------------------------------------------------------
# Type and title
# --------------------------------------------------------------------------


def _doc_type(info: DocumentInfo, title: Section | None, text: str) -> str | None:
    if title is not None:
        first_line = text[title.start : title.end].split("\n", 1)[0]
        found = doc_type_of_line(first_line)
        if found:
            return found
    if info.symbol:
        prefix = info.symbol.split("-", 1)[0]
        return structure_rules()["symbol_types"].get(prefix)
    return None


def _title_subject(title_text: str) -> str:
    """The title without its type line ("KẾ HOẠCH"), wrapped lines joined."""
    lines = [ln.strip() for ln in title_text.split("\n") if ln.strip()]
    if lines and doc_type_of_line(lines[0]):
        m = structure_patterns()["doc_type_line"].match(lines[0])
        rest = m.group("rest").strip()
        lines = ([rest] if rest else []) + lines[1:]
    return " ".join(lines)


# --------------------------------------------------------------------------
# Issuer and locality
# --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _level_pattern() -> regex.Pattern:
    words = sorted((e["word"] for e in places()["levels"]), key=len, reverse=True)
    alternatives = "|".join(regex.escape(w) for w in words)
    return regex.compile(
        rf"(?i:\b(?P<level>{alternatives}))\s+(?P<name>\p{{Lu}}[\p{{L}}]*(?:\s+\p{{Lu}}[\p{{L}}]*){{0,3}})"
    )


def _level_of(word: str) -> str:
    for entry in places()["levels"]:
        if entry["word"] == word.lower():
            return entry["level"]
    return word.lower()


def expand_abbreviations(name: str) -> str:
    for short, full in places()["abbreviations"].items():
        name = regex.sub(rf"(?<![\p{{L}}]){regex.escape(short)}(?![\p{{L}}])", full, name)
    return " ".join(name.split())


def to_title_case(name: str) -> str:
    """'PHÒNG GIÁO DỤC VÀ ĐÀO TẠO' -> 'Phòng Giáo dục và Đào tạo' (header lines are in capitals)."""
    if name != name.upper():
        return name
    words = name.lower().split()
    out: list[str] = []
    for i, word in enumerate(words):
        out.append(word if (word in _LOWER_WORDS and i) else word[:1].upper() + word[1:])
    text = " ".join(out)
    for fixed in ("Giáo dục", "Đào tạo", "Ủy ban nhân dân", "Hội đồng nhân dân", "Công Thương", "Khoa học và Công nghệ"):
        text = regex.sub(regex.escape(fixed), fixed, text, flags=regex.I)
    return _lowercase_levels(text)


_LOWER_WORDS = {"và", "về", "của", "nhân", "dân", "dục", "tạo", "ban", "đồng"}


def _lowercase_levels(text: str) -> str:
    def fix(m: regex.Match) -> str:
        return m.group("level").lower() + " " + m.group("name")

    return _level_pattern().sub(fix, text)


def _issuer_and_locality(header_lines: list[str], text: str, closing: str, place: str | None):
    issuer_lines = [ln for ln in header_lines if not _NUMBER.search(ln) and not _DATE.search(ln)]
    if issuer_lines:
        issuer, locality = _issuer_from_header(issuer_lines)
    else:
        issuer, locality = _issuer_from_text(text, closing)
    if issuer and locality is None:
        locality = _locality_in(issuer)
    if locality is None and issuer:
        locality = _locality_from_text(text, place)
        if locality is not None and _is_department(issuer) and locality.name not in issuer:
            issuer = f"{issuer} {locality.level} {locality.name}"
    return issuer, locality


def _issuer_from_header(lines: list[str]) -> tuple[str, Locality | None]:
    """Header: parent authority on top ("UBND HUYỆN CÁT HẢI"), the issuer below it."""
    names = [expand_abbreviations(to_title_case(ln)) for ln in lines]
    issuer = names[-1]
    locality = _locality_in(issuer)
    if locality is None:
        for parent in reversed(names[:-1]):
            locality = _locality_in(parent)
            if locality is not None:
                issuer = f"{issuer} {locality.level} {locality.name}"
                break
    return issuer, locality


_HEADER_WRAP_ENDS = ("VÀ", "CỦA", "VỀ", "-", "&")


def _unwrap_header_lines(lines: list[str]) -> list[str]:
    """A narrow header column wraps names: "PHÒNG GIÁO DỤC VÀ ĐÀO" / "TẠO" is one line.
    A line continues the one above when that one ends with a connector, or when it is one
    or two words that do not open a body name of their own."""
    heads = tuple(h.upper() for h in _body_heads())
    out: list[str] = []
    for line in lines:
        words = line.split()
        continues = out and not _NUMBER.search(line) and not _DATE.search(line) and (
            out[-1].upper().endswith(_HEADER_WRAP_ENDS)
            or bool(_level_pattern().match(line))  # "ỦY BAN NHÂN DÂN" / "TỈNH LÀO CAI"
            or (len(words) <= 2 and not line.upper().startswith(heads))
        )
        if continues:
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


@lru_cache(maxsize=1)
def _issuer_phrase() -> regex.Pattern:
    heads = sorted(_body_heads(), key=len, reverse=True)
    head = "|".join(regex.escape(h) for h in heads)
    return regex.compile(
        rf"(?P<issuer>(?:{head})(?:\s+[\p{{L}}&\-]+){{0,10}}?)\s*(?:\([^)]{{1,20}}\)\s*)?(?:ban\s+hành|xây\s+dựng)\s+(?:Kế\s+hoạch|kế\s+hoạch)"
    )


@lru_cache(maxsize=1)
def _of_issuer() -> regex.Pattern:
    """ "… của Sở Giáo dục và Đào tạo Hải Phòng": a body named after "của"."""
    head = phrase_alternation(_body_heads())
    return regex.compile(rf"\bcủa\s+(?P<issuer>(?:{head})(?!\p{{L}})[^.,;/]*)")


def _issuer_from_text(text: str, closing: str) -> tuple[str | None, Locality | None]:
    """No header printed: "Sở Giáo dục và Đào tạo ban hành Kế hoạch …", or the closing's "của …"."""
    closing_sentence = regex.match(r"Trên\s+đây\s+là[^\n]*", closing)
    if closing_sentence:  # "Trên đây là Kế hoạch … của Sở Giáo dục và Đào tạo Hải Phòng./."
        found = list(_of_issuer().finditer(closing_sentence.group(0)))
        if found:
            issuer = expand_abbreviations(found[-1].group("issuer").strip())
            return issuer, _locality_in(issuer)
    m = _issuer_phrase().search(text[:6000])
    if m:
        issuer = expand_abbreviations(m.group("issuer").strip())
        return issuer, _locality_in(issuer)
    return None, None


def _locality_in(name: str) -> Locality | None:
    found = list(_level_pattern().finditer(name))
    if not found:
        return None
    m = found[-1]
    return Locality(name=m.group("name"), level=_level_of(m.group("level")))


def _is_department(issuer: str) -> bool:
    return bool(regex.match(r"(?:Sở|Phòng|Ban|Chi cục|Trung tâm|Văn phòng)\b", issuer))


def _locality_from_text(text: str, place: str | None) -> Locality | None:
    """The place named most often with its level ("tỉnh Quảng Ninh"); the printed place wins ties."""
    counts: Counter[tuple[str, str]] = Counter()
    for m in _level_pattern().finditer(text):
        level = _level_of(m.group("level"))
        if level in ("tỉnh", "thành phố"):
            counts[(m.group("name"), level)] += 1
    if place:
        for (name, level), _ in counts.most_common():
            if name == place:
                return Locality(name, level)
    if counts:
        (name, level), n = counts.most_common(1)[0]
        if n >= 2:
            return Locality(name, level)
    return None


# --------------------------------------------------------------------------
# Closing: recipients and signer
# --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _signature_title() -> regex.Pattern:
    r = structure_rules()
    prefixes = "|".join(regex.escape(p) for p in r["signature_prefixes"])
    titles = "|".join(regex.escape(t) for t in sorted(r["signature_titles"], key=len, reverse=True))
    bodies = "|".join(r["signature_bodies"])
    return regex.compile(rf"^(?:(?:{prefixes})\s*)?(?:{titles}|(?:{bodies})\b[^\p{{Ll}}]*)$")


def _read_closing(closing: str) -> tuple[Signer | None, list[str]]:
    lines = [ln.strip() for ln in closing.split("\n") if ln.strip()]
    noise = regex.compile("|".join(structure_rules()["signature_noise"]))
    recipients: list[str] = []
    titles: list[str] = []
    name: str | None = None
    in_recipients = False
    for line in lines:
        line = noise.sub("", line).strip()
        if not line:
            continue
        head, _, tail = line.partition(":")
        if regex.match(r"(?i)nơi\s+nhận", head):
            in_recipients = True
            line = tail.strip()
            if not line:
                continue
        for piece in _split_signature(line):
            if _signature_title().match(piece):
                titles.append(piece)
                in_recipients = False
            elif titles and name is None and _PERSON.match(piece):
                name = piece
            elif in_recipients:
                _add_recipient(recipients, piece)
    signer = Signer(name=name, title=" / ".join(titles)) if (titles or name) else None
    return signer, recipients


def _split_signature(line: str) -> list[str]:
    """'Lưu: VT. KT. GIÁM ĐỐC' from two columns on one line -> both parts."""
    m = regex.search(r"\s(?=(?:KT|TM|TL|TUQ)\.\s*\p{Lu})", line)
    return [line[: m.start()].strip(), line[m.end() :].strip()] if m else [line]


def _add_recipient(recipients: list[str], line: str) -> None:
    if regex.match(r"^[-–•+]\s*", line) or not recipients:
        cleaned = regex.sub(r"^[-–•+]\s*", "", line).rstrip(" ;,.")
        if cleaned:
            recipients.append(cleaned)
    else:  # a recipient wrapped onto the next line
        recipients[-1] = f"{recipients[-1]} {line.rstrip(' ;,.')}"

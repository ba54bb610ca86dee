"""Citations: every mention of another document in a plan -> `Citation` items.

"Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá …" is one mention: a type,
a number (symbol), a date, an issuer and a subject. Plans also write bare symbols ("57-NQ/TW"),
short forms ("Nghị quyết 57", "Đề án 06") and names ('Đề án "Tăng cường …"', "Luật Giáo dục").

Three stages, as eyecite does it: `find_mentions` runs one compiled pattern over the text and
returns the mentions in text order, reading nothing after them; `resolve_mention` reads what
follows each (date, issuer, subject) and normalizes its number; `link_refs` gives every cited
document one `ref` across its repeats and short forms. The component only annotates: it turns
resolved mentions into `Citation` items with provenance. The vocabulary is data
(rules/citations.yaml, plus structure.yaml `symbol_types` and units.yaml `bodies`).

A `ref` is the ASCII-folded, upper-cased normalized number ("131/QD-TTG"), so that "BGDDT" and
"BGDĐT" or "TTg" and "TTG" meet; a document cited without a number gets one from its type and
name ("DE AN 06").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

import regex
from spacy.language import Language
from spacy.tokens import Doc

from ..dates import partial_iso
from ..model import Citation, Footnote
from ..numerals import to_int
from ..rules import load as load_rules
from ..rules import phrase_alternation
from .context import text_of, text_provenance, warn

RULES = "citations.yaml"

#: Quote marks that open and close a quoted name or subject.
_QUOTES = '"“”'
#: Tokens that join two parts of one body's name ("Bộ Văn hóa, Thể thao và Du lịch", "Lao động - Thương binh").
_CONNECTORS = (",", "và", "VÀ", "-", "–")


# --- Vocabulary, compiled once -----------------------------------------------------------------


@dataclass(frozen=True)
class DocType:
    name: str
    forms: frozenset[str]
    generic: bool


@dataclass(frozen=True)
class Lexicon:
    """Everything compiled from the rule files, built once (`lexicon()`)."""

    types: dict[str, DocType]  # folded, lower-cased type words -> type
    symbol_types: dict[str, str]  # "KH" -> "Kế hoạch"
    mention: regex.Pattern
    symbol_part: regex.Pattern
    year: regex.Pattern
    party_organs: regex.Pattern
    state_organs: regex.Pattern
    dates: tuple[regex.Pattern, ...]
    issuer_intro: regex.Pattern
    heads: regex.Pattern
    heads_upper: regex.Pattern
    type_word: regex.Pattern
    issuer_stop: regex.Pattern
    issuer_stop_upper: regex.Pattern
    title_opener: regex.Pattern
    title_stop: regex.Pattern
    title_trailing: regex.Pattern
    own_number: regex.Pattern
    caption: regex.Pattern
    confidence: dict[str, float]
    issuer_lower_words: frozenset[str]
    issuer_max_words: int
    issuer_wrap_words: int
    title_max_chars: int


def _type_forms(rules: dict) -> list[DocType]:
    return [DocType(t["name"], frozenset(t.get("forms", ["number"])), bool(t.get("generic"))) for t in rules["doc_types"]]


def _symbol_pattern(s: dict) -> str:
    """A symbol: a number then codes; a newline may follow a separator (a wrapped line), not precede it."""
    sep, code, year = rf"[ \t]*{s['separator']}\s*", rf"(?:{s['code']})(?![\p{{L}}\d])", rf"(?:{s['year']})(?!\d)"
    slash = r"[ \t]*/\s*"
    return (rf"(?-i:(?P<num>{s['number']})(?:[ \t]*(?:{s['separator']}\s*)?{code}(?:{sep}(?:{year}|{code})){{1,3}}"
            rf"|{slash}{year}(?:{sep}{code}){{1,3}})"
            rf"|(?P<blank>/[ \t]*{code}(?:{sep}{code}){{1,3}}))")


def _mention_pattern(rules: dict, types: list[DocType]) -> str:
    """One alternation for every form of mention, tried in this order at each position."""
    s = rules["symbol"]
    typed = phrase_alternation([t.name for t in types])
    short = (rf"(?P<short>{rules['short_number']})(?![\p{{L}}\d])(?![.,]\d)(?![ \t]*{s['separator']}[ \t]*[\p{{L}}\d])"
             rf"(?!{rules['short_not_after']})")
    quoted = phrase_alternation([t.name for t in types if "quoted" in t.forms])
    named = phrase_alternation([t.name for t in types if "name" in t.forms])
    stops = "|".join(regex.escape(w) for w in rules["name_stops"])
    name = rf"\p{{Lu}}\p{{Ll}}*(?:[ \t]+(?!(?:{stops})(?!\p{{L}}))\p{{Ll}}+){{0,5}}(?!\p{{L}})"
    return (rf"(?<![\p{{L}}\d/\-])(?:"
            rf"(?:(?P<type>{typed})(?!\p{{L}}){rules['number_intro']})?(?:{_symbol_pattern(s)}|(?(type){short}|(?!)))"
            rf"|(?-i:(?P<qtype>{quoted}))[ \t]*[\"“](?P<qname>[^\"”\n]{{3,300}})[\"”]"
            rf"|(?-i:(?P<ntype>{named})[ \t]+(?P<name>{name})(?:[ \t]+năm[ \t]+(?P<nyear>{s['year']}))?))")


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    rules = load_rules(RULES)
    units = load_rules("units.yaml")
    types = _type_forms(rules)
    heads = rules["issuers"] + units["bodies"] + units["body_abbreviations"]
    stops = rules["issuer_stops"]
    flags = regex.IGNORECASE
    return Lexicon(
        types={fold(t.name).lower(): t for t in types},
        symbol_types=load_rules("structure.yaml")["symbol_types"],
        mention=regex.compile(_mention_pattern(rules, types), flags),
        symbol_part=regex.compile(rf"\s*({rules['symbol']['separator']}?)\s*([^\s\-–—‐/]+)"),
        year=regex.compile(rf"{rules['symbol']['year']}"),
        party_organs=regex.compile(rules["party_organs"]),
        state_organs=regex.compile(rules["state_organs"]),
        dates=tuple(regex.compile(rf"\s*,?\s*(?:{d['pattern']})(?!\d)", flags) for d in rules["dates"]),
        issuer_intro=regex.compile(rules["issuer_intro"], flags),
        heads=regex.compile(rf"(?:{phrase_alternation(heads)})(?!\p{{L}})"),
        heads_upper=regex.compile(rf"(?:{phrase_alternation([h.upper() for h in heads])})(?!\p{{L}})"),
        type_word=regex.compile(rf"(?:{phrase_alternation([t.name for t in types])})(?!\p{{L}})", flags),
        issuer_stop=regex.compile(rf"(?:{phrase_alternation(stops)})(?!\p{{L}})"),
        issuer_stop_upper=regex.compile(rf"(?:{phrase_alternation([w.upper() for w in stops])})(?!\p{{L}})"),
        title_opener=regex.compile(rf"\s*,?\s*(?P<opener>{phrase_alternation(rules['title_openers'])})(?!\p{{L}})", flags),
        title_stop=regex.compile("|".join(rules["title_stops"] + [rf",\s+(?-i:(?=(?:{phrase_alternation(heads)})(?!\p{{L}})))"]), flags),
        title_trailing=regex.compile(rf"(?:[\s,;:(]+|\s+(?:{phrase_alternation(rules['title_trailing'])}))+$"),
        own_number=regex.compile(rules["own_number_line"]),
        caption=regex.compile(load_rules("structure.yaml")["appendix_caption"]),
        confidence=rules["confidence"],
        issuer_lower_words=frozenset(w for phrase in rules["issuer_lower_words"] for w in phrase.split()),
        issuer_max_words=rules["issuer_max_words"],
        issuer_wrap_words=rules["issuer_wrap_words"],
        title_max_chars=rules["title_max_chars"],
    )


def fold(text: str) -> str:
    """ASCII letters for comparing: no diacritics, Đ -> D ("BGDĐT" and "BGDDT" meet)."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _symbol_ref(symbol: Symbol) -> str:
    """The ref of a numbered document: its normalized number, folded ("131/QD-TTG")."""
    return fold(symbol.rendered).upper()


def _key(text: str) -> str:
    """A comparable key: folded, upper case, one space between words and between words and numbers
    ("năm2030" = "năm 2030"), none around dashes ("2022 - 2025" = "2022-2025")."""
    key = " ".join(regex.sub(r"(?<=\p{L})(?=\d)|(?<=\d)(?=\p{L})", " ", fold(text).upper()).split())
    return regex.sub(r"\s*-\s*", "-", key)


# --- Symbols -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Symbol:
    """A document number read from its printed form."""

    number: str | None  # normalized ("57-NQ/TW"); None when the number is left blank ("/KH-UBND")
    rendered: str  # normalized, blank number included
    type_code: str | None  # "NQ"; None for công văn symbols ("5835/BGDDT-KHCNTT") and laws
    problem: str | None  # why the printed form was rewritten into its family's form


def parse_symbol(printed: str) -> Symbol:
    """Normalize a symbol: drop spaces, unify dashes, and write it in its organ's family form.

    Party documents are numbered number-TYPE/ORGAN, State ones number/[year/]TYPE-ORGAN; which
    family a symbol belongs to is its organ's (TW, TU … vs CP, TTg, UBND …), so a plan's
    "03-NQ/CP" is the Government's 03/NQ-CP. Such a rewrite is reported in `problem`.
    """
    lex = lexicon()
    compact = printed.strip()
    num = regex.match(r"\d*", compact).group()
    parts = [("-" if sep and sep != "/" else sep, code) for sep, code in lex.symbol_part.findall(compact[len(num):])]
    if not parts:  # a bare number: nothing to normalize
        return Symbol(num or None, num, None, None)
    year = parts.pop(0)[1] if len(parts) > 1 and lex.year.fullmatch(parts[0][1]) and parts[0][0] == "/" else None
    seps, codes = [sep for sep, _ in parts], [code for _, code in parts]
    type_code = codes[0] if len(codes) > 1 and codes[0] in lex.symbol_types else None
    organ = codes[1] if type_code else codes[0]
    organ_family = "Party" if lex.party_organs.match(organ) else "State" if lex.state_organs.match(organ) else None
    written = _written_family(seps, year)
    family = organ_family or written
    if family == "Party" and len(codes) > 1 and not year:
        rendered = f"{num}-{codes[0]}/{'/'.join(codes[1:])}"
    elif family == "State" or family == "Party":
        rendered = f"{num}/{year + '/' if year else ''}{'-'.join(codes)}"
    else:  # neither form nor a known organ: as printed, spaces and dash variants aside
        rendered = num + (f"/{year}" if year else "") + "".join(sep + code for sep, code in parts)
    problem = None
    if family and written != family and rendered != _plain(printed):
        how = f"is written in the {written} form" if written else "mixes the Party and State forms"
        problem = f"{how} but {organ} is a {family} organ"
    return Symbol(rendered if num else None, rendered, type_code, problem)


def _written_family(seps: list[str], year: str | None) -> str | None:
    """The family the separators say: "-" then "/" is Party, "/" then "-"s is State."""
    if year:
        return "State"
    if len(seps) == 2 and seps[0] in ("-", "") and seps[1] == "/":
        return "Party"
    if seps and seps[0] == "/" and all(s == "-" for s in seps[1:]):
        return "State"
    return None


def _plain(printed: str) -> str:
    return regex.sub(r"[–—‐]", "-", regex.sub(r"\s+", "", printed))


# --- Find --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """One mention as found: where it is and the form it takes; nothing after it is read yet."""

    form: str  # full | bare | blank | short | quoted | name
    start: int
    end: int  # end of the number or name (the "core"); date, issuer and subject come after
    type_word: str | None
    symbol: str | None = None
    short: str | None = None
    name: str | None = None
    year: str | None = None  # "Luật Giáo dục năm 2019"

    @property
    def doc_type(self) -> DocType | None:
        return lexicon().types.get(fold(" ".join(self.type_word.split())).lower()) if self.type_word else None


def find_mentions(text: str) -> list[Mention]:
    """Every mention in text order (one pass of the compiled pattern); forms a type does not take are left out."""
    found = []
    for m in lexicon().mention.finditer(text):
        mention = _mention(m)
        if mention is not None:
            found.append(mention)
    return found


def _mention(m: regex.Match) -> Mention | None:
    if m.group("qtype"):
        return Mention("quoted", m.start(), m.end(), m.group("qtype"), name=" ".join(m.group("qname").split()))
    if m.group("ntype"):
        return Mention("name", m.start(), m.end(), m.group("ntype"), name=m.group("name"), year=m.group("nyear"))
    type_word = m.group("type")
    if m.group("short"):
        mention = Mention("short", m.start(), m.end(), type_word, short=m.group("short"))
        t = mention.doc_type
        return mention if t and "short" in t.forms and not lexicon().year.fullmatch(mention.short) else None
    symbol = m.group()[m.start("num" if m.group("num") else "blank") - m.start():]
    if type_word:
        return Mention("blank" if m.group("blank") else "full", m.start(), m.end(), type_word, symbol=symbol)
    if m.group("blank") or parse_symbol(symbol).type_code is None:
        return None  # a bare symbol counts only with a type code: "57-NQ/TW", not "6/THCS-A"
    return Mention("bare", m.start(), m.end(), None, symbol=symbol)


# --- Resolve -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    """A mention with what the text says of the document: number, date, issuer, subject."""

    mention: Mention
    end: int  # end of the number, date and issuer: the span of the citation
    doc_type: str | None
    number: str | None
    ref: str | None  # None until a short form or a name is linked
    issued_date: str | None
    issuer: str | None
    title: str | None
    problem: str | None = None
    bad_date: str | None = None


def resolve_mention(text: str, mention: Mention, limit: int, following: Mention | None = None) -> Resolved:
    """Read the date, issuer and subject after a mention, up to `limit` (the next mention)."""
    symbol = parse_symbol(mention.symbol) if mention.symbol else None
    date, pos, bad = _date_at(text, mention.end, limit)
    upper = bool(mention.type_word) and _is_upper(mention.type_word)  # "KẾ HOẠCH SỐ 44/KH-UBND … CỦA ỦY BAN …"
    issuer, pos = _issuer_at(text, pos, limit, upper)
    if date is None and bad is None and issuer is not None:  # "… của Thủ tướng Chính phủ ngày 06/01/2022"
        date, pos, bad = _date_at(text, pos, limit)
    if date is None and mention.year:
        date = partial_iso(to_int(mention.year))
    title = _title_at(text, pos, limit, following)
    if mention.form == "quoted" and title is None:
        title = mention.name
    ref = _symbol_ref(symbol) if symbol else None
    return Resolved(mention, pos, _doc_type(mention, symbol), symbol.number if symbol else None, ref, date, issuer,
                    title, symbol.problem if symbol else None, bad)


def _doc_type(mention: Mention, symbol: Symbol | None) -> str | None:
    """The type as written; a generic word ("văn bản") or none takes the symbol's type code."""
    t = mention.doc_type
    if (t is None or t.generic) and symbol and symbol.type_code:
        return lexicon().symbol_types[symbol.type_code]
    return t.name if t else None


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _date_at(text: str, pos: int, limit: int) -> tuple[str | None, int, str | None]:
    """(ISO date, position after it, the text when it is no real date) of a date starting at `pos`."""
    for pattern in lexicon().dates:
        m = pattern.match(text, pos, limit)
        if m:
            g = {k: v for k, v in m.groupdict().items() if v}
            iso = _iso(g)
            return iso, m.end(), None if iso else " ".join(m.group().split()).strip(" ,")
    return None, pos, None


def _iso(g: dict[str, str]) -> str | None:
    """The printed date in ISO form; None when no such day exists ("31/02/2025")."""
    return partial_iso(to_int(g["y"]), to_int(g["m"]) if "m" in g else None, to_int(g["d"]) if "d" in g else None)


_WORD = regex.compile(r"(?P<ws>\s*)(?P<tok>\([^()\n]{1,20}\)|[,;:.!?()\"“”]|[^\s,;:.!?()\"“”]+)")


def _issuer_at(text: str, pos: int, limit: int, upper: bool) -> tuple[str | None, int]:
    """The body after "của": a known head word, then words up to the end of its name.

    Vietnamese names capitalize the first syllable of each word, so a name goes on over
    capitalized words and the one lower-case syllable after each ("Bộ Giáo dục và Đào tạo"),
    over the lower-case words of `issuer_lower_words` ("tỉnh", "thành phố", "chính phủ"), over
    "và" / "," / "-" before a capitalized word that starts no other body and no document type
    ("Bộ Văn hóa, Thể thao và Du lịch"), and over a line break when a few capitalized words
    close it ("Thành ủy / Hải Phòng về"). After an acronym ("Sở GDĐT", "(GDĐT)") only those
    lower-case words go on. A parenthesized abbreviation ("(UBND)") is left out of the name.
    """
    lex = lexicon()
    intro = lex.issuer_intro.match(text, pos, limit)
    head = intro and (lex.heads_upper if upper else lex.heads).match(text, intro.end(), limit)
    if not head:
        return None, pos
    words, end = head.group().split(), head.end()
    stop = lex.issuer_stop_upper if upper else lex.issuer_stop
    syllable_open = False  # the last word was a capitalized syllable that a lower-case one may finish
    for w in _WORD.finditer(text, end, limit):
        tok = w.group("tok")
        if len(words) >= lex.issuer_max_words or stop.match(text, w.start("tok"), limit):
            break
        if "\n" in w.group("ws") and not _wrap_continues(text, w.start("tok"), limit, stop):
            break
        if tok.startswith("(") and len(tok) > 2 and _is_abbreviation(tok[1:-1]):
            syllable_open, end = False, w.end()  # in the span, not in the name
            continue
        if tok in _CONNECTORS:
            if not _name_goes_on(text, w.end(), limit):
                break
        elif not tok[0].isalnum() or (tok[0].islower() and not (syllable_open or tok in lex.issuer_lower_words)):
            # punctuation, or a lower-case word that finishes no capitalized syllable: the name is over
            break
        syllable_open = tok[0].isupper() and not _is_abbreviation(tok)
        words.append(tok)
        if tok not in _CONNECTORS:
            end = w.end()
    while words[-1] in _CONNECTORS:  # cut short after "và" / "," by `issuer_max_words`
        words.pop()
    return " ".join(words).replace(" ,", ","), end


def _is_abbreviation(text: str) -> bool:
    return bool(regex.fullmatch(r"[\p{Lu}Đ&\-]{2,12}", text))


def _name_goes_on(text: str, pos: int, limit: int) -> bool:
    """After "và" or ",": another part of the same name, not another body or a document."""
    lex = lexicon()
    nxt = _WORD.match(text, pos, limit)
    if not nxt or "\n" in nxt.group("ws") or not nxt.group("tok")[0].isupper():
        return False
    at = nxt.start("tok")
    return not (lex.heads.match(text, at, limit) or lex.type_word.match(text, at, limit))


def _wrap_continues(text: str, pos: int, limit: int, stop: regex.Pattern) -> bool:
    """Does the next line finish the name: a few capitalized words, then a stop or punctuation?"""
    for count, w in enumerate(_WORD.finditer(text, pos, limit)):
        tok = w.group("tok")
        if count and ("\n" in w.group("ws") or stop.match(text, w.start("tok"), limit) or not tok[0].isalnum()):
            return True
        if count >= lexicon().issuer_wrap_words or not tok[0].isupper():
            return False
    return True


def _title_at(text: str, pos: int, limit: int, following: Mention | None) -> str | None:
    """The subject: an opener ("về", "phê duyệt" …) then the clause, up to a stop, the line end or the next mention."""
    lex = lexicon()
    m = lex.title_opener.match(text, pos, limit)
    if not m or "\n" in text[pos:m.start("opener")] and m.group("opener")[0].isupper():
        return None  # a capitalized opener on the next line starts a new paragraph or cell
    start = m.start("opener")
    line_end = text.find("\n", start)
    hard = min(limit, line_end if line_end >= 0 else len(text))
    end = next((s.start() for s in lex.title_stop.finditer(text, start, hard) if not _inside_quotes(text, start, s.start())),
               None)
    if end is None:
        end = hard
        if following is not None and hard == following.start and not _ends_list(text[start:hard]):
            end = following.end  # "về thực hiện Nghị quyết số 57-NQ/TW": the cited document is the subject
    title = lex.title_trailing.sub("", " ".join(text[start:end].split()))
    if len(title) > lex.title_max_chars:
        title = title[:lex.title_max_chars].rsplit(" ", 1)[0] + " …"
    return title if fold(title).lower() != fold(m.group("opener")).lower() else None


def _inside_quotes(text: str, start: int, pos: int) -> bool:
    part = text[start:pos]
    return part.count('"') % 2 == 1 or part.count("“") > part.count("”")


def _ends_list(text: str) -> bool:
    """Does the clause end in a list separator ("…, ", "… và", "… ("), so that the next mention is a sibling?"""
    return bool(regex.search(r"(?:[,;(]|\s(?:và|hoặc|VÀ))\s*$", text))


# --- Link --------------------------------------------------------------------------------------


def link_refs(resolved: list[Resolved]) -> tuple[list[Resolved], list[str]]:
    """Give every mention its document's ref; (linked mentions, warnings).

    A short form takes the ref of the one full citation of its type whose number is its number
    ("Nghị quyết 57" -> 57-NQ/TW); failing that, of a citation whose subject names its type
    ("Đề án 06" -> Quyết định 06/QĐ-TTg "phê duyệt Đề án …"). A quoted name takes the ref of a
    citation whose subject contains it. What stays unlinked keys on its type and name.
    """
    numbered = [r for r in resolved if r.number]
    linked, warnings = [], []
    for r in resolved:
        if r.ref is not None:
            linked.append(r)
            continue
        m = r.mention
        if m.form == "short":
            found = _by_number(numbered, r.doc_type, m.short)
            if len(found) > 1:
                warnings.append(f"citation: {m.type_word} {m.short} may be any of {', '.join(sorted(found))}; left unlinked")
        else:
            found = _by_name(numbered, m)
        if len(found) == 1:
            ref, number = next(iter(found.items()))
            linked.append(replace(r, ref=ref, number=number))
        else:
            linked.append(replace(r, ref=_key(f"{r.doc_type} {m.short or m.name}")))
    return linked, warnings


def _by_name(numbered: list[Resolved], m: Mention) -> dict[str, str]:
    """Refs of the citations whose subject names this document: the type and name ("Luật Giáo dục"),
    or a quoted name of at least three words alone ('phê duyệt Đề án "Tăng cường …"')."""
    keys = [_key(f"{m.type_word} {m.name}")] + ([_key(m.name)] if m.form == "quoted" and len(m.name.split()) >= 3 else [])
    return {x.ref: x.number for x in numbered if x.title and any(k in _key(x.title) for k in keys)}


def _by_number(numbered: list[Resolved], doc_type: str | None, short: str) -> dict[str, str]:
    """Refs of the full citations whose number is `short`: of the same type first, else naming the type."""
    same_number = [x for x in numbered if to_int(regex.match(r"\d+", x.number).group()) == to_int(short)]
    found = {x.ref: x.number for x in same_number if x.doc_type == doc_type}
    if not found and doc_type:
        found = {x.ref: x.number for x in same_number if x.title and _key(doc_type) in _key(x.title)}
    return found


# --- The component -----------------------------------------------------------------------------


@Language.component("kehoach_citations")
def citations_component(doc: Doc) -> Doc:
    """Citations of other documents anywhere in the text (prose and tables) and in its footnotes,
    in reading order; repeats are linked across both, since a footnote often gives the full form."""
    text, parts = _with_footnotes(doc)
    mentions = [m for m in find_mentions(text) if not _is_own(doc, text, m)]
    resolved = []
    for i, m in enumerate(mentions):
        part_end = next(end for start, end, _ in parts if start <= m.start < end)
        following = mentions[i + 1] if i + 1 < len(mentions) and mentions[i + 1].start < part_end else None
        resolved.append(resolve_mention(text, m, following.start if following else part_end, following))
    own = _own_ref(text)
    resolved = [r for r in resolved if own is None or r.ref != own]
    linked, warnings = link_refs(resolved)
    for message in dict.fromkeys(warnings + _problems(text, linked)):
        warn(doc, message)
    doc._.citations = [_citation(doc, text, parts, r) for r in linked]
    return doc


_Part = tuple[int, int, "Footnote | None"]  # a span of the reading text: the plan's text or one footnote


def _with_footnotes(doc: Doc) -> tuple[str, list[_Part]]:
    """The text followed by its footnotes, one blank line apart, and where each part lies."""
    text = text_of(doc)
    pieces, parts, offset = [text], [(0, len(text), None)], len(text)
    for note in doc._.footnotes:
        offset += 2
        pieces.append(note.text)
        parts.append((offset, offset + len(note.text), note))
        offset += len(note.text)
    return "\n\n".join(pieces), parts


def _citation(doc: Doc, text: str, parts: list[_Part], r: Resolved) -> Citation:
    start, end = r.mention.start, r.end
    printed = " ".join(text[start:end].split())
    base, _, note = next(p for p in parts if p[0] <= start < p[1])
    if note is not None:  # offsets index the footnote's text
        return Citation(printed, r.doc_type, r.number, r.issued_date, r.issuer, r.title, r.ref, start - base,
                        end - base, None, note.page, _confidence(r), footnote=note.label)
    where = text_provenance(doc, start, end)
    return Citation(printed, r.doc_type, r.number, r.issued_date, r.issuer, r.title, r.ref, start, end,
                    where.section, where.page, _confidence(r))


def _confidence(r: Resolved) -> float:
    c = lexicon().confidence
    form = r.mention.form
    if form in ("short", "quoted", "name"):
        linked = r.number is not None
        return c["short_resolved" if form == "short" else "name_resolved"] if linked else c["short" if form == "short" else "name"]
    return c[form]


def _problems(text: str, linked: list[Resolved]) -> list[str]:
    out = []
    for r in linked:
        printed = " ".join(text[r.mention.start:r.mention.end].split())
        if r.problem:
            out.append(f"citation: {printed!r} {r.problem}; read as {r.number or r.ref}")
        if r.bad_date:
            out.append(f"citation: {printed!r} has no real date ({r.bad_date!r}); date left out")
    return out


def _is_own(doc: Doc, text: str, m: Mention) -> bool:
    """The plan naming itself: its header ("Số: …") and the first document of an appendix caption."""
    if any(s.kind == "header" and s.start <= m.start < s.end for s in doc._.sections):
        return True
    line_start = text.rfind("\n", 0, m.start) + 1
    before = text[line_start:m.start]
    if lexicon().own_number.match(text, line_start):
        return True
    caption = lexicon().caption.match(text[line_start:m.end])
    return bool(caption) and not lexicon().mention.search(before)


def _own_ref(text: str) -> str | None:
    """The ref of the plan's own number ("Số: /KH-UBND" in its header), to leave out where it names itself."""
    m = lexicon().own_number.search(text[:2000])
    if not m or not regex.search(r"[/\-]", m.group("symbol")):
        return None
    return _symbol_ref(parse_symbol(m.group("symbol")))


def merge_by_ref(citations: list[Citation]) -> dict[str, Citation]:
    """One entry per cited document: its first mention, with facts left out there taken from later ones."""
    merged: dict[str, Citation] = {}
    for c in citations:
        first = merged.get(c.ref)
        if first is None:
            merged[c.ref] = replace(c)
            continue
        for field in ("doc_type", "number", "issued_date", "issuer", "title"):
            if getattr(first, field) is None and getattr(c, field) is not None:
                setattr(first, field, getattr(c, field))
    return merged

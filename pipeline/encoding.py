"""Legacy Vietnamese encodings (TCVN3, VNI) and damaged diacritics, back to Unicode.

Plans typed in the ABC fonts (.VnTime, TCVN3) or the VNI fonts (VNI-Times) store
Vietnamese letters as Latin-1 codes, so their text arrives as "KÕ ho¹ch" or
"Keá hoaïch". Nothing but the statistics of a line says so when the font is
unknown (PDF text, plain text): a line is converted when it holds characters
that Unicode Vietnamese rarely uses and its converted words are Vietnamese
syllables (`quality.is_syllable`, and in underthesea's word list) where the
words as they stand are not. Detection is per line, because one document can
mix fonts; lines with letters beyond Latin-1 are Unicode already and left
alone; a line too short to tell ("Sè:") takes the encoding of the lines
around it. A DOCX run's font name decides instead (`font_encoding`).

Other repairs of Unicode text that arrives damaged, each a one-line function:
UTF-8 read as Windows-1252/1258 ("Káº¿ hoáº¡ch"), duplicated combining marks,
syllables split by a space before a letter with a diacritic ("ĐIỀ U KHO ẢN")
and letters doubled by fake-bold PDF text ("KKẾẾ HHOOẠẠCCHH").

The mapping tables and font names are data: rules/legacy_tcvn3.tsv,
rules/legacy_vni.tsv, rules/legacy_fonts.yaml. How TCVN3 case is restored is
described at the top of legacy_tcvn3.tsv.
"""

from __future__ import annotations

import importlib.util
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

import ftfy
import regex

from .headings import match_heading
from .quality import is_syllable
from .rules import RULES_DIR, load as load_rules

TCVN3 = "TCVN3"
VNI = "VNI"
UNICODE = "Unicode"
TABLE_FILES = {TCVN3: "legacy_tcvn3.tsv", VNI: "legacy_vni.tsv"}
LEXICON = "corpus/data/Viet74K.txt"  # inside the underthesea package

# Of the changed words that can be judged, the share that must be syllables after conversion.
MIN_VALID_SHARE = 0.6
# Without a character that Unicode Vietnamese never uses, conversion must win by this much
# (`syllable_score` points): one word that becomes a lexicon syllable with a letter Latin-1 lacks
# ("Thêi" -> "Thời"), else two ("cã" -> "có" alone could be a foreign word read wrongly).
MIN_GAIN_WITHOUT_RARE = 2
MIN_GAIN_WITHIN_LATIN1 = 4
# A document's encoding decides lines too short to tell when it has this many sure lines,
# more than half of the lines that tell (see `line_priors`).
MIN_PRIOR_LINES = 3
# A file's bytes are a legacy encoding when this share of its lines with high bytes surely are.
MIN_SURE_SHARE_OF_FILE = 0.5
# Repairs are applied until the line stops changing; more rounds than this means a cycle.
MAX_ROUNDS = 3


# --------------------------------------------------------------------------
# The tables (rules/legacy_*.tsv)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LegacyTable:
    """One legacy encoding: its letters and what detection needs to know about them."""

    name: str
    letters: dict[str, str]  # legacy sequence -> Unicode letter
    pattern: regex.Pattern  # any legacy sequence, longest first
    token: regex.Pattern  # a word of legacy text: letters and the table's symbols
    rare: frozenset[str]  # characters of the sequences that are not Vietnamese letters
    caseless: frozenset[str]  # codes that stand for a capital too (TCVN3's lowercase codes)


def read_table_rows(name: str) -> list[tuple[str, str, str]]:
    """(unicode, legacy, bytes) rows of a table file, comments and header skipped."""
    rows = []
    lines = (RULES_DIR / TABLE_FILES[name]).read_text(encoding="utf-8").split("\n")
    for line in lines[1 + next(i for i, ln in enumerate(lines) if ln.startswith("unicode\t")):]:
        if line:
            unicode_letter, legacy, hex_bytes = line.split("\t")
            rows.append((unicode_letter, legacy, hex_bytes))
    return rows


@lru_cache(maxsize=None)
def legacy_table(name: str) -> LegacyTable:
    letters = {legacy: letter for letter, legacy, _ in read_table_rows(name)}
    sequences = sorted(letters, key=len, reverse=True)
    symbols = "".join(sorted({ch for seq in letters for ch in seq if not ch.isalpha()}))
    rare = {ch for seq in letters for ch in seq if not ch.isascii() and ch not in vietnamese_letters()}
    caseless = {seq for seq, letter in letters.items() if len(seq) == 1 and letter.islower()} if name == TCVN3 else set()
    return LegacyTable(
        name=name,
        letters=letters,
        pattern=regex.compile("|".join(map(regex.escape, sequences))),
        token=regex.compile(rf"[\p{{L}}\p{{M}}{regex.escape(symbols)}]+"),
        rare=frozenset(rare),
        caseless=frozenset(caseless),
    )


@lru_cache(maxsize=1)
def vietnamese_letters() -> frozenset[str]:
    """Every letter of Vietnamese in Unicode (NFC), both cases: the VNI table lists them all."""
    letters = {letter for letter, _, _ in read_table_rows(VNI)} | {"đ", "Đ"}
    return frozenset(letters | set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))


@lru_cache(maxsize=1)
def _vietnamese_beyond_latin1() -> regex.Pattern:
    """A letter only Unicode Vietnamese text has (ạ, ơ, đ ...): the line is not legacy."""
    return regex.compile("[" + "".join(sorted(ch for ch in vietnamese_letters() if ord(ch) > 0xFF)) + "]")


def decode(text: str, table: LegacyTable) -> str:
    """Every legacy sequence replaced by its letter; nothing else touched, case as coded."""
    return table.pattern.sub(lambda m: table.letters[m.group()], text)


# --------------------------------------------------------------------------
# Fonts (rules/legacy_fonts.yaml)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class FontEncoding:
    encoding: str  # TCVN3 | VNI
    capitals: bool  # an ABC "H" font: every glyph is a capital


@lru_cache(maxsize=1)
def _font_rules() -> tuple[regex.Pattern, regex.Pattern, list[tuple[regex.Pattern, str, str | None]]]:
    rules = load_rules("legacy_fonts.yaml")
    families = [(regex.compile(f["pattern"]), f["encoding"], f.get("capitals_suffix")) for f in rules["families"]]
    return regex.compile(rules["subset_prefix"]), regex.compile(rules["style_suffix"]), families


@lru_cache(maxsize=256)
def font_encoding(font_name: str | None) -> FontEncoding | None:
    """The legacy encoding of text drawn in `font_name` (".VnTimeH", "VNI-Times"), or None."""
    if not font_name:
        return None
    prefix, style, families = _font_rules()
    name = prefix.sub("", font_name.strip())
    for pattern, encoding, capitals_suffix in families:
        if pattern.search(name):
            family = style.sub("", name)
            return FontEncoding(encoding, bool(capitals_suffix) and family.endswith(capitals_suffix))
    return None


# --------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------


def convert_run(text: str, font: FontEncoding, legacy_document: bool = True) -> str:
    """Text drawn in a known legacy font (a DOCX run): the font says the encoding and the case.

    Unless the run is Unicode already, as a document made from an old template
    can have: a letter beyond Latin-1 (no legacy code is one), or words that
    read worse converted ("các" would become "cỏc"). Where the document's runs
    in legacy fonts are mostly Unicode (`legacy_document` False), a run is
    converted only on its own sure evidence ("hoàn" stays, not VNI "hồn").
    """
    table = legacy_table(font.encoding)
    if _is_unicode_run(text, table) or not (legacy_document or _fit(text, font.encoding).sure):
        return text
    converted = decode(text, table)
    if font.capitals:
        return converted.upper()
    if table.caseless:
        return restore_case(text, converted, table, opens_sentence=False)
    return converted


def run_verdict(text: str, font: FontEncoding) -> str | None:
    """What a run in a legacy font says of the document: its encoding when surely converted,
    UNICODE when it holds letters beyond Latin-1, None when it cannot tell."""
    if _LETTER_BEYOND_LATIN1.search(text):
        return UNICODE
    return font.encoding if _fit(text, font.encoding).sure else None


def _is_unicode_run(text: str, table: LegacyTable) -> bool:
    """Letters beyond Latin-1, or words (of two letters or more) that read worse converted."""
    if _LETTER_BEYOND_LATIN1.search(text):
        return True
    pairs = [(word, decode(word, table)) for word in table.token.findall(text)]
    changed = [(word, converted) for word, converted in pairs if converted != word and len(converted) > 1]
    return sum(syllable_score(converted) - syllable_score(word) for word, converted in changed) < 0


def convert_line(line: str, encoding: str, opens_sentence: bool = True) -> str:
    """A line known (or detected) to be in `encoding`, font unknown: case from the text itself."""
    table = legacy_table(encoding)
    converted = decode(line, table)
    if table.caseless:
        return restore_case(line, converted, table, opens_sentence)
    return converted


def restore_dropped_u(line: str) -> str:
    """Put back the "ư" that TCVN3 codes as 0xAD, the soft hyphen, which PDF text extractors drop:
    "Chơng" -> "Chương", "Thờng" -> "Thường". Only a word with a vowel that is no syllable, and
    becomes a syllable Vietnamese uses at exactly one place "ư" can go."""
    return _WORD.sub(lambda m: _with_u(m.group()) or m.group(), line)


def _with_u(word: str) -> str | None:
    if syllable_score(word) or len(word) > 6 or not _has_vowel(word):
        return None  # a vowel-less word is an acronym ("KH" of "KH-UBND") as often as a lost "như"
    u = "Ư" if word.isupper() and len(word) > 1 else "ư"
    fits = {word[:i] + u + word[i:] for i in range(len(word) + 1)}
    fits = [w for w in fits if _attested(w)]
    return fits[0] if len(fits) == 1 else None


# --- TCVN3 case ------------------------------------------------------------

_WORD = regex.compile(r"\p{L}+")
_UPPER, _LOWER = "upper", "lower"
# What may stand before the first word of a line that opens a sentence: a list label.
_LABEL = regex.compile(r"^\s*(?:[-+•*]|\(?\d{1,3}(?:\.\d{1,3})*[.)]|\(?[a-zđ][.)]|[IVXLC]{1,6}[.)])?\s*$")
_SENTENCE_GAP = regex.compile(r"(?<!\.)[.!?]['\")\]]*\s+$")  # not after "..." (etc.)
_SENTENCE_END = regex.compile(r"(?<!\.)[.!?:]['\")\]]*$")  # ";" goes on: list items after it are lower
# A numbered heading this short has ended at the end of its line ("1. Mục tiêu chung").
MAX_HEADING_LINE = 60


def restore_case(legacy: str, converted: str, table: LegacyTable, opens_sentence: bool) -> str:
    """Capitalize the letters read from TCVN3 lowercase codes where the text says they were capitals.

    `legacy` and `converted` have equal length (TCVN3 maps one character to one
    letter), so position i of one is position i of the other. The rule is told
    at the top of rules/legacy_tcvn3.tsv.
    """
    chars = list(converted)
    words = list(_WORD.finditer(converted))
    cases = [_word_case(legacy, converted, w, table) for w in words]
    for i, word in enumerate(words):
        coded = [j for j in range(word.start(), word.end()) if legacy[j] in table.caseless]
        if not coded:
            continue
        case = cases[i] or _neighbour_case(i, words, cases)
        if case == _UPPER:
            for j in coded:
                chars[j] = chars[j].upper()
        elif word.start() in coded and _opens_sentence_at(converted, words, i, opens_sentence):
            chars[word.start()] = chars[word.start()].upper()
    return "".join(chars)


def _word_case(legacy: str, converted: str, word: regex.Match, table: LegacyTable) -> str | None:
    """UPPER or LOWER from the word's letters that carry their case; None when they cannot tell."""
    evidence = [j for j in range(word.start(), word.end())
                if legacy[j] not in table.caseless and converted[j].lower() != converted[j].upper()]
    if any(converted[j].islower() for j in evidence):
        return _LOWER
    if len(evidence) >= 2 or (evidence and evidence[0] != word.start()):
        return _UPPER
    return None


def _neighbour_case(i: int, words: list[regex.Match], cases: list[str | None]) -> str:
    """Upper when the nearest telling word on either side is in capitals and none is lower.

    A word tells when it is a syllable; a capital one only with a Vietnamese
    letter, since acronyms ("TU" in "89-CTr/TU", "BAN") can be syllables too.
    """
    found = set()
    for step in (-1, 1):
        k = i + step
        while 0 <= k < len(words):
            word = words[k].group()
            if cases[k] is not None and _syllable(word) and (cases[k] == _LOWER or not word.isascii()):
                found.add(cases[k])
                break
            k += step
    return _UPPER if found == {_UPPER} else _LOWER


def _opens_sentence_at(text: str, words: list[regex.Match], i: int, line_opens: bool) -> bool:
    start = words[i].start()
    if _LABEL.match(text[:start]):
        return line_opens or bool(text[:start].strip())
    previous_end = words[i - 1].end() if i else 0
    return bool(_SENTENCE_GAP.search(text[previous_end:start]))


def opens_sentence(previous: str | None) -> bool:
    """Does a line start a sentence, after the `previous` line that is not blank (None: the first)?

    After an ended sentence, a heading in capitals or a short numbered heading.
    Blank lines say nothing: PDF text has them between lines wrapped mid-sentence.
    """
    if previous is None:
        return True
    previous = previous.rstrip()
    if _SENTENCE_END.search(previous) or not any(ch.islower() for ch in previous):
        return True
    heading = match_heading(previous) if len(previous) <= MAX_HEADING_LINE else None
    return heading is not None and not heading.item  # a "- …" item wraps like a sentence


# --------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Fit:
    """How well one line reads in one legacy encoding, against reading it as it stands."""

    gain: int  # syllable score of the changed words after conversion minus before
    share_ok: bool  # enough of the judged words are syllables after conversion
    changed: int  # words the table changes
    judged: int  # changed words that could be judged
    rare: bool  # the line holds a character of the table that Unicode Vietnamese never uses
    beyond_latin1: bool  # a converted word has a letter Latin-1 lacks (ạ, ơ, đ ...)

    @property
    def sure(self) -> bool:
        """Convert on this line's evidence alone."""
        if self.gain <= 0 or not self.share_ok:
            return False
        return self.rare or self.gain >= (MIN_GAIN_WITHOUT_RARE if self.beyond_latin1 else MIN_GAIN_WITHIN_LATIN1)

    @property
    def plausible(self) -> bool:
        """Convert when the document around says this encoding (a line too short to tell)."""
        return self.changed > 0 and self.gain >= 0 and self.share_ok


def line_fits(line: str) -> dict[str, Fit]:
    """The fit of each legacy encoding that changes something in the line; {} for Unicode lines."""
    if not _may_be_legacy(line):
        return {}
    fits = {name: _fit(line, name) for name in TABLE_FILES}
    return {name: fit for name, fit in fits.items() if fit.changed}


def choose_encoding(fits: dict[str, Fit], prior: str | None = None) -> str | None:
    """The best sure encoding (the document's own on a tie, else TCVN3, the national standard);
    without one, the document's encoding where it is plausible."""
    sure = {name: fit.gain for name, fit in fits.items() if fit.sure}
    if sure:
        best = max(sure.values())
        tied = [name for name, gain in sure.items() if gain == best]
        return prior if prior in tied else tied[0]
    if prior in fits and fits[prior].plausible:
        return prior
    return None


def detect_encoding(line: str, prior: str | None = None) -> str | None:
    """TCVN3 or VNI when the line reads as Vietnamese in that encoding better than as it stands."""
    return choose_encoding(line_fits(line), prior)


_HIGH_LATIN1 = regex.compile(r"[\x80-\xff]")
_LETTER_BEYOND_LATIN1 = regex.compile(r"(?=\p{L})[^\x00-\xff]")


def _may_be_legacy(line: str) -> bool:
    """Legacy text is Latin-1: some character of 0x80-0xFF, and no letter beyond."""
    return bool(_HIGH_LATIN1.search(line)) and not _LETTER_BEYOND_LATIN1.search(line)


@lru_cache(maxsize=4096)
def _fit(line: str, name: str) -> Fit:
    table = legacy_table(name)
    changed = judged = valid = gain = 0
    beyond = False
    for token in table.token.findall(line):
        converted = decode(token, table)
        changed += converted != token
        if converted == token or not any(ch.isalpha() for ch in token) or not _has_vowel(converted):
            continue  # unchanged, a lone symbol ("¸"), or no vowel once converted ("N§" -> "NĐ")
        judged += 1
        valid += _syllable(converted)
        gain += syllable_score(converted) - syllable_score(token)
        beyond = beyond or not converted.isascii() and bool(_vietnamese_beyond_latin1().search(converted))
    return Fit(gain=gain, share_ok=valid >= MIN_VALID_SHARE * judged, changed=changed, judged=judged,
               rare=any(ch in table.rare for ch in line), beyond_latin1=beyond)


def syllable_score(word: str) -> int:
    """2 for a syllable Vietnamese uses (in the lexicon), 1 for one the grammar allows, else 0.

    The grammar alone lets a wrong reading through ("coõng", VNI "coâng" read as
    TCVN3); the lexicon tells it from the right one ("công").
    """
    return _syllable(word) + _attested(word)


@lru_cache(maxsize=1 << 16)
def _attested(word: str) -> bool:
    return unicodedata.normalize("NFC", word.lower()) in attested_syllables()


_VOWELS = regex.compile(r"[aăâeêioôơuưy]", regex.I)


def _has_vowel(word: str) -> bool:
    return bool(_VOWELS.search(unicodedata.normalize("NFD", word)))


@lru_cache(maxsize=1 << 16)
def _syllable(word: str) -> bool:
    return is_syllable(word)


@lru_cache(maxsize=1)
def attested_syllables() -> frozenset[str]:
    """The syllables of the words of underthesea's Vietnamese dictionary (Hồ Ngọc Đức's Viet74K).

    Read from the installed package's data without importing underthesea (a
    second of start-up for a word list).
    """
    spec = importlib.util.find_spec("underthesea")
    path = Path(spec.submodule_search_locations[0]) / LEXICON
    text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8").lower())
    return frozenset(regex.split(r"[\s\-]+", text)) - {""}


# --------------------------------------------------------------------------
# Repairs of Unicode text
# --------------------------------------------------------------------------

# A lead byte of UTF-8 read as Windows-1252/1258, then a continuation byte read the same way.
_MOJIBAKE_HINT = regex.compile(
    "[\u00c2-\u00f4\u0102\u0103\u0110\u0111\u01a0\u01a1\u01af\u01b0]"
    "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u0300-\u0323"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


def fix_mojibake(line: str) -> str:
    """UTF-8 bytes that were decoded as Windows-1258 or -1252 ("Káº¿ hoáº¡ch") decoded again.

    Windows-1258 first (ftfy does not know it): re-encoding must give valid
    UTF-8, which legacy or ordinary text practically never does. Then ftfy for
    Windows-1252 and Latin-1, including bytes a sloppy decoder lost. Kept only
    when it leaves fewer characters that Vietnamese text does not use ("»",
    "¦", "Ă¢") and no other script: other "fixes" of odd text (Syriac out of
    "Ü§") are no business of a plan reader.
    """
    if not _MOJIBAKE_HINT.search(line):
        return line
    try:
        fixed = line.encode("cp1258").decode("utf-8")
    except UnicodeError:
        fixed = ftfy.fix_encoding(line)
    better = _odd_characters(fixed) < _odd_characters(line) and not _NOT_LATIN.search(fixed)
    return fixed if better else line


# What Vietnamese text is made of: ASCII, its letters, combining marks, typographic punctuation.
_ODD = regex.compile(r"[^\x00-\x7f\p{M}“”‘’–—…•]")
_NOT_LATIN = regex.compile(r"[^\p{Script=Latin}\p{Script=Common}\p{Script=Inherited}]")


def _odd_characters(text: str) -> int:
    return sum(1 for ch in _ODD.findall(text) if ch not in vietnamese_letters())


_MARK = regex.compile(r"\p{M}")
# spaces (not tabs: cells), or characters normalize drops later (soft hyphen, zero-width), between a letter and its mark
_SPACED_MARK = regex.compile(r"(\p{L}\p{M}*)[\p{Zs}\u00ad\u200b-\u200d\u2060\ufeff]+(\p{M}+)")
_CLUSTER = regex.compile(r"(\P{M})(\p{M}{2,})")


def fix_combining_marks(line: str) -> str:
    """A combining mark put twice on one letter, or set off from it by a space, put back once.

    Plain decomposed text is left to NFC (normalize.unicode_nfc); only a line
    that needed more comes back changed (and composed).
    """
    if not _MARK.search(line):
        return line
    joined = _SPACED_MARK.sub(r"\1\2", line)
    decomposed = unicodedata.normalize("NFD", joined)
    deduplicated = _CLUSTER.sub(lambda m: m.group(1) + "".join(dict.fromkeys(m.group(2))), decomposed)
    if joined == line and deduplicated == decomposed:
        return line
    return unicodedata.normalize("NFC", deduplicated)


_CHUNK = regex.compile(r"\S+")
_DOUBLED = regex.compile(r"^(?:(.)\1)+$")
_DOUBLED_WORD = regex.compile(r"(?<!\p{L})(?:(\p{L})\1){2,}(?!\p{L})")
# A fake-bold line: every chunk with a letter doubled, and enough of it reads once halved.
MIN_HALVED_LETTERS = 3
# Doubled words in a line that is not doubled throughout: at least this many must be syllables.
MIN_DOUBLED_WORDS = 2


def halve_doubled_letters(line: str) -> str:
    """'KKẾẾ HHOOẠẠCCHH' -> 'KẾ HOẠCH': PDF fake bold draws each character twice.

    A whole line doubled is halved chunk by chunk (numbers and punctuation too);
    otherwise only words that read as syllables once halved, when a line has
    several ("ĐỒNG", "HOOC" and "2020" are not doubled and stay).
    """
    if not _DOUBLED_WORD.search(line):
        return line
    chunks = list(_CHUNK.finditer(line))
    lettered = [c for c in chunks if regex.search(r"\p{L}", c.group())]
    if lettered and all(_DOUBLED.match(c.group()) for c in lettered):
        halved_letters = sum(len(w) for c in lettered for w in _WORD.findall(c.group()[::2]) if _attested(w))
        if halved_letters >= MIN_HALVED_LETTERS:
            return _CHUNK.sub(lambda c: c.group()[::2] if _DOUBLED.match(c.group()) else c.group(), line)
    words = [w for w in _WORD.finditer(line) if _halves_to_syllable(w.group())]
    if len(words) < MIN_DOUBLED_WORDS:
        return line
    return _splice(line, [(w.start(), w.end(), w.group()[::2]) for w in words])


def _halves_to_syllable(word: str) -> bool:
    return len(word) >= 4 and bool(_DOUBLED.match(word)) and _attested(word[::2]) and not _syllable(word)


def join_split_syllables(line: str) -> str:
    """'ĐIỀ U KHO ẢN' -> 'ĐIỀU KHOẢN': a PDF space put before or after a letter with a diacritic.

    Two words one space apart are joined when together they spell a syllable
    with a diacritic that Vietnamese uses (`attested_syllables`), one of them is
    not such a syllable alone or the second begins with a vowel carrying a
    diacritic (no two-word phrase joins into one syllable so), and the case
    goes on ("Đ ồng", not "đ Ồng"). A lone ASCII letter on the left is a label
    ("hạng A, B ở ..."), never joined.
    """
    if not _MARKED_VOWEL_AFTER_SPACE.search(line) and all(map(_attested, _NON_ASCII_WORD.findall(line))):
        return line  # no fragment: a split leaves a word with a diacritic that is no syllable alone
    words = list(_WORD.finditer(line))
    edits: list[tuple[int, int, str]] = []
    i = 0
    while i < len(words):
        start, text = words[i].start(), words[i].group()
        end = words[i].end()
        while i + 1 < len(words) and line[end:words[i + 1].start()] == " " and _joins(text, words[i + 1].group()):
            i += 1
            text, end = text + words[i].group(), words[i].end()
        if end - start != len(text):
            edits.append((start, end, text))
        i += 1
    return _splice(line, edits)


_NON_ASCII_WORD = regex.compile(r"\p{L}*[^\x00-\x7f]\p{L}*")
_MARKED_VOWEL_AFTER_SPACE = regex.compile(r"(?<=\p{L} )[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", regex.I)


def _joins(left: str, right: str) -> bool:
    if not _case_goes_on(left, right) or (len(left) == 1 and left.isascii()):
        return False  # a lone ASCII letter is a label or an initial: "hạng A, B ở", "điểm b ở trên"
    if _attested(left) and _attested(right) and not _starts_with_marked_vowel(right):
        return False
    joined = left + right
    return not joined.isascii() and _attested(joined)


def _case_goes_on(left: str, right: str) -> bool:
    return not right[0].isupper() or left.isupper()


def _starts_with_marked_vowel(word: str) -> bool:
    first = unicodedata.normalize("NFD", word[0])
    return len(first) > 1 and bool(_VOWELS.match(first))


def _splice(line: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, text in sorted(edits, reverse=True):
        line = line[:start] + text + line[end:]
    return line


# --------------------------------------------------------------------------
# All of it, line by line, with a report
# --------------------------------------------------------------------------

REPAIRS: dict[str, Callable[[str], str]] = {
    "mojibake": fix_mojibake,
    "combining_marks": fix_combining_marks,
    "doubled_letters": halve_doubled_letters,
    "split_syllables": join_split_syllables,
}
REPAIR_WARNINGS = {
    "mojibake": "UTF-8 text read as Windows-1252/1258, decoded again",
    "combining_marks": "duplicated or detached combining marks",
    "doubled_letters": "letters doubled by fake-bold text",
    "split_syllables": "syllables split by a space",
}


@dataclass
class Repaired:
    """Lines after conversion and repairs, and how many lines each fix changed."""

    lines: list[str]
    counts: Counter = field(default_factory=Counter)

    def warnings(self) -> list[str]:
        """'legacy encoding: 41 lines converted from TCVN3', one per encoding; one for the repairs."""
        out = [f"legacy encoding: {_lines(self.counts[name])} converted from {name}"
               for name in TABLE_FILES if self.counts[name]]
        done = [f"{REPAIR_WARNINGS[name]} {self.counts[name]}" for name in REPAIRS if self.counts[name]]
        if done:
            out.append(f"diacritics: {_lines(self.counts['repaired'])} repaired ({', '.join(done)})")
        return out


def _lines(count: int) -> str:
    return f"{count} line{'s' * (count != 1)}"


def repair_line(line: str, prior: str | None = None, previous: str | None = None) -> tuple[str, list[str]]:
    """The line in Unicode, repaired, and the names of what was done to it.

    `prior` is the encoding around the line, if any (`line_priors`);
    `previous` the line before that is not blank, if any (for `opens_sentence`).
    A line is converted once at most: a converted line can read as legacy
    again ("hoàn" as VNI "hồn").
    """
    if line.isascii() and not _DOUBLED_WORD.search(line):
        return line, []  # blank and ASCII lines: nothing to decode, no diacritic to repair
    done: list[str] = []
    line = _step(line, "mojibake", fix_mojibake, done)
    encoding = detect_encoding(line, prior)
    if encoding:
        line = convert_line(line, encoding, opens_sentence(previous))
        done.append(encoding)
    for _ in range(MAX_ROUNDS):
        before = line
        for name in ("combining_marks", "doubled_letters", "split_syllables"):
            line = _step(line, name, REPAIRS[name], done)
        if line == before:
            break
    return line, list(dict.fromkeys(done))


def _step(line: str, name: str, repair: Callable[[str], str], done: list[str]) -> str:
    fixed = repair(line)
    if fixed != line:
        done.append(name)
    return fixed


def line_verdict(line: str) -> str | None:
    """What a line alone says: TCVN3 or VNI when surely so, UNICODE when it has a letter only
    Unicode Vietnamese has, None when it tells nothing (short, numbers, ASCII)."""
    if line.isascii():
        return None
    line = fix_mojibake(line)
    encoding = choose_encoding(line_fits(line))
    if encoding:
        return encoding
    return UNICODE if _vietnamese_beyond_latin1().search(line) else None


def line_priors(verdicts: Sequence[str | None]) -> list[str | None]:
    """The legacy encoding that decides each line too short to tell on its own.

    The encoding of the lines around it, when the nearest telling lines before
    and after agree, or one side has none (a paragraph or table in one font,
    at the start or end of the document); else the document's,
    when its surely converted lines outnumber all other telling lines (a
    document in one font). Interleaved fonts give no prior: such lines stay.
    """
    document = _majority(verdicts)
    before = _nearest(verdicts)
    after = _nearest(verdicts[::-1])[::-1]
    priors = []
    for b, a in zip(before, after):
        around = b if a is None or a == b else a if b is None else None
        priors.append(around if around in TABLE_FILES else document)
    return priors


def _majority(verdicts: Sequence[str | None]) -> str | None:
    told = Counter(v for v in verdicts if v is not None)
    legacy = [(told[name], name) for name in TABLE_FILES if told[name]]
    if not legacy:
        return None
    count, name = max(legacy)
    return name if count >= MIN_PRIOR_LINES and 2 * count > sum(told.values()) else None


def _nearest(verdicts: Sequence[str | None]) -> list[str | None]:
    """For each position, the last verdict before it that is not None."""
    out, last = [], None
    for verdict in verdicts:
        out.append(last)
        last = verdict if verdict is not None else last
    return out


def bytes_encoding(text: str) -> str | None:
    """TCVN3 or VNI when `text` is a file's bytes read as Latin-1 and most of its lines with
    such bytes surely read in that encoding (a text saved from a .VnTime or VNI-Times document)."""
    lines = [line for line in text.splitlines() if _HIGH_LATIN1.search(line)]
    sure = Counter(choose_encoding(line_fits(line)) for line in lines)
    sure.pop(None, None)
    if not sure:
        return None
    name, count = sure.most_common(1)[0]
    return name if count >= MIN_SURE_SHARE_OF_FILE * len(lines) else None


def repair_lines(lines: Sequence[str], from_pdf: bool = False) -> Repaired:
    """Each line converted or repaired on its own (a document can mix fonts), with counts.

    `from_pdf`: the text came out of a PDF text layer, where TCVN3's "ư" (the soft-hyphen
    code) may have been dropped (`restore_dropped_u`)."""
    priors = line_priors([line_verdict(line) for line in lines])
    out: list[str] = []
    counts: Counter = Counter()
    previous = None
    for line, prior in zip(lines, priors):
        fixed, done = repair_line(line, prior, previous)
        if from_pdf and TCVN3 in done:
            fixed = restore_dropped_u(fixed)
        out.append(fixed)
        previous = fixed if fixed.strip() else previous
        counts.update(done)
        counts["repaired"] += any(name in REPAIRS for name in done)
    return Repaired(out, counts)

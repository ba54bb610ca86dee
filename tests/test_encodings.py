"""Legacy Vietnamese encodings (TCVN3, VNI) and damaged diacritics back to Unicode (pipeline/encoding.py).

The legacy versions of the seed plans are made here from the mapping tables, the way an
encoder writes them: every letter replaced by its code, and for TCVN3 the toned capitals
by the lowercase code, which the ABC capitals fonts (.VnTimeH) draw as capitals.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import docx
import pytest
import regex
from docx.oxml.ns import qn

from pipeline.encoding import (
    TCVN3, VNI, FontEncoding, convert_line, convert_run, decode, detect_encoding, fix_combining_marks,
    fix_mojibake, font_encoding, halve_doubled_letters, join_split_syllables, legacy_table, read_table_rows,
    repair_lines,
)
from pipeline.load import load
from pipeline.load.docx import load_docx
from pipeline.normalize import normalize, normalize_text
from pipeline.rules import load as load_rules

from .conftest import SEEDS, realdoc, require_tool
from .make_docx import make_plan_docx, recode_runs

TCVN3_ROWS = read_table_rows(TCVN3)
VNI_ROWS = read_table_rows(VNI)
TCVN3_CODES = {letter: legacy for letter, legacy, _ in TCVN3_ROWS}
VNI_CODES = {letter: legacy for letter, legacy, _ in VNI_ROWS}
TIMES, TIMES_CAPITALS, VNI_TIMES = ".VnTime", ".VnTimeH", "VNI-Times"
REALDOCS_DOCX = (
    "laocai-ubnd_KH-draft-nonumber-KH-UBND-CT11_2026-05-13.docx",
    "laocai-sct_KH-2242-KH-SCT_2026-04-23.docx",
    "laocai-sct_KH-3024-KH-SCT_2026-05-27.docx",
    "laocai-sct_KH-3898-KH-SCT_2026-06-30.docx",
)


# ------------------------------------------------------------------ encoders (tests only)


def to_tcvn3(text: str) -> str:
    """Unicode -> TCVN3 as plain text: a toned capital has no code of its own, so it takes its
    lowercase letter's code (it is a capital only in a .VnTimeH run)."""
    return "".join(TCVN3_CODES.get(ch, TCVN3_CODES.get(ch.lower(), ch)) for ch in unicodedata.normalize("NFC", text))


def to_vni(text: str) -> str:
    return "".join(VNI_CODES.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def _needs_capitals_font(ch: str) -> bool:
    return ch.isupper() and ch not in TCVN3_CODES and ch.lower() in TCVN3_CODES


def tcvn3_runs(text: str) -> list[tuple[str, str]]:
    """The runs a TCVN3 author types: words in capitals with a toned capital in .VnTimeH, a
    toned capital starting a word in a one-letter .VnTimeH run, the rest in .VnTime."""
    runs: list[tuple[str, str]] = []
    for piece in regex.finditer(r"\p{L}+|\P{L}+", unicodedata.normalize("NFC", text)):
        word = piece.group()
        if not any(_needs_capitals_font(ch) for ch in word):
            runs.append((to_tcvn3(word), TIMES))
        elif word.isupper():
            runs.append((to_tcvn3(word), TIMES_CAPITALS))
        else:
            runs += [(to_tcvn3(ch), TIMES_CAPITALS if _needs_capitals_font(ch) else TIMES) for ch in word]
    merged: list[tuple[str, str]] = []
    for text_, font in runs:
        if merged and merged[-1][1] == font:
            merged[-1] = (merged[-1][0] + text_, font)
        else:
            merged.append((text_, font))
    return merged


def vni_runs(text: str) -> list[tuple[str, str]]:
    return [(to_vni(text), VNI_TIMES)]


def seed_lines(key: str) -> list[str]:
    return SEEDS[key].read_text(encoding="utf-8").split("\n")


# A toned capital that starts a word in mid-sentence ("của Ủy ban"): TCVN3 text alone writes it
# with the lowercase code and nothing says it was a capital (see rules/legacy_tcvn3.tsv).
MID_SENTENCE_TONED_CAPITAL = regex.compile(r"(?<=[\p{Ll},] )[ÀẢÃÁẠẰẲẴẮẶẦẨẪẤẬÈẺẼÉẸỀỂỄẾỆÌỈĨÍỊÒỎÕÓỌỒỔỖỐỘỜỞỠỚỢÙỦŨÚỤỪỬỮỨỰỲỶỸÝỴ](?=\p{Ll})")


def tcvn3_text_expected(line: str) -> str:
    return MID_SENTENCE_TONED_CAPITAL.sub(lambda m: m.group().lower(), line)


# ------------------------------------------------------------------ the tables, row by row


def test_tables_have_every_vietnamese_letter_once():
    vietnamese = {unicodedata.normalize("NFC", base + tone) for base in "aăâeêioôơuưy"
                  for tone in ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")} - set("aeiouy") | {"đ"}
    assert len(VNI_ROWS) == len(VNI_CODES) == 134
    assert set(VNI_CODES) == vietnamese | {ch.upper() for ch in vietnamese}
    assert len(TCVN3_ROWS) == len(TCVN3_CODES) == 74  # lowercase letters and Ă Â Ê Ô Ơ Ư Đ
    assert set(TCVN3_CODES) == vietnamese | set("ĂÂÊÔƠƯĐ")
    for rows in (TCVN3_ROWS, VNI_ROWS):
        assert len({legacy for _, legacy, _ in rows}) == len(rows)  # no code stands for two letters


@pytest.mark.parametrize("letter, legacy, hex_bytes", TCVN3_ROWS, ids=[row[0] for row in TCVN3_ROWS])
def test_tcvn3_row(letter, legacy, hex_bytes):
    assert bytes.fromhex(hex_bytes).decode("latin-1") == legacy
    table = legacy_table(TCVN3)
    assert decode(legacy, table) == letter
    assert convert_run(legacy, FontEncoding(TCVN3, capitals=False)) == letter
    # in a capitals font, and in a word of capitals in plain text, the code is the capital
    assert convert_run(legacy, FontEncoding(TCVN3, capitals=True)) == letter.upper()
    assert convert_line(f"TH{legacy}NG", TCVN3) == f"TH{letter.upper()}NG"


def test_tcvn3_table_agrees_with_glibc():
    """Every byte of the table read by glibc's TCVN5712-1 converter (VN1, a superset of VN3)."""
    iconv = require_tool("iconv")
    raw = b"".join(bytes.fromhex(hex_bytes) for _, _, hex_bytes in TCVN3_ROWS)
    out = subprocess.run([iconv, "-f", "TCVN5712-1", "-t", "UTF-8"], input=raw, capture_output=True, check=True)
    assert list(out.stdout.decode("utf-8")) == [letter for letter, _, _ in TCVN3_ROWS]


@pytest.mark.parametrize("letter, legacy, hex_bytes", VNI_ROWS, ids=[row[0] for row in VNI_ROWS])
def test_vni_row(letter, legacy, hex_bytes):
    assert bytes.fromhex(hex_bytes).decode("latin-1") == legacy
    assert decode(legacy, legacy_table(VNI)) == letter
    assert convert_run(legacy, FontEncoding(VNI, capitals=False)) == letter
    # a capital is its own code: the capital of the base letter and of the modifier
    assert VNI_CODES[letter.upper()] == legacy.upper()


def test_vni_modifiers_are_consistent():
    """VNI's scheme: one modifier per diacritic, whatever the base vowel."""
    tones = {"\u0300": "ø", "\u0301": "ù", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
    for base in "aeouy":
        for tone, modifier in tones.items():
            letter = unicodedata.normalize("NFC", base + tone)
            if letter != "ỵ":  # ỵ is a byte of its own (î)
                assert VNI_CODES[letter] == base + modifier, letter
    for base, horn in (("ơ", "ô"), ("ư", "ö")):
        for tone, modifier in tones.items():
            assert VNI_CODES[unicodedata.normalize("NFC", base + tone)] == horn + modifier


FONT_FAMILIES = load_rules("legacy_fonts.yaml")["families"]


@pytest.mark.parametrize("family", FONT_FAMILIES, ids=lambda family: family["id"])
def test_font_name_examples(family):
    for name, expected in family["examples"].items():
        assert font_encoding(name) == FontEncoding(family["encoding"], expected["capitals"]), name
    for name in family["counter_examples"]:
        found = font_encoding(name)
        assert found is None or found.encoding != family["encoding"], name


# ------------------------------------------------------------------ seed plans in legacy encodings


@pytest.mark.parametrize("key", ["000", "004"])
def test_vni_seed_as_text_comes_back_identical(key):
    lines = seed_lines(key)
    repaired = repair_lines([to_vni(line) for line in lines])
    assert repaired.lines == lines
    converted = sum(to_vni(line) != line for line in lines)
    assert repaired.warnings() == [f"legacy encoding: {converted} lines converted from VNI"]


@pytest.mark.parametrize("key", ["000", "004"])
def test_tcvn3_seed_as_text_comes_back_identical_but_mid_sentence_toned_capitals(key):
    lines = seed_lines(key)
    repaired = repair_lines([to_tcvn3(line) for line in lines])
    assert repaired.lines == [tcvn3_text_expected(line) for line in lines]
    lost = [m.group() for line in lines for m in MID_SENTENCE_TONED_CAPITAL.finditer(line)]
    assert lost == ["Ủ"] * {"000": 8, "004": 3}[key]  # all in "của Ủy ban nhân dân …", read off the seeds
    converted = sum(to_tcvn3(line) != line for line in lines)
    assert repaired.warnings() == [f"legacy encoding: {converted} lines converted from TCVN3"]


@pytest.fixture(scope="module")
def unicode_docx(tmp_path_factory):
    """The seed plan as a DOCX (built once per seed: python-docx takes its time over tables)."""
    built: dict[str, Path] = {}

    def get(key: str) -> Path:
        if key not in built:
            built[key] = make_plan_docx(tmp_path_factory.mktemp("docx") / f"{key}.docx", seed_lines(key))
        return built[key]

    return get


@pytest.mark.parametrize("key", ["000", "004"])
@pytest.mark.parametrize("encoding, runs", [(TCVN3, tcvn3_runs), (VNI, vni_runs)], ids=[TCVN3, VNI])
def test_seed_docx_in_legacy_fonts_comes_back_identical(tmp_path, unicode_docx, key, encoding, runs):
    """Run fonts decide table and case, so TCVN3 capitals come back too."""
    original = unicode_docx(key)
    legacy_docx = recode_runs(shutil.copy(original, tmp_path / "legacy.docx"), runs)
    encode = to_tcvn3 if encoding == TCVN3 else to_vni
    assert paragraph_texts(legacy_docx) == [encode(text) for text in paragraph_texts(original)]  # codes inside
    expected, loaded = load_docx(original), load_docx(legacy_docx)
    assert loaded.text == expected.text
    fonts = f"{TIMES}, {TIMES_CAPITALS}" if encoding == TCVN3 else VNI_TIMES
    changed = sum(encode(text) != text for text in paragraph_texts(original))
    assert [w for w in loaded.warnings if w.startswith("legacy encoding")] == [
        f"legacy encoding: {changed} paragraphs converted from {encoding} (fonts {fonts})"
    ]
    assert normalize(loaded).text == normalize(expected).text


def paragraph_texts(path) -> list[str]:
    """The text of every paragraph of a DOCX body, table cells included."""
    body = docx.Document(str(path)).element.body
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]


def test_capitals_font_run_alone():
    assert convert_run("KÕ HO¹CH", FontEncoding(TCVN3, capitals=True)) == "KẾ HOẠCH"
    assert convert_run("kÕ ho¹ch", FontEncoding(TCVN3, capitals=True)) == "KẾ HOẠCH"  # typed without caps lock
    assert convert_run("KÕ ho¹ch", FontEncoding(TCVN3, capitals=False)) == "Kế hoạch"


@pytest.mark.parametrize("legacy, expected", [
    ("KÕ HO¹CH", "KẾ HOẠCH"),            # a one-capital word follows its neighbour in capitals
    ("KÕ ho¹ch", "Kế hoạch"),
    ("ñY BAN NH¢N D¢N", "ỦY BAN NHÂN DÂN"),  # Â has a code; Ủ takes the lowercase one
    ("§IÒU 1. Ph¹m vi", "ĐIỀU 1. Phạm vi"),
    ("Sè: 57/KH-UBND", "Số: 57/KH-UBND"),   # acronyms in capitals tell nothing
    ("- øng dông c«ng nghÖ", "- Ứng dụng công nghệ"),  # a list item opens a sentence
    ("cña ñy ban nh©n d©n", "của ủy ban nhân dân"),    # mid-sentence: cannot be told (see the table)
    ("hoµn thµnh. ë ®©y", "hoàn thành. Ở đây"),
])
def test_tcvn3_case_from_text_alone(legacy, expected):
    assert convert_line(legacy, TCVN3) == expected


# ------------------------------------------------------------------ a document mixing fonts


def test_mixed_encodings_interleaved_line_by_line():
    """Unicode, TCVN3 and VNI lines in turn: each line is read on its own evidence. Unicode lines
    stay; a legacy line too short to tell, with no neighbour in its encoding, stays too."""
    lines = seed_lines("004")
    encoders = (lambda line: line, to_tcvn3, to_vni)
    mixed = [encoders[i % 3](line) for i, line in enumerate(lines)]
    repaired = repair_lines(mixed)
    undecided = {i for i, (line, out) in enumerate(zip(mixed, repaired.lines)) if out == line and line != lines[i]}
    assert sorted(mixed[i] for i in undecided) == ["Sau khi cã ", "sè. "]  # "có", "số": Latin-1 words either way
    for i, (line, out) in enumerate(zip(lines, repaired.lines)):
        if i % 3 == 0:
            assert out == line, i
        elif i not in undecided:
            assert out == (tcvn3_text_expected(line) if i % 3 == 1 else line), i
    assert repaired.warnings() == [
        f"legacy encoding: {sum(to_tcvn3(line) != line for line in lines[1::3]) - 2} lines converted from TCVN3",
        f"legacy encoding: {sum(to_vni(line) != line for line in lines[2::3])} lines converted from VNI",
    ]


def test_mixed_encodings_in_blocks():
    """A header in TCVN3, the body in Unicode, an appendix in VNI: short lines take their block's encoding."""
    lines = seed_lines("000")
    head, body, tail = lines[:40], lines[40:300], lines[300:]
    mixed = [to_tcvn3(line) for line in head] + body + [to_vni(line) for line in tail]
    repaired = repair_lines(mixed)
    assert repaired.lines == [tcvn3_text_expected(line) for line in head] + body + tail


def test_normalize_warns_what_it_converted():
    text = "\n".join(["KÕ HO¹CH", "Thùc hiÖn NghÞ quyÕt sè 57-NQ/TW", "Keá hoaïch naêm 2025", "Trong năm 2025", "", "2020"])
    norm = normalize_text(text)
    assert norm.text.startswith("KẾ HOẠCH")
    assert "Thực hiện Nghị quyết số 57-NQ/TW" in norm.text and "Kế hoạch năm 2025" in norm.text
    assert norm.warnings == ["legacy encoding: 2 lines converted from TCVN3", "legacy encoding: 1 line converted from VNI"]


@pytest.mark.parametrize("encode, name", [(to_tcvn3, "tcvn3"), (to_vni, "vni")])
def test_text_file_in_legacy_bytes(tmp_path, encode, name):
    """A .txt saved from a legacy-font document holds the font's bytes: read as Latin-1, converted by normalize."""
    lines = seed_lines("004")[:80]
    path = tmp_path / "plan.txt"
    path.write_bytes("\n".join(encode(line) for line in lines).encode("latin-1"))
    loaded = load(path)
    assert loaded.encoding == name
    expected = [tcvn3_text_expected(line) for line in lines] if name == "tcvn3" else lines
    assert normalize(loaded).text == normalize_text("\n".join(expected)).text


# ------------------------------------------------------------------ repairs of Unicode text


@pytest.mark.parametrize("damaged, expected", [
    ("Káº¿ hoáº¡ch sá»‘ 57", "Kế hoạch số 57"),                                  # UTF-8 read as Windows-1252
    ("Kế hoạch".encode("utf-8").decode("latin-1"), "Kế hoạch"),                 # ... as Latin-1 (C1 controls)
    ("Ủy ban nhân dân".encode("utf-8").decode("cp1258"), "Ủy ban nhân dân"),    # ... as Windows-1258
    ("Quảng Ninh, Káº¿ hoáº¡ch", "Quảng Ninh, Kế hoạch"),                        # only part of the line
])
def test_mojibake(damaged, expected):
    assert fix_mojibake(damaged) == expected


@pytest.mark.parametrize("damaged, expected", [
    ("Kế\u0301 hoạch", "Kế hoạch"),                     # a tone mark twice
    ("Vie\u0302\u0302\u0323t Nam", "Việt Nam"),         # decomposed, circumflex twice
    ("ĐIÊ \u0300U", "ĐIỀU"),                             # a mark set off by a space
    ("A\u00ad\u0300", "À"),                             # ... by a soft hyphen
])
def test_combining_marks(damaged, expected):
    assert fix_combining_marks(damaged) == expected


def test_plain_decomposed_text_is_left_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Kế hoạch")
    assert fix_combining_marks(decomposed) == decomposed
    assert repair_lines([decomposed]).warnings() == []


@pytest.mark.parametrize("damaged, expected", [
    ("ĐIỀ U KHO ẢN CHUNG", "ĐIỀU KHOẢN CHUNG"),
    ("NGH Ị Đ ỊNH số 15", "NGHỊ ĐỊNH số 15"),
    ("Vi ệt Nam", "Việt Nam"),
    ("Đ ồng chí", "Đồng chí"),
])
def test_split_syllables(damaged, expected):
    assert join_split_syllables(damaged) == expected


@pytest.mark.parametrize("damaged, expected", [
    ("KKẾẾ HHOOẠẠCCHH", "KẾ HOẠCH"),
    ("NNĂĂMM 22002255", "NĂM 2025"),                          # a whole line doubled: numbers too
    ("Điều 1. TTHHÔÔNNGG QQUUAA nội dung", "Điều 1. THÔNG QUA nội dung"),
])
def test_doubled_letters(damaged, expected):
    assert halve_doubled_letters(damaged) == expected


@pytest.mark.parametrize("text", [
    "ĐỒNG HOOC 2020 1100",
    "hạng A, B ở biên nhà đang",       # a lone letter is a label, not a fragment (QĐ 1074/QĐ-BXD)
    "kho an toàn, Hà Nội, Bộ Y tế",
    "AA BB CC",
    "Xoong nồi, boong tàu, goòng",
])
def test_repairs_leave_sound_text_alone(text):
    for repair in (fix_mojibake, fix_combining_marks, halve_doubled_letters, join_split_syllables):
        assert repair(text) == text
    assert repair_lines([text]).lines == [text]


# ------------------------------------------------------------------ what must pass unchanged


@pytest.mark.parametrize("key", sorted(SEEDS))
def test_seeds_pass_unchanged(key):
    lines = seed_lines(key)
    repaired = repair_lines(lines)
    assert repaired.lines == lines and repaired.warnings() == []


@pytest.mark.parametrize("name", REALDOCS_DOCX)
def test_realdocs_docx_pass_unchanged(name):
    loaded = load_docx(realdoc(name))
    assert not any("legacy encoding" in w for w in loaded.warnings)
    lines = loaded.text.split("\n")
    repaired = repair_lines(lines)
    assert repaired.lines == lines and repaired.warnings() == []


ENGLISH = """Guidelines for the safety of children's play areas (2nd edition, 2019).
The committee's report, pp. 12-15: "Make in Viet Nam" - 1,250 units at $3.50 each; 98.5% done.
Café, naïve, résumé, São Paulo, Zürich, Ångström, Søren, España, Köln, Müller."""
FRENCH = """Où est la bibliothèque ? Voilà, c'est là-bas, près de l'église.
Le ministère a publié l'arrêté n° 12 du 3 février 2020 : « Être à l'écoute, où qu'on soit. »
Ça coûte 25 € ; déjà payé à 90 %."""
NUMBERS = "2020\n1.100.000\n22/12/2024\n0,5 - 1,5%\n12 345 678\n½ ¼ ¾ ± ° × ÷ § ¶ © ®"


@pytest.mark.parametrize("text", [ENGLISH, FRENCH, NUMBERS], ids=["english", "french", "numbers"])
def test_other_languages_and_numbers_pass_unchanged(text):
    lines = text.split("\n")
    assert [detect_encoding(line) for line in lines] == [None] * len(lines)
    repaired = repair_lines(lines)
    assert repaired.lines == lines and repaired.warnings() == []


@pytest.mark.parametrize("font", [TIMES, VNI_TIMES])
def test_unicode_text_in_a_legacy_font_is_left_alone(tmp_path, unicode_docx, font):
    """A document made from an old template: Unicode text whose runs still name .VnTime (the real
    KH 2242/KH-SCT has .VnTime in its Normal style)."""
    original = unicode_docx("004")
    relabelled = recode_runs(shutil.copy(original, tmp_path / "template.docx"), lambda text: [(text, font)])
    loaded = load_docx(relabelled)
    assert loaded.text == load_docx(original).text
    assert not any("legacy encoding" in w for w in loaded.warnings)


def test_repairs_are_counted_in_one_warning():
    lines = ["ĐIỀ U KHO ẢN", "KKẾẾ HHOOẠẠCCHH", "Kế\u0301 hoạch", "Quảng Ninh, Káº¿ hoáº¡ch", "Hà Nội"]
    repaired = repair_lines(lines)
    assert repaired.lines == ["ĐIỀU KHOẢN", "KẾ HOẠCH", "Kế hoạch", "Quảng Ninh, Kế hoạch", "Hà Nội"]
    assert repaired.warnings() == [
        "diacritics: 4 lines repaired (UTF-8 text read as Windows-1252/1258, decoded again 1, "
        "duplicated or detached combining marks 1, letters doubled by fake-bold text 1, syllables split by a space 1)"
    ]


def test_lexicon_is_installed():
    """The syllables that tell readings apart come from underthesea's word list (Viet74K)."""
    from pipeline.encoding import attested_syllables

    lexicon = attested_syllables()
    assert len(lexicon) > 5000 and {"công", "nghệ", "hoạch", "ủy", "uỷ"} <= lexicon and "coõng" not in lexicon


def test_pdf_typed_in_tcvn3_is_converted_not_sent_to_ocr(tmp_path):
    """A PDF whose fonts map TCVN3 codes (what .VnTime text gives through pdfium) is judged on its
    converted text: read from the text layer and converted, never treated as a garbage layer."""
    from pipeline.extract import extract_document

    from .render import FONT_DIR, render_pdf

    if not (FONT_DIR / "DejaVuSerif.ttf").exists():
        require_tool("fc-list")
        pytest.skip(f"fonts-dejavu-core is not installed ({FONT_DIR})")
    lines = seed_lines("003")
    pdf = render_pdf([to_tcvn3(line) for line in lines], tmp_path / "tcvn3.pdf")
    doc, text = extract_document(pdf), extract_document(SEEDS["003"])
    assert all(not p.ocr and p.engine != "tesseract" and p.status == "ok" for p in doc.pages)
    assert any(w.startswith("legacy encoding:") and "TCVN3" in w for w in doc.warnings)
    assert doc.document.title == text.document.title
    assert {c.number for c in doc.citations} == {c.number for c in text.citations}


@pytest.mark.parametrize("dropped, expected", [
    ("Chơng trình Thờng vụ", "Chương trình Thường vụ"),  # PDF text of TCVN3 without its 0xAD codes
    ("THƠNG MẠI", "THƯƠNG MẠI"),
    ("ớc tính", "ước tính"),
    ("KH-UBND", "KH-UBND"),  # no vowel: an acronym as often as a lost "như"; left alone
    ("tổ chức 2025", "tổ chức 2025"),
])
def test_restore_dropped_u(dropped, expected):
    from pipeline.encoding import restore_dropped_u

    assert restore_dropped_u(dropped) == expected

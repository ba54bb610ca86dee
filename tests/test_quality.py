"""Text-layer quality: Vietnamese syllables, garbage detection, thresholds."""

from __future__ import annotations

import unicodedata

import pytest

from pipeline import quality
from pipeline.quality import is_syllable, is_usable, problem, text_quality
from tests.conftest import CORPUS, SEEDS

SEED_FILES = [path for path in SEEDS.values() if path.exists()]

# Rare and tricky spellings: glides, "qu"/"gi", double vowels, stop codas.
VALID = [
    "kế", "hoạch", "nghiêng", "nghĩa", "người", "được", "quyết", "quốc", "quỳnh", "quýt",
    "khuya", "khuỷu", "huỳnh", "thuở", "giữa", "gì", "giếng", "gìn", "xoong", "oái", "uống",
    "yêu", "ý", "uy", "ủy", "thủy", "tuần", "luật", "khuây", "thuế", "hoặc", "ngoặt", "khoẻ",
    "ngoẹo", "khoét", "rượu", "hưu", "gửi", "ĐẢNG", "QUỐC", "Đồng", "CỘNG", "trong", "ban",
]
INVALID = [
    "thҫu",  # Cyrillic letter inside
    "gfri", "tl4o", "thucrng",  # OCR without Vietnamese
    "bánk", "hoacht", "strong",  # impossible coda, onset
    "tìc", "bảt", "mãp",  # stop coda with a tone it cannot take
    "kếế", "hoáà",  # two tones
    "qu", "ngh", "ă",  # no rhyme
]


@pytest.mark.parametrize("word", VALID)
def test_valid_syllables(word):
    assert is_syllable(word)


@pytest.mark.parametrize("word", INVALID)
def test_invalid_syllables(word):
    assert not is_syllable(word)


def test_rhyme_inventory_uses_known_codas_only():
    codas = {"", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "y", "o", "u", "a"}
    assert set(quality.RHYMES.values()) <= codas
    assert all(rhyme.startswith(tuple(quality.VOWELS)) for rhyme in quality.RHYMES)


@pytest.mark.skipif(not SEED_FILES, reason=f"seed corpus not found at {CORPUS}")
@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.name[:3])
def test_seed_plans_are_vietnamese(seed):
    q = text_quality(seed.read_text(encoding="utf-8"))
    # measured: 1.00 valid and 0.90-0.92 with Vietnamese letters on all five seeds
    assert q.valid_share > 0.99
    assert q.vietnamese_share > 0.85
    assert q.judged > 2000
    assert q.mixed_share == 0 and q.foreign_letter_share == 0
    assert is_usable(q)


PLAN = (
    "Căn cứ Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển "
    "khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia; UBND xã ban hành Kế hoạch "
    "thực hiện với các nhiệm vụ trọng tâm như sau: nâng cao chất lượng giáo dục STEM, "
    "ứng dụng AI và CNTT trong quản lý, hoàn thành trước tháng 6/2026. "
)

# What KH 1105's text layer gives (fonts without ToUnicode): Vietnamese letters
# decoded to Cyrillic look-alikes, capitals to digits and symbols.
GARBLED = (
    "6Ӣ CÔNG 7+ѬѪ1* &Ӝ1* HÒA XÃ +Ӝ, &+Ӫ 1*+Ƭ$ 9,ӊ7 NAM .ӂ +2Ҥ&+ .LӇP tra YLӋF FKҩS hành "
    "Quy ÿӏQK pháp OXұW trong sӱ dөng và bҧo quҧn vұt liӋu nә công nghiӋp trên ÿӏa bàn tӍnh "
    "4X\\ӃW ÿӏQK Vӕ 4Ĉ6&7 thҫu ÿѫn vӏ thӵc hiӋn kiӇm tra ÿӕi vӟi các ÿѫn vӏ "
)


def test_plan_text_is_usable():
    q = text_quality(PLAN * 3)
    assert q.valid_share == 1.0
    assert is_usable(q)


def test_cyrillic_garbled_layer_is_rejected():
    q = text_quality(GARBLED * 3)
    assert q.mixed_share > 0.3
    assert q.foreign_letter_share > 0.1
    assert q.valid_share < 0.6
    assert not is_usable(q)
    assert problem(q).startswith("share of valid Vietnamese syllables")


def test_stripped_diacritics_are_syllables_but_not_usable():
    """Decided: unaccented Vietnamese is not garbage, but later rules need the diacritics."""
    stripped = _strip_diacritics(PLAN) * 3
    q = text_quality(stripped)
    assert stripped.startswith("Can cu Nghi quyet so 57-NQ/TW")
    assert q.valid_share > 0.95
    assert q.vietnamese_share == 0
    assert not is_usable(q)
    assert "Vietnamese letters" in problem(q)


def test_ocr_without_vietnamese_is_rejected():
    ocr = "SO CONG ]'HTJONG PHONG QLCN Kinh gfri: Linh tl4o S& Cdng Thucrng NQi dung trinh: K6t qu6 thAm dfnh " * 4
    q = text_quality(ocr)
    assert q.vietnamese_share == 0
    assert not is_usable(q)


def test_genuine_foreign_words_are_neutral():
    """A reference list with Russian and English titles is still a Vietnamese page."""
    refs = "Москва Строительные нормы и правила; Fire safety engineering guidelines for smoke control. "
    q = text_quality(PLAN * 2 + refs * 3)
    assert q.foreign_words >= 20
    assert q.mixed_share == 0
    assert is_usable(q)


def test_acronyms_and_codes_are_not_evidence():
    q = text_quality("UBND GDĐT QĐ-UBND STEM CNTT 57-NQ/TW B2 m2 2030 km")
    assert q.judged == 0
    assert is_usable(q)


def test_unmapped_glyphs_are_rejected():
    text = PLAN + " ".join(f"(cid:{n})" for n in range(40))
    q = text_quality(text)
    assert q.unmapped_share > quality.MAX_UNMAPPED_SHARE
    assert not is_usable(q)


def test_decomposed_text_scores_like_composed():
    nfd = unicodedata.normalize("NFD", PLAN)
    q_nfd, q_nfc = text_quality(nfd), text_quality(PLAN)
    assert q_nfd.valid_share == q_nfc.valid_share
    assert q_nfd.combining_share > 0.1 and q_nfc.combining_share == 0


def test_short_texts_are_not_judged_on_syllables():
    assert is_usable(text_quality("Số: 1105/KH-ĐKT"))
    assert is_usable(text_quality(""))
    assert not is_usable(text_quality("thҫu ÿѫn vӏ thӵc hiӋn"))


def _strip_diacritics(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


# --- diacritics quality: the accented words alone --------------------------------------------

CLEAN = "Kế hoạch thực hiện chuyển đổi số trong ngành giáo dục, nâng cao chất lượng dạy học. " * 4


def test_diacritics_quality_of_clean_text_is_one():
    q = text_quality(CLEAN)
    # 15 accented words a sentence: Kế hoạch thực hiện chuyển đổi số ngành giáo dục nâng chất lượng dạy học
    # ("trong", "cao" are plain ASCII)
    assert q.accented_words == 4 * 15
    assert quality.diacritics_quality(q) == 1.0
    assert quality.diacritics_problem(q) is None


@pytest.mark.parametrize("damaged", [
    "ĐIỀ U KHO ẢN THI HÀNH ĐIỀ U KHO ẢN CHUYỂN TIẾ P",  # marks split off by spaces
    "KKẾẾ HHOOẠẠCCHH THỰỰCC HHIIỆỆNN",  # fake-bold doubling
])
def test_damaged_diacritics_lower_the_score_and_warn(damaged):
    q = text_quality((damaged + " ") * 5)
    assert quality.diacritics_quality(q) < quality.MIN_DIACRITICS_SHARE
    assert "low diacritics quality" in quality.diacritics_problem(q)


def test_diacritics_quality_needs_enough_accented_words():
    q = text_quality("Kế hoạch số 12")
    assert q.accented_words == 3  # Kế hoạch số
    assert quality.diacritics_quality(q) is None and quality.diacritics_problem(q) is None

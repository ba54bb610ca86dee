"""Is this extracted text Vietnamese, or a broken text layer?

A PDF can carry a text layer that is present but useless: fonts without a
Unicode map decode Vietnamese letters to Cyrillic or Latin-1 look-alikes
("thҫu", "ÿӏQK"), pdfminer prints "(cid:N)" for glyphs it cannot map, and a
hidden OCR layer made without Vietnamese support has no diacritics at all
("SO CONG ]'HTJONG"). "Is there text?" accepts all three. The score below asks
instead whether the words are Vietnamese syllables, which garbage almost never
is, while real text almost always is.

Which tokens count as evidence:

* A token that mixes scripts ("thҫu", "6Ӣ") is never a real word: evidence of
  garbage.
* A token written wholly in one foreign script ("Москва") is a genuine foreign
  word, e.g. a Russian title in a reference list: no evidence either way.
* All-caps ASCII ("STEM", "CNTT", "UBND"), words without a vowel ("GDĐT",
  "QĐ", "km") and codes with digits ("B2", "m2") are acronyms, units and
  numbers: no evidence either way.
* A word with a Vietnamese letter is judged by the syllable validator.
* A lower- or mixed-case ASCII word counts for Vietnamese when it is a
  syllable ("trong", "Ban"); when it is not, it is taken for an English word
  ("safety", "Guidelines" in a reference list), not as evidence of garbage:
  the OCR garbage made of ASCII ("gfri", "Thucrng") is caught by the missing
  Vietnamese letters instead.

Text stripped of its diacritics ("Ke hoach thuc hien") is made of valid
syllables, so it is not garbage by that test; it is rejected by the share of
tokens with a Vietnamese letter instead, because every later rule ("Kế
hoạch", "Đơn vị chủ trì") needs the diacritics.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

# --- the Vietnamese syllable, as data -----------------------------------------

ONSETS = (
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n",
    "ng", "ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x",
)

# Nucleus (vowel, diphthong) -> the codas it takes; "-" is "no coda".
# Semivowel codas (i y o u) are listed with the nuclei they follow.
NUCLEUS_CODAS = (
    ("a", "- c ch i m n ng nh o p t u y"),
    ("ă", "c m n ng p t"),
    ("â", "c m n ng p t u y"),
    ("e", "- c m n ng o p t"),
    ("ê", "- ch m n nh p t u"),
    ("i", "- ch m n nh p t u"),
    ("y", "-"),
    ("o", "- c i m n ng p t"),
    ("oo", "c ng"),
    ("ô", "- c i m n ng p t"),
    ("ơ", "- i m n p t"),
    ("u", "- c i m n ng p t"),
    ("ư", "- c i m n ng t u"),
    ("ia", "-"),
    ("iê", "c m n ng p t u"),
    ("yê", "c m n ng p t u"),
    ("ua", "-"),
    ("uô", "c i m n ng t"),
    ("ưa", "-"),
    ("ươ", "c i m n ng p t u"),
)

# Rhymes with a glide before the nucleus: "o" (hoa, hoặc, khoẻ), "u" (tuần,
# thuế, huyện, khuya, thuở). After "qu" the u is that glide already.
GLIDE_RHYMES = (
    ("oa", "- c ch i m n ng nh p t y"),
    ("oă", "c m n ng t"),
    ("oe", "- n o t"),
    ("uâ", "n ng t y"),
    ("uê", "- ch n nh"),
    ("uy", "- ch n nh t u"),
    ("uyê", "n t"),
    ("uya", "-"),
    ("uơ", "-"),
)

# Syllables closed by a stop take only the sắc or nặng tone.
STOP_CODAS = ("c", "ch", "p", "t")
STOP_TONES = ("\u0301", "\u0323")  # acute (sắc), dot below (nặng)

VOWELS = "aăâeêioôơuưy"
TONE_MARKS = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # huyền sắc hỏi ngã nặng


def _build_rhymes() -> dict[str, str]:
    """rhyme -> its coda ("" for open syllables)."""
    rhymes: dict[str, str] = {}
    for nucleus, codas in NUCLEUS_CODAS + GLIDE_RHYMES:
        for coda in codas.split():
            coda = "" if coda == "-" else coda
            rhymes[nucleus + coda] = coda
    return rhymes


def _build_letters() -> dict[str, tuple[str, str]]:
    """Every lowercase Vietnamese vowel letter -> (letter without tone, tone mark)."""
    letters = {}
    for vowel in VOWELS:
        for tone in ("",) + TONE_MARKS:
            letters[unicodedata.normalize("NFC", vowel + tone)] = (vowel, tone)
    return letters


RHYMES = _build_rhymes()
_TONED = _build_letters()
_ONSETS_LONGEST_FIRST = tuple(sorted(ONSETS, key=len, reverse=True))
# The letters of the Vietnamese alphabet that are not ASCII.
VIETNAMESE_LETTERS = frozenset(
    {c for c in _TONED if not c.isascii()} | {c.upper() for c in _TONED if not c.isascii()} | {"đ", "Đ"}
)
_VOWEL_LETTERS = frozenset(_TONED) | frozenset(c.upper() for c in _TONED)


def is_syllable(word: str) -> bool:
    """True when `word` (one token, any case) spells a Vietnamese syllable."""
    bare, tones = _strip_tones(word.lower())
    if bare is None or len(tones) > 1:
        return False
    tone = tones[0] if tones else ""
    for onset in _ONSETS_LONGEST_FIRST:
        if not bare.startswith(onset):
            continue
        rest = bare[len(onset):]
        # "qu" spells /kw/: its u is the glide, so a glide rhyme may follow too.
        for rhyme in (rest, "u" + rest) if onset == "qu" and rest else (rest,):
            if rhyme in RHYMES and _tone_fits(RHYMES[rhyme], tone):
                return True
    return False


def _strip_tones(word: str) -> tuple[str | None, list[str]]:
    """("hoạch" ->) ("hoach", [dot below]); None when a letter is not Vietnamese."""
    bare = []
    tones = []
    for ch in word:
        if ch in _TONED:
            vowel, tone = _TONED[ch]
            bare.append(vowel)
            if tone:
                tones.append(tone)
        elif ch == "đ" or ("a" <= ch <= "z"):
            bare.append(ch)
        else:
            return None, tones
    return "".join(bare), tones


def _tone_fits(coda: str, tone: str) -> bool:
    return coda not in STOP_CODAS or tone in STOP_TONES


# --- scoring a text ------------------------------------------------------------

# Letters and digits; punctuation, symbols and spaces separate tokens.
_TOKEN = re.compile(r"[^\W_]+")
# Combining diacritical mark blocks: left over when a text is not NFC.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_CID = "(cid:"
_REPLACEMENT = "\ufffd"

# Token classes
_SKIP, _NEUTRAL, _FOREIGN, _VALID, _INVALID = range(5)

# Below this many judged words a text is too short to call garbage on syllables alone.
MIN_JUDGED_WORDS = 20
# Measured: seeds and good PDFs 0.97-1.0 of judged words are syllables;
# broken text layers (KH 1105, QĐ 1050) 0.25-0.48 per page.
MIN_VALID_SHARE = 0.80
# Real Vietnamese: about 0.9 of judged words carry a Vietnamese letter (seeds
# 0.90-0.92); OCR without Vietnamese support and stripped diacritics: about 0.
MIN_VIETNAMESE_SHARE = 0.30
# Accented words that are valid syllables: seeds 0.99+ (measured); below this the
# diacritics are damaged enough that extractors miss words.
MIN_DIACRITICS_SHARE = 0.90
# "(cid:N)" and U+FFFD among all tokens: glyphs without a Unicode mapping.
MAX_UNMAPPED_SHARE = 0.05
# Mixed-script words among judged words: checked in texts too short for the
# syllable test, once they have at least MIN_MIXED_JUDGED judged words.
MAX_MIXED_SHARE = 0.10
MIN_MIXED_JUDGED = 3


@dataclass(frozen=True)
class TextQuality:
    """Measurements of one text; `is_usable` turns them into a verdict.

    Shares are over `judged` words (see the module docstring) unless said.
    """

    tokens: int  # letter/digit tokens of any kind
    judged: int  # tokens that are evidence for or against Vietnamese
    valid_share: float  # judged words that are Vietnamese syllables
    vietnamese_share: float  # judged words containing a Vietnamese letter
    mixed_share: float  # judged words mixing scripts ("thҫu"), all counted invalid
    foreign_letter_share: float  # of all letters: not Latin/Vietnamese (Cyrillic, Greek, ...)
    foreign_words: int  # neutral words in one foreign script, or ASCII non-syllables
    unmapped_share: float  # of all tokens: "(cid:N)" and U+FFFD
    combining_share: float  # of all letters: combining marks (text not NFC)
    accented_words: int = 0  # judged words carrying a Vietnamese letter (ă â đ ê ô ơ ư or a tone)
    diacritics_share: float = 0.0  # of those: valid syllables (see `diacritics_quality`)


def text_quality(text: str) -> TextQuality:
    """Score `text` (any normalization form) as Vietnamese."""
    combining = len(_COMBINING.findall(text))
    text = unicodedata.normalize("NFC", text)
    counts = Counter(_TOKEN.findall(text))
    tally = Counter()
    viet = viet_valid = mixed = letters = foreign_letters = 0
    for token, n in counts.items():
        kind, token_letters, token_foreign = _classify(token)
        tally[kind] += n
        letters += token_letters * n
        foreign_letters += token_foreign * n
        if kind in (_VALID, _INVALID):
            accented = any(ch in VIETNAMESE_LETTERS for ch in token)
            viet += n * accented
            viet_valid += n * (accented and kind == _VALID)
            mixed += n * (token_foreign > 0)
    judged = tally[_VALID] + tally[_INVALID]
    tokens = sum(counts.values())
    unmapped = text.count(_CID) + text.count(_REPLACEMENT)
    return TextQuality(
        tokens=tokens,
        judged=judged,
        valid_share=_share(tally[_VALID], judged),
        vietnamese_share=_share(viet, judged),
        mixed_share=_share(mixed, judged),
        foreign_letter_share=_share(foreign_letters, letters),
        foreign_words=tally[_FOREIGN],
        unmapped_share=_share(unmapped, tokens),
        combining_share=_share(combining, letters + combining),
        accented_words=viet,
        diacritics_share=_share(viet_valid, viet),
    )


def diacritics_quality(q: TextQuality) -> float | None:
    """Share of the accented words that are valid syllables; None when there are too few to judge.

    The damage that breaks later rules lands on the accented words: legacy font
    encodings ("KÕ ho¹ch"), marks split off by spaces ("ĐIỀ U"), doubled letters of
    fake-bold text. Plain ASCII words ("trong", "thực" stripped to "thuc") pass the
    syllable test whatever happened to the rest, and would dilute the score.
    """
    return round(q.diacritics_share, 3) if q.accented_words >= MIN_JUDGED_WORDS else None


def diacritics_problem(q: TextQuality) -> str | None:
    """A warning when the accented words are damaged; None when they are fine or too few."""
    score = diacritics_quality(q)
    if score is None or score >= MIN_DIACRITICS_SHARE:
        return None
    return f"low diacritics quality: {score:.2f} of accented words are valid Vietnamese syllables"


def is_usable(q: TextQuality) -> bool:
    """Would later stages get Vietnamese text out of this?"""
    return problem(q) is None


def problem(q: TextQuality) -> str | None:
    """Why the text is not usable, as a short clause; None when it is usable."""
    if q.unmapped_share > MAX_UNMAPPED_SHARE:
        return f"share of unmapped glyphs {q.unmapped_share:.2f}"
    if q.judged < MIN_JUDGED_WORDS:
        if q.judged >= MIN_MIXED_JUDGED and q.mixed_share > MAX_MIXED_SHARE:
            return f"share of mixed-script words {q.mixed_share:.2f}"
        return None
    if q.valid_share < MIN_VALID_SHARE:
        return f"share of valid Vietnamese syllables {q.valid_share:.2f}"
    if q.vietnamese_share < MIN_VIETNAMESE_SHARE:
        return f"share of words with Vietnamese letters {q.vietnamese_share:.2f}"
    return None


def _classify(token: str) -> tuple[int, int, int]:
    """(token class, letters in it, foreign letters in it)."""
    letters = [ch for ch in token if ch.isalpha()]
    if not letters:
        return _SKIP, 0, 0
    foreign = sum(1 for ch in letters if not ch.isascii() and ch not in VIETNAMESE_LETTERS)
    if foreign:
        one_script = foreign == len(letters) == len(token)
        return (_FOREIGN if one_script else _INVALID), len(letters), foreign
    if len(letters) < len(token) or not any(ch in _VOWEL_LETTERS for ch in letters):
        return _NEUTRAL, len(letters), 0  # codes with digits, acronyms without vowels
    if token.isascii():
        if token.isupper():
            return _NEUTRAL, len(letters), 0  # ASCII acronyms and unaccented capitals
        # "the", "safety": English (or other) words, not evidence of garbage
        return (_VALID if is_syllable(token) else _FOREIGN), len(letters), 0
    return (_VALID if is_syllable(token) else _INVALID), len(letters), 0


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0

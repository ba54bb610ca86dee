"""Numerals: Roman ones, as plans number their parts, groups and quarters (I … XXXIX, "Quý IV"),
and the digits a regex `\\d` matched, read as numbers."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

# I … XXXIX, as a regex fragment without groups
ROMAN = r"X{0,3}(?:IX|IV|V?I{1,3}|V)|X{1,3}"

_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_NUMERALS = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)


def roman_value(numeral: str) -> int:
    """ "XIV" -> 14 (upper or lower case)."""
    digits = [_VALUES[c] for c in numeral.upper()]
    return sum(-d if d < after else d for d, after in zip(digits, digits[1:] + [0]))


def to_roman(value: int) -> str:
    """14 -> "XIV"."""
    out = []
    for amount, numeral in _NUMERALS:
        count, value = divmod(value, amount)
        out.append(numeral * count)
    return "".join(out)


_DIGIT = regex.compile(r"\d")


def ascii_digits(text: str) -> str:
    """Every decimal digit as its ASCII digit ("٢٠٢٥" -> "2025"), so that int() and float() read
    what a regex `\\d` matched: the regex module knows the digits of newer Unicode versions than
    this Python does (U+16D70 …), and int() refuses those."""
    if text.isascii():
        return text
    return _DIGIT.sub(lambda m: str(_digit_value(m.group())), text)


def to_int(digits: str) -> int:
    """int() of digits a regex `\\d+` matched, whatever script they are in."""
    return int(ascii_digits(digits))


@lru_cache(maxsize=256)
def _digit_value(digit: str) -> int:
    value = unicodedata.decimal(digit, None)
    if value is not None:
        return value
    # newer than this Python: Unicode assigns decimal digits in runs of ten, 0 to 9, so a digit's
    # value is its distance from the start of its run of digits, modulo ten
    start = ord(digit)
    while start > 0 and _DIGIT.match(chr(start - 1)):
        start -= 1
    return (ord(digit) - start) % 10

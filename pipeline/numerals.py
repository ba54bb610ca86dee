"""Roman numerals, as plans number their parts, groups and quarters (I … XXXIX, "Quý IV")."""

from __future__ import annotations

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

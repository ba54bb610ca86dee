"""Shapes of a line of plan text, shared by normalization, segmentation and tables.

One definition each of "ends a sentence", "in capitals", "goes on in lower case",
"is a table row", so the stages agree on what a line looks like.
"""

from __future__ import annotations

import regex

SENTENCE_END = ".;:!?"
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
TO_SUPERSCRIPT = str.maketrans("0123456789", SUPERSCRIPT_DIGITS)
FROM_SUPERSCRIPT = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")

_ALL_CAPS = regex.compile(r"^[^\p{Ll}]*\p{Lu}[^\p{Ll}]*$")
_LOWER_START = regex.compile(r"^\p{Ll}")
_UPPER_START = regex.compile(r"^\p{Lu}")
# a piece wrapped after a glued "57-" or "28/KH-", going on with a capital or digit ("NQ/TW", "NĐ-CP")
_TIGHT_END = regex.compile(r"[\p{L}\p{N}][-/]$")
_TIGHT_START = regex.compile(r"^[\p{Lu}\p{N}]")


def ends_sentence(line: str) -> bool:
    """Ends with . ; : ! ? (closing brackets, quotes and bold markers aside)."""
    stripped = line.rstrip(" *)\"'")
    return bool(stripped) and stripped[-1] in SENTENCE_END


def is_all_caps(line: str) -> bool:
    return bool(_ALL_CAPS.match(line.strip()))


def starts_lower(line: str) -> bool:
    return bool(_LOWER_START.match(line))


def starts_upper(line: str) -> bool:
    return bool(_UPPER_START.match(line))


def is_table_row(line: str) -> bool:
    """Cells separated by tabs: the form loaders and text files give table rows."""
    return "\t" in line


def joins_tight(left: str, right: str) -> bool:
    """Does a line wrapped after `left` go on without a space ("105/2025/NĐ-" + "CP")?

    A layout breaks a line after the hyphen or slash of a citation or a date;
    putting the pieces back with a space would split "NĐ-CP" or "12/6/2025".
    """
    return bool(_TIGHT_END.search(left) and _TIGHT_START.match(right))


def join_wrapped(left: str, right: str) -> str:
    """Join two wrapped pieces: no space after a glued "57-" or "28/KH-", one space otherwise."""
    return left + ("" if joins_tight(left, right) else " ") + right

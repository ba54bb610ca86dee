"""Row numbers of tables: "1" above "1.1", "1.2" is a group row, not a row.

Shared by the delimited and the flattened parsers, so a plan's "1 / 1.1 … 1.8 /
2 / 2.1 …" numbering gives the same groups whichever shape the table reached us in.
"""

from __future__ import annotations

from typing import Sequence

import regex

from ..numerals import to_int

#: A row number alone in its cell or on its line: "1", "1.2", "3.".
ROW_NUMBER = regex.compile(r"^\d{1,3}(?:\.\d{1,3})*\.?$")


def has_children(seqs: Sequence[str]) -> list[bool]:
    """For each row number, whether the next one is its first child ("1" then "1.1")."""
    return [k + 1 < len(seqs) and bool(s) and seqs[k + 1].startswith(s.rstrip(".") + ".") for k, s in enumerate(seqs)]


def group_label(seq: str, title: str) -> str:
    """ "I" + "CÔNG TÁC CHỈ ĐẠO" -> "I. CÔNG TÁC CHỈ ĐẠO"; the label rows carry as their group."""
    return f"{seq.strip().rstrip('.')}. {title.strip()}".strip()


def is_child(seq: str, parent: str) -> bool:
    return seq.startswith(parent.rstrip(".") + ".")


def seq_tuple(seq: str) -> tuple[int, ...]:
    """ "4.2" -> (4, 2)."""
    return tuple(to_int(part) for part in seq.split("."))


def follows(prev: tuple[int, ...], seq: tuple[int, ...]) -> bool:
    """Can `seq` be the number after `prev`? 1.2 -> 1.3, 2, 1.2.1; 3 -> 4, 3.1."""
    if seq == prev + (1,):
        return True
    return any(seq == prev[:depth] + (prev[depth] + 1,) for depth in range(len(prev)))

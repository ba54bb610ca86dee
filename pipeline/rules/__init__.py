"""The rule files (YAML data next to this module), each parsed once.

Rules are data: citation patterns, unit names, deadline grammar, header
lexicon … live in one file each here, and every stage reads them through `load`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import regex
import yaml

RULES_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    """The parsed rules file `name` ("units.yaml")."""
    return yaml.safe_load((RULES_DIR / name).read_text(encoding="utf-8"))


def phrase_alternation(phrases) -> str:
    """A regex (source) matching any of the literal `phrases`: longest first, so "trong năm" wins
    over "trong"; any whitespace between words, so a phrase wrapped over a line still matches.
    The one way vocabulary lists of the rule files become patterns."""
    unique = sorted(set(phrases), key=len, reverse=True)
    return "|".join(r"\s+".join(regex.escape(word) for word in phrase.split()) for phrase in unique)

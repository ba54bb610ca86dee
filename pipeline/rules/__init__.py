"""The rule files (YAML data next to this module), each parsed once.

Rules are data: citation patterns, unit names, deadline grammar, header
lexicon … live in one file each here, and every stage reads them through `load`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

RULES_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    """The parsed rules file `name` ("units.yaml")."""
    return yaml.safe_load((RULES_DIR / name).read_text(encoding="utf-8"))

"""The published JSON contract: its schema, and validation of documents against it."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_NAME = "document.schema.json"


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads(resources.files("pipeline.schema").joinpath(SCHEMA_NAME).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


def validation_errors(data: dict[str, Any]) -> list[str]:
    """Every way `data` breaks the contract, as 'path: message' lines (empty when valid)."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors]


def check_offsets(data: dict[str, Any]) -> list[str]:
    """Offsets the schema cannot check: inside the text (or the footnote an item was read in),
    start <= end, for items and their provenance."""
    n = len(data["text"])
    notes = {f["label"]: len(f["text"]) for f in data.get("footnotes", [])}
    problems = []
    for key in ("sections", "citations", "indicators", "percentages", "deadlines", "units", "tasks"):
        for i, item in enumerate(data.get(key, [])):
            places = ([(str(i), item)] if "start" in item else []) + [
                (f"{i}/provenance/{j}", p) for j, p in enumerate(item.get("provenance", []))
            ]
            for where, place in places:
                limit = notes.get(place["footnote"], -1) if place.get("footnote") else n
                if not 0 <= place["start"] <= place["end"] <= limit:
                    problems.append(f"{key}/{where}: offsets {place['start']}..{place['end']} outside text of length {limit}")
    return problems

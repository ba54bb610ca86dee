"""Gold annotations: drafts made from the pipeline, and the checks every gold file passes.

A gold file (`annotations/gold/<plan>.json`) is a document in the contract's shape plus a
`review` block that says how it was made. Gold starts as a pipeline draft (`draft_gold`), which
is useful only because a reader then checks every item against the text, fixes, removes and adds
items, and records what changed; `gold_problems` refuses a file whose spans do not hold the text
they claim, and the evaluation (`pipeline.evaluate`) refuses gold that was never reviewed.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Iterator

from .contract import check_offsets, validation_errors

GOLD_KINDS = ("sections", "tables", "citations", "indicators", "percentages", "deadlines", "units", "tasks")
REVIEW_STATUSES = ("draft", "reviewed")
# Items whose `text` is the span's own words (whitespace aside: a span may cross a line break).
VERBATIM_KINDS = ("citations", "percentages", "deadlines")


def draft_gold(path: str | Path, source: str | None = None) -> dict[str, Any]:
    """The pipeline's reading of `path` as a gold draft: every item still to be checked by a reader."""
    from .extract import extract_document

    data = extract_document(path).to_json()
    data["document"]["source"] = source or str(path)
    data["warnings"] = []
    data["review"] = {
        "status": "draft",
        "source": source or str(path),
        "drafted_from": "kehoach extract",
        "drafted": dt.date.today().isoformat(),
        "method": "",
        "changes": [],
        "notes": [],
    }
    return data


def read_gold(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def gold_files(folder: Path) -> list[Path]:
    """The gold documents of a folder (`annotations/` or `annotations/gold/`)."""
    folder = Path(folder)
    if (folder / "gold").is_dir():
        folder = folder / "gold"
    return sorted(folder.glob("*.json"))


def gold_problems(data: dict[str, Any]) -> list[str]:
    """Everything wrong with a gold document: contract, offsets, spans, review block."""
    problems = validation_errors(data) + check_offsets(data)
    problems += _review_problems(data.get("review"))
    if not problems:  # spans can be read only when offsets are sane
        problems += list(_span_text_problems(data))
    return problems


def _review_problems(review: Any) -> list[str]:
    if not isinstance(review, dict):
        return ["review: missing (say how the gold was made and checked)"]
    problems = []
    if review.get("status") not in REVIEW_STATUSES:
        problems.append(f"review/status: {review.get('status')!r} is not one of {', '.join(REVIEW_STATUSES)}")
    if review.get("status") == "reviewed" and not review.get("method"):
        problems.append("review/method: a reviewed file says how it was checked")
    return problems


def _span_text_problems(data: dict[str, Any]) -> Iterator[str]:
    text = data["text"]
    notes = {f["label"]: f["text"] for f in data.get("footnotes", [])}
    for kind in VERBATIM_KINDS:
        for i, item in enumerate(data.get(kind, [])):
            source = notes.get(item.get("footnote"), text) if item.get("footnote") else text
            found = source[item["start"]:item["end"]]
            if _squeezed(found) != _squeezed(item["text"]):
                yield f"{kind}/{i}: text {item['text']!r} but the span holds {found!r}"
    for i, section in enumerate(data.get("sections", [])):
        heading = section.get("heading")
        if heading and _squeezed(heading) not in _squeezed(text[section["start"]:section["end"]]):
            yield f"sections/{i}: heading {heading[:60]!r} is not inside the section's span"


def _squeezed(text: str) -> str:
    return " ".join(text.split())

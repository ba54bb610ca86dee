"""Labelled lines for the line-role classifier (annotations/line_roles/): how they are made.

Two sources, one file per document:

* **the seeds, rendered and read back**: each seed's reviewed normalized text
  (annotations/gold/<seed>.json) is drawn into a PDF the way a real plan prints (tests/render.py:
  wrapped paragraphs, ruled tables with their header row repeated, a running header from page 2,
  page numbers, footnotes at the foot of the page whose text carries the marker) and loaded again.
  Labels come by construction (the running header, the page numbers and the footnotes are known
  to the renderer) and from the gold: each raw line is found again in the gold text, and the
  paragraph it falls in gives its role (`line_roles.paragraph_roles`: sections, tables) and
  whether it opens that paragraph;
* **real PDFs**, proposed by `propose` (what the rules make of each line today) and then read and
  corrected line by line by hand; their files say so in their header and are never regenerated.

    python -m pipeline.line_roles_data --make-data             # the seed files, again
    python -m pipeline.line_roles_data --propose FILE.pdf      # a draft for a real PDF (to check by hand)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .line_roles import (
    DATA_DIR, LabelledLine, paragraph_roles, squash, traced_labels, write_data,
)
from .load import load
from .load.base import LoadedText
from .normalize import clean_line, split_lines
from .segment import paragraphs_of

ROOT = Path(__file__).resolve().parents[1]
GOLD_DIR = ROOT / "annotations" / "gold"


@dataclass(frozen=True)
class Printing:
    """How one seed is printed: its running header (None: page numbers only)."""

    running_header: str | None


# Running headers as plans print them (issuer or plan name, a draft mark); one seed without.
PRINTINGS = {
    "000_9508be608a1dd824": Printing("Kế hoạch chuyển đổi số ngành giáo dục xã Tân Kỳ"),
    "001_d20840b66d28b3f5": Printing(None),
    "002_972056788dbd10e4": Printing("DỰ THẢO - Kế hoạch của Sở Giáo dục và Đào tạo"),
    "003_aa9e29c94280bf41": Printing("Phòng Giáo dục và Đào tạo huyện Cát Hải"),
    "004_a9d6e94571fd01cb": Printing("Kế hoạch thực hiện Nghị quyết số 57-NQ/TW"),
}
_WINDOW = 400  # squashed characters a line may be found ahead of the last one


# --------------------------------------------------------------------------
# Seeds
# --------------------------------------------------------------------------


def seed_lines(gold_file: Path, pdf: Path) -> tuple[list[LabelledLine], dict]:
    """The rendered seed's raw lines, each with its role and whether it opens its block."""
    from tests.render import render_pdf  # the test suite's renderer: the data is made in a checkout

    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    name = gold_file.stem
    printing = PRINTINGS.get(name, Printing("Kế hoạch của Ủy ban nhân dân"))
    notes = {f["label"]: f["text"] for f in gold["footnotes"]}
    render_pdf(gold["text"].split("\n"), pdf, running_header=printing.running_header, footnotes=notes)
    raw = split_lines(load(pdf))
    roles = paragraph_roles(gold["text"], gold["sections"], gold["tables"])
    labels, unmatched = label_rendered(raw, gold["text"], roles, gold["tables"], notes, printing.running_header)
    lines = [LabelledLine(name, ln.page, i, ln.text, *(labels[i] or (None, True))) for i, ln in enumerate(raw)]
    review = gold.get("review", {})
    meta = {
        "doc": name,
        "format": "pdf",
        "source": f"corpus/{gold['document']['source'].rsplit('/', 1)[-1]} rendered by tests/render.py",
        "gold": f"annotations/gold/{gold_file.name}",
        "gold_status": review.get("status"),
        "labels": "by construction (running header, page numbers, footnotes drawn by the renderer) and from the gold "
                  "(sections, tables, footnotes), each raw line found again in the gold text",
        "running_header": printing.running_header,
        "unmatched": unmatched,
        "hand_checked": False,
        "made": dt.date.today().isoformat(),
    }
    return lines, meta


def label_rendered(raw: Sequence, text: str, roles: Sequence[str], tables: Sequence[dict], notes: dict[str, str],
                   header: str | None) -> tuple[list[tuple[str, bool] | None], int]:
    """(role, start) of each raw line of a rendered gold text, and how many could not be placed.

    Furniture and footnotes by construction: the running header and the page number are the
    first lines of their page, footnotes the last; every other line is found in the gold text,
    in order, ahead of the line before (a table's header row repeated on a new page is found
    behind, inside its table)."""
    squashed, offsets = _squash_map(text)
    paras = paragraphs_of(text)
    first = {}
    for k, p in enumerate(paras):
        lead = len(p.text) - len(p.text.lstrip())
        if p.text.strip():
            first[_sq_index(offsets, p.start + lead)] = k
    para_at = _para_index(paras)
    labels: list[tuple[str, bool] | None] = [None] * len(raw)
    unmatched = 0
    cursor = 0
    for page_lines in _pages(raw):
        body = _furniture(page_lines, raw, header, labels)
        body = _footnotes(body, raw, notes, labels)
        for i in body:
            s = squash(clean_line(raw[i].text))
            at = squashed.find(s, cursor, cursor + _WINDOW + len(s)) if s else -1
            if at >= 0:
                k = para_at(offsets[at])
                labels[i] = (roles[k], first.get(at) == k or roles[k] == "table")
                cursor = at + len(s)
                continue
            if _in_table_behind(s, squashed, offsets, cursor, tables):
                labels[i] = ("table", True)
                continue
            unmatched += 1
    return labels, unmatched


def _squash_map(text: str) -> tuple[str, list[int]]:
    """The squashed text and, for each of its characters, its offset in `text`."""
    chars, offsets = [], []
    for i, ch in enumerate(text):
        if not ch.isspace():
            chars.append(ch)
            offsets.append(i)
    return squash("".join(chars)), offsets


def _sq_index(offsets: list[int], offset: int) -> int:
    import bisect

    return bisect.bisect_left(offsets, offset)


def _para_index(paras):
    import bisect

    starts = [p.start for p in paras]
    return lambda offset: bisect.bisect_right(starts, offset) - 1


def _pages(raw: Sequence) -> list[list[int]]:
    pages: dict = {}
    for i, ln in enumerate(raw):
        if ln.text.strip():
            pages.setdefault(ln.page, []).append(i)
    return list(pages.values())


def _furniture(idx: list[int], raw: Sequence, header: str | None, labels: list) -> list[int]:
    """The renderer draws the running header and the page number before the page's text."""
    rest = list(idx)
    while rest[:1] and raw[rest[0]].text.strip() in {header, str(raw[rest[0]].page)} and len(idx) - len(rest) < 2:
        labels[rest.pop(0)] = ("furniture", True)
    return rest


def _footnotes(idx: list[int], raw: Sequence, notes: dict[str, str], labels: list) -> list[int]:
    """The renderer draws a page's footnotes after its text: from the end, the lines that are
    part of a note ("label + text"); a note opens at its label (alone on a line or before its text)."""
    if not notes:
        return idx
    texts = [squash(label + text) for label, text in notes.items()]
    rest = list(idx)
    while rest:
        s = squash(clean_line(raw[rest[-1]].text))
        if not s or not any(s in t for t in texts):
            break
        i = rest.pop()
        labels[i] = ("footnote", s in notes or any(t.startswith(s) for t in texts))
    return rest


def _in_table_behind(s: str, squashed: str, offsets: list[int], cursor: int, tables: Sequence[dict]) -> bool:
    if not s:
        return False
    for t in tables:
        lo, hi = _sq_index(offsets, t["start"]), _sq_index(offsets, t["end"])
        if lo <= cursor <= hi + _WINDOW and squashed.find(s, lo, cursor) >= 0:
            return True
    return False


def make_training_data(out_dir: Path = DATA_DIR, gold_dir: Path = GOLD_DIR, seeds: Sequence[str] | None = None) -> list[Path]:
    """Render every seed with gold (or the named ones), label its lines, write <seed>.jsonl."""
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for gold_file in sorted(gold_dir.glob("*.json")):
            if seeds and gold_file.stem not in seeds and gold_file.stem[:3] not in seeds:
                continue
            lines, meta = seed_lines(gold_file, Path(tmp) / f"{gold_file.stem}.pdf")
            path = out_dir / f"{gold_file.stem}.jsonl"
            write_data(path, meta, lines)
            written.append(path)
    return written


# --------------------------------------------------------------------------
# Real PDFs: a proposal to check by hand
# --------------------------------------------------------------------------


def propose(pdf: Path, out: Path, loaded: LoadedText | None = None) -> Path:
    """What the rules make of each line of `pdf` (as `loaded`, when the default loading will not
    do), as a draft data file (hand_checked: false)."""
    loaded = loaded or load(pdf)
    labels, _ = traced_labels(loaded)
    raw = split_lines(loaded)
    name = pdf.stem
    lines = [LabelledLine(name, ln.page, i, ln.text, *(labels[i] or (None, True))) for i, ln in enumerate(raw)]
    meta = {
        "doc": name, "format": "pdf", "source": f"/work/shared/realdocs/{pdf.name}",
        "labels": "proposed by pipeline.line_roles_data.propose (the rules), to be checked by hand line by line",
        "hand_checked": False, "made": dt.date.today().isoformat(),
    }
    write_data(out, meta, lines)
    return out


def main(argv: Sequence[str] | None = None) -> None:  # pragma: no cover - a maintenance entry
    parser = argparse.ArgumentParser(prog="python -m pipeline.line_roles_data", description=__doc__.split("\n")[0])
    parser.add_argument("--make-data", action="store_true", help="render and label the seeds again")
    parser.add_argument("--seed", action="append", help="only this seed (e.g. 001); repeat for several")
    parser.add_argument("--propose", type=Path, help="write a draft for this PDF (to check by hand)")
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    if args.make_data:
        for path in make_training_data(args.out, seeds=args.seed):
            print(path)
    if args.propose:
        print(propose(args.propose, args.out / f"{args.propose.stem}.draft.jsonl"))


if __name__ == "__main__":  # pragma: no cover
    main()

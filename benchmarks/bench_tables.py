"""How fast tables are rebuilt, per shape (not a test; run by hand).

    .venv/bin/python benchmarks/bench_tables.py [--repeat N]

Prints tables per second and rows per second of the table stage for the three
shapes, each beside a yardstick measured in the same run on the same input:

  delimited  seed 000 (tab-separated rows)     yardstick: normalize + segment of that text
  flattened  seeds 002, 003, 004, rules path   yardstick: normalize + segment of that text
             and the trained model path when models/table_fragments.joblib is there
  ruled PDF  seed 000 rendered with ruled      yardstick: bare pdfplumber `find_tables()` +
             tables, and QĐ 1696 (realdocs)    `extract()` over every page of the file;
                                               timed: `pipeline.load.load` (finds and
                                               splices tables) + the delimited parser

A ratio above 1 means the table stage is faster than its yardstick.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pdfplumber  # noqa: E402

from pipeline.load import load  # noqa: E402
from pipeline.normalize import normalize  # noqa: E402
from pipeline.segment import segment  # noqa: E402
from pipeline.tables.classifier import RuleScorer, load_model  # noqa: E402
from pipeline.tables.delimited import find_delimited_tables  # noqa: E402
from pipeline.tables.flattened import find_flattened_tables  # noqa: E402
from tests.render import render_pdf  # noqa: E402
from timing import best_of  # noqa: E402

CORPUS = ROOT / "corpus"
REALDOCS = ROOT.parent / "shared" / "realdocs"
RULED_REALDOCS = ("laocai-ubnd_QD-1696-QD-UBND_2026-05-15.pdf",)


def text_rows(repeat: int) -> list[tuple]:
    rows = []
    model = load_model()
    cases = [("delimited", "000", find_delimited_tables, None)]
    for seed in ("002", "003", "004"):
        cases.append(("flattened rules", seed, find_flattened_tables, RuleScorer()))
        if model is not None:
            cases.append(("flattened model", seed, find_flattened_tables, model))
    for shape, seed, finder, scorer in cases:
        path = next(CORPUS.glob(f"{seed}_*.txt"))
        loaded = load(path)
        yard, (norm, sections) = best_of(repeat, lambda: _normalize_segment(loaded))
        kwargs = {"scorer": scorer} if scorer is not None else {}
        took, tables = best_of(repeat, lambda: finder(norm.text, sections, norm.page_at, **kwargs))
        rows.append((shape, path.name[:12], tables, took, "normalize+segment", yard))
    return rows


def _normalize_segment(loaded):
    norm = normalize(loaded)
    return norm, segment(norm.text)


def pdf_rows(repeat: int, tmp: Path) -> list[tuple]:
    pdf = render_pdf((CORPUS / "000_9508be608a1dd824.txt").read_text(encoding="utf-8"), tmp / "000.pdf", tables=True)
    files = [pdf] + [REALDOCS / n for n in RULED_REALDOCS if (REALDOCS / n).exists()]
    rows = []
    for path in files:
        yard, _ = best_of(repeat, lambda: _bare_pdfplumber_tables(path))
        took, tables = best_of(repeat, lambda: _pipeline_pdf_tables(path))
        rows.append(("ruled PDF", path.name[:12], tables, took, "pdfplumber tables", yard))
    return rows


def _bare_pdfplumber_tables(path: Path) -> int:
    with pdfplumber.open(path) as pdf:
        return sum(len(t.extract()) for page in pdf.pages for t in page.find_tables())


def _pipeline_pdf_tables(path: Path):
    norm = normalize(load(path))
    return find_delimited_tables(norm.text, segment(norm.text), norm.page_at)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per case; the best counts")
    args = parser.parse_args()
    rows = text_rows(args.repeat)
    with tempfile.TemporaryDirectory(prefix="bench_tables_") as tmp:
        rows += pdf_rows(max(1, args.repeat // 2), Path(tmp))
    print(f"{'shape':<16}{'file':<14}{'tables':>7}{'rows':>6}{'ms':>9}{'tables/s':>10}{'rows/s':>10}  {'yardstick':<18}{'ms':>9}{'ratio':>7}")
    for shape, name, tables, took, yard_name, yard in rows:
        n_rows = sum(len(t.rows) for t in tables)
        print(
            f"{shape:<16}{name:<14}{len(tables):>7}{n_rows:>6}{took * 1000:>9.1f}{len(tables) / took:>10.1f}"
            f"{n_rows / took:>10.0f}  {yard_name:<18}{yard * 1000:>9.1f}{yard / took:>7.2f}"
        )


if __name__ == "__main__":
    main()

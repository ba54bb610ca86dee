"""How fast PDFs are read, against bare pdfplumber (not a test; run by hand).

    .venv/bin/python benchmarks/bench_load.py [--repeat N] [--min-pages N]

Renders seed plans 000 and 004 to PDFs of at least --min-pages pages (repeating
the text when needed), adds the good real PDFs from ../shared/realdocs when
present, and prints pages per second for:

  (a) pdfplumber    bare `page.extract_text()` over all pages: the yardstick
  (b) load          `pipeline.load.load(path)`
  (c) extract       `pipeline.extract.extract_document(path)`: load, normalize,
                    segment and the rest, when that module imports

The acceptance target is (c) no slower than (a), i.e. a ratio >= 1.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pdfplumber  # noqa: E402
import pypdfium2 as pdfium  # noqa: E402

from pipeline.load import load  # noqa: E402
from tests.render import render_pdf  # noqa: E402
from timing import best_of  # noqa: E402

SEEDS = ("000_9508be608a1dd824.txt", "004_a9d6e94571fd01cb.txt")
CORPUS_DIRS = (ROOT / "corpus", ROOT.parent / "shared" / "corpus")
REALDOCS = ROOT.parent / "shared" / "realdocs"
GOOD_REALDOCS = ("laocai-ubnd_QD-1696-QD-UBND_2026-05-15.pdf", "bxd_QD-1074-QD-BXD-tai-lieu-kem-theo_2026-06-29.pdf")
MAX_COPIES = 10  # of a seed's text, to reach --min-pages


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory(prefix="bench_load_") as tmp:
        pdfs = [_render_seed(name, Path(tmp), args.min_pages) for name in SEEDS]
        pdfs += [REALDOCS / name for name in GOOD_REALDOCS if (REALDOCS / name).exists()]
        readers = _readers()
        rows = [_measure(pdf, readers, args.repeat) for pdf in pdfs]
    _print_table(rows, list(readers))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per reader and file; the best counts")
    parser.add_argument("--min-pages", type=int, default=20, help="pages each rendered seed must reach")
    return parser.parse_args()


def _render_seed(name: str, tmp: Path, min_pages: int) -> Path:
    """Render a seed plan, repeating its text until the PDF has `min_pages` pages."""
    source = next((d / name for d in CORPUS_DIRS if (d / name).exists()), None)
    if source is None:
        sys.exit(f"seed {name} not found in {', '.join(map(str, CORPUS_DIRS))}")
    lines = source.read_text(encoding="utf-8").splitlines()
    for copies in range(1, MAX_COPIES + 1):
        out = render_pdf(lines * copies, tmp / f"{source.stem}_x{copies}.pdf")
        if _page_count(out) >= min_pages:
            return out
    return out


def _page_count(path: Path) -> int:
    doc = pdfium.PdfDocument(str(path))
    try:
        return len(doc)
    finally:
        doc.close()


def _readers() -> dict[str, Callable[[Path], object]]:
    readers: dict[str, Callable[[Path], object]] = {"pdfplumber": _bare_pdfplumber, "load": load}
    try:
        from pipeline.extract import extract_document
    except ImportError as exc:
        print(f"(c) skipped: pipeline.extract does not import ({exc})")
    else:
        readers["extract"] = extract_document
    return readers


def _bare_pdfplumber(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def _measure(pdf: Path, readers: dict[str, Callable[[Path], object]], repeat: int) -> tuple[str, int, dict[str, float]]:
    """(file name, pages, reader -> best seconds)."""
    seconds = {name: best_of(repeat, lambda read=read: read(pdf))[0] for name, read in readers.items()}
    return pdf.name, _page_count(pdf), seconds


def _print_table(rows: list[tuple[str, int, dict[str, float]]], names: list[str]) -> None:
    """One line per file and reader: seconds, pages/s, speed relative to bare pdfplumber."""
    print(f"{'file':<44} {'pages':>5} {'reader':<11} {'seconds':>8} {'pages/s':>8} {'x pdfplumber':>13}")
    for name, pages, seconds in rows:
        base = seconds["pdfplumber"]
        for reader in names:
            s = seconds[reader]
            print(f"{name[:44]:<44} {pages:>5} {reader:<11} {s:>8.3f} {pages / s:>8.1f} {base / s:>13.1f}")


if __name__ == "__main__":
    main()

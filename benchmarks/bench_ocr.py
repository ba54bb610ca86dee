"""How fast scanned pages are read by OCR (not a test; run by hand).

    .venv/bin/python benchmarks/bench_ocr.py [--repeat N] [--scan-dpi D]

Renders seed 003 to a PDF, makes a scan of it (each page a grey image at
--scan-dpi, as tests/test_ocr.py does), adds the real scans from
../shared/realdocs when present, and prints seconds per page of
`pipeline.load.pdf.load_pdf` with one Tesseract at a time and with one per
core, and with Tesseract's own threads (OpenMP) left on, which the loader
turns off.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pypdfium2 as pdfium  # noqa: E402

from pipeline.load.ocr import OcrSettings  # noqa: E402
from pipeline.load.pdf import PdfSettings, load_pdf  # noqa: E402
from tests.render import render_pdf  # noqa: E402
from timing import best_of  # noqa: E402

SEED = ROOT / "corpus" / "003_aa9e29c94280bf41.txt"
REALDOCS = ROOT.parent / "shared" / "realdocs"
REAL_SCANS = ("bct-cuchoachat_CV-813-HC-CNHC_2026-04-22_scan.pdf",
              "laocai-sct_PhieuTrinh-nonumber-PANM-NgoiNhu1A_2026-05-20_scan-badocr.pdf")


def main() -> None:
    args = _arguments()
    cores = os.cpu_count() or 1
    configurations = {
        "1 page at a time": OcrSettings(workers=1),
        f"{cores} pages at a time": OcrSettings(workers=cores),
        "1 page, OpenMP threads": OcrSettings(workers=1, threads=cores),
    }
    with tempfile.TemporaryDirectory(prefix="bench_ocr_") as tmp:
        pdfs = [_scan(render_pdf(SEED.read_text(encoding="utf-8"), Path(tmp) / "003.pdf"), args.scan_dpi)]
        pdfs += [REALDOCS / name for name in REAL_SCANS if (REALDOCS / name).exists()]
        print(f"{'file':<48} {'pages':>5}  " + "  ".join(f"{name:>24}" for name in configurations))
        for pdf in pdfs:
            cells = []
            for ocr in configurations.values():
                seconds, loaded = best_of(args.repeat, lambda: load_pdf(pdf, PdfSettings(ocr=ocr)))
                cells.append(f"{seconds / loaded.page_count:>20.2f} s/p")
            print(f"{pdf.name[:48]:<48} {loaded.page_count:>5}  " + "  ".join(cells))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per configuration and file; the best counts")
    parser.add_argument("--scan-dpi", type=int, default=200, help="resolution of the made-up scan")
    return parser.parse_args()


def _scan(pdf: Path, dpi: int) -> Path:
    """An image-only copy of `pdf`: one grey image per page."""
    doc = pdfium.PdfDocument(str(pdf))
    images = [doc[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(doc))]
    doc.close()
    out = pdf.with_name(pdf.stem + "_scan.pdf")
    images[0].save(out, save_all=True, append_images=images[1:], resolution=dpi)
    return out


if __name__ == "__main__":
    main()

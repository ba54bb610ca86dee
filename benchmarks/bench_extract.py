"""How fast the extractor stack runs over the corpus (not a test; run by hand).

    .venv/bin/python benchmarks/bench_extract.py [--repeat N] [FILES …]

For every plan (default: corpus/*.txt) the earlier stages run (load, normalize,
segment, tables; best of N: the yardstick), then the whole extractor stack (one
spaCy pipeline, pipeline/extractors/nlp.py) runs once cold and N times warm.
Cold is what a batch of new plans costs: the unit component sends the
sentences its rules leave open to underthesea once each (cached by sentence
text), so later runs over the same plan are cheaper; the models and
underthesea itself are loaded before any timing. Prints characters per second
and documents per second of the stack (cold and warm), the share of the cold
time per component (the tokenizer included), and the ratio to the yardstick
measured in the same run on the same files: above 1 means extraction is faster
than reading the plan up to its tables.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.extract import find_tables  # noqa: E402
from pipeline.extractors.nlp import run_extractors  # noqa: E402
from pipeline.load import load  # noqa: E402
from pipeline.normalize import normalize  # noqa: E402
from pipeline.segment import segment  # noqa: E402
from timing import best_of  # noqa: E402


def read_up_to_tables(path: Path):
    norm = normalize(load(path))
    sections = segment(norm.text)
    return norm, sections, find_tables(norm.text, sections, norm.page_at)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="plans to run on (default: corpus/*.txt)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per file; the best counts")
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "corpus").glob("*.txt"))
    run_extractors("Sở Giáo dục và Đào tạo chủ trì, phối hợp với các đơn vị.", [], [])  # load models first
    _warm_underthesea()
    chars = items = 0
    cold = warm = yard = 0.0
    shares: Counter[str] = Counter()
    print(f"{'file':<28}{'chars':>8}{'items':>7}{'cold ms':>9}{'warm ms':>9}{'read ms':>9}")
    for path in files:
        read, (norm, sections, tables) = best_of(args.repeat, lambda: read_up_to_tables(path))
        job = lambda: run_extractors(norm.text, sections, tables, norm.page_at, footnotes=norm.footnotes)  # noqa: E731
        first, result = best_of(1, job)
        again, _ = best_of(args.repeat, job)
        shares.update(result.seconds)
        n_items = sum(len(v) for v in result.items.values())
        chars, items, cold, warm, yard = chars + len(norm.text), items + n_items, cold + first, warm + again, yard + read
        print(f"{path.name[:27]:<28}{len(norm.text):>8}{n_items:>7}{first * 1000:>9.1f}{again * 1000:>9.1f}{read * 1000:>9.1f}")
    print(f"\nextractor stack, cold: {chars / cold:,.0f} chars/s, {len(files) / cold:.1f} docs/s, {items} items"
          f" | warm: {chars / warm:,.0f} chars/s, {len(files) / warm:.1f} docs/s")
    print(f"yardstick load..tables: {chars / yard:,.0f} chars/s; ratio yardstick/stack: cold {yard / cold:.2f},"
          f" warm {yard / warm:.2f}")
    total = sum(shares.values())
    print("share of the cold time per component:")
    for name, seconds in shares.most_common():
        print(f"  {name:<24}{100 * seconds / total:6.1f}%")


def _warm_underthesea() -> None:
    try:
        from underthesea import ner
    except ImportError:
        return
    ner("Sở Giáo dục và Đào tạo chủ trì.")

if __name__ == "__main__":
    main()

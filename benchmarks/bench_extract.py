"""How fast the extractor stack runs over the corpus (not a test; run by hand).

    .venv/bin/python benchmarks/bench_extract.py [--repeat N] [FILES …]

For every plan (default: corpus/*.txt) the earlier stages run once (load,
normalize, segment, tables); then the whole extractor stack (one spaCy pipeline,
pipeline/extractors/nlp.py) runs N times and the best run counts. Prints
characters per second and documents per second of the stack, the share of its
time per component (the tokenizer included), and, as a yardstick measured in
the same run on the same files, the earlier stages' own time: a ratio above 1
means extraction is faster than reading the plan up to its tables.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.extractors.nlp import COMPONENTS, make_nlp, run_extractors  # noqa: E402
from pipeline.load import load  # noqa: E402
from pipeline.normalize import normalize  # noqa: E402
from pipeline.segment import segment  # noqa: E402
from pipeline.tables.delimited import find_delimited_tables  # noqa: E402
from pipeline.tables.flattened import find_flattened_tables  # noqa: E402


def read_up_to_tables(path: Path):
    norm = normalize(load(path))
    sections = segment(norm.text)
    tables = find_delimited_tables(norm.text, sections, norm.page_at)
    tables += find_flattened_tables(norm.text, sections, norm.page_at, start_id=len(tables) + 1)
    return norm, sections, tables


def best_time(repeat: int, job) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = job()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="plans to run on (default: corpus/*.txt)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per file; the best counts")
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "corpus").glob("*.txt"))
    make_nlp(COMPONENTS)  # build the pipeline (and load models) outside the timing
    chars = items = 0
    stack = yard = 0.0
    shares: Counter[str] = Counter()
    print(f"{'file':<28}{'chars':>8}{'items':>7}{'stack ms':>10}{'read ms':>9}")
    for path in files:
        read, (norm, sections, tables) = best_time(args.repeat, lambda: read_up_to_tables(path))
        run_extractors(norm.text, sections, tables, norm.page_at)  # warm caches (per-sentence NLP, patterns)
        took, result = best_time(args.repeat, lambda: run_extractors(norm.text, sections, tables, norm.page_at))
        shares.update(result.seconds)
        n_items = sum(len(v) for v in result.items.values())
        chars, items, stack, yard = chars + len(norm.text), items + n_items, stack + took, yard + read
        print(f"{path.name[:27]:<28}{len(norm.text):>8}{n_items:>7}{took * 1000:>10.1f}{read * 1000:>9.1f}")
    print(f"\nextractor stack: {chars / stack:,.0f} chars/s, {len(files) / stack:.1f} docs/s, {items} items"
          f" | yardstick load..tables: {chars / yard:,.0f} chars/s, ratio {yard / stack:.2f}")
    total = sum(shares.values())
    print("time share per component:")
    for name, seconds in shares.most_common():
        print(f"  {name:<24}{100 * seconds / total:6.1f}%")


if __name__ == "__main__":
    main()

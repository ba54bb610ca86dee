"""How assign_concepts scales with a batch of plans that copy each other (not a test; run by hand).

    .venv/bin/python benchmarks/bench_concepts.py [--copies N] [--repeat R] [FILES …]

The indicators of the seed plans (default: corpus/*.txt, read once) are copied under new
document ids, as many times as asked: a copy is every seed plan again, so a batch has many
plans and few distinct names, as real batches do (plans restate each other's indicators).
assign_concepts (with the mapping file) runs on 50 copies, the baseline, and on N (default
500), after a warm-up run that loads underthesea and fills the word-segment cache. Prints, for
each batch: indicators, distinct names, seconds (best of R), indicators per second, and the peak
of traced allocations (tracemalloc: Python and numpy/scipy buffers) in a separate, untimed run;
then the ratio of N copies' per-indicator throughput to the baseline's, measured in the same
run: 1 means the cost grows linearly with the indicators, below 1 worse than linearly.
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.extract import extract_document  # noqa: E402
from pipeline.link.concepts import IndicatorRef, assign_concepts, indicator_refs, name_key  # noqa: E402
from timing import best_of  # noqa: E402

BASELINE = 50


def copies(refs: list[IndicatorRef], n: int) -> list[IndicatorRef]:
    """`refs` n times, copy k of a plan under the id "<plan>#k"."""
    return [IndicatorRef(f"{r.document_id}#{k}", r.indicator_id, r.name, r.unit) for k in range(n) for r in refs]


def peak_mib(job) -> float:
    tracemalloc.start()
    try:
        job()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="plans whose indicators are copied (default: corpus/*.txt)")
    parser.add_argument("--copies", type=int, default=500, help="copies in the measured batch")
    parser.add_argument("--repeat", type=int, default=3, help="runs per batch; the best counts")
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "corpus").glob("*.txt"))
    seed = indicator_refs(extract_document(path) for path in files)
    plans = len({r.document_id for r in seed})
    print(f"{len(files)} files, {plans} plans with indicators, {len(seed)} indicators, "
          f"{len({name_key(r.name) for r in seed})} distinct names")
    assign_concepts(seed)  # warm-up: underthesea loaded, segments cached
    print(f"{'copies':>7}{'plans':>8}{'indicators':>12}{'names':>7}{'seconds':>10}{'ind/s':>10}{'peak MiB':>10}")
    throughput = {}
    for n in dict.fromkeys((BASELINE, args.copies)):
        refs = copies(seed, n)
        seconds, _ = best_of(args.repeat, lambda: assign_concepts(refs))
        peak = peak_mib(lambda: assign_concepts(refs))
        throughput[n] = len(refs) / seconds
        print(f"{n:>7}{n * plans:>8}{len(refs):>12}{len({name_key(r.name) for r in refs}):>7}"
              f"{seconds:>10.3f}{throughput[n]:>10,.0f}{peak:>10.1f}")
    print(f"per-indicator throughput, {args.copies} copies / {BASELINE} copies (baseline, same run): "
          f"{throughput[args.copies] / throughput[BASELINE]:.2f}")


if __name__ == "__main__":
    main()

"""Batch ingest throughput with 1 and N worker processes (not a test; run by hand).

    .venv/bin/python benchmarks/bench_ingest.py [--documents 500] [--workers 2] [--dask]

The corpus (corpus/*.txt) is copied to --documents files, each copy with changed bytes (a
trailing line naming the copy) so that every file is its own document and nothing is skipped.
Each run ingests the whole folder into a fresh output folder in its own Python process, first
with one worker (the baseline), then with --workers; with --dask also through a Dask
LocalCluster of --workers processes. Prints, per run: documents per second (the whole batch,
dataset writing included), seconds spent writing the dataset, peak resident memory of the
parent process and of the largest worker, and the speed-up against the one-worker run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# One ingest in a child process: its peak memory is then the run's own.
RUN = r"""
import json, resource, sys, time
from pathlib import Path
from pipeline.ingest import IngestSettings, ingest
inbox, out, workers, executor = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
marks, workers_peak = {}, [0.0]
def seen(result):
    workers_peak[0] = max(workers_peak[0], result.peak_mb or 0.0)
started = time.perf_counter()
summary = ingest([inbox], out, IngestSettings(workers=workers, executor=executor), progress=seen,
                 on_dataset=lambda: marks.setdefault("dataset", time.perf_counter()))
total = time.perf_counter() - started
print(json.dumps({
    "documents": summary.documents, "failed": summary.count("failed"), "seconds": total,
    "dataset_seconds": total - (marks.get("dataset", started + total) - started),
    "parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "worker_mb": workers_peak[0],
}))
"""


def make_copies(folder: Path, count: int) -> int:
    seeds = sorted((ROOT / "corpus").glob("*.txt"))
    chars = 0
    for n in range(count):
        seed = seeds[n % len(seeds)]
        text = seed.read_text(encoding="utf-8") + f"\n(bản sao {n})\n"
        (folder / f"{n:04d}_{seed.name}").write_text(text, encoding="utf-8")
        chars += len(text)
    return chars


def run(inbox: Path, out: Path, workers: int, executor: str) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    done = subprocess.run([sys.executable, "-c", RUN, str(inbox), str(out), str(workers), executor],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dask", action="store_true", help="also run through a Dask LocalCluster")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kehoach-bench-") as tmp:
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        chars = make_copies(inbox, args.documents)
        print(f"{args.documents} documents ({chars:,} characters), copies of the {len(list((ROOT / 'corpus').glob('*.txt')))} seeds")
        runs = [("local", 1), ("local", args.workers)] + ([("dask", args.workers)] if args.dask else [])
        baseline = None
        for executor, workers in runs:
            r = run(inbox, Path(tmp) / "out", workers, executor)
            rate = r["documents"] / r["seconds"]
            baseline = baseline or rate
            print(f"{executor:5} {workers} worker(s): {r['documents']} docs ({r['failed']} failed) in {r['seconds']:.1f} s "
                  f"= {rate:.2f} docs/s ({chars / r['seconds']:,.0f} chars/s); dataset written in {r['dataset_seconds']:.1f} s; "
                  f"peak memory parent {r['parent_mb']:.0f} MB, largest worker {r['worker_mb']:.0f} MB; "
                  f"speed-up {rate / baseline:.2f}x")


if __name__ == "__main__":
    main()

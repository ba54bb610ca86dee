"""The one timing helper of the benchmark scripts: the best of N runs of a job."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


def best_of(repeat: int, job: Callable[[], T]) -> tuple[float, T]:
    """(fewest seconds over `repeat` runs, the job's result): the best run is the least disturbed."""
    best, result = float("inf"), None
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        result = job()
        best = min(best, time.perf_counter() - start)
    return best, result

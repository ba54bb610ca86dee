"""The batch's progress bar (rich): documents done, failures and rate."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .ingest import FAILED, FileResult


class IngestProgress:
    """A context manager handing `ingest` its callbacks; silent when disabled."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.failed = 0
        self._progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed"), TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
            console=Console(file=sys.stderr), disable=not enabled, transient=False,
        )
        self._task = None

    def __enter__(self) -> "IngestProgress":
        self._progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.__exit__(*exc)

    def start(self, total: int) -> None:
        self._task = self._progress.add_task("reading", total=total, failed=0, rate="")

    def advance(self, result: FileResult) -> None:
        self.failed += result.status == FAILED
        task = self._progress.tasks[0]
        done = task.completed + 1
        rate = f"{done / task.elapsed:.1f} docs/s" if task.elapsed else ""
        self._progress.update(self._task, advance=1, failed=self.failed, rate=rate)

    def building(self) -> None:
        self._progress.update(self._task, description="writing the dataset")

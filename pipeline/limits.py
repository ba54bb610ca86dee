"""What one document may cost before it is refused: a hostile or broken file must not sink a batch.

Two kinds of limit, one settings object (`Limits`):

* Content limits, exact and cheap, checked where a loader first knows the figure, before the
  work that figure drives: the file's size (before it is read), a PDF's page count (before any
  page is read), a text file's size in bytes and the loaded text's length (before decoding and
  before the heavy stages), the unpacked size of a DOCX's parts (a ZIP bomb, before unpacking).
* Process limits, armed around one document in a worker process (`guard`): wall time (SIGALRM,
  a clean error when Python code runs over), CPU time (RLIMIT_CPU: the kernel stops a native
  call that never returns, where no Python signal handler can run) and memory (RLIMIT_DATA:
  Python raises MemoryError; a native library that cannot allocate, such as pdfium, aborts the
  process instead, which the batch records for that file alone).

The defaults are far above real plans, so they only stop what is not a plan. Measured on the
seed corpus and /work/shared/realdocs (2-60 pages, at most 3.3 MB on disk, 57,000 characters, a
DOCX of 0.6 MB unpacked, 2 s): a worker process holds about 430 MB of data with the pipeline
loaded and a few MB more while it reads a plan.
"""

from __future__ import annotations

import resource
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Iterator

from .load.base import LoadError

MB = 1 << 20
# The command-line option that raises each limit, named in every refusal.
OPTIONS = {
    "max_file_mb": "--max-file-mb",
    "max_pages": "--max-pages",
    "max_chars": "--max-chars",
    "max_unpacked_mb": "--max-unpacked-mb",
    "max_seconds": "--timeout",
    "max_memory_mb": "--max-memory-mb",
}
# UTF-8 and UTF-16 spend at most 4 bytes on a character, so a text file of n bytes holds at least n/4.
MAX_BYTES_PER_CHAR = 4
# CPU seconds allowed past the wall-clock limit before the kernel stops the process: SIGALRM comes
# first whenever Python code is running (single-threaded, CPU time never runs ahead of wall time),
# so only a native call that does not return meets this backstop.
CPU_GRACE_MIN_S = 2.0
CPU_GRACE_SHARE = 0.1


@dataclass(frozen=True)
class Limits:
    """Per-document limits; None switches one off."""

    # bytes on disk: the real scans take 0.15-0.25 MB a page, so over 1,000 scanned pages
    max_file_mb: float | None = 256
    # a PDF's pages
    max_pages: int | None = 2000
    # characters of loaded text: some 2,000 full pages
    max_chars: int | None = 5_000_000
    # a DOCX's parts unpacked (python-docx holds them all in memory); images are stored as they are
    max_unpacked_mb: float | None = 512
    # wall-clock seconds per document
    max_seconds: float | None = 600
    # the worker process's data memory (RLIMIT_DATA) while it reads a document
    max_memory_mb: float | None = 4096

    def __post_init__(self) -> None:
        bad = [f.name for f in fields(self) if getattr(self, f.name) is not None and getattr(self, f.name) <= 0]
        if bad:
            raise ValueError(f"{', '.join(bad)} must be positive (or None for no limit)")

    @classmethod
    def from_options(cls, **values: float | None) -> "Limits":
        """From command-line values, where 0 means no limit."""
        return cls(**{name: (value or None) for name, value in values.items()})


def _over(what: str, value: str, limit: str, name: str) -> str:
    return f"{what}: {value} > limit {limit} ({OPTIONS[name]})"


def _size(n_bytes: int) -> str:
    return f"{n_bytes / MB:,.1f} MB" if n_bytes >= MB else f"{n_bytes:,} bytes"


# --- content limits -------------------------------------------------------------------------------


def check_file_size(path: Path, size: int, limits: Limits) -> None:
    if limits.max_file_mb is not None and size > limits.max_file_mb * MB:
        raise LoadError(path, _over("file too large", _size(size), f"{limits.max_file_mb:,g} MB", "max_file_mb"))


def check_pages(path: Path, pages: int, limits: Limits) -> None:
    if limits.max_pages is not None and pages > limits.max_pages:
        raise LoadError(path, _over("too many pages", f"{pages:,}", f"{limits.max_pages:,}", "max_pages"))


def check_text_bytes(path: Path, size: int, limits: Limits) -> None:
    """Refuse a text file before it is read and decoded when its bytes alone hold too many characters."""
    if limits.max_chars is not None and size // MAX_BYTES_PER_CHAR > limits.max_chars:
        raise LoadError(path, _over("too much text", f"{size:,} bytes hold at least {size // MAX_BYTES_PER_CHAR:,} "
                                    "characters", f"{limits.max_chars:,}", "max_chars"))


def check_chars(path: Path, chars: int, limits: Limits) -> None:
    if limits.max_chars is not None and chars > limits.max_chars:
        raise LoadError(path, _over("too much text", f"{chars:,} characters", f"{limits.max_chars:,}", "max_chars"))


def check_unpacked(path: Path, size: int, limits: Limits) -> None:
    if limits.max_unpacked_mb is not None and size > limits.max_unpacked_mb * MB:
        raise LoadError(path, _over("too large when unpacked (a ZIP bomb?)", _size(size),
                                    f"{limits.max_unpacked_mb:,g} MB", "max_unpacked_mb"))


# --- process limits -------------------------------------------------------------------------------


class TimeLimitExceeded(BaseException):
    """Raised in the worker by SIGALRM when a document outlasts `Limits.max_seconds`. A
    BaseException, as KeyboardInterrupt is: the `except Exception` of a loader that reports
    what a parser trips over must not turn it into "corrupt file"."""


def time_reason(limits: Limits) -> str:
    return f"took longer than {limits.max_seconds:g} s (the time limit per document, {OPTIONS['max_seconds']})"


def memory_reason(limits: Limits) -> str:
    return f"out of memory: needs more than {limits.max_memory_mb:,g} MB ({OPTIONS['max_memory_mb']})"


def cpu_budget(limits: Limits) -> float | None:
    """CPU seconds after which the kernel stops the process (see CPU_GRACE_MIN_S)."""
    if limits.max_seconds is None:
        return None
    return limits.max_seconds + max(CPU_GRACE_MIN_S, CPU_GRACE_SHARE * limits.max_seconds)


@contextmanager
def guard(limits: Limits) -> Iterator[None]:
    """Arm the process limits around one document, and put the process back as it was after.

    Only in a process's main thread, where signals can be handled and the process is ours (a
    local worker, the command line); in a Dask worker thread the content limits alone apply.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    memory = None if limits.max_memory_mb is None else int(limits.max_memory_mb * MB)
    with _wall_clock(limits.max_seconds), _soft_rlimit(resource.RLIMIT_CPU, _cpu_limit(limits)), \
            _soft_rlimit(resource.RLIMIT_DATA, memory):
        yield


def _cpu_limit(limits: Limits) -> int | None:
    budget = cpu_budget(limits)
    if budget is None:
        return None
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return int(usage.ru_utime + usage.ru_stime + budget) + 1


@contextmanager
def _wall_clock(seconds: float | None) -> Iterator[None]:
    if not seconds:
        yield
        return

    def fire(signum, frame):
        raise TimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _soft_rlimit(kind: int, value: int | None) -> Iterator[None]:
    """Lower the soft limit (never the hard one, which could not be raised again) for a while."""
    if value is None:
        yield
        return
    soft, hard = resource.getrlimit(kind)
    resource.setrlimit(kind, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))
    try:
        yield
    finally:
        resource.setrlimit(kind, (soft, hard))


# --- why a worker process died ----------------------------------------------------------------------

# A process that died using at least this share of its memory limit ran out of memory: a native
# library (pdfium) aborts on the allocation that fails, often one that doubles a buffer.
OUT_OF_MEMORY_SHARE = 0.5


def data_mb(pid: int) -> float | None:
    """A live process's data memory (what RLIMIT_DATA counts), from /proc; None where unknown."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError, IndexError):
        return None
    return None


def death_reason(exitcode: int | None, limits: Limits, peak_mb: float | None) -> str:
    """One line on why a worker process ended without a result, from its exit status and the
    largest data memory seen while it ran."""
    if exitcode == -signal.SIGXCPU:
        return time_reason(limits)
    if limits.max_memory_mb and peak_mb and peak_mb >= OUT_OF_MEMORY_SHARE * limits.max_memory_mb:
        return f"{memory_reason(limits)}; the worker process died at {peak_mb:,.0f} MB ({_status(exitcode)})"
    return (f"the worker process died while reading it ({_status(exitcode)}): "
            "a crash in a native library, or out of memory")


def _status(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit status {exitcode}"

"""Loaders: one module per file type, one registry by file suffix.

`load(path)` picks the loader registered for the file's suffix, checks the
things every format shares (exists, not empty, not over the size limits) and
returns a `LoadedText`. Each loader takes `limits` too, for the checks only it
can make before the expensive work (a PDF's page count, a DOCX's unpacked size).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .base import LoadedText, LoadError, OffsetMap

if TYPE_CHECKING:  # pipeline.limits imports .base: imported when a file is loaded, not here
    from ..limits import Limits

# A loader takes the file and the limits it must enforce (`pipeline.limits`).
Loader = Callable[..., LoadedText]
_REGISTRY: dict[str, Loader] = {}


def register(*suffixes: str) -> Callable[[Loader], Loader]:
    """Register a loader for file suffixes (".pdf"); a suffix is bound once. A loader is called as
    `loader(path, limits=Limits(...))` and raises `LoadError`."""

    def wrap(fn: Loader) -> Loader:
        for suffix in suffixes:
            suffix = suffix.lower()
            if suffix in _REGISTRY and _REGISTRY[suffix] is not fn:
                raise ValueError(f"suffix {suffix} already has a loader: {_REGISTRY[suffix].__name__}")
            _REGISTRY[suffix] = fn
        return fn

    return wrap


def supported_suffixes() -> list[str]:
    _import_loaders()
    return sorted(_REGISTRY)


def load(path: str | Path, limits: Limits | None = None) -> LoadedText:
    """Load one file; raise `LoadError` with a one-line reason when it cannot be read or is over
    one of `limits` (default: `Limits()`, far above any real plan)."""
    from ..limits import Limits, check_chars, check_file_size

    limits = limits or Limits()
    _import_loaders()
    path = Path(path)
    if not path.exists():
        raise LoadError(path, "file not found")
    if path.is_dir():
        raise LoadError(path, "is a directory, not a file")
    loader = _REGISTRY.get(path.suffix.lower())
    if loader is None:
        raise LoadError(
            path,
            f"unsupported file type '{path.suffix or '(none)'}' (supported: {', '.join(sorted(_REGISTRY))})",
        )
    size = path.stat().st_size
    if size == 0:
        raise LoadError(path, "empty file (0 bytes)")
    check_file_size(path, size, limits)
    loaded = loader(path, limits=limits)
    check_chars(path, len(loaded.text), limits)
    if not loaded.text.strip():
        raise LoadError(path, "no text found in the file")
    return loaded


_LOADER_MODULES = ("text", "pdf", "docx", "doc")


def _import_loaders() -> None:
    """Import the loader modules (each registers itself); lazily, so that
    `kehoach --help` does not pay for pdfplumber."""
    for name in _LOADER_MODULES:
        importlib.import_module(f"{__name__}.{name}")


__all__ = ["LoadedText", "LoadError", "OffsetMap", "load", "register", "supported_suffixes"]

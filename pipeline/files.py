"""Files: the content hash that names a document, and outputs written whole or not at all."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_ID_LENGTH = 16  # hex digits of the content hash used as document id


def file_hash(path: Path) -> str:
    """SHA-256 of the file's bytes (hex)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def id_of_hash(sha256: str) -> str:
    """A document's id: the start of its content hash, so the same bytes are the same document."""
    return sha256[:_ID_LENGTH]


@contextmanager
def replaced_atomically(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` to write to, moved over `path` when the block succeeds and
    removed when it fails: a crash never leaves a half-written output, and a reader sees the old
    file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, content: str) -> None:
    """`content` into `path`, whole or not at all."""
    with replaced_atomically(path) as tmp:
        tmp.write_text(content, encoding="utf-8")

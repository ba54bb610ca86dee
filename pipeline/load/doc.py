"""Word 97-2003 .doc: converted to .docx by LibreOffice, then read as .docx.

There is no maintained pure-Python reader for the binary .doc format that keeps
tables and list numbers; LibreOffice's import does, so it is the one external
tool this loader needs. It is optional: without it .doc files fail with a
message that says how to fix that.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from . import register
from .base import LoadedText, LoadError
from .docx import load_docx

SOFFICE_NAMES = ("soffice", "libreoffice")
CONVERT_TIMEOUT_S = 120
CONVERTED_WARNING = "converted from .doc with LibreOffice"
MISSING_TOOL = (
    "cannot read .doc (Word 97-2003): LibreOffice (soffice) is not installed; "
    "install libreoffice-writer-nogui or convert the file to .docx"
)
ZIP_MAGIC = b"PK\x03\x04"


@register(".doc")
def load_doc(path: Path) -> LoadedText:
    """Convert with LibreOffice headless into a temporary folder and load the result."""
    path = Path(path)
    if _starts_with(path, ZIP_MAGIC):  # a .docx saved under a .doc name
        loaded = load_docx(path)
        loaded.warnings.insert(0, "file named .doc is a .docx; read directly")
        return loaded
    soffice = find_soffice()
    if soffice is None:
        raise LoadError(path, MISSING_TOOL)
    with tempfile.TemporaryDirectory(prefix="kehoach-doc-") as tmp:
        converted = convert_to_docx(soffice, path, Path(tmp))
        try:
            loaded = load_docx(converted)
        except LoadError as exc:  # name the user's file, not the temporary copy
            raise LoadError(path, exc.reason) from exc
    loaded.path = str(path)
    loaded.warnings.insert(0, CONVERTED_WARNING)
    return loaded


def find_soffice() -> str | None:
    """The LibreOffice executable on PATH (Debian installs both names), or None."""
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def convert_to_docx(soffice: str, path: Path, workdir: Path) -> Path:
    """Run `soffice --convert-to docx` and return the converted file.

    The input is copied under a plain name (LibreOffice misreads some names,
    e.g. ones starting with "-"), and HOME plus the user profile point into
    `workdir`: as root in CI there may be no writable home, and a private
    profile keeps a LibreOffice the user has open from swallowing the job.
    """
    source = workdir / "input.doc"
    shutil.copyfile(path, source)
    outdir = workdir / "out"
    command = [
        soffice, "--headless", "--norestore", "--nologo",
        f"-env:UserInstallation={(workdir / 'profile').as_uri()}",
        "--convert-to", "docx", "--outdir", str(outdir), str(source),
    ]
    returncode, output = _run(command, {**os.environ, "HOME": str(workdir)}, path)
    converted = outdir / "input.docx"
    if returncode != 0 or not converted.exists():
        raise LoadError(path, f"LibreOffice could not convert the .doc: {_last_line(output, returncode)}")
    return converted


def _run(command: list[str], env: dict[str, str], path: Path) -> tuple[int, str]:
    """Run with a time limit; on timeout kill the whole process group.

    `soffice` is a wrapper that starts soffice.bin; killing only the wrapper
    would leave the office process holding our pipes, and wait forever.
    """
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True,
    ) as process:
        try:
            output, _ = process.communicate(timeout=CONVERT_TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise LoadError(path, f"LibreOffice did not convert the .doc within {CONVERT_TIMEOUT_S} s") from exc
    return process.returncode, output or ""


def _last_line(output: str, returncode: int) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else f"exit status {returncode}, no output file"


def _starts_with(path: Path, magic: bytes) -> bool:
    with path.open("rb") as fh:
        return fh.read(len(magic)) == magic

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

from ..limits import Limits
from . import register
from .base import LoadedText, LoadError
from .docx import ENCRYPTED_STREAM, OLE2_MAGIC, load_docx, ole2_reason

SOFFICE_NAMES = ("soffice", "libreoffice")
CONVERT_TIMEOUT_S = 120
CONVERTED_WARNING = "converted from .doc with LibreOffice"
MISSING_TOOL = (
    "cannot read .doc (Word 97-2003): LibreOffice (soffice) is not installed; "
    "install libreoffice-writer-nogui or convert the file to .docx"
)
ZIP_MAGIC = b"PK\x03\x04"
RTF_MAGIC = b"{\\rtf"  # Word saves RTF under .doc too; LibreOffice reads it
HTML_STARTS = (b"<!doctype html", b"<html")
_HEAD_BYTES = 4096


@register(".doc")
def load_doc(path: Path, limits: Limits | None = None) -> LoadedText:
    """Convert with LibreOffice headless into a temporary folder and load the result."""
    path = Path(path)
    if _starts_with(path, ZIP_MAGIC):  # a .docx saved under a .doc name
        loaded = load_docx(path, limits)
        loaded.warnings.insert(0, "file named .doc is a .docx; read directly")
        return loaded
    _check_word_file(path)
    soffice = find_soffice()
    if soffice is None:
        raise LoadError(path, MISSING_TOOL)
    with tempfile.TemporaryDirectory(prefix="kehoach-doc-") as tmp:
        converted = convert_to_docx(soffice, path, Path(tmp))
        try:
            loaded = load_docx(converted, limits)
        except LoadError as exc:  # name the user's file, not the temporary copy
            raise LoadError(path, exc.reason) from exc
    loaded.path = str(path)
    loaded.warnings.insert(0, CONVERTED_WARNING)
    return loaded


def _check_word_file(path: Path) -> None:
    """LibreOffice opens anything, random bytes included (as text): only Word files go to it."""
    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if head.startswith(RTF_MAGIC):
        return
    if not head.startswith(OLE2_MAGIC):
        raise LoadError(path, f"not a Word document: {_what_it_is(head)}")
    data = path.read_bytes()
    if ENCRYPTED_STREAM in data:  # a password-protected .docx: LibreOffice would wait for the password
        raise LoadError(path, ole2_reason(data))


def _what_it_is(head: bytes) -> str:
    """The likeliest kind of a file that is not a Word file, for the message."""
    if head.lstrip().lower().startswith(HTML_STARTS):
        return "a web page (HTML) named .doc; open it in Word and save it as .docx"
    if _is_utf8_text(head):
        return "plain text named .doc; rename it to .txt"
    return "no Word 97-2003 (OLE2), DOCX or RTF signature (a file of another type renamed .doc?)"


def _is_utf8_text(head: bytes) -> bool:
    """UTF-8 without NUL bytes; the sample may end inside a character."""
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3
    return True


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
            _kill_group(process)
            raise LoadError(path, f"LibreOffice did not convert the .doc within {CONVERT_TIMEOUT_S} s") from exc
        except BaseException:  # the document's time limit (SIGALRM), Ctrl-C: the office must not outlive us
            _kill_group(process)
            raise
    return process.returncode, output or ""


def _kill_group(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def _last_line(output: str, returncode: int) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else f"exit status {returncode}, no output file"


def _starts_with(path: Path, magic: bytes) -> bool:
    with path.open("rb") as fh:
        return fh.read(len(magic)) == magic

"""Plain text and Markdown: decode bytes whatever encoding they came in.

Order of trust: a BOM (UTF-8, UTF-16) is certain; NUL bytes without one are
UTF-16/32 when charset-normalizer finds their pattern, else binary data; strict UTF-8 that decodes is
almost certain; otherwise the text is legacy Windows code page 1258 (the
Vietnamese code page, which composes tone marks as combining characters), or,
when cp1258 is implausible, whatever charset-normalizer proposes.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from ..limits import Limits, check_text_bytes
from ..encoding import bytes_encoding
from . import register
from .base import LoadedText, LoadError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Encodings whose text has NUL bytes (charset-normalizer's names).
_WIDE_ENCODINGS = ("utf_16", "utf_32")
# Share of C0 control bytes (other than tab/newline/CR/FF) above which a file is binary.
_MAX_CONTROL_SHARE = 0.01


@register(".txt", ".md", ".markdown", ".text")
def load_text(path: Path, limits: Limits | None = None) -> LoadedText:
    check_text_bytes(path, path.stat().st_size, limits or Limits())  # before reading and decoding it
    data = path.read_bytes()
    text, encoding = decode_bytes(data, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fmt = "md" if path.suffix.lower() in (".md", ".markdown") else "txt"
    return LoadedText(path=str(path), format=fmt, text=text, encoding=encoding)


def decode_bytes(data: bytes, path: Path | str = "<bytes>") -> tuple[str, str]:
    """Return (text, encoding name) or raise LoadError when the bytes are not text."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise LoadError(path, f"undecodable text: bad {name} after its byte-order mark ({exc.reason})") from exc
    if b"\x00" in data[:4096]:
        return _decode_wide(data, path)
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        text, encoding = _decode_legacy(data, path)
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise LoadError(path, "undecodable text: binary data, not text (control characters)")
    return text, encoding


def _decode_wide(data: bytes, path: Path | str) -> tuple[str, str]:
    """NUL bytes in text mean UTF-16 or UTF-32 written without a byte-order mark (Windows tools
    do that); charset-normalizer tells which from the byte pattern. Anything else is binary."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or not best.encoding.startswith(_WIDE_ENCODINGS):
        raise LoadError(path, "undecodable text: binary data, not text (NUL bytes, and not UTF-16 or UTF-32)")
    text = str(best)
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise LoadError(path, "undecodable text: binary data, not text (control characters)")
    return text, best.encoding


def _decode_legacy(data: bytes, path: Path | str) -> tuple[str, str]:
    """Vietnamese text that is not UTF-8 is nearly always Windows-1258, or the bytes of a legacy font
    (TCVN3 .VnTime, VNI-Times): those are kept as Latin-1 characters for normalize to convert."""
    latin1 = data.decode("latin-1")
    legacy = bytes_encoding(latin1)
    if legacy:
        return latin1, legacy.lower()
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        text = None
    if text is not None and _looks_vietnamese_cp1258(data):
        return text, "cp1258"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise LoadError(path, "undecodable text: not UTF-8, Windows-1258 or any known encoding")
    return str(best), best.encoding


def _looks_vietnamese_cp1258(data: bytes) -> bool:
    """cp1258 puts tone marks at 0xCC 0xD2 0xDE 0xEC 0xF2 and đ/ơ/ư at 0xF0 0xF5 0xFD..."""
    high = [b for b in data if b >= 0x80]
    if not high:
        return True
    marks = {0xCC, 0xD2, 0xDE, 0xEC, 0xF2, 0xC3, 0xE3, 0xD0, 0xF0, 0xD5, 0xF5, 0xDD, 0xFD,
             0xE2, 0xC2, 0xEA, 0xCA, 0xF4, 0xD4, 0xE0, 0xE1, 0xE8, 0xE9, 0xF9, 0xFA, 0xED}
    return sum(b in marks for b in high) / len(high) > 0.6


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:20000]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return bad / len(sample)

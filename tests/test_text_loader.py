"""Text input in the encodings plans arrive in: UTF-8 (with or without BOM), UTF-16 with BOM,
and legacy Windows-1258, which stores Vietnamese tone marks as combining characters."""

from __future__ import annotations

import unicodedata

import pytest

from pipeline.load import LoadError, load
from pipeline.load.text import decode_bytes

SAMPLE = "KẾ HOẠCH\nThực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa học, công nghệ.\nỦy ban nhân dân xã Tân Kỳ; Sở Giáo dục và Đào tạo tỉnh Quảng Ninh.\n"
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: base letters (â, ê, ô, ă, ơ, ư, đ) precomposed, tone marks combining."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        tones = "".join(c for c in parts if c in _TONES)
        out += (base + tones).encode("cp1258")
    return bytes(out)


@pytest.mark.parametrize("encode, name", [
    (lambda t: t.encode("utf-8"), "utf-8"),
    (lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "utf-8-sig"),
    (lambda t: t.encode("utf-16"), "utf-16"),  # with BOM
    (lambda t: b"\xfe\xff" + t.encode("utf-16-be"), "utf-16"),
    (to_cp1258, "cp1258"),
])
def test_encodings_decode_to_the_same_text(tmp_path, encode, name):
    path = tmp_path / "plan.txt"
    path.write_bytes(encode(SAMPLE))
    loaded = load(path)
    assert loaded.encoding == name
    assert unicodedata.normalize("NFC", loaded.text) == SAMPLE
    assert loaded.format == "txt"


def test_windows_1258_really_is_decomposed():
    raw = to_cp1258("Kế hoạch")
    text, encoding = decode_bytes(raw)
    assert encoding == "cp1258"
    assert text != "Kế hoạch" and unicodedata.normalize("NFC", text) == "Kế hoạch"


def test_markdown_and_crlf(tmp_path):
    path = tmp_path / "plan.md"
    path.write_bytes("## KẾ HOẠCH\r\nNội dung.\r\n".encode("utf-8"))
    loaded = load(path)
    assert (loaded.format, loaded.text) == ("md", "## KẾ HOẠCH\nNội dung.\n")


@pytest.mark.parametrize("data, reason", [
    (bytes(range(256)) * 8, "binary data"),
    (b"\xff\xfe" + b"\x00\xd8" * 3, "bad utf-16"),  # BOM, then unpaired surrogates
])
def test_undecodable_text(tmp_path, data, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(LoadError, match=f"undecodable text: {reason}") as err:
        load(path)
    assert str(err.value).startswith(f"{path}: ")

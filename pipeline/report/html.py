"""Small HTML builders: escaped text, links, tables. Every string the data gives goes through
`esc`; helpers take already built HTML (`Markup`) where they nest."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape


def esc(value: object) -> str:
    """Text as HTML (quotes too, so it is safe in attributes); None is empty."""
    return "" if value is None else escape(str(value), quote=True)


def link(anchor: str, text_html: str, title: str | None = None) -> str:
    """A link to an anchor of this page."""
    tip = f' title="{esc(title)}"' if title else ""
    return f'<a href="#{esc(anchor)}"{tip}>{text_html}</a>'


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "items", caption: str | None = None) -> str:
    """A table of already built cells (HTML); headers are plain text."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f'<table class="{esc(cls)}">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def lines(items: Iterable[str]) -> str:
    """Several values in one cell, one per line (escaped)."""
    return "<br>".join(esc(i) for i in items)


def shorten(text: str | None, words: int = 30) -> str:
    parts = (text or "").split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"

"""A text with items highlighted: `<mark>` elements at the items' offsets, nested where items
nest, split where they cross (eyecite's annotate: markup inserted at spans, nothing else).

Every fragment of an item carries `data-item` (its anchor); only the first carries the `id`, so
a link to the anchor lands at the item's start, and the item's text is its fragments' text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .html import esc


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    anchor: str  # id of the first fragment, data-item of every fragment
    kind: str  # citation | indicator | task | unit | deadline | percentage (CSS class k-<kind>)
    title: str = ""


def placeable(text: str, start: int | None, end: int | None) -> bool:
    """Whether offsets name a non-empty stretch of `text` (a mark can be put there)."""
    return start is not None and end is not None and 0 <= start < end <= len(text)


def highlight(text: str, marks: Iterable[Mark]) -> str:
    """`text` escaped, with every placeable mark; marks that start together open longest first."""
    marks = sorted((m for m in marks if placeable(text, m.start, m.end)),
                   key=lambda m: (m.start, -m.end, m.kind, m.anchor))
    starts: dict[int, list[Mark]] = {}
    for m in marks:
        starts.setdefault(m.start, []).append(m)
    bounds = sorted({m.start for m in marks} | {m.end for m in marks})
    out: list[str] = []
    stack: list[Mark] = []
    opened: set[str] = set()
    pos = 0
    for p in bounds:
        out.append(esc(text[pos:p]))
        pos = p
        reopen: list[Mark] = []
        ending = [i for i, m in enumerate(stack) if m.end == p]
        if ending:
            # close down to the outermost mark that ends here; marks above it that go on are
            # closed too and opened again as continuations (a crossing is split, never misnested)
            for m in reversed(stack[ending[0]:]):
                out.append("</mark>")
                if m.end > p:
                    reopen.append(m)
            del stack[ending[0]:]
        for m in sorted(reopen + starts.get(p, []), key=lambda m: (-m.end, m.start, m.kind, m.anchor)):
            first = m.anchor not in opened
            opened.add(m.anchor)
            out.append(_open(m, first))
            stack.append(m)
    out.append(esc(text[pos:]))
    return "".join(out)


def _open(m: Mark, first: bool) -> str:
    ident = f' id="{esc(m.anchor)}"' if first else ""
    cls = f"k-{m.kind}" + ("" if first else " cont")
    title = f' title="{esc(m.title)}"' if m.title else ""
    return f'<mark{ident} class="{cls}" data-item="{esc(m.anchor)}"{title}>'

"""Charts of targets by year for the main concepts: matplotlib (no pyplot, no global backend)
rendered to SVG that is inlined in the page.

The SVG is deterministic: a fixed hash salt, no date or creator in its metadata, glyphs drawn as
paths (DejaVu Sans, matplotlib's bundled font, covers Vietnamese; the viewer needs no font), and
ids prefixed per chart so several charts live in one page without clashing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..compare import ConceptTarget
from .corpus import Corpus
from .html import esc, table

MAX_CHARTS = 6
SVG_RC = {
    "svg.hashsalt": "kehoach-report",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
FIGSIZE = (6.4, 3.0)  # inches
#: Plans often set the same targets: each line gets its own marker and dash, and later lines are
#: drawn thinner, so a line on top of another leaves it visible.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
DASHES = ("-", "--", "-.", ":")

_XML_HEAD = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_ID_REF = re.compile(r'(\bid="|href="#|url\(#)([^")]+)')
_SIZE_ATTR = re.compile(r'(<svg\b[^>]*?)\s(width|height)="[^"]*"')


@dataclass(frozen=True)
class Line:
    """One plan's targets of a concept: (year, value) points."""

    document_id: str
    label: str
    color: str
    points: tuple[tuple[int, float], ...]
    texts: dict[int, str]  # the targets as written, by year


@dataclass(frozen=True)
class Chart:
    concept_id: str
    concept_name: str
    unit: str | None
    lines: tuple[Line, ...]
    svg: str


def main_concepts(targets: Sequence[ConceptTarget], limit: int = MAX_CHARTS) -> list[str]:
    """The concepts worth a chart: set by the most plans, then with the most numeric targets."""
    plans: dict[str, set[str]] = {}
    numeric: dict[str, int] = {}
    names: dict[str, str] = {}
    for t in targets:
        if t.value is None:
            continue
        plans.setdefault(t.concept_id, set()).add(t.document_id)
        numeric[t.concept_id] = numeric.get(t.concept_id, 0) + 1
        names[t.concept_id] = t.concept_name
    ranked = sorted(plans, key=lambda c: (-len(plans[c]), -numeric[c], names[c], c))
    return ranked[:limit]


def concept_lines(corpus: Corpus, concept_id: str) -> tuple[Line, ...]:
    """One line per plan: of its indicators and scopes for the concept, the one with the most
    numeric targets (the unscoped one on ties), so a line never mixes two measures."""
    groups: dict[str, dict[tuple[str, str], list[ConceptTarget]]] = {}
    for t in corpus.targets:
        if t.concept_id == concept_id and t.value is not None:
            groups.setdefault(t.document_id, {}).setdefault((t.indicator_id, t.scope or ""), []).append(t)
    lines = []
    for plan in corpus.plans:
        found = groups.get(plan.document_id)
        if not found:
            continue
        key = min(found, key=lambda k: (-len({t.year for t in found[k]}), k[1] != "", k))
        rows = found[key]
        by_year: dict[int, ConceptTarget] = {}
        for t in rows:
            by_year.setdefault(t.year, t)
        label = plan.label + (f" – {key[1]}" if key[1] else "")
        lines.append(Line(plan.document_id, label, plan.color,
                          tuple((y, by_year[y].value) for y in sorted(by_year)),
                          {y: " ".join(by_year[y].text.split()) for y in sorted(by_year)}))
    return tuple(lines)


def charts(corpus: Corpus, limit: int = MAX_CHARTS) -> list[Chart]:
    result = []
    for n, concept_id in enumerate(main_concepts(corpus.targets, limit)):
        rows = [t for t in corpus.targets if t.concept_id == concept_id]
        unit = next((t.unit for t in rows if t.unit), None)
        lines = concept_lines(corpus, concept_id)
        svg = render_svg(rows[0].concept_name, unit, lines, prefix=f"chart{n + 1}-")
        result.append(Chart(concept_id, rows[0].concept_name, unit, lines, svg))
    return result


def render_svg(title: str, unit: str | None, lines: Sequence[Line], prefix: str) -> str:
    """A line chart of targets by year as an `<svg>` element to inline (no XML header)."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(SVG_RC):
        fig = Figure(figsize=FIGSIZE)
        ax = fig.add_subplot()
        years = sorted({y for line in lines for y, _ in line.points})
        for n, line in enumerate(lines):
            xs = [y for y, _ in line.points]
            ys = [v for _, v in line.points]
            ax.plot(xs, ys, marker=MARKERS[n % len(MARKERS)], linestyle=DASHES[n % len(DASHES)],
                    linewidth=max(1.0, 3.2 - 0.6 * n), markersize=max(3.5, 8 - 1.2 * n), color=line.color,
                    label=line.label)
        ax.set_xticks(years)
        ax.set_xticklabels([str(y) for y in years])
        ax.set_ylabel(unit or "target")
        if unit == "%":
            ax.set_ylim(0, 105)
        ax.grid(axis="y", linewidth=0.4, alpha=0.5)
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=8)
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata=SVG_METADATA)
    return inline_svg(buffer.getvalue(), prefix, title)


def inline_svg(svg: str, prefix: str, label: str = "") -> str:
    """An SVG file as an element of the page: no XML header or doctype, ids prefixed (and the
    references to them), the size left to CSS (the viewBox keeps the proportions)."""
    svg = _XML_HEAD.sub("", svg, count=1)
    svg = _ID_REF.sub(lambda m: m.group(1) + prefix + m.group(2), svg)
    for _ in range(2):
        svg = _SIZE_ATTR.sub(r"\1", svg, count=1)
    return svg.strip().replace("<svg ", f'<svg class="chart" role="img" aria-label="{esc(label)}" ', 1)


def chart_table(chart: Chart) -> str:
    """The chart's figures as a table: plan x year, the targets as written."""
    years = sorted({y for line in chart.lines for y, _ in line.points})
    rows = [[f'<span class="swatch" style="background:{esc(line.color)}"></span>{esc(line.label)}']
            + [esc(line.texts.get(y, "")) for y in years] for line in chart.lines]
    return table(["plan", *map(str, years)], rows, cls="chart-data")

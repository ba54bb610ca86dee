"""The sections of the report page: the corpus overview, the comparison matrix, the charts,
the citation graph, and one page per plan with its items linked to its highlighted text."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from ..compare import (
    ConceptMatrix,
    DatasetError,
    concept_matrix,
    default_year,
    matrix_html,
)
from ..model import Document, Provenance
from .charts import Chart, chart_table
from .corpus import Corpus, PlanRow, level_rank
from .graph import cited_anchors, graph_svg, graph_tables
from .highlight import Mark, highlight, placeable
from .html import esc, lines, link, number, shorten, table

COUNT_COLUMNS = ("sections", "tables", "citations", "indicators", "targets", "tasks", "units", "deadlines",
                 "percentages")


# --- Overview ----------------------------------------------------------------------------------


def overview(corpus: Corpus) -> str:
    plans = corpus.plans
    warnings = sum(len(p.warnings) for p in plans)
    by_level: dict[str, list[PlanRow]] = defaultdict(list)
    for p in plans:
        by_level[p.level or "unknown level"].append(p)
    levels = sorted(by_level, key=lambda lv: (level_rank(lv), lv))
    level_rows = [(esc(lv), str(len(by_level[lv])),
                   ", ".join(link(f"plan-{p.document_id}", esc(p.locality or p.label)) for p in by_level[lv]))
                  for lv in levels]
    totals = {k: sum(p.counts[k] for p in plans) for k in COUNT_COLUMNS}
    rows = []
    for p in plans:
        plan_cell = (f'<span class="swatch" style="background:{esc(p.color)}"></span>'
                     + link(f"plan-{p.document_id}", esc(p.label)) + f'<div class="sub">{esc(shorten(p.title, 18))}</div>')
        rows.append([plan_cell, esc(p.level), esc(p.issuer), esc(p.number_text), esc(p.issued_date)]
                    + [str(p.counts[k]) for k in COUNT_COLUMNS]
                    + [f'<span class="warn">{len(p.warnings)}</span>' if p.warnings else "0"])
    rows.append(["<b>all plans</b>", "", "", "", ""] + [f"<b>{totals[k]}</b>" for k in COUNT_COLUMNS]
                + [f"<b>{warnings}</b>"])
    summary = (f"{len(plans)} plans from {len({p.locality for p in plans if p.locality})} localities; "
               f"{totals['citations']} citations of {len([c for c in corpus.cited if c.kind != 'plan'])} documents, "
               f"{totals['indicators']} indicators with {totals['targets']} targets, {totals['tasks']} tasks; "
               f"{warnings} warnings.")
    return (f'<section id="overview"><h2>Corpus overview</h2><p>{esc(summary)}</p>'
            + table(["level", "plans", "localities"], level_rows, cls="items levels")
            + table(["plan", "level", "issuer", "number", "date", *COUNT_COLUMNS, "warnings"], rows,
                    cls="items overview")
            + "</section>")


# --- Comparison matrix --------------------------------------------------------------------------


def comparison(corpus: Corpus) -> str:
    head = '<section id="comparison"><h2>Comparison of targets</h2>'
    try:
        year = default_year(corpus.dataset)
    except DatasetError:
        return head + '<p class="note">The plans of this dataset set no targets.</p></section>'
    matrix = concept_matrix(corpus.dataset, year)
    shared = [r for r in matrix.rows if len(r.cells) >= 2]
    single = [r for r in matrix.rows if len(r.cells) < 2]
    out = [head, (f"<p>Targets each plan sets for {year} (the year with the most targets), one row per indicator "
                 "concept. Rows where the plans differ are marked; their highest target is bold.</p>")]
    if shared:
        out.append(matrix_html(_subset(matrix, shared)))
    else:
        out.append(f'<p class="note">No concept has a target for {year} in two or more plans.</p>')
    if single:
        out.append(f"<details><summary>Concepts set by one plan only ({len(single)})</summary>"
                   f"{matrix_html(_subset(matrix, single))}</details>")
    out.append("</section>")
    return "".join(out)


def _subset(matrix: ConceptMatrix, rows: Sequence) -> ConceptMatrix:
    used = {d for r in rows for d in r.cells}
    return dataclasses.replace(matrix, rows=tuple(rows), plans=tuple(p for p in matrix.plans if p.document_id in used))


# --- Charts --------------------------------------------------------------------------------------


def charts_section(charts: Sequence[Chart]) -> str:
    out = ['<section id="charts"><h2>Targets by year</h2>']
    if not charts:
        out.append('<p class="note">No indicator of this dataset has a numeric target.</p>')
    for chart in charts:
        n = len(chart.lines)
        out.append(f'<figure class="chart"><figcaption>{esc(chart.concept_name)} <span class="sub">'
                   f"({n} plan{'s' if n != 1 else ''}; {esc(chart.unit or 'no unit')})</span></figcaption>"
                   f"{chart.svg}{chart_table(chart)}</figure>")
    out.append("</section>")
    return "".join(out)


# --- Citation graph ------------------------------------------------------------------------------


def graph_section(corpus: Corpus) -> str:
    svg = graph_svg(corpus)
    body = (f'<div class="graph-box">{svg}</div>' if svg else
            '<p class="note">No plan of this dataset cites another document.</p>')
    return (f'<section id="graph"><h2>Citation graph</h2><p>Plans (left) and the documents they cite: local ones '
            f"(middle), national ones (right, issued by the Politburo, the Government, the Prime Minister or a "
            f"ministry). Arcs on the left join a plan to a plan of the dataset it cites (dashed) or implements "
            f"(solid). Line width grows with the mentions.</p>{body}{graph_tables(corpus)}</section>")


# --- Plan pages ----------------------------------------------------------------------------------

KIND_NAMES = {"citation": "Citations", "indicator": "Indicators", "task": "Tasks", "unit": "Units",
              "deadline": "Deadlines", "percentage": "Percentages"}
OPEN_KINDS = ("citation", "indicator", "task")  # tables shown unfolded


def plan_nav(corpus: Corpus) -> str:
    return "<nav class=\"plans\">Plans: " + " · ".join(link(f"plan-{p.document_id}", esc(p.label))
                                                      for p in corpus.plans) + "</nav>"


def plan_page(corpus: Corpus, plan: PlanRow, doc: Document) -> str:
    """One plan: its metadata, a table per kind of item (each item linking to where it is
    highlighted), its footnotes and its text with every item highlighted."""
    page = _PlanPage(corpus, plan, doc)
    return page.render()


class _PlanPage:
    def __init__(self, corpus: Corpus, plan: PlanRow, doc: Document):
        self.corpus, self.plan, self.doc = corpus, plan, doc
        self.id = plan.document_id
        self.text_marks: list[Mark] = []
        self.footnote_marks: dict[str, list[Mark]] = defaultdict(list)
        self.placed: set[str] = set()

    def anchor(self, kind: str, n: int, place: int = 0) -> str:
        return f"{self.id}-{kind}-{n}" + (f"-p{place + 1}" if place else "")

    def mark(self, kind: str, n: int, start: int, end: int, title: str, place: int = 0,
             footnote: str | None = None) -> str | None:
        """Register a mark; its anchor, or None when the offsets name no text."""
        anchor = self.anchor(kind, n, place)
        if footnote is not None:
            text = next((f.text for f in self.doc.footnotes if f.label == footnote), None)
            if text is None or not placeable(text, start, end):
                return None
            self.footnote_marks[footnote].append(Mark(start, end, anchor, kind, title))
        else:
            if not placeable(self.doc.text, start, end):
                return None
            self.text_marks.append(Mark(start, end, anchor, kind, title))
        self.placed.add(anchor)
        return anchor

    def item_link(self, anchor: str | None, text: str) -> str:
        return link(anchor, esc(text)) if anchor else f'<span class="unplaced" title="no offsets">{esc(text)}</span>'

    def places(self, kind: str, n: int, item: Any, title: str) -> tuple[str | None, str]:
        """Marks for an item and its further places; the first anchor and links to the others."""
        first = self.mark(kind, n, item.start, item.end, title)
        extra: list[Provenance] = [p for p in (item.provenance or []) if (p.start, p.end) != (item.start, item.end)]
        links = []
        for i, p in enumerate(extra, start=1):
            anchor = self.mark(kind, n, p.start, p.end, title, place=i)
            if anchor:
                where = f"{p.table} row {p.row}" if p.source == "table" else "text"
                links.append(link(anchor, str(i + 1), title=where))
        return first, " ".join(links)

    # tables of items

    def citations(self) -> str:
        anchors = cited_anchors(self.corpus)
        rows = []
        for n, c in enumerate(self.doc.citations):
            anchor = self.mark("citation", n, c.start, c.end, f"citation {n}: {c.number or c.ref}", footnote=c.footnote)
            ref = link(anchors[c.ref], esc(c.ref)) if c.ref in anchors else esc(c.ref)
            rows.append([str(n), self.item_link(anchor, c.text), esc(c.doc_type), esc(c.number), esc(c.issued_date),
                         esc(c.issuer), ref, esc(c.footnote)])
        return self.kind_table("citation", ["#", "as written", "type", "number", "date", "issuer", "cited document",
                                            "footnote"], rows)

    def indicators(self) -> str:
        rows = []
        for n, i in enumerate(self.doc.indicators):
            anchor, more = self.places("indicator", n, i, f"indicator {i.id}: {shorten(i.name, 12)}")
            targets = "<br>".join(esc(f"{t.year or '?'}: " + (t.text if t.value is None else
                                                             f"{t.op or ''}{number(t.value)}")
                                      + (f" [{t.scope}]" if t.scope else "")) for t in i.targets)
            concept = self.corpus.concepts.get((self.id, i.id))
            rows.append([esc(i.id), self.item_link(anchor, shorten(i.name, 40)), esc(i.unit), targets,
                         lines(i.lead_units), esc(concept[1]) if concept else "", more])
        return self.kind_table("indicator", ["id", "indicator", "unit", "targets", "lead", "concept", "also at"], rows)

    def tasks(self) -> str:
        rows = []
        for n, t in enumerate(self.doc.tasks):
            anchor, more = self.places("task", n, t, f"task {t.id}")
            due = ""
            if t.deadline:
                period = "–".join(x for x in (t.deadline.period_start, t.deadline.period_end) if x)
                due = esc(t.deadline.text) + f'<div class="sub">{esc(t.deadline.kind)} {esc(period)}</div>'
            rows.append([esc(t.id), self.item_link(anchor, shorten(t.text, 40)), lines(t.lead_units),
                         lines(t.support_units), due, esc(t.output), more])
        return self.kind_table("task", ["id", "task", "lead", "support", "deadline", "output", "also at"], rows)

    def units(self) -> str:
        rows = []
        for n, u in enumerate(self.doc.units):
            first = None
            for i, p in enumerate(u.provenance):
                anchor = self.mark("unit", n, p.start, p.end, f"unit: {u.name}", place=i)
                first = first or anchor
            rows.append([self.item_link(first, u.name), esc(u.type), esc(", ".join(u.roles)), str(u.mentions),
                         lines(u.aliases)])
        return self.kind_table("unit", ["unit", "type", "roles", "mentions", "aliases"], rows)

    def deadlines(self) -> str:
        rows = []
        for n, d in enumerate(self.doc.deadlines):
            anchor = self.mark("deadline", n, d.start, d.end, f"deadline: {d.kind}")
            rows.append([str(n), self.item_link(anchor, d.text), esc(d.kind), esc(d.period_start), esc(d.period_end),
                         esc(d.recurrence)])
        return self.kind_table("deadline", ["#", "as written", "kind", "from", "due", "recurrence"], rows)

    def percentages(self) -> str:
        rows = []
        for n, p in enumerate(self.doc.percentages):
            anchor = self.mark("percentage", n, p.start, p.end, f"percentage: {p.op or ''}{number(p.value)}%")
            rows.append([str(n), self.item_link(anchor, p.text), esc(p.op), number(p.value), esc(p.subject),
                         esc(p.scope)])
        return self.kind_table("percentage", ["#", "as written", "op", "value", "subject", "scope"], rows)

    def kind_table(self, kind: str, headers: list[str], rows: list[list[str]]) -> str:
        opened = " open" if kind in OPEN_KINDS and rows else ""
        body = table(headers, rows, cls=f"items {kind}s") if rows else '<p class="note">None found.</p>'
        return f"<details{opened}><summary>{KIND_NAMES[kind]} ({len(rows)})</summary>{body}</details>"

    # the page

    def metadata(self) -> str:
        p, info = self.plan, self.doc.document
        parent = [e for e in self.corpus.parents if e.document == self.id]
        children = [e for e in self.corpus.parents if e.parent == self.id]
        labels = {q.document_id: q.label for q in self.corpus.plans}
        fields: list[tuple[str, str]] = [
            ("document id", f"<code>{esc(self.id)}</code>"), ("source", f"<code>{esc(p.source)}</code> ({esc(p.format)})"),
            ("type", esc(p.doc_type)), ("number", esc(p.number_text)), ("issuer", esc(p.issuer)),
            ("locality", esc(" ".join(x for x in (p.level, p.locality) if x))), ("place, date", esc(
                ", ".join(x for x in (p.place, p.issued_date) if x))),
            ("title", esc(p.title)), ("signed by", esc(" ".join(x for x in (p.signer_title, p.signer_name) if x))),
            ("recipients", lines(info.recipients)), ("pages", esc(p.page_count)),
            ("text quality", "" if p.text_quality is None else f"{p.text_quality:.2f}"),
            ("implements", "<br>".join(link(f"plan-{e.parent}", esc(labels.get(e.parent, e.parent)))
                                       + esc(f" ({e.match}, via {e.ref})") for e in parent)),
            ("implemented by", "<br>".join(link(f"plan-{e.document}", esc(labels.get(e.document, e.document)))
                                           for e in children)),
            ("warnings", "<ul>" + "".join(f"<li>{esc(w)}</li>" for w in p.warnings) + "</ul>" if p.warnings else "none"),
        ]
        return '<dl class="meta">' + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in fields if v) + "</dl>"

    def render(self) -> str:
        tables: list[Callable[[], str]] = [self.citations, self.indicators, self.tasks, self.units, self.deadlines,
                                           self.percentages]
        parts = [f'<section class="plan" id="plan-{esc(self.id)}">',
                 (f'<h2><span class="swatch" style="background:{esc(self.plan.color)}"></span>{esc(self.plan.label)}'
                 f' <span class="sub">{esc(self.plan.doc_type)} {esc(self.plan.number_text)}</span></h2>'),
                 '<p class="back"><a href="#overview">↑ overview</a></p>', self.metadata()]
        parts += [make() for make in tables]  # registers the marks, in a stable order
        if self.doc.footnotes:
            parts.append('<h3>Footnotes</h3><ul class="footnotes">')
            for f in self.doc.footnotes:
                parts.append(f'<li><span class="fnlabel">{esc(f.label)}</span> '
                             f"{highlight(f.text, self.footnote_marks.get(f.label, []))}</li>")
            parts.append("</ul>")
        parts.append(f'<h3>Text <span class="sub">({len(self.doc.text)} characters; items highlighted: '
                     '<mark class="k-citation">citation</mark> <mark class="k-indicator">indicator</mark> '
                     '<mark class="k-task">task</mark> <mark class="k-unit">unit</mark> '
                     '<mark class="k-deadline">deadline</mark> <mark class="k-percentage">percentage</mark>)</span></h3>')
        parts.append(f'<pre class="source" id="{esc(self.id)}-text">{highlight(self.doc.text, self.text_marks)}</pre>')
        parts.append("</section>")
        return "".join(parts)

"""The citation graph: plans (left) cite documents, local ones (middle) and national ones
(right); a cited document that is a plan of the dataset, and a plan's parent, are arcs between
plans. Drawn as hand-made SVG with a layered layout, and listed as tables with the evidence.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..link.graph import CitedDocument
from .corpus import Corpus
from .html import esc, link, table

ROW = 26  # px between two nodes of the fullest column
NODE_H = 20
TOP = 34  # room for the column headings
ARC_ROOM = 70  # left margin for the plan-to-plan arcs
COLUMNS = {"plan": (ARC_ROOM, 190), "local": (ARC_ROOM + 190 + 150, 250), "national": (ARC_ROOM + 190 + 150 + 250 + 150, 250)}
WIDTH = COLUMNS["national"][0] + COLUMNS["national"][1] + 10
LABEL_CHARS = 36


@dataclass(frozen=True)
class Node:
    key: str  # document_id of a plan, ref of a cited document
    column: str  # plan | local | national
    label: str
    tip: str
    anchor: str  # where the node links to
    y: float = 0.0


def cited_anchors(corpus: Corpus) -> dict[str, str]:
    """The anchor of each cited document's row in the table of cited documents."""
    return {c.ref: f"cited-{n}" for n, c in enumerate(_cited(corpus))}


def _cited(corpus: Corpus) -> list[CitedDocument]:
    return [c for c in corpus.cited if c.kind != "plan"]


def cited_label(c: CitedDocument) -> str:
    """"Nghị quyết 57-NQ/TW"; a document without a number by its subject ("Đề án Tăng cường …")."""
    return " ".join(x for x in (c.doc_type, c.number or c.title or c.ref) if x)


def graph_svg(corpus: Corpus) -> str:
    """The graph as an `<svg>` element; empty string when no plan cites anything."""
    if not corpus.links and not corpus.parents:
        return ""
    anchors = cited_anchors(corpus)
    plan_index = {p.document_id: n for n, p in enumerate(corpus.plans)}
    plans = [Node(p.document_id, "plan", p.label, "\n".join(x for x in (p.issuer, p.number_text, p.issued_date, p.title) if x),
                  f"plan-{p.document_id}") for p in corpus.plans]
    weight: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for e in corpus.links:
        if e.citing_document in plan_index:
            weight[e.ref].append((plan_index[e.citing_document], e.mentions))
    columns: dict[str, list[Node]] = {"plan": plans, "local": [], "national": []}
    for c in _cited(corpus):
        if c.ref not in weight:
            continue
        tip = "\n".join(x for x in (cited_label(c), c.issued_date, c.issuer, c.title) if x)
        columns["national" if c.national else "local"].append(
            Node(c.ref, "national" if c.national else "local", _short(cited_label(c)), tip, anchors[c.ref]))
    for key in ("local", "national"):  # barycentre of the citing plans: fewer crossings
        columns[key].sort(key=lambda n: (sum(i * m for i, m in weight[n.key]) / max(1, sum(m for _, m in weight[n.key])),
                                         n.label, n.key))
    fullest = max(len(nodes) for nodes in columns.values())
    height = TOP + fullest * ROW + 10
    placed: dict[str, Node] = {}
    for key, nodes in columns.items():
        step = (fullest * ROW) / max(1, len(nodes))
        for i, node in enumerate(nodes):
            placed[f"{key}:{node.key}"] = Node(node.key, key, node.label, node.tip, node.anchor,
                                                TOP + step * i + (step - NODE_H) / 2)
    color = {p.document_id: p.color for p in corpus.plans}
    parts = [(f'<svg class="graph" viewBox="0 0 {WIDTH} {height:.0f}" role="img" aria-label="citation graph" '
             f'xmlns="http://www.w3.org/2000/svg">')]
    for key, title in (("plan", "plans of the dataset"), ("local", "local documents cited"),
                       ("national", "national documents cited")):
        x, _ = COLUMNS[key]
        parts.append(f'<text class="colhead" x="{x}" y="16">{esc(title)}</text>')
    parts.append('<g class="edges">')
    for e in corpus.links:
        source = placed.get(f"plan:{e.citing_document}")
        target = placed.get(f"local:{e.ref}") or placed.get(f"national:{e.ref}")
        if source is None or target is None:
            continue
        x1 = COLUMNS["plan"][0] + COLUMNS["plan"][1]
        x2 = COLUMNS[target.column][0]
        y1, y2 = source.y + NODE_H / 2, target.y + NODE_H / 2
        mid = (x1 + x2) / 2
        width = 1 + min(e.mentions, 10) * 0.35
        parts.append(f'<path d="M{x1},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2},{y2:.1f}" '
                     f'stroke="{color.get(e.citing_document, "#888")}" stroke-width="{width:.2f}" class="edge {target.column}">'
                     f"<title>{esc(source.label)} cites {esc(target.label)} ({e.mentions}×)</title></path>")
    arcs = [(e.citing_document, e.linked_document, "link", f"{e.match or ''} {e.score if e.score is not None else ''}".strip())
            for e in corpus.links if e.linked_document] + [(p.document, p.parent, "parent", f"parent, {p.match}")
                                                   for p in corpus.parents]
    for child, parent, kind, note in arcs:
        a, b = placed.get(f"plan:{child}"), placed.get(f"plan:{parent}")
        if a is None or b is None:
            continue
        x = COLUMNS["plan"][0]
        ya, yb = a.y + NODE_H / 2, b.y + NODE_H / 2
        bend = max(12.0, min(ARC_ROOM - 8, abs(yb - ya) / 3))
        parts.append(f'<path d="M{x},{ya:.1f} C{x - bend:.1f},{ya:.1f} {x - bend:.1f},{yb:.1f} {x},{yb:.1f}" '
                     f'class="arc {kind}" marker-end="url(#graph-arrow)"><title>{esc(a.label)} → {esc(b.label)}: '
                     f"{esc(note)}</title></path>")
    parts.append("</g>")
    parts.append('<defs><marker id="graph-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                 'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>')
    parts.append('<g class="nodes">')
    for node in placed.values():
        x, w = COLUMNS[node.column]
        fill = color.get(node.key, "#fff") if node.column == "plan" else ""
        style = f' style="stroke:{fill}"' if fill else ""
        parts.append(f'<a href="#{esc(node.anchor)}"><g class="node {node.column}"><title>{esc(node.tip)}</title>'
                     f'<rect x="{x}" y="{node.y:.1f}" width="{w}" height="{NODE_H}" rx="4"{style}/>'
                     f'<text x="{x + 6}" y="{node.y + NODE_H - 6:.1f}">{esc(node.label)}</text></g></a>')
    parts.append("</g></svg>")
    return "".join(parts)


def graph_tables(corpus: Corpus) -> str:
    """The cited documents with who cites them, the cited documents that are plans of the
    dataset, and each plan's parent: each link with its evidence (match, score, reasons)."""
    labels = {p.document_id: p.label for p in corpus.plans}
    citing: dict[str, list[str]] = defaultdict(list)
    linked: dict[str, list[str]] = defaultdict(list)
    for e in corpus.links:
        citing[e.ref].append(_plan_link(e.citing_document, labels) + f" ×{e.mentions}")
        if e.linked_document:
            linked[e.ref].append(_plan_link(e.linked_document, labels) + f" ({esc(e.match)})")
    rows = []
    for n, c in enumerate(_cited(corpus)):
        rows.append((f'<span id="cited-{n}">{esc(cited_label(c))}</span>', esc(c.issued_date), esc(c.issuer),
                     esc(c.title), "national" if c.national else "", "<br>".join(citing.get(c.ref, [])),
                     "<br>".join(dict.fromkeys(linked.get(c.ref, [])))))
    out = ["<h3>Cited documents</h3>",
           table(["document", "date", "issuer", "subject", "national", "cited by (mentions)", "is a plan here"], rows,
                 cls="items cited")]
    out.append("<h3>Cited documents that are plans of the dataset</h3>")
    evidence = [(_plan_link(e.citing_document, labels), esc(e.ref), _plan_link(e.linked_document, labels), esc(e.match),
                 _score(e.score), _reasons(e.reasons)) for e in corpus.links if e.linked_document]
    out.append(table(["citing plan", "cites", "which is the plan", "match", "score", "reasons"], evidence, cls="items evidence")
               if evidence else '<p class="note">No document cited by a plan is itself a plan of this dataset.</p>')
    out.append("<h3>Parent plans</h3>")
    parents = [(_plan_link(p.document, labels), _plan_link(p.parent, labels), esc(p.ref), esc(p.match),
                _score(p.score), _reasons(p.reasons)) for p in corpus.parents]
    out.append(table(["plan", "implements (parent)", "via citation", "match", "score", "reasons"], parents, cls="items evidence")
               if parents else '<p class="note">No plan of this dataset implements another plan of it '
                               '(none cites a plan that is here).</p>')
    return "".join(out)


def _plan_link(document_id: str | None, labels: dict[str, str]) -> str:
    if not document_id:
        return ""
    if document_id not in labels:
        return esc(document_id)
    return link(f"plan-{document_id}", esc(labels[document_id]))


def _score(score: float | None) -> str:
    return "" if score is None else f"{score:.2f}"


def _reasons(reasons: tuple[str, ...]) -> str:
    return "<ul>" + "".join(f"<li>{esc(r)}</li>" for r in reasons) + "</ul>" if reasons else ""


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"

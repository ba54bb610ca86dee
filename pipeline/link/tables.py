"""The link tables of the dataset: concepts, the citation graph and parent links, as rows, and
back from the DuckDB file into the same typed objects.

Computed over every plan of the dataset at once (each plan's links depend on the others), after
the per-document tables; column names follow schema/dataset.yaml.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..model import Document
from .concepts import assign_concepts, indicator_refs
from .graph import CitationEdge, CitedDocument, ParentLink, citation_graph, parent_links


def link_rows(docs: Sequence[Document], concept_mapping: Path | None) -> dict[str, list[dict[str, Any]]]:
    """Rows of indicator_concepts, cited_documents, citation_links and plan_links."""
    mapping = concept_mapping if concept_mapping is not None and concept_mapping.exists() else None
    concepts = assign_concepts(indicator_refs(docs), mapping=mapping)
    nodes, edges = citation_graph(docs)
    parents = parent_links(docs, graph=(nodes, edges))
    return {
        "indicator_concepts": [
            {"document_id": c.document_id, "indicator_id": c.indicator_id, "concept_id": c.concept_id,
             "concept_name": c.concept_name, "how": c.how, "score": c.score} for c in concepts],
        "cited_documents": [
            {"ref": n.ref, "doc_type": n.doc_type, "number": n.number, "issued_date": n.issued_date,
             "issuer": n.issuer, "title": n.title, "national": n.national, "kind": n.kind} for n in nodes],
        "citation_links": [
            {"citing_document": e.citing_document, "ref": e.ref, "mentions": e.mentions,
             "linked_document": e.linked_document, "match": e.match, "score": e.score,
             "reasons": "\n".join(e.reasons) or None} for e in edges],
        "plan_links": [
            {"document_id": p.document, "parent_id": p.parent, "ref": p.ref, "match": p.match, "score": p.score,
             "reasons": "\n".join(p.reasons) or None} for p in parents],
    }


# --- Back from the dataset ------------------------------------------------------------------------


def stored_lines(value: str | None) -> tuple[str, ...]:
    """A list stored one item per line (reasons) back as a tuple."""
    return tuple(line for line in (value or "").splitlines() if line.strip())


def cited_documents_of(con) -> list[CitedDocument]:
    """The nodes of the citation graph from a dataset connection: plans first, national first."""
    rows = con.execute("SELECT ref, doc_type, number, issued_date, issuer, title, national, kind FROM cited_documents "
                       "ORDER BY kind, national DESC, doc_type, number, ref").fetchall()
    return [CitedDocument(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7]) for r in rows]


def citation_edges_of(con) -> list[CitationEdge]:
    rows = con.execute("SELECT citing_document, ref, mentions, linked_document, match, score, reasons "
                       "FROM citation_links ORDER BY citing_document, ref").fetchall()
    return [CitationEdge(r[0], r[1], int(r[2] or 0), r[3], r[4], r[5], stored_lines(r[6])) for r in rows]


def parent_links_of(con, document_id: str | None = None) -> list[ParentLink]:
    """Parent links of the dataset, or of one plan."""
    rows = con.execute("SELECT document_id, parent_id, ref, match, score, reasons FROM plan_links "
                       "WHERE ? IS NULL OR document_id = ? ORDER BY document_id, parent_id",
                       [document_id, document_id]).fetchall()
    return [ParentLink(r[0], r[1], r[2], r[3], r[4], stored_lines(r[5])) for r in rows]

"""The link tables of the dataset: concepts, the citation graph and parent links, as rows.

Computed over every plan of the dataset at once (each plan's links depend on the others), after
the per-document tables; column names follow schema/dataset.yaml.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..model import Document
from .concepts import assign_concepts, indicator_refs
from .graph import citation_graph, parent_links


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

"""What the report shows, read from a dataset folder: the DuckDB tables `kehoach ingest` wrote
(plans, cited documents, links, concepts, targets) and each plan's JSON (its text and items).

Every query of the report is here; the other modules only render these rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..compare import ConceptTarget, DatasetError, concept_targets, connect, load_document, plan_label
from ..dataset import DUCKDB_FILE
from ..link.graph import CitationEdge, CitedDocument, ParentLink, link_rules
from ..link.tables import cited_documents_of, citation_edges_of, parent_links_of, stored_lines
from ..model import Document


def level_rank(level: str | None) -> int:
    """Provinces first, then districts, then communes (rules/links.yaml `level_rank`); unknown last."""
    return link_rules().level_rank.get(level or "", 9)

#: One colour per plan, the same in charts and the citation graph (matplotlib's tab10).
PLAN_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
               "#bcbd22", "#17becf")

#: Tables the report reads; a folder without them is not a (current) kehoach dataset.
REQUIRED_TABLES = ("documents", "indicator_targets", "indicators", "indicator_concepts", "units", "deadlines",
                   "percentages", "cited_documents", "citation_links", "plan_links")


@dataclass(frozen=True)
class PlanRow:
    """A plan of the dataset (a `documents` row) with its item counts."""

    document_id: str
    label: str  # "Quảng Ninh", or "Quảng Ninh (Sở …)" when two plans share a locality
    color: str
    source: str
    format: str
    doc_type: str | None
    number: str | None
    symbol: str | None
    issuer: str | None
    locality: str | None
    level: str | None
    place: str | None
    issued_date: str | None
    title: str | None
    signer_name: str | None
    signer_title: str | None
    page_count: int | None
    text_quality: float | None
    counts: dict[str, int]  # sections, tables, citations, indicators, targets, tasks, units, deadlines, percentages
    warnings: tuple[str, ...]

    @property
    def number_text(self) -> str:
        """The plan's number, or its symbol behind a blank number ("…/KH-UBND")."""
        return self.number or (f"…/{self.symbol}" if self.symbol else "")


@dataclass(frozen=True)
class Corpus:
    dataset: Path
    plans: tuple[PlanRow, ...]
    cited: tuple[CitedDocument, ...]
    links: tuple[CitationEdge, ...]
    parents: tuple[ParentLink, ...]
    concepts: dict[tuple[str, str], tuple[str, str]]  # (document_id, indicator_id) -> (concept_id, name)
    targets: tuple[ConceptTarget, ...]

    def plan(self, document_id: str) -> PlanRow | None:
        return next((p for p in self.plans if p.document_id == document_id), None)

    def document(self, document_id: str) -> Document:
        return load_document(self.dataset, document_id)


_DOCUMENTS = """
SELECT document_id, source, format, doc_type, number, symbol, issuer, locality, locality_level, place, issued_date,
       title, signer_name, signer_title, page_count, text_quality, sections, tables, citations, indicators, tasks,
       warnings
FROM documents
"""

_COUNTS = {  # item counts the documents table does not carry
    "targets": "SELECT document_id, count(*) FROM indicator_targets GROUP BY document_id",
    "units": "SELECT document_id, count(*) FROM units GROUP BY document_id",
    "deadlines": "SELECT document_id, count(*) FROM deadlines GROUP BY document_id",
    "percentages": "SELECT document_id, count(*) FROM percentages GROUP BY document_id",
}

def read_corpus(dataset: Path) -> Corpus:
    """Everything the report needs from the dataset's DuckDB file (the plans' JSON is read later,
    one plan at a time)."""
    import duckdb

    if not dataset.is_dir():
        raise DatasetError(f"{dataset}: no such folder")
    try:
        with connect(dataset) as con:
            present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            missing = [t for t in REQUIRED_TABLES if t not in present]
            if missing:
                raise DatasetError(f"{dataset}: {DUCKDB_FILE} has no table {missing[0]} (ingest again with this "
                                   "version of kehoach)")
            documents = con.execute(_DOCUMENTS).fetchall()
            counts = {kind: dict(con.execute(sql).fetchall()) for kind, sql in _COUNTS.items()}
            cited, links, parents = cited_documents_of(con), citation_edges_of(con), parent_links_of(con)
            concepts = con.execute("SELECT document_id, indicator_id, concept_id, concept_name "
                                   "FROM indicator_concepts").fetchall()
            targets = concept_targets(con)
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DatasetError(f"{dataset}: {DUCKDB_FILE} cannot be read ({reason})") from exc
    return Corpus(
        dataset=dataset,
        plans=_plan_rows(documents, counts),
        cited=tuple(cited),
        links=tuple(links),
        parents=tuple(parents),
        concepts={(r[0], r[1]): (r[2], r[3]) for r in concepts},
        targets=tuple(targets),
    )


def _plan_rows(documents: list[tuple], counts: dict[str, dict[str, int]]) -> tuple[PlanRow, ...]:
    documents = sorted(documents, key=lambda d: (level_rank(d[8]), d[8] or "", d[7] or "", d[10] or "", d[0]))
    localities = Counter(d[7] for d in documents)
    plans = []
    for n, d in enumerate(documents):
        (doc_id, source, fmt, doc_type, number, symbol, issuer, locality, level, place, issued, title, signer_name,
         signer_title, page_count, quality, sections, tables, citations, indicators, tasks, warnings) = d
        label = plan_label(doc_id, locality, issuer, localities[locality] > 1)
        item_counts = {"sections": sections or 0, "tables": tables or 0, "citations": citations or 0,
                       "indicators": indicators or 0, "targets": counts["targets"].get(doc_id, 0),
                       "tasks": tasks or 0, "units": counts["units"].get(doc_id, 0),
                       "deadlines": counts["deadlines"].get(doc_id, 0),
                       "percentages": counts["percentages"].get(doc_id, 0)}
        plans.append(PlanRow(doc_id, label, PLAN_COLORS[n % len(PLAN_COLORS)], source, fmt, doc_type, number, symbol,
                             issuer, locality, level, place, issued, title, signer_name, signer_title,
                             _int(page_count), quality, item_counts, stored_lines(warnings)))
    return tuple(plans)


def _int(value) -> int | None:
    return None if value is None else int(value)

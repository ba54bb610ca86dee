"""What the report shows, read from a dataset folder: the DuckDB tables `kehoach ingest` wrote
(plans, cited documents, links, concepts, targets) and each plan's JSON (its text and items).

Every query of the report is here; the other modules only render these rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..compare import DatasetError, connect, load_document
from ..dataset import DUCKDB_FILE
from ..model import Document

#: Ranks of locality levels, province first: the order plans are listed in.
LEVEL_RANK = {"tỉnh": 0, "thành phố": 0, "huyện": 1, "quận": 1, "thị xã": 1, "xã": 2, "phường": 2,
              "thị trấn": 2, "đặc khu": 2}

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
class CitedDocument:
    """A node of the citation graph (`cited_documents`)."""

    ref: str
    doc_type: str | None
    number: str | None
    issued_date: str | None
    issuer: str | None
    title: str | None
    national: bool
    kind: str  # cited | plan


@dataclass(frozen=True)
class CitationLink:
    """An edge: a plan cites a document (`citation_links`), maybe a plan of the dataset."""

    citing: str
    ref: str
    mentions: int
    linked: str | None
    match: str | None
    score: float | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ParentLink:
    """A plan and the plan of the dataset it implements (`plan_links`)."""

    document_id: str
    parent_id: str
    ref: str | None
    match: str
    score: float | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class TargetRow:
    """A target of an indicator with its concept (charts)."""

    concept_id: str
    concept_name: str
    document_id: str
    indicator_id: str
    unit: str | None
    year: int
    op: str | None
    value: float | None
    text: str
    scope: str | None


@dataclass(frozen=True)
class Corpus:
    dataset: Path
    plans: tuple[PlanRow, ...]
    cited: tuple[CitedDocument, ...]
    links: tuple[CitationLink, ...]
    parents: tuple[ParentLink, ...]
    concepts: dict[tuple[str, str], tuple[str, str]]  # (document_id, indicator_id) -> (concept_id, name)
    targets: tuple[TargetRow, ...]

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

_TARGETS = """
SELECT c.concept_id, c.concept_name, t.document_id, t.indicator_id, i.unit, t.year, t.op, t.value, t.text, t.scope
FROM indicator_targets t
JOIN indicators i USING (document_id, indicator_id)
JOIN indicator_concepts c USING (document_id, indicator_id)
WHERE t.year IS NOT NULL
ORDER BY c.concept_id, t.document_id, t.indicator_id, t.scope NULLS FIRST, t.year
"""


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
            cited = con.execute("SELECT ref, doc_type, number, issued_date, issuer, title, national, kind "
                                "FROM cited_documents ORDER BY kind, national DESC, doc_type, number, ref").fetchall()
            links = con.execute("SELECT citing_document, ref, mentions, linked_document, match, score, reasons "
                                "FROM citation_links ORDER BY citing_document, ref").fetchall()
            parents = con.execute("SELECT document_id, parent_id, ref, match, score, reasons FROM plan_links "
                                  "ORDER BY document_id, parent_id").fetchall()
            concepts = con.execute("SELECT document_id, indicator_id, concept_id, concept_name "
                                   "FROM indicator_concepts").fetchall()
            targets = con.execute(_TARGETS).fetchall()
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DatasetError(f"{dataset}: {DUCKDB_FILE} cannot be read ({reason})") from exc
    return Corpus(
        dataset=dataset,
        plans=_plan_rows(documents, counts),
        cited=tuple(CitedDocument(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7]) for r in cited),
        links=tuple(CitationLink(r[0], r[1], int(r[2] or 0), r[3], r[4], r[5], _lines(r[6])) for r in links),
        parents=tuple(ParentLink(r[0], r[1], r[2], r[3], r[4], _lines(r[5])) for r in parents),
        concepts={(r[0], r[1]): (r[2], r[3]) for r in concepts},
        targets=tuple(TargetRow(*r) for r in targets),
    )


def _plan_rows(documents: list[tuple], counts: dict[str, dict[str, int]]) -> tuple[PlanRow, ...]:
    documents = sorted(documents, key=lambda d: (LEVEL_RANK.get(d[8] or "", 9), d[8] or "", d[7] or "", d[10] or "",
                                                 d[0]))
    localities = Counter(d[7] for d in documents)
    plans = []
    for n, d in enumerate(documents):
        (doc_id, source, fmt, doc_type, number, symbol, issuer, locality, level, place, issued, title, signer_name,
         signer_title, page_count, quality, sections, tables, citations, indicators, tasks, warnings) = d
        label = locality or issuer or doc_id
        if locality and localities[locality] > 1:
            label = f"{locality} ({issuer or doc_id})"
        item_counts = {"sections": sections or 0, "tables": tables or 0, "citations": citations or 0,
                       "indicators": indicators or 0, "targets": counts["targets"].get(doc_id, 0),
                       "tasks": tasks or 0, "units": counts["units"].get(doc_id, 0),
                       "deadlines": counts["deadlines"].get(doc_id, 0),
                       "percentages": counts["percentages"].get(doc_id, 0)}
        plans.append(PlanRow(doc_id, label, PLAN_COLORS[n % len(PLAN_COLORS)], source, fmt, doc_type, number, symbol,
                             issuer, locality, level, place, issued, title, signer_name, signer_title,
                             _int(page_count), quality, item_counts, _lines(warnings)))
    return tuple(plans)


def _lines(value: str | None) -> tuple[str, ...]:
    if not isinstance(value, str):  # NULL (None, or NaN through pandas-free DuckDB: None)
        return ()
    return tuple(line for line in value.splitlines() if line.strip())


def _int(value) -> int | None:
    return None if value is None else int(value)

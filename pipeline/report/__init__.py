"""`kehoach report`: one self-contained HTML page about a dataset.

Reads the dataset only (STYLE.md: extract/ finds, link/ resolves, report/ renders): the DuckDB
tables for the overview, the comparison, the charts and the citation graph, each plan's JSON for
its page. The page needs nothing at view time: CSS inline, charts and graph inline SVG, no
script, no font or image from elsewhere.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .. import __version__
from .charts import charts
from .corpus import Corpus, read_corpus
from .html import esc, link
from .pages import (
    charts_section,
    comparison,
    graph_section,
    overview,
    plan_nav,
    plan_page,
)

CSS_FILE = "report.css"


def build_report(dataset: Path) -> str:
    """The report page of a dataset folder written by `kehoach ingest`. Raises
    `compare.DatasetError` when the folder is not such a dataset."""
    corpus = read_corpus(Path(dataset))
    return render(corpus)


def render(corpus: Corpus) -> str:
    sections = [overview(corpus), comparison(corpus), charts_section(charts(corpus)), graph_section(corpus)]
    plans = [plan_page(corpus, plan, corpus.document(plan.document_id)) for plan in corpus.plans]
    nav = " · ".join(link(a, esc(t)) for a, t in (("overview", "Overview"), ("comparison", "Comparison"),
                                                  ("charts", "Targets by year"), ("graph", "Citation graph")))
    title = f"kehoach report: {len(corpus.plans)} plans"
    return ("<!DOCTYPE html>\n"
            f'<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, '
            f'initial-scale=1"><meta name="generator" content="kehoach {esc(__version__)}">'
            f"<title>{esc(title)}</title><style>{stylesheet()}</style></head><body>"
            f'<header><h1>{esc(title)}</h1><nav class="top">{nav}</nav>{plan_nav(corpus)}</header><main>'
            + "".join(sections)
            + '<div id="plans"><h2 class="plans-head">Plans</h2>' + "".join(plans) + "</div>"
            + "</main></body></html>\n")


def stylesheet() -> str:
    return resources.files(__package__).joinpath(CSS_FILE).read_text(encoding="utf-8")


__all__ = ["build_report", "render"]

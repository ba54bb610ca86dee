"""The same table in three shapes gives the same rows.

Seeds 002, 003 and 004 carry their appendix tables flattened (one cell fragment per
line). Their reviewed gold rows are written back as real tables — a ruled PDF table
that breaks across pages with its header repeated, and a Word table — and the
pipeline must read the gold rows back from each.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.extract import extract_document
from tests.make_docx import make_plan_docx
from tests.render import render_pdf

ROOT = Path(__file__).resolve().parents[1]
GOLD = {p.stem[:3]: p for p in sorted((ROOT / "annotations" / "tables").glob("*.json"))}


def _gold(seed: str) -> dict:
    return json.loads(GOLD[seed].read_text(encoding="utf-8"))


def lines_with_real_tables(seed: str) -> tuple[list[str], dict]:
    """The seed's normalized text with each flattened table replaced by its gold rows as tab rows."""
    gold = _gold(seed)
    doc = extract_document(ROOT / "corpus" / gold["document"])
    flat = [t for t in doc.tables if t.shape == "flattened"]
    pieces, at = [], 0
    for table, gold_table in zip(flat, gold["tables"]):
        pieces.append(doc.text[at : table.start])
        pieces.append("\n".join(_tab_rows(gold_table)) + "\n")
        at = table.end
    pieces.append(doc.text[at:])
    return "".join(pieces).split("\n"), gold


def _tab_rows(gold_table: dict) -> list[str]:
    rows = ["\t".join(gold_table["columns"])]
    group = None
    for row in gold_table["rows"]:
        if row["group"] and row["group"] != group:
            group = row["group"]
            number, title = group.split(". ", 1)
            rows.append("\t".join([number, title] + [""] * (len(gold_table["columns"]) - 2)))
        rows.append("\t".join(row["cells"]))
    return rows


def _assert_same_rows(doc, gold: dict) -> None:
    tables = [t for t in doc.tables if len(t.columns) > 1]
    assert [len(t.rows) for t in tables] == [len(t["rows"]) for t in gold["tables"]]
    for table, gold_table in zip(tables, gold["tables"]):
        assert [c.name for c in table.columns] == gold_table["columns"]
        for row, gold_row in zip(table.rows, gold_table["rows"]):
            assert [" ".join(c.split()) for c in row.cells] == [" ".join(c.split()) for c in gold_row["cells"]]
            assert row.group == gold_row["group"]


@pytest.mark.parametrize("seed", sorted(GOLD))
def test_ruled_pdf_tables_give_the_gold_rows(tmp_path, seed):
    lines, gold = lines_with_real_tables(seed)
    pdf = render_pdf(lines, tmp_path / f"{seed}.pdf", tables=True)
    doc = extract_document(pdf)
    _assert_same_rows(doc, gold)
    assert any(t.page_end and t.page_start and t.page_end > t.page_start for t in doc.tables), "no table breaks a page"


@pytest.mark.parametrize("seed", sorted(GOLD))
def test_docx_tables_give_the_gold_rows(tmp_path, seed):
    lines, gold = lines_with_real_tables(seed)
    doc = extract_document(make_plan_docx(tmp_path / f"{seed}.docx", lines))
    _assert_same_rows(doc, gold)

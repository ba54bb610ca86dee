"""Train and measure the fragment classifier of flattened tables.

Gold tables live in annotations/tables/<plan>.json (reviewed by hand, see
annotations/README.md). Each fragment the row reader finds in the plan's
text is labelled with the column of the gold cell that holds its text; the
model learns the column's role from the fragment's cues.

    python -m pipeline.tables.training            # leave-one-plan-out, then train on all and save
    kehoach train                                 # the same through the CLI

It prints fragment accuracy and whole-cell accuracy, model beside rules, and
writes models/table_fragments.{joblib,metrics.json,md}.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .. import modelfile
from ..load import load
from ..normalize import normalize
from ..segment import paragraphs_of, segment
from . import classifier
from .classifier import MODEL_FILE, START, ModelScorer, RuleScorer, fragment_features
from .flattened import FlatRow, FlatTable, appendix_flat_tables, column_path, read_flat_tables, row_cells

ROOT = Path(__file__).resolve().parents[2]
GOLD_DIR = ROOT / "annotations" / "tables"
CORPUS_DIR = ROOT / "corpus"


@dataclass
class GoldRow:
    flat: FlatRow
    roles: list[str]  # roles of the content columns (all but the number column)
    labels: list[int]  # gold column (index into roles) of each piece
    cells: list[str]  # gold cells of the content columns


@dataclass
class GoldPlan:
    name: str
    text: str
    tables: list[tuple[FlatTable, list[GoldRow]]]


def _norm(text: str) -> str:
    return " ".join(text.split())


def load_gold(gold_file: Path, corpus_dir: Path = CORPUS_DIR) -> GoldPlan:
    """The plan's flattened tables as the reader finds them, with the gold column of every piece."""
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    norm = normalize(load(corpus_dir / gold["document"]))
    flats = [flat for _section, flat in appendix_flat_tables(norm.text, segment(norm.text))]
    if len(flats) != len(gold["tables"]):
        raise ValueError(f"{gold_file.name}: {len(flats)} tables found, {len(gold['tables'])} in the gold")
    tables = []
    for flat, gold_table in zip(flats, gold["tables"]):
        if len(flat.rows) != len(gold_table["rows"]):
            raise ValueError(f"{gold_file.name}: {len(flat.rows)} rows found, {len(gold_table['rows'])} in the gold")
        tables.append((flat, _gold_rows(flat, [r["cells"] for r in gold_table["rows"]])))
    return GoldPlan(gold["document"], norm.text, tables)


def _gold_rows(flat: FlatTable, gold_cells: Sequence[Sequence[str]]) -> list[GoldRow]:
    """Each row the reader found, with the gold cells of its content columns and the gold column of each piece."""
    rows = []
    for flat_row, cells in zip(flat.rows, gold_cells):
        content_cells = [cells[k] for k in flat.content]
        rows.append(GoldRow(flat_row, flat.roles, _labels(flat_row, content_cells), content_cells))
    return rows


def _labels(row: FlatRow, cells: Sequence[str]) -> list[int]:
    """Column of each piece: the first cell, from the current one rightwards, whose
    unread rest holds the piece's text ("100% 100%": one value per target column)."""
    normalized = [_norm(c) for c in cells]
    read = [0] * len(cells)
    column, labels = 0, []
    for piece in row.pieces:
        text = _norm(piece.text)
        for j in range(column, len(cells)):
            at = normalized[j].find(text, read[j])
            if at >= 0:
                column, read[j] = j, at + len(text)
                break
        # else: a piece the rebuild splits (a task end printed after the deadline): keep the column
        labels.append(column)
    return labels


# --------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------


def training_rows(plans: Sequence[GoldPlan]) -> tuple[list[dict], list[str]]:
    features, targets = [], []
    for plan in plans:
        for _flat, rows in plan.tables:
            for row in rows:
                for i, label in enumerate(row.labels):
                    x = fragment_features(row.flat.pieces, i, row.flat.kinds[i], row.roles)
                    prev = START if i == 0 else classifier._label(row.roles[row.labels[i - 1]])
                    x[f"prev_role={prev}"] = 1.0
                    features.append(x)
                    targets.append(classifier._label(row.roles[label]))
    return features, targets


def layouts(plans: Sequence[GoldPlan]) -> frozenset:
    return frozenset(classifier.layout(rows[0].roles) for plan in plans for _flat, rows in plan.tables if rows)


def train(plans: Sequence[GoldPlan], c: float = 1.0):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    features, targets = training_rows(plans)
    model = make_pipeline(DictVectorizer(), LogisticRegression(C=c, max_iter=2000))
    model.fit(features, targets)
    return model


def save(model, plans: Sequence[GoldPlan], metrics: dict, path: Path = MODEL_FILE) -> None:
    """The model with what the loader checks: feature version, scikit-learn release, the
    table layouts it knows, and whether it beat the rules on held-out plans."""
    payload = {
        "pipeline": model,
        "layouts": sorted(sorted(x) for x in layouts(plans)),  # sorted: the same bytes on every run
        "preferred": metrics["preferred"] == "rules+model",
    }
    modelfile.save(path, payload, classifier.FEATURE_VERSION, metrics)


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------


def score(plan: GoldPlan, scorer) -> dict:
    """Fragment accuracy (column of each piece) and whole-cell accuracy of one plan."""
    pieces_right = pieces_all = cells_right = cells_all = 0
    for flat, rows in plan.tables:
        for gold_row in rows:
            path = column_path(flat, gold_row.flat, scorer)
            pieces_right += sum(p == g for p, g in zip(path, gold_row.labels))
            pieces_all += len(path)
            cells = row_cells(flat, gold_row.flat, path, plan.text)
            predicted = [cells[k] for k in flat.content]
            cells_right += sum(_norm(p) == _norm(g) for p, g in zip(predicted, gold_row.cells))
            cells_all += len(gold_row.cells)
    return {
        "fragments": pieces_all,
        "fragment_accuracy": round(pieces_right / pieces_all, 4) if pieces_all else None,
        "cells": cells_all,
        "cell_accuracy": round(cells_right / cells_all, 4) if cells_all else None,
    }


def leave_one_plan_out(plans: Sequence[GoldPlan]) -> dict:
    results = {}
    for held_out in plans:
        training = [p for p in plans if p is not held_out]
        model = train(training)
        results[held_out.name] = {
            "rules+model": score(held_out, ModelScorer(model, layouts(training))),
            "model": score(held_out, ModelScorer(model, with_rules=False)),
            "rules": score(held_out, RuleScorer()),
        }
    return results


def gold_plans(gold_dir: Path = GOLD_DIR, corpus_dir: Path = CORPUS_DIR) -> list[GoldPlan]:
    """The reviewed flattened plans, plus the tab-delimited tables of the corpus flattened
    the way a PDF flattens them (their cells are given by the file itself)."""
    plans = [load_gold(f, corpus_dir) for f in sorted(gold_dir.glob("*.json"))]
    gold_names = {p.name for p in plans}
    for path in sorted(corpus_dir.glob("*.txt")):
        if path.name not in gold_names:
            plan = flattened_copy(path)
            if plan.tables:
                plans.append(plan)
    return plans


# how wide (in characters) a column of each role prints; a cell wraps into lines of about that much
_WIDTHS = {"task": 70, "indicator": 60, "implementer": 45, "lead": 26, "support": 30, "deadline": 14,
           "target": 12, "output": 28, "unit_of_measure": 8, "other": 20}


def flattened_copy(path: Path) -> GoldPlan:
    """A plan's delimited tables written out as a PDF's text layer gives them: the header on
    a line or two, then each cell wrapped into lines, cell after cell, group rows between."""
    import textwrap

    from .delimited import find_delimited_tables

    norm = normalize(load(path))
    lines: list[str] = []
    expected: list[tuple[list[str], list[list[str]]]] = []
    for table in find_delimited_tables(norm.text, segment(norm.text), norm.page_at):
        if sum(c.role == "seq" for c in table.columns) != 1 or len(table.columns) < 3:
            continue
        names = [c.name for c in table.columns]
        lines += [" ".join(names[:3])] + names[3:]
        group = None
        for row in table.rows:
            if row.group != group and row.group:
                group = row.group
                lines.append(group)
            for column, cell in zip(table.columns, row.cells):
                width = _WIDTHS.get(column.role, 20)
                lines += textwrap.wrap(cell, width) if column.role != "seq" else [cell]
        expected.append((names, [r.cells for r in table.rows]))
    text = "\n".join(lines)
    tables = []
    flats = read_flat_tables(paragraphs_of(text))
    for flat, (names, gold_rows) in zip(flats, expected):
        if len(flat.rows) != len(gold_rows) or [c.name for c in flat.columns] != names:
            continue  # the reader does not find this copy's rows: leave it out rather than mislabel
        tables.append((flat, _gold_rows(flat, gold_rows)))
    return GoldPlan(f"{path.name} (flattened copy)", text, tables)


def run(gold_dir: Path = GOLD_DIR, corpus_dir: Path = CORPUS_DIR, out: Path = MODEL_FILE,
        exclude: frozenset[str] = frozenset(), measure: bool = True) -> dict:
    """Leave-one-plan-out figures, then the model trained on every plan, saved with its card.

    `exclude` leaves plans (by file stem) out of training: a model for leave-one-document-out
    evaluation. Without `measure` the held-out figures are skipped, and the choice between model
    and rules is the one the full model made (the models folder's metrics)."""
    plans = [p for p in gold_plans(gold_dir, corpus_dir) if _stem(p.name) not in exclude]
    model = train(plans)
    features, _ = training_rows(plans)
    metrics = {
        "model": out.name,
        "date": dt.date.today().isoformat(),
        "feature_version": classifier.FEATURE_VERSION,
        "training_fragments": len(features),
        "plans": [p.name for p in plans],
        "excluded": sorted(exclude),
    }
    if measure:
        loo = leave_one_plan_out(plans)
        held_out = {name: sum(r[name]["cell_accuracy"] for r in loo.values()) / len(loo) for name in SCORERS}
        metrics.update({
            "leave_one_plan_out": loo,
            "mean_held_out_cell_accuracy": {k: round(v, 4) for k, v in held_out.items()},
            "preferred": "rules+model" if held_out["rules+model"] > held_out["rules"] else "rules",
            "training_set": {p.name: score(p, ModelScorer(model, layouts(plans))) for p in plans},
        })
    else:
        metrics["preferred"] = _recorded_preference()
    save(model, plans, metrics, out)
    if measure:
        out.with_suffix(".md").write_text(model_card(metrics), encoding="utf-8")
    classifier.default_scorer.cache_clear()
    return metrics


def _stem(plan_name: str) -> str:
    """ "000_x.txt (flattened copy)" -> "000_x" """
    return plan_name.split(" ")[0].rsplit(".", 1)[0]


def _recorded_preference() -> str:
    recorded = modelfile.DEFAULT_DIR / MODEL_FILE.with_suffix(".metrics.json").name
    if recorded.exists():
        return json.loads(recorded.read_text(encoding="utf-8")).get("preferred", "rules")
    return "rules"


SCORERS = ("rules+model", "model", "rules")


def report(metrics: dict) -> str:
    """Leave-one-plan-out table: fragment accuracy, then whole-cell accuracy, per scorer."""
    head = "".join(f"{s + ' frag':>18}" for s in SCORERS) + "".join(f"{s + ' cells':>18}" for s in SCORERS)
    lines = [f"{'held-out plan':<44}{'fragments':>10}{head}"]
    for name, r in metrics["leave_one_plan_out"].items():
        frag = "".join(f"{r[s]['fragment_accuracy']:>18.3f}" for s in SCORERS)
        cells = "".join(f"{r[s]['cell_accuracy']:>18.3f}" for s in SCORERS)
        lines.append(f"{name:<44}{r['rules']['fragments']:>10}{frag}{cells}")
    mean = metrics.get("mean_held_out_cell_accuracy")
    if mean:
        lines.append("mean held-out cell accuracy: " + ", ".join(f"{k} {v:.3f}" for k, v in mean.items()))
        lines.append(f"the pipeline uses: {metrics['preferred']}")
    return "\n".join(lines)


def model_card(metrics: dict) -> str:
    return f"""# Model card: table_fragments

Which column a line fragment of a flattened table belongs to (pipeline/tables/classifier.py).

- **Task**: label each fragment of a flattened table row with its column's role (task, indicator,
  implementer, lead, support, deadline, target, output, unit_of_measure, other); the column path of
  `flattened.assign_columns` turns the per-fragment log-probabilities into one left-to-right
  assignment.
- **Data**: the reviewed gold tables in `annotations/tables/` ({", ".join(metrics["plans"])}),
  {metrics["training_fragments"]} fragments.
- **Features** (v{metrics["feature_version"]}): place in the row, length, capitalisation, bullet,
  last character, the first one and two words, underthesea's part of speech of the first word,
  unit / deadline / value cues (rules/units.yaml, rules/deadlines.yaml), how the fragment follows the
  previous one, the previous fragment's cues and column role, the roles the table has.
- **Model**: scikit-learn DictVectorizer + LogisticRegression (C=1).
- **Evaluation**: leave one plan out (trained on the others, scored on the held-out one), beside the
  rules-only scorer on the same plan. Fragment accuracy = share of fragments put in their gold
  column; cell accuracy = share of cells equal to the gold cell (whitespace aside).

```
{report(metrics)}
```

- **Use**: the pipeline scores fragments with rules+model only when that beat the rules alone on
  the held-out plans above (now: **{metrics["preferred"]}**); `KEHOACH_TABLE_SCORER=model` forces the
  model, `=rules` the rules.
- **Date**: {metrics["date"]}. Rebuild with `kehoach train` (or `python -m pipeline.tables.training`).
- **Read with care**: the rules were written while reading these same plans, so their column is
  not a held-out figure for the rules; only the model's columns are. The flattened copy of seed
  000 (its tab-separated tables wrapped the way a PDF wraps cells) is the plan the rules were
  least tuned on.
- **Limits**: three plans of one sector (education) and one PDF producer family; the rules carry
  the structure (header, row numbers, groups), the model only the column of each fragment. When this
  file is missing or was built for another feature version or scikit-learn release, the pipeline
  uses the rules and says so.
"""


if __name__ == "__main__":  # pragma: no cover - the CLI has the same entry
    print(report(run()))

"""Builds notebooks/compare_localities.ipynb from the cells below, outputs cleared.

    python notebooks/make_compare_localities.py           # (re)write the notebook
    python notebooks/make_compare_localities.py --check   # exit 1 when the stored notebook differs

The notebook is generated so that it is reproducible and reviewable: edit the cells here, run
this script, commit both files (tests/test_notebook.py checks they are in step).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOK = Path(__file__).resolve().with_name("compare_localities.ipynb")

# (kind, source): "md" for a markdown cell, "code" for a code cell. Each cell's id is its
# position ("cell-00" …) so that the file is the same on every run.
CELLS: list[tuple[str, str]] = [
    ("md", """\
# Comparing localities' plans for Nghị quyết 57-NQ/TW

The plans (*Kế hoạch*) in this dataset are how provinces, districts and communes put Nghị quyết
57-NQ/TW (science, technology, innovation and digital transformation, *chuyển đổi số*) into
practice in education. This notebook reads the dataset `kehoach ingest` builds and answers three
questions:

1. **Which localities set the highest 2030 targets** (*chỉ tiêu*) for online public services
   (*dịch vụ công trực tuyến*) and digital transformation?
2. **How are tasks (*nhiệm vụ*) spread over lead units** (*đơn vị chủ trì*), and how many have a
   due date?
3. **Which plans drop targets of the plan they implement** (their parent, *kế hoạch cấp trên*)?

Everything comes from the dataset's tables and views (documented in `docs/dataset.md`); the
notebook only reads it. Run it top to bottom."""),
    ("md", """\
## 1. The dataset

The notebook uses the dataset folder named by the environment variable `KEHOACH_DATASET`, else
`data/` in the checkout: what `kehoach ingest corpus/ --out data/` writes. When its
`kehoach.duckdb` is missing, the cell below runs that command first (well under a minute for the seed
corpus), so the notebook also works on a fresh clone."""),
    ("code", """\
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display


def find_root(start: Path) -> Path:
    \"\"\"The kehoach checkout: the first folder at or above `start` with pyproject.toml and corpus/.\"\"\"
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "corpus").is_dir():
            return folder
    raise FileNotFoundError(f"no kehoach checkout at or above {start}")


ROOT = find_root(Path.cwd().resolve())
sys.path.insert(0, str(ROOT))  # the pipeline

from pipeline.compare import concept_matrix, lineage, lineage_records
from pipeline.link.lineage import KINDS

KEHOACH = [sys.executable, "-m", "pipeline.cli"]  # the `kehoach` command, run by this kernel's Python

DATASET = Path(os.environ.get("KEHOACH_DATASET") or ROOT / "data")
DB = DATASET / "kehoach.duckdb"
if not DB.is_file():
    print(f"{DB} is missing: running kehoach ingest {ROOT / 'corpus'} --out {DATASET} …")
    subprocess.run([*KEHOACH, "ingest", str(ROOT / "corpus"), "--out", str(DATASET), "--quiet"], check=True, cwd=ROOT)
print("dataset:", DATASET)

pd.set_option("display.max_colwidth", 90)
pd.set_option("display.max_rows", 100)
pd.set_option("display.width", 200)"""),
    ("md", """\
## 2. Corpus overview

One row per plan in `documents`: where it comes from (*địa phương*, and its level: tỉnh, thành
phố, huyện, xã …), who issued it, and how many indicators (*chỉ tiêu*) and tasks the pipeline
read from it. A plan with 0 indicators states no measurable targets (or states them in a form
the pipeline does not read). The connection is read-only: nothing here changes the dataset."""),
    ("code", """\
con = duckdb.connect(str(DB), read_only=True)


def sql(query: str, *params) -> pd.DataFrame:
    \"\"\"A query on the dataset as a DataFrame.\"\"\"
    return con.execute(query, list(params)).df()


documents = sql(\"\"\"
    SELECT locality, locality_level, issuer, number, issued_date, indicators, tasks, citations,
           source, document_id
    FROM documents ORDER BY locality_level, locality, issued_date\"\"\")
display(documents)"""),
    ("code", """\
overview = (documents.groupby(["locality_level", "locality"], dropna=False)
            .agg(plans=("document_id", "size"), indicators=("indicators", "sum"), tasks=("tasks", "sum")))
display(overview)
print(f"{len(documents)} plans from {documents.locality.nunique()} localities; "
      f"{(documents.indicators > 0).sum()} of them state indicators, {(documents.tasks > 0).sum()} list tasks")

milestones = sql(\"\"\"
    SELECT year, count(*) AS targets, count(DISTINCT document_id) AS plans
    FROM indicator_targets WHERE year IS NOT NULL GROUP BY year ORDER BY year\"\"\")
display(milestones.set_index("year").T)"""),
    ("md", """\
## 3. Who sets the highest 2030 targets for online public services and digital transformation?

Plans word the same indicator differently ("Tỷ lệ hồ sơ … xử lý trực tuyến toàn trình" and
"… được tiếp nhận và xử lý trực tuyến"). The dataset groups such indicators into **concepts**
(`indicator_concepts`: `how` = *mapping* when a person fixed it, *cluster* when grouped by
similarity, *single* when no other plan has it), so targets are compared concept by concept.

We search concept and indicator names for a few words. The search ignores case and accents
(*"truc tuyen"* finds *"trực tuyến"*); edit `SEARCH_WORDS` to widen it (e.g. "số hóa", "điện
tử", "thanh toán"). For each plan the cell value is its main 2030 target of the concept: the
target without a scope, else the first one (`pipeline.compare.concept_matrix`, the same as
`kehoach compare`)."""),
    ("code", """\
YEAR = 2030
SEARCH_WORDS = ["trực tuyến", "dịch vụ công", "chuyển đổi số"]

rows = []
for word in SEARCH_WORDS:
    matrix = concept_matrix(DATASET, YEAR, indicator=word)
    labels = {plan.document_id: plan.label for plan in matrix.plans}
    for row in matrix.rows:
        for document_id, cell in row.cells.items():
            rows.append({"word": word, "concept_id": row.concept_id, "concept": row.concept_name,
                         "document_id": document_id, "locality": labels[document_id], "value": cell.value,
                         "target": cell.text, "highest": cell.highest})
found = pd.DataFrame(rows)
assert not found.empty, f"no concept with a {YEAR} target matches {SEARCH_WORDS}"

how = sql(\"\"\"
    SELECT c.concept_id, any_value(c.how) AS how, string_agg(DISTINCT i.unit, ', ') AS unit
    FROM indicator_concepts c JOIN indicators i USING (document_id, indicator_id)
    GROUP BY c.concept_id\"\"\")
concepts = (found.groupby(["concept_id", "concept"], sort=False)
            .agg(words=("word", lambda w: ", ".join(dict.fromkeys(w))),
                 plans=("document_id", "nunique"),
                 localities=("locality", lambda s: ", ".join(sorted(set(s)))))
            .reset_index().merge(how, on="concept_id", how="left")
            .sort_values(["plans", "concept"], ascending=[False, True], ignore_index=True))
print(f"{len(concepts)} concepts with a {YEAR} target match {', '.join(repr(w) for w in SEARCH_WORDS)}:")
display(concepts)"""),
    ("md", """\
**Locality × concept.** The targets as written (≥ is *tối thiểu / trở lên*; a scope in brackets
is the part of the system a target applies to, e.g. *mầm non*, *phổ thông*); "–" where the plan
sets no target for the concept."""),
    ("code", """\
cells = found.drop_duplicates(["concept_id", "document_id"])
as_written = (cells.pivot(index=["concept_id", "concept"], columns="locality", values="target")
              .fillna("–").sort_index(level="concept"))
display(as_written)
pivot = cells.pivot(index="locality", columns="concept_id", values="value")  # the numbers, for the ranking
display(pivot)"""),
    ("md", """\
**Ranking.** Most concepts are set by one plan only, so levels are compared two ways:
head to head on the concepts several plans share (`highest_on_shared`: how often the locality's
target is the highest where the plans differ), then by the mean of its targets over all matched
concepts (all are percentages). The comparator is not weighed: "> 90" and "≥ 90" both count 90.
Localities whose plans set no 2030 target on these concepts are listed below the table."""),
    ("code", """\
plans_per_concept = cells.groupby("concept_id")["document_id"].nunique()
shared = set(plans_per_concept[plans_per_concept > 1].index)
ranking = (cells.assign(shared=cells.concept_id.isin(shared),
                        top=cells.highest & cells.concept_id.isin(shared),
                        at_100=cells.value >= 100)
           .groupby("locality")
           .agg(concepts=("concept_id", "nunique"), shared_concepts=("shared", "sum"),
                highest_on_shared=("top", "sum"), mean_target=("value", "mean"),
                lowest_target=("value", "min"), targets_at_100=("at_100", "sum"))
           .sort_values(["highest_on_shared", "mean_target", "concepts"], ascending=False))
ranking.insert(0, "rank", range(1, len(ranking) + 1))
display(ranking.round(1))

unranked = documents[~documents.document_id.isin(cells.document_id)]
print("No", YEAR, "target on these concepts:",
      "; ".join(f"{r.locality} ({r.locality_level}, {r.indicators} indicators)" for r in unranked.itertuples()) or "none")
print("Shared concepts:", "; ".join(concepts[concepts.concept_id.isin(shared)].concept) or "none")"""),
    ("code", """\
short = {c.concept_id: (c.concept if len(c.concept) <= 48 else c.concept[:47] + "…") for c in concepts.itertuples()}
heat = pivot.T.loc[concepts.concept_id, ranking.index]  # concepts (most plans first) x localities (by rank)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 0.42 * len(heat) + 1.8), width_ratios=[3, 2])
image = ax1.imshow(heat.to_numpy(dtype=float), cmap="YlGn", vmin=40, vmax=100, aspect="auto")
ax1.set_xticks(range(len(heat.columns)), heat.columns)
ax1.set_yticks(range(len(heat.index)), [short[c] for c in heat.index], fontsize=8)
for i, concept_id in enumerate(heat.index):
    for j, locality in enumerate(heat.columns):
        value = heat.loc[concept_id, locality]
        if pd.notna(value):
            ax1.text(j, i, f"{value:g}", ha="center", va="center", fontsize=8)
ax1.set_title(f"{YEAR} targets (%) by concept")
fig.colorbar(image, ax=ax1, shrink=0.6)

bars = ax2.barh(ranking.index[::-1], ranking.mean_target[::-1], color="tab:green")
ax2.bar_label(bars, [f"{m:.1f}% over {n} concept{'s' if n > 1 else ''}" for m, n in zip(ranking.mean_target[::-1], ranking.concepts[::-1])],
              padding=3, fontsize=8)
ax2.set_xlim(0, 135)
ax2.set_xlabel(f"mean {YEAR} target (%)")
ax2.set_title("Localities, best ranked on top")
fig.tight_layout()
plt.show()"""),
    ("md", """\
## 4. How tasks are spread over lead units

`task_units` has one row per task × unit × role; a task with two lead units (*đồng chủ trì*)
counts for each of them, as in the dataset's view `tasks_by_lead_unit`. Unit names are used as
the dataset gives them (the pipeline already maps abbreviations such as "Phòng KHTC" to their full
name); nothing is merged by hand.

A **due date** is a task whose deadline ends at a known time (`tasks.deadline_end`: "Quý II,
năm 2025", "Tháng 6/2026", "2026-2027"); most tasks are instead *thường xuyên* (continuous),
*hằng năm* (recurring) or *theo kế hoạch riêng* (conditional), which the second table shows."""),
    ("code", """\
lead = sql(\"\"\"
    SELECT d.locality, u.unit_name AS lead_unit, count(*) AS tasks, count(k.deadline_end) AS with_due_date
    FROM task_units u
    JOIN tasks k USING (document_id, task_id)
    JOIN documents d USING (document_id)
    WHERE u.role = 'lead'
    GROUP BY ALL ORDER BY d.locality, tasks DESC, lead_unit\"\"\")
lead["share_with_due_date"] = (lead.with_due_date / lead.tasks).round(2)
display(lead)

tasks = sql(\"\"\"
    SELECT d.locality, k.document_id, k.task_id, k.deadline_end, coalesce(k.deadline_kind, 'none') AS deadline_kind,
           (SELECT count(*) FROM task_units u
            WHERE u.document_id = k.document_id AND u.task_id = k.task_id AND u.role = 'lead') AS leads
    FROM tasks k JOIN documents d USING (document_id)\"\"\")
per_plan = (tasks.groupby("locality")
            .agg(tasks=("task_id", "size"), with_due_date=("deadline_end", "count"),
                 without_lead=("leads", lambda n: int((n == 0).sum())),
                 with_co_leads=("leads", lambda n: int((n > 1).sum())))
            .join(lead.groupby("locality").lead_unit.nunique().rename("lead_units")))
per_plan["share_with_due_date"] = (per_plan.with_due_date / per_plan.tasks).round(2)
display(per_plan)
kinds = tasks.pivot_table(index="locality", columns="deadline_kind", values="task_id", aggfunc="size", fill_value=0)
display(kinds)
print("Across the dataset (view tasks_by_lead_unit):")
display(sql("SELECT * FROM tasks_by_lead_unit"))"""),
    ("code", """\
by_unit = lead.pivot_table(index="lead_unit", columns="locality", values="tasks", aggfunc="sum", fill_value=0)
by_unit = by_unit.loc[by_unit.sum(axis=1).sort_values().index]

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 0.35 * len(by_unit) + 1.8), width_ratios=[3, 2])
by_unit.plot.barh(stacked=True, ax=ax1, width=0.8)
ax1.set_xlabel("tasks led (a co-led task counts for each lead)")
ax1.set_ylabel("")
ax1.set_title("Tasks per lead unit, by plan")
kinds.plot.bar(stacked=True, ax=ax2, rot=0, colormap="tab20")
for i, row in enumerate(per_plan.loc[kinds.index].itertuples()):
    ax2.text(i, row.tasks + 0.5, f"{row.share_with_due_date:.0%} due date", ha="center", fontsize=8)
ax2.set_xlabel("")
ax2.set_ylabel("tasks")
ax2.set_title("Kind of deadline, by plan")
ax2.legend(fontsize=8)
fig.tight_layout()
plt.show()"""),
    ("md", """\
## 5. Which plans drop parent targets?

`plan_links` records each plan's parent: the plan of the dataset it implements, found from the
plan's citations ("Thực hiện Kế hoạch số …") with the evidence. For each such pair,
`pipeline.compare.lineage` compares the targets year by year — **adopted** (same target),
**raised** / **lowered** (more or less ambitious), **changed** (not comparable), **dropped** (the
parent's target has no counterpart in the child) and **added** (only in the child) — and the
paired tasks whose lead unit differs."""),
    ("code", """\
def lineage_counts(dataset: Path) -> pd.DataFrame:
    \"\"\"One row per plan of `dataset` that has a parent in it: what became of the parent's targets.\"\"\"
    with duckdb.connect(str(dataset / "kehoach.duckdb"), read_only=True) as db:
        links = db.execute(\"\"\"
            SELECT l.document_id, l.match, l.score,
                   d.locality || ' ' || coalesce(d.number, '(no number)') AS plan,
                   p.locality || ' ' || coalesce(p.number, '(no number)') AS parent
            FROM plan_links l
            JOIN documents d USING (document_id)
            JOIN documents p ON p.document_id = l.parent_id
            ORDER BY plan\"\"\").df()
    rows = []
    for link in links.itertuples():
        report = lineage(dataset, link.document_id).report
        rows.append({"plan": link.plan, "parent": link.parent, "match": link.match, "score": link.score,
                     **{kind: len(report.changes(kind)) for kind in KINDS},
                     "tasks_with_another_lead": len(report.task_changes)})
    return pd.DataFrame(rows, columns=["plan", "parent", "match", "score", *KINDS, "tasks_with_another_lead"])


corpus_lineage = lineage_counts(DATASET)
if corpus_lineage.empty:
    display(Markdown(
        f"**No plan of this dataset has its parent in the dataset** (`plan_links` is empty), so there is no "
        f"lineage to compare here: the {len(documents)} plans implement plans that were not ingested. "
        "The plans they cite as *Kế hoạch* are listed below; add those to the corpus to compare them."))
else:
    display(corpus_lineage)

cited_plans = sql(\"\"\"
    SELECT d.locality AS citing_locality, g.number, g.issued_date, g.issuer, l.linked_document, l.match
    FROM citation_graph g
    JOIN documents d ON d.document_id = g.citing_document
    LEFT JOIN citation_links l ON l.citing_document = g.citing_document AND l.ref = g.ref
    WHERE g.doc_type = 'Kế hoạch' AND g.number IS NOT NULL
    ORDER BY citing_locality, g.number\"\"\")
display(cited_plans)"""),
    ("md", """\
### A worked example on a pair built here

To show what the analysis gives when a parent is in the dataset, we build a pair:

* **the parent**: seed 004, the plan of Sở GDĐT Quảng Ninh. Its number is blank as published
  ("Kế hoạch số      /KH-SGDĐT" in its appendix caption); we fill it in as 1268/KH-SGDĐT;
* **the child**: a short plan of Phòng GDĐT Tiên Yên "thực hiện Kế hoạch số 1268/KH-SGDĐT",
  the derived plan `tests/data/derived_plan_004.txt` (also used by the tests). It keeps three of 004's indicators, raises one
  (50% → 70%), lowers one (≥ 50% → ≥ 40%), adds an indicator and a 2025 milestone, leaves out
  the rest, and gives two of the tasks it keeps to another lead unit.

Both are ingested with `kehoach ingest` into a temporary folder (a few seconds); the dataset above
is not touched."""),
    ("code", """\
PARENT_NUMBER = "1268/KH-SGDĐT"  # the number the demo gives seed 004
DERIVED = (ROOT / "tests" / "data" / "derived_plan_004.txt").read_text(encoding="utf-8")

demo = Path(tempfile.mkdtemp(prefix="kehoach-lineage-demo-"))
inbox = demo / "plans"
inbox.mkdir()
source = next((ROOT / "corpus").glob("004_*.txt")).read_text(encoding="utf-8")
filled, count = re.subn(r"Kế hoạch số\\s+/KH-SGDĐT", f"Kế hoạch số {PARENT_NUMBER}", source)
assert count == 1, "seed 004's blank number was not found"
(inbox / "004_numbered.txt").write_text(filled, encoding="utf-8")
(inbox / "derived.txt").write_text(DERIVED.format(number=PARENT_NUMBER), encoding="utf-8")

DEMO = demo / "dataset"
run = subprocess.run([*KEHOACH, "ingest", str(inbox), "--out", str(DEMO), "--workers", "2", "--quiet", "--no-excel"],
                     capture_output=True, text=True, cwd=ROOT)
print(run.stdout.strip() or run.stderr.strip())
run.check_returncode()

with duckdb.connect(str(DEMO / "kehoach.duckdb"), read_only=True) as db:
    display(db.execute("SELECT document_id, parent_id, ref, match, score, reasons FROM plan_links").df())"""),
    ("md", """\
**Counts per plan with a parent** — the same table as for the corpus above, now with one row:"""),
    ("code", """\
demo_lineage = lineage_counts(DEMO)
display(demo_lineage)

result = lineage(DEMO, "derived.txt")
records = pd.DataFrame(lineage_records(result)).astype({"year": "Int64"})
targets = records[records.what == "target"]
print(f"{result.child.document.issuer} {result.child.document.number} implements "
      f"{result.parent.document.issuer} {result.parent.document.number} ({result.evidence.match} link)")
print(targets.change.value_counts().reindex(KINDS, fill_value=0).to_string())"""),
    ("md", """\
**What changed** — every target the child keeps, raises, lowers or adds (`parent` → `child`):"""),
    ("code", """\
columns = ["change", "year", "parent_item", "child_item", "parent", "child", "name"]
display(targets[targets.change != "dropped"][columns].reset_index(drop=True))"""),
    ("md", """\
**Dropped parent targets** — the parent's 2030 targets the child plan does not carry over:"""),
    ("code", """\
dropped = targets[targets.change == "dropped"][["year", "parent_item", "parent", "name"]].reset_index(drop=True)
print(f"{len(dropped)} of the parent's {len(targets) - (targets.change == 'added').sum()} targets are dropped "
      f"({dropped.parent_item.nunique()} indicators)")
display(dropped)"""),
    ("md", """\
**Tasks under another lead unit** — tasks the child keeps from the parent but gives to another
unit (unit names compared in canonical form, so "Phòng KHTC" is "Phòng Kế hoạch - Tài chính"):"""),
    ("code", """\
display(records[records.what == "task"][["parent_item", "child_item", "parent", "child", "name"]]
        .rename(columns={"parent": "parent_lead", "child": "child_lead"}).reset_index(drop=True))
r = result.report
print(f"tasks: {len(r.tasks)} kept, {len(r.task_changes)} with another lead, "
      f"{len(r.added_tasks)} added, {len(r.dropped_tasks)} of the parent's dropped")
con.close()"""),
    ("md", """\
## Reading the results

* The ranking rests on few shared concepts: most indicators are worded for one plan only, and two
  of the five plans (Ninh Bình, Hải Phòng) state no indicator the pipeline reads. Check the
  *locality × concept* table before quoting a rank.
* Lead units are counted by name as the plans give them; a unit of one plan ("Phòng Giáo dục và
  Đào tạo" of a district) is not the same body as a similar name in another locality.
* Lineage needs the parent plan in the dataset: ingest the plans the corpus cites (section 5) to
  see which localities drop or lower their parent's targets."""),
]


def build() -> nbformat.NotebookNode:
    """The notebook, outputs cleared."""
    cells = []
    for n, (kind, source) in enumerate(CELLS):
        cell = new_markdown_cell(source) if kind == "md" else new_code_cell(source)
        cell.id = f"cell-{n:02d}"
        cells.append(cell)
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        "language_info": {"name": "python"},
    })
    nbformat.validate(nb)
    return nb


def render() -> str:
    return nbformat.writes(build())


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = NOTEBOOK.read_text(encoding="utf-8") if NOTEBOOK.exists() else ""
        if current != text:
            print(f"{NOTEBOOK} is not what {Path(__file__).name} generates; run it to update", file=sys.stderr)
            return 1
        return 0
    NOTEBOOK.write_text(text, encoding="utf-8")
    print(f"wrote {NOTEBOOK}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

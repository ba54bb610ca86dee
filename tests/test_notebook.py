"""notebooks/compare_localities.ipynb runs top to bottom on the seed dataset, and is exactly what
notebooks/make_compare_localities.py generates, outputs cleared.

The notebook runs in a kernel of this interpreter (a kernel spec written for it, found first via
JUPYTER_PATH), on the session's corpus dataset (KEHOACH_DATASET), which it must leave unchanged;
its demo pair goes to a temporary folder (TMPDIR). The values checked were verified by reading
the seeds: the 2030 online-service and digital-transformation targets are seed 000's Phụ lục 1-2
(Tân Kỳ: dịch vụ công trực tuyến toàn trình 100%, > 90% mầm non / > 95% phổ thông at mức 2), seed
003's appendix (Cát Hải: the same > 90% / > 95%) and seed 004's prose (Quảng Ninh: 100% tuyển
sinh đầu cấp trực tuyến, 100% at mức 2); seeds 001 and 002 state no indicators. The lineage
counts are tests/test_lineage.py's.
"""

from __future__ import annotations

import importlib.util
import json

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from .conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "compare_localities.ipynb"
GENERATOR = ROOT / "notebooks" / "make_compare_localities.py"
PROBE_MARK = "NOTEBOOK-PROBE "

# Appended to the notebook when the test runs it: the values the notebook computed, as JSON.
PROBE = f"""\
import json
print({PROBE_MARK!r} + json.dumps({{
    "dataset": str(DATASET),
    "ranking": ranking[["rank", "concepts", "highest_on_shared", "mean_target"]].reset_index().to_dict("records"),
    "unranked": sorted(unranked.locality),
    "concepts": sorted(concepts.concept_id),
    "shared": sorted(shared),
    "pivot": {{c: pivot[c].dropna().to_dict() for c in ["c-dx-level-2", "c-online-public-services"]}},
    "per_plan": per_plan[["tasks", "with_due_date", "lead_units"]].reset_index().to_dict("records"),
    "top_lead": lead.sort_values("tasks", ascending=False).iloc[0][["locality", "lead_unit", "tasks"]].to_dict(),
    "corpus_lineage": len(corpus_lineage),
    "demo_dataset": str(DEMO),
    "demo_lineage": demo_lineage.drop(columns=["score"]).to_dict("records"),
    "dropped": sorted(set(dropped.parent_item)),
    "dropped_targets": len(dropped),
}}, default=int))
"""


def _generator():
    spec = importlib.util.spec_from_file_location("make_compare_localities", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _snapshot(folder):
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def executed(corpus_dataset, tmp_path_factory):
    """The notebook run on the corpus dataset, with the probe cell; (notebook, probe values,
    dataset files before, after, temp dir)."""
    from ipykernel.kernelspec import write_kernel_spec

    jupyter = tmp_path_factory.mktemp("jupyter")
    write_kernel_spec(jupyter / "kernels" / "python3")  # argv: this interpreter -m ipykernel_launcher
    temp = tmp_path_factory.mktemp("notebook_tmp")
    before = _snapshot(corpus_dataset)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(new_code_cell(PROBE))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(jupyter))
        mp.setenv("KEHOACH_DATASET", str(corpus_dataset))
        mp.setenv("TMPDIR", str(temp))
        NotebookClient(nb, kernel_name="python3", timeout=300,
                       resources={"metadata": {"path": str(ROOT)}}).execute()
    after = _snapshot(corpus_dataset)
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    (line,) = [line for line in text.splitlines() if line.startswith(PROBE_MARK)]
    return nb, json.loads(line[len(PROBE_MARK):]), before, after, temp


def _outputs(nb, mime):
    return [o.data[mime] for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if o.output_type in ("display_data", "execute_result") and mime in o.data]


def test_runs_without_errors_on_the_corpus_dataset(executed, corpus_dataset):
    nb, probe, *_ = executed
    assert [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"] == []
    assert probe["dataset"] == str(corpus_dataset)
    assert len(_outputs(nb, "image/png")) == 2  # the targets chart and the lead-unit chart


def test_leaves_the_dataset_unchanged(executed):
    _, probe, before, after, temp = executed
    assert after == before
    assert probe["demo_dataset"].startswith(str(temp))


def test_online_services_ranking(executed):
    _, probe, *_ = executed
    # only the three plans that state indicators set 2030 targets on these concepts
    assert [r["locality"] for r in probe["ranking"]] == ["Quảng Ninh", "Cát Hải", "Tân Kỳ"]
    assert probe["unranked"] == ["Hải Phòng", "Ninh Bình"]
    quang_ninh, cat_hai, tan_ky = probe["ranking"]
    assert (quang_ninh["highest_on_shared"], quang_ninh["mean_target"]) == (1, 100.0)
    assert (cat_hai["concepts"], cat_hai["mean_target"]) == (1, 90.0)
    assert tan_ky["concepts"] > quang_ninh["concepts"] and tan_ky["mean_target"] < 90
    # the shared concept: 100% at mức 2 in Quảng Ninh; "> 90% (mầm non)" first in Cát Hải and Tân Kỳ
    assert probe["shared"] == ["c-dx-level-2"]
    assert probe["pivot"]["c-dx-level-2"] == {"Cát Hải": 90.0, "Quảng Ninh": 100.0, "Tân Kỳ": 90.0}
    assert probe["pivot"]["c-online-public-services"] == {"Tân Kỳ": 100.0}
    assert {"c-dx-level-2", "c-online-public-services", "c-online-dossiers"} <= set(probe["concepts"])


def test_tasks_by_lead_unit(executed):
    _, probe, *_ = executed
    assert {r["locality"]: (r["tasks"], r["lead_units"]) for r in probe["per_plan"]} == {
        "Cát Hải": (14, 2), "Hải Phòng": (7, 2), "Quảng Ninh": (37, 5), "Tân Kỳ": (23, 4)}
    assert sum(r["with_due_date"] for r in probe["per_plan"]) == 8
    assert probe["top_lead"] == {"locality": "Tân Kỳ", "lead_unit": "Phòng Văn hóa - Xã hội", "tasks": 20}


def test_lineage_says_no_parents_then_shows_the_demo(executed):
    nb, probe, *_ = executed
    assert probe["corpus_lineage"] == 0
    assert any("No plan of this dataset has its parent in the dataset" in m for m in _outputs(nb, "text/markdown"))
    (demo,) = probe["demo_lineage"]
    assert demo == {"plan": "Tiên Yên 15/KH-PGDĐT", "parent": "Quảng Ninh 1268/KH-SGDĐT", "match": "exact",
                    "adopted": 3, "raised": 1, "lowered": 1, "changed": 0, "dropped": 21, "added": 2,
                    "tasks_with_another_lead": 2}
    from .test_lineage import DROPPED

    assert probe["dropped_targets"] == 21 and set(probe["dropped"]) == DROPPED


def test_stored_notebook_is_generated_and_has_no_outputs():
    generator = _generator()
    assert NOTEBOOK.read_text(encoding="utf-8") == generator.render(), (
        "notebooks/compare_localities.ipynb is stale: run python notebooks/make_compare_localities.py")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert nb.metadata.kernelspec.name == "python3"

"""Label Studio round trip on seed 003, without a Label Studio server: the task format is
documented (https://labelstud.io/guide/task_format) and an export is the tasks plus `annotations`."""

from __future__ import annotations

import copy
import json

import pytest
from typer.testing import CliRunner

from pipeline.annotate import gold_problems
from pipeline.cli import app
from pipeline.labelstudio import LABELS
from pipeline.model import Document
from tests.conftest import SEEDS

runner = CliRunner()


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("ls") / "tasks.json"
    result = runner.invoke(app, ["annotate", "export", str(SEEDS["003"]), "--to", "labelstudio", str(out)])
    assert result.exit_code == 0, result.output
    return out, json.loads(out.read_text(encoding="utf-8"))


def regions(task, label=None):
    return [r for r in task["predictions"][0]["result"] if label is None or r["value"]["labels"] == [label]]


def test_export_is_label_studio_tasks_with_every_item_as_a_span(exported, seed_docs):
    out, tasks = exported
    [task] = tasks
    doc = seed_docs["003"]
    assert task["data"]["text"] == doc.text
    assert Document.from_json(task["data"]["kehoach"]).citations == doc.citations
    for r in regions(task):
        assert r["type"] == "labels" and r["from_name"] == "label" and r["to_name"] == "text"
        v = r["value"]
        assert v["labels"][0] in LABELS and v["text"] == doc.text[v["start"]:v["end"]]
    assert len(regions(task, "CITATION")) == len([c for c in doc.citations if not c.footnote]) == 38
    assert len(regions(task, "PERCENT")) == len(doc.percentages)
    assert len(regions(task, "DEADLINE")) == len(doc.deadlines)
    assert len(regions(task, "TASK")) == sum(len(t.provenance) for t in doc.tasks)
    config = out.with_name("tasks.config.xml").read_text(encoding="utf-8")
    assert all(f'<Label value="{label}"/>' in config for label in LABELS) and 'value="$text"' in config


def annotated(task, result):
    """What Label Studio exports once an annotator submits `result` for the task."""
    done = copy.deepcopy(task)
    done["annotations"] = [{"id": 7, "completed_by": 1, "was_cancelled": False,
                            "updated_at": "2026-11-23T10:00:00Z", "result": result}]
    return done


def import_(tmp_path, tasks, *extra):
    export = tmp_path / "export.json"
    export.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return runner.invoke(app, ["annotate", "import", str(export), "--out", str(tmp_path / "annotations"), *extra])


def test_unchanged_annotation_comes_back_as_the_same_items(exported, tmp_path, seed_docs):
    _, [task] = exported
    result = import_(tmp_path, [annotated(task, regions(task))])
    assert result.exit_code == 0, result.output
    gold = json.loads((tmp_path / "annotations" / "gold" / f"{SEEDS['003'].stem}.json").read_text(encoding="utf-8"))
    assert gold_problems(gold) == []
    assert gold["review"]["status"] == "reviewed" and gold["review"]["changes"] == []
    back, doc = Document.from_json(gold), seed_docs["003"]
    for kind in ("citations", "percentages", "deadlines", "indicators", "tasks", "units"):
        assert getattr(back, kind) == getattr(doc, kind), kind


def test_edits_in_label_studio_become_gold(exported, tmp_path, seed_docs):
    _, [task] = exported
    doc = seed_docs["003"]
    result = copy.deepcopy(regions(task))
    first = next(r for r in result if r["value"]["labels"] == ["CITATION"])
    result.remove(first)  # the annotator rejects a citation span ...
    start = first["value"]["start"]
    number_end = doc.text.index("57-NQ/TW", start) + len("57-NQ/TW")
    short = doc.text[start:number_end]
    assert short == "Nghị quyết số 57-NQ/TW"  # ... and draws a shorter one, without the date and issuer
    result.append({"id": "new1", "from_name": "label", "to_name": "text", "type": "labels",
                   "value": {"start": start, "end": number_end, "text": short, "labels": ["CITATION"]}})
    dropped = next(r for r in result if r["value"]["labels"] == ["DEADLINE"])
    result.remove(dropped)  # and deletes a deadline
    outcome = import_(tmp_path, [annotated(task, result)])
    assert outcome.exit_code == 0, outcome.output
    gold = json.loads((tmp_path / "annotations" / "gold" / f"{SEEDS['003'].stem}.json").read_text(encoding="utf-8"))
    assert gold_problems(gold) == []
    back = Document.from_json(gold)
    [new] = [c for c in back.citations if (c.start, c.end) == (start, number_end)]
    assert (new.doc_type, new.number, new.text) == ("Nghị quyết", "57-NQ/TW", short)  # read by the citation patterns
    assert len(back.citations) == len(doc.citations)
    assert len(back.deadlines) == len(doc.deadlines) - 1
    assert all((d.start, d.end) != (dropped["value"]["start"], dropped["value"]["end"]) for d in back.deadlines)
    changes = gold["review"]["changes"]
    assert f"citation: removed {first['value']['text']!r} at {start}" in changes
    assert f"citation: added {short!r} at {start}" in changes
    assert f"deadline: removed {dropped['value']['text']!r} at {dropped['value']['start']}" in changes
    # a second import does not overwrite without --force
    again = import_(tmp_path, [annotated(task, result)])
    assert again.exit_code == 2 and "exists" in again.output


def test_relabelled_unit_changes_its_role(exported, tmp_path, seed_docs):
    _, [task] = exported
    doc = seed_docs["003"]
    unit = next(u for u in doc.units if "lead" in u.roles and "support" not in u.roles)
    places = {(p.start, p.end) for p in unit.provenance}
    result = copy.deepcopy(regions(task))
    for r in result:
        if (r["value"]["start"], r["value"]["end"]) in places:
            r["value"]["labels"] = ["UNIT_SUPPORT"]
    assert import_(tmp_path, [annotated(task, result)]).exit_code == 0
    gold = json.loads((tmp_path / "annotations" / "gold" / f"{SEEDS['003'].stem}.json").read_text(encoding="utf-8"))
    [back] = [u for u in Document.from_json(gold).units if u.name == unit.name]
    assert "support" in back.roles and "lead" not in back.roles


def test_a_task_without_a_submitted_annotation_is_refused(exported, tmp_path):
    _, [task] = exported
    result = import_(tmp_path, [task])
    assert result.exit_code == 2
    assert "no submitted annotation" in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "annotations" / "gold").exists()  # nothing half-written

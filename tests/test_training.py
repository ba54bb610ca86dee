"""kehoach train: one registry of the trained models, each module with run(out, exclude, measure)
and report(metrics)."""

from __future__ import annotations

import importlib
import inspect

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.training import MODELS


def test_every_model_module_trains_and_reports_the_same_way():
    assert set(MODELS) == {"tables", "units", "line_roles"}
    for name, model in MODELS.items():
        module = importlib.import_module(model.module)
        assert {"out", "exclude", "measure"} <= set(inspect.signature(module.run).parameters), name
        assert list(inspect.signature(module.report).parameters) == ["metrics"], name


def test_train_one_model_into_another_folder_leaving_a_plan_out(tmp_path):
    result = CliRunner().invoke(app, ["train", "--model", "tables", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "table_fragments.joblib").is_file() and (tmp_path / "table_fragments.md").is_file()
    held = MODELS["tables"].run(tmp_path / "held.joblib", frozenset({"003_aa9e29c94280bf41"}), False)
    assert held["excluded"] == ["003_aa9e29c94280bf41"]
    assert not any(p.startswith("003_") for p in held["plans"]) and any(p.startswith("004_") for p in held["plans"])


def test_unknown_model_is_a_one_line_error():
    result = CliRunner().invoke(app, ["train", "--model", "nope"])
    assert result.exit_code == 2
    assert "unknown model 'nope': choose from tables, units, line_roles" in result.output

"""`dvc repro` rebuilds models, JSON, dataset and scores from the corpus and the annotations,
offline and without a DVC remote; `dvc metrics show` prints the scores it wrote."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import SEEDS, require_tool

ROOT = Path(__file__).resolve().parents[1]


def project_copy(dest: Path) -> Path:
    """The project's files as a fresh clone has them (tracked and new, not ignored), outside git."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def dvc(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run([require_tool("dvc"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=1500)


def test_params_and_stages_are_declared():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    assert {"train", "extract", "dataset", "evaluate", "evaluate_lodo"} <= set(stages)
    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    for stage in ("evaluate", "evaluate_lodo"):
        assert set(stages[stage]["params"]) == {f"evaluate.{k}" for k in params["evaluate"]}
        assert "${evaluate.span_overlap}" in stages[stage]["cmd"]
    assert any("metrics/eval.json" in m for m in stages["evaluate"]["metrics"])


def test_dvc_repro_rebuilds_everything_offline(tmp_path):
    repo = project_copy(tmp_path / "project")
    assert dvc(["config", "core.no_scm", "true"], repo).returncode == 0
    run = dvc(["repro"], repo)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    for seed in SEEDS.values():
        doc = json.loads((repo / "data" / "json" / f"{seed.stem}.json").read_text(encoding="utf-8"))
        assert doc["document"]["source"].endswith(seed.name)
    assert (repo / "data" / "dataset" / "kehoach.duckdb").is_file()
    scores = json.loads((repo / "metrics" / "eval.json").read_text(encoding="utf-8"))
    held_out = json.loads((repo / "metrics" / "eval_lodo.json").read_text(encoding="utf-8"))
    assert scores["documents"] == held_out["documents"] == 5
    assert scores["mode"] == "trained on all plans" and held_out["mode"] == "leave-one-document-out"
    assert scores["kinds"]["citations"]["f1"] > 0.9  # the rule-based parts score the same in both
    assert held_out["kinds"]["citations"]["f1"] == scores["kinds"]["citations"]["f1"]
    shown = dvc(["metrics", "show", "--json"], repo)
    assert shown.returncode == 0, shown.stderr
    assert str(scores["kinds"]["citations"]["f1"]) in shown.stdout
    again = dvc(["status"], repo)
    assert again.returncode == 0 and "up to date" in again.stdout, again.stdout

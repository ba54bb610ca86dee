"""Every trained part of the pipeline, trained from annotations/ by one call.

Each entry names a model file in the models folder and the module that trains it; every such
module has `run(out, exclude, measure) -> metrics` and `report(metrics) -> str`. `train_all` is
what `kehoach train` and the DVC `train` stage run; with `exclude` it trains the models a
leave-one-document-out evaluation needs (none of them has seen the held-out plan).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .modelfile import DEFAULT_DIR


@dataclass(frozen=True)
class Trainable:
    file: str  # under the models folder
    what: str
    module: str  # imported on use: training pulls in underthesea, reportlab data, …

    def run(self, out: Path, exclude: frozenset[str], measure: bool) -> dict:
        return importlib.import_module(self.module).run(out=out, exclude=exclude, measure=measure)

    def report(self, metrics: dict) -> str:
        return importlib.import_module(self.module).report(metrics)


MODELS: dict[str, Trainable] = {
    "tables": Trainable("table_fragments.joblib", "flattened-table fragment classifier", "pipeline.tables.training"),
    "units": Trainable("unit_mentions.joblib", "unit-name span model", "pipeline.extractors.unit_model"),
    "line_roles": Trainable("line_roles.joblib", "line-role classifier (PDF text)", "pipeline.line_roles"),
}


def train_all(out_dir: Path = DEFAULT_DIR, names: list[str] | None = None, exclude: frozenset[str] = frozenset(),
              measure: bool = True, echo: Callable[[str], None] | None = None) -> dict[str, dict]:
    """Train the named models (default: all) into `out_dir`; their metrics by name."""
    results = {}
    for name in names or list(MODELS):
        model = MODELS[name]
        metrics = model.run(Path(out_dir) / model.file, frozenset(exclude), measure)
        results[name] = metrics
        if echo:
            echo(f"== {name}: {model.what} -> {Path(out_dir) / model.file}")
            if measure:
                echo(model.report(metrics))
    return results

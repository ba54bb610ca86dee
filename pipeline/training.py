"""Every trained part of the pipeline, trained from annotations/ by one call.

Each entry names a model file in the models folder and how to train it. `train_all` is what
`kehoach train` and the DVC `train` stage run; with `exclude` it trains the models a
leave-one-document-out evaluation needs (none of them has seen the held-out plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .modelfile import DEFAULT_DIR


@dataclass(frozen=True)
class Trainable:
    file: str  # under the models folder
    what: str
    run: Callable[..., dict]  # run(out: Path, exclude: frozenset[str], measure: bool) -> metrics
    report: Callable[[dict], str]


def _tables(out: Path, exclude: frozenset[str], measure: bool) -> dict:
    from .tables import training

    return training.run(out=out, exclude=exclude, measure=measure)


def _tables_report(metrics: dict) -> str:
    from .tables import training

    return training.report(metrics)


def _units(out: Path, exclude: frozenset[str], measure: bool) -> dict:
    from .extractors import unit_model

    return unit_model.run(out, exclude, measure)


def _units_report(metrics: dict) -> str:
    from .extractors import unit_model

    return unit_model.report(metrics)


def _line_roles(out: Path, exclude: frozenset[str], measure: bool) -> dict:
    from . import line_roles

    return line_roles.run(out, exclude, measure)


def _line_roles_report(metrics: dict) -> str:
    from . import line_roles

    return line_roles.report(metrics)


MODELS: dict[str, Trainable] = {
    "tables": Trainable("table_fragments.joblib", "flattened-table fragment classifier", _tables, _tables_report),
    "units": Trainable("unit_mentions.joblib", "unit-name span model", _units, _units_report),
    "line_roles": Trainable("line_roles.joblib", "line-role classifier (PDF text)", _line_roles, _line_roles_report),
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

"""Saving and loading the trained models (models/*.joblib) with what makes them safe to reuse.

A pickled scikit-learn model is only portable within one minor release, and it only means
something for the feature extractor version it was trained on. Every model file therefore
records both, and `load` refuses (with a warning, so the caller falls back to its rules) a
file that is damaged or was built for other features or another scikit-learn release.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

MODELS_ENV = "KEHOACH_MODELS"
DEFAULT_DIR = Path(__file__).resolve().parents[1] / "models"


def model_dir() -> Path:
    """Where the pipeline loads its models: $KEHOACH_MODELS when set (leave-one-document-out
    evaluation points it at models trained without the held-out plan), else the repository's models/."""
    return Path(os.environ[MODELS_ENV]) if os.environ.get(MODELS_ENV) else DEFAULT_DIR


def minor(version: str | None) -> str:
    """ "1.9.1" -> "1.9": pickles of scikit-learn models are kept within a minor release."""
    return ".".join(str(version).split(".")[:2])


def save(path: Path, payload: dict, feature_version: int, metrics: dict) -> None:
    """The model payload with its feature version and scikit-learn release; metrics beside it."""
    import joblib
    import sklearn

    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump({**payload, "feature_version": feature_version, "sklearn": sklearn.__version__}, path)
    path.with_suffix(".metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=1) + "\n",
                                                 encoding="utf-8")


def load(path: Path, feature_version: int, what: str, rebuild: str) -> dict | None:
    """The saved payload, or None when `path` is missing (silently: using the rules is the
    default), damaged, or built differently (with a warning naming `what` and how to `rebuild`)."""
    if not path.exists():
        return None
    import joblib
    import sklearn

    try:
        saved = joblib.load(path)
    except Exception as exc:  # a damaged or foreign file: the rules still work
        warnings.warn(f"{path}: cannot load the {what} ({exc}); using the rules", stacklevel=3)
        return None
    if saved.get("feature_version") != feature_version or minor(saved.get("sklearn")) != minor(sklearn.__version__):
        warnings.warn(
            f"{path}: built for features v{saved.get('feature_version')} / scikit-learn {saved.get('sklearn')},"
            f" this is v{feature_version} / {sklearn.__version__}; using the rules (run `{rebuild}`)",
            stacklevel=3,
        )
        return None
    return saved

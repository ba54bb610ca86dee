"""Shared fixtures: the seed corpus and the real documents beside the checkout."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
REALDOCS = ROOT.parent / "shared" / "realdocs"
IN_CI = os.environ.get("CI", "").lower() == "true"

# Hypothesis: 2,000 examples per property in CI, no example database written there; a quick
# pass locally. No outcome may depend on timing: no deadline, no too-slow health check.
# HYPOTHESIS_PROFILE=ci runs the CI profile locally.
_UNTIMED = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("ci", max_examples=2000, database=None, print_blob=True, **_UNTIMED)
settings.register_profile("dev", max_examples=40, **_UNTIMED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if IN_CI else "dev"))

SEEDS = {
    "000": CORPUS / "000_9508be608a1dd824.txt",
    "001": CORPUS / "001_d20840b66d28b3f5.txt",
    "002": CORPUS / "002_972056788dbd10e4.txt",
    "003": CORPUS / "003_aa9e29c94280bf41.txt",
    "004": CORPUS / "004_a9d6e94571fd01cb.txt",
}


# metadata fields that must agree whichever format a plan arrives in
META_FIELDS = ("doc_type", "number", "symbol", "issuer", "locality", "place", "issued_date", "title", "signer", "recipients")


def outline(doc) -> list[tuple]:
    """(kind, label, heading) of every section that is not a list item."""
    return [(s.kind, s.label, s.heading) for s in doc.sections if not s.list_item]


def require_tool(name: str) -> str:
    """Path of an optional system tool; skip (printing why) when absent, fail in CI."""
    path = shutil.which(name)
    if path is None:
        reason = f"optional system tool '{name}' is not installed"
        if IN_CI:
            pytest.fail(f"{reason}, but CI must install it (.ci/run)")
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    return path


def realdoc(name: str) -> Path:
    path = REALDOCS / name
    if not path.exists():
        reason = f"real document {name} not found in {REALDOCS}"
        if IN_CI:
            pytest.fail(reason)
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def seed_docs():
    """Each seed read once per test session."""
    from pipeline.extract import extract_document

    return {key: extract_document(path) for key, path in SEEDS.items()}


@pytest.fixture(scope="session")
def corpus_dataset(tmp_path_factory) -> Path:
    """The seed corpus ingested once per session (`kehoach ingest corpus/ --out DIR`). Read it
    only: a test that changes a dataset copies this one first."""
    from typer.testing import CliRunner

    from pipeline.cli import app

    out = tmp_path_factory.mktemp("dataset")
    result = CliRunner().invoke(app, ["ingest", str(CORPUS), "--out", str(out), "--workers", "2", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "5 documents" in result.output
    return out

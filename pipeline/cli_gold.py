"""`kehoach annotate …` and `kehoach evaluate`: gold data in and out, and scoring against it.

Registered on the main app by `pipeline.cli`; kept apart so the extraction commands stay short.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from .files import write_atomic

annotate_app = typer.Typer(help="Gold annotations: pipeline drafts to review, Label Studio round trip.",
                           no_args_is_help=True)


def _fail(path: Path | str, reason: str, code: int = 2) -> None:
    typer.echo(f"kehoach: error: {path}: {reason}", err=True)
    raise typer.Exit(code)


@annotate_app.command("draft")
def draft(
    files: list[Path] = typer.Argument(..., help="Plans to draft gold for (any input format)."),
    out: Path = typer.Option(Path("annotations/gold"), "--out", help="Folder for <plan>.json drafts."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing gold file (a reviewed one too)."),
) -> None:
    """Write the pipeline's reading of each plan as a gold draft (status: draft) for a reader to check."""
    from .annotate import draft_gold
    from .load import LoadError

    for file in files:
        target = out / f"{file.stem}.json"
        if target.exists() and not force:
            _fail(target, "exists (a reviewed gold file is never overwritten without --force)")
        try:
            data = draft_gold(file)
        except LoadError as exc:
            _fail(exc.path, exc.reason)
        write_atomic(target, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        typer.echo(f"wrote {target} (draft: check every item against the text, see annotations/GUIDELINES.md)")


def evaluate_command(
    pred: list[Path] = typer.Argument(None, help="Predicted JSON files or folders (default: run the pipeline on each gold plan's source)."),
    gold: Path = typer.Option(Path("annotations"), "--gold", help="Folder of gold files (annotations/ or annotations/gold/)."),
    pred_dir: Optional[Path] = typer.Option(None, "--pred", help="Folder of predicted JSON (e.g. an ingest run's json/)."),
    fmt: str = typer.Option("text", "--format", help="text | markdown | json"),
    out: Optional[Path] = typer.Option(None, "--out", help="Also write the full result as JSON here (a baseline for --compare)."),
    baseline: Optional[Path] = typer.Option(None, "--compare", help="An earlier --format json / --out result: print gains and losses item by item."),
    errors: int = typer.Option(20, "--errors", help="How many misses and false positives to list per kind of error."),
) -> None:
    """Precision, recall and F1 per item kind and per field against the reviewed gold."""
    from .evaluate import GoldError, compare_runs, evaluate, gold_documents, predictions_for, render, render_comparison
    from .load import LoadError

    if fmt not in ("text", "markdown", "json"):
        _fail("--format", f"unknown format {fmt!r}: choose text, markdown or json")
    sources = list(pred or []) + ([pred_dir] if pred_dir else [])
    try:
        golds = gold_documents(gold)
        preds = predictions_for(golds, sources)
    except LoadError as exc:
        _fail(exc.path, exc.reason)
    except GoldError as exc:  # its message names the file already
        typer.echo(f"kehoach: error: {exc}", err=True)
        raise typer.Exit(2)
    result = evaluate(zip([g for g, _ in golds], preds))
    data = result.to_json()
    if out:
        write_atomic(out, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    if baseline:
        try:
            before = json.loads(baseline.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            _fail(baseline, f"cannot read the baseline ({exc})")
        typer.echo(render_comparison(compare_runs(before, data)))
        return
    typer.echo(json.dumps(data, ensure_ascii=False, indent=1) if fmt == "json" else render(result, fmt, errors))

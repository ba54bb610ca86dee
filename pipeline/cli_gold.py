"""`kehoach annotate …` and `kehoach evaluate`: gold data in and out, and scoring against it.

Registered on the main app by `pipeline.cli`; kept apart so the extraction commands stay short.
"""

from __future__ import annotations

import json
from enum import Enum
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


class Tool(str, Enum):
    labelstudio = "labelstudio"


def _document_of(file: Path):
    """A plan file is read by the pipeline; a .json file is taken as a document (gold or extract output)."""
    from .extract import extract_document
    from .model import Document

    if file.suffix.lower() == ".json":
        try:
            return Document.from_json(json.loads(file.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            _fail(file, f"not a kehoach document JSON ({exc})")
    return extract_document(file)


@annotate_app.command("export")
def export(
    files: list[Path] = typer.Argument(..., help="Plans (read by the pipeline) or document JSON files (gold, extract output)."),
    to: Tool = typer.Option(Tool.labelstudio, "--to", help="Annotation tool format."),
    out: Path = typer.Argument(..., metavar="OUT.json", help="Label Studio tasks file to write."),
) -> None:
    """Write Label Studio tasks with every item pre-annotated as a labelled span, and the labeling config beside them."""
    from .labelstudio import LABEL_CONFIG, to_task
    from .load import LoadError

    tasks = []
    for i, file in enumerate(files, 1):
        try:
            tasks.append(to_task(_document_of(file), i))
        except LoadError as exc:
            _fail(exc.path, exc.reason)
    config = out.with_name(out.stem + ".config.xml")
    write_atomic(out, json.dumps(tasks, ensure_ascii=False) + "\n")
    write_atomic(config, LABEL_CONFIG)
    spans = sum(len(t["predictions"][0]["result"]) for t in tasks)
    typer.echo(f"wrote {out} ({len(tasks)} task(s), {spans} pre-annotated spans) and {config} (labeling config)")


@annotate_app.command("import")
def import_(
    export_file: Path = typer.Argument(..., metavar="LS_EXPORT.json", help="A Label Studio JSON export of kehoach tasks."),
    out: Path = typer.Option(Path("annotations"), "--out", help="Annotations folder: gold files go to OUT/gold/."),
    force: bool = typer.Option(False, "--force", help="Replace existing gold files."),
) -> None:
    """Turn the submitted annotations of a Label Studio export into reviewed gold files."""
    from .annotate import gold_problems
    from .labelstudio import LabelStudioError, from_task

    try:
        tasks = json.loads(export_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        _fail(export_file, f"cannot read the export ({exc})")
    if not isinstance(tasks, list):
        _fail(export_file, "not a Label Studio JSON export (a list of tasks)")
    folder = out if out.name == "gold" else out / "gold"
    results = []
    for task in tasks:
        try:
            name, gold = from_task(task)
        except LabelStudioError as exc:
            _fail(export_file, str(exc))
        problems = gold_problems(gold)
        if problems:
            _fail(export_file, f"{name}: the result is not valid gold ({problems[0]})")
        target = folder / f"{name}.json"
        if target.exists() and not force:
            _fail(target, "exists (use --force to replace it with the imported annotation)")
        results.append((target, gold))
    for target, gold in results:  # all checked first: nothing half-imported
        write_atomic(target, json.dumps(gold, ensure_ascii=False, indent=1) + "\n")
        typer.echo(f"wrote {target} ({len(gold['review']['changes'])} change(s) against the export)")


def evaluate_command(
    pred: list[Path] = typer.Argument(None, help="Predicted JSON files or folders (default: run the pipeline on each gold plan's source)."),
    gold: Path = typer.Option(Path("annotations"), "--gold", help="Folder of gold files (annotations/ or annotations/gold/)."),
    pred_dir: Optional[Path] = typer.Option(None, "--pred", help="Folder of predicted JSON (e.g. an ingest run's json/)."),
    fmt: str = typer.Option("text", "--format", help="text | markdown | json"),
    out: Optional[Path] = typer.Option(None, "--out", help="Also write the full result as JSON here (a baseline for --compare)."),
    baseline: Optional[Path] = typer.Option(None, "--compare", help="An earlier --format json / --out result: print gains and losses item by item."),
    errors: int = typer.Option(20, "--errors", help="How many misses and false positives to list per kind of error."),
    span_overlap: float = typer.Option(0.5, "--span-overlap", help="Overlap (intersection over union) for two spans to be one item."),
    text_similarity: float = typer.Option(0.8, "--text-similarity", help="Similarity for two long texts (names, task texts) to be one."),
    lodo: bool = typer.Option(False, "--lodo", help="Leave one document out: read each plan with models trained without it."),
    metrics: Optional[Path] = typer.Option(None, "--metrics", help="Write the summary (P/R/F1 per kind and field) as JSON here (DVC metrics)."),
) -> None:
    """Precision, recall and F1 per item kind and per field against the reviewed gold."""
    from .evaluate import (
        GoldError, MatchSettings, compare_runs, evaluate, gold_documents, held_out_predictions, predictions_for,
        render, render_comparison,
    )
    from .load import LoadError

    if fmt not in ("text", "markdown", "json"):
        _fail("--format", f"unknown format {fmt!r}: choose text, markdown or json")
    sources = list(pred or []) + ([pred_dir] if pred_dir else [])
    try:
        golds = gold_documents(gold)
        if lodo and sources:
            _fail("--lodo", "reads the plans itself: give no predictions with it")
        preds = held_out_predictions(golds, echo=lambda m: typer.echo(m, err=True)) if lodo else predictions_for(golds, sources)
    except LoadError as exc:
        _fail(exc.path, exc.reason)
    except GoldError as exc:  # its message names the file already
        typer.echo(f"kehoach: error: {exc}", err=True)
        raise typer.Exit(2)
    result = evaluate(zip([g for g, _ in golds], preds), MatchSettings(span_overlap, text_similarity))
    data = result.to_json()
    data["mode"] = "leave-one-document-out" if lodo else "trained on all plans"
    if out:
        write_atomic(out, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    if metrics:
        summary = {  # short enough for `dvc metrics show`; the full result is --out's
            "mode": data["mode"], "documents": len(data["documents"]),
            "kinds": {k: {m: v[m] for m in ("precision", "recall", "f1")} for k, v in data["kinds"].items()},
            "fields": {k: v["f1"] for k, v in data["fields"].items()},
        }
        write_atomic(metrics, json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
    if baseline:
        try:
            before = json.loads(baseline.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            _fail(baseline, f"cannot read the baseline ({exc})")
        typer.echo(render_comparison(compare_runs(before, data)))
        return
    typer.echo(json.dumps(data, ensure_ascii=False, indent=1) if fmt == "json" else render(result, fmt, errors))

"""`kehoach annotate …` and `kehoach evaluate`: gold data in and out, and scoring against it.

Registered on the main app by `pipeline.cli`; kept apart so the extraction commands stay short.
"""

from __future__ import annotations

import json
from pathlib import Path

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

"""Tables for people: an aligned grid in the terminal, CSV (group as a column), JSON."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

from ..model import Table


def column_titles(table: Table) -> list[str]:
    return ["group"] + [f"{c.name} [{c.role}{'' if c.year is None else ' ' + str(c.year)}]" for c in table.columns]


def table_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["group"] + [c.name for c in table.columns] + ["page"])
    for row in table.rows:
        writer.writerow([row.group or ""] + row.cells + ["" if row.page is None else row.page])
    return buffer.getvalue()


def table_json(table: Table) -> str:
    return json.dumps(dataclasses.asdict(table), ensure_ascii=False, indent=2)


def print_table(table: Table) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table as Grid

    title = f"{table.id} · {table.kind}" + (f" · {table.caption}" if table.caption else "")
    grid = Grid(title=escape(title), show_lines=True, expand=True)
    for name in column_titles(table):
        grid.add_column(escape(name), overflow="fold")
    for row in table.rows:
        grid.add_row(*(escape(cell) for cell in [row.group or "", *row.cells]))
    Console().print(grid)

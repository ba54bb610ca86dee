"""Label Studio round trip: documents out as tasks with pre-annotations, reviewed spans back in as gold.

Label Studio's task format (https://labelstud.io/guide/task_format): a list of tasks, each with
`data` (here `text`, the plan's normalized text, and `kehoach`, the whole document it was made
from) and `predictions`; its JSON export adds `annotations`, each with a `result` list of regions
`{"id", "from_name", "to_name", "type": "labels", "value": {"start", "end", "text", "labels"}}`.
The labeling config the tasks expect is `LABEL_CONFIG` (`kehoach annotate export` writes it next
to the tasks).

On import a region keeps the item it was exported from when its span and label are unchanged, so
fields no span can carry (a citation's date, a target's year) survive the trip. A new or moved
span is read again by the pipeline's own parsers (citation patterns, percentage grammar, deadline
grammar, unit aliases); a new indicator, target or task span can only carry its text, and the
review block lists it for completion.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Iterator

from .model import Citation, DeadlineMention, Document, Percentage, Provenance, Unit

LABELS = ("CITATION", "INDICATOR", "TARGET", "PERCENT", "DEADLINE", "UNIT_LEAD", "UNIT_SUPPORT", "TASK")
FROM_NAME, TO_NAME = "label", "text"
LABEL_CONFIG = """<View>
  <Labels name="label" toName="text">
""" + "".join(f'    <Label value="{label}"/>\n' for label in LABELS) + """  </Labels>
  <Text name="text" value="$text" granularity="word"/>
</View>
"""
UNIT_ROLES = {"UNIT_LEAD": "lead", "UNIT_SUPPORT": "support"}


@dataclass(frozen=True)
class Region:
    label: str
    start: int
    end: int
    text: str


# --- export -------------------------------------------------------------------------------------------


def to_task(doc: Document, task_id: int) -> dict[str, Any]:
    """One Label Studio task: the text, the document, and every item as a pre-annotated span."""
    result = [_result(f"r{i}", r) for i, r in enumerate(regions_of(doc))]
    return {
        "id": task_id,
        "data": {"text": doc.text, "document": _name(doc), "kehoach": doc.to_json()},
        "predictions": [{"model_version": "kehoach", "result": result}],
    }


def regions_of(doc: Document) -> Iterator[Region]:
    """The spans of a document's items, labelled; items read in footnotes have no span in the text."""
    text = doc.text
    for c in doc.citations:
        if not c.footnote:
            yield Region("CITATION", c.start, c.end, text[c.start:c.end])
    for p in doc.percentages:
        yield Region("PERCENT", p.start, p.end, text[p.start:p.end])
    for d in doc.deadlines:
        yield Region("DEADLINE", d.start, d.end, text[d.start:d.end])
    for item, label in [(i, "INDICATOR") for i in doc.indicators] + [(t, "TASK") for t in doc.tasks]:
        for p in _places(item):
            yield Region(label, p.start, p.end, text[p.start:p.end])
    for i in doc.indicators:
        for t in i.targets:
            found = _find_inside(text, t.text, i)
            if found:
                yield Region("TARGET", found[0], found[1], t.text)
    for u in doc.units:
        label = _unit_label(u)
        for p in u.provenance:
            yield Region(label, p.start, p.end, text[p.start:p.end])


def _unit_label(unit: Unit) -> str:
    """Mentions carry no role of their own: a unit's spans are UNIT_SUPPORT when it only supports."""
    return "UNIT_SUPPORT" if unit.roles == ["support"] else "UNIT_LEAD"


def _places(item) -> list[Provenance]:
    return item.provenance or [Provenance("text", item.start, item.end, item.section, item.page)]


def _find_inside(text: str, needle: str, indicator) -> tuple[int, int] | None:
    """A target's printed text inside one of its indicator's places (targets carry no offsets)."""
    for p in _places(indicator):
        at = text.find(needle, p.start, p.end) if needle else -1
        if at >= 0:
            return at, at + len(needle)
    return None


def _result(region_id: str, r: Region) -> dict[str, Any]:
    return {"id": region_id, "from_name": FROM_NAME, "to_name": TO_NAME, "type": "labels",
            "value": {"start": r.start, "end": r.end, "text": r.text, "labels": [r.label]}}


def _name(doc: Document) -> str:
    return doc.document.source.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0] or doc.document.id


# --- import -------------------------------------------------------------------------------------------


class LabelStudioError(ValueError):
    """A Label Studio export that cannot be turned into gold; the message says which task and why."""


def from_task(task: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(file name, gold document) from one exported task with an annotation."""
    data = task.get("data") or {}
    if "kehoach" not in data:
        raise LabelStudioError(f"task {task.get('id')}: no data.kehoach (not exported by kehoach annotate export)")
    annotation = _final_annotation(task)
    base = Document.from_json(data["kehoach"])
    regions = list(_regions(annotation["result"], base.text, task.get("id")))
    doc, changes, todo = rebuild(base, regions)
    gold = doc.to_json()
    gold["warnings"] = []
    gold["review"] = {
        "status": "reviewed",
        "source": data["kehoach"]["document"]["source"],
        "method": f"spans reviewed in Label Studio (task {task.get('id')}, annotation {annotation.get('id')}"
                  f"{', by ' + str(annotation['completed_by']) if annotation.get('completed_by') else ''}); "
                  "unchanged spans keep the fields of the exported item, new spans were read by the pipeline's parsers",
        "reviewed": (annotation.get("updated_at") or dt.date.today().isoformat())[:10],
        "changes": changes,
        "notes": todo,
    }
    return data.get("document") or _name(base), gold


def _final_annotation(task: dict[str, Any]) -> dict[str, Any]:
    done = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if not done:
        raise LabelStudioError(f"task {task.get('id')}: no submitted annotation (predictions alone are not gold)")
    return max(done, key=lambda a: (a.get("updated_at") or "", a.get("id") or 0))


def _regions(result: list[dict], text: str, task_id) -> Iterator[Region]:
    for r in result:
        value = r.get("value") or {}
        labels = value.get("labels") or []
        if r.get("type") != "labels" or not labels:
            continue
        start, end = value.get("start"), value.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)):
            raise LabelStudioError(f"task {task_id}: region {r.get('id')} has offsets {start}..{end} outside the text")
        for label in labels:
            if label not in LABELS:
                raise LabelStudioError(f"task {task_id}: region {r.get('id')} has unknown label {label!r}")
            yield Region(label, start, end, text[start:end])


def rebuild(base: Document, regions: list[Region]) -> tuple[Document, list[str], list[str]]:
    """The document the reviewed regions describe: (document, changes against the base, items to complete)."""
    before = {(r.label, r.start, r.end) for r in regions_of(base)}
    after = {(r.label, r.start, r.end) for r in regions}
    kept = before & after
    added = [r for r in regions if (r.label, r.start, r.end) not in before]
    changes = [f"{label.lower()}: removed {base.text[s:e]!r} at {s}" for label, s, e in sorted(before - after, key=lambda x: x[1])]
    changes += [f"{r.label.lower()}: added {r.text!r} at {r.start}" for r in added]
    todo = [f"{r.label.lower()} {r.text[:60]!r} at {r.start}: added in Label Studio, fields to complete by hand"
            for r in added if r.label in ("INDICATOR", "TARGET", "TASK")]
    doc = replace(
        base,
        citations=[c for c in base.citations if c.footnote or ("CITATION", c.start, c.end) in kept]
        + [_citation(base.text, r) for r in added if r.label == "CITATION"],
        percentages=[p for p in base.percentages if ("PERCENT", p.start, p.end) in kept]
        + [p for r in added if r.label == "PERCENT" for p in _percentage(r)],
        deadlines=[d for d in base.deadlines if ("DEADLINE", d.start, d.end) in kept]
        + [_deadline(r) for r in added if r.label == "DEADLINE"],
        indicators=[i for i in base.indicators if _any_kept(i, "INDICATOR", kept)],
        tasks=[t for t in base.tasks if _any_kept(t, "TASK", kept)],
        units=_units(base, regions),
    )
    _sort_spans(doc)
    return doc, changes, todo


def _any_kept(item, label: str, kept: set) -> bool:
    return any((label, p.start, p.end) in kept for p in _places(item))


def _citation(text: str, r: Region) -> Citation:
    from .extractors.citations import find_mentions, fold, resolve_mention

    mentions = find_mentions(r.text)
    if not mentions:
        return Citation(r.text, None, None, None, None, None, fold(r.text).upper(), r.start, r.end, None, None, 1.0)
    found = resolve_mention(r.text, mentions[0], len(r.text))
    ref = found.ref or fold(" ".join(r.text.split())).upper()
    return Citation(r.text, found.doc_type, found.number, found.issued_date, found.issuer, found.title, ref,
                    r.start, r.end, None, None, 1.0)


def _percentage(r: Region) -> list[Percentage]:
    from .extractors.percentages import read_values

    values = read_values(r.text, bare=True)
    if not values:
        return []
    v = values[0]
    return [Percentage(r.text, v.value, v.op, None, r.start, r.end, None, None, 1.0)]


def _deadline(r: Region) -> DeadlineMention:
    from .extractors.deadlines import parse_deadline

    d = parse_deadline(" ".join(r.text.split()))
    return DeadlineMention(r.text, d.kind, d.period_start, d.period_end, d.recurrence, r.start, r.end, None, None, 1.0)


def _units(base: Document, regions: list[Region]) -> list[Unit]:
    """Units from the reviewed unit spans: a span of an exported unit stays with it, a new span
    joins the unit its canonical name names (or starts one); roles follow the labels."""
    from .extractors.units import canonical, unit_type

    spans = {(r.start, r.end): r.label for r in regions if r.label in UNIT_ROLES}
    units: dict[str, Unit] = {}
    for u in base.units:
        places = [p for p in u.provenance if (p.start, p.end) in spans]
        if places:
            labels = [spans.pop((p.start, p.end)) for p in places]
            relabelled = set(labels) != {_unit_label(u)}
            roles = _roles(u.roles, [UNIT_ROLES[x] for x in labels]) if relabelled else u.roles
            units[u.name] = replace(u, provenance=places, mentions=len(places), roles=roles)
    for (start, end), label in sorted(spans.items()):
        role = UNIT_ROLES[label]
        name = canonical(base.text[start:end])[0]
        unit = units.setdefault(name, Unit(name, [], unit_type(name), 0, 1.0))
        unit.provenance.append(Provenance("text", start, end, None))
        unit.mentions += 1
        unit.roles = _roles(unit.roles, [role])
    return list(units.values())


def _roles(old: list[str], seen: list[str]) -> list[str]:
    """Roles the reviewed spans give, keeping 'implementing' (no span label of its own) where it was."""
    roles = [r for r in old if r in seen or r == "implementing"]
    return roles + [r for r in dict.fromkeys(seen) if r not in roles]


def _sort_spans(doc: Document) -> None:
    for items in (doc.citations, doc.percentages, doc.deadlines):
        items.sort(key=lambda x: (x.footnote is not None if hasattr(x, "footnote") else False, x.start, x.end))

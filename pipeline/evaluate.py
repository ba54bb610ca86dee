"""Score the pipeline against gold: precision, recall and F1 per item kind and per field.

find -> match -> score, one small function each:

* Offsets of the prediction are mapped onto the gold text first (`Aligner`): when a rule
  changes normalization, items are still compared where they stand, not by raw offset.
* Items are **matched** kind by kind (rules below, in `KINDS`): span items by overlap of their
  spans, long texts (indicator names, task texts) by overlap or fuzzy text similarity, units by
  canonical name or alias, sections by label and heading, metadata field by field, table cells
  by (row, column, text) inside tables matched by span.
* Two items whose spans overlap but too little to be the same item are a **partial** match:
  listed as such, counted as a miss and a false positive.
* Every **field** is then scored over all items: a value the gold has and the prediction gives
  equal is a true positive; a gold value missing or different is a miss; a predicted value that
  is wrong or not in the gold is a false positive. Set-valued fields (lead units) count per element.
  Values are compared exactly after normalization (whitespace squeezed; names case-folded);
  long texts fuzzily (`MatchSettings.text_similarity`).

The result lists every item's outcome with a stable key, so `compare` can say which items a
change fixed and which it broke.
"""

from __future__ import annotations

import bisect
import difflib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable

from .model import Document, Indicator, Task

# --- settings and scores -------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchSettings:
    """How close two items must be to count as one."""

    span_overlap: float = 0.5  # intersection over union of two spans
    text_similarity: float = 0.8  # difflib ratio of two long texts (names, task texts)
    boundary_slack: int = 2  # characters a section boundary may be off and still be right


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: "Score") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_json(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn,
                **{k: _round(getattr(self, k)) for k in ("precision", "recall", "f1")}}


@dataclass
class Outcome:
    """What happened to one item: matched (maybe with wrong fields), missed, partial, or false positive."""

    document: str
    kind: str
    status: str  # match | miss | partial | false_positive
    text: str  # the gold item's label; the prediction's for a false positive
    start: int | None  # gold offsets (false positive: the prediction's, mapped onto the gold text)
    end: int | None
    predicted: str | None = None  # the prediction's label (match, partial)
    wrong: dict[str, dict[str, Any]] = field(default_factory=dict)  # field -> {gold, predicted}

    @property
    def key(self) -> str:
        side = "fp" if self.status == "false_positive" else "gold"
        return f"{self.document}|{self.kind}|{side}|{self.start}|{self.end}|{self.text[:60]}"

    @property
    def correct(self) -> bool:
        return self.status == "match" and not self.wrong


@dataclass
class Evaluation:
    documents: list[str]
    kinds: dict[str, Score]
    fields: dict[str, Score]  # "kind.field"
    outcomes: list[Outcome]
    settings: MatchSettings = field(default_factory=MatchSettings)

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "settings": asdict(self.settings),
            "kinds": {k: s.to_json() for k, s in self.kinds.items()},
            "fields": {k: s.to_json() for k, s in self.fields.items()},
            "outcomes": [{**asdict(o), "key": o.key} for o in self.outcomes],
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


# --- aligning the prediction's text with the gold text ------------------------------------------


class Aligner:
    """Maps offsets of the predicted text onto the gold text (identity when both are equal).

    Lines are matched first (fast on long plans where a rule changed a few lines), then the
    characters of each changed run of lines; an offset inside text that has no counterpart
    maps to the end of the last matching stretch before it.
    """

    def __init__(self, gold_text: str, pred_text: str):
        self.identity = gold_text == pred_text
        if not self.identity:
            self._blocks = list(_matching_blocks(pred_text, gold_text))
            self._starts = [b[0] for b in self._blocks]

    def to_gold(self, offset: int) -> int:
        if self.identity or not self._blocks:
            return offset
        i = max(bisect.bisect_right(self._starts, offset) - 1, 0)
        pred_start, gold_start, size = self._blocks[i]
        return gold_start + min(max(offset - pred_start, 0), size)


def _matching_blocks(a: str, b: str):
    """(offset in a, offset in b, length) of stretches equal in both, in order."""
    a_lines, b_lines = a.splitlines(keepends=True), b.splitlines(keepends=True)
    a_at, b_at = _line_starts(a_lines), _line_starts(b_lines)
    lines = difflib.SequenceMatcher(None, a_lines, b_lines, autojunk=False)
    for op, i1, i2, j1, j2 in lines.get_opcodes():
        a0, a1, b0, b1 = a_at[i1], a_at[i2], b_at[j1], b_at[j2]
        if op == "equal":
            yield a0, b0, a1 - a0
        elif op == "replace":
            chars = difflib.SequenceMatcher(None, a[a0:a1], b[b0:b1], autojunk=False)
            yield from ((a0 + m.a, b0 + m.b, m.size) for m in chars.get_matching_blocks() if m.size)


def _line_starts(lines: list[str]) -> list[int]:
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts


# --- matching ---------------------------------------------------------------------------------------


Span = tuple[int, int]


def iou(a: Span, b: Span) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _fold(a), _fold(b), autojunk=False).ratio()


def _squeeze(text: str | None) -> str | None:
    return " ".join(text.split()) if text is not None else None


def _fold(text: str | None) -> str | None:
    return _squeeze(text).casefold() if text is not None else None


@dataclass(frozen=True)
class Kind:
    """How one item kind is read, matched and scored."""

    items: Callable[[Document], list]
    spans: Callable[[Any], list[tuple[Span, str | None]]]  # (span, footnote label) per place
    label: Callable[[Any], str]
    fields: dict[str, Callable[[Any], Any]]
    fuzzy_label: bool = False  # long texts: also match by text similarity when spans overlap


def _span(item) -> list[tuple[Span, str | None]]:
    return [((item.start, item.end), getattr(item, "footnote", None))]


def _places(item) -> list[tuple[Span, str | None]]:
    return [((p.start, p.end), None) for p in item.provenance] or _span(item)


def _units(names: list[str]) -> frozenset[str]:
    return frozenset(_fold(n) for n in names)


def _deadline(task: Task):
    d = task.deadline
    return None if d is None else (d.kind, d.period_start, d.period_end)


def _number(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


# One place per rule set: what each kind's fields are and how they are normalized.
KINDS: dict[str, Kind] = {
    "citations": Kind(
        items=lambda d: d.citations, spans=_span, label=lambda c: c.text,
        fields={"number": lambda c: c.number, "issued_date": lambda c: c.issued_date,
                "issuer": lambda c: _fold(c.issuer), "doc_type": lambda c: _fold(c.doc_type)}),
    "percentages": Kind(
        items=lambda d: d.percentages, spans=_span, label=lambda p: p.text,
        fields={"value": lambda p: _number(p.value), "op": lambda p: p.op}),
    "deadlines": Kind(
        items=lambda d: d.deadlines, spans=_span, label=lambda x: x.text,
        fields={"kind": lambda x: x.kind, "period_start": lambda x: x.period_start,
                "period_end": lambda x: x.period_end, "recurrence": lambda x: x.recurrence}),
    "indicators": Kind(
        items=lambda d: d.indicators, spans=_places, label=lambda i: i.name, fuzzy_label=True,
        fields={"name": lambda i: i.name, "unit": lambda i: _fold(i.unit)}),
    "tasks": Kind(
        items=lambda d: d.tasks, spans=_places, label=lambda t: t.text, fuzzy_label=True,
        fields={"lead_units": lambda t: _units(t.lead_units), "support_units": lambda t: _units(t.support_units),
                "deadline": _deadline}),
}
FUZZY_FIELDS = {("indicators", "name"), ("tasks", "text")}

METADATA_FIELDS: dict[str, Callable[[Any], Any]] = {
    "doc_type": lambda i: _fold(i.doc_type), "number": lambda i: i.number, "symbol": lambda i: i.symbol,
    "issuer": lambda i: _fold(i.issuer), "place": lambda i: _fold(i.place), "issued_date": lambda i: i.issued_date,
    "title": lambda i: _fold(i.title),
    "locality": lambda i: (_fold(i.locality.name), i.locality.level) if i.locality else None,
    "signer_name": lambda i: _fold(i.signer.name) if i.signer else None,
    "signer_title": lambda i: _fold(i.signer.title) if i.signer else None,
    "recipients": lambda i: frozenset(_fold(r) for r in i.recipients),
}


def _pairs(gold: list, pred: list, kind: Kind, align: Aligner, settings: MatchSettings):
    """Greedy one-to-one matching, best overlap first. Returns (matches, partials, gold left, pred left)."""
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            overlap = _overlap(kind.spans(g), kind.spans(p), align)
            if overlap <= 0:
                continue
            same = overlap >= settings.span_overlap or (
                kind.fuzzy_label and similarity(kind.label(g), kind.label(p)) >= settings.text_similarity)
            candidates.append((not same, -overlap, gi, pi))
    candidates.sort()
    used_g, used_p, matches, partials = set(), set(), [], []
    for partial, _, gi, pi in candidates:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        (partials if partial else matches).append((gi, pi))
    return matches, partials, [i for i in range(len(gold)) if i not in used_g], [i for i in range(len(pred)) if i not in used_p]


def _overlap(gold_places, pred_places, align: Aligner) -> float:
    best = 0.0
    for (gspan, gnote) in gold_places:
        for (pspan, pnote) in pred_places:
            if gnote != pnote:
                continue
            mapped = pspan if pnote else (align.to_gold(pspan[0]), align.to_gold(pspan[1]))
            best = max(best, iou(gspan, mapped))
    return best


# --- scoring ----------------------------------------------------------------------------------------


class _Tally:
    """Scores and outcomes of one evaluation as they are counted."""

    def __init__(self, settings: MatchSettings):
        self.settings = settings
        self.kinds: dict[str, Score] = defaultdict(Score)
        self.fields: dict[str, Score] = defaultdict(Score)
        self.outcomes: list[Outcome] = []

    def field(self, name: str, gold: Any, pred: Any, fuzzy: bool = False) -> bool:
        """Count one field of one item pair (either side may be None: item missing); True when right."""
        score = self.fields[name]
        if isinstance(gold, frozenset) or isinstance(pred, frozenset):
            g, p = gold or frozenset(), pred or frozenset()
            score.add(Score(len(g & p), len(p - g), len(g - p)))
            return g == p
        same = gold is not None and pred is not None and (
            similarity(gold, pred) >= self.settings.text_similarity if fuzzy else gold == pred)
        score.add(Score(int(same), int(pred is not None and not same), int(gold is not None and not same)))
        return same or (gold is None and pred is None)


def evaluate(pairs: Iterable[tuple[Document, Document]], settings: MatchSettings | None = None) -> Evaluation:
    """Score each (gold, predicted) document pair and add the counts up."""
    tally = _Tally(settings or MatchSettings())
    names = []
    for gold, pred in pairs:
        name = _name(gold)
        names.append(name)
        align = Aligner(gold.text, pred.text)
        _score_metadata(name, gold, pred, tally)
        for kind_name, kind in KINDS.items():
            matches = _score_kind(name, kind_name, kind, gold, pred, align, tally)
            if kind_name == "indicators":
                _score_targets(name, gold.indicators, pred.indicators, matches, tally)
        _score_units(name, gold, pred, tally)
        _score_sections(name, gold, pred, align, tally)
        _score_cells(name, gold, pred, align, tally)
    return Evaluation(names, dict(tally.kinds), dict(sorted(tally.fields.items())), tally.outcomes, tally.settings)


def _name(doc: Document) -> str:
    source = doc.document.source.replace("\\", "/").rsplit("/", 1)[-1]
    return source.rsplit(".", 1)[0] or doc.document.id


def _score_kind(doc: str, kind_name: str, kind: Kind, gold: Document, pred: Document, align: Aligner,
                tally: _Tally) -> list[tuple[int, int]]:
    g_items, p_items = kind.items(gold), kind.items(pred)
    matches, partials, g_left, p_left = _pairs(g_items, p_items, kind, align, tally.settings)
    score = tally.kinds[kind_name]
    score.add(Score(len(matches), len(partials) + len(p_left), len(partials) + len(g_left)))
    for gi, pi in matches + partials:
        g, p = g_items[gi], p_items[pi]
        wrong = _compare_fields(kind_name, kind, g, p, tally)
        status = "match" if (gi, pi) in matches else "partial"
        tally.outcomes.append(Outcome(doc, kind_name, status, kind.label(g), g.start, g.end, kind.label(p), wrong))
    for gi in g_left:
        _compare_fields(kind_name, kind, g_items[gi], None, tally)
        tally.outcomes.append(Outcome(doc, kind_name, "miss", kind.label(g_items[gi]), g_items[gi].start, g_items[gi].end))
    for pi in p_left:
        p = p_items[pi]
        _compare_fields(kind_name, kind, None, p, tally)
        tally.outcomes.append(Outcome(doc, kind_name, "false_positive", kind.label(p),
                                      align.to_gold(p.start), align.to_gold(p.end)))
    return matches


def _compare_fields(kind_name: str, kind: Kind, gold, pred, tally: _Tally) -> dict[str, dict[str, Any]]:
    wrong = {}
    for name, read in kind.fields.items():
        g = read(gold) if gold is not None else None
        p = read(pred) if pred is not None else None
        if not tally.field(f"{kind_name}.{name}", g, p, fuzzy=(kind_name, name) in FUZZY_FIELDS) and gold and pred:
            wrong[name] = {"gold": _plain(g), "predicted": _plain(p)}
    return wrong


def _plain(value: Any) -> Any:
    if isinstance(value, frozenset):
        return sorted(value)
    return list(value) if isinstance(value, tuple) else value


def _score_targets(doc: str, gold: list[Indicator], pred: list[Indicator], matches, tally: _Tally) -> None:
    """Targets of matched indicators, paired by year (and scope); others are misses / false positives."""
    matched_g = {gi: pi for gi, pi in matches}
    matched_p = set(matched_g.values())
    for gi, g in enumerate(gold):
        p_targets = pred[matched_g[gi]].targets if gi in matched_g else []
        _score_target_lists(doc, g, g.targets, p_targets, tally)
    for pi, p in enumerate(pred):
        if pi not in matched_p:
            _score_target_lists(doc, p, [], p.targets, tally)


def _score_target_lists(doc: str, indicator: Indicator, gold: list, pred: list, tally: _Tally) -> None:
    def find(g, left):
        same_year = [p for p in left if p.year == g.year and _fold(p.scope) == _fold(g.scope)] or \
                    [p for p in left if p.year == g.year]
        return same_year[0] if same_year else None

    place = (indicator.start, indicator.end) if gold else (None, None)  # a false positive's indicator is not gold
    _score_greedy(doc, "targets", gold, pred, find, TARGET_FIELDS, tally,
                  label=lambda t: f"{indicator.name[:50]} / {t.year}: {t.text}", place=lambda t: place)


TARGET_FIELDS: dict[str, Callable[[Any], Any]] = {"op": lambda t: t.op, "value": lambda t: _number(t.value)}
UNIT_FIELDS: dict[str, Callable[[Any], Any]] = {"type": lambda u: u.type, "roles": lambda u: frozenset(u.roles)}


def _score_units(doc: str, gold: Document, pred: Document, tally: _Tally) -> None:
    """Responsible units by canonical name, or by a name one side lists among the other's aliases."""
    def find(g, left):
        names = {_fold(n) for n in [g.name, *g.aliases]}
        found = [p for p in left if _fold(p.name) == _fold(g.name)] or \
                [p for p in left if names & {_fold(n) for n in [p.name, *p.aliases]}]
        return found[0] if found else None

    _score_greedy(doc, "units", gold.units, pred.units, find, UNIT_FIELDS, tally,
                  label=lambda u: u.name, place=lambda u: (None, None))


def _score_greedy(doc: str, kind: str, gold: list, pred: list, find, fields: dict, tally: _Tally,
                  label: Callable[[Any], str], place: Callable[[Any], tuple]) -> None:
    """One-to-one, gold in order: each gold item takes the first prediction `find` offers among
    those left; then its fields. Used where items have no span of their own (units, targets)."""
    left = list(pred)
    score = tally.kinds[kind]
    for g in gold:
        p = find(g, left)
        if p is None:
            score.fn += 1
            for name, read in fields.items():
                tally.field(f"{kind}.{name}", read(g), None)
            tally.outcomes.append(Outcome(doc, kind, "miss", label(g), *place(g)))
            continue
        left.remove(p)
        score.tp += 1
        wrong = {}
        for name, read in fields.items():
            gv, pv = read(g), read(p)
            if not tally.field(f"{kind}.{name}", gv, pv):
                wrong[name] = {"gold": _plain(gv), "predicted": _plain(pv)}
        tally.outcomes.append(Outcome(doc, kind, "match", label(g), *place(g), label(p), wrong))
    for p in left:
        score.fp += 1
        for name, read in fields.items():
            tally.field(f"{kind}.{name}", None, read(p))
        tally.outcomes.append(Outcome(doc, kind, "false_positive", label(p), None, None))


def _score_metadata(doc: str, gold: Document, pred: Document, tally: _Tally) -> None:
    wrong = {}
    for name, read in METADATA_FIELDS.items():
        g, p = read(gold.document), read(pred.document)
        if not tally.field(f"metadata.{name}", g, p):
            wrong[name] = {"gold": _plain(g), "predicted": _plain(p)}
    tally.outcomes.append(Outcome(doc, "metadata", "match", gold.document.title or doc, None, None, None, wrong))


def _score_sections(doc: str, gold: Document, pred: Document, align: Aligner, tally: _Tally) -> None:
    """Headings and list items, matched by kind, label and heading; then their boundaries."""
    for kind_name, is_item in (("sections", False), ("list_items", True)):
        g_items = [s for s in gold.sections if s.list_item == is_item]
        p_items = [s for s in pred.sections if s.list_item == is_item]
        by_key = defaultdict(list)
        for p in p_items:
            by_key[_section_key(p)].append(p)
        score = tally.kinds[kind_name]
        for g in g_items:
            candidates = by_key.get(_section_key(g))
            label = f"{g.label or ''} {g.heading or ''}".strip() or g.kind
            if not candidates:
                score.fn += 1
                tally.outcomes.append(Outcome(doc, kind_name, "miss", label, g.start, g.end))
                continue
            p = min(candidates, key=lambda s: abs(align.to_gold(s.start) - g.start))
            candidates.remove(p)
            score.tp += 1
            slack = tally.settings.boundary_slack
            bounds_right = abs(align.to_gold(p.start) - g.start) <= slack and abs(align.to_gold(p.end) - g.end) <= slack
            wrong = {}
            for name, gv, pv in (("level", g.level, p.level), ("bounds", True, bounds_right)):
                if not tally.field(f"{kind_name}.{name}", gv, pv):
                    wrong[name] = {"gold": gv, "predicted": pv}
            tally.outcomes.append(Outcome(doc, kind_name, "match", label, g.start, g.end, label, wrong))
        for rest in by_key.values():
            for p in rest:
                score.fp += 1
                label = f"{p.label or ''} {p.heading or ''}".strip() or p.kind
                tally.outcomes.append(Outcome(doc, kind_name, "false_positive", label,
                                              align.to_gold(p.start), align.to_gold(p.end)))


def _section_key(s) -> tuple:
    """Kind, label and heading; a heading's closing punctuation ("Mục tiêu:" / "Mục tiêu") is not part of it."""
    heading = _fold(s.heading)
    return (s.kind, _fold(s.label), heading.rstrip(" .:;") if heading else heading)


def _score_cells(doc: str, gold: Document, pred: Document, align: Aligner, tally: _Tally) -> None:
    """Table cells as (row, column, text) inside tables matched by their spans."""
    used = set()
    score = tally.kinds["table_cells"]
    for g in gold.tables:
        best = max(((iou((g.start, g.end), (align.to_gold(p.start), align.to_gold(p.end))), i)
                    for i, p in enumerate(pred.tables) if i not in used), default=(0.0, None))
        p = pred.tables[best[1]] if best[0] >= tally.settings.span_overlap else None
        if p is not None:
            used.add(best[1])
        g_cells, p_cells = _cells(g), _cells(p) if p else set()
        score.add(Score(len(g_cells & p_cells), len(p_cells - g_cells), len(g_cells - p_cells)))
        for row, col, text in sorted(g_cells - p_cells):
            tally.outcomes.append(Outcome(doc, "table_cells", "miss", f"{g.id}[{row},{col}] {text}", g.start, g.end))
        for row, col, text in sorted(p_cells - g_cells):
            tally.outcomes.append(Outcome(doc, "table_cells", "false_positive", f"{g.id}[{row},{col}] {text}", g.start, g.end))
    for i, p in enumerate(pred.tables):
        if i not in used:
            score.fp += len(_cells(p))
            tally.outcomes.append(Outcome(doc, "table_cells", "false_positive", f"table {p.caption or p.id}",
                                          align.to_gold(p.start), align.to_gold(p.end)))


def _cells(table) -> set[tuple[int, int, str]]:
    return {(r, c, _squeeze(cell)) for r, row in enumerate(table.rows) for c, cell in enumerate(row.cells) if cell.strip()}


# --- gold and predictions in, reports out ---------------------------------------------------------


class GoldError(ValueError):
    """Gold or predictions that cannot be scored; the message names the file."""


def gold_documents(folder) -> list[tuple[Document, dict]]:
    """The reviewed gold documents of `folder` with their review blocks; drafts are refused."""
    from pathlib import Path

    from .annotate import gold_files, gold_problems, read_gold

    found = []
    for path in gold_files(Path(folder)):
        data = read_gold(path)
        problems = gold_problems(data)
        if problems:
            raise GoldError(f"{path}: {problems[0]}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
        if data["review"]["status"] != "reviewed":
            raise GoldError(f"{path}: a draft (review.status is {data['review']['status']!r}); review it first")
        found.append((Document.from_json(data), data["review"]))
    if not found:
        raise GoldError(f"{folder}: no gold files (annotations/gold/<plan>.json)")
    return found


def predictions_for(gold: list[tuple[Document, dict]], pred: list | None, root=None) -> list[Document]:
    """One predicted document per gold document: from JSON files or folders given, else by
    running the pipeline on the file the gold was made from (`review.source`)."""
    import json
    from pathlib import Path

    from .extract import extract_document

    if not pred:
        root = Path(root or ".")
        return [extract_document(root / review["source"]) for _, review in gold]
    missing = [p for p in map(Path, pred) if not p.exists()]
    if missing:
        raise GoldError(f"{missing[0]}: not found")
    files = [f for p in map(Path, pred) for f in (sorted(p.glob("*.json")) if p.is_dir() else [p])]
    by_key = {}
    for f in files:
        try:
            doc = Document.from_json(json.loads(f.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise GoldError(f"{f}: not a kehoach document JSON ({type(exc).__name__}: {exc})") from exc
        by_key[doc.document.id] = by_key[_name(doc)] = doc
    out = []
    for g, _ in gold:
        doc = by_key.get(g.document.id) or by_key.get(_name(g))
        if doc is None:
            raise GoldError(f"{_name(g)}: no prediction among {len(files)} JSON file(s) (matched by document id or file name)")
        out.append(doc)
    return out


def held_out_predictions(gold: list[tuple[Document, dict]], root=None, echo=None) -> list[Document]:
    """Leave-one-document-out: for each gold plan, every trained model is trained again without
    that plan, and the plan is read with those models in a child process (so no model loaded
    here leaks in). Rules are the same in every fold; only the trained parts see less data."""
    import json
    import os
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from .modelfile import MODELS_ENV
    from .training import train_all

    root = Path(root or ".")
    docs = []
    with tempfile.TemporaryDirectory(prefix="kehoach-lodo-") as tmp:
        for _, review in gold:
            stem = Path(review["source"]).stem
            folder = Path(tmp) / stem
            if echo:
                echo(f"fold {stem}: training without it")
            train_all(folder, exclude=frozenset({stem}), measure=False)
            out = folder / "prediction.json"
            run = subprocess.run([sys.executable, "-m", "pipeline.cli", "extract", str(root / review["source"]), "--out", str(out)],
                                 env={**os.environ, MODELS_ENV: str(folder)}, capture_output=True, text=True)
            if not out.exists():
                last = (run.stderr.strip().splitlines() or ["no output"])[-1]
                raise GoldError(f"{review['source']}: the held-out extraction failed ({last})")
            docs.append(Document.from_json(json.loads(out.read_text(encoding="utf-8"))))
    return docs


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def summary_rows(ev: Evaluation) -> tuple[list[list[str]], list[list[str]]]:
    kinds = [[k, str(s.tp + s.fn), str(s.tp + s.fp), _pct(s.precision), _pct(s.recall), _pct(s.f1)]
             for k, s in ev.kinds.items()]
    fields_ = [[k, str(s.tp + s.fn), _pct(s.precision), _pct(s.recall), _pct(s.f1)] for k, s in ev.fields.items()]
    return kinds, fields_


def render(ev: Evaluation, fmt: str = "text", errors: int = 20) -> str:
    """The report as text or Markdown: the kind table, the field table, then misses and false positives."""
    kinds, fields_ = summary_rows(ev)
    table = _markdown_table if fmt == "markdown" else _text_table
    parts = [f"Documents: {', '.join(ev.documents)}", "",
             table(["kind", "gold", "predicted", "precision", "recall", "F1"], kinds), "",
             table(["field", "gold", "precision", "recall", "F1"], fields_)]
    for status in ("miss", "partial", "false_positive"):
        listed = [o for o in ev.outcomes if o.status == status]
        if listed:
            parts += ["", f"{status.replace('_', ' ')}es ({len(listed)}):" if status == "miss" else
                      f"{status.replace('_', ' ')}s ({len(listed)}):"]
            parts += [f"  {o.document} {o.kind} @{o.start}: {o.text[:90]}" + (f"  ≠ {o.predicted[:60]}" if o.predicted else "")
                      for o in listed[:errors]]
            if len(listed) > errors:
                parts.append(f"  … {len(listed) - errors} more (--errors N, or --format json for all)")
    wrong = [o for o in ev.outcomes if o.status == "match" and o.wrong]
    if wrong:
        parts += ["", f"matched with wrong fields ({len(wrong)}):"]
        parts += [f"  {o.document} {o.kind} @{o.start}: {o.text[:60]}: " +
                  "; ".join(f"{k} {v['gold']!r} → {v['predicted']!r}" for k, v in o.wrong.items())
                  for o in wrong[:errors]]
        if len(wrong) > errors:
            parts.append(f"  … {len(wrong) - errors} more")
    return "\n".join(parts)


def _text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    return "\n".join(out + ["| " + " | ".join(r) + " |" for r in rows])


# --- against a baseline ---------------------------------------------------------------------------


@dataclass
class Comparison:
    kinds: dict[str, tuple[float | None, float | None]]  # kind -> (F1 before, F1 now)
    fixed: list[dict]  # outcomes wrong before, right now
    broken: list[dict]  # right before, wrong now


def compare_runs(baseline: dict, now: dict) -> Comparison:
    """Item by item: what a change fixed and what it broke (two `Evaluation.to_json()` results)."""
    kinds = {k: (baseline["kinds"].get(k, {}).get("f1"), s.get("f1")) for k, s in now["kinds"].items()}
    before, after = _bad_by_key(baseline), _bad_by_key(now)
    fixed = [before[k] for k in before if k not in after]
    broken = [after[k] for k in after if k not in before]
    return Comparison(kinds, fixed, broken)


def _bad_by_key(result: dict) -> dict[str, dict]:
    return {o["key"]: o for o in result["outcomes"] if not (o["status"] == "match" and not o["wrong"])}


def render_comparison(c: Comparison, limit: int = 50) -> str:
    lines = ["F1 by kind (baseline → now):"]
    for kind, (a, b) in c.kinds.items():
        delta = "" if a is None or b is None else f"  ({b - a:+.3f})"
        lines.append(f"  {kind:<12} {_pct(a)} → {_pct(b)}{delta}")
    for title, items in (("fixed", c.fixed), ("broken", c.broken)):
        lines += ["", f"{title} ({len(items)}):"]
        for o in items[:limit]:
            detail = "; ".join(f"{k} {v['gold']!r}/{v['predicted']!r}" for k, v in o.get("wrong", {}).items())
            lines.append(f"  {o['document']} {o['kind']} {o['status']} @{o['start']}: {o['text'][:80]}"
                         + (f"  [{detail}]" if detail else ""))
        if len(items) > limit:
            lines.append(f"  … {len(items) - limit} more")
    return "\n".join(lines)

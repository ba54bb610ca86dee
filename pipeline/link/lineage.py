"""Lineage: what a derived plan did with the plan it implements — which targets it adopted,
raised, lowered, dropped or added, and which tasks it gave to another lead unit.

A district's plan restates its province's indicators in its own words and tables, so indicators
are paired by concept id when the caller has them (`concept_of`, e.g. from link/concepts.py),
else one-to-one, best pair first, by `extractors.indicators.similarity` over their names. Targets
of a pair are compared year by year. "raised"/"lowered" speak of ambition, not of the number:
under an upper bound ("≤ 5%") a lower value asks more (rules/links.yaml `target_ops`). Tasks are
paired the same way over their texts and reported where their lead units differ, unit names
compared in canonical form ("Phòng KHTC" = "Phòng Kế hoạch - Tài chính").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from ..extractors.citations import fold
from ..extractors.indicators import similarity
from ..extractors.units import canonical
from ..extractors.units import key as unit_key
from ..model import Document, Indicator, Target, Task
from ..rules import load as load_rules
from .graph import RULES

T = TypeVar("T")

#: The kinds of `TargetChange`, in report order.
KINDS = ("adopted", "raised", "lowered", "changed", "dropped", "added")


@dataclass(frozen=True)
class LineageRules:
    """rules/links.yaml `lineage` and `target_ops`, read once (`lineage_rules()`)."""

    indicator_threshold: float
    task_threshold: float
    lower_bound: frozenset[str | None]
    upper_bound: frozenset[str | None]
    strict: frozenset[str]


@lru_cache(maxsize=1)
def lineage_rules() -> LineageRules:
    rules = load_rules(RULES)
    lineage, ops = rules["lineage"], rules["target_ops"]
    return LineageRules(lineage["indicator_threshold"], lineage["task_threshold"], frozenset(ops["lower_bound"]),
                        frozenset(ops["upper_bound"]), frozenset(ops["strict"]))


# --- Result objects ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorPair:
    """A parent indicator and the child indicator that restates it."""

    parent: str
    child: str
    concept: str | None  # set when paired by concept id
    score: float  # name similarity (also given when paired by concept)


@dataclass(frozen=True)
class TargetChange:
    """One target of the parent or the child and what became of it. kind: adopted | raised |
    lowered | changed (not comparable: another comparator direction, a qualitative target for a
    number, another wording) | dropped (parent only) | added (child only)."""

    kind: str
    concept: str | None
    parent_indicator: str | None
    child_indicator: str | None
    parent_name: str | None
    child_name: str | None
    year: int | None
    scope: str | None
    parent_op: str | None = None
    parent_value: float | None = None
    parent_text: str | None = None
    child_op: str | None = None
    child_value: float | None = None
    child_text: str | None = None


@dataclass(frozen=True)
class TaskPair:
    parent: str
    child: str
    score: float


@dataclass(frozen=True)
class TaskChange:
    """A paired task whose lead units differ (canonical names compared)."""

    kind: str  # lead_changed
    parent_task: str
    child_task: str
    parent_text: str
    child_text: str
    score: float
    parent_leads: tuple[str, ...]
    child_leads: tuple[str, ...]
    added_leads: tuple[str, ...]  # leads of the child the parent does not name
    removed_leads: tuple[str, ...]  # leads of the parent the child does not name


@dataclass(frozen=True)
class LineageReport:
    child: str
    parent: str
    indicators: tuple[IndicatorPair, ...]
    targets: tuple[TargetChange, ...]
    tasks: tuple[TaskPair, ...]
    task_changes: tuple[TaskChange, ...]
    added_tasks: tuple[str, ...]  # child tasks no parent task matches
    dropped_tasks: tuple[str, ...]  # parent tasks no child task matches

    def changes(self, kind: str) -> tuple[TargetChange, ...]:
        """The target changes of one kind ("raised" …)."""
        if kind not in KINDS:
            raise ValueError(f"unknown change kind {kind!r}; known: {', '.join(KINDS)}")
        return tuple(c for c in self.targets if c.kind == kind)


# --- Pairing -----------------------------------------------------------------------------------


def best_pairs(parents: Sequence[T], children: Sequence[T], score: Callable[[T, T], float],
               threshold: float) -> list[tuple[T, T, float]]:
    """One-to-one pairs, best first (greedy): every pair scoring at least `threshold`, highest
    score first, ties in reading order; each item in at most one pair."""
    scored = [(score(p, c), i, j) for i, p in enumerate(parents) for j, c in enumerate(children)]
    scored = sorted((s for s in scored if s[0] >= threshold), key=lambda s: (-s[0], s[1], s[2]))
    used_p, used_c, pairs = set(), set(), []
    for s, i, j in scored:
        if i not in used_p and j not in used_c:
            used_p.add(i)
            used_c.add(j)
            pairs.append((parents[i], children[j], s))
    return pairs


def _name_score(a: Indicator, b: Indicator) -> float:
    return similarity(a.name, b.name)


def pair_indicators(child: Document, parent: Document, concept_of: Mapping[tuple[str, str], str] | None = None,
                    rules: LineageRules | None = None) -> list[IndicatorPair]:
    """Parent and child indicators that are one indicator. With `concept_of`, indicators holding a
    concept id pair only within their concept; those without one fall back to name similarity."""
    rules = rules or lineage_rules()
    concept_of = concept_of or {}
    cid, pid = child.document.id, parent.document.id
    pairs: list[IndicatorPair] = []
    for concept in dict.fromkeys(concept_of.get((pid, i.id)) for i in parent.indicators):
        if concept is None:
            continue
        ps = [i for i in parent.indicators if concept_of.get((pid, i.id)) == concept]
        cs = [i for i in child.indicators if concept_of.get((cid, i.id)) == concept]
        pairs += [IndicatorPair(p.id, c.id, concept, round(s, 4)) for p, c, s in best_pairs(ps, cs, _name_score, 0.0)]
    ps = [i for i in parent.indicators if (pid, i.id) not in concept_of]
    cs = [i for i in child.indicators if (cid, i.id) not in concept_of]
    pairs += [IndicatorPair(p.id, c.id, None, round(s, 4))
              for p, c, s in best_pairs(ps, cs, _name_score, rules.indicator_threshold)]
    return pairs


# --- Comparing targets -------------------------------------------------------------------------


def compare_targets(parent: Target, child: Target, rules: LineageRules | None = None) -> str:
    """adopted | raised | lowered | changed: how the child's target stands to the parent's.

    Numbers: both under a lower bound (">=", ">", "=", or none: "100%" is a level to reach), a
    higher value asks more; both under an upper bound ("<=", "<"), a lower value does; at equal
    value a strict comparator asks more than an inclusive one; comparators of opposite directions
    are "changed". Qualitative targets (value None) compare by text (case, tones of "Uỷ"/"Ủy" and
    spacing aside). A number against a qualitative target is "changed".
    """
    rules = rules or lineage_rules()
    if parent.value is None or child.value is None:
        if parent.value is None and child.value is None and _text_key(parent.text) == _text_key(child.text):
            return "adopted"
        return "changed"
    lower = parent.op in rules.lower_bound and child.op in rules.lower_bound
    upper = parent.op in rules.upper_bound and child.op in rules.upper_bound
    if not (lower or upper):
        return "changed"
    if child.value != parent.value:
        stricter = child.value > parent.value if lower else child.value < parent.value
        return "raised" if stricter else "lowered"
    strict_child, strict_parent = child.op in rules.strict, parent.op in rules.strict
    if strict_child == strict_parent:
        return "adopted"
    return "raised" if strict_child else "lowered"


def _text_key(text: str) -> str:
    return " ".join(fold(text).lower().split())


def _scope_key(scope: str | None) -> str | None:
    return _text_key(scope) if scope else None


def pair_targets(parent: Sequence[Target], child: Sequence[Target]) -> tuple[list[tuple[Target, Target]], list[Target], list[Target]]:
    """(pairs, parent targets left, child targets left): first by (year, scope), equal targets
    before others and then in order; what is left pairs by year alone, so that a scope only one
    plan writes ("giáo dục phổ thông") does not make a target look dropped and added."""
    left_p, left_c = list(parent), list(child)
    pairs: list[tuple[Target, Target]] = []
    for same_scope in (True, False):
        for p in list(left_p):
            options = [c for c in left_c if c.year == p.year and (not same_scope or _scope_key(c.scope) == _scope_key(p.scope))]
            if not options:
                continue
            c = next((c for c in options if (c.op, c.value, _text_key(c.text)) == (p.op, p.value, _text_key(p.text))), options[0])
            pairs.append((p, c))
            left_p.remove(p)
            left_c.remove(c)
    return pairs, left_p, left_c


def _change(kind: str, concept: str | None, p: Indicator | None, c: Indicator | None, pt: Target | None,
            ct: Target | None) -> TargetChange:
    t = pt or ct
    return TargetChange(
        kind, concept, p.id if p else None, c.id if c else None, p.name if p else None, c.name if c else None,
        t.year if t else None, (t.scope if t else None),
        pt.op if pt else None, pt.value if pt else None, pt.text if pt else None,
        ct.op if ct else None, ct.value if ct else None, ct.text if ct else None)


def _target_changes(p: Indicator | None, c: Indicator | None, concept: str | None, rules: LineageRules) -> list[TargetChange]:
    """Every target of a pair (or of an indicator only one plan has) as a change; an indicator
    without targets still gives one, with no year."""
    parent_targets, child_targets = (p.targets if p else []), (c.targets if c else [])
    if not parent_targets and not child_targets:
        return [_change("dropped" if c is None else "added" if p is None else "adopted", concept, p, c, None, None)]
    pairs, dropped, added = pair_targets(parent_targets, child_targets)
    out = [_change(compare_targets(pt, ct, rules), concept, p, c, pt, ct) for pt, ct in pairs]
    out += [_change("dropped", concept, p, c, pt, None) for pt in dropped]
    out += [_change("added", concept, p, c, None, ct) for ct in added]
    return out


# --- Tasks -------------------------------------------------------------------------------------


def _task_score(a: Task, b: Task) -> float:
    return similarity(a.text, b.text)


def _lead_keys(units: Sequence[str]) -> dict[str, str]:
    return {unit_key(canonical(u)[0]): u for u in units}


def _task_change(p: Task, c: Task, score: float) -> TaskChange | None:
    pk, ck = _lead_keys(p.lead_units), _lead_keys(c.lead_units)
    if pk.keys() == ck.keys():
        return None
    return TaskChange("lead_changed", p.id, c.id, p.text, c.text, round(score, 4), tuple(p.lead_units),
                      tuple(c.lead_units), tuple(ck[k] for k in ck if k not in pk), tuple(pk[k] for k in pk if k not in ck))


# --- The report --------------------------------------------------------------------------------


def compare_lineage(child: Document, parent: Document, concept_of: Mapping[tuple[str, str], str] | None = None,
                    rules: LineageRules | None = None) -> LineageReport:
    """What `child` (a plan implementing `parent`) did with the parent's targets and tasks."""
    rules = rules or lineage_rules()
    pairs = pair_indicators(child, parent, concept_of, rules)
    parents = {i.id: i for i in parent.indicators}
    children = {i.id: i for i in child.indicators}
    concept_of = concept_of or {}
    targets: list[TargetChange] = []
    for pair in pairs:
        targets += _target_changes(parents[pair.parent], children[pair.child], pair.concept, rules)
    paired_p, paired_c = {x.parent for x in pairs}, {x.child for x in pairs}
    for i in parent.indicators:
        if i.id not in paired_p:
            targets += _target_changes(i, None, concept_of.get((parent.document.id, i.id)), rules)
    for i in child.indicators:
        if i.id not in paired_c:
            targets += _target_changes(None, i, concept_of.get((child.document.id, i.id)), rules)
    task_pairs = best_pairs(parent.tasks, child.tasks, _task_score, rules.task_threshold)
    changes = [x for p, c, s in task_pairs for x in [_task_change(p, c, s)] if x is not None]
    matched_p, matched_c = {p.id for p, _, _ in task_pairs}, {c.id for _, c, _ in task_pairs}
    return LineageReport(
        child.document.id, parent.document.id, tuple(pairs), tuple(targets),
        tuple(TaskPair(p.id, c.id, round(s, 4)) for p, c, s in task_pairs), tuple(changes),
        tuple(t.id for t in child.tasks if t.id not in matched_c), tuple(t.id for t in parent.tasks if t.id not in matched_p))

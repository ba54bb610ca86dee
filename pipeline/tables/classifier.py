"""Which column a fragment of a flattened table belongs to: rules, and a trained model.

Both scorers answer the same question for the column path of
`flattened.assign_columns`: how well does piece i fit a column of role r,
after a piece that sat in a column of role r'? The rules score cues (a unit
name, a time frame, a value, the piece's length and place). The model is a
scikit-learn logistic regression over the same cues plus the leading words,
underthesea's part of speech of the first word and the previous piece's
column, trained on the annotated appendices (`annotations/tables/`).

`default_scorer()` uses models/table_fragments.joblib when it is there, was
built for this feature set (else a warning) and beat the rules on held-out
plans when it was trained; otherwise the rules answer.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

from .. import modelfile
from ..textshape import ends_sentence, starts_lower, starts_upper
from . import cues
from .header import TEXT_ROLES

MODEL_DIR = Path(__file__).resolve().parents[2] / "models"
MODEL_FILE = MODEL_DIR / "table_fragments.joblib"
FEATURE_VERSION = 1  # bump when fragment_features changes: older models are then refused
START = "<start>"

Fit = Callable[[int, "int | None", int], float]


# --------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------


class RuleScorer:
    """Scores from cues alone: the path settings do the rest."""

    name = "rules"

    def fit(self, pieces: Sequence, kinds: Sequence[str], roles: Sequence[str]) -> Fit:
        """`kinds`: how each piece follows the one before (flattened.boundaries)."""
        table = [[_rule_score(p, role, i, kinds[i], roles) for role in roles] for i, p in enumerate(pieces)]
        first_text = next((j for j, r in enumerate(roles) if r in TEXT_ROLES), 0)
        for j in range(len(roles)):
            if table and j != first_text:
                table[0][j] -= 1.0  # a row starts with its text cell
        return lambda i, prev, j: table[i][j]


_TEXT = {"task", "indicator", "group"}  # the implementer has its own rule: a unit or a sentence


def _rule_score(piece, role: str, i: int, kind: str, roles: Sequence[str]) -> float:
    text = piece.text
    words = len(text.split())
    unit = cues.starts_with_unit(text)
    deadline = cues.is_deadline(text) and words <= 12
    value = cues.is_value(text)
    if starts_lower(text) or kind == "continues":
        return 0.0  # the path's continuation cost decides
    if role in _TEXT:
        if value or (deadline and words <= 6) or cues.is_measure(text):
            return -3.0
        if cues.starts_with_value(text) and "target" in roles:
            return -1.5  # "> 95% cơ sở giáo dục …": a target with what it counts
        return -1.5 if unit and words <= 8 and i > 0 else 0.0
    if role == "output":
        return -2.0 if value or (deadline and words <= 6) else -0.3
    if role == "implementer":  # a unit ("Các cơ sở giáo dục") or what it does (a sentence)
        return -3.0 if value or (deadline and not unit) else 0.0
    if role in ("lead", "support"):
        if value or (deadline and not unit):
            return -3.0
        if unit:
            return 0.0
        return -4.0 if words > 12 else -1.5
    if role == "deadline":
        if deadline:
            return 0.0
        return -0.5 if cues.starts_with_deadline(text) else -3.5
    if role == "target":
        if value:
            return 0.0
        if cues.starts_with_value(text):
            return -0.3
        return -1.0 if words <= 3 and not unit else -4.0  # "Duy trì", "Thí điểm"
    if role == "unit_of_measure":
        if cues.is_measure(text):
            return 0.0
        return -1.0 if words <= 3 and not value else -4.0
    return -0.5  # other


# --------------------------------------------------------------------------
# Features and the model
# --------------------------------------------------------------------------


def _bucket(n: int, edges: Sequence[int]) -> str:
    for edge in edges:
        if n <= edge:
            return f"<={edge}"
    return f">{edges[-1]}"


@lru_cache(maxsize=4096)
def _first_pos(text: str) -> str:
    from underthesea import pos_tag  # imported late: 0.7 s, and only the model path needs it

    tagged = pos_tag(text[:60])
    return tagged[0][1] if tagged else "-"


def fragment_features(pieces: Sequence, i: int, kind: str, table_roles: Sequence[str]) -> dict[str, float]:
    """The cues of piece i in its row (`kind`: how it follows the piece before), without
    the previous column, which is added per candidate."""
    piece = pieces[i]
    text = piece.text
    words = text.split()
    lowered = [w.lower().strip(",;.:") for w in words[:2]]
    last = text.rstrip()[-1:] if text.strip() else ""
    features = {
        f"position={_bucket(i, (0, 1, 2, 3, 5, 8))}": 1.0,
        f"from_end={_bucket(len(pieces) - 1 - i, (0, 1, 2, 4))}": 1.0,
        f"words={_bucket(len(words), (1, 2, 3, 5, 8, 12, 20))}": 1.0,
        f"w1={lowered[0] if lowered else ''}": 1.0,
        f"w12={' '.join(lowered)}": 1.0,
        f"last_char={last if last in '.;,:-–)%' else 'other'}": 1.0,
        f"boundary={kind}": 1.0,
        f"pos1={_first_pos(text)}": 1.0,
        "starts_upper": float(starts_upper(text)),
        "starts_lower": float(starts_lower(text)),
        "starts_bullet": float(text[:1] in "-–+•"),
        "ends_sentence": float(ends_sentence(text)),
        "unit": float(cues.starts_with_unit(text)),
        "deadline": float(cues.is_deadline(text)),
        "starts_deadline": float(cues.starts_with_deadline(text) > 0),
        "value": float(cues.is_value(text)),
        "starts_value": float(cues.starts_with_value(text)),
    }
    if i > 0:
        prev = pieces[i - 1].text
        features["prev_unit"] = float(cues.starts_with_unit(prev))
        features["prev_deadline"] = float(cues.is_deadline(prev))
        features["prev_ends_sentence"] = float(ends_sentence(prev))
    for role in set(table_roles):
        features[f"table_has={role}"] = 1.0
    return features


@dataclass
class ModelScorer:
    """The trained classifier: log P(column role | piece, previous column role), plus the
    rule scores unless `with_rules` is off (rule plus ML: the model refines, the cues anchor)."""

    pipeline: object  # sklearn Pipeline(DictVectorizer, LogisticRegression)
    layouts: frozenset = frozenset()  # the sets of column roles it was trained on
    with_rules: bool = True
    preferred: bool = False  # it beat the rules on held-out plans when it was trained
    weight: float = 0.3  # of the model's log-probability beside the rule scores

    @property
    def name(self) -> str:
        return "rules+model" if self.with_rules else "model"

    def fit(self, pieces: Sequence, kinds: Sequence[str], roles: Sequence[str]) -> Fit:
        rules_fit = RuleScorer().fit(pieces, kinds, roles)
        if self.with_rules and layout(roles) not in self.layouts:
            return rules_fit  # a kind of table the model never saw: it cannot weigh its columns fairly
        model_fit = self._model_fit(pieces, kinds, roles)
        if not self.with_rules:
            return model_fit
        return lambda i, prev, j: self.weight * model_fit(i, prev, j) + rules_fit(i, prev, j)

    def _model_fit(self, pieces: Sequence, kinds: Sequence[str], roles: Sequence[str]) -> Fit:
        classes = list(self.pipeline.classes_)
        prev_roles = [START] + sorted(set(roles))
        rows, keys = [], []
        for i in range(len(pieces)):
            base = fragment_features(pieces, i, kinds[i], roles)
            for prev in ([START] if i == 0 else prev_roles[1:]):
                rows.append({**base, f"prev_role={prev}": 1.0})
                keys.append((i, prev))
        probs = self.pipeline.predict_proba(rows) if rows else []
        floor = 1e-4
        table = {
            key: {c: math.log(max(p, floor)) for c, p in zip(classes, row)} for key, row in zip(keys, probs)
        }
        unseen = -math.log(len(classes))  # a role the model never saw: no opinion, the rules decide

        def fit(i: int, prev: int | None, j: int) -> float:
            prev_role = START if prev is None else roles[prev]
            return table[(i, prev_role)].get(_label(roles[j]), unseen)

        return fit


def layout(roles: Sequence[str]) -> frozenset[str]:
    """The kind of table, as the set of its column roles (the model's unit of experience)."""
    return frozenset(_label(r) for r in roles)


def _label(role: str) -> str:
    """Roles the model tells apart; the rest share a label."""
    return role if role in MODEL_ROLES else "other"


MODEL_ROLES = ("task", "indicator", "implementer", "lead", "support", "deadline", "target", "output", "unit_of_measure")


def load_model(path: Path | None = None) -> ModelScorer | None:
    """The saved model (default: the models folder's), or None (with a warning) when it is missing or was built differently."""
    path = path or modelfile.model_dir() / MODEL_FILE.name
    saved = modelfile.load(path, FEATURE_VERSION, "fragment model", "kehoach train")
    if saved is None:
        return None
    return ModelScorer(saved["pipeline"], frozenset(frozenset(x) for x in saved["layouts"]), preferred=saved["preferred"])


@lru_cache(maxsize=1)
def default_scorer() -> ModelScorer | RuleScorer:
    """The model when it was better than the rules on held-out plans at training time,
    else the rules. KEHOACH_TABLE_SCORER=rules|model forces one."""
    choice = os.environ.get("KEHOACH_TABLE_SCORER", "auto")
    if choice == "rules":
        return RuleScorer()
    model = load_model()
    if model is None:
        return RuleScorer()
    return model if choice == "model" or model.preferred else RuleScorer()

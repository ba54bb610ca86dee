"""Where a unit's name ends in running text: candidate spans from rules, a trained classifier
to score them, and its training.

A rule finds where a name may start (a head word of rules/units.yaml: "Sở", "Phòng",
"Liên hiệp", "Các cơ sở" …); it cannot tell where the name stops in prose ("phối hợp với
Liên hiệp các Hội khoa học và kỹ thuật tỉnh tổ chức Cuộc thi …"), or whether "Phòng lab
phục vụ …" and "Hội thi Tin học trẻ" are bodies at all. Every end the clause allows is a
candidate span; the classifier (scikit-learn logistic regression over the span's words, its
shape, the alias table, and underthesea's word segmentation / part of speech / chunk / NER of
the sentence as features) gives each a probability; the best end of a start is a mention when
its probability is at least `THRESHOLD`.

underthesea runs per sentence, only for sentences the rules could not settle, and each
sentence once (`SentenceTagger` caches by text). The model lives in models/unit_mentions.joblib
with a card (models/unit_mentions.md) and leave-one-plan-out metrics
(models/unit_mentions.metrics.json); without it the extractor falls back to `rule_end`.

    kehoach train --model units      # leave-one-plan-out, train on all, save
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import random
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import regex

from .. import modelfile
from ..rules import load as load_rules
from ..rules import phrase_alternation
from . import units as U

ROOT = Path(__file__).resolve().parents[2]
MODEL_DIR = ROOT / "models"
MODEL_FILE = MODEL_DIR / "unit_mentions.joblib"
GOLD_TABLES = ROOT / "annotations" / "tables"
GOLD_UNITS = ROOT / "annotations" / "units"
CORPUS_DIR = ROOT / "corpus"
FEATURE_VERSION = 1  # bump when span_features changes: older models are then refused
THRESHOLD = 0.5  # a start's best end is a mention from this probability on
MAX_WORDS = 18  # longest candidate span, in words

#: A word of a unit name: letters/digits, with & - / inside ("GDNN&ĐH", "GDMN-GDTH").
WORD = regex.compile(r"[\p{L}\p{N}]+(?:[&\-/’'][\p{L}\p{N}]+)*")
#: Characters no unit name runs across.
HARD_STOP = regex.compile(r"[.;:()\[\]!?\"“”]|\s[-–]\s(?=\p{Ll})")
#: The clause around a start: the text between these.
CLAUSE_STOP = regex.compile(r"[.;:!?\n]")


# --------------------------------------------------------------------------
# Candidates
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    start: int  # offsets in the context text
    end: int
    words: tuple[str, ...]


def starts_in(text: str, lo: int = 0, hi: int | None = None, *, capital_only: bool = False) -> list[int]:
    """Offsets in text[lo:hi] where a unit name may start: a head word at a word start."""
    hi = len(text) if hi is None else hi
    found = []
    for m in WORD.finditer(text, lo, hi):
        s = m.start()
        if capital_only and not text[s].isupper():
            continue
        if U.starts_unit(text, s):
            found.append(s)
    return found


def candidate_ends(text: str, start: int, hi: int | None = None) -> list[Span]:
    """Every span from `start` to a word end, up to a hard stop or MAX_WORDS words; the head
    word itself is never cut."""
    hi = len(text) if hi is None else hi
    stop = HARD_STOP.search(text, start, hi)
    limit = stop.start() if stop else hi
    head_end = start + U.starts_unit(text, start)
    spans, words = [], []
    for m in WORD.finditer(text, start, limit):
        words.append(m.group())
        if m.end() >= head_end:
            spans.append(Span(start, m.end(), tuple(words)))
        if len(words) >= MAX_WORDS:
            break
    return spans


# --------------------------------------------------------------------------
# underthesea, per sentence
# --------------------------------------------------------------------------


@dataclass
class Tags:
    """underthesea's reading of one sentence, by character offset."""

    token_end: dict[int, int] = field(default_factory=dict)  # token start -> end
    at: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # token start -> (pos, chunk, ner)
    ends: set[int] = field(default_factory=set)

    def token_starting(self, offset: int) -> tuple[str, str, str] | None:
        return self.at.get(offset)

    def token_ending(self, offset: int) -> tuple[str, str, str] | None:
        for s, e in self.token_end.items():
            if e == offset:
                return self.at[s]
        return None


class SentenceTagger:
    """underthesea `ner` (word segmentation, part of speech, chunk, named entity) of a sentence,
    each sentence once. Loaded on first use; `calls` counts the sentences really tagged."""

    def __init__(self) -> None:
        self._cache: dict[str, Tags] = {}
        self.calls = 0
        self._ner = None

    def __call__(self, sentence: str) -> Tags:
        if sentence in self._cache:
            return self._cache[sentence]
        if self._ner is None:
            from underthesea import ner  # 0.5 s to import; only sentences the rules leave open need it

            self._ner = ner
        self.calls += 1
        tags = Tags()
        pos = 0
        for token, pos_tag, chunk, entity in self._ner(sentence):
            at = sentence.find(token, pos)
            if at < 0:  # underthesea rewrote the token (quotes, spaces): stay where we are
                continue
            tags.token_end[at] = at + len(token)
            tags.at[at] = (pos_tag, chunk, entity)
            tags.ends.add(at + len(token))
            pos = at + len(token)
        self._cache[sentence] = tags
        return tags


# --------------------------------------------------------------------------
# Features
# --------------------------------------------------------------------------


def _bucket(n: float, edges: Sequence[float]) -> str:
    for edge in edges:
        if n <= edge:
            return f"<={edge}"
    return f">{edges[-1]}"


def _next_word(text: str, end: int) -> tuple[str, str]:
    """(the next word, the class of what follows the span: word | , | . | ( | end …)."""
    rest = text[end:end + 40]
    stripped = rest.lstrip(" \t")
    if not stripped:
        return "", "end"
    ch = stripped[0]
    m = WORD.match(stripped)
    if m:
        return m.group(), "word"
    nxt = WORD.search(stripped)
    return (nxt.group() if nxt else ""), (ch if ch in ",;.:()-–&/" else "other")


def span_features(text: str, span: Span, how: str, tags: Tags | None) -> dict[str, float]:
    """What the classifier sees of one candidate span of `text` (how: label | heading | cue | cell | prose)."""
    words = span.words
    head_len = U.starts_unit(text, span.start)
    head = " ".join(text[span.start:span.start + head_len].split()).lower()
    after_head = text[span.start + head_len:span.end].split()
    last = words[-1]
    nxt, follow = _next_word(text, span.end)
    raw = text[span.start:span.end]
    upper = sum(w[:1].isupper() for w in after_head)
    before = WORD.findall(text[max(0, span.start - 30):span.start])
    f = {
        f"head={head}": 1.0,
        f"how={'cell' if how == 'cell' else 'label' if how == 'label' else 'prose'}": 1.0,
        f"n={_bucket(len(words), (1, 2, 3, 4, 5, 6, 8, 10))}": 1.0,
        f"last={last.lower()}": 1.0,
        f"next={nxt.lower()}": 1.0,
        f"follow={follow}": 1.0,
        f"prev={before[-1].lower() if before else '<start>'}": 1.0,
        f"upper_share={_bucket(upper / len(after_head) if after_head else 1.0, (0.0, 0.34, 0.67, 1.0))}": 1.0,
        "last_acronym": float(bool(U.ACRONYM.match(last))),
        "last_upper": float(last[:1].isupper()),
        "last_name_end": float(last in U._glue_ends()),
        "next_upper": float(nxt[:1].isupper()),
        "next_acronym": float(bool(nxt) and bool(U.ACRONYM.match(nxt))),
        "next_head": float(follow == "word" and bool(U.starts_unit(text, span.end + len(text[span.end:]) - len(text[span.end:].lstrip())))),
        "has_comma": float("," in raw),
        "has_va": float(" và " in raw),
        "alias": float(U.key(raw) in U._alias_table()),
        "spelled": float(U._spell_out(raw) != raw),
        "bare_head": float(not after_head),
    }
    if tags is not None:
        inside = span.end not in tags.ends
        f["end_inside_token"] = float(inside)
        nxt_tag = tags.token_starting(_skip_space(text, span.end))
        last_tag = tags.token_ending(span.end)
        f[f"next_pos={nxt_tag[0] if nxt_tag else '-'}"] = 1.0
        f[f"next_chunk={nxt_tag[1] if nxt_tag else '-'}"] = 1.0
        f[f"next_ner={_ner(nxt_tag)}"] = 1.0
        f[f"last_pos={last_tag[0] if last_tag else '-'}"] = 1.0
        f[f"last_ner={_ner(last_tag)}"] = 1.0
        f[f"last_pos+next_pos={(last_tag[0] if last_tag else '-')}+{(nxt_tag[0] if nxt_tag else '-')}"] = 1.0
    return f


def _ner(tag) -> str:
    return tag[2].split("-")[-1] if tag and tag[2] != "O" else "O"


def _skip_space(text: str, offset: int) -> int:
    while offset < len(text) and text[offset] in " \t":
        offset += 1
    return offset


def _stops(text: str, offset: int) -> bool:
    """Does the character at `offset` end a clause? A line break does unless the line ends
    with a word that cannot end a name ("… chuyển về phòng / Kế hoạch - Tài chính")."""
    ch = text[offset]
    if ch != "\n":
        return bool(CLAUSE_STOP.match(ch))
    before = WORD.findall(text[max(0, offset - 30):offset])
    return not (before and before[-1] in _dangling()) and not text[:offset].rstrip(" ").endswith(("-", ","))


def _dangling() -> frozenset[str]:
    words = load_rules("units.yaml")["dangling_words"]
    return frozenset(words) | {"phòng"}


def clause(text: str, start: int, end: int | None = None) -> tuple[int, int]:
    """The clause around text[start:end]: from the last . ; : line break before it to the next after it."""
    end = start if end is None else end
    lo = start
    while lo > 0 and not _stops(text, lo - 1) and start - lo < 1000:
        lo -= 1
    hi = end
    while hi < len(text) and not _stops(text, hi) and hi - end < 1000:
        hi += 1
    return lo, hi


def clauses(text: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """The clauses of text[lo:hi], in order."""
    hi = len(text) if hi is None else hi
    out, pos = [], lo
    for i in range(lo, hi):
        if _stops(text, i):
            if i > pos:
                out.append((pos, i))
            pos = i + 1
    if hi > pos:
        out.append((pos, hi))
    return out


# --------------------------------------------------------------------------
# Rules-only ends (the fallback) and the model
# --------------------------------------------------------------------------


def rule_end(text: str, start: int, hi: int | None = None) -> Span | None:
    """The end a rule picks: up to the first word that opens a clause (rules/unit_aliases.yaml
    `name_stops`), a hard stop, or `fallback_words` words."""
    spans = candidate_ends(text, start, hi)
    if not spans:
        return None
    stops = _name_stops()
    limit = load_rules("unit_aliases.yaml")["fallback_words"]
    dangling = set(load_rules("units.yaml")["dangling_words"]) - {"Phòng", "Ban", "Ủy", "Trung", "Văn", "Thanh"}
    best = None
    for span in spans:
        nxt, follow = _next_word(text, span.end)
        if span.words[-1] not in dangling:
            best = span
        if follow != "word" or stops.match(text, _skip_space(text, span.end)) or len(span.words) >= limit:
            break
    return best


def _name_stops() -> regex.Pattern:
    words = load_rules("unit_aliases.yaml")["name_stops"]
    return regex.compile(rf"(?:{phrase_alternation(words)})(?![\p{{L}}\d])")


@dataclass
class UnitModel:
    """The trained span classifier: P(span is a whole unit name)."""

    pipeline: object  # sklearn Pipeline(DictVectorizer, LogisticRegression)
    metrics: dict = field(default_factory=dict)
    held_out: dict | None = None  # {"plan", "pipeline", "scores"}: a model trained without one plan

    def probabilities(self, text: str, spans: Sequence[Span], how: str, tags: Tags | None) -> list[float]:
        if not spans:
            return []
        rows = [span_features(text, s, how, tags) for s in spans]
        positive = list(self.pipeline.classes_).index(1)
        return [float(p[positive]) for p in self.pipeline.predict_proba(rows)]

    def best(self, text: str, start: int, how: str, tags: Tags | None, hi: int | None = None) -> tuple[Span, float] | None:
        spans = candidate_ends(text, start, hi)
        probs = self.probabilities(text, spans, how, tags)
        if not probs:
            return None
        i = max(range(len(probs)), key=probs.__getitem__)
        return spans[i], probs[i]


def load_model(path: Path = MODEL_FILE) -> UnitModel | None:
    """The saved model, or None (with a warning) when it is missing or was built differently."""
    if not path.exists():
        warnings.warn(f"{path} is missing: unit names in prose end by rules only (run "
                      "`kehoach train --model units`)", stacklevel=2)
        return None
    saved = modelfile.load(path, FEATURE_VERSION, "unit model", "kehoach train --model units")
    if saved is None:
        return None
    return UnitModel(saved["pipeline"], saved.get("metrics", {}), saved.get("held_out"))


# --------------------------------------------------------------------------
# Gold data
# --------------------------------------------------------------------------


@dataclass
class GoldContext:
    """A piece of a plan with every unit mention in it marked (offsets into `text`)."""

    plan: str
    text: str
    how: str  # label | heading | cue | cell | prose
    gold: list[tuple[int, int]]


def gold_contexts(gold_tables: Path = GOLD_TABLES, gold_units: Path = GOLD_UNITS) -> list[GoldContext]:
    """Unit cells of the reviewed tables (annotations/tables: lead / support columns, split by
    the reviewed units list of annotations/units where given) and the hand-marked sentences of
    annotations/units/*.json."""
    contexts = []
    for f in sorted(gold_tables.glob("*.json")):
        gold = json.loads(f.read_text(encoding="utf-8"))
        for table in gold["tables"]:
            roles = [_column_role(c) for c in table["columns"]]
            for row in table["rows"]:
                for role, cell in zip(roles, row["cells"]):
                    if role and cell.strip():
                        spans = [(u.start, u.start + len(_name_part(u.raw))) for u in U.split_units(cell)]
                        contexts.append(GoldContext(gold["document"], cell, "cell", spans))
    for f in sorted(gold_units.glob("*.json")):
        gold = json.loads(f.read_text(encoding="utf-8"))
        for item in gold["sentences"]:
            text, spans, pos = item["text"], [], 0
            for unit in item["units"]:
                at = text.find(unit, pos)
                if at < 0:
                    raise ValueError(f"{f.name}: {unit!r} not in {text!r}")
                spans.append((at, at + len(unit)))
                pos = at + len(unit)
            contexts.append(GoldContext(gold["document"], text, item.get("how", "prose"), spans))
    return contexts


def _column_role(name: str) -> str | None:
    low = name.lower()
    if "chủ trì" in low or "phối hợp" in low or low.startswith("phòng") or low.startswith("cơ quan"):
        return "unit"
    return None


def _name_part(raw: str) -> str:
    """A listed unit without its qualifier: the span a name covers."""
    cut = regex.search(r"\s*\(", raw)
    return raw[:cut.start()] if cut else raw


def examples(contexts: Iterable[GoldContext], tagger: SentenceTagger | None) -> tuple[list[dict], list[int], list]:
    """Every candidate span of every start in the contexts, labelled 1 when it is a gold mention."""
    rows, labels, keys = [], [], []
    for ci, ctx in enumerate(contexts):
        tags = tagger(ctx.text) if tagger else None
        gold = set(ctx.gold)
        for start in _context_starts(ctx):
            for span in candidate_ends(ctx.text, start):
                rows.append(span_features(ctx.text, span, ctx.how, tags))
                labels.append(int((span.start, span.end) in gold))
                keys.append((ci, start, span.end))
    return rows, labels, keys


def _context_starts(ctx: GoldContext) -> list[int]:
    return sorted(set(starts_in(ctx.text)) | {s for s, _ in ctx.gold})


def train(contexts: Sequence[GoldContext], tagger: SentenceTagger | None, c: float = 1.0):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    rows, labels, _ = examples(contexts, tagger)
    model = make_pipeline(DictVectorizer(), LogisticRegression(C=c, max_iter=3000, class_weight="balanced"))
    model.fit(rows, labels)
    return model


def decode(ctx: GoldContext, chooser) -> set[tuple[int, int]]:
    """Mentions a chooser finds in a context: each start's chosen span, left to right, no overlaps."""
    found: list[tuple[int, int]] = []
    taken = -1
    for start in _context_starts(ctx):
        if start < taken:
            continue
        pick = chooser(ctx, start)
        if pick:
            found.append(pick)
            taken = pick[1]
    return set(found)


def prf(contexts: Sequence[GoldContext], chooser) -> dict:
    tp = fp = fn = 0
    for ctx in contexts:
        found, gold = decode(ctx, chooser), set(ctx.gold)
        tp += len(found & gold)
        fp += len(found - gold)
        fn += len(gold - found)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"mentions": tp + fn, "found": tp + fp, "precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def model_chooser(model: UnitModel, tagger: SentenceTagger | None):
    def choose(ctx: GoldContext, start: int):
        best = model.best(ctx.text, start, ctx.how, tagger(ctx.text) if tagger else None)
        if best and best[1] >= THRESHOLD:
            return best[0].start, best[0].end
        return None
    return choose


def rule_chooser(ctx: GoldContext, start: int):
    span = rule_end(ctx.text, start)
    return (span.start, span.end) if span else None


def chance_chooser(seed: int = 0):
    """A uniformly random end (or none) for every start: what the classifier must beat."""
    rng = random.Random(seed)

    def choose(ctx: GoldContext, start: int):
        spans = candidate_ends(ctx.text, start)
        pick = rng.randrange(len(spans) + 1) if spans else 0
        return (spans[pick].start, spans[pick].end) if pick < len(spans) else None
    return choose


def leave_one_plan_out(contexts: Sequence[GoldContext], tagger: SentenceTagger | None,
                       keep: dict | None = None) -> dict:
    """Per held-out plan: the model trained on the others, the rules and chance. `keep` receives
    the held-out models by plan (one is saved beside the final model so a test can re-score it)."""
    results = {}
    for plan in sorted({c.plan for c in contexts}):
        held = [c for c in contexts if c.plan == plan]
        training = [c for c in contexts if c.plan != plan]
        model = UnitModel(train(training, tagger))
        if keep is not None:
            keep[plan] = model.pipeline
        results[plan] = {
            "model": prf(held, model_chooser(model, tagger)),
            "rules": prf(held, rule_chooser),
            "chance": prf(held, chance_chooser()),
            "contexts": len(held),
        }
    return results


@functools.lru_cache(maxsize=1)
def training_tagger() -> SentenceTagger:
    """One tagger for every training run of a process: leave-one-document-out trains a model per
    held-out plan from the same sentences, tagged once."""
    return SentenceTagger()


def run(out: Path = MODEL_FILE, exclude: frozenset[str] = frozenset(), measure: bool = True) -> dict:
    """Leave-one-plan-out figures, then the model trained on every plan, saved with its card.

    `exclude` leaves plans (by file stem) out of training: a model for leave-one-document-out
    evaluation; without `measure` the held-out figures (and the card) are skipped."""
    tagger = training_tagger()
    contexts = [c for c in gold_contexts() if c.plan.rsplit(".", 1)[0] not in exclude]
    model = train(contexts, tagger)
    rows, labels, _ = examples(contexts, tagger)
    metrics = {
        "model": out.name,
        "date": dt.date.today().isoformat(),
        "feature_version": FEATURE_VERSION,
        "threshold": THRESHOLD,
        "contexts": len(contexts),
        "gold_mentions": sum(len(c.gold) for c in contexts),
        "candidate_spans": len(rows),
        "positive_spans": sum(labels),
        "plans": sorted({c.plan for c in contexts}),
        "excluded": sorted(exclude),
    }
    payload = {"pipeline": model}
    if measure:
        held_models: dict = {}
        loo = leave_one_plan_out(contexts, tagger, held_models)
        check_plan = min(loo, key=lambda p: loo[p]["contexts"])  # the smallest plan: quick to re-score
        mean = {k: round(sum(r[k]["f1"] for r in loo.values()) / len(loo), 4) for k in ("model", "rules", "chance")}
        metrics.update({
            "leave_one_plan_out": loo,
            "mean_held_out_f1": mean,
            "training_set": prf(contexts, model_chooser(UnitModel(model), tagger)),
            "check_plan": check_plan,
        })
        payload.update({"metrics": {"mean_held_out_f1": mean},
                        "held_out": {"plan": check_plan, "pipeline": held_models[check_plan], "scores": loo[check_plan]}})
    out.parent.mkdir(parents=True, exist_ok=True)
    modelfile.save(out, payload, FEATURE_VERSION, metrics)
    if measure:
        out.with_suffix(".md").write_text(model_card(metrics), encoding="utf-8")
    return metrics


def report(metrics: dict) -> str:
    lines = [f"{'held-out plan':<28}{'contexts':>9}{'mentions':>9}" + "".join(
        f"{k + ' P':>10}{k + ' R':>10}{k + ' F1':>11}" for k in ("model", "rules", "chance"))]
    for plan, r in metrics["leave_one_plan_out"].items():
        cells = "".join(f"{r[k]['precision']:>10.3f}{r[k]['recall']:>10.3f}{r[k]['f1']:>11.3f}"
                        for k in ("model", "rules", "chance"))
        lines.append(f"{plan:<28}{r['contexts']:>9}{r['model']['mentions']:>9}{cells}")
    mean = metrics["mean_held_out_f1"]
    lines.append("mean held-out F1: " + ", ".join(f"{k} {v:.3f}" for k, v in mean.items()))
    return "\n".join(lines)


def model_card(metrics: dict) -> str:
    return f"""# Model card: unit_mentions

Where a responsible unit's name starts and ends in running text (pipeline/extractors/unit_model.py,
used by the `kehoach_units` component in pipeline/extractors/units.py).

- **Task**: for each place a unit name may start (a head word of rules/units.yaml / unit_aliases.yaml),
  score every candidate end up to a stop character or {MAX_WORDS} words; the best end is a mention when
  P >= {THRESHOLD}. Names the alias table and the plan's own lists already know are not sent to the model.
- **Data**: {metrics["contexts"]} contexts from {", ".join(metrics["plans"])}: the lead / co-operating cells of the
  reviewed tables (annotations/tables) and every prose clause with a head word in annotations/units (label
  lines, "Tổ chức thực hiện" headings, "phối hợp với …" clauses, citations' issuers, and clauses whose head
  words are not units: "Phòng lab …", "Hội thi …", "Tổ chức triển khai …", "Hải Phòng"). There the bodies
  each plan names were listed by hand and their occurrences marked at head words, then read clause by
  clause; {metrics["gold_mentions"]} gold mentions, {metrics["candidate_spans"]} candidate spans
  ({metrics["positive_spans"]} positive).
- **Features** (v{metrics["feature_version"]}): head word, length, first/last/next word, what follows the
  span, the word before it, share of capitalised words, acronym / alias-table / spell-out cues, and
  underthesea's `ner` of the sentence (word segmentation, part of speech, chunk, entity): does the span end
  inside a segmented word, part of speech / chunk / entity of its last word and of the next word.
- **Model**: scikit-learn DictVectorizer + LogisticRegression (C=1, balanced classes).
- **Evaluation**: leave one plan out (trained on the other plans, scored on the held-out one); mention
  precision / recall / F1 (exact spans), beside the rules-only end (`rule_end`) and chance (a uniformly
  random end or none for every start).

```
{report(metrics)}
```

- **Check**: the file also holds the model trained without {metrics.get("check_plan")}; tests/test_units.py
  re-scores that plan with it and must get the figures above.
- **Date**: {metrics["date"]}. Rebuild with `kehoach train --model units` (about 20 s).
- **Read with care**: the rules (`rule_end`, name stops) were written while reading these plans, so their
  column is not a held-out figure for them; the table cells are split by the same `unit_names` rules the
  extractor uses (their split is checked in tests/test_units.py). Five plans of one sector.
- **Limits**: the model only places ends of names that start with a known head word; a body opening with
  another word is not found. Without this file (or with another feature version / scikit-learn release) the
  extractor uses `rule_end` and warns.
"""


if __name__ == "__main__":  # pragma: no cover
    print(report(run()))

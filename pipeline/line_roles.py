"""The line-role classifier: what each line of a PDF's text layer is, before it is joined.

A PDF gives its text as layout lines. Normalization must decide, line by line, whether a
line is page furniture (a page number, a running header), a footnote, a table fragment, a
heading or list item that opens a block, a body paragraph's first line, or a line the layout
wrapped (a *continuation*); the rules do it by shape (rules/structure.yaml, rules/normalize.yaml)
and are sure of most lines. Where they are not sure — a bare number at a page edge that may be
a page number, a footnote label or a table's row number; a wrapped line that happens to start
with "2." or "- " — a scikit-learn classifier over the line's shape, place on the page and
neighbours gives its opinion.

Every line of the labelled data (annotations/line_roles/, made by `pipeline.line_roles_data`)
has a `role` (the role of the block it belongs to: heading, list_item, body, table, furniture,
footnote) and `start` (is it the block's first line). The classifier learns the *class* of a
line: its role when it opens a block, `continuation` when it goes on with the block above
(table and furniture lines are always their role).

The pipeline asks the model only for PDF input, only when it beat the rules on held-out
documents at training time (`preferred` in the model file), and `normalize` lets a confident
answer (`THRESHOLD`) decide only where the rules are unsure: see `advise_lines` and
`Line.advice` in pipeline/normalize.py. Without models/line_roles.joblib, or with one built for
other features or another scikit-learn release, the rules decide alone (with a warning when the
file is there but unusable).

    python -m pipeline.line_roles                 # leave-one-document-out, train on all, save
    kehoach train                                 # the same through the CLI registry
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import os
import warnings
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import regex

from . import modelfile
from .encoding import repair_lines
from .headings import match_heading
from .load.base import LoadedText, OffsetMap
from .normalize import (
    _PAGE_NUMBER, Line, _assemble, clean_line, drop_page_furniture, extract_footnotes, join_wrapped_lines,
    looks_hard_wrapped, split_lines,
)
from .segment import paragraphs_of, segment, structure_patterns
from .tables.numbering import ROW_NUMBER
from .textshape import ends_sentence, is_all_caps, starts_lower, starts_upper

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "annotations" / "line_roles"
MODEL_NAME = "line_roles.joblib"
FEATURE_VERSION = 2  # bump when line_features changes: older models are then refused
THRESHOLD = 0.9  # the model's answer counts only from this probability on
REBUILD = "kehoach train"

ROLES = ("heading", "list_item", "body", "table", "furniture", "footnote")
CONTINUATION = "continuation"
CLASSES = ROLES + (CONTINUATION,)
_WHOLE = ("table", "furniture")  # roles whose lines are never a continuation


def line_class(role: str, start: bool) -> str:
    """The class the model learns: the role on a block's first line, `continuation` after it."""
    return role if start or role in _WHOLE else CONTINUATION


# --------------------------------------------------------------------------
# Labelled data (annotations/line_roles/<doc>.jsonl)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledLine:
    doc: str
    page: int | None
    line: int  # index among the document's raw lines (pipeline.normalize.split_lines)
    text: str  # as the loader gave it
    role: str | None  # None for a blank line
    start: bool = True

    @property
    def label(self) -> str | None:
        return None if self.role is None else line_class(self.role, self.start)


@dataclass
class LabelledDoc:
    name: str
    meta: dict
    lines: list[LabelledLine]

    def loaded(self) -> LoadedText:
        """The raw text the lines came from, pages separated by form feeds as the PDF loader does."""
        parts, pairs, offset, page = [], [], 0, object()
        for i, ln in enumerate(self.lines):
            if i:
                sep = "\f" if ln.page != self.lines[i - 1].page else "\n"
                parts.append(sep)
                offset += 1
            if ln.page != page:
                page = ln.page
                if page is not None:
                    pairs.append((offset, page))
            parts.append(ln.text)
            offset += len(ln.text)
        pages = {ln.page for ln in self.lines if ln.page is not None}
        return LoadedText(path=self.name, format=self.meta.get("format", "pdf"), text="".join(parts),
                          pages=OffsetMap.from_pairs(pairs), page_count=len(pages) or None)


def read_data(path: Path) -> LabelledDoc:
    """One data file: a header line {"meta": {...}}, then one JSON object per raw line."""
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    if not rows or "meta" not in rows[0]:
        raise ValueError(f"{path}: the first line must be the {{\"meta\": …}} header")
    meta = rows[0]["meta"]
    lines = [LabelledLine(r["doc"], r["page"], r["line"], r["text"], r["role"], r.get("start", True)) for r in rows[1:]]
    return LabelledDoc(meta["doc"], meta, lines)


def write_data(path: Path, meta: dict, lines: Sequence[LabelledLine]) -> None:
    counts = Counter(ln.role for ln in lines if ln.role)
    meta = {**meta, "lines": sum(1 for ln in lines if ln.role), "roles": dict(sorted(counts.items()))}
    out = [json.dumps({"meta": meta}, ensure_ascii=False)]
    out += [json.dumps({"doc": ln.doc, "page": ln.page, "line": ln.line, "text": ln.text, "role": ln.role,
                        "start": ln.start}, ensure_ascii=False) for ln in lines]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def labelled_docs(data_dir: Path = DATA_DIR, exclude: Iterable[str] = ()) -> list[LabelledDoc]:
    skip = set(exclude)
    docs = [read_data(p) for p in sorted(data_dir.glob("*.jsonl"))]
    return [d for d in docs if d.name not in skip and Path(d.name).stem not in skip]


# --------------------------------------------------------------------------
# Roles of the paragraphs of a normalized text (gold and rules alike)
# --------------------------------------------------------------------------


def _get(obj, name: str):
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def squash(text: str) -> str:
    """Text without whitespace, superscript digits as digits: how a line is found again in a text."""
    return regex.sub(r"\s+", "", text).translate(_FROM_SUPER)


_FROM_SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def paragraph_roles(text: str, sections: Sequence, tables: Sequence) -> list[str]:
    """The role of each paragraph (line) of a normalized text, read off its section tree and
    tables (contract objects or their JSON): the lines that open a numbered section, the title
    and an appendix's heading and caption are headings, "-"/"+" items list items, the lines
    a table covers and tab rows table; everything else (header block, preamble, paragraphs,
    closing, signature) is body."""
    paras = paragraphs_of(text)
    starts = [p.start for p in paras]
    roles = ["body"] * len(paras)

    def at(offset: int) -> int:
        return max(bisect.bisect_right(starts, offset) - 1, 0)

    for s in sections:
        kind, start, end = _get(s, "kind"), _get(s, "start"), _get(s, "end")
        if kind == "body":
            roles[at(start)] = "list_item" if _get(s, "list_item") else "heading"
        elif kind == "title":
            for k in range(at(start), at(max(end - 1, start)) + 1):
                roles[k] = "heading"
        elif kind == "appendix":
            wanted = squash(" ".join(x for x in (_get(s, "label"), _get(s, "heading"), _get(s, "caption")) if x))
            k = at(start)
            while k < len(paras) and paras[k].start < end and squash(paras[k].text) and squash(paras[k].text) in wanted:
                roles[k] = "heading"
                k += 1
    for t in tables:
        start, end = _get(t, "start"), _get(t, "end")
        for k in range(at(start), at(max(end - 1, start)) + 1):
            roles[k] = "table"
        header = squash("".join(_get(c, "name") for c in _get(t, "columns")))
        k = at(start) - 1
        while k >= 0 and roles[k] == "body" and squash(paras[k].text) and squash(paras[k].text) in header:
            roles[k] = "table"  # the first lines of a header the table's span leaves out
            k -= 1
    for k, p in enumerate(paras):
        if "\t" in p.text:
            roles[k] = "table"
    return roles


# --------------------------------------------------------------------------
# What the rules make of each raw line (normalize + segment + tables, traced)
# --------------------------------------------------------------------------

_NOTE_START = regex.compile(r"^[\d⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2}(?:\s|$|\p{Lu})")


def cleaned_lines(loaded: LoadedText) -> list[Line]:
    """The loader's lines after the character steps, as normalize has them before its line steps."""
    lines = split_lines(loaded)
    repaired = repair_lines([line.text for line in lines])
    for line, text in zip(lines, repaired.lines):
        line.text = clean_line(text)
    return lines


def traced_labels(loaded: LoadedText, model: "LineRoleModel | None" = None) -> tuple[list[tuple[str, bool] | None], str]:
    """(role, starts a block) of every raw line as normalize and segment decide it, and the
    normalized text. With `model`, its advice is set first, as `normalize` does for PDF input.

    The steps are normalize's own functions in normalize's order (tests check that the text
    comes out equal to `normalize`'s), with each line followed to where it ends up."""
    from .tables.delimited import find_delimited_tables
    from .tables.flattened import find_flattened_tables

    lines = cleaned_lines(loaded)
    if model is not None:
        model.advise(lines)
    index = {id(line): i for i, line in enumerate(lines)}
    kept = drop_page_furniture(lines, "\f" in loaded.text or bool(loaded.pages))
    body, notes = extract_footnotes(kept)
    paragraphs = join_wrapped_lines(body, looks_hard_wrapped(body))
    norm = _assemble(paragraphs, notes)
    sections = segment(norm.text)
    tables = find_delimited_tables(norm.text, sections, norm.page_at)
    tables += find_flattened_tables(norm.text, sections, norm.page_at, start_id=len(tables) + 1)
    roles = paragraph_roles(norm.text, sections, tables)
    labels: list[tuple[str, bool] | None] = [None] * len(lines)
    kept_ids = {id(line) for line in kept}
    body_ids = {id(line) for line in body}
    for i, line in enumerate(lines):
        if line.text and id(line) not in kept_ids:
            labels[i] = ("furniture", True)
        elif line.text and id(line) not in body_ids:
            labels[i] = ("footnote", bool(_NOTE_START.match(line.text)) or line.advice == "footnote")
    for k, para in enumerate(paragraphs):
        for j, line in enumerate(para):
            labels[index[id(line)]] = (roles[k], j == 0)
    return labels, norm.text


# --------------------------------------------------------------------------
# Features
# --------------------------------------------------------------------------

_NUMBERED_NO_DOT = regex.compile(r"^\d{1,2}(?:\.\d{1,2}){0,3}\s+\p{Lu}")  # "1 Phạm vi", "3.1 Thuật ngữ"
_LETTER_NUMBER = regex.compile(r"^\p{Lu}\.\d{1,2}(?:\.\d{1,2})*\s")  # "A.1 Nhà/khoang cháy"
_BARE_NUMBER = regex.compile(r"^\d{1,3}$")
_DIGIT_TEXT = regex.compile(r"^\d{1,2}\s*\p{L}")
_SUPER_START = regex.compile(r"^[⁰¹²³⁴⁵⁶⁷⁸⁹]")
_GLUED_MARK = regex.compile(r"[\p{L})\]][\d⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2}(?=[\s.,;:)]|$)")
_LEADERS = regex.compile(r"(?:\.{4,}|…{2,})\s*\d*$")  # a table-of-contents entry's dot leaders


def _bucket(x: float, edges: Sequence[float]) -> str:
    for edge in edges:
        if x <= edge:
            return f"<={edge}"
    return f">{edges[-1]}"


def _shape(text: str) -> str:
    return regex.sub(r"\d+", "#", text.strip().lower())


def _last_char(text: str) -> str:
    last = text.rstrip()[-1:]
    if not last:
        return "none"
    if last in ".:;,-–)/(!?\"”":
        return last
    return "digit" if last.isdigit() else "letter" if last.isalpha() else "other"


def shape_features(text: str, width: int) -> dict[str, float]:
    """What the line looks like on its own: label patterns (rules/structure.yaml and the numbered
    styles without a dot), bullets, capitals, length against the page's text width, last
    character, digits, tabs."""
    p = structure_patterns()
    heading = match_heading(text)
    words = text.split()
    letters = sum(map(str.isalpha, text))
    digits = sum(map(str.isdigit, text))
    f = {
        f"style={heading.style if heading else 'none'}": 1.0,
        f"len={_bucket(len(text) / max(width, 1), (0.05, 0.15, 0.3, 0.5, 0.72, 0.9, 1.1))}": 1.0,
        f"words={_bucket(len(words), (0, 1, 2, 3, 5, 8, 12))}": 1.0,
        f"last={_last_char(text)}": 1.0,
        f"tabs={_bucket(text.count(chr(9)), (0, 1, 2, 4))}": 1.0,
        f"digits={_bucket(digits / max(len(text), 1), (0.0, 0.1, 0.3, 0.6))}": 1.0,
        "all_caps": float(is_all_caps(text) and letters > 1),
        "starts_lower": float(starts_lower(text)),
        "starts_upper": float(starts_upper(text)),
        "starts_digit": float(text[:1].isdigit()),
        "starts_paren": float(text[:1] == "("),
        "ends_sentence": float(ends_sentence(text)),
        "numbered_no_dot": float(bool(_NUMBERED_NO_DOT.match(text))),
        "leaders": float(bool(_LEADERS.search(text))),
        "letter_number": float(bool(_LETTER_NUMBER.match(text))),
        "bare_number": float(bool(_BARE_NUMBER.match(text))),
        "page_number": float(bool(_PAGE_NUMBER.match(text))),
        "digit_text": float(bool(_DIGIT_TEXT.match(text))),
        "super_start": float(bool(_SUPER_START.match(text))),
        "glued_mark": float(bool(_GLUED_MARK.search(text))),
        "appendix": float(bool(p["appendix"].match(text)) and len(text) <= 160),
        "caption": float(bool(p["caption"].match(text))),
        "closing": float(bool(p["closing"].match(text))),
        "preamble": float(bool(p["preamble"].match(text))),
        "item_lower": float(bool(heading and heading.item and starts_lower(heading.text))),
    }
    if letters:
        upper = sum(map(str.isupper, text)) / letters
        f[f"upper_share={_bucket(upper, (0.0, 0.1, 0.3, 0.7, 0.99))}"] = 1.0
    return f


_NEIGHBOUR_KEYS = ("style=", "len=", "last=", "tabs=", "all_caps", "starts_lower", "starts_upper", "ends_sentence",
                   "bare_number", "page_number", "digit_text", "super_start", "numbered_no_dot", "caption", "appendix",
                   "leaders")


def _typical_width(texts: Sequence[str]) -> int:
    lengths = sorted(len(t) for t in texts if t and "\t" not in t)
    return max(lengths[int(0.9 * (len(lengths) - 1))], 20) if lengths else 80


def document_features(lines: Sequence[Line], pos: bool = False) -> list[dict[str, float] | None]:
    """Features of every non-blank line of one document (None for blank lines): its shape, its
    place on the page (lines from the top and bottom, whether its shape sits at a page edge on
    other pages: furniture repeats), and its neighbours' shapes (the lines before and after it,
    with the page break between them if any). `pos` adds underthesea's part of speech of the
    first word."""
    texts = [ln.text for ln in lines]
    width = _typical_width(texts)
    by_page: dict = {}
    for i, ln in enumerate(lines):
        if ln.text:
            by_page.setdefault(ln.page, []).append(i)
    pages = len(by_page)
    edge_pages = Counter()
    for idx in by_page.values():
        for shape in {_shape(texts[i]) for i in idx[:2] + idx[-2:]}:
            edge_pages[shape] += 1
    shapes = [shape_features(t, width) if t else None for t in texts]
    seen = [{k: v for k, v in f.items() if k.startswith(_NEIGHBOUR_KEYS)} if f else None for f in shapes]
    nonblank = [i for i, t in enumerate(texts) if t]
    context = _context_features([texts[i] for i in nonblank], [lines[i].page for i in nonblank], width)
    out: list[dict[str, float] | None] = [None] * len(lines)
    for k, i in enumerate(nonblank):
        idx = by_page[lines[i].page]
        top, bottom = idx.index(i), len(idx) - 1 - idx.index(i)
        f = dict(shapes[i])
        f.update(context[k])
        f[f"top={min(top, 4)}"] = 1.0
        f[f"bottom={min(bottom, 4)}"] = 1.0
        f[f"page_lines={_bucket(len(idx), (1, 3, 6, 12))}"] = 1.0
        if top < 2 or bottom < 2:
            share = edge_pages[_shape(texts[i])] / pages if pages > 1 else 0.0
            f[f"edge_repeat={_bucket(share, (0.0, 0.2, 0.4, 0.7))}"] = 1.0
        for name, j in (("prev", nonblank[k - 1] if k else None), ("next", nonblank[k + 1] if k + 1 < len(nonblank) else None)):
            if j is None:
                f[f"{name}=none"] = 1.0
                continue
            if lines[j].page != lines[i].page:
                f[f"{name}_other_page"] = 1.0
            for key, value in seen[j].items():
                f[f"{name}:{key}"] = value
        prev = texts[nonblank[k - 1]] if k else ""
        if prev and not ends_sentence(prev) and len(prev) >= 0.72 * width:
            f["prev_full_open"] = 1.0  # the line above fills the width without ending: a wrap
        if prev and not ends_sentence(prev) and starts_lower(texts[i]):
            f["goes_on_lower"] = 1.0
        if pos:
            f[f"pos1={_first_pos(texts[i])}"] = 1.0
        out[i] = f
    return out


_WINDOW = 4  # lines either side that make a line's neighbourhood


def _context_features(texts: list[str], pages: list, width: int) -> list[dict[str, float]]:
    """What the neighbourhood says, beyond the next and previous line: whether an appendix
    heading came before (flattened tables live there), how many short lines and row numbers
    sit around it (a table flattened into fragments), where in the document it is, and, for a
    line that opens with a number, whether that number stands glued to a word earlier on the
    page (a footnote marker)."""
    out = []
    in_appendix = False
    n = len(texts)
    for k, text in enumerate(texts):
        if _opens_appendix(texts, k):
            in_appendix = True
        window = texts[max(0, k - _WINDOW):k] + texts[k + 1:k + 1 + _WINDOW]
        short = sum(len(t) < 0.5 * width for t in window) / max(len(window), 1)
        seqs = sum(bool(ROW_NUMBER.match(t)) for t in window)
        f = {
            f"short_around={_bucket(short, (0.0, 0.25, 0.5, 0.75))}": 1.0,
            f"seq_around={min(seqs, 3)}": 1.0,
            f"doc_pos={_bucket(k / max(n - 1, 1), (0.1, 0.5, 0.8, 0.95))}": 1.0,
            "in_appendix": float(in_appendix),
        }
        number = _LEADING_NUMBER.match(text)
        if number:
            marker = _marker_pattern(number.group().translate(_FROM_SUPER))
            earlier = [texts[j] for j in range(max(0, k - 80), k) if pages[j] == pages[k]]
            f["marker_seen"] = float(any(marker.search(t) for t in earlier))
        out.append(f)
    return out


_TO_SUPER = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_LEADING_NUMBER = regex.compile(r"^[\d⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2}(?!\S*[./-]\d)")


@lru_cache(maxsize=128)
def _marker_pattern(label: str) -> regex.Pattern:
    """A footnote marker with this number glued to the word it annotates ("dữ liệu1", "dữ liệu¹")."""
    return regex.compile(rf"[\p{{L}})\]]({label}|{label.translate(_TO_SUPER)})(?=[\s.,;:)]|$)")
_CAPTION_REACH = 5  # lines between an appendix label and its "(Kèm theo …)" caption


def _opens_appendix(texts: list[str], k: int) -> bool:
    """An appendix heading: its label alone on the line ("PHỤ LỤC A"), or a label line with a
    "(Kèm theo …)" caption just below; not a table-of-contents entry naming an appendix."""
    m = structure_patterns()["appendix"].match(texts[k])
    if not m or len(texts[k]) > 160:
        return False
    return not m.group("text").strip() or any(structure_patterns()["caption"].match(t) for t in texts[k + 1:k + 1 + _CAPTION_REACH])


@lru_cache(maxsize=8192)
def _first_pos(text: str) -> str:
    from underthesea import pos_tag  # imported late: 0.7 s, and only when asked for

    words = regex.sub(r"^[\W\d_]+", "", text)[:40]
    tagged = pos_tag(words) if words else []
    return tagged[0][1] if tagged else "-"


def doc_lines(doc: LabelledDoc) -> list[Line]:
    """A labelled document's lines as normalize sees them before its line steps."""
    return cleaned_lines(doc.loaded())


def examples(docs: Sequence[LabelledDoc], pos: bool = False) -> tuple[list[dict], list[str], list[tuple[str, int]]]:
    rows, labels, keys = [], [], []
    for doc in docs:
        feats = document_features(doc_lines(doc), pos)
        for ln, f in zip(doc.lines, feats):
            if ln.label is not None and f is not None:
                rows.append(f)
                labels.append(ln.label)
                keys.append((doc.name, ln.line))
    return rows, labels, keys


# --------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------


@dataclass
class LineRoleModel:
    """The trained classifier: P(class | line, its page, its neighbours)."""

    pipeline: object  # sklearn Pipeline(DictVectorizer, LogisticRegression)
    pos: bool = False  # features include underthesea's part of speech
    preferred: bool = False  # it beat the rules on held-out documents when it was trained
    threshold: float = THRESHOLD

    def probabilities(self, lines: Sequence[Line]) -> list[dict[str, float] | None]:
        feats = document_features(lines, self.pos)
        rows = [f for f in feats if f is not None]
        if not rows:
            return [None] * len(lines)
        classes = list(self.pipeline.classes_)
        vectorizer, classifier = self.pipeline[0], self.pipeline[-1]
        probs = iter(classifier.predict_proba(_vectorize(vectorizer.vocabulary_, rows)))
        return [None if f is None else dict(zip(classes, map(float, next(probs)))) for f in feats]

    def predict(self, lines: Sequence[Line]) -> list[str | None]:
        return [None if p is None else max(p, key=p.get) for p in self.probabilities(lines)]

    def advise(self, lines: Sequence[Line]) -> None:
        """Set `line.advice` to the class the model is sure of (probability >= threshold)."""
        for line, p in zip(lines, self.probabilities(lines)):
            best = max(p, key=p.get) if p else None
            line.advice = best if best is not None and p[best] >= self.threshold else None


def _vectorize(vocabulary: dict[str, int], rows: Sequence[dict[str, float]]):
    """What DictVectorizer.transform gives for these rows (features it never saw are dropped),
    built straight from its vocabulary: three times faster on the lines of a long PDF."""
    import numpy as np
    from scipy.sparse import csr_matrix

    indices, values, indptr = [], [], [0]
    for row in rows:
        for key, value in row.items():
            j = vocabulary.get(key)
            if j is not None and value:
                indices.append(j)
                values.append(value)
        indptr.append(len(indices))
    return csr_matrix((np.array(values, dtype=float), np.array(indices, dtype=np.int64), np.array(indptr)),
                      shape=(len(rows), len(vocabulary)))


def train(docs: Sequence[LabelledDoc], pos: bool = False, c: float = 1.0):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    rows, labels, _ = examples(docs, pos)
    model = make_pipeline(DictVectorizer(), LogisticRegression(C=c, max_iter=3000, class_weight="balanced"))
    model.fit(rows, labels)
    return model


def load_model(path: Path | None = None) -> LineRoleModel | None:
    """The saved model, or None when it is missing (the rules decide) or was built differently
    (with a warning naming the file and how to rebuild it)."""
    path = path or modelfile.model_dir() / MODEL_NAME
    if not path.exists():
        warnings.warn(f"{path} is missing: PDF lines are read by the rules only (run `{REBUILD}`)", stacklevel=2)
        return None
    saved = modelfile.load(path, FEATURE_VERSION, "line-role model", REBUILD)
    if saved is None:
        return None
    return LineRoleModel(saved["pipeline"], pos=saved.get("pos", False), preferred=saved.get("preferred", False),
                         threshold=saved.get("threshold", THRESHOLD))


@lru_cache(maxsize=4)
def _cached_model(path: Path) -> LineRoleModel | None:
    return load_model(path)


def default_model() -> LineRoleModel | None:
    """The model `normalize` consults: the saved one when it beat the rules on held-out documents
    at training time. KEHOACH_LINE_ROLES=rules|model|auto: never, always, when preferred."""
    choice = os.environ.get("KEHOACH_LINE_ROLES", "auto")
    if choice == "rules":
        return None
    model = _cached_model(modelfile.model_dir() / MODEL_NAME)
    if model is None:
        return None
    return model if choice == "model" or model.preferred else None


def advise_lines(lines: Sequence[Line], loaded: LoadedText) -> None:
    """normalize's hook: the model's confident classes on the lines of PDF text, else nothing."""
    if loaded.format != "pdf":
        return
    model = default_model()
    if model is not None:
        model.advise(lines)


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------


def prf(gold: Sequence[str], predicted: Sequence[str | None]) -> dict:
    """Per class precision / recall / F1 and their macro mean over the classes present in the gold."""
    out: dict = {}
    present = [c for c in CLASSES if c in gold]
    for c in CLASSES:
        tp = sum(g == c and p == c for g, p in zip(gold, predicted))
        fp = sum(g != c and p == c for g, p in zip(gold, predicted))
        fn = sum(g == c and p != c for g, p in zip(gold, predicted))
        pr = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        out[c] = {"n": tp + fn, "precision": round(pr, 4), "recall": round(rc, 4),
                  "f1": round(2 * pr * rc / (pr + rc), 4) if pr + rc else 0.0}
    out["macro_f1"] = round(sum(out[c]["f1"] for c in present) / len(present), 4) if present else 0.0
    out["accuracy"] = round(sum(g == p for g, p in zip(gold, predicted)) / len(gold), 4) if gold else 0.0
    return out


def rule_predictions(doc: LabelledDoc, model: LineRoleModel | None = None) -> list[str | None]:
    """The class of each line as the pipeline decides it: the rules, or the rules with `model`'s advice."""
    labels, _ = traced_labels(doc.loaded(), model)
    return [None if x is None else line_class(*x) for x in labels]


SCORERS = ("model", "rules", "rules+model")
THRESHOLDS = (0.8, 0.9, 0.95)  # where the model's advice may start; chosen on the held-out figures
POS_MARGIN = 0.01  # mean macro-F1 the part of speech must add to the model to pay for tagging every line


@dataclass
class Scored:
    """One held-out document: its gold classes and each scorer's, line by line (labelled lines only)."""

    gold: list[str]
    predicted: dict[str, list[str | None]]  # "model", "rules", "rules+model@0.9" …


def score_doc(doc: LabelledDoc, pipeline, pos: bool = False, thresholds: Sequence[float] = THRESHOLDS) -> Scored:
    """The model alone, the rules, and the rules with the model's advice at each threshold."""
    keep = [i for i, ln in enumerate(doc.lines) if ln.label is not None]
    model = LineRoleModel(pipeline, pos=pos)
    predicted = {"model": model.predict(doc_lines(doc)), "rules": rule_predictions(doc)}
    for t in thresholds:
        predicted[f"rules+model@{t}"] = rule_predictions(doc, LineRoleModel(pipeline, pos=pos, threshold=t))
    return Scored([doc.lines[i].label for i in keep], {k: [v[i] for i in keep] for k, v in predicted.items()})


def figures(scored: Scored, threshold: float) -> dict:
    """A document's per-class figures for the three scorers (rules+model at `threshold`), and
    the lines the advice fixed and broke against the rules."""
    rules, advised = scored.predicted["rules"], scored.predicted[f"rules+model@{threshold}"]
    out = {"lines": len(scored.gold), "model": prf(scored.gold, scored.predicted["model"]),
           "rules": prf(scored.gold, rules), "rules+model": prf(scored.gold, advised)}
    out["fixed"] = sum(r != g and a == g for g, r, a in zip(scored.gold, rules, advised))
    out["broken"] = sum(r == g and a != g for g, r, a in zip(scored.gold, rules, advised))
    return out


def choose_threshold(scored: dict[str, Scored], thresholds: Sequence[float] = THRESHOLDS) -> tuple[float | None, dict]:
    """The threshold whose advice gives the best mean held-out macro-F1 without making any
    document worse than the rules, if it beats the rules at all; None (keep the rules) otherwise."""
    sweep, best = {}, None
    rules_mean = _mean(prf(s.gold, s.predicted["rules"])["macro_f1"] for s in scored.values())
    for t in thresholds:
        per = {name: figures(s, t) for name, s in scored.items()}
        worse = [name for name, f in per.items() if f["rules+model"]["macro_f1"] < f["rules"]["macro_f1"]]
        mean = _mean(f["rules+model"]["macro_f1"] for f in per.values())
        sweep[str(t)] = {"mean_macro_f1": mean, "documents_worse": worse,
                         "lines_fixed": sum(f["fixed"] for f in per.values()),
                         "lines_broken": sum(f["broken"] for f in per.values())}
        if not worse and mean > rules_mean and (best is None or mean > sweep[str(best)]["mean_macro_f1"]):
            best = t
    return best, sweep


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return round(sum(values) / len(values), 4) if values else 0.0


def leave_one_document_out(docs: Sequence[LabelledDoc], pos: bool = False, keep: dict | None = None,
                           thresholds: Sequence[float] = THRESHOLDS) -> dict[str, Scored]:
    """Per held-out document: trained on the others, scored on it. `keep` receives the held-out
    models (one is saved with the final model so a test can re-score its document)."""
    results = {}
    for held in docs:
        pipeline = train([d for d in docs if d is not held], pos)
        if keep is not None:
            keep[held.name] = pipeline
        results[held.name] = score_doc(held, pipeline, pos, thresholds)
    return results


def model_alone_loo(docs: Sequence[LabelledDoc], pos: bool) -> float:
    """Mean held-out macro-F1 of the model alone (no rules traced): what a feature set is worth."""
    scores = []
    for held in docs:
        model = LineRoleModel(train([d for d in docs if d is not held], pos), pos=pos)
        keep = [i for i, ln in enumerate(held.lines) if ln.label is not None]
        predicted = model.predict(doc_lines(held))
        scores.append(prf([held.lines[i].label for i in keep], [predicted[i] for i in keep])["macro_f1"])
    return _mean(scores)


def run(out: Path, exclude: frozenset[str] = frozenset(), measure: bool = True) -> dict:
    """Train on every labelled document but `exclude`; with `measure`, leave-one-document-out
    figures for the model, the rules and the rules with the model's advice first (which decide
    whether the pipeline uses the advice, at which threshold, and whether the part of speech is a
    feature). Saves the model (modelfile.save), its metrics and, when measured, its card
    (models/line_roles.md) and returns the metrics. Without `measure` (a model for a
    leave-one-document-out evaluation, trained without `exclude`) the choices are the ones the
    measured model in models/ made."""
    docs = labelled_docs(DATA_DIR, exclude)
    if len(docs) < 2:
        raise ValueError(f"{DATA_DIR}: at least two labelled documents are needed, found {len(docs)}")
    metrics: dict = {
        "model": out.name,
        "date": dt.date.today().isoformat(),
        "feature_version": FEATURE_VERSION,
        "documents": {d.name: {"lines": sum(ln.label is not None for ln in d.lines), "source": d.meta.get("source"),
                               "labels": d.meta.get("labels"), "gold_status": d.meta.get("gold_status"),
                               "hand_checked": d.meta.get("hand_checked")} for d in docs},
        "excluded": sorted(exclude),
    }
    pos, threshold, payload = False, THRESHOLD, {}
    if measure:
        pos_figures = {"without": model_alone_loo(docs, False), "with": model_alone_loo(docs, True)}
        pos = pos_figures["with"] >= pos_figures["without"] + POS_MARGIN
        metrics["pos_mean_model_macro_f1"] = pos_figures
        models: dict = {}
        scored = leave_one_document_out(docs, pos, models)
        chosen, sweep = choose_threshold(scored)
        threshold = chosen if chosen is not None else THRESHOLD
        loo = {name: figures(s, threshold) for name, s in scored.items()}
        metrics["threshold_sweep"] = sweep
        metrics["leave_one_document_out"] = loo
        metrics["pooled"] = {name: prf([g for s in scored.values() for g in s.gold],
                                       [p for s in scored.values() for p in s.predicted[key]])
                             for name, key in (("model", "model"), ("rules", "rules"),
                                               ("rules+model", f"rules+model@{threshold}"))}
        metrics["mean_macro_f1"] = {k: _mean(r[k]["macro_f1"] for r in loo.values()) for k in SCORERS}
        metrics["preferred"] = "rules+model" if chosen is not None else "rules"
        check = min(loo, key=lambda name: loo[name]["lines"])  # the smallest document: quick to re-score
        metrics["check_document"] = check
        payload["held_out"] = {"document": check, "pipeline": models[check], "scores": loo[check]}
    else:  # a model for a held-out evaluation: the choices the full, measured model made
        recorded = _recorded_choices()
        metrics["preferred"] = recorded.get("preferred", "rules")
        pos, threshold = recorded.get("pos", pos), recorded.get("threshold", threshold)
    metrics.update(pos=pos, threshold=threshold)
    model = train(docs, pos)
    _rows, labels, _ = examples(docs, pos)
    metrics["training_lines"] = len(labels)
    metrics["classes"] = dict(sorted(Counter(labels).items()))
    payload.update(pipeline=model, pos=pos, threshold=threshold, preferred=metrics["preferred"] == "rules+model")
    modelfile.save(out, payload, FEATURE_VERSION, metrics)
    if measure:
        out.with_suffix(".md").write_text(model_card(metrics), encoding="utf-8")
    _cached_model.cache_clear()
    return metrics


def _recorded_choices() -> dict:
    """Whether the advice is used, from which probability, with which features: as the measured
    model in the repository's models folder decided (the rules when there is none)."""
    recorded = modelfile.DEFAULT_DIR / Path(MODEL_NAME).with_suffix(".metrics.json").name
    if not recorded.exists():
        return {}
    metrics = json.loads(recorded.read_text(encoding="utf-8"))
    return {k: metrics[k] for k in ("preferred", "pos", "threshold") if k in metrics}


def report(metrics: dict) -> str:
    """Macro-F1 per held-out document for each scorer, then per-class figures over all held-out lines."""
    loo = metrics.get("leave_one_document_out")
    if not loo:
        return f"{metrics['model']}: trained on {metrics['training_lines']} lines (not measured)"
    lines = [f"{'held-out document':<56}{'lines':>6}" + "".join(f"{s + ' F1':>16}" for s in SCORERS)
             + f"{'fixed':>7}{'broken':>7}"]
    for name, r in loo.items():
        lines.append(f"{name:<56}{r['lines']:>6}" + "".join(f"{r[s]['macro_f1']:>16.3f}" for s in SCORERS)
                     + f"{r['fixed']:>7}{r['broken']:>7}")
    mean = metrics["mean_macro_f1"]
    lines.append(f"{'mean macro-F1':<62}" + "".join(f"{mean[s]:>16.3f}" for s in SCORERS))
    lines.append("")
    lines.append(f"{'class (all held-out lines)':<28}{'n':>6}"
                 + "".join(f"{s + ' P':>16}{s + ' R':>16}{s + ' F1':>16}" for s in SCORERS))
    pooled_ = metrics["pooled"]
    for c in CLASSES:
        lines.append(f"{c:<28}{pooled_['rules'][c]['n']:>6}" + "".join(
            f"{pooled_[s][c]['precision']:>16.3f}{pooled_[s][c]['recall']:>16.3f}{pooled_[s][c]['f1']:>16.3f}"
            for s in SCORERS))
    lines.append(f"{'macro-F1':<34}" + "".join(f"{'':>32}{pooled_[s]['macro_f1']:>16.3f}" for s in SCORERS))
    lines.append("")
    lines.append("advice threshold: " + "; ".join(
        f"{t}: mean {v['mean_macro_f1']:.3f}, {v['lines_fixed']} fixed, {v['lines_broken']} broken"
        + (f", worse on {', '.join(v['documents_worse'])}" if v["documents_worse"] else "")
        for t, v in metrics["threshold_sweep"].items()))
    pos = metrics["pos_mean_model_macro_f1"]
    lines.append(f"part of speech (model alone, mean macro-F1): without {pos['without']:.3f}, with {pos['with']:.3f}"
                 f" -> {'used' if metrics['pos'] else 'not used'}")
    lines.append(f"the pipeline uses: {metrics['preferred']}"
                 + (f" (advice from probability {metrics['threshold']})" if metrics["preferred"] == "rules+model" else ""))
    return "\n".join(lines)


def model_card(metrics: dict) -> str:
    docs = metrics["documents"]
    listing = "\n".join(
        f"  - `{name}` ({d['lines']} lines): " + (f"{d.get('source')}; every line read and checked by hand"
                                                 if d.get("hand_checked") else f"seed rendered to PDF, gold {d.get('gold_status')}")
        for name, d in docs.items())
    pos = metrics.get("pos_mean_model_macro_f1")
    pos_note = (f"measured: mean held-out macro-F1 of the model alone {pos['without']:.3f} without, {pos['with']:.3f}"
                f" with; it is {'used' if metrics['pos'] else 'left out'} (it must add {POS_MARGIN} to pay for tagging"
                " every line of a PDF)") if pos else "not measured"
    return f"""# Model card: line_roles

What each line of a PDF's text layer is (pipeline/line_roles.py, consulted by pipeline/normalize.py).

- **Task**: the class of each non-blank raw line: `heading`, `list_item`, `body` (the first line of a
  block of that role), `continuation` (a line the layout wrapped: it goes on with the block above),
  `table` (a tab row or a fragment of a flattened table), `furniture` (page number, running header or
  footer), `footnote` (the first line of a footnote, its label; its other lines are continuations).
- **Data** (`annotations/line_roles/`, conventions in its README), {metrics["training_lines"]} lines:
{listing}
- **Features** (v{metrics["feature_version"]}, scikit-learn `DictVectorizer`): the line's shape (heading and
  item styles of rules/structure.yaml, numbered labels without a dot, "A.1" labels, bullets, capitals,
  length against the document's text width, last character, digits, tabs, dot leaders, page-number /
  bare-number / footnote-label shapes, appendix heading and caption, closing and preamble openers), its
  place (lines from the top and bottom of its page, lines on the page, whether its shape sits at a page
  edge on other pages, where in the document), its neighbourhood (the previous and next lines' shapes and
  whether a page break lies between, short lines and row numbers around it, whether an appendix heading
  came before, whether a number it opens with stands glued to a word earlier on its page). underthesea's
  part of speech of the first word: {pos_note}.
- **Model**: scikit-learn DictVectorizer + LogisticRegression (C=1, balanced classes).
- **Evaluation**: leave one document out (trained on the others, scored on the held-out one), per class
  precision / recall / F1 and their macro mean over the classes the document has, for the model alone,
  for the rules (what normalize and segment decide today for the same lines, traced line by line), and
  for the rules with the model's advice (the pipeline as it runs with this model). `fixed` / `broken`:
  lines the advice set right / wrong against the rules.

```
{report(metrics)}
```

- **Use**: `normalize` asks the model only for PDF input, and only when the rules with its advice beat
  the rules on the mean held-out macro-F1 without doing worse on any document (now: **{metrics["preferred"]}**).
  Its answer counts from probability {metrics["threshold"]} on, and only where the rules are unsure: at a page
  edge (a page-number-shaped line that is a footnote label or a table's row number; a furniture line no
  rule recognises), at a footnote's start (a label alone on its line, a label whose marker was not found),
  and at a wrap (a line that opens with a heading or item label but goes on with the paragraph above; a
  line after a short one; a line it is sure opens a block after a full one). `KEHOACH_LINE_ROLES=model`
  forces the advice, `=rules` turns it off.
- **Check**: the file also holds the model trained without {metrics.get("check_document")}; tests/test_line_roles.py
  re-scores that document with it and must get the figures above.
- **Date**: {metrics["date"]}. Rebuild with `kehoach train` (or `python -m pipeline.line_roles`); the seed data
  with `python -m pipeline.line_roles_data --make-data`.
- **Read with care**: the threshold was chosen on the same held-out figures it is reported with (the sweep
  above shows all three); the rules were written while reading the seed plans, so their column is not a
  held-out figure for them. The seed renderings come from one renderer (reportlab) and one font, the real
  documents from three producers (Aspose.Words, Word, LibreOffice; the plan among them is a DOCX printed
  with LibreOffice); footnotes occur only in the renderings of seeds 001 and 004 and in that plan.
- **Limits**: the loader gives text only (no fonts, no indentation), so bold headings and indented list
  items are seen by their words alone. Without this file (or with another feature version or
  scikit-learn release) normalize uses the rules, with a warning.
"""


if __name__ == "__main__":  # pragma: no cover - the CLI registry has the same entry
    print(report(run(modelfile.model_dir() / MODEL_NAME)))

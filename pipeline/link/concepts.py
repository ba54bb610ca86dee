"""Indicator concepts: the same indicator, worded differently by different plans, as one concept.

Plans restate indicators of the decrees they implement in their own words ("Tỷ lệ hồ sơ thủ tục
hành chính được xử lý trực tuyến toàn trình" / "… được tiếp nhận và xử lý trực tuyến"), so a name
never matches exactly across plans. Names are compared by TF-IDF cosine over underthesea word
segments and over character n-grams (the mean of the two: segments see "giáo dục phổ thông" as one
term, n-grams forgive inflected spellings, "chuyên đổi số", abbreviations), fitted on the names at
hand. Indicators are then grouped by average-linkage clustering cut at a distance threshold that
`choose_threshold` picks on annotated pairs (annotations/indicator_pairs.csv) and rules/concepts.yaml
keeps. Two rows of one plan are two indicators, so they never share a concept (a cannot-link) —
unless a person said otherwise in annotations/indicator_concepts.csv, whose entries fix the
concept of every indicator worded so and pull the cluster they fall in along.

Plans copy each other's wording, so a batch of hundreds of plans holds far fewer names than
indicators: clustering runs on the distinct names (`_nodes`), each weighted by the indicators that
carry it — in the IDF and in the averages — which gives the concepts that clustering the
indicators one by one gives, on matrices the size of the distinct names.

Concept ids outlive the corpus: a mapped concept keeps its file id; a clustered one is "c-" and
8 hex digits of the sha1 of its most central member's `name_key`, which plans about other things
do not move.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy
import regex
from scipy.sparse import csr_matrix, diags, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

from ..model import Document
from ..rules import load as load_rules
from ..rules import phrase_alternation

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MAPPING = ROOT / "annotations" / "indicator_concepts.csv"
DEFAULT_PAIRS = ROOT / "annotations" / "indicator_pairs.csv"
METRICS = ROOT / "models" / "indicator_concepts.metrics.json"
RULES = "concepts.yaml"

#: The distance given to pairs that must not share a concept (rows of one plan, rows mapped to
#: different concepts, different school levels): above any cosine distance, and never averaged
#: away — `_clusters` does not merge two clusters across such a pair, however large they are.
CANNOT_LINK = 1e6
#: The shape of a clustered concept's id; the mapping file's ids must not take it.
CLUSTER_ID = regex.compile(r"c-[0-9a-f]{8}")
#: Digits kept of a chosen threshold (the rules file holds it so).
THRESHOLD_DIGITS = 4
HOW = ("mapping", "cluster", "single")
_RULE_KEYS = {"threshold", "features", "openers", "opener_examples", "fillers", "filler_heads", "filler_sectors",
              "filler_examples", "levels",
              "level_counter_examples", "stop_words", "name_words"}
_FEATURE_KEYS = {"word_weight", "char_ngrams", "sublinear_tf"}


@dataclass(frozen=True)
class IndicatorRef:
    """One indicator of one plan."""

    document_id: str
    indicator_id: str
    name: str
    unit: str | None


@dataclass(frozen=True)
class ConceptAssignment:
    document_id: str
    indicator_id: str
    concept_id: str
    concept_name: str
    how: str  # "mapping" | "cluster" | "single"
    score: float  # mean cosine similarity to the other members (1.0 for mapping/single)


@dataclass(frozen=True)
class MappedConcept:
    """One reviewed row of the mapping file."""

    indicator_name: str
    concept_id: str
    concept_name: str
    note: str


@dataclass(frozen=True)
class AnnotatedPair:
    """Two indicator names and whether a reader judged them one concept."""

    name_a: str
    name_b: str
    same: bool
    source: str
    note: str


@dataclass(frozen=True)
class ThresholdChoice:
    """The threshold that best separates the annotated pairs, and how well it does."""

    threshold: float
    precision: float
    recall: float
    f1: float
    pairs: int
    positives: int
    loo_precision: float  # each pair judged by the threshold chosen on all the others
    loo_recall: float
    loo_f1: float


@dataclass(frozen=True)
class _Params:
    threshold: float
    word_weight: float
    char_ngrams: tuple[int, int]
    sublinear_tf: bool
    openers: regex.Pattern
    fillers: regex.Pattern
    levels: tuple[tuple[str, regex.Pattern], ...]  # (level id, its words)
    stop_words: frozenset[str]
    name_words: int


@lru_cache(maxsize=1)
def params() -> _Params:
    """rules/concepts.yaml, checked once: an unknown key is a typo, not something to ignore."""
    rules = load_rules(RULES)
    for where, keys, known in (("", rules, _RULE_KEYS), ("features.", rules["features"], _FEATURE_KEYS)):
        unknown = set(keys) - known
        if unknown:
            raise ValueError(f"{RULES}: unknown keys {sorted(where + k for k in unknown)}")
    features = rules["features"]
    low, high = features["char_ngrams"]
    if not 0.0 <= features["word_weight"] <= 1.0 or not 1 <= low <= high:
        raise ValueError(f"{RULES}: word_weight must lie in 0..1 and char_ngrams be [low, high]")
    openers = phrase_alternation(rules["openers"])
    fillers = phrase_alternation(rules["fillers"] + [f"{head} {sector}" for head in rules["filler_heads"]
                                                      for sector in rules["filler_sectors"]])
    ids = [level["id"] for level in rules["levels"]]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{RULES}: level ids repeat: {ids}")
    return _Params(
        threshold=float(rules["threshold"]),
        word_weight=float(features["word_weight"]),
        char_ngrams=(low, high),
        sublinear_tf=bool(features["sublinear_tf"]),
        openers=regex.compile(rf"^(?:(?:{openers})(?!\p{{L}})\s*)+"),
        fillers=regex.compile(rf"(?<!\p{{L}})(?:{fillers})(?!\p{{L}})"),
        levels=_level_patterns(rules["levels"]),
        stop_words=frozenset(rules["stop_words"]),
        name_words=int(rules["name_words"]),
    )


def _level_patterns(levels: list[dict]) -> tuple[tuple[str, regex.Pattern], ...]:
    """(level id, pattern) for every level word, longest word first: `levels_of` blanks each
    match before trying shorter words, so "trung học phổ thông" is not also "trung học"."""
    words = sorted(((w, level["id"]) for level in levels for w in level["words"]), key=lambda p: -len(p[0]))
    return tuple((level_id, regex.compile(rf"(?<!\p{{L}})(?:{phrase_alternation([w])})(?!\p{{L}})"))
                 for w, level_id in words)


# --- Names -------------------------------------------------------------------------------------


def name_key(name: str) -> str:
    """How a name is matched against the mapping file and hashed into an id: NFC, lower case, one
    space between words, no punctuation at the ends ("Cơ sở … người học." = "cơ sở … người học")."""
    text = " ".join(unicodedata.normalize("NFC", name).lower().split())
    return text.strip(" .,;:-–")


def compared_text(name: str) -> str:
    """The part of a name that says what is measured: `name_key` without the generic openers
    ("tỷ lệ", "các" …) that prose statements drop after their "100%", and without the sector
    fillers ("trong lĩnh vực giáo dục", "theo quy định") that some plans add and others not."""
    p = params()
    text = p.openers.sub("", name_key(name))
    return " ".join(p.fillers.sub(" ", text).split())


def levels_of(name: str) -> frozenset[str]:
    """The school levels / kinds of education a name states ("phổ thông", "mầm non", "THPT" …),
    each phrase read once, longest first."""
    text = name_key(name)
    found = set()
    for level_id, pattern in params().levels:
        if pattern.search(text):
            found.add(level_id)
            text = pattern.sub(" ", text)
    return frozenset(found)


def apart(name_a: str, name_b: str) -> bool:
    """Whether two names measure different populations by their words alone: both state school
    levels and not the same ones."""
    a, b = levels_of(name_a), levels_of(name_b)
    return bool(a) and bool(b) and a != b


@lru_cache(maxsize=4096)
def _segments(text: str) -> tuple[str, ...]:
    """underthesea's word segments of one compared text, cached by that text (segmenting is
    the slow part and the same names come back run after run)."""
    from underthesea import word_tokenize  # loaded on first use, not on import

    return tuple(word_tokenize(text))


def word_terms(text: str) -> list[str]:
    """Word features of a compared text: its segments ("giáo_dục_phổ_thông"), stop words and
    punctuation left out."""
    stops = params().stop_words
    terms = []
    for segment in _segments(text):
        segment = segment.lower()
        if segment in stops or not regex.search(r"[\p{L}\p{N}]", segment):
            continue
        terms.append(segment.replace(" ", "_"))
    return terms


def short_name(name: str) -> str:
    """A concept's display name: the name without its opener, cut after `name_words` words as
    underthesea segments them ("cơ sở giáo dục" is two words, four syllables), as written."""
    text = " ".join(unicodedata.normalize("NFC", name).split()).strip(" .,;:")
    match = params().openers.match(text.lower())
    if match and match.end() < len(text):  # a name that is all opener keeps it
        text = text[match.end():]
    words = [s for s in _segments(text) if regex.search(r"[\p{L}\p{N}]", s)][:params().name_words]
    syllables = text.split()
    kept = sum(len(w.split()) for w in words)
    shown = " ".join(syllables[:kept]).rstrip(" ,;:") + (" …" if kept < len(syllables) else "")
    return shown[:1].upper() + shown[1:]


# --- Similarity --------------------------------------------------------------------------------


def concept_similarity(names: list[str], weights: Sequence[int] | None = None) -> numpy.ndarray:
    """The cosine matrix the clustering uses: word-segment TF-IDF and character n-gram TF-IDF
    (each L2-normalized, weighted so the cosine is their weighted mean), fitted on `names`.

    `weights[k]` is how many indicators `names[k]` stands for (1 each by default): the IDF is the
    one of the list with every name repeated so many times, so the cosines are those the repeated
    list would give, while the matrix stays the size of `names`."""
    p = params()
    texts = [compared_text(n) for n in names]
    if not texts:
        return numpy.zeros((0, 0))
    counts = numpy.ones(len(texts)) if weights is None else numpy.asarray(weights, dtype=float)
    if counts.shape != (len(texts),) or (counts < 1).any():
        raise ValueError("one weight of at least 1 per name")
    words = TfidfVectorizer(analyzer=word_terms, sublinear_tf=p.sublinear_tf, use_idf=False, norm=None)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=p.char_ngrams, sublinear_tf=p.sublinear_tf,
                            use_idf=False, norm=None)
    usable = (any(word_terms(t) for t in texts), any(texts))  # a vocabulary to fit, or none at all
    blocks = [numpy.sqrt(weight) * l2_normalize(_tf_idf(vectorizer.fit_transform(texts), counts))
              for weight, vectorizer, ok in ((p.word_weight, words, usable[0]), (1.0 - p.word_weight, chars, usable[1]))
              if weight > 0 and ok]
    if not blocks:
        return numpy.eye(len(texts))
    matrix = hstack(blocks).tocsr()
    similarity = numpy.clip((matrix @ matrix.T).toarray(), 0.0, 1.0)
    numpy.fill_diagonal(similarity, 1.0)
    return similarity


def _tf_idf(tf: csr_matrix, counts: numpy.ndarray) -> csr_matrix:
    """Term frequencies times scikit-learn's smooth IDF, ln((1 + n) / (1 + df)) + 1, with row k
    counted `counts[k]` times in n and in the document frequencies (TfidfVectorizer's own
    figures when every count is 1)."""
    df = (tf > 0).T.astype(float) @ counts
    idf = numpy.log((1.0 + counts.sum()) / (1.0 + df)) + 1.0
    return csr_matrix(tf @ diags(idf))


def _featureless(name: str) -> bool:
    """Whether a name has no feature to compare (its compared text is empty, or holds no word
    while only words count): its cosine to every other name, an identical one included, is 0."""
    text = compared_text(name)
    return not text or (params().word_weight >= 1.0 and not word_terms(text))


# --- Mapping file ------------------------------------------------------------------------------


def read_mapping(path: Path | None) -> dict[str, MappedConcept]:
    """The reviewed mapping, by `name_key` of its indicator names. A name mapped twice, or one
    concept id under two names, is an error in the file, not something to pick from."""
    if path is None:
        return {}
    found: dict[str, MappedConcept] = {}
    names: dict[str, str] = {}
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            entry = MappedConcept(row["indicator_name"].strip(), row["concept_id"].strip(),
                                  row["concept_name"].strip(), (row.get("note") or "").strip())
            key = name_key(entry.indicator_name)
            if not key or not entry.concept_id or not entry.concept_name:
                raise ValueError(f"{path}: incomplete row {row}")
            if key in found and found[key].concept_id != entry.concept_id:
                raise ValueError(f"{path}: {entry.indicator_name!r} mapped to two concepts")
            if CLUSTER_ID.fullmatch(entry.concept_id):
                raise ValueError(f"{path}: {entry.concept_id} looks like a clustered concept's id; name it")
            if names.setdefault(entry.concept_id, entry.concept_name) != entry.concept_name:
                raise ValueError(f"{path}: concept {entry.concept_id} has two names")
            found[key] = entry
    return found


# --- Clustering --------------------------------------------------------------------------------


def indicator_refs(documents: Iterable[Document]) -> list[IndicatorRef]:
    """Every indicator of every plan, in plan order."""
    return [IndicatorRef(doc.document.id, ind.id, ind.name, ind.unit)
            for doc in documents for ind in doc.indicators]


def _nodes(refs: Sequence[IndicatorRef], keys: list[str], mapped: list[MappedConcept | None]) -> list[list[int]]:
    """The indicators clustering works on, grouped into nodes (lists of indices into `refs`).
    Indicators worded alike (one `name_key`) in different plans are at distance 0 and in one
    cluster whatever happens, so they are one node that stands for them all, and the matrices are
    as large as the distinct names, not as the indicators. Except:
    - the k-th indicator of a name in a plan goes to the k-th node of that name: a plan that
      states a name twice has two indicators, cannot-linked as any two rows of one plan are, and
      another plan's indicator of that name joins the first (with refs it was a tie);
    - a mapped name is one node, repeats in a plan included (mapped alike, they are at 0);
    - an indicator with no feature to compare (`_featureless`) is a node of its own, as it is
      at cosine 0 even to its own wording.
    So every node of several indicators has a feature, and its indicators are at cosine 1. Nodes
    come in order of `name_key` (so the matrices, and how ties fall, do not hang on the order
    plans arrive in), then of occurrence in a plan, then of first ref."""
    nodes: dict[tuple[str, int, int], list[int]] = {}
    seen: dict[tuple[str, str], int] = {}
    featureless = {key: _featureless(key) for key in set(keys)}  # a name's features are its key's
    for i, (ref, key) in enumerate(zip(refs, keys)):
        if featureless[key]:
            node = (key, 0, i)
        elif mapped[i] is not None:
            node = (key, 0, -1)
        else:
            k = seen[ref.document_id, key] = seen.get((ref.document_id, key), -1) + 1
            node = (key, k, -1)
        nodes.setdefault(node, []).append(i)
    return [nodes[node] for node in sorted(nodes)]


def _distances(refs: Sequence[IndicatorRef], nodes: list[list[int]], similarity: numpy.ndarray,
               mapped: list[MappedConcept | None]) -> numpy.ndarray:
    """1 - similarity between nodes, with the people's word and the plans' structure laid over it:
    nodes mapped to one concept are at 0; nodes mapped to different concepts, and unmapped nodes
    that one plan holds both of or that are of different school levels (`apart`), are CANNOT_LINK
    apart."""
    documents = sorted({r.document_id for r in refs})
    column = {d: k for k, d in enumerate(documents)}
    plans = [column[refs[i].document_id] for members in nodes for i in members]
    node = [k for k, members in enumerate(nodes) for _ in members]
    held = csr_matrix((numpy.ones(len(plans)), (node, plans)), shape=(len(nodes), len(documents)))
    cannot = (held @ held.T).toarray() > 0  # a plan holds both
    levels = [levels_of(refs[members[0]].name) for members in nodes]
    kinds = sorted(set(levels), key=sorted)
    code = numpy.array([kinds.index(level) for level in levels])
    conflict = numpy.array([[bool(a) and bool(b) and a != b for b in kinds] for a in kinds])
    cannot |= conflict[code[:, None], code[None, :]]
    concept = numpy.array([mapped[m[0]].concept_id if mapped[m[0]] is not None else "" for m in nodes], dtype=object)
    both = (concept != "")[:, None] & (concept != "")[None, :]
    one = concept[:, None] == concept[None, :]
    distance = 1.0 - similarity
    distance[cannot] = CANNOT_LINK
    distance[both & one] = 0.0
    distance[both & ~one] = CANNOT_LINK
    numpy.fill_diagonal(distance, 0.0)
    return distance


def _clusters(distance: numpy.ndarray, sizes: Sequence[int], threshold: float) -> list[list[int]]:
    """Groups of node indices, in order of first member: average linkage over the indicators the
    nodes stand for (`sizes[k]` of them, each at `distance[k, l]` from those of node l), merging
    while the distance between two clusters is below `threshold` — the partition scikit-learn's
    AgglomerativeClustering(linkage="average", distance_threshold=threshold) gives on the
    indicators themselves, barring ties. A CANNOT_LINK pair keeps its two clusters apart for good
    (an average would dilute it below the threshold in a batch of thousands of plans).

    Nearest-neighbour chain with the Lance-Williams update, both sizes counted: a chain ends at two
    clusters nearest each other, merged when under the threshold. Otherwise no cluster of the
    chain can merge any more (its nearest is at least that far, and average linkage never brings
    a cluster nearer than the nearer of two merged ones), so they are final."""
    n = len(distance)
    near = numpy.array(distance, dtype=float)
    near[near >= CANNOT_LINK] = numpy.inf
    numpy.fill_diagonal(near, numpy.inf)
    size = numpy.array(sizes, dtype=float)
    members = [[k] for k in range(n)]
    active = numpy.ones(n, dtype=bool)
    final: list[list[int]] = []
    chain: list[int] = []
    while active.any():
        if not chain:
            chain.append(int(numpy.flatnonzero(active)[0]))
        a = chain[-1]
        b = int(numpy.argmin(near[a]))
        if len(chain) > 1 and near[a, chain[-2]] <= near[a, b]:
            b = chain[-2]  # ties go back down the chain, so it ends
        if not near[a, b] < threshold:  # inf: nothing else is left
            for c in chain:
                final.append(sorted(members[c]))
                active[c] = False
                near[c, :] = near[:, c] = numpy.inf
            chain = []
        elif len(chain) > 1 and b == chain[-2]:
            chain = chain[:-2]
            merged = (size[a] * near[a] + size[b] * near[b]) / (size[a] + size[b])  # inf stays inf
            merged[a] = merged[b] = numpy.inf
            near[a, :] = near[:, a] = merged
            near[b, :] = near[:, b] = numpy.inf
            size[a] += size[b]
            members[a] += members[b]
            active[b] = False
        else:
            chain.append(b)
    return sorted(final)


def _centrality(group: list[int], nodes: list[list[int]], similarity: numpy.ndarray) -> dict[int, float]:
    """Each node's mean cosine to the other indicators of its cluster, its own repeats (cosine 1:
    nodes of several indicators have a feature) among them; 1.0 in a cluster of one indicator."""
    sizes = numpy.array([len(nodes[k]) for k in group], dtype=float)
    total = sizes.sum()
    if total < 2:
        return {group[0]: 1.0}
    block = similarity[numpy.ix_(group, group)]
    sums = block @ sizes - numpy.diag(block) * sizes + (sizes - 1.0)
    return {k: float(s / (total - 1.0)) for k, s in zip(group, sums)}


def _medoid(group: list[int], nodes: list[list[int]], refs: Sequence[IndicatorRef],
            centrality: dict[int, float]) -> int:
    """The ref of the most central node; ties (two members are always tied) go to the smallest
    key, so the choice does not hang on the order plans arrive in; then to the first ref."""
    best = min(group, key=lambda k: (-round(centrality[k], 6), name_key(refs[nodes[k][0]].name), nodes[k][0]))
    return nodes[best][0]


def concept_id_of(name: str) -> str:
    """The id of a clustered concept whose central member is called `name`."""
    return "c-" + hashlib.sha1(name_key(name).encode("utf-8")).hexdigest()[:8]


def assign_concepts(refs: list[IndicatorRef], mapping: Path | None = DEFAULT_MAPPING,
                    threshold: float | None = None) -> list[ConceptAssignment]:
    """The concept of each indicator, in the order of `refs`: the mapping file's when it names the
    indicator; else its cluster's — the mapped concept of a member if it has one, otherwise a
    concept of its own (id and name from its most central member); a lone indicator, its own.

    Clustering runs on the distinct wordings (`_nodes`), each weighted by the indicators it stands
    for, so a batch of plans that copy each other costs what its distinct names cost."""
    threshold = params().threshold if threshold is None else threshold
    if not refs:
        return []
    by_name = read_mapping(mapping)
    key_of = {name: name_key(name) for name in {r.name for r in refs}}
    keys = [key_of[r.name] for r in refs]
    mapped = [by_name.get(key) for key in keys]
    nodes = _nodes(refs, keys, mapped)
    sizes = [len(members) for members in nodes]
    similarity = concept_similarity([refs[members[0]].name for members in nodes], sizes)
    found: dict[int, ConceptAssignment] = {}
    for group in _clusters(_distances(refs, nodes, similarity, mapped), sizes, threshold):
        centrality = _centrality(group, nodes, similarity)
        anchors = {mapped[nodes[k][0]].concept_id: mapped[nodes[k][0]] for k in group if mapped[nodes[k][0]] is not None}
        if len(anchors) > 1:  # cannot happen: clusters never merge across a CANNOT_LINK pair
            raise RuntimeError(f"one cluster holds mapped concepts {sorted(anchors)}")
        if anchors:
            (anchor,) = anchors.values()
            concept_id, concept_name = anchor.concept_id, anchor.concept_name
        else:
            centre = refs[_medoid(group, nodes, refs, centrality)].name
            concept_id, concept_name = concept_id_of(centre), short_name(centre)
        lone = sum(sizes[k] for k in group) == 1
        for k in group:
            for i in nodes[k]:
                if mapped[i] is not None:
                    how, score = "mapping", 1.0
                else:
                    how, score = ("single", 1.0) if lone else ("cluster", round(centrality[k], 4))
                found[i] = ConceptAssignment(refs[i].document_id, refs[i].indicator_id, concept_id, concept_name, how, score)
    return [found[i] for i in range(len(refs))]


# --- Choosing the threshold --------------------------------------------------------------------


def read_pairs(path: Path = DEFAULT_PAIRS) -> list[AnnotatedPair]:
    """The annotated pairs (columns name_a, name_b, same (1/0), source, note)."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    pairs = []
    for row in rows:
        if row["same"].strip() not in ("0", "1"):
            raise ValueError(f"{path}: 'same' must be 0 or 1, not {row['same']!r}")
        pairs.append(AnnotatedPair(row["name_a"], row["name_b"], row["same"].strip() == "1",
                                   row.get("source", ""), row.get("note", "")))
    return pairs


def pair_distances(pairs: Sequence[AnnotatedPair]) -> numpy.ndarray:
    """The distance clustering would see between the names of each pair: 1 - `concept_similarity`
    (fitted on all the names of the pairs), CANNOT_LINK when `apart`."""
    names = sorted({n for p in pairs for n in (p.name_a, p.name_b)})
    index = {n: k for k, n in enumerate(names)}
    similarity = concept_similarity(names)
    return numpy.array([CANNOT_LINK if apart(p.name_a, p.name_b) else 1.0 - similarity[index[p.name_a], index[p.name_b]]
                        for p in pairs])


def _scores(distances: numpy.ndarray, same: numpy.ndarray, threshold: float) -> tuple[float, float, float]:
    """Precision, recall, F1 of "one concept" = distance below `threshold` (where two lone
    indicators merge: scikit-learn merges below distance_threshold)."""
    said = distances < threshold
    hits = int(numpy.sum(said & same))
    precision = hits / int(said.sum()) if said.any() else 0.0
    recall = hits / int(same.sum()) if same.any() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return precision, recall, f1


def _best_threshold(distances: numpy.ndarray, same: numpy.ndarray) -> float:
    """The cut with the best F1: candidates halfway between neighbouring distances, none above 1
    (a cosine distance never is; CANNOT_LINK pairs stay apart); on a tie the lowest (fewer merges)."""
    cuts = numpy.unique(numpy.round(distances[distances <= 1.0], 9))
    if not len(cuts):
        raise ValueError("no annotated pair is comparable (all are of different school levels)")
    candidates = [float(cuts[0]) / 2] + [float(a + b) / 2 for a, b in zip(cuts, cuts[1:])] + [1.0]
    best = max(candidates, key=lambda t: (_scores(distances, same, t)[2], -t))
    return round(best, THRESHOLD_DIGITS)


def choose_threshold(pairs: Sequence[AnnotatedPair]) -> ThresholdChoice:
    """The distance threshold maximizing F1 over the annotated pairs, its precision / recall / F1,
    and leave-one-pair-out figures (each pair judged by the threshold the others choose)."""
    distances = pair_distances(pairs)
    same = numpy.array([p.same for p in pairs], dtype=bool)
    threshold = _best_threshold(distances, same)
    precision, recall, f1 = _scores(distances, same, threshold)
    held_out = numpy.zeros(len(pairs), dtype=bool)
    for k in range(len(pairs)):
        rest = numpy.arange(len(pairs)) != k
        held_out[k] = distances[k] < _best_threshold(distances[rest], same[rest])
    hits = int(numpy.sum(held_out & same))
    loo_p = hits / int(held_out.sum()) if held_out.any() else 0.0
    loo_r = hits / int(same.sum()) if same.any() else 0.0
    loo_f1 = 2 * loo_p * loo_r / (loo_p + loo_r) if hits else 0.0
    return ThresholdChoice(threshold, round(precision, 4), round(recall, 4), round(f1, 4), len(pairs),
                           int(same.sum()), round(loo_p, 4), round(loo_r, 4), round(loo_f1, 4))


def metrics(pairs_path: Path = DEFAULT_PAIRS) -> dict:
    """What models/indicator_concepts.metrics.json holds: the choice on the pairs file, the
    features it was made with, and the pairs the chosen threshold gets wrong."""
    pairs = read_pairs(pairs_path)
    choice = choose_threshold(pairs)
    distances = pair_distances(pairs)
    wrong = [{"name_a": p.name_a, "name_b": p.name_b, "same": p.same, "distance": round(float(d), 4)}
             for p, d in zip(pairs, distances) if (d < choice.threshold) != p.same]
    p = params()
    return {"model": "indicator_concepts", "date": date(2026, 11, 23).isoformat(),
            "pairs_file": str(Path(pairs_path).relative_to(ROOT)) if Path(pairs_path).is_relative_to(ROOT) else str(pairs_path),
            **asdict(choice),
            "features": {"word_weight": p.word_weight, "char_ngrams": list(p.char_ngrams), "sublinear_tf": p.sublinear_tf},
            "errors": wrong}


if __name__ == "__main__":  # python -m pipeline.link.concepts [--write]
    report = metrics()
    text = json.dumps(report, ensure_ascii=False, indent=1) + "\n"
    if "--write" in sys.argv[1:]:
        METRICS.write_text(text, encoding="utf-8")
    print(text, end="")

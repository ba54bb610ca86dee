"""The citation graph of a corpus: which plan cites which document, and which cited documents are
plans of the corpus themselves.

Extraction gives each plan its citations, one `ref` per cited document (extractors/citations.py);
here they become edges "plan P cites R", one per (P, ref), and nodes, one per ref across the corpus.
A cited document that is a plan of the corpus is linked to it — *exact* when the numbers agree,
*probable* when the plan's own number is blank (published plans often print "Số: /KH-SGDĐT") and
its symbol, type, date, issuer and place agree. Every link carries the reasons it was made;
anything that contradicts the citation (another date or issuer, a place the citing plan never
names, a plan that itself cites documents issued after the cited date) rules a candidate out,
however much else agrees. Weights and thresholds are data (rules/links.yaml).

On top of the links: the parent of a plan (the corpus plan it implements) and its `chain` up to
the national documents (Bộ Chính trị, Chính phủ, Thủ tướng, a Bộ …) cited along the way.

As eyecite separates finding from resolving, extraction finds citations and this module only
resolves them against the corpus; the matcher is a keyword argument (`match_plan=`) with a default.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import regex

from ..extractors.citations import fold, lexicon, merge_by_ref, parse_symbol
from ..extractors.units import canonical
from ..extractors.units import key as unit_key
from ..model import Document
from ..rules import load as load_rules
from ..rules import phrase_alternation

RULES = "links.yaml"

#: The number in front of a symbol ("1449/" of "1449/KH-SGDĐT", "57-" of "57-NQ/TW").
_LEADING_NUMBER = regex.compile(r"^\d*\s*[/\-]?")
#: Parts of a rendered symbol: numbers, years and codes.
_SYMBOL_PART = regex.compile(r"[^/\-\s]+")
_YEAR = regex.compile(r"(?:19|20)\d{2}")


# --- Rules -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkRules:
    """rules/links.yaml, compiled once (`link_rules()`); pass another instance to try other weights."""

    threshold: float
    weights: dict[str, float]
    date_weights: dict[str, float]
    exact_score: float
    parent_types: frozenset[str]
    preferred_sections: tuple[str, ...]
    level_rank: dict[str, int]
    implements_sections: frozenset[str]
    national_organs: regex.Pattern
    national_issuers: regex.Pattern
    place_tail: regex.Pattern  # a place at the end of a body's name: "tỉnh Quảng Ninh", "Thành ủy Hải Phòng"
    party_levels: dict[str, str]


@lru_cache(maxsize=1)
def link_rules() -> LinkRules:
    rules = load_rules(RULES)
    probable, parent, national = rules["probable"], rules["parent"], rules["national"]
    party = {e["word"]: e["level"] for e in rules["party_place_words"]}
    return LinkRules(
        threshold=probable["threshold"],
        weights=probable["weights"],
        date_weights=probable["date_weights"],
        exact_score=rules["exact_score"],
        parent_types=frozenset(parent["doc_types"]),
        preferred_sections=tuple(parent["preferred_sections"]),
        level_rank=parent["level_rank"],
        implements_sections=frozenset(rules["implements_sections"]),
        national_organs=regex.compile(national["organs"]),
        national_issuers=regex.compile(rf"^(?:{'|'.join(national['issuers'])})"),
        place_tail=_place_tail(party),
        party_levels=party,
    )


def _place_tail(party: dict[str, str]) -> regex.Pattern:
    """A level word (places.yaml) or a party body's word, then an optional capitalized place name, at the end."""
    levels = [e["word"] for e in load_rules("places.yaml")["levels"] if e["word"][-1].isalpha()]
    name = r"\p{Lu}\p{L}*(?:\s+\p{Lu}\p{L}*){0,3}"
    return regex.compile(rf"(?:^|\s+)(?:(?P<party>{phrase_alternation(party)})|(?i:(?P<level>{phrase_alternation(levels)})))"
                         rf"(?:\s+(?P<place>{name}))?$")


# --- Numbers, issuers, dates -------------------------------------------------------------------


@lru_cache(maxsize=65536)
def ref_of(number: str) -> str:
    """The ref a citation of `number` gets (extractors/citations.py): normalized, folded, upper case."""
    return fold(parse_symbol(number).rendered).upper()


@lru_cache(maxsize=65536)
def symbol_key(symbol: str) -> str:
    """A symbol without its number, comparable: "1449/KH-SGDĐT" and "KH-SGDDT" both give "KH-SGDDT"."""
    rendered = parse_symbol(symbol if regex.match(r"\d|/", symbol) else "/" + symbol).rendered
    return regex.sub(r"[/\-]", "-", fold(_LEADING_NUMBER.sub("", rendered)).upper()).strip("-")


def organ_of(number: str) -> str | None:
    """The organ code of a number: "TW" of 57-NQ/TW, "CP" of 71/NQ-CP, "BGDDT" of 5835/BGDDT-KHCNTT."""
    parts = [p for p in _SYMBOL_PART.findall(parse_symbol(number).rendered) if not p.isdigit() and not _YEAR.fullmatch(p)]
    if parts and parts[0] in lexicon().symbol_types and len(parts) > 1:
        parts = parts[1:]
    return parts[0] if parts else None


def is_national(number: str | None, issuer: str | None, rules: LinkRules | None = None) -> bool:
    """Is the document one of the centre (Party, National Assembly, Government, Prime Minister, a
    ministry)? The organ code of its number decides; without a number, the issuer's name."""
    rules = rules or link_rules()
    organ = organ_of(number) if number else None
    if organ is not None:
        return bool(rules.national_organs.match(fold(organ).upper()))
    return bool(issuer) and bool(rules.national_issuers.match(canonical(issuer)[0]))


@dataclass(frozen=True)
class IssuerName:
    """An issuer's name split into the body and the place it names: "Sở Giáo dục và Đào tạo tỉnh
    Quảng Ninh" -> ("Sở Giáo dục và Đào tạo", "tỉnh", "Quảng Ninh"); abbreviations spelled out."""

    body: str
    level: str | None
    place: str | None

    @property
    def body_key(self) -> str:
        return unit_key(self.body)


def issuer_name(issuer: str, known_place: str | None = None, rules: LinkRules | None = None) -> IssuerName:
    """Split `issuer`; a place written without a level word ("Sở GDĐT Hải Phòng") is recognised
    when it is `known_place` (the locality of the plan it is compared with)."""
    rules = rules or link_rules()
    name = canonical(issuer)[0]
    m = rules.place_tail.search(name)
    if m and m.group("party"):  # the party word is part of the body: "Ban Thường vụ Thành ủy"
        return IssuerName(name[:m.end("party")].strip(), rules.party_levels[m.group("party")], m.group("place"))
    if m:
        return IssuerName(name[:m.start()].strip(), m.group("level").lower(), m.group("place"))
    if known_place and fold(name).lower().endswith(" " + fold(known_place).lower()):
        return IssuerName(name[: -len(known_place)].strip(), None, known_place)
    return IssuerName(name, None, None)


def _date_parts(iso: str) -> tuple[int, ...]:
    return tuple(int(p) for p in iso.split("-"))


_PRECISION = ("year", "month", "day")


def date_agreement(a: str, b: str) -> str | None:
    """The precision two partial ISO dates agree to ("day", "month", "year"), None when they differ."""
    pa, pb = _date_parts(a), _date_parts(b)
    n = min(len(pa), len(pb))
    return _PRECISION[n - 1] if pa[:n] == pb[:n] else None


def surely_before(a: str, b: str) -> bool:
    """Is every day `a` may mean before every day `b` may mean ("2025-03-14" before "2025-04")?"""
    pa, pb = _date_parts(a), _date_parts(b)
    n = min(len(pa), len(pb))
    return pa[:n] < pb[:n]


# --- Graph objects -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CitedDocument:
    """A node: one cited document (key = its ref), facts merged over every plan citing it; or a
    corpus plan (kind "plan", ref = the plan's document id)."""

    ref: str
    doc_type: str | None
    number: str | None
    issued_date: str | None
    issuer: str | None
    title: str | None
    national: bool
    kind: str = "cited"  # cited | plan


@dataclass(frozen=True)
class CitationEdge:
    """Plan `citing_document` cites `ref` (`mentions` times); `linked_document` is the corpus plan
    it is, when one is, with how (`match`), how sure (`score`) and why (`reasons`; on an unlinked
    edge, why two candidates that match alike were both left). The facts are
    this plan's (its mentions merged); `sections` the kinds of section it is cited in."""

    citing_document: str
    ref: str
    mentions: int
    linked_document: str | None
    match: str | None  # "exact" | "probable" | None
    score: float | None
    reasons: tuple[str, ...]
    doc_type: str | None = None
    number: str | None = None
    issued_date: str | None = None
    issuer: str | None = None
    title: str | None = None
    sections: tuple[str, ...] = ()  # title | preamble | body | appendix | footnote …, in order of first mention


@dataclass(frozen=True)
class Candidate:
    """One corpus plan weighed as the document a citation names. `match` is None when it is ruled
    out (`contradictions` say why) or scores under the threshold."""

    document: str
    match: str | None
    score: float
    reasons: tuple[str, ...]
    contradictions: tuple[str, ...]


@dataclass(frozen=True)
class ParentLink:
    """`document` implements `parent` (a corpus plan), which it cites as `ref`. (`kehoach compare
    --parent` makes one with match "given", no ref and no score: the user named the parent.)"""

    document: str
    parent: str
    ref: str | None
    match: str  # exact | probable | given
    score: float | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ChainStep:
    """One step of a plan's ancestry. kind "plan": the plan itself (depth 0); "parent": a corpus
    plan up the chain, reached from `cited_by` through its citation `ref`; "national": a national
    document `cited_by` a plan of the chain cites in its title or preamble (`cited` its facts)."""

    kind: str
    depth: int
    document: str | None
    ref: str | None
    cited_by: str | None
    match: str | None = None
    score: float | None = None
    reasons: tuple[str, ...] = ()
    cited: CitedDocument | None = None


# --- Edges and nodes ---------------------------------------------------------------------------


def plan_edges(doc: Document) -> list[CitationEdge]:
    """One unlinked edge per document `doc` cites, in order of first mention."""
    kinds = {s.id: s.kind for s in doc.sections}
    counts = Counter(c.ref for c in doc.citations)
    where: dict[str, list[str]] = {}
    for c in doc.citations:
        kind = "footnote" if c.footnote else kinds.get(c.section, "unknown")
        where.setdefault(c.ref, [])
        if kind not in where[c.ref]:
            where[c.ref].append(kind)
    return [CitationEdge(doc.document.id, ref, counts[ref], None, None, None, (), c.doc_type, c.number, c.issued_date,
                         c.issuer, c.title, tuple(where[ref]))
            for ref, c in merge_by_ref(doc.citations).items()]


def _nodes(edges: Iterable[CitationEdge], docs: Sequence[Document], rules: LinkRules) -> list[CitedDocument]:
    """One node per ref, each fact from the first plan stating it; then one node per corpus plan."""
    facts: dict[str, dict[str, str | None]] = {}
    for e in edges:
        merged = facts.setdefault(e.ref, {})
        for field in ("doc_type", "number", "issued_date", "issuer", "title"):
            if merged.get(field) is None:
                merged[field] = getattr(e, field)
    nodes = [CitedDocument(ref, f["doc_type"], f["number"], f["issued_date"], f["issuer"], f["title"],
                           is_national(f["number"], f["issuer"], rules)) for ref, f in facts.items()]
    for d in docs:
        i = d.document
        nodes.append(CitedDocument(i.id, i.doc_type, i.number, i.issued_date, i.issuer, i.title,
                                   is_national(i.number, i.issuer, rules), kind="plan"))
    return nodes


# --- Matching a citation to a corpus plan ------------------------------------------------------


class _Verdict:
    """Reasons, contradictions and the score, gathered fact by fact."""

    def __init__(self) -> None:
        self.reasons: list[str] = []
        self.contradictions: list[str] = []
        self.score = 0.0

    def agree(self, reason: str, weight: float = 0.0) -> None:
        self.reasons.append(reason)
        self.score += weight

    def contradict(self, why: str) -> None:
        self.contradictions.append(why)


def match_plan(edge: CitationEdge, citing: Document, plan: Document, rules: LinkRules | None = None) -> Candidate | None:
    """Weigh `plan` as the document `edge` cites; None when it is no candidate at all (no number
    cited, or another symbol)."""
    rules = rules or link_rules()
    info = plan.document
    if not edge.number or not info.symbol or symbol_key(edge.number) != symbol_key(info.symbol):
        return None
    v, w = _Verdict(), rules.weights
    if info.number is None:
        v.agree("number blank in the cited plan")
        v.agree(f"symbol {info.symbol} agrees", w["symbol"])
    elif ref_of(info.number) == ref_of(edge.number):
        v.agree(f"number {edge.number} agrees")
    else:
        v.contradict(f"number {edge.number} is not the plan's {info.number}")
    _doc_type(v, edge, plan, w)
    _date(v, edge, plan, rules)
    place = _issuer(v, edge, plan, rules)
    _locality(v, place, citing, plan, w)
    _chronology(v, edge, citing, plan)
    exact = info.number is not None and not v.contradictions
    score = rules.exact_score if exact else round(v.score, 4)
    match = None if v.contradictions else "exact" if exact else "probable" if score >= rules.threshold else None
    return Candidate(info.id, match, score, tuple(v.reasons), tuple(v.contradictions))


def _doc_type(v: _Verdict, edge: CitationEdge, plan: Document, w: dict[str, float]) -> None:
    """"Kế hoạch hành động" is a kind of "Kế hoạch": one type name opening the other agrees."""
    a, b = edge.doc_type, plan.document.doc_type
    if not a or not b:
        return
    fa, fb = fold(a).lower(), fold(b).lower()
    if fa.startswith(fb) or fb.startswith(fa):
        v.agree(f"doc type {b} agrees", w["doc_type"])
    else:
        v.contradict(f"doc type {a} is not {b}")


def _date(v: _Verdict, edge: CitationEdge, plan: Document, rules: LinkRules) -> None:
    a, b = edge.issued_date, plan.document.issued_date
    if not a or not b:
        return
    precision = date_agreement(a, b)
    if precision is None:
        v.contradict(f"date {a} is not the plan's {b}")
    elif a == b:
        v.agree(f"date {a} agrees", rules.date_weights[precision])
    else:
        v.agree(f"date {a} agrees with {b} ({precision})", rules.date_weights[precision])


def _issuer(v: _Verdict, edge: CitationEdge, plan: Document, rules: LinkRules) -> str | None:
    """Compare the bodies ("Sở GDĐT" = "Sở Giáo dục và Đào tạo") and levels; return the place the
    citation names, if any, for `_locality`."""
    info = plan.document
    if not edge.issuer or not info.issuer:
        return None
    known = info.locality.name if info.locality else None
    cited, own = issuer_name(edge.issuer, known, rules), issuer_name(info.issuer, known, rules)
    if cited.body_key != own.body_key:
        v.contradict(f"issuer {cited.body} is not {own.body}")
    elif cited.level and own.level and cited.level != own.level:
        v.contradict(f"issuer level {cited.level} is not {own.level}")
    else:
        v.agree("issuer agrees", rules.weights["issuer"])
    return cited.place


def _locality(v: _Verdict, place: str | None, citing: Document, plan: Document, w: dict[str, float]) -> None:
    """The place the citation names must be the plan's; a citation naming none means a body of the
    citing plan's own area, so the plan's place must at least be named somewhere in the citing plan."""
    locality = plan.document.locality
    if locality is None:
        return
    if place is not None:
        if fold(place).lower() == fold(locality.name).lower():
            v.agree(f"locality {locality.name} agrees", w["locality"])
        else:
            v.contradict(f"locality {place} is not {locality.name}")
    elif fold(locality.name).lower() in _folded(citing.text):
        v.agree(f"locality {locality.name} is named in the citing plan", w["locality"])
    else:
        v.contradict(f"locality {locality.name} is not named in the citing plan")


@lru_cache(maxsize=16)
def _folded(text: str) -> str:
    """A plan's text folded for place lookups, once per text rather than once per candidate."""
    return fold(text).lower()


def _chronology(v: _Verdict, edge: CitationEdge, citing: Document, plan: Document) -> None:
    """A plan is issued after what it cites: it cannot be cited by an earlier plan, nor be a
    document dated before one it cites itself."""
    mine, theirs = citing.document.issued_date, plan.document.issued_date
    if mine and theirs and surely_before(mine, theirs):
        v.contradict(f"the plan ({theirs}) is dated after the citing plan ({mine})")
    if edge.issued_date:
        later = [c for c in plan.citations if c.issued_date and surely_before(edge.issued_date, c.issued_date)]
        if later:
            last = max(later, key=lambda c: _date_parts(c.issued_date))
            v.contradict(f"the plan cites {last.number or last.ref} of {last.issued_date}, after {edge.issued_date}")


Matcher = Callable[[CitationEdge, Document, Document, LinkRules], "Candidate | None"]


def link_candidates(edge: CitationEdge, citing: Document, docs: Sequence[Document], rules: LinkRules | None = None,
                    match: Matcher = match_plan) -> list[Candidate]:
    """Every other corpus plan weighed as the document `edge` cites, best first (linked ones first)."""
    rules = rules or link_rules()
    found = [c for d in docs if d.document.id != citing.document.id
             for c in [match(edge, citing, d, rules)] if c is not None]
    return sorted(found, key=lambda c: (c.match is None, c.match != "exact", -c.score))


def _link(edge: CitationEdge, candidates: list[Candidate]) -> CitationEdge:
    """The edge linked to its best candidate; two best candidates alike link neither."""
    linked = [c for c in candidates if c.match is not None]
    if not linked:
        return edge
    best = linked[0]
    if len(linked) > 1 and (linked[1].match, linked[1].score) == (best.match, best.score):
        alike = ", ".join(c.document for c in linked if (c.match, c.score) == (best.match, best.score))
        return replace(edge, reasons=(f"not linked: {alike} match alike ({best.match}, {best.score})",))
    return replace(edge, linked_document=best.document, match=best.match, score=best.score, reasons=best.reasons)


def citation_graph(docs: Sequence[Document], rules: LinkRules | None = None,
                   match: Matcher = match_plan) -> tuple[list[CitedDocument], list[CitationEdge]]:
    """(nodes, edges) of the corpus `docs`: one edge per (citing plan, ref), linked to the corpus
    plan it names when one is found."""
    rules = rules or link_rules()
    by_symbol: dict[str, list[Document]] = {}  # a citation can only be a plan of its own symbol
    for doc in docs:
        if doc.document.symbol:
            by_symbol.setdefault(symbol_key(doc.document.symbol), []).append(doc)
    edges = []
    for doc in docs:
        for edge in plan_edges(doc):
            same_symbol = by_symbol.get(symbol_key(edge.number), []) if edge.number else []
            year = (edge.issued_date or "")[:4]  # a dated citation is a plan of that year (or of none known)
            possible = [d for d in same_symbol if not year or not d.document.issued_date
                        or d.document.issued_date[:4] == year]
            edges.append(_link(edge, link_candidates(edge, doc, possible, rules, match)))
    return _nodes(edges, docs, rules), edges


# --- Parents and chains ------------------------------------------------------------------------


def level_allows(child_level: str | None, parent_level: str | None, rules: LinkRules | None = None) -> bool:
    """May a plan of `child_level` implement one of `parent_level`: the same or a higher level of
    administration (rules/links.yaml `level_rank`)? Unknown levels do not object."""
    rules = rules or link_rules()
    ra, rb = rules.level_rank.get(child_level or ""), rules.level_rank.get(parent_level or "")
    return ra is None or rb is None or rb <= ra


def _level_reason(child: Document, parent: Document, rules: LinkRules) -> str | None:
    a, b = child.document.locality, parent.document.locality
    if not a or not b or a.level not in rules.level_rank or b.level not in rules.level_rank:
        return None
    return f"level {b.level} {'above' if rules.level_rank[b.level] < rules.level_rank[a.level] else 'same as'} {a.level}"


def _parent_of(doc: Document, edges: list[CitationEdge], by_id: dict[str, Document], rules: LinkRules) -> ParentLink | None:
    options = []
    for e in edges:
        if e.citing_document != doc.document.id or e.linked_document is None:
            continue
        parent = by_id[e.linked_document]
        a, b = doc.document.locality, parent.document.locality
        if not level_allows(a and a.level, b and b.level, rules) or parent.document.doc_type not in rules.parent_types:
            continue
        level = _level_reason(doc, parent, rules)
        cited_in = next((s for s in e.sections if s in rules.preferred_sections), None)
        extra = ((f"cited in the {cited_in}",) if cited_in else ()) + ((level,) if level else ())
        rank = (cited_in is not None, e.match == "exact", e.score or 0.0, e.mentions)
        options.append((rank, ParentLink(doc.document.id, parent.document.id, e.ref, e.match, e.score, e.reasons + extra)))
    return max(options, key=lambda o: o[0])[1] if options else None


def parent_links(docs: Sequence[Document], rules: LinkRules | None = None,
                 graph: tuple[list[CitedDocument], list[CitationEdge]] | None = None) -> list[ParentLink]:
    """The parent of each plan that has one in the corpus: the best linked plan it implements."""
    rules = rules or link_rules()
    _, edges = graph or citation_graph(docs, rules)
    by_id = {d.document.id: d for d in docs}
    return [p for d in docs for p in [_parent_of(d, edges, by_id, rules)] if p is not None]


def chain(document_id: str, docs: Sequence[Document], rules: LinkRules | None = None) -> list[ChainStep]:
    """A plan's ancestry: the plan, its parents up the corpus (each step says through which
    citation and why), then the national documents the plans of the chain cite in their title or
    preamble, in order of the chain and of first mention, each once."""
    rules = rules or link_rules()
    nodes, edges = citation_graph(docs, rules)
    parents = {p.document: p for p in parent_links(docs, rules, (nodes, edges))}
    steps = [ChainStep("plan", 0, document_id, None, None)]
    current = document_id
    while current in parents and parents[current].parent not in {s.document for s in steps}:
        p = parents[current]
        steps.append(ChainStep("parent", len(steps), p.parent, p.ref, current, p.match, p.score, p.reasons))
        current = p.parent
    national = {n.ref: n for n in nodes if n.national and n.kind == "cited"}
    seen: set[str] = set()
    for step in list(steps):
        for e in edges:
            if (e.citing_document == step.document and e.ref in national and e.ref not in seen
                    and rules.implements_sections.intersection(e.sections)):
                seen.add(e.ref)
                steps.append(ChainStep("national", step.depth + 1, None, e.ref, step.document, cited=national[e.ref]))
    return steps

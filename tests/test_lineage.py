"""Cross-document links (pipeline/link/graph.py) and lineage (pipeline/link/lineage.py).

Three kinds of check: the rule file's own examples (rules/links.yaml); the seeds' real citation
facts, verified by reading them (003 cites Kế hoạch 1449/KH-SGDĐT of 14/3/2025 of the Sở GDĐT;
000 cites 48/KH-UBND and 637/KH-UBND; no seed cites another seed, so no seed has a parent); and
a derived plan written here, in the seeds' text shape, that implements seed 004: linked *exact*
to 004 with its blank number filled in, *probable* to 004 as published, and compared target by
target and task by task with it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import regex

from pipeline.extract import extract_document
from pipeline.extractors.indicators import similarity
from pipeline.link.graph import (
    CitationEdge,
    IssuerName,
    chain,
    citation_graph,
    is_national,
    issuer_name,
    level_allows,
    link_candidates,
    link_rules,
    match_plan,
    parent_links,
    plan_edges,
)
from pipeline.link.lineage import compare_lineage, compare_targets, lineage_rules
from pipeline.model import Target
from pipeline.rules import load

from .conftest import SEEDS

RULES = load("links.yaml")
PARENT_NUMBER = "1268/KH-SGDĐT"

# A plan of a district's education office implementing seed 004 (Sở GDĐT Quảng Ninh), in the shape
# the seeds have as text: header block, "Số:" and place/date lines, title, preamble, numbered
# sections, closing, and two appendices with tab-delimited tables (as seed 000 prints them).
# Against 004 it copies three indicators (two reworded), raises one (50% -> 70%), lowers one
# (tối thiểu 50% -> ≥40%), drops the other nineteen, adds a new indicator and a 2025 milestone;
# it keeps four of 004's tasks, two of them under another lead unit, and adds one.
# The plan text lives in tests/data/ so the notebook can use it too ({number}: the parent's number).
DERIVED = (Path(__file__).parent / "data" / "derived_plan_004.txt").read_text(encoding="utf-8")

# Seed 004's indicators (prose statements, all for 2030) the derived plan leaves out: 19 indicators,
# 21 targets (s20-4 and s25-9 state two each).
DROPPED = {"s13-1", "s16-1", "s16-2", "s20-2", "s20-3", "s20-4", "s25-2", "s25-4", "s25-6", "s25-7", "s25-8",
           "s25-9", "s31-1", "s31-2", "s31-3", "s31-4", "s31-5", "s35-1", "s35-2"}

PROBABLE_REASONS = ("number blank in the cited plan", "symbol KH-SGDĐT agrees", "doc type Kế hoạch agrees",
                    "date 2025-04-15 agrees with 2025-04 (month)", "issuer agrees", "locality Quảng Ninh agrees")


@pytest.fixture(scope="module")
def derived(tmp_path_factory):
    """(derived plan, seed 004 with its blank number filled in), both read by the real pipeline."""
    child_path, parent_path = write_lineage_pair(tmp_path_factory.mktemp("lineage"))
    return extract_document(child_path), extract_document(parent_path)


def write_lineage_pair(folder: Path) -> tuple[Path, Path]:
    """(derived.txt, 004_numbered.txt) in `folder`: the derived plan, and seed 004 with its blank
    number filled in as PARENT_NUMBER."""
    source = SEEDS["004"].read_text(encoding="utf-8")
    # 004 prints no header: its number is left blank in the appendix caption, "Kế hoạch số      /KH-SGDĐT"
    filled, count = regex.subn(r"Kế hoạch số\s+/KH-SGDĐT", f"Kế hoạch số {PARENT_NUMBER}", source)
    assert count == 1
    parent_path, child_path = folder / "004_numbered.txt", folder / "derived.txt"
    parent_path.write_text(filled, encoding="utf-8")
    child_path.write_text(DERIVED.format(number=PARENT_NUMBER), encoding="utf-8")
    return child_path, parent_path


def _edge(edges: list[CitationEdge], citing: str, ref: str) -> CitationEdge:
    return next(e for e in edges if e.citing_document == citing and e.ref == ref)


# --- Rule file examples ------------------------------------------------------------------------


@pytest.mark.parametrize("number", list(RULES["national"]["examples"]))
def test_national_numbers(number):
    assert is_national(number, None)


@pytest.mark.parametrize("number", RULES["national"]["counter_examples"])
def test_local_numbers(number):
    # a local organ code wins over a national-looking issuer
    assert not is_national(number, "Chính phủ")


@pytest.mark.parametrize("issuer, national", list(RULES["national"]["issuer_examples"].items()))
def test_national_issuers(issuer, national):
    assert is_national(None, issuer) is national


@pytest.mark.parametrize("entry", RULES["party_place_words"], ids=lambda e: e["id"])
def test_party_place_words(entry):
    for text, place in entry["examples"].items():
        name = issuer_name(text)
        assert (name.place, name.level) == (place, entry["level"])
        assert name.body.endswith(entry["word"])


@pytest.mark.parametrize("issuer, body, level, place", [
    ("Sở GDĐT", "Sở Giáo dục và Đào tạo", None, None),
    ("Sở Giáo dục và Đào tạo tỉnh Quảng Ninh", "Sở Giáo dục và Đào tạo", "tỉnh", "Quảng Ninh"),
    ("UBND tỉnh", "Ủy ban nhân dân", "tỉnh", None),
    ("Ủy ban nhân dân (UBND) thành phố Hải Phòng", "Ủy ban nhân dân", "thành phố", "Hải Phòng"),
    ("UBND huyện Bình Liêu", "Ủy ban nhân dân", "huyện", "Bình Liêu"),  # another locality's form
])
def test_issuer_names(issuer, body, level, place):
    assert issuer_name(issuer) == IssuerName(body, level, place)


def test_place_without_level_word_is_known_from_the_plan():
    assert issuer_name("Sở Giáo dục và Đào tạo Hải Phòng", "Hải Phòng").place == "Hải Phòng"
    assert issuer_name("Sở Giáo dục và Đào tạo Hải Phòng").place is None


@pytest.mark.parametrize("example", RULES["parent"]["examples"], ids=str)
def test_parent_levels(example):
    assert level_allows(example["child"], example["parent"]) is example["allowed"]


def test_probable_weights():
    weights = {**RULES["probable"]["weights"], **{f"date_{k}": v for k, v in RULES["probable"]["date_weights"].items()}}
    assert sum(RULES["probable"]["weights"].values()) + max(RULES["probable"]["date_weights"].values()) == pytest.approx(1)
    for example in RULES["probable"]["examples"]:
        score = sum(weights[f] for f in example["facts"])
        assert score == pytest.approx(example["score"])
        assert (score >= link_rules().threshold) is (example["match"] == "probable")


@pytest.mark.parametrize("example", RULES["lineage"]["examples"], ids=str)
def test_lineage_similarity_examples(example):
    assert (similarity(example["parent"], example["child"]) >= lineage_rules().indicator_threshold) is example["same"]


@pytest.mark.parametrize("example", RULES["target_ops"]["examples"], ids=str)
def test_target_op_examples(example):
    (pop, pval), (cop, cval) = example["parent"], example["child"]
    parent, child = Target(2030, pop, pval, f"{pval}%"), Target(2030, cop, cval, f"{cval}%")
    assert compare_targets(parent, child) == example["kind"]


# --- Raised / lowered, qualitative targets -----------------------------------------------------


@pytest.mark.parametrize("parent, child, kind", [
    ((None, 95.0), (None, 98.0), "raised"),
    ((">=", 80.0), (None, 80.0), "adopted"),  # "≥80%" and "80%" are both a level to reach
    ((">", 90.0), (">=", 90.0), "lowered"),  # inclusive asks less than strict at equal value
    (("<", 2.0), ("<=", 2.0), "lowered"),
    (("<=", 5.0), ("<", 5.0), "raised"),
    (("<=", 3.0), ("<=", 3.0), "adopted"),
    (("<", 3.0), (">=", 3.0), "changed"),
    ((">=", 95.0), (">=", 90.0), "lowered"),
])
def test_raised_lowered(parent, child, kind):
    assert compare_targets(Target(2030, *parent, "x"), Target(2030, *child, "y")) == kind


@pytest.mark.parametrize("parent, child, kind", [
    ("Duy trì, nâng cao", "Duy trì,  nâng cao", "adopted"),
    ("Thí điểm", "thí điểm", "adopted"),
    ("Duy trì", "Duy trì, nâng cao", "changed"),
])
def test_qualitative_targets(parent, child, kind):
    assert compare_targets(Target(2045, None, None, parent), Target(2045, None, None, child)) == kind


def test_number_against_qualitative_target_is_changed():
    assert compare_targets(Target(2045, None, None, "Duy trì"), Target(2045, ">=", 95.0, "≥95%")) == "changed"
    assert compare_targets(Target(2045, None, 100.0, "100%"), Target(2045, None, None, "Duy trì")) == "changed"


# --- Seeds -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_graph(seed_docs):
    docs = list(seed_docs.values())
    return docs, citation_graph(docs)


def test_seed_003_cites_the_departments_plan(seed_docs, seed_graph):
    _, (nodes, edges) = seed_graph
    e = _edge(edges, seed_docs["003"].document.id, "1449/KH-SGDDT")
    assert (e.doc_type, e.number, e.issued_date, e.issuer) == ("Kế hoạch", "1449/KH-SGDĐT", "2025-03-14",
                                                               "Sở Giáo dục và Đào tạo")
    assert e.mentions == 3 and e.sections == ("preamble", "body")
    assert e.linked_document is None and e.match is None
    node = next(n for n in nodes if n.ref == "1449/KH-SGDDT")
    assert not node.national


def test_seed_003_candidates_are_ruled_out(seed_docs):
    """The three KH-SGDĐT plans of the corpus are weighed as 1449/KH-SGDĐT and each is ruled out."""
    docs, citing = list(seed_docs.values()), seed_docs["003"]
    edge = next(e for e in plan_edges(citing) if e.ref == "1449/KH-SGDDT")
    found = {c.document: c for c in link_candidates(edge, citing, docs)}
    ids = {k: d.document.id for k, d in seed_docs.items()}
    assert set(found) == {ids["001"], ids["002"], ids["004"]}
    assert all(c.match is None for c in found.values())
    # Ninh Bình's plan: the year agrees, but Ninh Bình is never named in the Cát Hải plan, and the
    # plan cites Kế hoạch 67/KH-UBND of 12/9/2025, so it cannot be a plan of 14/3/2025
    ninh_binh = found[ids["001"]]
    assert "date 2025-03-14 agrees with 2025 (year)" in ninh_binh.reasons
    assert set(ninh_binh.contradictions) == {"locality Ninh Bình is not named in the citing plan",
                                             "the plan cites 67/KH-UBND of 2025-09-12, after 2025-03-14"}
    assert "date 2025-03-14 is not the plan's 2026-01" in found[ids["002"]].contradictions
    assert "locality Hải Phòng is named in the citing plan" in found[ids["002"]].reasons
    assert "date 2025-03-14 is not the plan's 2025-04" in found[ids["004"]].contradictions


def test_seed_000_cites_city_and_department_plans(seed_docs, seed_graph):
    _, (_, edges) = seed_graph
    citing = seed_docs["000"].document.id
    city = _edge(edges, citing, "48/KH-UBND")
    assert (city.number, city.issued_date, city.issuer, city.mentions) == ("48/KH-UBND", None, "Ủy ban nhân dân thành phố", 6)
    department = _edge(edges, citing, "637/KH-UBND")
    assert (department.number, department.issued_date, department.issuer) == ("637/KH-UBND", "2026-02-04",
                                                                              "Sở Giáo dục và Đào tạo")
    assert department.sections == ("preamble",)
    assert city.linked_document is None and department.linked_document is None


def test_seed_national_nodes(seed_graph):
    _, (nodes, _) = seed_graph
    national = {n.ref for n in nodes if n.national}
    assert national == {"57-NQ/TW", "71/NQ-CP", "11/NQ-CP", "03/NQ-CP", "52-NQ/TW", "06/QD-TTG", "131/QD-TTG",
                        "04/CT-TTG", "80/QD-TTG", "02/2025/TT-BGDDT", "5835/BGDDT-KHCNTT", "7802/BGDDT-GDPT"}
    local = {n.ref for n in nodes if not n.national and n.kind == "cited" and regex.match(r"\d", n.ref)}
    assert {"48/KH-UBND", "637/KH-UBND", "1449/KH-SGDDT", "46-CTR/TU", "89-CTR/TU", "12-KH/TU", "28/KH-UBND",
            "37-KH/DU", "13787/VP-VX", "5264/QD-UBND"} <= local
    assert all(not n.national for n in nodes if n.kind == "plan")


def test_no_seed_links_to_another(seed_graph):
    docs, graph = seed_graph
    _, edges = graph
    assert [e for e in edges if e.linked_document is not None] == []
    assert parent_links(docs, graph=graph) == []


@pytest.mark.parametrize("key, national", [
    ("000", ["57-NQ/TW", "11/NQ-CP", "71/NQ-CP"]),
    ("003", ["57-NQ/TW", "03/NQ-CP"]),
    ("004", ["03/NQ-CP", "57-NQ/TW"]),  # 52-NQ/TW is cited in the body only: not what 004 implements
])
def test_seed_chains_end_in_national_documents(seed_docs, key, national):
    docs, plan = list(seed_docs.values()), seed_docs[key].document.id
    steps = chain(plan, docs)
    assert [(s.kind, s.document) for s in steps[:1]] == [("plan", plan)]
    assert [(s.kind, s.ref, s.cited_by, s.depth) for s in steps[1:]] == [("national", r, plan, 1) for r in national]


# --- The derived plan --------------------------------------------------------------------------


def test_derived_plan_reads_as_written(derived):
    child, parent = derived
    assert (child.document.number, child.document.issued_date, child.document.locality.name) == (
        "15/KH-PGDĐT", "2025-05-20", "Tiên Yên")
    assert (parent.document.number, parent.document.issued_date) == (PARENT_NUMBER, "2025-04")
    assert [i.id for i in child.indicators] == [f"t1-r{n}" for n in range(1, 7)]
    assert [t.id for t in child.tasks] == ["1", "2", "3", "4", "5"]


def test_exact_link_to_numbered_parent(derived):
    child, parent = derived
    _, edges = citation_graph([child, parent])
    e = _edge(edges, child.document.id, "1268/KH-SGDDT")
    assert (e.linked_document, e.match, e.score) == (parent.document.id, "exact", 1.0)
    assert e.reasons == ("number 1268/KH-SGDĐT agrees", "doc type Kế hoạch agrees",
                         "date 2025-04-15 agrees with 2025-04 (month)", "issuer agrees", "locality Quảng Ninh agrees")
    assert e.sections == ("title", "preamble", "body") and e.mentions == 3


def test_probable_link_to_published_parent(derived, seed_docs):
    """Seed 004 as published has no number: the same citation links it on its other facts."""
    child, _ = derived
    seed = seed_docs["004"]
    _, edges = citation_graph([child, seed])
    e = _edge(edges, child.document.id, "1268/KH-SGDDT")
    assert (e.linked_document, e.match, e.score) == (seed.document.id, "probable", 0.9)
    assert e.reasons == PROBABLE_REASONS


def test_probable_match_with_contradicting_date(derived, seed_docs):
    child, _ = derived
    seed = seed_docs["004"]
    edge = next(e for e in plan_edges(child) if e.ref == "1268/KH-SGDDT")
    wrong_date = match_plan(replace(edge, issued_date="2025-03-14"), child, seed)
    assert wrong_date.match is None
    assert wrong_date.contradictions == ("date 2025-03-14 is not the plan's 2025-04",)
    assert wrong_date.reasons == tuple(r for r in PROBABLE_REASONS if not r.startswith("date"))
    # no date and no issuer: symbol, type and the place named in the citing plan stay under the threshold
    bare = match_plan(replace(edge, issued_date=None, issuer=None), child, seed)
    assert (bare.match, bare.score, bare.contradictions) == (None, 0.5, ())
    assert bare.reasons == ("number blank in the cited plan", "symbol KH-SGDĐT agrees", "doc type Kế hoạch agrees",
                            "locality Quảng Ninh is named in the citing plan")


def test_other_provinces_plans_are_no_candidates(derived, seed_docs):
    """With the whole corpus, the citation still links 004 only: Ninh Bình's and Hải Phòng's
    KH-SGDĐT plans are ruled out by the place the citation names."""
    child, parent = derived
    docs = [seed_docs[k] for k in ("000", "001", "002", "003")] + [parent, child]
    edge = next(e for e in plan_edges(child) if e.ref == "1268/KH-SGDDT")
    found = {c.document: c for c in link_candidates(edge, child, docs)}
    assert "locality Quảng Ninh is not Ninh Bình" in found[seed_docs["001"].document.id].contradictions
    assert "locality Quảng Ninh is not Hải Phòng" in found[seed_docs["002"].document.id].contradictions
    links = parent_links(docs)
    assert [(p.document, p.parent, p.match) for p in links] == [(child.document.id, parent.document.id, "exact")]
    assert links[0].reasons[-2:] == ("cited in the title", "level tỉnh above huyện")


def test_derived_chain(derived):
    child, parent = derived
    steps = chain(child.document.id, [child, parent])
    assert [(s.kind, s.depth, s.document, s.ref, s.cited_by) for s in steps] == [
        ("plan", 0, child.document.id, None, None),
        ("parent", 1, parent.document.id, "1268/KH-SGDDT", child.document.id),
        ("national", 1, None, "57-NQ/TW", child.document.id),  # cited in the derived plan's preamble
        ("national", 2, None, "03/NQ-CP", parent.document.id),  # cited in 004's title only
    ]
    assert steps[1].match == "exact" and steps[2].cited.issuer == "Bộ Chính trị"


def _targets(report, kind):
    return {(c.parent_indicator, c.child_indicator, c.year, c.parent_op, c.parent_value, c.child_op, c.child_value)
            for c in report.changes(kind)}


def test_lineage_targets(derived):
    child, parent = derived
    report = compare_lineage(child, parent)
    assert {(p.parent, p.child) for p in report.indicators} == {
        ("s16-3", "t1-r1"), ("s20-1", "t1-r2"), ("s25-1", "t1-r3"), ("s25-3", "t1-r4"), ("s25-5", "t1-r5")}
    assert _targets(report, "adopted") == {("s16-3", "t1-r1", 2030, None, 100.0, None, 100.0),
                                           ("s20-1", "t1-r2", 2030, None, 100.0, None, 100.0),
                                           ("s25-1", "t1-r3", 2030, None, 100.0, None, 100.0)}
    assert _targets(report, "raised") == {("s25-3", "t1-r4", 2030, None, 50.0, None, 70.0)}
    assert _targets(report, "lowered") == {("s25-5", "t1-r5", 2030, ">=", 50.0, ">=", 40.0)}
    assert _targets(report, "added") == {(None, "t1-r6", 2030, None, None, None, 100.0),  # a new indicator
                                         ("s20-1", "t1-r2", 2025, None, None, None, 80.0)}  # a new milestone
    assert report.changes("changed") == ()
    dropped = report.changes("dropped")
    assert {c.parent_indicator for c in dropped} == DROPPED
    assert len(dropped) == 21 and all(c.child_indicator is None and c.year == 2030 for c in dropped)
    assert len(report.targets) == 3 + 1 + 1 + 2 + 21


def test_lineage_tasks(derived):
    child, parent = derived
    report = compare_lineage(child, parent)
    assert {(p.parent, p.child) for p in report.tasks} == {("1.3", "1"), ("2.3", "2"), ("6.3", "3"), ("8.2", "4")}
    # "Phòng KHTC" is "Phòng Kế hoạch - Tài chính": tasks 6.3 and 8.2 keep their lead unit
    assert {(c.parent_task, c.child_task, c.removed_leads, c.added_leads) for c in report.task_changes} == {
        ("1.3", "1", ("Thanh tra Sở",), ("Các cơ sở giáo dục",)),
        ("2.3", "2", ("Phòng Giáo dục phổ thông",), ("Phòng Giáo dục và Đào tạo",)),
    }
    assert report.added_tasks == ("5",)
    assert len(report.dropped_tasks) == len(parent.tasks) - 4


def test_lineage_by_concept(derived):
    """Given concept ids, indicators pair within their concept however they are worded; the rest by name."""
    child, parent = derived
    concept_of = {(parent.document.id, "s35-1"): "c-infrastructure", (child.document.id, "t1-r6"): "c-infrastructure"}
    report = compare_lineage(child, parent, concept_of)
    assert ("s35-1", "t1-r6", "c-infrastructure") in {(p.parent, p.child, p.concept) for p in report.indicators}
    assert _targets(report, "adopted") >= {("s35-1", "t1-r6", 2030, None, 100.0, None, 100.0)}
    assert [c.concept for c in report.changes("adopted") if c.child_indicator == "t1-r6"] == ["c-infrastructure"]
    assert _targets(report, "added") == {("s20-1", "t1-r2", 2025, None, None, None, 80.0)}
    assert "s35-1" not in {c.parent_indicator for c in report.changes("dropped")}


def test_unknown_change_kind_is_refused(derived):
    child, parent = derived
    with pytest.raises(ValueError, match="unknown change kind"):
        compare_lineage(child, parent).changes("improved")


def test_two_candidates_alike_link_neither(derived, seed_docs):
    child, _ = derived
    seed = seed_docs["004"]
    twin = replace(seed, document=replace(seed.document, id="twin-of-004"))
    _, edges = citation_graph([child, seed, twin])
    e = _edge(edges, child.document.id, "1268/KH-SGDDT")
    assert (e.linked_document, e.match) == (None, None)
    assert e.reasons == (f"not linked: {seed.document.id}, twin-of-004 match alike (probable, 0.9)",)

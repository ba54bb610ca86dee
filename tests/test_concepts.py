"""Indicator concepts (pipeline/link/concepts.py): the same indicator across plans, kept apart
from look-alikes; the mapping file, stable ids, the threshold chosen on annotated pairs; and the
groupings found on the seeds, each checked by reading the plans."""

from __future__ import annotations

import json

import numpy
import pytest

from sklearn.cluster import AgglomerativeClustering

from pipeline.link import concepts
from pipeline.link.concepts import (
    DEFAULT_MAPPING,
    DEFAULT_PAIRS,
    METRICS,
    IndicatorRef,
    assign_concepts,
    choose_threshold,
    concept_id_of,
    concept_similarity,
    indicator_refs,
    read_mapping,
    read_pairs,
)
from pipeline.rules import load as load_rules

ONLINE_END_TO_END = "Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình"
ONLINE_RECEIVED = "Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận và xử lý trực tuyến"

# Look-alikes that are different concepts (each decided in annotations/indicator_pairs.csv).
HARD_NEGATIVES = [
    pytest.param("Tỷ lệ cơ sở giáo dục phổ thông đạt mức độ 2 trở lên về chuyển đổi số theo bộ chỉ số đánh giá",
                 "Tỷ lệ cơ sở giáo dục mầm non đạt mức độ 2 trở lên về chuyển đổi số theo bộ chỉ số đánh giá",
                 id="school-level"),
    pytest.param("Cơ sở giáo dục triển khai ký số trên các hệ thống sổ sách, sổ điểm, học bạ số",
                 "cơ sở giáo dục triển khai sổ sách, sổ điểm, học bạ điện tử thay thế hoàn toàn hồ sơ giấy "
                 "(trong đó có cấp và sử dụng văn bằng số)", id="signing-vs-e-records"),
    pytest.param("Tỷ lệ giáo viên có chữ ký số hoặc chữ ký điện tử cá nhân phục vụ công tác chuyên môn",
                 "Tỷ lệ cơ sở giáo dục thực hiện ký số hồ sơ chuyên môn, sổ điểm và học bạ theo quy định",
                 id="teachers-vs-institutions"),
    pytest.param("Tỷ lệ cán bộ quản lý và giáo viên được bồi dưỡng, cập nhật kỹ năng số cơ bản và nâng cao",
                 "Tỷ lệ cán bộ quản lý và giáo viên được tập huấn về an toàn thông tin và bảo vệ dữ liệu cá nhân hàng năm",
                 id="skills-vs-security-training"),
]

# A plan of another sector: none of its indicators is an education indicator.
HEALTH_PLAN = [IndicatorRef("health-plan", f"t1-r{k}", name, "%") for k, name in enumerate([
    "Tỷ lệ dân số tham gia bảo hiểm y tế",
    "Số giường bệnh trên một vạn dân",
    "Tỷ lệ trạm y tế xã có bác sĩ làm việc",
    "Tỷ lệ trẻ em dưới 1 tuổi được tiêm chủng đầy đủ các loại vắc xin",
    "Tỷ lệ hộ gia đình sử dụng nước sạch đạt quy chuẩn",
    "Tỷ lệ chất thải rắn y tế được thu gom, xử lý đạt chuẩn",
    "Tuổi thọ trung bình của người dân",
], 1)]


def two_plans(name_a: str, name_b: str) -> list[IndicatorRef]:
    return [IndicatorRef("plan-a", "t1-r1", name_a, "%"), IndicatorRef("plan-b", "t1-r1", name_b, "%")]


@pytest.fixture(scope="module")
def seed_refs(seed_docs):
    return indicator_refs(seed_docs[k] for k in ("000", "003", "004"))


def copied(refs: list[IndicatorRef], tag: str) -> list[IndicatorRef]:
    """`refs` again, each plan under the id "<plan><tag>" (a plan that copies another's indicators)."""
    return [IndicatorRef(r.document_id + tag, r.indicator_id, r.name, r.unit) for r in refs]


def groups(refs, assignments, seed_docs) -> dict[str, set[tuple[str, str]]]:
    """concept id -> {(seed, indicator id)} of its members."""
    seed_of = {doc.document.id: key for key, doc in seed_docs.items()}
    found: dict[str, set[tuple[str, str]]] = {}
    for ref, a in zip(refs, assignments):
        found.setdefault(a.concept_id, set()).add((seed_of.get(ref.document_id, ref.document_id), ref.indicator_id))
    return found


# --- The rules file ----------------------------------------------------------------------------


def test_rule_examples():
    rules = load_rules("concepts.yaml")
    for raw, compared in {**rules["opener_examples"], **rules["filler_examples"]}.items():
        assert concepts.compared_text(raw) == compared
    for level in rules["levels"]:
        for example in level["examples"]:
            assert concepts.levels_of(example) == {level["id"]}, example
    for example in rules["level_counter_examples"]:
        assert concepts.levels_of(example) == frozenset(), example


def test_threshold_in_rules_is_the_one_chosen_on_the_pairs():
    choice = choose_threshold(read_pairs(DEFAULT_PAIRS))
    assert concepts.params().threshold == choice.threshold
    recorded = json.loads(METRICS.read_text(encoding="utf-8"))
    assert recorded["threshold"] == choice.threshold
    assert (recorded["precision"], recorded["recall"], recorded["f1"]) == (choice.precision, choice.recall, choice.f1)
    assert (recorded["loo_f1"], recorded["pairs"], recorded["positives"]) == (choice.loo_f1, choice.pairs, choice.positives)


def test_choose_threshold_on_a_table():
    # the chosen cut scores as reported, and no cut on a fine grid does better
    pairs = read_pairs(DEFAULT_PAIRS)
    distances = concepts.pair_distances(pairs)
    same = numpy.array([p.same for p in pairs])
    choice = choose_threshold(pairs)
    said = distances < choice.threshold
    tp = int((said & same).sum())
    assert choice.precision == round(tp / said.sum(), 4) and choice.recall == round(tp / same.sum(), 4)
    for cut in numpy.linspace(0.05, 0.95, 91):  # no other cut does better
        s = distances < cut
        hits = int((s & same).sum())
        f1 = 2 * hits / (s.sum() + same.sum())
        assert f1 <= choice.f1 + 1e-4


# --- The annotation files ----------------------------------------------------------------------


def test_pairs_file_is_of_seed_indicators(seed_docs):
    pairs = read_pairs(DEFAULT_PAIRS)
    assert len(pairs) >= 60 and sum(p.same for p in pairs) >= 15
    names = {i.name for d in seed_docs.values() for i in d.indicators}
    texts = " ".join(" ".join(d.text.split()) for d in seed_docs.values())
    for p in pairs:
        for name in (p.name_a, p.name_b):  # a seed's indicator, or a statement of one in a seed's text
            assert name in names or name in texts, name
        assert p.note and p.source
    assert len({frozenset((p.name_a, p.name_b)) for p in pairs}) == len(pairs)


def test_mapping_file_is_of_seed_indicators(seed_docs):
    mapping = read_mapping(DEFAULT_MAPPING)
    names = {concepts.name_key(i.name) for d in seed_docs.values() for i in d.indicators}
    assert set(mapping) <= names
    members: dict[str, int] = {}
    for entry in mapping.values():
        members[entry.concept_id] = members.get(entry.concept_id, 0) + 1
        assert entry.note
    assert len(members) >= 5 and min(members.values()) >= 2


def test_mapping_file_errors(tmp_path):
    bad = tmp_path / "map.csv"
    bad.write_text("indicator_name,concept_id,concept_name,note\nA b,c-0123abcd,X,n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="looks like"):
        read_mapping(bad)
    bad.write_text("indicator_name,concept_id,concept_name,note\nA b,k-one,X,n\na B.,k-two,Y,n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="two concepts"):
        read_mapping(bad)


# --- Concepts ----------------------------------------------------------------------------------


def test_worded_differently_is_one_concept():
    refs = two_plans(ONLINE_END_TO_END, ONLINE_RECEIVED)
    similarity = concept_similarity([r.name for r in refs])
    assert similarity.shape == (2, 2) and similarity[0, 1] == similarity[1, 0] and similarity[0, 0] == 1.0
    a, b = assign_concepts(refs, mapping=None)
    assert a.concept_id == b.concept_id == concept_id_of(ONLINE_RECEIVED)  # tie: the smaller key
    assert (a.how, a.score) == ("cluster", round(float(similarity[0, 1]), 4))
    assert a.concept_name == "Hồ sơ thủ tục hành chính được tiếp nhận và xử lý trực tuyến"  # 8 words


@pytest.mark.parametrize(("name_a", "name_b"), HARD_NEGATIVES)
def test_hard_negative_stays_apart(name_a, name_b, seed_refs):
    a, b = assign_concepts(two_plans(name_a, name_b), mapping=None)
    assert a.concept_id != b.concept_id and a.how == b.how == "single"
    *_, a, b = assign_concepts(seed_refs + two_plans(name_a, name_b), mapping=None)  # among the seeds too
    assert a.concept_id != b.concept_id


def test_same_plan_rows_stay_apart(seed_refs):
    # the pair above, as two rows of one plan (000 appendix I row 3 and appendix II row 16)
    same_plan = [IndicatorRef("plan-a", "t1-r3", ONLINE_END_TO_END, "%"), IndicatorRef("plan-a", "t2-r16", ONLINE_RECEIVED, "%")]
    a, b = assign_concepts(same_plan, mapping=None)
    assert a.concept_id != b.concept_id and a.how == b.how == "single"
    for assignments in (assign_concepts(seed_refs, mapping=None), assign_concepts(seed_refs)):
        unmapped: dict[str, list[str]] = {}
        for ref, a in zip(seed_refs, assignments):
            if a.how != "mapping":
                unmapped.setdefault(a.concept_id, []).append(ref.document_id)
        assert all(len(docs) == len(set(docs)) for docs in unmapped.values())


def test_mapping_overrides_clustering(tmp_path):
    name_a, name_b = "Tỷ lệ giáo viên có chữ ký số hoặc chữ ký điện tử cá nhân", "Tỷ lệ cơ sở giáo dục thực hiện ký số hồ sơ"
    mapping = tmp_path / "map.csv"
    mapping.write_text("indicator_name,concept_id,concept_name,note\n"
                       f"{name_a},k-signing,Ký số,decided\n{name_b.upper()},k-signing,Ký số,decided\n", encoding="utf-8")
    assert assign_concepts(two_plans(name_a, name_b), mapping=None)[0].how == "single"
    a, b = assign_concepts(two_plans(name_a, name_b), mapping=mapping)
    assert (a.concept_id, a.concept_name, a.how, a.score) == ("k-signing", "Ký số", "mapping", 1.0)
    assert b.concept_id == "k-signing"
    # rows of one plan, too, when the file says so
    one_plan = [IndicatorRef("plan-a", "1", name_a, "%"), IndicatorRef("plan-a", "2", name_b, "%")]
    assert {x.concept_id for x in assign_concepts(one_plan, mapping=mapping)} == {"k-signing"}
    # an anchor pulls the unmapped member of its cluster along
    mapping.write_text(f"indicator_name,concept_id,concept_name,note\n{ONLINE_RECEIVED},k-online,Online,decided\n", encoding="utf-8")
    a, b = assign_concepts(two_plans(ONLINE_END_TO_END, ONLINE_RECEIVED), mapping=mapping)
    assert (a.concept_id, a.how, b.how) == ("k-online", "cluster", "mapping")
    assert 0 < a.score < 1


def test_ids_stable_when_an_unrelated_plan_is_added(seed_refs):
    for mapping in (None, DEFAULT_MAPPING):
        before = assign_concepts(seed_refs, mapping=mapping)
        after = assign_concepts(seed_refs + HEALTH_PLAN, mapping=mapping)
        assert [(a.concept_id, a.concept_name) for a in before] == [(a.concept_id, a.concept_name) for a in after[:len(before)]]
        assert {a.how for a in after[len(before):]} == {"single"}
        # and when the plans arrive in another order
        shuffled = assign_concepts(list(reversed(seed_refs)), mapping=mapping)
        assert [a.concept_id for a in reversed(shuffled)] == [a.concept_id for a in before]


# --- Batches of plans that copy each other -------------------------------------------------------


def row_level(refs: list[IndicatorRef], mapping) -> tuple[list[frozenset[int]], list[float]]:
    """The clustering as it was before indicators worded alike became one node: one row per
    indicator, scikit-learn's average linkage over the rows' distances; (clusters of ref indices,
    each ref's mean cosine to the other members of its cluster)."""
    by_name = read_mapping(mapping) if mapping else {}
    concept = numpy.array([getattr(by_name.get(concepts.name_key(r.name)), "concept_id", "") for r in refs], dtype=object)
    similarity = concept_similarity([r.name for r in refs])
    levels = {r.name: concepts.levels_of(r.name) for r in refs}
    cannot = numpy.array([[a.document_id == b.document_id or (bool(levels[a.name]) and bool(levels[b.name]) and levels[a.name] != levels[b.name])
                           for b in refs] for a in refs])
    both = (concept != "")[:, None] & (concept != "")[None, :]
    one = concept[:, None] == concept[None, :]
    distance = 1.0 - similarity
    distance[cannot] = concepts.CANNOT_LINK
    distance[both & one] = 0.0
    distance[both & ~one] = concepts.CANNOT_LINK
    numpy.fill_diagonal(distance, 0.0)
    labels = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                     distance_threshold=concepts.params().threshold).fit_predict(distance)
    clusters = [frozenset(numpy.flatnonzero(labels == label)) for label in set(labels)]
    score = [1.0] * len(refs)
    for members in clusters:
        for i in members:
            if len(members) > 1:
                score[i] = round(sum(similarity[i, j] for j in members if j != i) / (len(members) - 1), 4)
    return clusters, score


@pytest.mark.parametrize("mapping", [None, DEFAULT_MAPPING], ids=["clustering", "mapping-file"])
def test_one_node_per_wording_clusters_as_the_rows_did(seed_docs, seed_refs, mapping):
    # Plans copied 1 to 3 times: each wording is one node weighted by its indicators (similarity
    # fitted as on the rows, average linkage counting the rows), so the concepts and scores are
    # those of row-level clustering. 000 is copied without t1-r4 and t2-r17, whose wordings are
    # one once openers and fillers go: copied, each row would be at distance 0 from the other's
    # copy and cannot-linked to it, a tie the rows broke by rounding noise.
    by_key = {key: [r for r in seed_refs if r.document_id == doc.document.id] for key, doc in seed_docs.items()}
    refs = (seed_refs + HEALTH_PLAN + copied(by_key["003"], "#1") + copied(by_key["003"], "#2") + copied(by_key["004"], "#1")
            + copied(HEALTH_PLAN, "#1") + copied(HEALTH_PLAN, "#2")
            + copied([r for r in by_key["000"] if r.indicator_id not in ("t1-r4", "t2-r17")], "#1"))
    clusters, score = row_level(refs, mapping)
    assignments = assign_concepts(refs, mapping=mapping)
    by_concept: dict[str, set[int]] = {}
    for i, a in enumerate(assignments):
        by_concept.setdefault(a.concept_id, set()).add(i)
    assert sorted(map(sorted, by_concept.values())) == sorted(map(sorted, clusters))
    assert [a.score for a in assignments if a.how != "mapping"] == [s for s, a in zip(score, assignments) if a.how != "mapping"]
    assert "cluster" in {a.how for a in assignments}


def test_a_wording_weighs_as_many_indicators_as_it_stands_for():
    # the digital-transformation level-2 group of the seeds (003 t1-r1, 000 t1-r9, 004 s20-4),
    # 003's wording copied by four more plans: still one concept, as with one row per indicator;
    # a linkage counting each wording once would leave 004's apart
    dx_003 = "Mức độ chuyển đổi số đối với Phòng Giáo dục và Đào tạo, các cơ sở giáo dục trên địa bàn huyện đạt mức 2 trở lên"
    dx_000 = "Mức độ chuyển đổi số đối với các cơ sở giáo dục, cơ quan quản lý giáo dục đạt mức 2 trở lên"
    dx_004 = "cơ sở giáo dục và đào tạo được công nhận mức độ chuyển đổi số từ mức độ 2 trở lên"
    refs = [IndicatorRef(f"district-{k}", "t1-r1", dx_003, "%") for k in range(5)]
    refs += [IndicatorRef("commune", "t1-r9", dx_000, "%"), IndicatorRef("province", "s20-4", dx_004, "%")]
    assignments = assign_concepts(refs, mapping=None)
    assert len({a.concept_id for a in assignments}) == 1
    assert row_level(refs, None) == ([frozenset(range(len(refs)))], [a.score for a in assignments])


def test_weighted_similarity_is_that_of_the_repeated_names():
    names = [ONLINE_END_TO_END, ONLINE_RECEIVED, *[r.name for r in HEALTH_PLAN[:3]]]
    weights = [3, 1, 2, 1, 4]
    repeated = [n for n, w in zip(names, weights) for _ in range(w)]
    first = numpy.cumsum([0, *weights[:-1]])
    assert numpy.allclose(concept_similarity(names, weights), concept_similarity(repeated)[numpy.ix_(first, first)], atol=1e-12)
    assert not numpy.allclose(concept_similarity(names, weights), concept_similarity(names))  # the IDF counts the repeats


def test_many_copies_cluster_as_one_set_on_a_matrix_of_distinct_names(seed_refs, monkeypatch):
    # 200 copies of the seed plans' indicators, under 600 plan ids: every indicator has the concept
    # its original has, and the similarity matrix is as large as the distinct names
    sizes = []

    def recorded(names, weights=None):
        sizes.append(len(names))
        return concept_similarity(names, weights)

    monkeypatch.setattr(concepts, "concept_similarity", recorded)
    batch = [r for k in range(200) for r in copied(seed_refs, f"#{k}")]
    distinct = len({concepts.name_key(r.name) for r in seed_refs})
    for mapping in (None, DEFAULT_MAPPING):
        once = assign_concepts(seed_refs, mapping=mapping)
        copies = assign_concepts(batch, mapping=mapping)
        assert [(a.concept_id, a.concept_name) for a in copies] == [(a.concept_id, a.concept_name) for a in once] * 200
        assert {a.how for a in copies} <= {"mapping", "cluster"}  # no indicator is alone any more
    assert sizes == [distinct] * 4 and distinct == len(seed_refs)


def test_one_plan_stating_a_wording_twice(monkeypatch, tmp_path):
    # Two rows of one plan are two indicators, worded alike or not: the same wording twice in a
    # plan is two nodes, cannot-linked, and another plan's row of that wording joins the first.
    # A clustered concept's id comes from its central wording, so the second row's concept, a
    # concept of its own, has the same id (as it had before nodes).
    sizes = []
    monkeypatch.setattr(concepts, "concept_similarity", lambda names, weights=None: sizes.append(len(names)) or concept_similarity(names, weights))
    refs = [IndicatorRef("plan-a", "t1-r3", ONLINE_END_TO_END, "%"), IndicatorRef("plan-a", "t2-r16", ONLINE_END_TO_END.upper(), "%"),
            IndicatorRef("plan-b", "t1-r1", ONLINE_END_TO_END + ".", "%")]
    first, second, other = assign_concepts(refs, mapping=None)
    assert (first.how, other.how, second.how) == ("cluster", "cluster", "single")
    assert first.concept_id == second.concept_id == other.concept_id == concept_id_of(ONLINE_END_TO_END)
    assert first.concept_name == "Hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình"  # the first row's writing
    # mapped, the wording is one node, the plan's repeats included
    mapping = tmp_path / "map.csv"
    mapping.write_text(f"indicator_name,concept_id,concept_name,note\n{ONLINE_END_TO_END},k-online,Online,decided\n", encoding="utf-8")
    assert {(a.concept_id, a.how) for a in assign_concepts(refs, mapping=mapping)} == {("k-online", "mapping")}
    assert sizes == [2, 1]


# --- On the seeds ------------------------------------------------------------------------------

# Clustering alone (no mapping file) groups these indicators of different plans, each read in
# both plans: 000 (xã Tân Kỳ, Hải Phòng), 003 (a district education office, Hải Phòng), 004 (a
# provincial department). Every other seed indicator stands alone.
SEED_GROUPS_BY_CLUSTERING = [
    # general schools teaching digital skills under Thông tư 02/2025 (100% by 2030)
    {("000", "s11-3"), ("003", "t1-r3")},
    # integrated STEM education with research in general schools (000: 85% by 2030; 003: 100%)
    {("000", "s11-5"), ("003", "t1-r6")},
    # startup education integrated into subjects (000's 2045 statement; 003: 95% by 2030, 100% by 2045)
    {("000", "s19-2"), ("003", "t1-r4")},
    # institutions at digital-transformation level 2 or above
    {("000", "t1-r9"), ("003", "t1-r1"), ("004", "s20-4")},
    # institutions digitally signing records, mark books and transcripts (100% by 2030)
    {("000", "t2-r13"), ("003", "t1-r2")},
    # institutions taking cashless payments (000: tuition and fees, 95% by 2030; 004: 100%)
    {("000", "t2-r19"), ("004", "s16-3")},
    # schools with an innovation club active all year (85% by 2030, 100% by 2045 in both)
    {("000", "t2-r27"), ("003", "t1-r5")},
]


def test_seed_groupings_by_clustering(seed_docs, seed_refs):
    found = groups(seed_refs, assign_concepts(seed_refs, mapping=None), seed_docs)
    multi = [members for members in found.values() if len(members) > 1]
    assert sorted(map(sorted, multi)) == sorted(map(sorted, SEED_GROUPS_BY_CLUSTERING))
    assert len(found) == len(seed_refs) - sum(len(g) - 1 for g in SEED_GROUPS_BY_CLUSTERING)


def test_seed_groupings_with_the_mapping_file(seed_docs, seed_refs):
    assignments = assign_concepts(seed_refs)
    found = groups(seed_refs, assignments, seed_docs)
    assert found["c-startup-education"] == {("000", "s11-4"), ("000", "s19-2"), ("003", "t1-r4")}
    assert found["c-stem-general-schools"] == {("000", "s11-5"), ("000", "t2-r26"), ("003", "t1-r6")}
    assert found["c-dx-level-2"] == {("000", "t1-r9"), ("003", "t1-r1"), ("004", "s20-4")}
    assert found["c-online-dossiers"] == {("000", "t1-r3"), ("000", "t2-r16")}
    # unmapped groups keep their clustered ids: the medoid of a pair is the smaller name key
    cashless = concept_id_of("cơ sở giáo dục triển khai thực hiện thanh toán không dùng tiền mặt")
    assert found[cashless] == {("000", "t2-r19"), ("004", "s16-3")}
    by_ref = {(r.document_id, r.indicator_id): a for r, a in zip(seed_refs, assignments)}
    cash = by_ref[(seed_docs["004"].document.id, "s16-3")]
    assert (cash.how, cash.concept_name) == ("cluster", "Cơ sở giáo dục triển khai thực hiện thanh toán không dùng tiền mặt")
    assert 0.5 < cash.score < 0.7
    assert {a.how for a in assignments} == {"mapping", "cluster", "single"}

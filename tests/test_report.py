"""kehoach report: one self-contained HTML page about the seed dataset, checked by invariants
(every internal link resolves, nothing is fetched from elsewhere, every highlighted item reads
the item's text) and in headless Chromium (no console error; a screenshot to look at)."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.compare import DatasetError, default_year, load_document
from pipeline.report import build_report
from pipeline.report.charts import Line, render_svg
from pipeline.report.highlight import Mark, highlight

from .conftest import IN_CI, SEEDS, require_tool

runner = CliRunner()

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1400,2000")


# --- reading the page back ---------------------------------------------------------------------


class _Marks(HTMLParser):
    """The text of every highlighted item: its `<mark data-item>` fragments' text, joined."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[str | None] = []
        self.text: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        if tag == "mark":
            item = dict(attrs).get("data-item")
            self.open.append(item)
            if item is not None:
                self.text.setdefault(item, "")

    def handle_endtag(self, tag):
        if tag == "mark":
            self.open.pop()

    def handle_data(self, data):
        for item in self.open:
            if item is not None:
                self.text[item] += data


def mark_texts(html: str) -> dict[str, str]:
    parser = _Marks()
    parser.feed(html)
    parser.close()
    assert parser.open == [], "unclosed <mark>"
    return parser.text


def _document_ids(dataset: Path) -> list[str]:
    return sorted(p.stem for p in (dataset / "json").glob("*.json"))


def _seed_id(dataset: Path, seed: str) -> str:
    (found,) = [d for d in _document_ids(dataset) if load_document(dataset, d).document.source.endswith(SEEDS[seed].name)]
    return found


@pytest.fixture(scope="module")
def report_html(corpus_dataset) -> str:
    return build_report(corpus_dataset)


# --- the page ----------------------------------------------------------------------------------


def test_every_plan_has_its_page_and_is_linked_from_the_overview(report_html, corpus_dataset):
    ids = _document_ids(corpus_dataset)
    assert len(ids) == 5
    overview = report_html[report_html.index('id="overview"'):report_html.index('id="comparison"')]
    for doc_id in ids:
        assert report_html.count(f'id="plan-{doc_id}"') == 1
        assert f'href="#plan-{doc_id}"' in overview
        assert f'id="{doc_id}-text"' in report_html
    # seed 000: the xã Tân Kỳ plan, its issuer and counts in the overview
    assert "Ủy ban nhân dân xã Tân Kỳ" in overview and "…/KH-UBND" in overview


def test_matrix_of_the_default_year_with_shared_concepts_first(report_html, corpus_dataset):
    year = default_year(corpus_dataset)
    section = report_html[report_html.index('id="comparison"'):report_html.index('id="charts"')]
    assert f"<caption>Targets for {year}</caption>" in section
    shared, single = section.split("Concepts set by one plan only")
    assert shared.count('<table class="matrix"') == 1 and 'class="differs"' in shared
    assert 'class="highest"' in shared
    # cashless payments: Quảng Ninh 100 (highest) against Tân Kỳ ≥ 95 (see test_compare)
    row = re.search(r"<tr[^>]*><th[^>]*>Cơ sở giáo dục triển khai thực hiện thanh toán.*?</tr>", shared).group(0)
    assert 'class="differs"' in row and '<td class="highest">100</td>' in row and "≥ 95" in row
    assert single.count('<table class="matrix"') == 1


def test_charts_are_inline_svg_and_deterministic(report_html):
    section = report_html[report_html.index('id="charts"'):report_html.index('id="graph"')]
    assert 1 <= section.count('<svg class="chart"') <= 6
    assert "<?xml" not in report_html and "<!DOCTYPE svg" not in report_html
    # the concept three plans set comes first
    assert section.index("Cơ sở giáo dục đạt mức chuyển đổi số 2 trở lên") < section.index("STEM")
    lines = (Line("a", "Tân Kỳ", "#1f77b4", ((2025, 80.0), (2030, 100.0)), {}),
             Line("b", "Quảng Ninh – mầm non", "#ff7f0e", ((2030, 95.0),), {}))
    first, second = render_svg("Tỷ lệ", "%", lines, "x-"), render_svg("Tỷ lệ", "%", lines, "x-")
    assert first == second
    assert first.startswith("<svg ") and "Date" not in first and 'id="x-' in first
    assert not re.search(r'\bid="(?!x-)', first), "every id of a chart is prefixed"


def test_citation_graph_drawn_and_listed(report_html):
    section = report_html[report_html.index('id="graph"'):report_html.index('id="plans"')]
    assert section.count('<svg class="graph"') == 1
    svg = section[section.index("<svg"):section.index("</svg>")]
    assert 'class="node national"' in svg and 'class="node local"' in svg
    assert svg.count('class="node plan"') == 5
    assert ">Nghị quyết 57-NQ/TW<" in svg  # national, cited by all five plans
    assert "No document cited by a plan is itself a plan of this dataset." in section
    row = re.search(r'<tr><td><span id="cited-\d+">Nghị quyết 57-NQ/TW</span>.*?</tr>', section).group(0)
    assert "national" in row and row.count('href="#plan-') == 5


def test_report_is_deterministic(report_html, corpus_dataset):
    assert build_report(corpus_dataset) == report_html


def test_page_is_self_contained(report_html):
    remote = [
        r"""\b(?:src|href|srcset|poster|data)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//""",
        r"@import",
        r"""url\(\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//""",
        r"<(?:script|link|iframe|img|object|embed)\b",
    ]
    for pattern in remote:
        found = re.search(pattern, report_html, re.IGNORECASE)
        assert found is None, report_html[found.start() - 80:found.end() + 80]


def test_every_internal_link_has_its_target_and_ids_are_unique(report_html):
    ids = re.findall(r'\bid="([^"]*)"', report_html)
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    targets = set(re.findall(r'href="#([^"]*)"', report_html))
    assert targets and not targets - set(ids)
    assert not re.search(r'href="(?!#)', report_html)  # no link leaves the page


def test_highlighted_marks_read_the_items_text(report_html, corpus_dataset):
    texts = mark_texts(report_html)
    doc_id = _seed_id(corpus_dataset, "000")
    doc = load_document(corpus_dataset, doc_id)
    # seed 000 cites Nghị quyết 57-NQ/TW nine times; the first mention, as highlighted
    n, citation = next((n, c) for n, c in enumerate(doc.citations) if c.number == "57-NQ/TW")
    anchor = f"{doc_id}-citation-{n}"
    assert f'href="#{anchor}"' in report_html
    assert texts[anchor] == doc.text[citation.start:citation.end] == "Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị"
    # a task read from a table cell (seed 000: table t3, row 0)
    task = doc.tasks[0]
    assert texts[f"{doc_id}-task-0"] == doc.text[task.start:task.end]
    assert texts[f"{doc_id}-task-0"].startswith("Tổ chức quán triệt, tuyên truyền nội dung Nghị quyết số 57NQ/TW")
    # and every placed item of every plan, footnote citations against their footnote
    checked = 0
    for doc_id in _document_ids(corpus_dataset):
        doc = load_document(corpus_dataset, doc_id)
        footnotes = {f.label: f.text for f in doc.footnotes}
        kinds = {"citation": doc.citations, "indicator": doc.indicators, "task": doc.tasks,
                 "deadline": doc.deadlines, "percentage": doc.percentages}
        for kind, items in kinds.items():
            for n, item in enumerate(items):
                source = footnotes[item.footnote] if getattr(item, "footnote", None) else doc.text
                assert texts[f"{doc_id}-{kind}-{n}"] == source[item.start:item.end]
                checked += 1
        for n, unit in enumerate(doc.units):
            first = unit.provenance[0]
            assert texts[f"{doc_id}-unit-{n}"] == doc.text[first.start:first.end]
    assert checked > 700


def test_footnote_citations_are_highlighted_in_their_footnote(report_html, corpus_dataset):
    doc_id = _seed_id(corpus_dataset, "001")
    doc = load_document(corpus_dataset, doc_id)
    n = next(n for n, c in enumerate(doc.citations) if c.footnote)
    page = report_html[report_html.index(f'id="plan-{doc_id}"'):]
    footnotes = page[page.index('<ul class="footnotes">'):page.index("</ul>", page.index('<ul class="footnotes">'))]
    assert f'id="{doc_id}-citation-{n}"' in footnotes


def test_linked_plans_and_parents_listed_with_their_evidence(corpus_dataset, tmp_path):
    """The seed plans cite no plan of the corpus; a copy of the dataset where Cát Hải (003)
    cites Tân Kỳ's plan and implements it shows the links with their match, score and reasons."""
    import duckdb

    dataset = tmp_path / "dataset"
    shutil.copytree(corpus_dataset, dataset)
    child, parent = _seed_id(dataset, "003"), _seed_id(dataset, "000")
    with duckdb.connect(str(dataset / "kehoach.duckdb")) as con:
        con.execute("UPDATE citation_links SET linked_document = ?, match = 'probable', score = 0.8, "
                    "reasons = 'symbol agrees\nissuer agrees' WHERE citing_document = ? AND ref = '44/KH-UBND'",
                    [parent, child])
        con.execute("INSERT INTO plan_links VALUES (?, ?, '44/KH-UBND', 'probable', 0.8, "
                    "'symbol agrees\nissuer agrees')", [child, parent])
    html = build_report(dataset)
    section = html[html.index('id="graph"'):html.index('id="plans"')]
    assert section.count('class="arc link"') == 1 and section.count('class="arc parent"') == 1
    for heading in ("Cited documents that are plans of the dataset", "Parent plans"):
        part = section[section.index(heading):]
        row = re.search(r"<tbody><tr>.*?</tr>", part).group(0)
        assert f'href="#plan-{child}"' in row and f'href="#plan-{parent}"' in row
        assert "<td>probable</td><td>0.80</td><td><ul><li>symbol agrees</li><li>issuer agrees</li></ul></td>" in row
    page = html[html.index(f'id="plan-{child}"'):]
    assert "implements" in page[:page.index("</dl>")]


# --- highlighting ---------------------------------------------------------------------------------


def _strip_tags(html: str) -> str:
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "", html))


@pytest.mark.parametrize("text, marks, expected", [
    ("a<b>&c", [], "a&lt;b&gt;&amp;c"),
    ("abcdef", [Mark(1, 3, "x", "unit")], 'a<mark id="x" class="k-unit" data-item="x">bc</mark>def'),
    # nested: the longer of two marks starting together is outside
    ("abcdef", [Mark(1, 3, "in", "unit"), Mark(1, 5, "out", "task")],
     'a<mark id="out" class="k-task" data-item="out"><mark id="in" class="k-unit" data-item="in">bc</mark>de</mark>f'),
    # crossing: the second is split, its continuation has no id
    ("abcdef", [Mark(0, 3, "p", "task"), Mark(2, 5, "q", "unit")],
     ('<mark id="p" class="k-task" data-item="p">ab<mark id="q" class="k-unit" data-item="q">c</mark></mark>'
     '<mark class="k-unit cont" data-item="q">de</mark>f')),
    # empty, reversed and out-of-range offsets are left out
    ("abc", [Mark(1, 1, "e", "unit"), Mark(2, 1, "r", "unit"), Mark(2, 9, "o", "unit")], "abc"),
], ids=["escaped", "one", "nested", "crossing", "unplaceable"])
def test_highlight_cases(text, marks, expected):
    assert highlight(text, marks) == expected


@given(st.text(alphabet="ab<&\n ", max_size=40),
       st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=8))
def test_highlight_keeps_the_text_and_each_marks_span(text, spans):
    marks = [Mark(s, e, f"m{n}", "unit") for n, (s, e) in enumerate(spans)]
    html = highlight(text, marks)
    assert _strip_tags(html) == text
    texts = mark_texts(html)  # also: every <mark> is closed, in order
    for m in marks:
        if 0 <= m.start < m.end <= len(text):
            assert texts[m.anchor] == text[m.start:m.end]
            assert html.count(f'id="{m.anchor}"') == 1
        else:
            assert m.anchor not in texts


# --- headless Chromium ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium through Selenium and the Debian chromedriver (no driver download)."""
    chromium, chromedriver = require_tool("chromium"), require_tool("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        if IN_CI:
            pytest.fail("selenium is not installed, but CI must install it (the test extra)")
        print("SKIP: selenium is not installed (pip install -e '.[test]')")
        pytest.skip("selenium is not installed")
    profile = tempfile.mkdtemp(prefix="kehoach-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(chromedriver))
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def console_errors(driver, url: str) -> list[str]:
    """Load `url`; the console errors it logged (console.error, uncaught exceptions, failed loads)."""
    driver.get(url)
    driver.execute_script("return document.readyState")
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_console_errors_are_detected(browser, tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><p>broken</p><script>console.error('deliberate');"
                    "undefinedFunction();</script></body></html>", encoding="utf-8")
    errors = console_errors(browser, page.as_uri())
    assert any("deliberate" in e for e in errors), errors
    assert any("undefinedFunction is not defined" in e for e in errors), errors


def test_report_renders_in_chromium_without_console_errors(browser, report_html, corpus_dataset, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(report_html, encoding="utf-8")
    assert console_errors(browser, page.as_uri()) == []
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert browser.execute_script("return document.querySelectorAll('svg.chart').length") >= 1
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot))
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    print(f"screenshot: {shot}")
    # a link to an item lands on its mark in the plan's text
    doc_id = _seed_id(corpus_dataset, "000")
    anchor = f"{doc_id}-citation-1"
    assert console_errors(browser, f"{page.as_uri()}#{anchor}") == []
    assert browser.execute_script("return document.querySelector(':target').id") == anchor
    shot = tmp_path / "report-citation.png"
    assert browser.save_screenshot(str(shot))
    print(f"screenshot: {shot}")


# --- the command ---------------------------------------------------------------------------------


def test_report_command_writes_the_page(corpus_dataset, tmp_path):
    out = tmp_path / "site" / "report.html"
    result = runner.invoke(app, ["report", str(corpus_dataset), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert f"wrote {out}" in result.stdout
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no temporary file left


@pytest.mark.parametrize("make", [
    lambda d: d.mkdir(),
    lambda d: None,
    lambda d: (d.mkdir(), (d / "kehoach.duckdb").write_text("not a database")),
], ids=["empty-folder", "missing", "not-duckdb"])
def test_report_of_a_folder_that_is_not_a_dataset(tmp_path, make):
    folder = tmp_path / "plans"
    make(folder)
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(folder), "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"kehoach: error: {folder}: "), lines
    assert "Traceback" not in result.output
    assert not out.exists()


def test_build_report_raises_dataset_error(tmp_path):
    with pytest.raises(DatasetError, match="no such folder"):
        build_report(tmp_path / "nowhere")

"""The `browser` tier: reports of small real runs (an evaluation, a GRPO run, a comparison) opened in headless
Chromium (Debian's chromium and chromium-driver, driven by selenium with the driver path set, so nothing is
downloaded), checked as a person would see them: each curve has one point per metrics row, the tables hold the
summary's numbers, the "wrong" filter shows exactly the summary's count of wrong samples, search and paging
work, and model text with markup stays text. Skipped where chromium, chromedriver or selenium is absent."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from reasoncraft.report import sections, write_report
from test_report_folders import INJECTION, grpo_run, scripted_eval

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
)


def open_browser():
    """Headless Chromium through Debian's chromedriver; None where any piece is missing."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        return None
    if not CHROMIUM or not CHROMEDRIVER:
        return None
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1300,1800",
    ):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


@pytest.fixture(scope="module")
def browser():
    driver = open_browser()
    if driver is None:
        pytest.skip("needs chromium, chromium-driver (Debian packages) and selenium (the dev extra)")
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-runs")
    return {"eval": scripted_eval(root / "eval"), "grpo": grpo_run(root / "grpo")}


def show(driver, page: Path) -> None:
    """Open a report and wait until its first page of samples is drawn (after the first paint)."""
    driver.get(page.resolve().as_uri())
    for _ in range(100):
        if driver.execute_script(
            "var c = document.getElementById('rc-count');"
            "return document.readyState === 'complete' && (!c || c.hasAttribute('data-count'))"
        ):
            return
        time.sleep(0.1)
    raise AssertionError("the report's samples were not drawn within 10 s")


def shown_count(driver) -> int:
    return int(driver.find_element("id", "rc-count").get_attribute("data-count"))


def choose(driver, select_id: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", select_id)).select_by_value(value)


def test_eval_report_tables_and_the_wrong_filter_match_the_summary(browser, runs):
    show(browser, write_report([runs["eval"]], png=False))
    (summary,) = json.loads((runs["eval"] / "summary.json").read_text())
    total, correct, wrong = sections.sample_counts(summary)
    cells = [c.text for c in browser.find_elements("css selector", "table.summary td")]
    for value in (
        f"{summary['pass@1']:.3f}",
        f"{summary['lenient_accuracy']:.3f}",
        str(total),
        str(correct),
        str(wrong),
    ):
        assert value in cells
    assert shown_count(browser) == total
    assert len(browser.find_elements("css selector", "#rc-samples article.sample")) == min(20, total)
    choose(browser, "rc-filter", "wrong")
    assert shown_count(browser) == wrong
    badges = browser.find_elements("css selector", "#rc-samples .badge.bad")
    assert len(badges) == min(20, wrong)
    samples = [json.loads(line) for line in (runs["eval"] / "samples.jsonl").read_text().splitlines()]
    choose(browser, "rc-filter", "unextractable")
    assert shown_count(browser) == sum(s["extracted"] is None for s in samples)
    choose(browser, "rc-filter", "cut")
    assert shown_count(browser) == sum(s["finish_reason"] == "length" for s in samples)
    choose(browser, "rc-filter", "all")
    search = browser.find_element("id", "rc-search")
    search.send_keys("arith-sum-2d-test-3")
    time.sleep(0.5)
    assert shown_count(browser) == summary["samples_per_problem"]
    # paging: the next page starts at row 21
    search.clear()
    search.send_keys(" ")
    search.clear()
    time.sleep(0.5)
    browser.find_element("id", "rc-next").click()
    assert browser.find_element("id", "rc-page").text.startswith("page 2 of")


def test_model_text_with_markup_is_shown_as_text(browser, runs):
    show(
        browser,
        runs["eval"] / "report.html" if (runs["eval"] / "report.html").exists() else write_report([runs["eval"]]),
    )
    browser.find_element("id", "rc-search").send_keys("pwned")
    time.sleep(0.5)
    assert shown_count(browser) > 0
    assert browser.execute_script("return window.pwned === undefined")
    assert not browser.find_elements("css selector", "#rc-samples img")
    texts = [e.text for e in browser.find_elements("css selector", "#rc-samples pre.completion")]
    assert any(INJECTION.split("<!--")[0] in t for t in texts)


def test_grpo_report_curves_have_one_point_per_metrics_row(browser, runs):
    show(browser, write_report([runs["grpo"]], png=False))
    metrics = [json.loads(line) for line in (runs["grpo"] / "metrics.jsonl").read_text().splitlines()]
    lines = browser.execute_script(
        "return Array.from(document.querySelectorAll('figure[data-chart^=\"train-\"] polyline'))"
        ".map(p => [p.dataset.label, p.points.numberOfItems])"
    )
    assert len(lines) >= 10
    for label, points in lines:
        assert points == sum(label in row for row in metrics) == len(metrics), label
    # held-out before and after, side by side, one row per problem
    assert browser.find_element("id", "rc-dataset").get_attribute("value") == "0"
    articles = browser.find_elements("css selector", "#rc-samples article.sample")
    evaluation = json.loads((runs["grpo"] / "summary.json").read_text())["evaluation"]
    assert len(articles) == evaluation["after"]["problems"]
    assert [h.text for h in articles[0].find_elements("css selector", "h4")] == ["before training", "after training"]
    cells = [c.text for c in browser.find_elements("css selector", "table.held-out td")]
    assert f"{evaluation['before']['accuracy']:.3f}" in cells and f"{evaluation['after']['accuracy']:.3f}" in cells


def test_comparison_report_of_several_runs(browser, runs, tmp_path):
    page = write_report([runs["eval"], runs["grpo"]], tmp_path / "both.html", png=False)
    show(browser, page)
    rows = browser.find_elements("css selector", "table.runs tbody tr")
    assert [r.find_elements("css selector", "td")[0].text for r in rows] == ["eval", "grpo"]
    (summary,) = json.loads((runs["eval"] / "summary.json").read_text())
    assert rows[0].find_elements("css selector", "td")[4].text == f"{summary['pass@1']:.3f}"
    lines = browser.execute_script(
        "return Array.from(document.querySelectorAll('figure[data-chart=\"runs-accuracy\"] polyline'))"
        ".map(p => [p.dataset.label, p.points.numberOfItems])"
    )
    assert dict(lines)["eval arith-sum-2d"] == len(summary["pass@k"])
    options = [o.text for o in browser.find_elements("css selector", "#rc-dataset option")]
    assert any(o.startswith("eval: scored samples") for o in options)
    assert any(o.startswith("grpo: held-out: before and after") for o in options)


def test_candidates_show_their_scores_and_the_pick(browser, tmp_path):
    results = tmp_path / "scale" / "results" / "k" / "test"
    results.mkdir(parents=True)
    candidates = [
        {"text": "Answer: 8", "answer": "8", "score": 0.2},
        {"text": "Answer: 7", "answer": "7", "score": 0.9},
    ]
    row = {
        "id": "p0",
        "correct": True,
        "answer": "7",
        "completion_tokens": 4,
        "text": "Answer: 7",
        "candidates": candidates,
    }
    (results / "best-of-n-n2.jsonl").write_text(json.dumps(row) + "\n")
    (tmp_path / "scale" / "summary.json").write_text(json.dumps({"rows": [], "compute_optimal": None}))
    show(browser, write_report([tmp_path / "scale"], png=False))
    items = browser.find_elements("css selector", "#rc-samples .candidates li")
    assert len(items) == 2
    picked = browser.find_elements("css selector", "#rc-samples .candidates li.pick")
    assert len(picked) == 1 and "score 0.9" in picked[0].get_attribute("textContent")

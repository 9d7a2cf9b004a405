"""heldout15.jsonl: a twelfth-session held-out set (two sources no other fixture cites and a second, disjoint
sample of one heldout14 sampled), never fixed against."""

import json
from pathlib import Path

import pytest

from reasoncraft.rewards.checker import text_verdicts

HELDOUT15 = Path(__file__).parent / "fixtures" / "checker_cases" / "heldout15.jsonl"
OTHER_FIXTURES = sorted(p for p in HELDOUT15.parent.glob("*.jsonl") if p != HELDOUT15)
EDUCATION = {"Doenet/math-expressions"}
REUSED = {"Doenet/math-expressions"}  # sampled by heldout14 too: this set draws a disjoint stretch of it


def load() -> tuple[dict, list[dict]]:
    lines = HELDOUT15.read_text().splitlines()
    return json.loads(lines[0]), [json.loads(line) for line in lines[1:] if line.strip()]


def test_heldout15_names_its_sources_and_is_all_held_out():
    header, cases = load()
    sources = [v for v in header["_header"].values() if isinstance(v, dict) and "repository" in v]
    assert len(sources) == 3 and all(len(s["commit"]) == 40 and s["licence"] and s["path"] for s in sources)
    assert {c["split"] for c in cases} == {"heldout"} and header["n"] == header["heldout"] == len(cases) >= 70
    assert {c["source"] for c in cases} == {s["repository"] for s in sources}
    assert {c["label_source"] for c in cases} == {"test"} and all(c["options"] == {} for c in cases)
    assert 0.2 < sum(c["label"] for c in cases) / len(cases) < 0.8  # both verdicts well represented
    assert len({(c["gold"], c["candidate"]) for c in cases}) == len(cases)
    assert all(sum(c["source"] == s["repository"] for c in cases) <= 0.4 * len(cases) for s in sources)
    education = sum(c["source"] in EDUCATION for c in cases)
    assert set(header["_header"]["education_sources"]) == EDUCATION and education * 2 <= len(cases)
    assert header["_header"]["education_share"] == round(education / len(cases), 3)
    assert set(header["_header"]["reused_sources"]) == REUSED
    assert sum(c["source"] in REUSED for c in cases) * 2 <= len(cases)  # reused sources at most half
    assert header["_header"]["left_out"]  # what was left out, and why, is counted in the header


def test_heldout15_repeats_no_pair_of_the_other_fixture_files():
    """Counts only: a pair that another fixture file holds (heldout14's sample included) would not be fresh."""
    _, cases = load()
    ours = {(c["gold"], c["candidate"]) for c in cases}
    shared = 0
    for path in OTHER_FIXTURES:
        records = [json.loads(line) for line in path.read_text().splitlines()[1:] if line.strip()]
        shared += len(ours & {(r.get("gold"), r.get("candidate")) for r in records})
    assert shared == 0, f"{shared} pairs of heldout15 are in other fixture files"


@pytest.fixture(scope="module")
def verdicts():
    _, cases = load()
    return cases, text_verdicts([(c["gold"], c["candidate"]) for c in cases])


def test_heldout15(verdicts):
    """Scored as raw texts, as the other held-out sets are (`text_verdicts`, the answer extracted first; a
    verdict that is not True, a time-out included, counts as "not equal"). Measured once by its builder (helper X,
    twelfth session) from the snapshot of the session's start commit f154d81 (niced, load ~2.0), before any rule was
    written against this set: 0.920 (104/113), **0 false positives**, 9 false negatives, every verdict decided.
    Math-Verify direct (`verify(parse(gold), parse(candidate))`) 0.566 (64/113), 2 false positives, 47 false
    negatives, no time-out. So the test fails on any false positive, and below 103/113 agreement (one pair of room
    for a time-out under load). Counts only in messages, and no description of the wrong pairs anywhere: the set
    stays held out."""
    cases, found = verdicts
    wrong = sum((v is True) != c["label"] for c, v in zip(cases, found))
    false_positives = sum(v is True and not c["label"] for c, v in zip(cases, found))
    assert false_positives <= 0, f"{false_positives} false positives on heldout15"
    assert len(cases) - wrong >= 103, f"heldout15 agreement {1 - wrong / len(cases):.3f} ({wrong} wrong)"

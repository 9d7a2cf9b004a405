"""heldout13.jsonl: a third eleventh-session held-out set, four sources no other fixture cites, never fixed against."""

import json
from pathlib import Path

import pytest

from reasoncraft.rewards.checker import text_verdicts

HELDOUT13 = Path(__file__).parent / "fixtures" / "checker_cases" / "heldout13.jsonl"
OTHER_FIXTURES = sorted(p for p in HELDOUT13.parent.glob("*.jsonl") if p != HELDOUT13)
EDUCATION = {"artcompiler/L110"}


def load() -> tuple[dict, list[dict]]:
    lines = HELDOUT13.read_text().splitlines()
    return json.loads(lines[0]), [json.loads(line) for line in lines[1:] if line.strip()]


def test_heldout13_names_its_sources_and_is_all_held_out():
    header, cases = load()
    sources = [v for v in header["_header"].values() if isinstance(v, dict) and "repository" in v]
    assert len(sources) == 4 and all(len(s["commit"]) == 40 and s["licence"] and s["path"] for s in sources)
    assert {c["split"] for c in cases} == {"heldout"} and header["n"] == header["heldout"] == len(cases) >= 60
    assert {c["source"] for c in cases} == {s["repository"] for s in sources}
    assert {c["label_source"] for c in cases} == {"test"} and all(c["options"] == {} for c in cases)
    assert 0.2 < sum(c["label"] for c in cases) / len(cases) < 0.8  # both verdicts well represented
    assert len({(c["gold"], c["candidate"]) for c in cases}) == len(cases)
    education = sum(c["source"] in EDUCATION for c in cases)
    assert set(header["_header"]["education_sources"]) == EDUCATION and education * 3 <= len(cases)
    assert header["_header"]["education_share"] == round(education / len(cases), 3)
    assert header["_header"]["left_out"]  # what was left out, and why, is counted in the header


def test_heldout13_repeats_no_pair_of_the_other_fixture_files():
    """Counts only: a pair that another fixture file holds would not be fresh."""
    _, cases = load()
    ours = {(c["gold"], c["candidate"]) for c in cases}
    shared = 0
    for path in OTHER_FIXTURES:
        records = [json.loads(line) for line in path.read_text().splitlines()[1:] if line.strip()]
        shared += len(ours & {(r.get("gold"), r.get("candidate")) for r in records})
    assert shared == 0, f"{shared} pairs of heldout13 are in other fixture files"


@pytest.fixture(scope="module")
def verdicts():
    _, cases = load()
    return cases, text_verdicts([(c["gold"], c["candidate"]) for c in cases])


def test_heldout13(verdicts):
    """Scored as raw texts, as the other held-out sets are (`text_verdicts`, the answer extracted first; a
    verdict that is not True, a time-out included, counts as "not equal"). Measured once by its builder (helper U,
    eleventh session) with the checker of commit 288c424 (niced, load ~3.5), before any rule was written against
    this set: 0.800 (56/70), **4 false positives**, 10 false negatives; 10 verdicts were not True or False (4 of
    them time-outs); Math-Verify direct (`verify(parse(gold), parse(candidate))`, its own 5 s time-outs) 0.743
    (52/70), 3 false positives, 15 false negatives, 1 time-out. Scored again by the lead with the same code on a
    quieter machine (counts only), every verdict decided: **0.829 (58/70), 6 false positives**, 6 false negatives:
    under load, time-outs had hidden two false positives as "not equal". So the test allows the 6 measured false
    positives (the checker's known defect on this set, for the next session) and fails on a seventh, and below
    53/70 agreement (for time-outs under load). Counts only in messages, and no description of the wrong pairs
    anywhere: the set stays held out. Opened in the twelfth session (helper W, branch w12) and fixed by kind
    (docs/rewards.md, "Rules by kind (twelfth session)"): 0.986 (69/70), **0 false positives**, 1 false negative
    (a source's convention, kept: a list's last number taken as its answer). **In-sample since**: the test fails on
    any false positive and below 66/70 (three pairs under, for time-outs under load)."""
    cases, found = verdicts
    wrong = sum((v is True) != c["label"] for c, v in zip(cases, found))
    false_positives = sum(v is True and not c["label"] for c, v in zip(cases, found))
    assert false_positives == 0, f"{false_positives} false positives on heldout13"
    assert len(cases) - wrong >= 66, f"heldout13 agreement {1 - wrong / len(cases):.3f} ({wrong} wrong)"

"""heldout11.jsonl: an eleventh-session set from seven sources no other fixture cites; held out until its one scoring,
then opened and fixed against by kind in the same session (in-sample from then on)."""

import json
from pathlib import Path

import pytest

from reasoncraft.rewards.checker import text_verdicts

HELDOUT11 = Path(__file__).parent / "fixtures" / "checker_cases" / "heldout11.jsonl"
EDUCATION = {"Khan/perseus"}  # KAS, an education checker: at most about a third of the pairs


def load() -> tuple[dict, list[dict]]:
    lines = HELDOUT11.read_text().splitlines()
    return json.loads(lines[0]), [json.loads(line) for line in lines[1:] if line.strip()]


def test_heldout11_names_its_sources_and_is_all_held_out():
    header, cases = load()
    sources = [v for v in header["_header"].values() if isinstance(v, dict) and "repository" in v]
    assert len(sources) == 7 and all(len(s["commit"]) == 40 and s["licence"] and s["path"] for s in sources)
    assert {c["split"] for c in cases} == {"heldout"} and header["n"] == header["heldout"] == len(cases) >= 90
    assert {c["source"] for c in cases} == {s["repository"] for s in sources}
    assert {c["label_source"] for c in cases} == {"test"} and all(c["options"] == {} for c in cases)
    assert 0.2 < sum(c["label"] for c in cases) / len(cases) < 0.8  # both verdicts well represented
    assert len({(c["gold"], c["candidate"]) for c in cases}) == len(cases)
    assert sum(c["source"] in EDUCATION for c in cases) <= len(cases) / 3
    assert header["_header"]["left_out"]  # what was left out, and why, is counted in the header


@pytest.fixture(scope="module")
def verdicts():
    _, cases = load()
    return cases, text_verdicts([(c["gold"], c["candidate"]) for c in cases])


def test_heldout11(verdicts):
    """Scored as raw texts, as the other held-out sets are (`text_verdicts`, the answer extracted first; a
    verdict that is not True, a time-out included, counts as "not equal"). Measured once with the checker of
    the eleventh session's start commit 200ca8b (snapshot, load ~1.4, niced, 3 s deadline), before any rule
    of that session: 0.862 (81/94), 2 false positives, 11 false negatives, 0 time-outs; Math-Verify direct
    (`verify(parse(gold), parse(candidate))`, its own 5 s time-outs) 0.670 (63/94), 3 false positives, 28 false
    negatives. **In-sample since**: its 13 wrong pairs were then opened and rules written for their kinds
    (docs/rewards.md, "Rules by kind (eleventh session)"; tests/test_rewards_heldout11_kinds.py): 1.000 (94/94),
    no false positive, slowest pair under 1 s (load ~1). So no false positive is allowed, and the floor 0.96
    leaves three pairs for time-outs under load. Not a measure of unseen pairs any more."""
    cases, found = verdicts
    wrong = sum((v is True) != c["label"] for c, v in zip(cases, found))
    false_positives = sum(v is True and not c["label"] for c, v in zip(cases, found))
    agreement = 1 - wrong / len(cases)
    assert false_positives == 0, f"{false_positives} false positives on heldout11"
    assert agreement >= 0.96, f"heldout11 agreement {agreement:.3f} ({wrong} wrong)"

"""heldout14.jsonl: a twelfth-session held-out set, four sources no other fixture cites; scored before any rule of the
session, then opened and fixed by kind (in-sample since)."""

import pytest

from heldout_sets import checked_header, score, shared_with_other_fixtures

EDUCATION = {"Doenet/math-expressions"}


def test_heldout14_names_its_sources_and_is_all_held_out():
    header, cases, sources = checked_header("heldout14", sources=4, at_least=70)
    assert all(sum(c["source"] == s["repository"] for c in cases) <= 0.4 * len(cases) for s in sources)
    education = sum(c["source"] in EDUCATION for c in cases)
    assert set(header["_header"]["education_sources"]) == EDUCATION and education * 3 <= len(cases)
    assert header["_header"]["education_share"] == round(education / len(cases), 3)


def test_heldout14_repeats_no_pair_of_the_other_fixture_files():
    """Counts only: a pair that another fixture file holds would not be fresh."""
    assert shared_with_other_fixtures("heldout14") == 0


@pytest.fixture(scope="module")
def verdicts():
    return score("heldout14")


def test_heldout14(verdicts):
    """Scored as raw texts, as the other held-out sets are (`text_verdicts`, the answer extracted first; a
    verdict that is not True, a time-out included, counts as "not equal"). Measured once by its builder (helper V,
    twelfth session) from the snapshot of the session's start commit f154d81 (niced, load ~2.0 rising to ~3.2),
    before any rule was written against this set: 0.951 (97/102), **0 false positives**, 5 false negatives; 1
    verdict was not True or False (a time-out). Math-Verify direct (`verify(parse(gold), parse(candidate))`, its
    own 5 s time-outs) 0.461 (47/102), 8 false positives, 47 false negatives, no time-out. With main's HEAD fa3a5dd
    (the same checker code as f154d81; load ~1.5): 0.951 (97/102), 0 false positives, 5 false negatives, every verdict
    decided. So the test fails on any false positive, and below 94/102 agreement (room for time-outs under load).
    Counts only in messages, and no description of the wrong pairs anywhere: the set stays held out.
    Twelfth session, helper Y: the set was then OPENED (so it is in-sample now) and its five misses fixed by kind
    (`rewards/funcspell.py`): 1.000 (102/102), 0 false positives, every verdict decided; the floor is tightened to
    99/102 (room for time-outs under load)."""
    n, agreeing, false_positives = verdicts
    assert false_positives <= 0, f"{false_positives} false positives on heldout14"
    assert agreeing >= 99, f"heldout14 agreement {agreeing / n:.3f} ({n - agreeing} wrong)"

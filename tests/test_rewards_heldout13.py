"""heldout13.jsonl: a third eleventh-session held-out set, four sources no other fixture cites; held out then, opened
and fixed by kind in the twelfth session (in-sample since)."""

import pytest

from heldout_sets import checked_header, score, shared_with_other_fixtures

EDUCATION = {"artcompiler/L110"}


def test_heldout13_names_its_sources_and_is_all_held_out():
    header, cases, _ = checked_header("heldout13", sources=4, at_least=60)
    education = sum(c["source"] in EDUCATION for c in cases)
    assert set(header["_header"]["education_sources"]) == EDUCATION and education * 3 <= len(cases)
    assert header["_header"]["education_share"] == round(education / len(cases), 3)


def test_heldout13_repeats_no_pair_of_the_other_fixture_files():
    """Counts only: a pair that another fixture file holds would not be fresh."""
    assert shared_with_other_fixtures("heldout13") == 0


@pytest.fixture(scope="module")
def verdicts():
    return score("heldout13")


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
    n, agreeing, false_positives = verdicts
    assert false_positives == 0, f"{false_positives} false positives on heldout13"
    assert agreeing >= 66, f"heldout13 agreement {agreeing / n:.3f} ({n - agreeing} wrong)"

"""heldout17.jsonl: a thirteenth-session fresh held-out set (four sources no other fixture cites, none reused),
measured unseen, then opened at the session's end (in-sample now; heldout18 is the next unseen set)."""

import pytest

from heldout_sets import checked_header, score, shared_with_other_fixtures

EDUCATION = {"pie-framework/math-validation", "pie-framework/pie-lib"}
FALSE_POSITIVES = 0  # one measured at 9c5d5f4 and at the session's end, fixed by kind once the set was opened
FLOOR = 87  # of 91: the 88 after opening less one pair of room for a time-out under load


def test_heldout17_names_its_sources_and_is_all_held_out():
    header, cases, records = checked_header("heldout17", sources=4, at_least=85)
    repositories = {s["repository"] for s in records}
    assert len(repositories) == 4
    assert all(sum(c["source"] == r for c in cases) * 2 < len(cases) for r in repositories)  # none half or more
    education = sum(c["source"] in EDUCATION for c in cases)
    assert set(header["_header"]["education_sources"]) == EDUCATION
    assert header["_header"]["education_share"] == round(education / len(cases), 3)  # recorded, not held to half
    assert header["_header"]["reused_sources"] == []  # no source of another fixture file


def test_heldout17_repeats_no_pair_of_the_other_fixture_files():
    """Counts only: a pair that another fixture file holds would not be fresh."""
    assert shared_with_other_fixtures("heldout17") == 0


@pytest.fixture(scope="module")
def verdicts():
    return score("heldout17")


def test_heldout17(verdicts):
    """Scored as raw texts, as the other held-out sets are (`text_verdicts`, the answer extracted first; a
    verdict that is not True, a time-out included, counts as "not equal"). Measured once by its builder (helper A,
    thirteenth session) from the snapshot of the session's start commit 9c5d5f4 (niced, load ~1.9), before any rule
    was written against this set: 0.945 (86/91), **1 false positive**, 4 false negatives, every verdict decided.
    Math-Verify direct (`verify(parse(gold), parse(candidate))`) 0.703 (64/91), 3 false positives, 24 false
    negatives, no failure. At the session's end (8132f77, with helpers B's and D's rules and the lead's, counts
    only): 0.956 (87/91), still 1 false positive. So the test allows the one measured false positive and fails on a
    second, and fails below 85/91 agreement (one pair of room for a time-out under load). Then, at the very end of
    the thirteenth session, the lead opened the set: its false positive was `2 * \\frac{1}{2}` read as the mixed
    number `2\\frac{1}{2}` (a product sign before a fraction was dropped; fixed by kind in plaintext.py, tests in
    test_rewards_mixed_numbers.py): 0.967 (88/91), 0 false positives, in-sample now. The three left are equations its
    source calls equal because they have the same solutions after rearranging (`\\sin x = y` for `x = \\sin^{-1} y`,
    and one multiplied through by y): a convention this checker does not take. The test fails on any false positive
    and below 87/91."""
    n, agreeing, false_positives = verdicts
    assert false_positives <= FALSE_POSITIVES, f"{false_positives} false positives on heldout17"
    assert agreeing >= FLOOR, f"heldout17 agreement {agreeing / n:.3f} ({n - agreeing} wrong)"

"""heldout12.jsonl: a second eleventh-session held-out set, six sources no other fixture cites; held out then,
opened in the twelfth session (in-sample since)."""

import pytest

from heldout_sets import checked_header, score, shared_with_other_fixtures


def test_heldout12_names_its_sources_and_is_all_held_out():
    header, _, _ = checked_header("heldout12", sources=6, at_least=80)
    assert header["_header"]["education_share"] == 0  # all six are ML training or evaluation projects


def test_heldout12_repeats_no_pair_of_the_other_fixture_files():
    """Counts only: a pair that another fixture file holds would not be fresh."""
    assert shared_with_other_fixtures("heldout12") == 0


@pytest.fixture(scope="module")
def verdicts():
    return score("heldout12")


def test_heldout12(verdicts):
    """Scored as raw texts, as the other held-out sets are (`text_verdicts`, the answer extracted first; a
    verdict that is not True, a time-out included, counts as "not equal"). Measured once with the checker of
    the eleventh session's start commit 200ca8b (snapshot, load ~1.4, niced, 3 s deadline), before any rule
    of that session was written against this set: 0.968 (92/95), **0 false positives**, 3 false negatives,
    0 time-outs; Math-Verify direct (`verify(parse(gold), parse(candidate))`, its own 5 s time-outs) 0.737
    (70/95), 2 false positives, 23 false negatives, 0 time-outs. The test fails on any false positive and
    below 89/95 agreement (three pairs under the measured figure, for time-outs under load). Counts only in
    messages, and no description of the wrong pairs anywhere: the set stays held out. Scored again (counts
    only) with the session's end code d2801ce (helper Q's, helper T's and the lead's rules, none written
    against this set): 0.979 (93/95), 0 false positives, 2 false negatives. Once in between, by accident,
    with helper Q's commit 8f01776: 0.958, 1 false positive (tests/fixtures/checker_cases/README.md). Opened in the
    twelfth session (helper W, branch w12): its two misses were a label before the answer (a rule now) and an
    inequality for an interval gold (this project's documented convention, kept): 0.989 (94/95), 0 false
    positives, 1 false negative. **In-sample since**: the bound is three pairs under, for time-outs under load."""
    n, agreeing, false_positives = verdicts
    assert false_positives <= 0, f"{false_positives} false positives on heldout12"
    assert agreeing >= 91, f"heldout12 agreement {agreeing / n:.3f} ({n - agreeing} wrong)"

"""math_equal / math_verdict: agreement with hand labels, attacks, deadlines, threads."""

import json
import threading
import time
from pathlib import Path

import pytest

import reasoncraft.rewards.checker as checker_module
from reasoncraft.rewards import MathChecker, RewardFailure, is_failure, math_equal, math_equal_many, math_verdict
from reasoncraft.rewards.checker import text_equal, text_verdicts

FIXTURE = Path(__file__).parent / "fixtures" / "math_equal_pairs.jsonl"
CASES = Path(__file__).parent / "fixtures" / "checker_cases"
CASE_FILES = ("mathverify", "others", "nemo_skills", "inspect_ai", "more_sources", "other_languages")  # later: 3-6
NEW_HELDOUT = "new_heldout"  # eighth session: four more sources; examined in the ninth, so now in-sample
HELDOUT9 = "heldout9"  # ninth session: nine more sources, split by seed 20 into dev and held-out halves
HELDOUT9B = "heldout9b"  # ninth session, second helper: three more sources; fixed against in the tenth (in-sample)
ATTACKS = {
    "tower10": r"\boxed{10^{10^{10^{10}}}}",
    "tower5": "5^{5^{5^{5^5}}}",
    "one_megabyte": "1" * 1_000_000,
    "code": "__import__('os').system('touch /tmp/reasoncraft-pwned')",
}
LIMIT_S = 5.0


def load_pairs():
    return [json.loads(line) for line in FIXTURE.read_text().splitlines() if line.strip()]


def test_fixture_is_varied_and_large_enough():
    pairs = load_pairs()
    categories = {p["category"] for p in pairs}
    assert len(pairs) >= 150
    assert {
        "fraction",
        "decimal",
        "interval",
        "several",
        "matrix",
        "units_text",
        "percent",
        "degrees",
        "equation",
    } <= categories
    assert 0.3 < sum(p["label"] for p in pairs) / len(pairs) < 0.8  # both labels well represented


def test_agreement_with_hand_labels_and_no_false_positive():
    pairs = load_pairs()
    verdicts = math_equal_many([(p["gold"], p["candidate"]) for p in pairs])
    wrong = [(p["gold"], p["candidate"], p["label"]) for p, v in zip(pairs, verdicts) if v != p["label"]]
    assert wrong == []  # 1.000: in-sample, the checker was fixed against these pairs


def load_cases(name: str) -> tuple[dict, list[dict]]:
    lines = (CASES / f"{name}.jsonl").read_text().splitlines()
    return json.loads(lines[0]), [json.loads(line) for line in lines[1:] if line.strip()]


@pytest.fixture(scope="module")
def case_verdicts():
    """Every case of both files, checked in one batch as raw texts (answer extracted first)."""
    out = {}
    for name in (*CASE_FILES, NEW_HELDOUT, HELDOUT9, HELDOUT9B):
        _, cases = load_cases(name)
        out[name] = list(zip(cases, text_verdicts([(c["gold"], c["candidate"]) for c in cases])))
    return out


def _score(rows) -> tuple[float, list, list]:
    wrong = [(c["gold"][:80], c["candidate"][:80]) for c, v in rows if (v is True) != c["label"]]
    false_positives = [(c["gold"][:80], c["candidate"][:80]) for c, v in rows if v is True and not c["label"]]
    return 1 - len(wrong) / len(rows), wrong, false_positives


def _wrong_cases(rows) -> list[dict]:
    return [c for c, v in rows if (v is True) != c["label"]]


def test_case_files_name_their_sources_and_split_before_use():
    for name in CASE_FILES:
        header, cases = load_cases(name)
        sources = (
            [header["_header"]]
            if "repository" in header["_header"]
            else [v for v in header["_header"].values() if isinstance(v, dict) and "repository" in v]
        )
        assert sources and all(len(s["commit"]) == 40 and s["licence"] for s in sources)
        assert {c["split"] for c in cases} == {"dev", "heldout"} and header["n"] == len(cases)
        assert sum(c["split"] == "heldout" for c in cases) == header["heldout"]
        assert {c["source"] for c in cases} <= {s["repository"] for s in sources}
    assert len(load_cases("mathverify")[1]) >= 250


def test_math_verify_suite_as_its_tests_call_it(case_verdicts):
    """Math-Verify's own cases on raw gold and prediction strings: >= 95% agreement, no false positive."""
    agreement, wrong, false_positives = _score(case_verdicts["mathverify"])
    dev_wrong = [w for w, c in zip(wrong, _wrong_cases(case_verdicts["mathverify"])) if c["split"] == "dev"]
    n_false_positives = len(false_positives)  # a count: the message must not show held-out cases
    assert n_false_positives == 0, f"{n_false_positives} false positives"
    assert agreement >= 0.95, f"{len(wrong)} wrong; the dev ones: {dev_wrong}"


@pytest.mark.parametrize(
    "name, floor",
    [
        ("mathverify", 0.96),
        ("others", 0.92),
        ("nemo_skills", 0.96),
        ("inspect_ai", 0.93),
        ("more_sources", 0.91),
        ("other_languages", 0.9),
    ],
)
def test_held_out_cases(case_verdicts, name, floor):
    """The seed-split held-out halves. No false positive; agreement at least what was measured (sixth
    session, load 3.9: 0.948 on 134; 0.846 on 13; 1.000 on 28; 0.9375 on 16; 1.000 on 12; 0.800 on 10;
    eighth session, after rules written against these halves, so now in-sample: 0.970, 0.923, 1.000,
    1.000, 1.000, 0.900; floors leave one pair for a time-out under load where n allows). The four
    Math-Verify pairs left need a non-default option of its tests (`precision=2`, `strict=False`,
    `allow_set_relation_comp=True`). The honest held-out figure is `test_new_held_out_set`'s. The
    message gives counts only."""
    agreement, wrong, false_positives = _score([r for r in case_verdicts[name] if r[0]["split"] == "heldout"])
    n_wrong, n_false_positives = len(wrong), len(false_positives)  # counts, so pytest cannot print the cases
    assert n_false_positives == 0, f"{n_false_positives} held-out false positives"
    assert agreement >= floor, f"held-out agreement {agreement:.3f} ({n_wrong} wrong)"


def test_new_held_out_set_names_its_sources_and_is_all_held_out():
    header, cases = load_cases(NEW_HELDOUT)
    sources = [v for v in header["_header"].values() if isinstance(v, dict) and "repository" in v]
    assert len(sources) == 4 and all(len(s["commit"]) == 40 and s["licence"] for s in sources)
    assert {c["split"] for c in cases} == {"heldout"} and header["n"] == header["heldout"] == len(cases) >= 80
    assert {c["source"] for c in cases} == {s["repository"] for s in sources}


def test_new_held_out_set(case_verdicts):
    """Pairs from AReaL, SkyThought, rLLM and slime, gathered before the eighth session's rules and
    not fixed against then. Measured (load 7, a worker deadline long enough for the load): 0.978 before
    that session's rules (2 wrong of 92), 0.978 after them (2 wrong); 0 false positives. The ninth session
    examined its two wrong pairs and wrote rules for their kinds (so it is in-sample now): 1.000. The floor
    leaves one pair for a time-out under load. Counts only in the message."""
    agreement, wrong, false_positives = _score(case_verdicts[NEW_HELDOUT])
    n_wrong, n_false_positives = len(wrong), len(false_positives)
    assert n_false_positives == 0, f"{n_false_positives} false positives on the new held-out set"
    assert agreement >= 0.96, f"new held-out agreement {agreement:.3f} ({n_wrong} wrong)"


def test_ninth_session_set_names_its_sources_and_was_split_by_seed():
    header, cases = load_cases(HELDOUT9)
    sources = [v for v in header["_header"].values() if isinstance(v, dict) and "repository" in v]
    assert len(sources) == 9 and all(len(s["commit"]) == 40 and s["licence"] for s in sources)
    assert header["split_seed"] == 20 and header["n"] == len(cases) >= 100
    assert {c["split"] for c in cases} == {"dev", "heldout"}
    assert sum(c["split"] == "heldout" for c in cases) == header["heldout"]
    assert {c["source"] for c in cases} == {s["repository"] for s in sources}
    assert {c["label_source"] for c in cases} == {"test", "hand"}  # hand: PRIME's example without a verdict


def test_ninth_session_set(case_verdicts):
    """heldout9.jsonl (MARIO_EVAL, NeMo-RL, verifiers, OpenCompass, OpenRLHF, open-r1, Skill-TTRL, PRIME,
    Math_reasoning_rl): rules were written against the dev half only. Measured with a worker deadline long
    enough for the load (load 4-6 on 2 cores, niced): dev 0.898 -> 1.000 (59), held-out 0.851 -> 0.851
    (47), 0 false positives before and after; Math-Verify direct 0.644 and 0.617 with 7 false positives.
    A second helper then opened the held-out half's seven wrong pairs and wrote rules for their kinds (so
    it is in-sample now): held-out 0.979 (46/47; the one left is a convention of its source). Floors
    leave one pair for a time-out under load. Counts only in the messages."""
    rows = case_verdicts[HELDOUT9]
    for split, floor in (("dev", 0.98), ("heldout", 0.95)):
        agreement, wrong, false_positives = _score([r for r in rows if r[0]["split"] == split])
        n_wrong, n_false_positives = len(wrong), len(false_positives)
        assert n_false_positives == 0, f"{split}: {n_false_positives} false positives"
        assert agreement >= floor, f"{split} agreement {agreement:.3f} ({n_wrong} wrong)"


def test_second_ninth_session_set_names_its_sources_and_is_all_held_out():
    header, cases = load_cases(HELDOUT9B)
    sources = [v for v in header["_header"].values() if isinstance(v, dict) and "repository" in v]
    assert len(sources) == 3 and all(len(s["commit"]) == 40 and s["licence"] for s in sources)
    assert {c["split"] for c in cases} == {"heldout"} and header["n"] == header["heldout"] == len(cases) >= 40
    assert {c["source"] for c in cases} == {s["repository"] for s in sources}
    assert {c["label_source"] for c in cases} == {"test"}


def test_second_ninth_session_set(case_verdicts):
    """heldout9b.jsonl (isaacphysics/equality-checker, lm-evaluation-harness, ZeroEval), gathered and scored
    before the rules of the helper that built it were written, and never fixed against. Measured (load ~2,
    niced): 0.691 before (56/81, scored once under a heavier load, 6 time-outs), 0.704 (57/81) for the same
    code rerun beside the new one, 0.728 after (59/81); 1 false positive before and after (`4343_0` read as
    4343, a subscript dropped). The tenth session opened its 22 disagreements (so it is in-sample now) and wrote
    rules for their kinds (plain-text conventions, a number's subscript as its base, a box without braces):
    1.000 (81/81), no false positive, no time-out at the default 3 s deadline (load ~1.5). Then the lead made
    the positive-symbol reading hold only where the written answers are not both real at negative points (a
    fresh source, heldout10, labels `sqrt(x^2)` and `x` unequal, as real-number mathematics does): isaacphysics
    assumes positive quantities, so 4 of its pairs are now called unequal (0.951, 77/81), no false positive. The
    floor leaves two more pairs for time-outs under load. Counts only in the messages."""
    agreement, wrong, false_positives = _score(case_verdicts[HELDOUT9B])
    n_wrong, n_false_positives = len(wrong), len(false_positives)
    assert n_false_positives == 0, f"{n_false_positives} false positives on heldout9b"
    assert agreement >= 0.925, f"heldout9b agreement {agreement:.3f} ({n_wrong} wrong)"


@pytest.mark.parametrize(
    "gold, prediction, expected",
    [
        # relaxations, each a general rule
        (r"(3, \frac{\pi}{2})", "(3, pi/2)", True),  # plain-text math inside a tuple
        (r"2\sqrt{3}", "2*sqrt(3)", True),
        (r"[2, \infty)", "x >= 2", False),  # an interval asked for: a relation is not accepted
        (r"x \ge 2", "[2, inf)", True),  # a relation asked for: its interval is
        (r"0 < f(x) < 1", "(0, 1)", True),
        (r"\{1, 2, 3\}", r"\boxed{1}, \boxed{2}, \boxed{3}", True),
        (r"6, 8", r"6 \text{ and } 8", True),
        ("x=1, x=2", "x = 2 or x = 1", True),
        ("1.22", "1,22", True),
        ("0.111", "0,111", True),
        ("1000", "1 000", True),
        (r"\text{Even}", "even", True),
        ("5", "5th", True),
        ("12", "12 inches", True),
        ("5", "Final Answer: The final answer is 5. I hope it is correct.", True),
        ("34", "Final Answer: The largest $n$ is 34.", True),
        ("9", "Answer $ 9 $", True),
        ("x < 2", "-x > -2", True),  # a negated variable: the relation flips
        ("-2 < x < 3", "-3 < -x < 2", True),
        (r"x < 0 \text{ or } x > 1", r"(-\infty, 0) \cup (1, \infty)", True),  # relations joined by "or"
        (r"x < 0 \text{ or } x > 1", r"x > 1 \text{ or } x < 0", True),
        ("x=1, x=2", "x=1orx=2", True),  # joining word glued between two assignments
        (r"\\boxed{\\frac{1}{2}}", "0.5", True),  # a string escaped twice
        (r"\boxed{12", "12", True),  # a box that never closes
        (r"\emptyset", r"\varnothing", True),  # one spelling of the empty set
        ("5", r"5 \text{ m/s}", True),  # a unit with a slash, written as text
        (r"(2,3),(3,2)", r"(x, y) = (3, 2) \text{ or } (x, y) = (2, 3)", True),  # a tuple of names assigned
        (r"\frac{1}{3}", r"0.\overline{3}", True),  # a repeating decimal, exactly
        ("185", "185\\", True),  # a stray backslash at the end
        ("5", r"\beginboxed{5}", True),  # a mangled box command
        # eighth session, by kind
        ("9", "Answer $$ \n 9 \n $$", True),  # display math after the marker, over several lines
        ("3", "Final Answer: Jane started Sphere 3 hours ago. I hope it is correct.", True),  # one number
        ("1, -2", r"\boxed{-2} and \boxed{1}. Check: \[\boxed{-2} \quad \text{and} \quad \boxed{1}\]", True),
        (r"\boxed{1} is not it; the set is \boxed{2} and \boxed{3}", r"$\{2, 3\}$", True),  # gold: its last run
        ("1/2004!", r"\boxed{1/2004!}", True),  # the gold's own spelling, though over the caps
        # ninth session, by kind (examples made for the kind, not the fixture cases)
        ("3", "3hours", True),  # a unit word of three letters or more glued to its number
        ("7:15", "7:15:00", True),  # a time of day: with seconds, or a.m./p.m.
        ("19:05", r"7:05 \text{p.m.}", True),
        (r"\cos(30^\circ + y)", r"\sin(60^{\circ} - y)", True),  # degrees inside a trig argument with other terms
        ("64", "Answer: _64_", True),  # markdown emphasis around the answer
        ("2x", r"We get \begin{align*} x(x+2) - x^2 &= 2x \end{align*}", True),  # a display environment in prose
        ("3", r"$23 \bmod 5 = 3$", True),  # a true equality whose last side is the answer; an integer remainder
        ("30", "[30 seconds]", True),  # one value in square brackets
        # ninth session, second helper, by kind (examples made for the kind, not the fixture cases)
        ("1-3i", "(1-i)(2-i)", True),  # exact constants of one value; i is the imaginary unit
        ("-1", r"e^{i\pi}", True),
        (r"\frac{1}{2}+\frac{\sqrt{3}}{2}i", r"(-1)^{\frac{1}{3}}", True),  # a power of a negative: principal value
        (r"\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", r"\begin{pmatrix} 1 \\ 2 \end{pmatrix}", True),  # escaped twice
        (r"\begin{pmatrix} 3 \\ -1 \end{pmatrix}", "[3, -1]", True),  # a vector given as a list
        (r"\begin{pmatrix} 3 & -1 \end{pmatrix}", "(3, -1)", True),
        ("f(x) = x^2 - 1", "y = x^2 - 1", True),  # a function's name or the dependent variable's
        (r"\left(\frac{a}{b}\right)^{1/2}", r"\frac{\sqrt{a}}{\sqrt{b}}", True),  # identities for positive symbols
        (r"\ln(x^3)", r"3\ln x", True),
        # counter-cases that must stay wrong
        ("3", "3cm", False),  # a short unit glued to a number stays a product (3cm = 3c m)
        ("19:15", r"7:15 \text{a.m.}", False),
        ("7:15", "7:16:00", False),
        (r"\cos(30^\circ + y)", r"\sin(60 - y)", False),  # without the degree sign, 60 is in radians
        ("x_1", "x", False),  # a subscript is no emphasis
        ("64", "Answer: _65_", False),
        ("4", r"$23 \bmod 5 = 4$", False),  # a false equality: its last side is not trusted
        ("x", r"We get \begin{align*} x(x+2) - x^2 &= 2x \end{align*}", False),
        ("4", r"$23 \bmod 5$", False),
        ("30", "[30, 40]", False),  # an interval, not one value
        ("1-3i", "(1+i)(2-i)", False),
        (r"\frac{1}{2}-\frac{\sqrt{3}}{2}i", r"(-1)^{\frac{1}{3}}", False),  # the conjugate: another branch
        (r"\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", r"\begin{pmatrix} 2 \\ 1 \end{pmatrix}", False),
        (r"\begin{pmatrix} 3 \\ -1 \end{pmatrix}", "[-1, 3]", False),  # entries in another order
        (r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", "[1, 2, 3, 4]", False),  # a square matrix is no list
        ("f(x) = x^2 - 1", "y = x^2 + 1", False),
        ("f(x) = f(x-1) + 2", "y = f(x-1) + 2", False),  # a recurrence: the name recurs on the right
        ("|x|", "x", False),  # an absolute value is not dropped for positive symbols
        (r"\left(\frac{a}{b}\right)^{1/2}", r"\frac{\sqrt{b}}{\sqrt{a}}", False),
        (r"\frac{x}{3}", "0.3333333333x", False),  # a rounded coefficient stays unequal
        ("x < 2", "-x < -2", False),
        ("x < 2", "-x > 2", False),
        (r"x < 0 \text{ or } x > 1", r"(-\infty, 0) \cup [1, \infty)", False),
        (r"x \in [0, 5]", r"0 \le x \le 5", False),  # a set asked for: a relation is not accepted
        (r"x < 0 \text{ or } x > 1", "x < 0", False),
        ("x < 0 or y > 1", "(-inf, 0) U (1, inf)", False),
        ("x=1, x=2, x=3", "x=1orx=2", False),
        ("1", "x=1orx=2", False),
        (r"\boxed{12", "123", False),
        (r"\emptyset", r"\{0\}", False),
        ("5", r"6 \text{ m/s}", False),
        (r"(2,3),(3,2)", r"(x, y) = (2, 3)", False),
        ("0.3", r"0.\overline{3}", False),
        ("185", "18\\", False),
        ("5", r"\beginboxed{6}", False),
        ("8", "Answer $$ \n 9 \n $$", False),
        ("3", "Final Answer: between 3 and 5 hours ago.", False),  # two numbers: no single answer
        ("1, -2", r"\boxed{-2} and \boxed{3}. So \boxed{-2} \quad \text{and} \quad \boxed{1}", False),  # 3 dropped
        ("2, 3", r"\boxed{1} is not it; the set is \boxed{2} and \boxed{3}", False),  # a prediction may hedge
        ("1/2004!", r"\boxed{1/2005!}", False),
        ("3", "3 or 5", False),
        ("3", r"\boxed{3} and \boxed{5}", False),
        ("3", r"\boxed{3}. Wait, no: the count is \boxed{5}", False),
        ("32349", "32, 349", False),
        ("68", "6 8", False),
        ("1000", "1.000", False),
        ("1, 2, 3", "1, 2", False),
        ("[1, 2]", "(1, 2]", False),
        ("(1, 2]", "(1, 2)", False),
        ("x > 2", "[2, inf)", False),
    ],
)
def test_relaxations_and_their_counter_cases(gold, prediction, expected):
    assert text_equal(gold, prediction) is expected


def test_phrases_in_another_case_and_their_counter_case():
    assert math_equal(r"\text{No solution}", "no solution") is True
    assert math_equal("no solution", "one solution") is False
    assert math_equal("AB", "ab") is False  # two letters: a segment and a product, not a word


def _run_in_thread(fn, *args):
    box = {}
    thread = threading.Thread(target=lambda: box.setdefault("value", fn(*args)))
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    return box["value"]


@pytest.mark.parametrize("where", ["main", "thread"])
@pytest.mark.parametrize("name", list(ATTACKS))
def test_attacks_return_false_quickly_and_checker_still_answers(name, where):
    attack = ATTACKS[name]
    call = math_equal if where == "main" else (lambda g, c: _run_in_thread(math_equal, g, c))
    start = time.monotonic()
    assert call("5", attack) is False
    assert call(attack, "5") is False
    assert time.monotonic() - start < LIMIT_S
    assert call(r"\frac{x^2-1}{x-1}", "x+1") is True  # still answers, through the worker
    assert not Path("/tmp/reasoncraft-pwned").exists()


@pytest.mark.parametrize("name", ["tower10", "tower5", "one_megabyte", "code"])
def test_attacks_without_caps_still_bounded(monkeypatch, name):
    """Defence in depth: with the caps switched off the worker's deadline still bounds each attack."""
    monkeypatch.setattr(checker_module, "cap_violation", lambda s: None)
    checker = MathChecker(deadline_s=2.0)
    try:
        checker.verdicts([("1", "1")])
        start = time.monotonic()
        verdict = _run_in_thread(checker.verdicts, [("5", ATTACKS[name])])[0]
        assert time.monotonic() - start < LIMIT_S
        assert verdict is False or is_failure(verdict)
        assert checker.verdicts([("x+1", "1+x")]) == [True]
    finally:
        checker.close()
    assert not Path("/tmp/reasoncraft-pwned").exists()


def test_deadline_kills_worker_and_batch_continues():
    # the soft (in-worker) alarm is longer than the deadline, so only the kill can stop this pair
    checker = MathChecker(deadline_s=1.0, soft_timeout_s=20)
    slow = (r"\sin(x)^{300} \le 1", r"\cos(x)^{300} \le 1")  # sympy needs > 10 s for this
    try:
        assert checker.verdicts([("x+1", "1+x")]) == [True]  # worker started and warm
        start = time.monotonic()
        verdicts = checker.verdicts([("2x", "x+x"), slow, ("x^2", "x \\cdot x"), ("y", "z")])
        elapsed = time.monotonic() - start
    finally:
        checker.close()
    assert verdicts[0] is True and verdicts[2] is True and verdicts[3] is False
    assert is_failure(verdicts[1]) and "deadline" in verdicts[1].reason
    assert checker.restarts == 1
    assert elapsed < LIMIT_S + 2  # one deadline plus a fresh worker's start-up


def test_math_verdict_reports_failure_that_math_equal_hides(monkeypatch):
    checker = MathChecker(deadline_s=0.5, soft_timeout_s=20)
    monkeypatch.setattr(checker_module, "_default", checker)
    try:
        checker.verdicts([("x+1", "1+x")])
        slow = (r"\sin(x)^{300} \le 1", r"\cos(x)^{300} \le 1")
        assert is_failure(math_verdict(*slow))
        assert math_equal(*slow) is False
    finally:
        checker.close()


def test_gold_over_the_caps_is_a_failure_not_a_wrong_answer():
    verdict = math_verdict("9" * 200, "9")
    assert isinstance(verdict, RewardFailure) and "gold" in verdict.reason


def test_concurrent_threads_get_their_own_answers():
    cases = [(f"\\frac{{{n}}}{{2}}", f"{n / 2}", True) for n in range(1, 9)]
    cases += [(f"x+{n}", f"{n}+x", True) for n in range(8)] + [(f"x+{n}", f"{n + 1}+x", False) for n in range(8)]
    results = {}

    def work(k):
        gold, candidate, _ = cases[k]
        results[k] = math_equal(gold, candidate)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(cases))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [results[k] for k in range(len(cases))] == [c[2] for c in cases]


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="must be str"):
        math_equal("1", 1)
    with pytest.raises(TypeError, match="gold, candidate"):
        math_equal_many(["1"])


def _child_check(queue):
    queue.put(math_equal(r"\frac{x^2-1}{x-1}", "x+1"))


def test_forked_child_starts_its_own_worker():
    import multiprocessing

    assert math_equal("x+1", "1+x") is True  # the parent's worker is running
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child_check, args=(queue,))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0 and queue.get(timeout=5) is True
    assert math_equal("2x", "x+x") is True  # and the parent's is untouched

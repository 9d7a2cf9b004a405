"""Answer equivalence: `math_equal(gold, candidate)` and its failure-aware forms.

Order of work for each (gold, candidate) pair, cheapest first:

1. caps (`caps.cap_violation`): a candidate that is too long, too deeply nested, an exponent
   tower or code-like is not equal, decided in microseconds without parsing;
2. units (`units.unit_verdict`): when both answers carry a known unit, different units are not equal (`3 cm`
   vs `3 m`), units of one dimension are converted exactly (`5 km` = `5000 m`), and the same unit in any
   spelling leaves the bare values to the steps below; two temperatures are compared in kelvin
   (`temperature`: `0 K` = `-459.67 °F`);
3. exact paths (`exact.cheap_verdict`): identical after normalisation, both plain numbers
   compared exactly with `fractions.Fraction`, or ruled out by `prose.prose_verdict` (a sentence
   with no trace of a short math gold) or `numeric.numeric_verdict` (both sides evaluate, by a small
   parser that never calls eval, to clearly different values); those two can only say False;
4. Math-Verify (LaTeX parser + sympy) in a separate worker *process*, fed in batches over a pipe.
   Each answer has a budget of the worker's CPU time (2 s), so that a verdict does not depend on how
   busy the machine is, and a hard wall-clock deadline measured here (5 s) as the backstop; on overrun
   the process is killed and a fresh one is started, so a pathological answer costs at most the
   deadline and the checker keeps answering. This works from any thread (no `signal.alarm` in the
   caller) and no path evaluates the text (the worker uses only Math-Verify's LaTeX extractor, never
   sympy's `parse_expr`);
5. a candidate found not equal that states a true equality (`17 \\bmod 5 = 2`, `x(x+1) - x^2 = x`) is equal
   when its last side is: every side is checked against the last with steps 1-4 (`_true_equalities`).

`math_verdict` / `math_verdicts` return True, False or a `RewardFailure` (deadline exceeded, worker
died); `math_equal` / `math_equal_many` fold failures into False for callers that want a bool.
Rewards use the verdict forms so that time-outs are counted as failures, never as 0.

Before step 3 both answers are put in one spelling (`plaintext.canonical_pair`): plain-text math
(`sqrt(2)`, `pi`, `**`; a keyboard formula such as `2*a*s + Sin(theta)` or `s == u*t` token by token, see
`plainmath`) in LaTeX, a gold inequality as its interval; the caps are checked again on that spelling.

The per-string work of steps 1-3 (caps, units, spelling, normalisation, exact numbers) is memoised per
distinct string (`memo`): a gold answer scored against G completions, or a repeated candidate, is read once.

`text_verdicts` / `text_equal` take raw texts instead of answers (a dataset's solution, a model's
prose): the answer is extracted from each side first (`extract.final_answer`, as Math-Verify's
`parse` does), then checked as above. The accuracy reward extracts with the stricter
`extract.extract_answer` (an explicit `<answer>`, `\\boxed{}` or "Answer:" only) and then calls the
same `math_verdicts`.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import select
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from .approx import stated_approximation
from .attacks import refused_answer
from .base import RewardFailure
from .benchgolds import article_word, benchmark_verdict, bracketed_numeral, outer_group, power_in_words
from .caps import cap_violation
from .exact import cheap_verdict
from .extract import final_answer
from .hidden import visible_text
from .normalize import _strip_delimiters, prepare_for_sympy
from .notations import notation_pair
from .orders import order_verdict
from .plaintext import canonical_pair
from .relations import relation_verdict, two_named_relations
from .setops import evaluated_sets
from .statements import all_equal, stated_answers
from .temperature import temperature_verdict
from .unevaluated import unevaluated_answer
from .units import glued_like, read_quantity, unit_verdict

__all__ = [
    "MathChecker",
    "math_equal",
    "math_equal_many",
    "math_verdict",
    "math_verdicts",
    "default_checker",
    "text_verdicts",
    "text_equal",
]

_WORKER = Path(__file__).with_name("_verify_worker.py")
_CHUNK_BYTES = 32 * 1024  # below the pipe buffer, so a write never blocks on a stuck worker


class _WorkerDied(Exception):
    pass


# a unit word of three letters or more glued to its number: `10weeks`, `5hours` (`10cm`, `10m` stay products)
_GLUED_UNIT_WORD = re.compile(r"\s*[-+]?\d[\d.,]*[A-Za-z]{3,}\.?\s*")
# what makes `A = B` something other than a statement that two expressions are equal
_NOT_AN_IDENTITY = re.compile(r"[<>,;]|\\(?:le|ge|leq|geq|ne|neq|approx|in|pm|mp)(?![A-Za-z])|≤|≥|≠|±")
_MAX_SIDES = 6  # an equality chain longer than this is no worked answer (`a = b = c = d` is 4 sides)
_LONE_NAME = re.compile(r"\s*(?:[A-Za-z]|\\[A-Za-z]+)(?:_\{?\w+\}?)?(?:\(\s*[A-Za-z]\s*\))?\s*")


_DOLLAR = re.compile(r"(?<!\\)\$+")  # a math-span delimiter, not the currency sign `\$`
# what may stand between two math spans of one answer: commas, `or`, `and`, spacing
_SPAN_JOINER = re.compile(r"(?:\s|,|;|\bor\b|\band\b|\\quad|\\text\{\s*(?:or|and)\s*\})*", re.IGNORECASE)


def _spans_as_list(answer: str) -> str:
    """An answer of several math spans joined by words (`5 \\text{ cm}$ or $6 \\text{ cm}`, as an answer sentence
    leaves it) as the comma list of the spans, which the rules read as a list (so `or` is a hedge); anything else
    unchanged. Before, a span with a unit glued the words together and Math-Verify read the first span alone."""
    pieces = _DOLLAR.split(answer.strip())
    if len(pieces) < 3:
        return answer
    if not pieces[0].strip() and not pieces[-1].strip():  # `$A$ or $B$`: the outer delimiters
        pieces = pieces[1:-1]
    spans, between = pieces[0::2], pieces[1::2]
    if len(spans) < 2 or not all(p.strip() for p in spans) or not all(_SPAN_JOINER.fullmatch(b) for b in between):
        return answer
    return ", ".join(p.strip() for p in spans)


# a currency other than the dollar, by its sign or code (`€50`, `Rs. 50`): against a bare number, the amount decides
_CURRENCY = re.compile(r"[€£¥₹]|\b(?:USD|EUR|GBP|JPY|INR|CNY|RMB|Rs)\b")


def _unglued(answer: str, quantity) -> str:
    """The value of a quantity whose unit the later steps cannot drop (`10weeks`, `€50`), against a bare number."""
    if quantity is not None and (_GLUED_UNIT_WORD.fullmatch(answer) or _CURRENCY.search(answer)):
        return quantity.value
    return answer


def _equality_chain(answer: str) -> list[str] | None:
    """The sides of `A = B (= C ...)` split at the top level (`17 \\bmod 5 = 2`,
    `x(x+1)-x^2 = x`), or None: no `=`, another relation, or a lone name on the left (`x = 5`, which
    `normalize` reads as the value)."""
    s = _strip_delimiters(answer)
    if "=" not in s or _NOT_AN_IDENTITY.search(s):
        return None
    sides, depth, start = [], 0, 0
    for i, ch in enumerate(s):
        depth += (ch in "{([") - (ch in "})]")
        if ch == "=" and depth == 0:
            sides.append(s[start:i].strip())
            start = i + 1
    sides.append(s[start:].strip())
    if len(sides) < 2 or not all(sides) or _LONE_NAME.fullmatch(sides[0]):
        return None
    return sides


class MathChecker:
    """A Math-Verify worker process with a hard per-answer deadline; safe to share between threads.

    cpu_budget_s: CPU seconds the worker may spend on one pair; past it the pair is a RewardFailure and the
        worker goes on. CPU time, not wall time, so that a loaded machine (the worker getting a share of a
        core) does not turn slow-but-decidable pairs into time-outs: verdicts are the same under load.
    deadline_s: wall-clock seconds one pair may spend in the worker before it is killed (the backstop,
        and the most a pair can cost whatever the load).
    startup_timeout_s: seconds allowed for a fresh worker to import Math-Verify.
    memory_limit_mb: address-space limit of the worker process.
    soft_timeout_s: Math-Verify's own per-step alarm inside the worker (wall clock, whole seconds); hitting
        it is reported as a RewardFailure without killing the worker. Default: deadline_s - 1, >= 1.
    """

    def __init__(
        self,
        deadline_s: float = 5.0,
        startup_timeout_s: float = 60.0,
        memory_limit_mb: int = 4096,
        soft_timeout_s: int | None = None,
        cpu_budget_s: float = 2.0,
    ):
        if deadline_s <= 0:
            raise ValueError(f"deadline_s must be > 0 seconds: got {deadline_s}")
        if cpu_budget_s <= 0:
            raise ValueError(f"cpu_budget_s must be > 0 seconds: got {cpu_budget_s}")
        self.cpu_budget_s = cpu_budget_s
        if soft_timeout_s is not None and (int(soft_timeout_s) != soft_timeout_s or soft_timeout_s < 1):
            raise ValueError(f"soft_timeout_s must be a whole number of seconds >= 1: got {soft_timeout_s}")
        self.deadline_s = deadline_s
        self.startup_timeout_s = startup_timeout_s
        self.memory_limit_mb = memory_limit_mb
        self._inner_timeout = int(soft_timeout_s) if soft_timeout_s else max(1, int(deadline_s) - 1)
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._owner_pid = 0
        self._ready = False
        self._buf = b""
        self.restarts = 0  # workers killed or lost so far (for logs and tests)
        self.worker_pairs = 0  # pairs sent to Math-Verify so far: the slow path (for logs and benchmarks)

    # --- public -------------------------------------------------------------------------------

    def verdicts(self, pairs: Iterable[tuple[str, str]]) -> list:
        """True / False / RewardFailure for each (gold, candidate) pair, in order."""
        pairs = list(pairs)
        results: list = [None] * len(pairs)
        pending: list[tuple[int, str, str]] = []
        for k, pair in enumerate(pairs):
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
                raise TypeError(f"pair {k} must be a (gold, candidate) tuple of strings: got {pair!r:.80}")
            gold, candidate = pair
            if not isinstance(gold, str) or not isinstance(candidate, str):
                raise TypeError(
                    f"pair {k}: gold and candidate must be str, got {type(gold).__name__} and "
                    f"{type(candidate).__name__}; convert numbers with str() first"
                )
            if gold.strip() and gold.strip() == candidate.strip():
                results[k] = True  # the gold's own spelling: equal without reading it (`1/2004!` is over the caps)
                continue
            gold, candidate = visible_text(gold), visible_text(candidate)  # `\\phantom{6}5` shows 5 (`hidden`)
            gold, candidate = _spans_as_list(gold), _spans_as_list(candidate)
            gold, candidate = outer_group(gold), article_word(gold, outer_group(candidate))  # `{15 cm}`, `an ellipse`
            candidate = power_in_words(candidate)  # `7 squared` is 7^2, not 7 with a unit dropped (`benchgolds`)
            gold, candidate = bracketed_numeral(gold), bracketed_numeral(candidate)  # `(52)_{8}` (`benchgolds`)
            if unevaluated_answer(gold, candidate):  # `\\int_0^1 x\\,dx` for 1/2: the question restated (`unevaluated`)
                results[k] = False
                continue
            if refused_answer(gold, candidate):  # `\\gcd(10,15)`, `5 \\text{ (or 6)}`, `(x+1)^{9999}` (`attacks`)
                results[k] = False
                continue
            candidate = stated_approximation(gold, candidate)  # `\\sqrt{2} \\approx 1.41` for the gold 1.41 (`approx`)
            gold, candidate = evaluated_sets(gold), evaluated_sets(candidate)  # `\{1,2\} \setminus \{2\}` (`setops`)
            reason = cap_violation(gold)
            if reason is not None:
                results[k] = RewardFailure(f"gold answer refused by the checker caps: {reason}")
                continue
            if cap_violation(candidate) is not None:
                results[k] = False
                continue
            gold, candidate = notation_pair(gold, candidate)  # `C(5,2)`, `\hat{i} + 2\hat{j}`, `(B) 12` (`notations`)
            if (by_order := order_verdict(gold, candidate)) is not None:  # `1:2:3`, `B \cup A`
                results[k] = by_order
                continue
            if (by_temperature := temperature_verdict(gold, candidate)) is not None:  # `0 K` = `-459.67 °F`
                results[k] = by_temperature
                continue
            g_quantity, c_quantity = read_quantity(gold), read_quantity(candidate)
            g_quantity, c_quantity = (
                g_quantity or glued_like(gold, c_quantity),
                c_quantity or glued_like(candidate, g_quantity),
            )
            if g_quantity is not None and c_quantity is not None:  # a unit on both sides (`units`)
                by_unit = unit_verdict(g_quantity, c_quantity)
                if by_unit is not None:
                    results[k] = by_unit
                    continue
                gold, candidate = g_quantity.value, c_quantity.value  # the same unit: the values decide
            elif g_quantity is not None or c_quantity is not None:  # `10weeks` against 10
                gold, candidate = _unglued(gold, g_quantity), _unglued(candidate, c_quantity)
            gold, candidate = canonical_pair(gold, candidate)
            if cap_violation(gold) is not None or cap_violation(candidate) is not None:
                # a spelling the caps only see once rewritten (`factorial(10000)` is `(10000)!`)
                results[k] = False if cap_violation(gold) is None else RewardFailure("gold answer over the caps")
                continue
            quick = relation_verdict(gold, candidate)  # `y = x` is a relation, never the value `x` (`relations`)
            if quick is None and not two_named_relations(gold, candidate):
                quick = benchmark_verdict(gold, candidate)  # `52_8 or 52_9`, `0.\\overline{3}` (`benchgolds`)
                quick = cheap_verdict(gold, candidate) if quick is None else quick
            if quick is not None:
                results[k] = quick
                continue
            pending.append((k, prepare_for_sympy(gold), prepare_for_sympy(candidate)))
        if pending:
            with self._lock:
                self.worker_pairs += len(pending)
                for k, verdict in self._ask_worker(pending):
                    results[k] = verdict
        self._true_equalities(pairs, results)
        return results

    def _true_equalities(self, pairs: list, results: list) -> None:
        """A candidate `A = B` that was found not equal is equal after all when it states a true
        equality whose last side is the gold: `17 \\bmod 5 = 2` for 2, an expansion `x(x+1)-x^2 = x` for
        x. Every side is checked against the last by the same checker, so `23 \\bmod 5 = 4` (false) stays
        not equal to 4. (The worker already reads an equation by its right side, as Math-Verify does:
        `x^2 = 4` against 4 was and is equal; this only adds verdicts where that reading failed.)"""
        chains = {}
        for k, (gold, candidate) in enumerate(pairs):
            if results[k] is not False or "=" in gold or cap_violation(candidate) is not None:
                continue  # over the caps: `Answer:x=` * 10^3 asked the worker once per side, a minute (`attacks`)
            if (sides := _equality_chain(candidate)) is not None and len(sides) <= _MAX_SIDES:
                chains[k] = sides
        if not chains:
            return
        asked = []  # per chain: (gold, last side), then (last side, each earlier side)
        for k, sides in chains.items():
            asked += [(pairs[k][0], sides[-1])] + [(sides[-1], side) for side in sides[:-1]]
        answers = iter(self.verdicts(asked))
        for k, sides in chains.items():
            if all([next(answers) is True for _ in sides]):  # a list, not a generator: consume every answer
                results[k] = True

    def close(self) -> None:
        """Stop the worker process (a later call starts a new one)."""
        with self._lock:
            self._kill()

    # --- worker management --------------------------------------------------------------------

    def _spawn(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, str(_WORKER), str(self.memory_limit_mb), str(self._inner_timeout), str(self.cpu_budget_s)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
        )
        self._owner_pid = os.getpid()
        self._ready = False
        self._buf = b""

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and self._owner_pid == os.getpid():
            proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
        self._ready = False
        self._buf = b""

    def _restart(self) -> None:
        self._kill()
        self.restarts += 1
        self._spawn()  # start importing now, so the next answer does not wait for it

    def _ensure_ready(self) -> None:
        if self._proc is not None and self._owner_pid != os.getpid():
            self._proc = None  # inherited through fork: the parent's worker is not ours to use
        if self._proc is None or self._proc.poll() is not None:
            self._spawn()
        if self._ready:
            return
        line = self._read_line(time.monotonic() + self.startup_timeout_s)
        if line is None:
            self._kill()
            raise _WorkerDied(f"the Math-Verify worker did not start within {self.startup_timeout_s} s")
        message = json.loads(line)
        if not message.get("ready"):
            self._kill()
            raise _WorkerDied(message.get("error", f"unexpected worker greeting {message!r}"))
        self._ready = True

    def _read_line(self, deadline: float) -> bytes | None:
        """One line from the worker, or None at the deadline; raises _WorkerDied on EOF."""
        fd = self._proc.stdout.fileno()
        while b"\n" not in self._buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            readable, _, _ = select.select([fd], [], [], remaining)
            if readable:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise _WorkerDied("the Math-Verify worker exited")
                self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line

    def _chunks(self, pending: Sequence[tuple[int, str, str]]):
        chunk, size = [], 0
        for item in pending:
            line = (json.dumps({"i": item[0], "g": item[1], "c": item[2]}) + "\n").encode()
            if chunk and size + len(line) > _CHUNK_BYTES:
                yield chunk
                chunk, size = [], 0
            chunk.append((item[0], line))
            size += len(line)
        if chunk:
            yield chunk

    def _ask_worker(self, pending: Sequence[tuple[int, str, str]]):
        """Yield (index, verdict) for every pending pair; each pair is tried at most once."""
        for chunk in self._chunks(pending):
            queue = list(chunk)
            while queue:
                try:
                    self._ensure_ready()
                    self._proc.stdin.write(b"".join(line for _, line in queue))
                    self._proc.stdin.flush()
                except (_WorkerDied, OSError) as e:
                    for k, _ in queue:
                        yield k, RewardFailure(f"checker worker unavailable: {e}")
                    self._restart()
                    break
                done = 0
                try:
                    for k, _ in queue:
                        line = self._read_line(time.monotonic() + self.deadline_s)
                        if line is None:
                            yield k, RewardFailure(f"checker deadline of {self.deadline_s} s exceeded")
                            done += 1
                            self._restart()
                            break
                        reply = json.loads(line)
                        if reply.get("i") != k:
                            raise _WorkerDied(f"worker answered {reply.get('i')} for request {k}")
                        yield k, reply["v"] if "v" in reply else RewardFailure(reply.get("f", "checker failure"))
                        done += 1
                except _WorkerDied as e:
                    yield queue[done][0], RewardFailure(f"checker worker died: {e}")
                    done += 1
                    self._restart()
                queue = queue[done:]


_default: MathChecker | None = None
_default_lock = threading.Lock()


def default_checker() -> MathChecker:
    """The process-wide checker behind `math_equal` and the accuracy reward."""
    global _default
    with _default_lock:
        if _default is None:
            _default = MathChecker()
            atexit.register(_default.close)
        return _default


def math_verdicts(pairs: Iterable[tuple[str, str]]) -> list:
    """True / False / RewardFailure for each (gold, candidate) pair, sent to the worker in batches.

    >>> math_verdicts([("1/2", r"\\frac{1}{2}"), ("3", "4"), (r"10^{10^{10^{10}}}", "1")])[:2]
    [True, False]
    """
    return default_checker().verdicts(pairs)


def math_verdict(gold: str, candidate: str):
    """True when `candidate` is mathematically equal to `gold`, False when not, and a
    `RewardFailure` when the checker could not decide (deadline, worker died).

    >>> math_verdict(r"\\left( 3, \\frac{\\pi}{2} \\right)", r"(3, \\pi/2)")
    True
    """
    return math_verdicts([(gold, candidate)])[0]


def math_equal_many(pairs: Iterable[tuple[str, str]]) -> list[bool]:
    """`math_equal` over many pairs at once (one round trip to the worker per batch).

    >>> math_equal_many([("0.5", "50\\\\%"), ("x^2+1", "1+x^2"), ("2", "3")])
    [True, True, False]
    """
    return [v is True for v in math_verdicts(pairs)]


def math_equal(gold: str, candidate: str) -> bool:
    """True when two plain answer strings are mathematically equal; False otherwise, including
    when the checker gave up (use `math_verdict` to see that).

    >>> math_equal("1,000", "1000"), math_equal(r"\\frac{1}{2}", "0.5"), math_equal("x+1", "x+2")
    (True, True, False)
    >>> math_equal("0", "__import__('os').system('echo hacked')")
    False
    """
    return math_verdict(gold, candidate) is True


def text_verdicts(pairs: Iterable[tuple[str, str]]) -> list:
    """`math_verdicts` over raw texts: each side's answer is extracted first (`final_answer`: an
    `<answer>` tag, the boxed answer or answers, "Answer: ...", the text itself when it is math,
    else the last math span or number of prose). A prediction without an answer is False; a gold
    text without one is a RewardFailure.

    >>> text_verdicts([("$\\\\frac{1}{2}$", "Final Answer: The final answer is 1/2. I hope it is correct."),
    ...                (r"\\boxed{1}, \\boxed{2}", r"$\\{2, 1\\}$"), ("$3$", r"\\boxed{3} or \\boxed{5}")])
    [True, True, False]
    """
    results, asked, where = [], [], []
    for k, (gold, prediction) in enumerate(pairs):
        g, stated = final_answer(gold, gold=True), stated_answers(prediction, final_answer)  # (`statements`)
        if g is None:
            results.append(RewardFailure(f"no answer found in the gold text {gold[:60]!r}"))
        elif not stated:
            results.append(False)
        else:
            results.append([])
            asked += [(g, p) for p in stated]
            where += [k] * len(stated)
    for k, verdict in zip(where, math_verdicts(asked)):
        results[k].append(verdict)
    return [all_equal(r) if isinstance(r, list) else r for r in results]  # every answer stated must be equal


def text_equal(gold_text: str, prediction_text: str) -> bool:
    """True when the answers found in two raw texts are equal (see `text_verdicts`).

    >>> text_equal("$x \\\\ge 5$", "Therefore $x \\\\geq 5$ is the solution."), text_equal("32349", "32, 349")
    (True, False)
    """
    return text_verdicts([(gold_text, prediction_text)])[0] is True

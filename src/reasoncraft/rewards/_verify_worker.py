"""The Math-Verify worker process (run by `reasoncraft.rewards.checker`, not imported).

Reads JSON lines `{"i": n, "g": gold, "c": candidate}` on stdin and writes `{"i": n, "v": bool}`
or `{"i": n, "f": reason}` on stdout, one per request, in order. Both answers are parsed with
Math-Verify's LaTeX extractor only: its plain-expression extractor goes through sympy's
`parse_expr`, which evaluates Python, and model text must never be executed. The parent kills and
respawns this process when an answer overruns its deadline; the memory limit stops one answer from
taking the machine down with it.
"""

from __future__ import annotations

import os
import sys

# Run as a script, this folder heads sys.path, and its math.py would shadow the standard `math`.
if sys.path and os.path.realpath(sys.path[0] or ".") == os.path.dirname(os.path.realpath(__file__)):
    sys.path.pop(0)

import json  # noqa: E402
import logging  # noqa: E402

try:
    import resource  # noqa: E402  (POSIX only: elsewhere the deadline alone holds)
except ImportError:
    resource = None


def _limit_memory(megabytes: int) -> None:
    if resource is None:
        return
    try:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):  # refused on this platform: the deadline still holds
        pass


class _TimeoutFlag(logging.Handler):
    """Math-Verify reports its own (signal-based) time-outs only as log warnings; catch them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.hit = False

    def emit(self, record: logging.LogRecord) -> None:
        if "Timeout" in record.getMessage():
            self.hit = True


def main() -> None:
    memory_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 4096
    inner_timeout = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    _limit_memory(memory_mb)
    out = sys.stdout
    try:
        from latex2sympy2_extended import NormalizationConfig
        from math_verify import LatexExtractionConfig, parse, verify
    except Exception as e:  # report why, then stop: the parent turns this into RewardFailure
        out.write(json.dumps({"error": f"cannot import math_verify: {e!r}"}) + "\n")
        out.flush()
        return

    flag = _TimeoutFlag()
    for name in ("math_verify.parser", "math_verify.grader"):
        logger = logging.getLogger(name)
        logger.addHandler(flag)
        logger.propagate = False
    config = [
        LatexExtractionConfig(
            boxed_match_priority=0,
            normalization_config=NormalizationConfig(
                basic_latex=True, units=True, malformed_operators=True, nits=True, boxed="all", equations=False
            ),
        )
    ]
    gold_cache: dict[str, list] = {}

    def parse_answer(answer: str) -> list:
        return parse("\\boxed{" + answer + "}", extraction_config=config, parsing_timeout=inner_timeout)

    # warm up (ANTLR tables, sympy caches) so that the first real answer is not charged for it
    verify(parse_answer("\\frac{x^2+1}{2}"), parse_answer("(1+x^2)/2"), timeout_seconds=inner_timeout)
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        flag.hit = False
        try:
            gold = gold_cache.get(request["g"])
            if gold is None:
                gold = parse_answer(request["g"])
                if len(gold_cache) > 4096:
                    gold_cache.clear()
                gold_cache[request["g"]] = gold
            candidate = parse_answer(request["c"])
            same = bool(gold and candidate and verify(gold, candidate, timeout_seconds=inner_timeout))
            reply = (
                {"i": request["i"], "f": "math-verify time-out"}
                if flag.hit and not same
                else {"i": request["i"], "v": same}
            )
        except MemoryError:
            reply = {"i": request["i"], "f": "math-verify ran out of memory"}
        except Exception:  # an answer Math-Verify cannot handle is not equal
            reply = {"i": request["i"], "v": False}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()

"""Code tasks: HumanEval, MBPP (sanitized) and stdin/stdout problems, scored in the sandbox.

Every task here is scored by the `code` reward (`rewards/code.py`): the program is taken from the
last fenced Python block of the completion and judged by `reasoncraft.sandbox`, with the verdict
decided outside the program's process.

- `humaneval` (164 problems, split "test"): `check(candidate)` from the dataset runs in the judge;
  the candidate's function is reached through the sandbox. The prompt's code (helpers such as
  `poly`) is prepended to the solution, as in the original harness.
- `mbpp` (sanitized, 427 problems): splits by the MBPP README's task ids: test 11-510 (257),
  dev = validation 511-600 (43), train 601-974 (120), prompt 1-10 (7, the paper's few-shot
  examples). Each assert is one test; the question shows the first assert so the model knows the
  function's name and signature (the MBPP paper's prompt).
- `code-stdio`: LeetCode/Codeforces-style problems, a statement plus input/output cases, with a
  small built-in set (`STDIO_EXAMPLES`) or a JSON Lines file of {id, statement, tests:
  [{input, output}], solution?, split?} rows (`data_path=`; `split` defaults to "test").

Data: `data_path=` a local JSON Lines file with the original field names; without it the hub
dataset is loaded with `datasets` (openai/openai_humaneval; google-research-datasets/mbpp,
config "sanitized"; not exercised offline here).
"""

from __future__ import annotations

import ast
import json
import warnings
from functools import lru_cache

from ..rewards.base import get_reward
from ..rewards.code import extract_code
from .base import Problem, Task, read_jsonl
from .registry import register_task

__all__ = ["HumanEvalTask", "MBPPTask", "StdioTask", "STDIO_EXAMPLES"]

_FUNCTION_INSTRUCTION = "Complete the following Python function. Keep its name and signature.\n\n```python\n{code}```"
_STDIO_INSTRUCTION = (
    "{statement}\n\nWrite a complete Python 3 program that reads the input from standard input and "
    "prints the answer to standard output."
)


class _CodeTask(Task):
    default_template = "code"
    primary_reward = "code"

    def __init__(
        self, spec: str = "", template: str | None = None, data_path: str | None = None, timeout_s: float = 10.0
    ):
        super().__init__(template)
        self.data_path = data_path
        self.timeout_s = timeout_s

    def rewards(self) -> dict:
        return {"code": get_reward("code")}

    def extract(self, completion: str) -> str | None:
        return extract_code(completion)

    def reward_fields(self, problem: Problem) -> dict:
        return {"code_tests": self.tests_spec(problem)}

    def tests_spec(self, problem: Problem) -> dict:
        raise NotImplementedError


def _hub_rows(path: str, config: str | None, split: str) -> list[dict]:
    try:
        import datasets
    except ImportError as e:
        raise ImportError(
            f"loading {path} from the hub needs `datasets`; or pass data_path= a local JSON Lines copy"
        ) from e
    try:
        rows = datasets.load_dataset(path, config, split=split)
    except (ConnectionError, OSError, ValueError) as e:
        raise RuntimeError(
            f"could not load {path} ({config or 'default'}, {split}) from the hub: {e}. "
            "Pass data_path= a local JSON Lines copy with the original fields"
        ) from e
    return [dict(r) for r in rows]


@lru_cache(maxsize=8)
def _local_rows(path: str) -> tuple:
    return tuple(read_jsonl(path))


@register_task("humaneval")
class HumanEvalTask(_CodeTask):
    """OpenAI HumanEval (Chen et al. 2021): 164 function-completion problems with unit tests."""

    name = "humaneval"
    splits = ("test",)

    def _split(self, split: str) -> list[Problem]:
        rows = _local_rows(self.data_path) if self.data_path else _hub_rows("openai/openai_humaneval", None, "test")
        problems = []
        for r in rows:
            missing = {"task_id", "prompt", "canonical_solution", "test", "entry_point"} - set(r)
            if missing:
                raise ValueError(f"HumanEval row {r.get('task_id', '?')} lacks {sorted(missing)}")
            problems.append(
                Problem(
                    id=r["task_id"],
                    question=_FUNCTION_INSTRUCTION.format(code=r["prompt"]),
                    answer=r["prompt"] + r["canonical_solution"],
                    fields={"prompt_code": r["prompt"], "test": r["test"], "entry_point": r["entry_point"]},
                )
            )
        return problems

    def tests_spec(self, problem: Problem) -> dict:
        f = problem.fields
        return {
            "kind": "calls",
            "prefix": f["prompt_code"],
            "setup": f["prompt_code"],  # helpers the tests call (poly, encode_cyclic, ...)
            "tests": [f["test"] + f"\n\ncheck({f['entry_point']})\n"],
            "remote_names": [f["entry_point"]],
            "timeout_s": self.timeout_s,
        }


def _mbpp_split(task_id: int) -> str:
    if 11 <= task_id <= 510:
        return "test"
    if 511 <= task_id <= 600:
        return "dev"
    if task_id >= 601:
        return "train"
    return "prompt"  # 1-10: the few-shot examples of the MBPP paper's prompt


@register_task("mbpp")
class MBPPTask(_CodeTask):
    """MBPP sanitized (Austin et al. 2021): hand-verified basic Python problems with asserts."""

    name = "mbpp"
    splits = ("train", "dev", "test", "prompt")

    def _split(self, split: str) -> list[Problem]:
        if self.data_path:
            rows = [r for r in _local_rows(self.data_path) if _mbpp_split(int(r["task_id"])) == split]
        else:
            hub_split = {"train": "train", "dev": "validation", "test": "test", "prompt": "prompt"}[split]
            rows = _hub_rows("google-research-datasets/mbpp", "sanitized", hub_split)
        problems = []
        for r in sorted(rows, key=lambda r: int(r["task_id"])):
            tests = list(r["test_list"])
            problems.append(
                Problem(
                    id=f"mbpp/{r['task_id']}",
                    question=f"{r['prompt']}\nYour code should pass this test:\n\n{tests[0]}",
                    answer=r["code"],
                    fields={"test_list": tests, "test_imports": list(r.get("test_imports") or [])},
                )
            )
        return problems

    def tests_spec(self, problem: Problem) -> dict:
        imports = "\n".join(problem.fields["test_imports"])
        remote, reference_imports = _names_under_test(problem.answer, problem.fields["test_list"])
        return {
            "kind": "calls",
            "setup": "\n".join([imports, *reference_imports]),
            "candidate_setup": imports,
            "tests": problem.fields["test_list"],
            "remote_names": remote,
            "timeout_s": self.timeout_s,
        }


def _names_under_test(reference: str, tests: list[str]) -> tuple[list[str], list[str]]:
    r"""What MBPP's asserts mean by their names, read from the reference solution.

    In the original harness the asserts run in the solution's namespace. Here they run in the judge,
    so: names the reference defines (functions, classes) and the tests use are forwarded to the
    candidate, even one that shadows a built-in (task 126 defines `sum`); modules the reference
    imports and the tests use (task 596 uses `sys`) are imported in the judge. Nothing else of the
    candidate's is reachable from the tests, so a candidate cannot redefine `set` or `sorted` under
    them.

    >>> _names_under_test("import sys\ndef f(x):\n    return x", ["assert f(1) == 1 + sys.maxsize * 0"])
    (['f'], ['import sys'])
    """
    with warnings.catch_warnings():  # some MBPP asserts hold invalid escapes such as '\w'
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        used = {n.id for t in tests for n in ast.walk(ast.parse(t)) if isinstance(n, ast.Name)}
        body = ast.parse(reference).body
    defined, imports = [], []
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in used:
            defined.append(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if any((a.asname or a.name.split(".")[0]) in used for a in node.names):
                imports.append(ast.unparse(node))
    return defined, imports


# A small built-in stdin/stdout set (written for reasoncraft), so the kind works without any data.
STDIO_EXAMPLES = [
    {
        "id": "stdio/sum-two",
        "split": "dev",
        "statement": "Read two integers a and b on one line and print a + b.",
        "tests": [
            {"input": "1 2\n", "output": "3\n"},
            {"input": "-5 5\n", "output": "0\n"},
            {"input": "1000000000 1000000000\n", "output": "2000000000\n"},
        ],
        "solution": "a, b = map(int, input().split())\nprint(a + b)\n",
    },
    {
        "id": "stdio/reverse-words",
        "split": "dev",
        "statement": "Read one line of words separated by single spaces and print the words in reverse order.",
        "tests": [
            {"input": "hello world\n", "output": "world hello\n"},
            {"input": "a\n", "output": "a\n"},
            {"input": "one two three\n", "output": "three two one\n"},
        ],
        "solution": "print(' '.join(input().split()[::-1]))\n",
    },
    {
        "id": "stdio/max-subarray",
        "split": "test",
        "statement": (
            "The first line holds n (1 <= n <= 10^5), the second n integers. Print the largest sum "
            "of a non-empty contiguous subarray."
        ),
        "tests": [
            {"input": "5\n1 -2 3 4 -1\n", "output": "7\n"},
            {"input": "3\n-3 -1 -2\n", "output": "-1\n"},
            {"input": "1\n42\n", "output": "42\n"},
        ],
        "solution": (
            "input()\nbest = cur = None\nfor x in map(int, input().split()):\n"
            "    cur = x if cur is None or cur < 0 else cur + x\n"
            "    best = cur if best is None else max(best, cur)\nprint(best)\n"
        ),
    },
    {
        "id": "stdio/count-primes",
        "split": "test",
        "statement": "Read an integer n (0 <= n <= 10^6) and print how many primes are <= n.",
        "tests": [
            {"input": "10\n", "output": "4\n"},
            {"input": "1\n", "output": "0\n"},
            {"input": "1000000\n", "output": "78498\n"},
        ],
        "solution": (
            "n = int(input())\nsieve = bytearray([1]) * (n + 1)\nsieve[:2] = b'\\x00\\x00'[:n + 1]\n"
            "for i in range(2, int(n ** 0.5) + 1):\n    if sieve[i]:\n"
            "        sieve[i * i::i] = bytearray(len(sieve[i * i::i]))\nprint(sum(sieve))\n"
        ),
    },
    {
        "id": "stdio/balanced",
        "split": "test",
        "statement": (
            "Each of the lines after the first (which holds their count t) is a string of brackets "
            "()[]{}. For each, print YES if it is balanced and NO otherwise."
        ),
        "tests": [
            {"input": "3\n([]{})\n(]\n((\n", "output": "YES\nNO\nNO\n"},
            {"input": "1\n{[()()]}\n", "output": "YES\n"},
        ],
        "solution": (
            "pairs = {')': '(', ']': '[', '}': '{'}\nfor _ in range(int(input())):\n    stack = []\n"
            "    ok = True\n    for ch in input().strip():\n        if ch in '([{':\n"
            "            stack.append(ch)\n        elif not stack or stack.pop() != pairs[ch]:\n"
            "            ok = False\n            break\n    print('YES' if ok and not stack else 'NO')\n"
        ),
    },
]


@register_task("code-stdio")
class StdioTask(_CodeTask):
    """Statement + input/output cases; the whole output must match (lines, trailing spaces ignored)."""

    name = "code-stdio"
    splits = ("dev", "test")

    def __init__(
        self,
        spec: str = "",
        template: str | None = None,
        data_path: str | None = None,
        timeout_s: float = 4.0,
        compare: str = "lines",
    ):
        super().__init__(spec, template, data_path, timeout_s)
        if compare not in ("lines", "tokens"):
            raise ValueError(f"compare must be 'lines' or 'tokens': got {compare!r}")
        self.compare = compare

    def _split(self, split: str) -> list[Problem]:
        rows = list(_local_rows(self.data_path)) if self.data_path else STDIO_EXAMPLES
        problems = []
        for r in rows:
            if r.get("split", "test") != split:
                continue
            if not r.get("tests") or not all({"input", "output"} <= set(t) for t in r["tests"]):
                raise ValueError(f"stdio problem {r.get('id', '?')} needs tests: [{{input, output}}, ...]")
            problems.append(
                Problem(
                    id=str(r["id"]),
                    question=_STDIO_INSTRUCTION.format(statement=r["statement"]),
                    answer=r.get("solution", ""),
                    fields={"tests": json.loads(json.dumps(r["tests"]))},
                )
            )
        return problems

    def tests_spec(self, problem: Problem) -> dict:
        return {
            "kind": "stdio",
            "cases": problem.fields["tests"],
            "compare": self.compare,
            "case_timeout_s": self.timeout_s,
        }

"""open-r1's format rule by name, `code_format`, the pass-rate code reward and TRL's `completion_ids=` call
of the overlong penalty: open-r1's published cases (huggingface/open-r1 tests/test_rewards.py, restated
as data) and hand-worked ones, plus the cases where reasoncraft's `format` is stricter on purpose."""

from __future__ import annotations

import doctest

import pytest

import reasoncraft.rewards.code as code_module
import reasoncraft.rewards.format as format_module
from reasoncraft.rewards import get_reward
from reasoncraft.rewards.code import code_pass_rate_reward, code_reward, has_code_block, make_code_format_reward
from reasoncraft.rewards.format import format_reward, open_r1_format_reward
from reasoncraft.rewards.length import make_overlong_reward
from reasoncraft.sandbox import Sandbox, SandboxUnavailable

try:
    Sandbox().check()
    SANDBOX = True
except SandboxUnavailable:
    SANDBOX = False


def chat(text: str) -> list[dict]:
    return [{"role": "assistant", "content": text}]


@pytest.mark.parametrize("module", [format_module, code_module])
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# ----- format: open-r1's rule by name, and where reasoncraft's is stricter -----------------------------

OPEN_R1_WELL_FORMED = [
    "<think>\nSome reasoning\n</think>\n<answer>\nThe answer\n</answer>",
    "<think>\nI will count each distinct object in the image:\n1. Purple scooter\n2. Red bicycle\n3. Green motorcycle\n"
    "4. Gray sedan\n5. Yellow school bus\n6. Small green double-decker bus\n7. Small red car\n8. Small purple car\n"
    "9. Small gray dirt bike\n\nThere are 9 distinct objects in total.\n</think>\n<answer>\n9\n</answer>",
]
OPEN_R1_MALFORMED = [
    "<think>Only thinking</think>",
    "<answer>Only answer</answer>",
    "No tags at all",
    "<think>Missing closing</think><answer>Missing closing",
    "<think>Wrong order</answer><answer>Wrong order</think>",
]


@pytest.mark.parametrize("text", OPEN_R1_WELL_FORMED)
def test_open_r1_format_accepts_its_cases_and_so_does_format(text):
    assert open_r1_format_reward([chat(text)]) == [1.0]
    assert format_reward([chat(text)]) == [1.0]


@pytest.mark.parametrize("text", OPEN_R1_MALFORMED)
def test_open_r1_format_rejects_its_cases_and_so_does_format(text):
    assert open_r1_format_reward([chat(text)]) == [0.0]
    assert format_reward([chat(text)]) == [0.0]


# (text, open-r1's verdict, reasoncraft's verdict): each line is one documented difference
DIFFERENCES = [
    ("<think>\n\n</think>\n<answer>\n4\n</answer>", 1.0, 0.0),  # (a) empty think block
    # (b) repeated blocks
    ("<think>\na\n</think>\n<answer>\n4\n</answer>\n<think>\nb\n</think>\n<answer>\n5\n</answer>", 1.0, 0.0),
    ("<think>\nhm\n</think>\n<answer>\n4 or 5\n</answer>", 1.0, 0.0),  # (b) an "A or B" hedge
    ("<think>\nhm\n</think>\n<answer>\n4\n</answer>\nP.S. or maybe 5", 1.0, 0.0),  # (c) text after the answer
    ("<think>2 + 2 = 4</think><answer>4</answer>", 0.0, 1.0),  # (d) no newlines around the tags
]


@pytest.mark.parametrize("text, open_r1, strict", DIFFERENCES)
def test_format_is_stricter_than_open_r1_where_documented(text, open_r1, strict):
    assert get_reward("format_open_r1")([text]) == [open_r1]
    assert get_reward("format")([text]) == [strict]


# ----- code_format -------------------------------------------------------------------------------------

CODE_WELL_FORMED = [  # open-r1's cases, language python
    "<think>\nLet's solve this\nStep 1: First step\n</think>\n<answer>\n```python\ndef hello():\n"
    "    print('world')\n```\n</answer>",
    "<think>\nHere's an example:\n```python\nx = 1\n```\nNow the solution:\n</think>\n<answer>\n```python\n"
    "def solution():\n    return 42\n```\n</answer>",
    "<think>\nHere's the analysis\n</think>\n<answer>\n```python\nclass Solution:\n    def __init__(self):\n"
    "        self.value = 42\n        \n    def get_value(self):\n        return self.value\n```\n</answer>",
]
CODE_MALFORMED = [
    "```python\ndef hello():\n    print('world')\n```",
    "<think>Some thinking</think><answer>Just plain text</answer>",
    "<think>Analysis</think><answer>```javascript\nconsole.log('hello');\n```</answer>",
    "<think>Analysis</think><answer>```\ndef hello(): pass\n```</answer>",
    "<answer>```python\ndef hello(): pass\n```</answer><think>Analysis</think>",
]
JAVASCRIPT = "<think>\nAnalysis\n</think>\n<answer>\n```javascript\nconsole.log('hello');\n```\n</answer>"


@pytest.mark.parametrize("text", CODE_WELL_FORMED)
def test_code_format_open_r1_well_formed(text):
    assert get_reward("code_format")([chat(text)]) == [1.0]


@pytest.mark.parametrize("text", CODE_MALFORMED)
def test_code_format_open_r1_malformed(text):
    assert get_reward("code_format")([chat(text)]) == [0.0]


def test_code_format_languages():
    assert get_reward("code_format:javascript")([chat(JAVASCRIPT)]) == [1.0]
    assert get_reward("code_format")([chat(JAVASCRIPT)]) == [0.0]
    # a per-completion language field wins over the default, as in open-r1
    assert make_code_format_reward("python")([JAVASCRIPT, CODE_WELL_FORMED[0]], language=["javascript", "python"]) == [
        1.0,
        1.0,
    ]
    # a code block only in the think block is not an answer
    assert get_reward("code_format")(["<think>```python\nx = 1\n```</think><answer>x is 1</answer>"]) == [0.0]
    assert has_code_block("```py\nx = 1\n```") and not has_code_block("```pythonic\nx = 1\n```")
    with pytest.raises(ValueError, match="fence tag"):
        make_code_format_reward("c sharp")


# ----- pass rate beside pass-all ---------------------------------------------------------------------


@pytest.mark.skipif(not SANDBOX, reason="sandbox isolation unavailable here")
def test_pass_rate_is_the_share_of_tests_and_code_is_pass_all():
    spec = {
        "kind": "stdio",
        "cases": [{"input": "2 3", "output": "5"}, {"input": "4 4", "output": "8"}, {"input": "1 1", "output": "3"}],
    }  # the third case is wrong on purpose
    adder = "```python\nprint(sum(map(int, input().split())))\n```"
    fives = "```python\nprint(5)\n```"
    completions = [adder, fives, "no code", adder]
    specs = [spec, spec, spec, None]
    assert code_pass_rate_reward(completions, code_tests=specs) == pytest.approx([2 / 3, 1 / 3, 0.0, None])
    assert code_reward(completions, code_tests=specs) == [0.0, 0.0, 0.0, None]
    calls = {"kind": "calls", "tests": ["assert f(1) == 2", "assert f(2) == 4", "assert f(3) == 7"]}
    double = "```python\ndef f(x):\n    return 2 * x\n```"
    assert get_reward("code_pass_rate")([double], code_tests=[calls]) == pytest.approx([2 / 3])


# ----- soft overlong penalty, TRL's call ----------------------------------------------------------------


def test_overlong_accepts_trl_keyword_call_open_r1_cases():
    reward = make_overlong_reward(max_tokens=100, buffer_tokens=20)
    assert reward(completion_ids=[[1] * 50]) == [0.0]  # 50 <= 80
    assert reward(completion_ids=[[1] * 110]) == [-1.0]
    assert reward(completion_ids=[[1] * 90]) == pytest.approx([-0.5])
    # TRL's full keyword call: prompts, completions and ids together
    assert reward(prompts=["p", "p"], completions=["a", "b"], completion_ids=[[1] * 85, [1] * 95]) == pytest.approx(
        [-0.25, -0.75]
    )
    # open-r1's function takes the ids as its first positional argument; here the first positional is the
    # completions (the project's contract), so ids must be named
    with pytest.raises(TypeError, match="completion_ids"):
        reward([[1] * 50])
    with pytest.raises(ValueError, match="token counts"):
        reward(["a"], completion_ids=[[1], [2]])

"""Prompt templates: every template renders; the TinyZero template matches TinyZero's own output."""

import pytest

from reasoncraft.prompts import TEMPLATES, Template, get_template, register_template, render, render_text

# The output of TinyZero's `make_prefix({"target": 98, "nums": [44, 19, 35]}, template_type=...)`
# (Jiayi-Pan/TinyZero, examples/data_preprocess/countdown.py), run outside this project.
TINYZERO_BASE = (
    "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. The "
    "assistant first thinks about the reasoning process in the mind and then provides the user with the answer.\n"
    "User: Using the numbers [44, 19, 35], create an equation that equals 98. You can use basic arithmetic "
    "operations (+, -, *, /) and each number can only be used once. Show your work in <think> </think> tags. "
    "And return the final answer in <answer> </answer> tags, for example <answer> (1 + 2) / 3 </answer>.\n"
    "Assistant: Let me solve this step by step.\n<think>"
)
TINYZERO_QWEN_INSTRUCT = (
    "<|im_start|>system\nYou are a helpful assistant. You first thinks about the reasoning process in the mind "
    "and then provides the user with the answer.<|im_end|>\n<|im_start|>user\n Using the numbers [44, 19, 35], "
    "create an equation that equals 98. You can use basic arithmetic operations (+, -, *, /) and each number can "
    "only be used once. Show your work in <think> </think> tags. And return the final answer in <answer> </answer> "
    "tags, for example <answer> (1 + 2) / 3 </answer>.<|im_end|>\n<|im_start|>assistant\n"
    "Let me solve this step by step.\n<think>"
)

FIELDS = {"question": "What is 2 + 3?", "numbers": [44, 19, 35], "target": 98}


def test_required_templates_exist():
    for name in ("r1-zero", "tinyzero-countdown", "countdown", "cot", "direct", "arithmetic", "math-boxed", "plain"):
        assert name in TEMPLATES


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_renders_to_chat_messages(name):
    fields = {f: FIELDS.get(f, "some text") for f in get_template(name).fields()}
    messages = render(name, **fields)
    assert messages[-1]["role"] == "user"
    assert all(set(m) == {"role", "content"} and m["content"] for m in messages)
    assert "{" not in messages[-1]["content"].replace("\\boxed{}", "")  # no unfilled placeholder


def test_tinyzero_text_form_is_tinyzero_base_prompt():
    assert render_text("tinyzero-countdown", numbers=[44, 19, 35], target=98) == TINYZERO_BASE


def test_tinyzero_chat_form_is_tinyzero_qwen_instruct_prompt():
    system, user = render("tinyzero-countdown", numbers=[44, 19, 35], target=98)
    prefix = get_template("tinyzero-countdown").assistant_prefix
    chatml = (
        f"<|im_start|>system\n{system['content']}<|im_end|>\n<|im_start|>user\n{user['content']}<|im_end|>\n"
        f"<|im_start|>assistant\n{prefix}"
    )
    assert chatml == TINYZERO_QWEN_INSTRUCT


def test_r1_zero_forms():
    system, user = render("r1-zero", question="Solve x + 1 = 3.")
    assert user == {"role": "user", "content": "Solve x + 1 = 3."}
    assert system["content"].startswith("A conversation between User and Assistant.")
    assert "<think> reasoning process here </think> <answer> answer here </answer>" in system["content"]
    text = render_text("r1-zero", question="Solve x + 1 = 3.")
    assert text == system["content"] + " User: Solve x + 1 = 3.. Assistant:"


def test_arithmetic_and_cot_wording():
    assert render("arithmetic", question="What is 2 + 3?")[0]["content"] == (
        "What is 2 + 3? Give the final answer as a number after 'Answer:'."
    )
    assert render("cot", question="Q")[0]["content"].endswith(
        "Think step by step, then give the final answer after 'Answer:'."
    )
    assert render("math-boxed", question="Q")[0]["content"].endswith("put your final answer within \\boxed{}.")


def test_missing_field_names_the_field():
    with pytest.raises(KeyError, match="needs field\\(s\\) numbers, target"):
        render("tinyzero-countdown", question="x")


def test_unknown_template_lists_known_ones():
    with pytest.raises(KeyError, match="unknown prompt template 'nope'.*r1-zero"):
        render("nope", question="x")


def test_render_text_without_text_form_is_an_error():
    with pytest.raises(ValueError, match="no single-string form"):
        render_text("cot", question="x")


def test_register_template_refuses_a_taken_name():
    with pytest.raises(ValueError, match="already registered"):
        register_template(Template(name="cot", user="{question}", description="dup"))
    assert get_template("cot").fields() == {"question"}


def test_doctests():
    import doctest

    import reasoncraft.prompts
    import reasoncraft.tasks.base
    import reasoncraft.tasks.math

    for module in (reasoncraft.prompts, reasoncraft.tasks.base, reasoncraft.tasks.math):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0

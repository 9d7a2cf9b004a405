"""Every prompt template in one place, by name. Tasks and recipes refer to templates by name only.

A template renders a problem's fields (``question``, and task-specific ones such as ``numbers`` and
``target`` for Countdown) into chat messages::

    >>> render("cot", question="What is 2 + 3?")[-1]["content"]
    "What is 2 + 3?\\n\\nThink step by step, then give the final answer after 'Answer:'."

Templates that come from a paper or a reference project keep that source's wording, so that results
can be compared with it; `Template.source` says where each came from. Three forms exist:

- `render(name, **fields)`: chat messages (an optional system message, then the user message), for
  instruct models and any chat backend;
- `Template.assistant_prefix`: text the source put at the start of the model's reply (TinyZero's
  "Let me solve this step by step.\\n<think>"). Chat backends that cannot prefill a reply leave it out;
  rewards that depend on it (the TinyZero Countdown preset) add it back themselves;
- `render_text(name, **fields)`: the original single-string prompt for base models without a chat
  template, where the source had one (R1-Zero, TinyZero's ``base`` template).

Fields are substituted with `str.format`, so a list renders as Python prints it (``[44, 19, 35]``,
as TinyZero's prompt shows it) and literal braces are doubled in the template text.
"""

from __future__ import annotations

import string
from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    """One named prompt. `user`, `system`, `assistant_prefix` and `text` are `str.format` strings."""

    name: str
    user: str  # the user message
    description: str  # one line: what it asks for and which answer format the reward must expect
    system: str | None = None  # an optional system message
    assistant_prefix: str | None = None  # the start of the reply, where the source prefilled one
    text: str | None = None  # the single-string form for base models, where the source had one
    source: str = "reasoncraft"  # where the wording comes from

    def fields(self) -> set[str]:
        """The field names this template needs."""
        parts = [self.user, self.system or "", self.assistant_prefix or "", self.text or ""]
        return {f for p in parts for _, f, _, _ in string.Formatter().parse(p) if f}


# DeepSeek-R1-Zero (DeepSeek-AI 2025, Table 1). The chat form puts the paper's preamble in the system
# message; the text form is the paper's template verbatim, with the question substituted for "prompt".
_R1_ZERO_PREAMBLE = (
    "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. "
    "The assistant first thinks about the reasoning process in the mind and then provides the user "
    "with the answer. The reasoning process and answer are enclosed within <think> </think> and "
    "<answer> </answer> tags, respectively, i.e., <think> reasoning process here </think> "
    "<answer> answer here </answer>."
)

# TinyZero (Jiayi-Pan/TinyZero, examples/data_preprocess/countdown.py, `make_prefix`): the chat form is
# its `qwen-instruct` template split into messages (the user message keeps its leading space); the text
# form is its `base` template. Its reward (`rewards.countdown.tinyzero_countdown_score`) reads the text
# after "Assistant:" / "<|im_start|>assistant", which both forms end with.
_TINYZERO_INSTRUCTION = (
    "Using the numbers {numbers}, create an equation that equals {target}. You can use basic arithmetic "
    "operations (+, -, *, /) and each number can only be used once. Show your work in <think> </think> "
    "tags. And return the final answer in <answer> </answer> tags, for example <answer> (1 + 2) / 3 </answer>."
)
_TINYZERO_BASE_PREAMBLE = (
    "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. "
    "The assistant first thinks about the reasoning process in the mind and then provides the user with "
    "the answer."
)
TINYZERO_ASSISTANT_PREFIX = "Let me solve this step by step.\n<think>"

TEMPLATES: dict[str, Template] = {}


def register_template(template: Template) -> Template:
    """Add a template (user code may add its own); a name can be registered once."""
    if template.name in TEMPLATES:
        raise ValueError(f"prompt template {template.name!r} is already registered; pick another name")
    TEMPLATES[template.name] = template
    return template


for _t in (
    Template(
        name="r1-zero",
        system=_R1_ZERO_PREAMBLE,
        user="{question}",
        text=_R1_ZERO_PREAMBLE + " User: {question}. Assistant:",
        description="DeepSeek-R1-Zero: reasoning in <think></think>, final answer in <answer></answer>.",
        source="DeepSeek-R1 paper (arXiv:2501.12948), Table 1",
    ),
    Template(
        name="tinyzero-countdown",
        system=(
            "You are a helpful assistant. You first thinks about the reasoning process in the mind and "
            "then provides the user with the answer."
        ),
        user=" " + _TINYZERO_INSTRUCTION,
        assistant_prefix=TINYZERO_ASSISTANT_PREFIX,
        text=_TINYZERO_BASE_PREAMBLE + "\nUser: " + _TINYZERO_INSTRUCTION + "\nAssistant: " + TINYZERO_ASSISTANT_PREFIX,
        description="TinyZero Countdown: fields numbers (list of int) and target; equation in <answer></answer>.",
        source="Jiayi-Pan/TinyZero examples/data_preprocess/countdown.py (qwen-instruct / base templates)",
    ),
    Template(
        name="countdown",
        user=(
            "Using each of the numbers {numbers} exactly once, with + - * / and parentheses, write an "
            "expression that equals {target}. Think it through, then give only the expression inside "
            "<answer> </answer> tags, for example <answer>(1 + 2) * 3</answer>."
        ),
        description="Countdown for chat models: one expression in a single <answer></answer> block.",
    ),
    Template(
        name="cot",
        user="{question}\n\nThink step by step, then give the final answer after 'Answer:'.",
        description="Chain of thought, final answer after 'Answer:'.",
    ),
    Template(
        name="direct",
        user="{question}\n\nGive only the final answer after 'Answer:', with no explanation.",
        description="Direct answer without reasoning, after 'Answer:'.",
    ),
    Template(
        name="arithmetic",
        user="{question} Give the final answer as a number after 'Answer:'.",
        description="The default model's arithmetic prompt: a number after 'Answer:'.",
    ),
    Template(
        name="math-boxed",
        user="{question}\n\nPlease reason step by step, and put your final answer within \\boxed{{}}.",
        description="Math with the final answer in \\boxed{} (the prompt DeepSeek-R1 and Qwen2.5-Math evaluate with).",
        source="DeepSeek-R1 usage recommendations; Qwen2.5-Math evaluation",
    ),
    Template(
        name="plain",
        user="{question}",
        description="The question as is, with no instruction.",
    ),
    Template(
        name="code",
        user=(
            "{question}\n\nThink it through, then give your complete solution as one Python program in a "
            "single ```python code block at the end."
        ),
        description="Code tasks (humaneval, mbpp, code-stdio): the program in the last ```python block.",
    ),
    Template(
        name="multiple-choice",
        user=(
            "Answer the following multiple choice question. The last line of your response should be of the "
            "following format: 'Answer: $LETTER' (without quotes) where LETTER is one of {letters}. Think step by "
            "step before answering.\n\n{question}\n\n{options}"
        ),
        description="Multiple choice (tasks.multiple_choice): fields question, options (A) ... lines), letters; "
        "'Answer: LETTER' on the last line.",
        source="openai/simple-evals (the multiple-choice query the DeepSeek-R1 report's GPQA numbers use)",
    ),
    Template(
        name="judge",
        user=(
            "Here is a problem and a proposed solution.\n\nProblem: {question}\n\nSolution: {solution}\n\n"
            "Is the solution correct? Reply with Yes or No only."
        ),
        description="LLM judge (scorers.LLMJudge): fields question and solution; reply opens with Yes or No.",
    ),
    Template(
        name="self-eval",
        user=(
            "Question: {question}\nProposed Answer: {solution}\nIs the proposed answer:\n (A) True\n (B) False\n"
            "The proposed answer is:"
        ),
        description="Self-evaluation, P(True): fields question and solution; reply opens with (A) or (B).",
        source="Kadavath et al. 2022, 'Language Models (Mostly) Know What They Know' (arXiv 2207.05221)",
    ),
    Template(
        name="journey-reflection",
        user=(
            "Problem: {question}\n\nA first attempt:\n{wrong}\n\nA checker found it wrong: {diagnosis}.\n\n"
            "A correct solution:\n{right}\n\nWrite one or two sentences, as the solver noticing its own mistake "
            "in the first attempt, that say what went wrong in it. Do not give the final answer."
        ),
        description=(
            "Journey learning (data.journey): fields question, wrong, diagnosis, right; reply is the reflection."
        ),
        source="O1 Replication Journey (arXiv 2410.18982): reflections written by a model",
    ),
):
    register_template(_t)


def get_template(name: str) -> Template:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise KeyError(f"unknown prompt template {name!r}; known: {', '.join(sorted(TEMPLATES))}") from None


def _format(text: str, template: Template, fields: dict) -> str:
    missing = sorted(f for _, f, _, _ in string.Formatter().parse(text) if f and f not in fields)
    if missing:
        raise KeyError(
            f"prompt template {template.name!r} needs field(s) {', '.join(missing)}; got "
            f"{', '.join(sorted(fields)) or 'none'}"
        )
    return text.format(**fields)


def render(name: str, **fields) -> list[dict]:
    """Chat messages for template `name` filled with `fields` (extra fields are ignored).

    >>> render("r1-zero", question="1 + 1?")[0]["role"], render("r1-zero", question="1 + 1?")[1]
    ('system', {'role': 'user', 'content': '1 + 1?'})
    """
    template = get_template(name)
    messages = []
    if template.system is not None:
        messages.append({"role": "system", "content": _format(template.system, template, fields)})
    messages.append({"role": "user", "content": _format(template.user, template, fields)})
    return messages


def render_text(name: str, **fields) -> str:
    """The single-string (base model) form of template `name`.

    >>> render_text("r1-zero", question="What is 2 + 2?").endswith("User: What is 2 + 2?. Assistant:")
    True
    """
    template = get_template(name)
    if template.text is None:
        raise ValueError(
            f"prompt template {name!r} has no single-string form; use render() for chat messages, or one of "
            f"{', '.join(sorted(t.name for t in TEMPLATES.values() if t.text))}"
        )
    return _format(template.text, template, fields)

"""The trainers' held-out evaluation is `reasoncraft eval`'s: same prompts, completions, scores and metrics."""

import json
from pathlib import Path

from helpers import run, tiny_config  # noqa: E402
from reasoncraft.backends import HFBackend
from reasoncraft.evaluate import EvalConfig, run_eval
from reasoncraft.tasks import get_task
from reasoncraft.testing import tiny_model
from reasoncraft.train.held_out import held_out_eval


def _samples(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "samples.jsonl").read_text().splitlines()]


def test_grpo_after_training_equals_reasoncraft_eval_on_the_trained_model(tmp_path):
    model, summary = run(
        tiny_config(tmp_path, steps=2, eval_problems=5, max_completion_length=8, eval_max_new_tokens=10)
    )
    after = summary["evaluation"]["after"]
    assert after["problems"] == 5 and after["outputs"] == str(tmp_path / "run" / "eval" / "after")
    # the library form of `reasoncraft eval --task arith-sum-2d --limit 5 --max-new-tokens 10 --template arithmetic`
    config = EvalConfig(tasks=["arith-sum-2d"], model="tiny", limit=5, max_new_tokens=10, template="arithmetic")
    model.eval()
    (result,) = run_eval(
        config,
        tmp_path / "eval",
        backend=HFBackend(model, tiny_model("llama")[1]),
        cache_dir=tmp_path / "cache",
        show_progress=False,
    )
    for key in ("pass@1", "extraction_failure_rate", "scoring_failures", "cut_at_limit_rate", "mean_completion_tokens"):
        assert after[key] == result.summary[key], key
    assert after["accuracy"] == result.summary["pass@1"]
    ours, theirs = _samples(tmp_path / "run" / "eval" / "after"), _samples(tmp_path / "eval")
    assert [(s["prompt"], s["completion"], s["extracted"], s["reward"]) for s in ours] == [
        (s["prompt"], s["completion"], s["extracted"], s["reward"]) for s in theirs
    ]
    record = json.loads((tmp_path / "run" / "eval" / "before" / "run.json").read_text())
    assert record["config"]["limit"] == 5 and record["config"]["temperature"] == 0.0  # how to reproduce it


def test_extraction_failures_are_counted_against_known_completions(tmp_path):
    """A backend replaying fixed texts: 1 right, 1 wrong, 2 without an answer -> 0.25 accuracy, 0.5 no answer."""
    from reasoncraft.backends.base import Completion

    task = get_task("arith-sum-2d")
    problems = task.problems("test", limit=4)
    texts = [f"Answer: {problems[0].answer}", "Answer: 100000", "I do not know", ""]

    class Replay:
        model_id = "replay"

        def generate(self, prompts, sampling):
            assert sampling.temperature == 0.0 and len(prompts) == 4
            return [
                [
                    Completion(
                        text=t, token_ids=[1] * len(t), prompt_tokens=3, completion_tokens=len(t), finish_reason="stop"
                    )
                ]
                for t in texts
            ]

    result = held_out_eval(
        Replay(), task, split="test", limit=4, template=None, max_new_tokens=16, out_dir=tmp_path / "before"
    )
    assert result["accuracy"] == 0.25 and result["extraction_failure_rate"] == 0.5 and result["problems"] == 4


def test_text_prompt_format_evaluates_the_base_model_prompt(tmp_path):

    model, tok = tiny_model("qwen2")
    task = get_task("countdown")
    result = held_out_eval(
        HFBackend(model, tok),
        task,
        split="test",
        limit=2,
        template="tinyzero-countdown",
        max_new_tokens=4,
        out_dir=tmp_path / "eval",
        prompt_format="text",
    )
    prompts = [s["prompt"] for s in _samples(tmp_path / "eval")]
    assert result["problems"] == 2 and all(isinstance(p, str) and p.rstrip().endswith("<think>") for p in prompts)
    assert prompts[0] == task.prompt_text(task.problems("test", limit=1)[0], "tinyzero-countdown")

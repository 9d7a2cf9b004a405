"""PRM training (train/prm.py) on tiny random models: the loss sees only the delimiter positions; a PRM learns a
trivially separable step label; the saved folder loads through scorers.load_scorer with no other setting and
scores like the model in memory; the ORM is the one-step case; LoRA; exact resume; config mistakes."""

from __future__ import annotations

import json
import random

import pytest
import torch

from reasoncraft.config import ConfigError
from reasoncraft.scorers import TrainedORM, TrainedPRM, encode_steps, is_process_scorer, load_scorer
from reasoncraft.testing import tiny_model
from reasoncraft.train.prm import delimiter_loss, prm_model, to_example, train_prm
from reasoncraft.train.prm_config import PRMConfig

GOOD, BAD = "7 + 7 = 14", "3 + 3 = 9"


def write_labels(path, n: int = 32, seed: int = 0):
    """Solutions of three steps, each good or bad by its text: the label is a function of the step alone."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        steps = [rng.choice([GOOD, BAD]) for _ in range(3)]
        hard = [int(s == GOOD) for s in steps]
        rows.append(
            {"key": f"k{i}", "problem_id": f"p{i}", "question": f"What is {i} + 1?", "answer": str(i + 1),
             "method": "mc", "separator": "\n\n", "solution": "\n\n".join(steps), "correct": bool(hard[-1]),
             "steps": steps, "hard": hard, "soft": [float(h) for h in hard]}
        )  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def config(tmp_path, **overrides) -> PRMConfig:
    settings = dict(
        labels=[str(write_labels(tmp_path / "labels.jsonl"))],
        out_dir=str(tmp_path / "run"),
        max_steps=12,
        batch_size=8,
        micro_batch_size=8,
        learning_rate=1e-2,
        lr_schedule="constant",
        eval_fraction=0.25,
    )
    return PRMConfig(**{**settings, **overrides})


def quiet(message: str) -> None:
    pass


def test_the_loss_sees_only_delimiter_positions():
    torch.manual_seed(0)
    logits = torch.randn(2, 6, 2, requires_grad=True)  # (B, T, 2)
    targets = torch.full((2, 6), float("nan"))
    targets[0, 2], targets[1, 5], targets[1, 1] = 1.0, 0.0, 0.25
    loss, count = delimiter_loss(logits, targets)
    loss.backward()
    marked = ~torch.isnan(targets)
    assert count == 3
    assert torch.all(logits.grad[~marked] == 0) and torch.all(logits.grad[marked].abs().sum(-1) > 0)
    # a hand-written reference: soft cross-entropy at the three marks
    logp = torch.log_softmax(logits.detach(), -1)
    expected = -(logp[0, 2, 1] + logp[1, 5, 0] + 0.25 * logp[1, 1, 1] + 0.75 * logp[1, 1, 0])
    assert float(loss.detach()) == pytest.approx(float(expected), rel=1e-6)
    # what the model says anywhere else does not move the loss
    changed = logits.detach().clone()
    changed[~marked] += 5.0
    assert float(delimiter_loss(changed, targets)[0]) == pytest.approx(float(loss.detach()), rel=1e-6)


def test_labels_sit_at_the_last_token_of_each_delimiter():
    _, tokenizer = tiny_model("llama")
    separator_ids = tokenizer.encode("\n\n", add_special_tokens=False)
    ids, marks = encode_steps(tokenizer, "What is 3 + 4?", [GOOD, BAD], "\n\n")
    assert len(marks) == 2 and marks[-1] == len(ids) - 1
    for m in marks:
        assert ids[m - len(separator_ids) + 1 : m + 1] == separator_ids
    record = {"question": "q", "steps": [GOOD, BAD], "hard": [1, None], "soft": [1.0, None], "problem_id": "p",
              "solution": f"{GOOD}\n\n{BAD}", "correct": False, "separator": "\n\n"}  # fmt: skip
    example = to_example(record, tokenizer, "prm", "hard", "\n\n", 512)
    assert example.labels == [1.0] and len(example.marks) == 1  # an unlabelled step carries no loss
    orm = to_example(record, tokenizer, "orm", "soft", "\n\n", 512)
    assert orm.labels == [0.0] and orm.marks == [len(orm.input_ids) - 1]


def test_the_head_sits_on_a_copy_of_the_causal_lm_decoder():
    causal, _ = tiny_model("qwen2", seed=4)
    model = prm_model(causal)
    ids = torch.tensor([[5, 6, 7, 8]])
    with torch.no_grad():
        assert torch.allclose(model.base_model(ids).last_hidden_state, causal.base_model(ids).last_hidden_state)
        assert model(ids).logits.shape == (1, 4, 2)


def test_a_prm_learns_a_separable_label_and_its_folder_loads_and_scores_like_the_model(tmp_path):
    model, tokenizer = tiny_model("llama", seed=1)
    summary = train_prm(config(tmp_path), model=model, tokenizer=tokenizer, log=quiet)
    held = summary["held_out"]
    assert held["after"]["step_accuracy"] == 1.0 > held["before"]["step_accuracy"]
    assert held["after"]["loss"] < held["before"]["loss"]
    folder = tmp_path / "run" / "model"
    assert json.loads((folder / "config.json").read_text())["reasoncraft_prm"]["separator"] == "\n\n"
    loaded = load_scorer(str(folder), device="cpu")  # no kind, no separator: the folder says
    assert isinstance(loaded, TrainedPRM) and is_process_scorer(loaded)
    questions, solutions = ["What is 40 + 2?", "What is 1 + 1?"], [[GOOD, BAD, GOOD], [BAD]]
    scores = loaded.score_steps(questions, solutions)
    assert scores[0][0] > 0.9 and scores[0][1] < 0.1 and scores[0][2] > 0.9 and scores[1][0] < 0.1
    from transformers import AutoModelForTokenClassification

    again = AutoModelForTokenClassification.from_pretrained(folder).eval()
    in_memory = TrainedPRM(again, tokenizer).score_steps(questions, solutions)
    assert [x for row in scores for x in row] == pytest.approx([x for row in in_memory for x in row], abs=1e-5)
    card = (folder / "README.md").read_text()
    assert "## Process reward model" in card and "held-out step accuracy after training: 1.000" in card
    assert (tmp_path / "run" / "metrics.jsonl").read_text().count("\n") == 12


def test_an_orm_is_the_one_step_case(tmp_path):
    model, tokenizer = tiny_model("llama", seed=1)
    train_prm(config(tmp_path, objective="orm"), model=model, tokenizer=tokenizer, log=quiet)
    loaded = load_scorer(str(tmp_path / "run" / "model"), device="cpu")
    assert isinstance(loaded, TrainedORM) and not is_process_scorer(loaded)
    good, bad = loaded.score(["What is 5 + 1?"] * 2, [f"{BAD}\n\n{GOOD}", f"{GOOD}\n\n{BAD}"])
    assert good > 0.5 > bad  # the verdict of these solutions is their last step's label


def test_lora_trains_the_adapters_and_the_head_and_saves_a_merged_folder(tmp_path):
    model, tokenizer = tiny_model("llama", seed=1)
    cfg = config(tmp_path, lora_r=8, lora_alpha=16, learning_rate=2e-2)
    summary = train_prm(cfg, model=model, tokenizer=tokenizer, log=quiet)
    assert summary["held_out"]["after"]["step_accuracy"] > summary["held_out"]["before"]["step_accuracy"]
    loaded = load_scorer(str(tmp_path / "run" / "model"), device="cpu")
    assert not any("lora" in name for name, _ in loaded.model.named_parameters())
    good, bad = loaded.score_steps(["What is 2 + 2?"], [[GOOD, BAD]])[0]
    assert good > bad


def test_resume_continues_exactly(tmp_path):
    def run(resume=None):
        model, tokenizer = tiny_model("llama", seed=1)
        cfg = config(tmp_path, max_steps=6, save_steps=3, keep_checkpoints=3, save_model=False, micro_batch_size=4)
        return train_prm(cfg, model=model, tokenizer=tokenizer, resume=resume, log=quiet)

    whole = run()  # checkpoints at steps 3 and 6
    resumed = run(resume=str(tmp_path / "run" / "checkpoints" / "step-000003"))
    assert resumed["final_metrics"]["step"] == 6
    assert resumed["final_metrics"]["loss"] == pytest.approx(whole["final_metrics"]["loss"], rel=1e-5)
    assert resumed["held_out"]["after"] == pytest.approx(whole["held_out"]["after"], rel=1e-5)
    lines = (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["step"] for line in lines] == [1, 2, 3, 4, 5, 6]


def test_config_mistakes_are_one_clear_line(tmp_path):
    with pytest.raises(ConfigError, match="micro_batch_size must divide batch_size: got 3 and 8"):
        PRMConfig(batch_size=8, micro_batch_size=3)
    with pytest.raises(ConfigError, match="label_kind must be soft or hard"):
        PRMConfig(label_kind="medium")
    with pytest.raises(ConfigError, match="labels is empty"):
        train_prm(PRMConfig(out_dir=str(tmp_path / "x")), log=quiet)
    model, tokenizer = tiny_model("llama")
    with pytest.raises(ConfigError, match="labels were split on '\\\\n\\\\n' but step_delimiter is '\\\\n'"):
        train_prm(config(tmp_path, step_delimiter="\n"), model=model, tokenizer=tokenizer, log=quiet)

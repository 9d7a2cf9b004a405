"""HF reward-model adapters on tiny random models built from a config: each checked against the
model card's recipe for one example written out plainly here, and against itself under batching."""

from __future__ import annotations

import pytest
import torch

from reasoncraft.scorers import ClassificationPRM, SequenceClassificationORM, StepsAsOutcome, StepTagPRM
from reasoncraft.testing import tiny_classifier, tiny_model

QUESTIONS = ["What is 12 + 7?", "What is 3 + 4?"]
SOLUTIONS = [["12 + 7 = 19", "So the answer is 19"], ["3 + 4 = 8", "Double check: 4 + 3 = 7", "Answer: 7"]]


def with_token(model, tokenizer, token):
    tokenizer.add_special_tokens({"additional_special_tokens": [token]})
    model.resize_token_embeddings(len(tokenizer))
    return model, tokenizer


def test_step_tag_prm_matches_the_math_shepherd_recipe():
    model, tokenizer = with_token(*tiny_model("llama"), "ки")
    prm = StepTagPRM(model, tokenizer, step_tag="ки", good_token="+", bad_token="-", batch_size=2)
    scores = prm.score_steps(QUESTIONS, SOLUTIONS)
    good, bad = tokenizer.encode("+", add_special_tokens=False)[0], tokenizer.encode("-", add_special_tokens=False)[0]
    tag = tokenizer.convert_tokens_to_ids("ки")
    for question, steps, got in zip(QUESTIONS, SOLUTIONS, scores):
        # Math-Shepherd's model card: "question step1 ки\nstep2 ки\n", softmax over (good, bad) at the tags.
        text = question + " " + "".join(f"{s} ки\n" for s in steps)
        ids = torch.tensor([tokenizer.encode(text)])
        with torch.no_grad():
            logits = model(ids).logits[:, :, [good, bad]]
        expected = logits.softmax(dim=-1)[0, :, 0][ids[0] == tag].tolist()
        assert got == pytest.approx(expected, abs=1e-5)
        assert len(got) == len(steps) and all(0 < s < 1 for s in got)
    assert prm.usage.calls == 1 and prm.usage.prompt_tokens > 0


def test_classification_prm_matches_the_qwen_prm_recipe_and_is_causal():
    model, tokenizer = tiny_classifier("token", 2, special_tokens=("<extra_0>",))
    prm = ClassificationPRM(model, tokenizer, batch_size=8)
    scores = prm.score_steps(QUESTIONS, SOLUTIONS)
    sep = tokenizer.convert_tokens_to_ids("<extra_0>")
    for question, steps, got in zip(QUESTIONS, SOLUTIONS, scores):
        messages = [
            {"role": "system", "content": ClassificationPRM.SYSTEM},
            {"role": "user", "content": question},
            {"role": "assistant", "content": "<extra_0>".join(steps) + "<extra_0>"},
        ]
        ids = torch.tensor(
            [tokenizer.encode(tokenizer.apply_chat_template(messages, tokenize=False), add_special_tokens=False)]
        )
        with torch.no_grad():
            probs = model(ids).logits.softmax(dim=-1)
        assert got == pytest.approx(probs[0, :, 1][ids[0] == sep].tolist(), abs=1e-5)
    # A causal backbone: the scores of a prefix's steps do not depend on the steps after it.
    prefix = prm.score_steps(QUESTIONS[1:], [SOLUTIONS[1][:2]])[0]
    assert prefix == pytest.approx(scores[1][:2], abs=1e-5)


def test_prm_adapters_refuse_markers_that_are_not_one_token():
    model, tokenizer = tiny_model("llama")
    with pytest.raises(ValueError, match="must be one token"):
        StepTagPRM(model, tokenizer, step_tag="ки")


def test_outcome_reward_model_batches_like_single_calls_and_serves_best_of_n():
    model, tokenizer = tiny_classifier("sequence", 1, arch="llama")
    orm = SequenceClassificationORM(model, tokenizer, batch_size=4)
    solutions = ["12 + 7 = 19. Answer: 19", "Answer: 20", "A much longer and rambling attempt. Answer: 18"]
    together = orm.score(["What is 12 + 7?"] * 3, solutions)
    alone = [orm.score(["What is 12 + 7?"], [s])[0] for s in solutions]
    assert together == pytest.approx(alone, abs=1e-5)
    assert len(set(round(x, 6) for x in together)) == 3


def test_prm_as_outcome_scorer_aggregates_the_steps():
    model, tokenizer = with_token(*tiny_model("llama"), "ки")
    prm = StepTagPRM(model, tokenizer)
    steps = prm.score_steps(QUESTIONS[1:], [SOLUTIONS[1]])[0]
    as_min = StepsAsOutcome(prm, "min").score(QUESTIONS[1:], ["\n\n".join(SOLUTIONS[1])])[0]
    assert as_min == pytest.approx(min(steps), abs=1e-6)

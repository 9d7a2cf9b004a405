"""Reward models by name: tiny random PRMs and an ORM saved to local folders load into the right
adapter and score exactly like the adapter over the in-memory model; catalogue names resolve to
their hub ids and settings (no hub here, so those are not loaded); bad names fail clearly."""

from __future__ import annotations

import pytest

from helpers import save_classification_prm, save_orm, save_step_tag_prm
from reasoncraft.models import REWARD_MODELS, ModelLoadError, check_reward_model_name, load_reward_model
from reasoncraft.scorers import ClassificationPRM, SequenceClassificationORM, StepTagPRM, load_scorer

QUESTIONS = ["What is 12 + 7?", "What is 3 + 4?"]
SOLUTIONS = [["12 + 7 = 19", "Answer: 19"], ["3 + 4 = 8", "Answer: 8"]]


def flat(rows):
    return [x for row in rows for x in row]


def test_a_step_tag_prm_folder_loads_as_math_shepherd_and_scores_like_the_adapter(tmp_path):
    model, tokenizer = save_step_tag_prm(tmp_path / "prm")
    loaded = load_scorer(str(tmp_path / "prm"), device="cpu")
    assert isinstance(loaded, StepTagPRM) and loaded.step_tag == "ки"
    expected = StepTagPRM(model, tokenizer).score_steps(QUESTIONS, SOLUTIONS)
    assert flat(loaded.score_steps(QUESTIONS, SOLUTIONS)) == pytest.approx(flat(expected), abs=1e-5)


def test_a_token_classification_folder_loads_as_qwen_prm_and_scores_like_the_adapter(tmp_path):
    model, tokenizer = save_classification_prm(tmp_path / "qprm")
    loaded = load_scorer(str(tmp_path / "qprm"), device="cpu")
    assert isinstance(loaded, ClassificationPRM)
    expected = ClassificationPRM(model, tokenizer).score_steps(QUESTIONS, SOLUTIONS)
    assert flat(loaded.score_steps(QUESTIONS, SOLUTIONS)) == pytest.approx(flat(expected), abs=1e-5)


def test_a_sequence_classification_folder_loads_as_an_orm(tmp_path):
    model, tokenizer = save_orm(tmp_path / "orm")
    loaded = load_scorer(str(tmp_path / "orm"), device="cpu")
    assert isinstance(loaded, SequenceClassificationORM) and not hasattr(loaded, "score_steps")
    solutions = ["12 + 7 = 19. Answer: 19", "Answer: 20"]
    expected = SequenceClassificationORM(model, tokenizer, batch_size=8).score(QUESTIONS[:1] * 2, solutions)
    assert loaded.score(QUESTIONS[:1] * 2, solutions) == pytest.approx(expected, abs=1e-5)


def test_kind_can_be_forced_and_adapter_options_overridden(tmp_path):
    save_step_tag_prm(tmp_path / "prm")
    with pytest.raises(ValueError, match="2-way token head|chat template|one token"):
        load_scorer(str(tmp_path / "prm"), kind="classification", device="cpu").score_steps(QUESTIONS, SOLUTIONS)
    with pytest.raises(ValueError, match="must be one token"):
        load_scorer(str(tmp_path / "prm"), device="cpu", step_tag="no such tag")


def test_catalogue_names_resolve_to_the_model_cards_settings():
    assert REWARD_MODELS["math-shepherd-mistral-7b-prm"].hub_id == "peiyi9979/math-shepherd-mistral-7b-prm"
    assert REWARD_MODELS["math-shepherd-mistral-7b-prm"].kind == "step-tag"
    assert dict(REWARD_MODELS["math-shepherd-mistral-7b-prm"].adapter) == {
        "step_tag": "ки",
        "good_token": "+",
        "bad_token": "-",
    }
    qwen = REWARD_MODELS["qwen2.5-math-prm-7b"]
    assert (qwen.hub_id, qwen.kind, dict(qwen.adapter), qwen.trust_remote_code) == (
        "Qwen/Qwen2.5-Math-PRM-7B",
        "classification",
        {"separator": "<extra_0>"},
        True,
    )
    for name in REWARD_MODELS:
        check_reward_model_name(name)  # no load, no hub


def test_unknown_names_and_kinds_fail_with_the_fix(tmp_path):
    with pytest.raises(ModelLoadError, match="not a known reward model.*qwen2.5-math-prm-7b"):
        check_reward_model_name("qwen-prm-typo")
    with pytest.raises(ModelLoadError, match="unknown reward-model kind"):
        check_reward_model_name("qwen2.5-math-prm-7b", kind="value-head")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match="no config.json"):
        load_reward_model(str(tmp_path / "empty"))
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "config.json").write_text('{"architectures": ["BertModel"]}')
    with pytest.raises(ModelLoadError, match="pass kind="):
        load_reward_model(str(tmp_path / "odd"))

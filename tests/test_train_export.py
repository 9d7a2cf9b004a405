"""The trained policy is a standard Hugging Face folder with a model card, loadable by reasoncraft and transformers."""

import torch

from reasoncraft.models import load_model
from reasoncraft.testing import tiny_model
from reasoncraft.train.export import model_card, save_policy
from reasoncraft.train.grpo_config import GRPOConfig
from reasoncraft.train.sft_config import SFTConfig


def test_full_model_round_trip_with_card(tmp_path):
    model, tok = tiny_model("qwen2")
    folder = save_policy(
        model,
        tok,
        tmp_path / "model",
        config=GRPOConfig(model="tiny-qwen2", steps=3),
        metrics=[{"step": 3, "reward": 0.5}],
        evaluation={
            "before": {"accuracy": 0.2, "extraction_failure_rate": 0.5, "problems": 10},
            "after": {"accuracy": 0.6, "extraction_failure_rate": 0.1, "problems": 10},
        },
    )
    card = (folder / "README.md").read_text()
    assert "accuracy 0.200" in card and "accuracy 0.600" in card and "steps: 3" in card and '"reward": 0.5' in card
    assert "reinforcement learning with GRPO" in card and "task `arith-sum-2d` (split `train`)" in card
    assert "rewards `accuracy` x 1.0" in card and "full fine-tuning" in card
    assert (
        "reasoncraft eval --task arith-sum-2d --model <this folder> --split test --limit 10 --max-new-tokens 48" in card
    )
    loaded, loaded_tok = load_model(str(folder), device="cpu")
    ids = torch.tensor([[1, 2, 3, 4]])
    assert torch.allclose(loaded(input_ids=ids).logits, model(input_ids=ids).logits, atol=1e-5)
    assert loaded_tok.chat_template == tok.chat_template


def test_lora_is_merged_into_a_plain_model(tmp_path):
    from peft import LoraConfig, get_peft_model

    base, tok = tiny_model("llama")
    model = get_peft_model(
        base, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    )
    ids = torch.tensor([[5, 6, 7]])
    with torch.no_grad():
        expected = model(input_ids=ids).logits
    folder = save_policy(model, tok, tmp_path / "merged", config=GRPOConfig(lora_r=4))
    assert not (folder / "adapter_config.json").exists()
    loaded, _ = load_model(str(folder), device="cpu")
    assert torch.allclose(loaded(input_ids=ids).logits, expected, atol=1e-5)
    adapter = save_policy(model, tok, tmp_path / "adapter", config=GRPOConfig(lora_r=4), merge_lora=False)
    assert (adapter / "adapter_config.json").exists()


def test_sft_card_records_objective_mixture_and_evaluation():
    config = SFTConfig(
        model="tiny",
        datasets=["a.jsonl", {"path": "b.jsonl", "weight": 0.5}],
        max_steps=7,
        teacher="teacher-model",
        distill_alpha=0.3,
        lora_r=8,
        eval_task="countdown",
        eval_task_options={"max_target": 50},
        eval_problems=20,
        eval_max_new_tokens=64,
    )
    evaluation = {
        "before": {"accuracy": 0.1, "extraction_failure_rate": 0.4, "problems": 20},
        "after": {"accuracy": 0.35, "extraction_failure_rate": 0.05, "problems": 20},
    }
    card = model_card(config, [{"step": 7, "loss": 0.25}], evaluation, "sft", examples=24)
    assert "tags: [reasoncraft, sft]" in card and "trained with reasoncraft `train sft`" in card
    assert "supervised fine-tuning (SFT)" in card and "KL to the logits of `teacher-model`" in card
    assert "24 examples" in card and "`a.jsonl` x 1.0, `b.jsonl` x 0.5" in card and "7 optimizer steps" in card
    assert "LoRA r=8" in card and '"loss": 0.25' in card
    assert "held-out `countdown` (split `test`, greedy, 20 problems) after training: accuracy 0.350" in card
    assert "--task-option max_target=50" in card and "GRPO" not in card
    plain = model_card(SFTConfig(model="tiny", datasets=["a.jsonl"]), [], {}, "sft", examples=3)
    assert "cross-entropy on the completion tokens" in plain and "no held-out evaluation was run" in plain

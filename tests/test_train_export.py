"""The trained policy is a standard Hugging Face folder with a model card, loadable by reasoncraft and transformers."""

import torch

from reasoncraft.models import load_model
from reasoncraft.testing import tiny_model
from reasoncraft.train.export import save_policy
from reasoncraft.train.grpo_config import GRPOConfig


def test_full_model_round_trip_with_card(tmp_path):
    model, tok = tiny_model("qwen2")
    folder = save_policy(model, tok, tmp_path / "model", config=GRPOConfig(model="tiny-qwen2", steps=3),
                         metrics=[{"step": 3, "reward": 0.5}],
                         evaluation={"before": {"accuracy": 0.2, "extraction_failure_rate": 0.5, "problems": 10},
                                     "after": {"accuracy": 0.6, "extraction_failure_rate": 0.1, "problems": 10}})
    card = (folder / "README.md").read_text()
    assert "accuracy 0.200" in card and "accuracy 0.600" in card and "steps: 3" in card and '"reward": 0.5' in card
    loaded, loaded_tok = load_model(str(folder), device="cpu")
    ids = torch.tensor([[1, 2, 3, 4]])
    assert torch.allclose(loaded(input_ids=ids).logits, model(input_ids=ids).logits, atol=1e-5)
    assert loaded_tok.chat_template == tok.chat_template


def test_lora_is_merged_into_a_plain_model(tmp_path):
    from peft import LoraConfig, get_peft_model

    base, tok = tiny_model("llama")
    model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    ids = torch.tensor([[5, 6, 7]])
    with torch.no_grad():
        expected = model(input_ids=ids).logits
    folder = save_policy(model, tok, tmp_path / "merged", config=GRPOConfig(lora_r=4))
    assert not (folder / "adapter_config.json").exists()
    loaded, _ = load_model(str(folder), device="cpu")
    assert torch.allclose(loaded(input_ids=ids).logits, expected, atol=1e-5)
    adapter = save_policy(model, tok, tmp_path / "adapter", config=GRPOConfig(lora_r=4), merge_lora=False)
    assert (adapter / "adapter_config.json").exists()

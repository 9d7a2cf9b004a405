"""Save a trained policy as a standard Hugging Face model folder with a model card.

The folder loads with `reasoncraft.load_model(path)`, `transformers.AutoModelForCausalLM` and vLLM.
LoRA adapters are merged into the base weights by default (`merge_lora=False` keeps the adapter
folder instead, loadable with peft). The model card records the recipe (resolved config), the data
and the metrics, so a folder found later explains itself. Shared by every trainer.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Sequence


def model_card(config: Any, metrics: Sequence[dict], evaluation: dict, trainer: str) -> str:
    """A README.md for the saved policy: what was trained, on what, how, and with what result."""
    cfg = dataclasses.asdict(config) if dataclasses.is_dataclass(config) else dict(config)
    last = metrics[-1] if metrics else {}
    lines = [
        "---", "library_name: transformers", "tags: [reasoncraft, " + trainer + "]", "---", "",
        f"# {cfg.get('model', 'policy')} trained with reasoncraft `{trainer}`", "",
        f"Trained from `{cfg.get('model')}` on task `{cfg.get('task')}` (split `{cfg.get('train_split')}`), "
        f"prompt template `{cfg.get('template')}`, rewards {cfg.get('rewards')}.", "",
        "## Results", "",
    ]
    for name, result in evaluation.items():
        if result:
            lines.append(f"- held-out ({cfg.get('eval_split')}, greedy, {result.get('problems')} problems) {name} training: "
                         f"accuracy {result.get('accuracy'):.3f}, no extractable answer {result.get('extraction_failure_rate'):.3f}")
    if last:
        keep = {k: v for k, v in last.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        lines += ["", f"Final training step: `{json.dumps(keep)}`"]
    lines += ["", "## Recipe (resolved config)", "", "```yaml"]
    import yaml

    lines += [yaml.safe_dump(json.loads(json.dumps(cfg)), sort_keys=False).rstrip(), "```", ""]
    return "\n".join(lines)


def save_policy(model: Any, tokenizer: Any, folder: str | Path, *, config: Any, metrics: Sequence[dict] = (),
                evaluation: dict | None = None, merge_lora: bool = True, trainer: str = "grpo") -> Path:
    """Write the policy (LoRA merged unless merge_lora=False), its tokenizer and README.md to `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if hasattr(model, "peft_config") and merge_lora:
        import copy

        model = copy.deepcopy(model).merge_and_unload()
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    (folder / "README.md").write_text(model_card(config, metrics, evaluation or {}, trainer))
    return folder

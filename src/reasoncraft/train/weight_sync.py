"""Push the trainer's weights to inference servers after each update (GRPO rollouts on vLLM/SGLang).

Two ways, matching what the engines offer (the requests themselves are `backends/openai/weights.py`):

* `lora`: the adapter is saved as a PEFT folder and loaded into every vLLM server under a new name
  per step (`/v1/load_lora_adapter`), which the backend then samples from; the previous adapter
  is unloaded. Cheap: only the adapter moves.
* `disk`: the full model is saved as a Hugging Face folder and every SGLang server reloads it
  (`/update_weights_from_disk`).

`sync_dir` must be readable by the servers under the same path (a shared or local filesystem).
Only the newest `keep` folders are kept.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any


class WeightPusher:
    def __init__(self, backend: Any, mode: str, sync_dir: str | Path, keep: int = 2):
        if mode not in ("lora", "disk"):
            raise ValueError(
                f"weight_sync must be 'lora' (vLLM runtime LoRA) or 'disk' (SGLang full weights): got {mode!r}"
            )
        self.backend, self.mode, self.sync_dir, self.keep = backend, mode, Path(sync_dir).resolve(), keep
        self.current: str | None = None
        self.pushed: list[Path] = []

    def push(self, model: Any, step: int) -> Path:
        """Save this step's weights under sync_dir and make every server sample from them."""
        folder = self.sync_dir / f"step-{step:06d}"
        if folder.exists():
            shutil.rmtree(folder)
        if self.mode == "lora":
            if not hasattr(model, "peft_config"):
                raise ValueError("weight_sync=lora needs a LoRA policy: set lora_r > 0, or use weight_sync=disk")
            model.save_pretrained(folder)  # the adapter only
            name = f"policy-step-{step}"
            self.backend.load_lora_adapter(name, str(folder), use=True)
            if self.current is not None:
                self.backend.unload_lora_adapter(self.current)
            self.current = name
        else:
            if hasattr(model, "peft_config"):  # the server holds full weights: send the merged model
                model = copy.deepcopy(model).merge_and_unload()
            model.save_pretrained(folder, safe_serialization=True)
            self.backend.update_weights_from_disk(str(folder))
        self.pushed.append(folder)
        while len(self.pushed) > self.keep:
            shutil.rmtree(self.pushed.pop(0), ignore_errors=True)
        return folder

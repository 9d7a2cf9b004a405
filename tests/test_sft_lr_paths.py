"""SFT's logged learning rate and where its `datasets:` paths are read from.

- metrics.jsonl's `lr` is the rate the step used (before the fix it was the scheduler's next one);
- paths in a config file are relative to that file's folder (as task YAML paths are), paths typed on the
  command line to the working directory; a missing file is one line naming it as given and as resolved,
  before any model loads.
"""

from __future__ import annotations

import json

import pytest

from helpers import MEMORISE, write_jsonl
from reasoncraft.testing import tiny_model
from reasoncraft.train.optim import lr_factor
from reasoncraft.train.sft import train_sft
from reasoncraft.train.sft_config import SFTConfig


def test_logged_lr_is_the_rate_the_step_used(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", MEMORISE[:4])
    model, tok = tiny_model("llama")
    config = SFTConfig(
        model="tiny",
        datasets=[str(data)],
        max_seq_length=64,
        micro_batch_tokens=96,
        max_steps=4,
        learning_rate=1e-3,
        warmup_steps=2,
        lr_schedule="linear",
        num_threads=1,
        save_steps=0,
        out_dir=str(tmp_path / "run"),
        log_steps=0,
    )
    train_sft(config, model=model, tokenizer=tok, log=lambda m: None)
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    logged = [r["lr"] for r in rows if "lr" in r]
    # warm-up 0.5, 1.0 then linear decay 1.0, 0.5: the next step's rate would read 1.0, 1.0, 0.5, 0.0
    expected = [1e-3 * lr_factor(s, 2, 4, "linear") for s in range(4)]
    assert expected == pytest.approx([5e-4, 1e-3, 1e-3, 5e-4])
    assert logged == pytest.approx(expected)

"""Training: GRPO (`grpo.py`, math in `grpo_loss.py`) and the mechanics every trainer shares
(`config.py`, `checkpoint.py`, `metrics.py`, `optim.py`). Nothing heavy is imported here."""

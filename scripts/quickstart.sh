#!/usr/bin/env bash
# Set up, then run the main job on the embedded default model (SmolLM2-135M-Instruct, a CPU is
# enough): the R1-Zero quickstart recipe, GRPO on 2-digit sums. It evaluates greedy held-out
# accuracy, trains, evaluates again and plots (runs/r1_zero_quickstart/). Extra key=value
# arguments override the recipe, e.g. `bash scripts/quickstart.sh steps=4` for a short look.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec "${REASONCRAFT_VENV:-.venv}/bin/reasoncraft" train grpo configs/r1_zero_quickstart.yaml "$@"

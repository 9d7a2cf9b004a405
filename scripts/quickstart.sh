#!/usr/bin/env bash
# Set up, then run the main job on the embedded default model (SmolLM2-135M-Instruct, a CPU is
# enough): `reasoncraft run compare`, the four routes of "Understanding Reasoning LLMs" (inference-time
# scaling, R1-Zero GRPO, the R1 pipeline, distillation) on 2-digit sums with the quick preset, then
# their comparison on the same 200 held-out problems (runs/compare-quick/: table.md, comparison.png,
# report.html). Rerunning continues where a killed run stopped. Extra key=value arguments override
# the preset, e.g. `bash scripts/quickstart.sh routes=[r1-zero]` for one route.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec "${REASONCRAFT_VENV:-.venv}/bin/reasoncraft" run compare "$@"

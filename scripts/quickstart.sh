#!/usr/bin/env bash
# Set up, then run the main job on the embedded default model (SmolLM2-135M-Instruct, CPU is fine).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec "${REASONCRAFT_VENV:-.venv}/bin/reasoncraft" quickstart "$@"

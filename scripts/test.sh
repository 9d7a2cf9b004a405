#!/usr/bin/env bash
# Set up with the test extras, then run the test suite: the default tier (tiny random models) and
# the `slow` tier on the real default model; the `gpu` tier runs only where CUDA is present.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
exec "${REASONCRAFT_VENV:-.venv}/bin/python" -m pytest -q -p no:cacheprovider "$@"

#!/usr/bin/env bash
# Set up with the test extras, then run the whole test suite, every tier: the default one (tiny random
# models), `slow` (the real default model), `dist` (several training processes: torchrun, accelerate
# launch) and the linter (tests/test_lint.py); `gpu` tests run only where CUDA is present.
# Arguments go to pytest. The fast local tier while working:  bash scripts/test.sh -m "not dist and not slow"
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
exec "${REASONCRAFT_VENV:-.venv}/bin/python" -m pytest -q -p no:cacheprovider "$@"

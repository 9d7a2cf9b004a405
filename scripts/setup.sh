#!/usr/bin/env bash
# Set up reasoncraft in a virtual environment (.venv beside this repo, or $REASONCRAFT_VENV).
# Where no NVIDIA GPU is visible, the CPU build of torch is installed first, so that resolving
# `torch` does not pull a multi-GB CUDA build. Usage: bash scripts/setup.sh [extras], e.g. "dev".
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
venv="${REASONCRAFT_VENV:-.venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)

if ! "$venv/bin/python" -c "import torch" >/dev/null 2>&1; then
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    "${pip[@]}" "torch>=2.4"
  else
    # The CPU wheel index first; where it is unreachable pip still finds a locally provided wheel
    # (find-links), and failing both, the default index.
    "${pip[@]}" --no-deps --retries 1 --timeout 20 torch==2.13.0 \
        --index-url https://download.pytorch.org/whl/cpu 2>/dev/null \
      || "${pip[@]}" torch==2.13.0
  fi
fi

if [ -n "$extras" ]; then
  "${pip[@]}" -e ".[$extras]"
else
  "${pip[@]}" -e .
fi
echo "reasoncraft is set up in $venv"

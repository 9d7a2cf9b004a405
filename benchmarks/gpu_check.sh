#!/usr/bin/env bash
# The prepared GPU check: one script, run once per lent GPU session (15 minutes of device time).
#
# The GPU machine has torch and transformers but no datasets/TRL and no network, and cannot receive
# the default model's weights (64 MiB transfer limit): carry TRL's wheels and the default model's
# config + tokenizer, and benchmark a random-init model of the same shape. Layout (ignored by git):
#   .gpu/whl/*.whl            trl, datasets, dill, multiprocess (pip download --no-deps, cp312)
#   .gpu/smollm2-135m/        config.json + tokenizer files of the default model (no weights)
#   .gpu/snap/                `git archive HEAD` of this repo (helpers may be editing the work tree)
# On the GPU machine, from the repo root:  bash .gpu/snap/benchmarks/gpu_check.sh
# Results land in $OUT: the pytest log, the *_cuda.json results and their RESULTS.md lines.
set -uo pipefail
ROOT=$(pwd)
OUT=${OUT:-/tmp/gpu-out}
mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site "$ROOT"/.gpu/whl/*.whl || exit 1
cd "$ROOT/.gpu/snap"
export PYTHONPATH=$PWD/src:/tmp/site PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
SHAPE="random:$ROOT/.gpu/smollm2-135m"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c "import torch, transformers, trl, accelerate; print('torch', torch.__version__, 'transformers', transformers.__version__, 'trl', trl.__version__, 'accelerate', accelerate.__version__)"
echo "== GPU test tier"
timeout 150 python3 -m pytest -q -p no:cacheprovider -m gpu tests/test_backend_hf.py tests/test_sft_trainer.py tests/test_grpo_trainer.py 2>&1 | tee "$OUT/gpu_tests.log" | tail -15
echo "== generation (hf backend vs model.generate), bf16"
timeout 150 python3 benchmarks/generation.py --model "$SHAPE" --device cuda --dtype bfloat16 --repeats 3 2>&1 | tail -4
echo "== GRPO step vs TRL GRPOTrainer, bf16"
timeout 270 python3 benchmarks/grpo_vs_trl.py --model "$SHAPE" --device cuda --dtype bfloat16 --steps 8 --threads 8 2>&1 | tail -4
cp benchmarks/results/*_cuda.json "$OUT"/ 2>/dev/null
grep -E "_cuda|cuda," benchmarks/RESULTS.md | head -4 > "$OUT/results_lines.md"
cat "$OUT/results_lines.md"

"""One stage in its own process, so that stages which do not depend on each other run at the same time.

The runner (`recipes.schedule.run_stages` with `workers` > 1) writes what the stage needs into its folder
(`worker.json`: the recipe folder, the device, the stage's kind, config and name, and the stage.json of each
of its inputs) and starts `python -m reasoncraft.recipes.worker FOLDER`. The process runs the stage's kind
(`recipes.kinds.KINDS`) with `num_threads` torch threads, logs into `log.txt` in the folder, and writes
`outputs.json`, or `error.json` when the stage stops the recipe (`StageOutputTooSmall`) or fails. Each stage
being its own process also keeps the trainers' global seeding (torch.manual_seed) from crossing stages.

The process asks Linux to kill it when the runner dies (PR_SET_PDEATHSIG), so a SIGKILL of the runner never
leaves a stage running beside the rerun.
"""

from __future__ import annotations

import ctypes
import json
import signal
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

from .stages import Context, Stage, StageOutputTooSmall

REQUEST, OUTPUTS, ERROR, LOG = "worker.json", "outputs.json", "error.json", "log.txt"


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:  # not Linux: an orphaned stage finishes on its own; its folder is redone on rerun
        pass


def launch(stage: Stage, ctx: Context, records: dict[str, dict], threads: int = 0) -> subprocess.Popen:
    """Start the stage in a process of its own; its folder must exist (the runner wrote stage.json)."""
    folder = ctx.root / stage.name
    request = {
        "root": str(ctx.root),
        "device": ctx.device,
        "threads": threads,
        "name": stage.name,
        "kind": stage.kind,
        "config": dict(stage.config),
        "inputs": dict(stage.inputs),
        "records": records,
    }
    (folder / REQUEST).write_text(json.dumps(request, indent=2))
    log = open(folder / LOG, "w")  # noqa: SIM115 (the child writes it; closed with the runner's handle below)
    process = subprocess.Popen(
        [sys.executable, "-m", "reasoncraft.recipes.worker", str(folder)],
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )
    log.close()
    return process


def result(process: subprocess.Popen, folder: Path) -> dict:
    """The finished stage's outputs; what it raised, raised again here."""
    if (folder / OUTPUTS).exists() and process.returncode == 0:
        return json.loads((folder / OUTPUTS).read_text())
    if (folder / ERROR).exists():
        error = json.loads((folder / ERROR).read_text())
        if error["type"] == "StageOutputTooSmall":
            raise StageOutputTooSmall(error["stage"], error["produced"], error["fix"])
        raise RuntimeError(f"stage {folder.name} failed: {error['message']} (its log: {folder / LOG})")
    tail = (folder / LOG).read_text()[-2000:] if (folder / LOG).exists() else ""
    raise RuntimeError(f"stage {folder} ended with exit status {process.returncode}; the end of its log:\n{tail}")


def main(folder: Path) -> int:
    from .kinds import KINDS  # lazy: the engines, imported by the stage process only

    request: dict[str, Any] = json.loads((folder / REQUEST).read_text())
    ctx = Context(Path(request["root"]), log=lambda message: print(message, flush=True), device=request["device"])
    ctx.records.update(request["records"])
    threads = request["threads"]
    if threads:
        import torch  # lazy: heavy

        torch.set_num_threads(threads)
    inputs = {role: ctx.records[upstream]["outputs"] for role, upstream in request["inputs"].items()}
    try:
        outputs = KINDS[request["kind"]](request["config"], inputs, folder, ctx, request["name"])
    except StageOutputTooSmall as exc:
        error = {"type": "StageOutputTooSmall", "stage": exc.stage, "produced": exc.produced, "fix": exc.fix}
        (folder / ERROR).write_text(json.dumps(error))
        return 1
    except Exception as exc:  # the runner re-raises it with the log's path
        traceback.print_exc()
        (folder / ERROR).write_text(json.dumps({"type": type(exc).__name__, "message": str(exc)}))
        return 1
    (folder / OUTPUTS).write_text(json.dumps(outputs))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))

"""The life of one training run, written once for every trainer (GRPO, SFT, and the PRM trainer to come).

A trainer keeps its algorithm and its loop; everything around them happens here, in this order:

    run = TrainingRun("train sft", config, resume=resume, log=log)  # checks, folder, threads, seed
    ... the trainer builds its model, optimizer and scheduler ...
    data = run.start(model, optimizer, scheduler, model_id=...)  # config saved, record, metrics, resume
    run.held_out("before", evaluate, step=0)
    for step in range(run.step + 1, steps + 1):
        ... one step of the algorithm ...
        metrics = run.log_step(metrics, seconds=elapsed, training_tokens=...)
        run.checkpoint(step, last_step=steps, data=stream.state())
    run.held_out("after", evaluate, step=steps)
    return run.finish(tokenizer, steps=steps, plot_keys=PLOT_KEYS)

What it writes under `out_dir`, the names every command, test and report reads:

    config.yaml                     the resolved config (start)
    metrics.jsonl                   one JSON object per step (log_step); on resume the lines past the resumed
                                    step are dropped, so the file reads as one uninterrupted run
    tensorboard/, wandb_run_id      the trackers named in report_to, mirroring metrics.jsonl (loggers.py)
    eval/before, eval/after         held-out evaluations, each what `reasoncraft eval` writes (held_out.py)
    checkpoints/                    step-NNNNNN/ and `latest` (checkpoint.py): every save_steps steps and the last
    model/                          the trained Hugging Face folder with its model card (export.py), if save_model
    metrics.png, summary.json, run.json   at finish; run.json is the run record of record.py

Exact resume: `start` restores the weights, optimizer, scheduler and every RNG, and hands back the data
position the trainer saved, after the trainer has built everything that draws random numbers (LoRA
initialisation, a reference copy), so the resumed run continues as the uninterrupted one would have. The
tokens and FLOPs counted so far travel in the checkpoint too, so run.json accounts for the whole run.

Several processes (torchrun, accelerate launch): every process calls every stage, in the same order,
because some stages hold collectives (metrics averaged and tokens summed over processes, FSDP gathering
full tensors, barriers); only the main process writes files and speaks. A sharded (FSDP) model needs every
process in each forward pass, so the other processes run the held-out evaluations too, into a scratch folder.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..config import ConfigError, config_dict, save_config
from ..record import RunRecord
from ..runs import drop_rows_after
from . import distributed, fsdp
from .checkpoint import load_checkpoint, resolve_checkpoint, save_checkpoint
from .export import save_policy
from .held_out import brief, eval_scalars
from .loggers import open_sinks, require_backends
from .metrics import MetricsLog
from .plots import plot_run

CONFIG_NAME = "config.yaml"
METRICS_NAME = "metrics.jsonl"
# what the run record has counted, carried through checkpoints so that a resumed run's run.json counts the whole run
RECORD_COUNTS = ("prompt_tokens", "completion_tokens", "training_tokens", "flops")


def checkpoint_due(step: int, last_step: int, save_steps: int) -> bool:
    """Whether `step` saves a checkpoint: every `save_steps` steps and the last; 0 = only the last; -1 = never.

    >>> [s for s in range(1, 8) if checkpoint_due(s, 7, 3)], checkpoint_due(7, 7, 0), checkpoint_due(7, 7, -1)
    ([3, 6, 7], True, False)
    """
    if save_steps < 0:
        return False
    return step == last_step or (save_steps > 0 and step % save_steps == 0)


class TrainingRun:
    """One training run's folder, seed, record, metrics, resume, held-out evaluations, checkpoints and export.

    `command` is "train <trainer>" as run.json and the model card name it (e.g. "train grpo"). `config` is the
    trainer's resolved config: saved beside the outputs, recorded in run.json, and read for the run settings
    every trainer shares (`reasoncraft.config.RunSection`: out_dir, seed, num_threads, report_to, save_steps,
    keep_checkpoints, save_model), which are this class's own and nothing else's. `resume`: a run folder or
    checkpoint to continue from. `sharded`: the trainer shards its model with FSDP (several processes needed).
    `one_process`: the trainer cannot run under a multi-process launch (refused before anything starts).
    """

    def __init__(
        self,
        command: str,
        config: Any,
        *,
        resume: str | Path | None = None,
        sharded: bool = False,
        one_process: bool = False,
        log: Callable[[str], None] = print,
    ):
        import torch  # heavy: imported when a run starts, not when the module is

        # Every check that needs no model comes first, so that a mistake costs no loading time.
        if resume is not None:
            resolve_checkpoint(resume)
        require_backends(config.report_to)
        if one_process:
            if int(os.environ.get("WORLD_SIZE", "1")) > 1:
                raise ConfigError(
                    f"{command} runs on one process (each of several would train its own copy into the "
                    "same out_dir): launch it without torchrun/accelerate; see docs/training.md"
                )
            self.rank, self.world = 0, 1
        else:
            self.rank, self.world = distributed.init()
        if sharded and self.world < 2:
            raise ConfigError(
                "fsdp shards the model over processes: launch with torchrun --nproc_per_node N or "
                "accelerate launch (see docs/training.md), or set fsdp=false for one process"
            )
        self.command, self.config, self.out = command, config, Path(config.out_dir)
        self.resume, self.sharded, self.main = resume, sharded, self.rank == 0
        self.log = log if self.main else (lambda message: None)  # one process speaks
        self.step, self.evaluation, self.train_seconds = 0, {}, 0.0
        self.record: Any = None
        self.metrics: MetricsLog | None = None
        self.model = self.optimizer = self.scheduler = None
        self.out.mkdir(parents=True, exist_ok=True)
        if config.num_threads:
            torch.set_num_threads(config.num_threads)
        torch.manual_seed(config.seed)

    def start(
        self,
        model: Any,
        optimizer: Any,
        scheduler: Any,
        *,
        model_id: str,
        weights_sha256: str | None = None,
        parameters: int | None = None,
    ) -> dict | None:
        """Save the resolved config, open the run record and the metrics log, and restore the checkpoint when
        resuming. Returns the data position saved with that checkpoint (None on a fresh run).

        `weights_sha256` and `parameters` describe the starting weights in run.json; a sharded trainer reads
        them before sharding splits the tensors."""
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        if self.main:
            save_config(self.config, self.out / CONFIG_NAME)
        distributed.barrier()
        self.record = RunRecord(self.command, config_dict(self.config), self.out, devices=self.world)
        self.record.set_model(model_id, weights_sha256, parameters)
        data = None
        if self.resume is not None:
            state = load_checkpoint(
                self.resume, model=model, optimizer=optimizer, scheduler=scheduler, sharded=self.sharded
            )
            self.step, data = state["step"], state["data"]
            self.evaluation, self.train_seconds = state.get("evaluation", {}), state.get("train_seconds", 0.0)
            spent = state.get("record", {})  # the tokens and FLOPs counted before the stop
            for name in RECORD_COUNTS:
                setattr(self.record, name, spent.get(name, getattr(self.record, name)))
            self.log(f"resumed from {state['checkpoint']} at step {self.step}")
        if self.main:
            resume_step = self.step if self.resume is not None else None
            if resume_step is not None:  # rows a killed step logged are logged again when it reruns
                drop_rows_after(self.out / "samples.jsonl", resume_step)
            sinks = open_sinks(self.config.report_to, self.out, config_dict(self.config), resume_step)
            self.metrics = MetricsLog(self.out / METRICS_NAME, resume_step=resume_step, sinks=sinks)
        return data

    def held_out(self, when: str, evaluate: Callable[[str, Path], dict] | None, *, step: int) -> dict | None:
        """Run the held-out evaluation `when` ("before" or "after") with the model in eval mode, unless there is
        none (`evaluate` None) or a resumed run already holds it; log it and send it to the trackers at `step`.

        `evaluate(when, folder)` returns `held_out.held_out_eval`'s dict, its outputs written into `folder`."""
        distributed.barrier()
        if evaluate is None or when in self.evaluation or not (self.main or self.sharded):
            return self.evaluation.get(when)
        folder = self.out / "eval" / when if self.main else Path(tempfile.mkdtemp(prefix=f"eval-{when}-"))
        was_training = self.model.training
        self.model.eval()
        try:
            result = evaluate(when, folder)
        finally:
            self.model.train(was_training)
        self.evaluation[when] = result
        if self.main:
            self.log(f"held-out {when}: {brief(result)}")
            self.metrics.report(eval_scalars(result), step)
        return result

    def log_step(
        self,
        metrics: dict,
        *,
        seconds: float,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        training_tokens: int = 0,
    ) -> dict:
        """Add the step's time to `train_seconds`, average the metrics over processes, append them to
        metrics.jsonl (and the trackers), and count the tokens of every process in the run record.
        Returns the averaged metrics."""
        self.train_seconds += seconds
        metrics = distributed.mean_over_processes({**metrics, "train_seconds": self.train_seconds})
        if self.main:
            self.metrics.write(metrics)
        counts = (int(distributed.all_reduce_sum(n)) for n in (prompt_tokens, completion_tokens, training_tokens))
        self.record.add_tokens(*counts)
        return metrics

    def checkpoint(self, step: int, *, last_step: int, data: dict) -> Path | None:
        """Save a complete checkpoint when `checkpoint_due`: weights, optimizer, scheduler, RNGs, the data position
        `data`, the evaluations so far and the training time. Returns its folder (on the main process)."""
        if not checkpoint_due(step, last_step, self.config.save_steps):
            return None
        full = fsdp.full_states(self.model, self.optimizer) if self.sharded else (None, None)  # collective
        path = None
        if self.main:
            spent = {name: getattr(self.record, name) for name in RECORD_COUNTS}
            state = {"data": data, "evaluation": self.evaluation, "train_seconds": self.train_seconds, "record": spent}
            path = save_checkpoint(
                self.out / "checkpoints",
                step,
                model=self.model,
                optimizer=self.optimizer,
                scheduler=self.scheduler,
                state=state,
                config_yaml=(self.out / CONFIG_NAME).read_text(),
                keep=self.config.keep_checkpoints,
                model_state=full[0],
                optimizer_state=full[1],
            )
        distributed.barrier()
        return path

    def run_name(self) -> str:
        """The run in words, for plot titles: "train grpo runs/r1_zero (smollm2-135m on arith-sum-2d)"."""
        model = getattr(self.record, "model_id", None) if self.record is not None else None
        what = " on ".join(str(x) for x in (model, getattr(self.config, "task", None)) if x)
        return f"{self.command} {self.out}" + (f" ({what})" if what else "")

    def finish(
        self,
        tokenizer: Any,
        *,
        steps: int,
        plot_keys: Sequence[str],
        merge_lora: bool = True,
        examples: int | None = None,
        **details: Any,
    ) -> dict:
        """Close the metrics, plot `plot_keys`, export the model folder with its card (when the config's save_model),
        and write summary.json and run.json. `merge_lora` and `examples` go to the export (export.save_policy).

        `details` are trainer-specific summary entries (e.g. SFT's example count). Returns the summary; the
        processes other than the main one return only their rank, steps and training time."""
        save_model = self.config.save_model
        final_state = fsdp.full_states(self.model)[0] if self.sharded and save_model else None  # collective
        if not self.main:
            return {"rank": self.rank, "steps": steps, "train_seconds": round(self.train_seconds, 2)}
        self.metrics.close()
        rows = self.metrics.read()
        plot = plot_run(rows, self.out / "metrics.png", plot_keys, run_name=self.run_name(), evaluation=self.evaluation)
        model_dir = self.out / "model"
        if save_model:
            save_policy(
                self.model,
                tokenizer,
                model_dir,
                config=self.config,
                metrics=rows,
                evaluation=self.evaluation,
                merge_lora=merge_lora,
                trainer=self.command.removeprefix("train "),
                examples=examples,
                state_dict=final_state,
            )
        summary = {
            "evaluation": self.evaluation,
            "steps": steps,
            **details,
            "train_seconds": round(self.train_seconds, 2),
            "final_metrics": rows[-1] if rows else {},
            "metrics": str(self.out / METRICS_NAME),
            "plot": str(plot) if plot else None,
            "model": str(model_dir) if save_model else None,
        }
        self.record.finish(train=summary)
        (self.out / "summary.json").write_text(json.dumps(summary, indent=2))
        return summary

"""The data engine for SFT and distillation: teacher traces, rejection sampling, dedup, decontamination,
readability filters and journey traces.

    from reasoncraft.data.distill import DistillConfig, run_distill
    from reasoncraft.config import load_config
    report = run_distill(load_config(DistillConfig, "configs/distill_countdown_journey.yaml"))

or `reasoncraft distill configs/distill_countdown_journey.yaml [key=value ...]`, then
`reasoncraft train sft configs/sft_countdown_journey.yaml` on the `sft.jsonl` it writes.

Modules: `generate` (k verified traces per problem from a Backend or a programmatic Solver; crash-safe,
resumable), `filters` (rejection sampling, R1 readability), `dedup` (exact and MinHash near duplicates),
`decontam` (8-gram decontamination against the evaluation sets), `journey` (wrong attempt, reflection,
right attempt), `countdown` (depth-first search teacher: journey and shortcut traces), `pipeline`
(traces -> SFT set), `distill` (the command's config and runner).
"""

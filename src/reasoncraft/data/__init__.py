"""The data engine for SFT and distillation: teacher traces, rejection sampling, dedup, decontamination,
readability filters and journey traces. See `data.distill` for the pipeline and `reasoncraft distill`.

Modules: `generate` (k verified traces per problem from a Backend or a programmatic Solver; crash-safe,
resumable), `filters` (rejection sampling, R1 readability), `dedup` (exact and MinHash near duplicates),
`decontam` (8-gram decontamination against the evaluation sets), `journey` (wrong attempt, reflection,
right attempt), `countdown` (depth-first search teacher: journey and shortcut traces), `pipeline`
(traces -> SFT set), `distill` (the command's config and runner).
"""

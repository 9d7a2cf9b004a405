"""PRM-guided step-level beam search (Snell et al. 2024, arXiv 2408.03314, sec. 5.2; HF search-and-learn).

Per problem, with budget N (`n`) and beam width M (`beam_width`):

1. sample N first steps (a step ends at a blank line);
2. score every partial solution with the PRM and aggregate its step scores (`last`, `min` or `prod`);
3. solutions that ended (end-of-sequence, token limit, an empty step, or, with `stop_at_answer`, a
   final answer written) are set aside as finished;
   of the rest, keep the N / M best;
4. give the kept beams N children between them (M each when none finished; search-and-learn
   repeats the kept beams to refill N) and go to 2; the last iteration writes to the end.

The answer is chosen among the N best-scored finished solutions: the best one (`select="best"`,
search-and-learn's `pred`), or a weighted or plain vote over their answers.

Departures from search-and-learn, and why:

* all problems are searched at once: every iteration is one batched generation call (per distinct
  child count) and one batched PRM call for every problem, where search-and-learn requires a search
  batch of one problem;
* beams with the same text share one request with that many samples (a backend seeds each sample
  by prompt and sample index, so two equal requests would draw equal children);
* `stop_at_answer` finishes a beam once its answer can be extracted (search-and-learn does this for
  "boxed{" in DVTS only), so a small model that keeps writing after "Answer: 19" spends nothing more;
* ties in score keep the earlier beam, so results do not depend on sort stability. The chosen
  answers are the same as solving one problem at a time with the same seed (tested).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..backends.base import Backend, Prompt
from ..math.select import expansion_counts, top_k_indices
from ..math.steps import aggregate
from .base import Candidate, Outcome, Usage, check_batch, default_extract, ended_on_stop_string, expand, render_prompt
from .search import SearchSettings, choose_final, score_partials


@dataclass
class BeamSearch(SearchSettings):
    name: str = "beam"

    def __post_init__(self) -> None:
        self.validate(self.name)

    def solve(self, backend: Backend, prompts: Sequence[Prompt], questions: Sequence[str]) -> list[Outcome]:
        check_batch(prompts, questions)
        texts = [render_prompt(backend, p) for p in prompts]
        keep = self.n // self.beam_width
        usages = [Usage() for _ in prompts]
        parents: list[list[str]] = [[""] for _ in prompts]  # partial solutions to expand, per problem
        finished: list[list[Candidate]] = [[] for _ in prompts]
        steps_taken = [0 for _ in prompts]
        for iteration in range(self.max_steps):
            requests, owners = [], []
            for p, beams in enumerate(parents):
                if beams:
                    steps_taken[p] += 1
                for beam, count in zip(beams, expansion_counts(len(beams), self.n) if beams else []):
                    requests.append((p, texts[p] + beam, count))
                    owners.append((p, beam))
            if not requests:
                break
            results = expand(backend, requests, self.step_sampling(iteration), usages)
            extract = self.extract or default_extract()
            children: list[tuple[int, str, bool]] = []  # (problem, text, finished)
            for (p, beam), group in zip(owners, results):
                for c in group:
                    at_step_end = ended_on_stop_string(c, backend) and iteration < self.max_steps - 1
                    step = c.text + (self.separator if at_step_end else "")
                    done = not at_step_end or not c.text.strip()
                    done = done or (self.stop_at_answer and extract(beam + step) is not None)
                    children.append((p, beam + step, done))
            step_scores = score_partials(
                self.scorer,
                [questions[p] for p, _, _ in children],
                [t for _, t, _ in children],
                [p for p, _, _ in children],
                usages,
                self.separator,
            )
            active: list[list[tuple[str, float]]] = [[] for _ in prompts]
            for (p, text, done), scores in zip(children, step_scores):
                score = aggregate(scores, self.aggregation)
                if done:
                    finished[p].append(Candidate(text, None, score, scores))
                else:
                    active[p].append((text, score))
            for p, beams in enumerate(active):
                best = top_k_indices([s for _, s in beams], keep)
                parents[p] = [beams[i][0] for i in best]
        return [self._outcome(f, u, s) for f, u, s in zip(finished, usages, steps_taken)]

    def _outcome(self, finished: list[Candidate], usage: Usage, steps: int) -> Outcome:
        extract = self.extract or default_extract()
        ranked = [finished[i] for i in top_k_indices([c.score for c in finished], self.n)]
        for c in ranked:
            c.answer = extract(c.text)
        if not ranked:
            return Outcome(None, "", [], usage, {"iterations": steps, "finished": 0})
        chosen = ranked[choose_final(ranked, self.select, self.equal)]
        return Outcome(chosen.answer, chosen.text, ranked, usage, {"iterations": steps, "finished": len(finished)})

"""Diverse verifier tree search, DVTS (Beeching, Tunstall and Rush 2024, HF search-and-learn).

Beam search lets one early high-scoring step take over all N beams. DVTS splits the budget N
into N / M independent subtrees; in each iteration every live subtree samples M candidate next
steps, the PRM scores them (aggregation `last`, `min` or `prod`), and the subtree greedily keeps its
best one. A subtree ends when its chosen step ended the completion (end-of-sequence, token limit,
empty step) or, with `stop_at_answer`, wrote an extractable answer (search-and-learn: "boxed{").
The last iteration writes to the end.

The candidates are, as in search-and-learn, the M last candidates of every subtree (N in all), and
the answer is chosen among them: the best-scored (`select="best"`), or a weighted or plain vote.

Departures, as in `beam_search`: all problems are searched at once (one generation call per
distinct sample count and one PRM call per iteration for every problem), subtrees that share a
text share one request so they never draw equal candidates, and score ties keep the earlier one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..backends.base import Backend, Prompt
from ..math.select import argmax_first
from ..math.steps import aggregate
from .base import Candidate, Outcome, Usage, check_batch, default_extract, ended_on_stop_string, expand, render_prompt
from .search import SearchSettings, choose_final, score_partials


@dataclass
class _Subtree:
    problem: int
    text: str = ""
    done: bool = False
    last: list[Candidate] = field(default_factory=list)  # the M candidates of its last expansion


@dataclass
class DVTS(SearchSettings):
    name: str = "dvts"

    def __post_init__(self) -> None:
        self.validate(self.name)

    def solve(self, backend: Backend, prompts: Sequence[Prompt], questions: Sequence[str]) -> list[Outcome]:
        check_batch(prompts, questions)
        texts = [render_prompt(backend, p) for p in prompts]
        extract = self.extract or default_extract()
        usages = [Usage() for _ in prompts]
        subtrees = [_Subtree(p) for p in range(len(prompts)) for _ in range(self.n // self.beam_width)]
        iterations = [0 for _ in prompts]
        for iteration in range(self.max_steps):
            live = [t for t in subtrees if not t.done]
            if not live:
                break
            for p in {t.problem for t in live}:
                iterations[p] += 1
            requests = [(t.problem, texts[t.problem] + t.text, self.beam_width) for t in live]
            results = expand(backend, requests, self.step_sampling(iteration), usages)
            children: list[tuple[_Subtree, str, bool]] = []  # (subtree, candidate text, ends the solution)
            for tree, group in zip(live, results):
                for c in group:
                    at_step_end = ended_on_stop_string(c, backend) and iteration < self.max_steps - 1
                    children.append(
                        (tree, c.text + (self.separator if at_step_end else ""), not at_step_end or not c.text.strip())
                    )
            step_scores = score_partials(
                self.scorer,
                [questions[t.problem] for t, _, _ in children],
                [t.text + s for t, s, _ in children],
                [t.problem for t, _, _ in children],
                usages,
                self.separator,
            )
            for i, tree in enumerate(live):
                mine = range(i * self.beam_width, (i + 1) * self.beam_width)
                tree.last = [
                    Candidate(
                        tree.text + children[j][1], None, aggregate(step_scores[j], self.aggregation), step_scores[j]
                    )
                    for j in mine
                ]
                best = argmax_first([c.score for c in tree.last])
                step, ends = children[mine[best]][1], children[mine[best]][2]
                tree.text += step
                tree.done = ends or (self.stop_at_answer and extract(tree.text) is not None)
        return [
            self._outcome([t for t in subtrees if t.problem == p], usages[p], iterations[p], extract)
            for p in range(len(prompts))
        ]

    def _outcome(self, trees: list[_Subtree], usage: Usage, iterations: int, extract) -> Outcome:
        candidates = [c for t in trees for c in t.last]
        for c in candidates:
            c.answer = extract(c.text)
        chosen = candidates[choose_final(candidates, self.select, self.equal)]
        return Outcome(
            chosen.answer, chosen.text, candidates, usage, {"iterations": iterations, "subtrees": len(trees)}
        )

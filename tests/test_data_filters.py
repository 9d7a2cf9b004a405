"""Rejection sampling, readability filters, dedup, decontamination (MATH-500 planted and reworded)."""

from __future__ import annotations

import doctest
import importlib
import json
import random

import pytest

from reasoncraft.data.decontam import Decontaminator, eval_sets_from_tasks
from reasoncraft.data.dedup import near_duplicates
from reasoncraft.data.filters import Readability, readability_reasons
from reasoncraft.data.pipeline import build_sft_set


@pytest.mark.parametrize("name", ["filters", "dedup", "decontam", "journey", "countdown"])
def test_module_doctests(name):
    result = doctest.testmod(importlib.import_module(f"reasoncraft.data.{name}"), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_readability_reasons_one_by_one():
    rules = Readability(layout="r1", max_tokens=50)
    good = "<think>3 + 4 = 7, checked.</think>\n<answer>7</answer>"
    assert readability_reasons(good, 12, "stop", rules) == []
    assert readability_reasons("<think>先算 3 + 4 等于七</think><answer>7</answer>", 12, "stop", rules) == ["language"]
    assert readability_reasons(good, 51, "stop", rules) == ["length"]
    assert readability_reasons(good, 12, "length", rules) == ["truncated"]
    assert readability_reasons("7", 1, "stop", rules) == ["format"]
    loop = "<think>" + "I add the numbers again now.\n" * 5 + "</think><answer>7</answer>"
    assert readability_reasons(loop, 40, "stop", rules) == ["repetition"]
    assert readability_reasons(good, None, "stop", rules, count_tokens=lambda t: 60) == ["length"]


def test_near_duplicates_against_a_plain_pairwise_loop():
    from reasoncraft.data.dedup import jaccard, shingles

    rng = random.Random(0)
    vocab = "add the numbers then check the sum and carry one to the next column".split()
    base = [" ".join(rng.choice(vocab) for _ in range(30)) for _ in range(12)]
    texts = base + [t.replace(" ", "  ", 1) + " ok" for t in base[:6]]  # 6 near copies
    got = near_duplicates(texts, threshold=0.8)
    sets = [shingles(t) for t in texts]
    for i, match in enumerate(got):  # the loop version: an earlier kept text with Jaccard >= 0.8
        kept_before = [j for j in range(i) if got[j] is None]
        expected = any(jaccard(sets[i], sets[j]) >= 0.8 for j in kept_before)
        assert (match is not None) == expected, i
    assert sum(m is not None for m in got) >= 6


def _record(key, question, completion, correct=True, tokens=10):
    return {
        "key": key,
        "problem_id": key,
        "messages": [{"role": "user", "content": question}, {"role": "assistant", "content": completion}],
        "completion": completion,
        "verdict": {"correct": correct},
        "tokens": {"completion": tokens},
        "finish_reason": "stop",
    }


def test_build_sft_set_counts_each_reason():
    records = [
        _record("a", "What is 2 + 3?", "2 + 3 = 5. Answer: 5"),
        _record("b", "What is 2 + 3?", "2 + 3 = 5. Answer: 5"),  # exact duplicate of a
        _record("c", "What is 4 + 4?", "4 + 4 = 9. Answer: 9", correct=False),
        _record("d", "What is 6 + 1?", "6 + 1 = 7 所以答案是七. Answer: 7"),
        _record("e", "What is 8 + 1?", "8 + 1 = 9. Answer: 9", correct=None),
    ]
    kept, report = build_sft_set(records, rules=Readability(layout="answer"))
    assert [r["key"] for r in kept] == ["a"]
    assert report["dropped"] == {"incorrect": 1, "readability:language": 1, "unverified": 1, "exact_duplicates": 1}


def _math500(shared_data):
    from reasoncraft.tasks import list_tasks

    path = shared_data / "math500.jsonl"
    if "math500" in list_tasks():  # read through the task when the math tasks are present
        sets, unavailable = eval_sets_from_tasks(["math500"], {"math500": {"data_path": str(path)}})
        assert not unavailable
        return sets
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {"math500/test": [(r["id"], r["problem"]) for r in rows]}


SYNONYMS = {
    "find": "determine",
    "what": "which",
    "compute": "calculate",
    "number": "value",
    "the": "this",
    "is": "equals",
    "of": "for",
    "how": "in what way",
    "many": "numerous",
}


def reword(text: str, changes: int = 3) -> str:
    """A light rewording: the first `changes` words with a synonym are swapped."""
    words, done = text.split(" "), 0
    for i, w in enumerate(words):
        if done < changes and w.lower() in SYNONYMS:
            words[i], done = SYNONYMS[w.lower()], done + 1
    return " ".join(words)


def test_math500_planted_problems_are_removed_and_reworded_copies_flagged(shared_data):
    """Acceptance: MATH-500 problems planted in a training set are removed; lightly reworded copies flagged."""
    sets = _math500(shared_data)
    items = sets["math500/test"]
    decontaminator = Decontaminator(sets)
    rng = random.Random(0)
    planted = rng.sample([t for _, t in items if len(t.split()) >= 12], 40)
    reworded = [reword(t) for t in planted]
    assert sum(a != b for a, b in zip(planted, reworded)) >= 35
    gsm = [json.loads(line) for line in (shared_data / "gsm8k_train_sample.jsonl").read_text().splitlines()[:300]]
    clean = [r["problem"] for r in gsm]
    records = (
        [_record(f"planted{i}", t, "x Answer: 1") for i, t in enumerate(planted)]
        + [
            _record(f"reworded{i}", f"Solve this. {t}", f"y{i} Answer: 1")
            for i, t in enumerate(reworded)
            if t not in planted
        ]
        + [_record(f"clean{i}", t, f"z{i} Answer: 1") for i, t in enumerate(clean)]
    )
    kept, report = build_sft_set(records, rules=Readability(script="", layout="none"), decontaminator=decontaminator)
    verdicts = {item["key"]: item["verdict"] for item in report["contamination"]["items"]}
    assert all(verdicts.get(f"planted{i}") == "removed" for i in range(40))
    reworded_keys = [r["key"] for r in records if r["key"].startswith("reworded")]
    assert all(k in verdicts for k in reworded_keys), "a reworded copy went unnoticed"
    assert any(verdicts[k] == "flagged" for k in reworded_keys)
    false_positives = [k for k in verdicts if k.startswith("clean")]
    assert len(false_positives) <= 3, false_positives  # GSM8K train problems are not MATH-500 problems
    kept_keys = {r["key"] for r in kept}
    assert not any(k.startswith("planted") for k in kept_keys)
    assert all(r["contamination"]["verdict"] == "flagged" for r in kept if r["key"].startswith("reworded"))
    # Removing only exact copies (remove_overlap=1): every reworded copy is flagged and kept for review.
    strict = Decontaminator(sets, remove_overlap=1.0)
    assert all(strict.check(t).verdict == "removed" for t in planted)
    assert all(strict.check(f"Solve this. {t}").verdict == "flagged" for t in reworded if t not in planted)
    print(
        {
            "planted_removed": 40,
            "reworded": len(reworded_keys),
            "reworded_flagged": sum(verdicts[k] == "flagged" for k in reworded_keys),
            "reworded_removed": sum(verdicts[k] == "removed" for k in reworded_keys),
            "gsm8k_false_positives": len(false_positives),
        }
    )


def test_eval_sets_come_from_the_tasks_and_missing_ones_are_reported():
    sets, unavailable = eval_sets_from_tasks(["arith-sum-2d", "countdown-3", "no-such-task"])
    assert len(sets["arith-sum-2d/test"]) == 500 and len(sets["countdown-3/test"]) == 500
    assert "no-such-task" in unavailable and "KeyError" in unavailable["no-such-task"]
    from reasoncraft.tasks import get_task

    task = get_task("countdown-3")
    decontaminator = Decontaminator(sets)
    test_q = task.problems("test", limit=1)[0].question
    assert decontaminator.check(test_q).verdict == "removed"
    # Train and test are disjoint by construction, but a short templated question that shares its
    # target and all but one number with a test question overlaps it in most 8-grams: rare, and removed.
    train = task.problems("train", limit=200)
    removed = [p for p in train if (m := decontaminator.check(p.question)) and m.verdict == "removed"]
    assert len(removed) <= 4


def test_to_dataset_reads_records_whose_extra_fields_differ(tmp_path):
    from reasoncraft.data.pipeline import to_dataset, write_jsonl_atomic

    a = {**_record("a", "q1", "c1"), "verdict": {"correct": True, "reward": 1.0, "breakdown": {"accuracy": 1.0}}}
    b = {
        **_record("b", "q2", "c2"),
        "verdict": {"correct": True, "reward": {"failure": "x"}, "breakdown": {"code": 0.5}},
        "journey": {"reflection": "teacher"},
        "teacher": {"id": "t"},
    }
    path = write_jsonl_atomic([a, b], tmp_path / "sft.jsonl")
    dataset = to_dataset(path)
    assert dataset["key"] == ["a", "b"] and dataset["journey"] == [None, "teacher"]
    assert dataset[1]["messages"][-1] == {"role": "assistant", "content": "c2"}


_UNREACHABLE_HUB = """
import json, os, sys, time
import datasets  # imported before: the offline switch must reach an already imported library and be given back
from reasoncraft.data.decontam import eval_sets_from_tasks
started = time.perf_counter()
sets, unavailable = eval_sets_from_tasks(["humaneval", "mbpp", "arith-sum-2d"])
print(json.dumps({"seconds": time.perf_counter() - started, "sets": sorted(sets), "unavailable": unavailable,
                  "env_after": [os.environ.get(v) for v in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")],
                  "datasets_offline_after": bool(datasets.config.HF_HUB_OFFLINE)}))
"""


def test_decontamination_fails_fast_when_the_hub_is_unreachable(tmp_path):
    """No network and no local copy: the code sets (HumanEval, MBPP) are named as not checked, with how to
    provide them, in seconds (was ~45 s of hub retries); the local sets are read; nothing stays offline."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "REASONCRAFT_DATA"))}
    env.update(HF_ENDPOINT="http://127.0.0.1:9", HF_HOME=str(tmp_path / "hf"))  # a closed port, an empty cache
    out = subprocess.run([sys.executable, "-c", _UNREACHABLE_HUB], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["sets"] == ["arith-sum-2d/test"]
    assert sorted(result["unavailable"]) == ["humaneval", "mbpp"]
    for reason in result["unavailable"].values():
        assert "unreachable" in reason and "data_path" in reason
    assert result["seconds"] < 15, result["seconds"]
    assert result["env_after"] == [None, None] and result["datasets_offline_after"] is False


def test_offline_mode_is_honoured_without_probing_and_a_local_copy_is_checked(tmp_path, monkeypatch):
    import reasoncraft.data.decontam as decontam

    def no_probe(*args, **kwargs):
        raise AssertionError("HF_HUB_OFFLINE is set: the hub must not be probed")

    monkeypatch.setattr(decontam, "hub_reachable", no_probe)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    sets, unavailable = eval_sets_from_tasks(["humaneval"])
    assert sets == {} and "humaneval" in unavailable and "data_path" in unavailable["humaneval"]
    local = tmp_path / "humaneval.jsonl"
    local.write_text(
        json.dumps(
            {
                "task_id": "HumanEval/0",
                "prompt": 'def add(a, b):\n    """Add two numbers a and b."""\n',
                "canonical_solution": "    return a + b\n",
                "entry_point": "add",
                "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n",
            }
        )
        + "\n"
    )
    sets, unavailable = eval_sets_from_tasks(["humaneval"], {"humaneval": {"data_path": str(local)}})
    assert unavailable == {} and [item_id for item_id, _ in sets["humaneval/test"]] == ["HumanEval/0"]
    planted = f"Here is a task. {sets['humaneval/test'][0][1]}"
    assert Decontaminator(sets).check(planted).verdict == "removed"

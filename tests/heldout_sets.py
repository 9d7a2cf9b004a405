"""The held-out answer-checking sets (`tests/fixtures/checker_cases/heldout*.jsonl`) in one place: loading, the
header checks every set passes, the count of pairs another fixture file also holds, and counts-only scoring.

A held-out set is scored as raw texts (`text_verdicts`: the answer extracted first; a verdict that is not True,
a time-out included, counts as "not equal"). Messages carry counts only, never a pair: a set that is still held
out must not be described by its failures. Each test module keeps what is particular to its set (its sources,
shares and measured bounds).
"""

from __future__ import annotations

import json
from pathlib import Path

from reasoncraft.rewards.checker import text_verdicts

FIXTURES = Path(__file__).parent / "fixtures" / "checker_cases"


def load_set(name: str) -> tuple[dict, list[dict]]:
    """(header record, cases) of `<name>.jsonl`."""
    lines = (FIXTURES / f"{name}.jsonl").read_text().splitlines()
    return json.loads(lines[0]), [json.loads(line) for line in lines[1:] if line.strip()]


def checked_header(name: str, sources: int, at_least: int) -> tuple[dict, list[dict], list[dict]]:
    """Assert what every held-out set's header and cases must hold; return (header, cases, source records):
    `sources` sources, each with a full commit, a licence and a path; every case held out and labelled by
    its source's test, without options; at least `at_least` cases, no pair twice, both verdicts well
    represented, and what was left out counted in the header."""
    header, cases = load_set(name)
    found = [v for v in header["_header"].values() if isinstance(v, dict) and "repository" in v]
    assert len(found) == sources and all(len(s["commit"]) == 40 and s["licence"] and s["path"] for s in found)
    assert {c["split"] for c in cases} == {"heldout"} and header["n"] == header["heldout"] == len(cases) >= at_least
    assert {c["source"] for c in cases} == {s["repository"] for s in found}
    assert {c["label_source"] for c in cases} == {"test"} and all(c["options"] == {} for c in cases)
    assert 0.2 < sum(c["label"] for c in cases) / len(cases) < 0.8
    assert len({(c["gold"], c["candidate"]) for c in cases}) == len(cases)
    assert header["_header"]["left_out"]
    return header, cases, found


def shared_with_other_fixtures(name: str) -> int:
    """How many pairs of `<name>` another fixture file also holds (a shared pair would not be fresh)."""
    _, cases = load_set(name)
    ours = {(c["gold"], c["candidate"]) for c in cases}
    shared = 0
    for path in sorted(FIXTURES.glob("*.jsonl")):
        if path.stem != name:
            records = [json.loads(line) for line in path.read_text().splitlines()[1:] if line.strip()]
            shared += len(ours & {(r.get("gold"), r.get("candidate")) for r in records})
    return shared


def score(name: str) -> tuple[int, int, int]:
    """(cases, agreeing verdicts, false positives) of `<name>` under `text_verdicts`."""
    _, cases = load_set(name)
    found = text_verdicts([(c["gold"], c["candidate"]) for c in cases])
    agreeing = sum((v is True) == c["label"] for c, v in zip(cases, found))
    false_positives = sum(v is True and not c["label"] for c, v in zip(cases, found))
    return len(cases), agreeing, false_positives

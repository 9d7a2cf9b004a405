"""The report's training curves as a person reads them: every panel titled in words, and y tick labels that
never run into the axis label (the learning rate's 5.0e-05 did)."""

from __future__ import annotations

import re

from reasoncraft.report import figures, svg

# the keys `train sft` writes to metrics.jsonl (with a teacher, `kl` too)
SFT_ROWS = [
    {
        "step": step,
        "loss": 2.9 - 0.1 * step,
        "nll": 5.8 - 0.1 * step,
        "grad_norm": 1.0,
        "skipped": False,
        "completion_tokens": 1400 + step,
        "train_tokens": 2000 + step,
        "kl": 1e-5 * step,
        "lr": 5e-5 / step,
        "epoch": 0,
        "step_time": 0.8,
        "tokens_per_s": 2500.0,
        "train_seconds": 0.8 * step,
    }
    for step in (1, 2, 3, 4)
]


def test_sft_panels_are_titled_in_words():
    charts = {c.id: c for c in figures.training_charts(SFT_ROWS, "sft")}
    assert charts["train-completion_tokens"].title == "completion tokens per step (in the loss)"
    assert charts["train-train_tokens"].title == "tokens per step (prompt + completion)"
    assert charts["train-kl"].title == "KL to the teacher (distillation)"  # not GRPO's reference policy
    grpo = {c.id: c for c in figures.training_charts(SFT_ROWS, "grpo")}
    assert grpo["train-kl"].title == "KL to the reference policy"
    for chart in charts.values():  # no raw key: no underscores, no key repeated as its own title
        assert "_" not in chart.title and "_" not in chart.y_label, chart
    unknown = figures.training_charts([{"step": 1, "zero_reward_share": 0.5}], "sft")
    assert [c.title for c in unknown] == ["zero reward share"]


def _geometry(chart_svg: str) -> tuple[float, float, int]:
    """The y label's baseline x, the x where the y tick labels end (anchored there), the longest tick label."""
    label_x = float(re.search(r'class="axis" transform="translate\(([\d.]+) ', chart_svg).group(1))
    ticks = re.findall(r'<text class="tick" x="([\d.]+)" y="[\d.]+" text-anchor="end">([^<]*)</text>', chart_svg)
    return label_x, float(ticks[0][0]), max(len(text) for _, text in ticks)


def test_learning_rate_tick_labels_keep_clear_of_the_axis_label():
    lr = next(c for c in figures.training_charts(SFT_ROWS, "sft") if c.id == "train-lr")
    label_x, ticks_end, longest = _geometry(svg.line_chart(lr.series, **lr.style()))
    assert longest >= 7  # 5.0e-05: the case that ran into the label
    # a 10 px digit is at most ~6 px wide; the label's descenders reach ~3 px right of its baseline
    assert ticks_end - 6 * longest >= label_x + 4
    loss = next(c for c in figures.training_charts(SFT_ROWS, "sft") if c.id == "train-loss")
    short_x, short_end, _ = _geometry(svg.line_chart(loss.series, **loss.style()))
    assert short_end == svg.MARGIN["left"] - svg.TICK_GAP  # short labels keep the usual plot area

"""GRPO math against values worked out by hand and against plain-Python loops kept here."""

import math
import statistics

import pytest
import torch

from reasoncraft.train import grpo_loss as L
from reasoncraft.train.grpo_config import ADVANTAGES as CONFIG_ADVANTAGES
from reasoncraft.train.grpo_config import AGGREGATIONS as CONFIG_AGGREGATIONS


def loop_group_advantages(rewards, G, scale):
    """The textbook definition, one group at a time, with statistics.stdev (Bessel)."""
    out = []
    for g in range(0, len(rewards), G):
        group = rewards[g : g + G]
        mean = sum(group) / G
        std = statistics.stdev(group) if scale == "group" else statistics.stdev(rewards)
        out += [(r - mean) / (std + 1e-4) if scale != "none" else r - mean for r in group]
    return out


def test_group_advantages_by_hand():
    # group 1: mean 0.25, std sqrt(0.75/3) = 0.5; group 2: mean 0.5, std sqrt(1/3)
    adv = L.group_advantages(torch.tensor([1.0, 0, 0, 0, 1, 1, 0, 0]), 4)
    s2 = math.sqrt(1 / 3) + 1e-4
    expected = [0.75 / 0.5001, -0.25 / 0.5001, -0.25 / 0.5001, -0.25 / 0.5001, 0.5 / s2, 0.5 / s2, -0.5 / s2, -0.5 / s2]
    assert adv.tolist() == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("scale", ["group", "batch", "none"])
def test_group_advantages_match_loop(scale):
    rewards = torch.tensor([0.3, 1.0, 0.0, 0.5, 2.0, -1.0, 0.25, 0.75, 1.0])
    expected = loop_group_advantages(rewards.tolist(), 3, scale)
    assert L.group_advantages(rewards, 3, scale=scale).tolist() == pytest.approx(expected, rel=1e-5)


def test_equal_group_gets_zero_advantage_not_nan():
    adv = L.group_advantages(torch.tensor([1.0, 1.0, 0.0, 0.0]), 2)
    assert adv.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_group_advantages_rejects_ragged_batch():
    with pytest.raises(ValueError, match="B\\*G"):
        L.group_advantages(torch.tensor([1.0, 0.0, 1.0]), 2)


def test_reinforce_mean_baseline():
    # batch mean 0.5 regardless of groups; no std scaling
    assert L.reinforce_advantages(torch.tensor([1.0, 1.0, 1.0, -1.0]), 2).tolist() == [0.5, 0.5, 0.5, -1.5]
    with pytest.raises(ValueError, match="scale_rewards"):
        L.reinforce_advantages(torch.tensor([1.0, 0.0]), 2, scale="group")


def test_clipped_surrogate_four_cases_and_clip_higher():
    log15, log05 = math.log(1.5), math.log(0.5)
    logp = torch.tensor([[log15, log15, log05, log05]])
    old = torch.zeros(1, 4)
    # one row per advantage sign is easier to read: use 4 rows of 1 token
    logp, old = logp.T, old.T  # (4, 1)
    adv = torch.tensor([1.0, -1.0, -1.0, 1.0])
    loss, low, high = L.clipped_surrogate(logp, old, adv, 0.2, 0.2)
    # ratio 1.5,A=+1: -min(1.5, 1.2) ; ratio 1.5,A=-1: -min(-1.5,-1.2)
    # ratio 0.5,A=-1: -min(-0.5,-0.8) ; ratio 0.5,A=+1: -min(0.5,0.8)
    assert loss[:, 0].tolist() == pytest.approx([-1.2, 1.5, 0.8, -0.5], rel=1e-6)
    assert high[:, 0].tolist() == [True, False, False, False]
    assert low[:, 0].tolist() == [False, False, True, False]
    loss_dapo, _, _ = L.clipped_surrogate(logp, old, adv, 0.2, 0.28)  # DAPO clip-higher
    assert loss_dapo[0, 0].item() == pytest.approx(-1.28)


def test_clipped_token_gets_no_gradient():
    logp = torch.tensor([[math.log(1.5), 0.0]], requires_grad=True)
    loss, _, _ = L.clipped_surrogate(logp, torch.zeros(1, 2), torch.tensor([1.0]), 0.2, 0.2)
    loss.sum().backward()
    assert logp.grad.tolist() == [[0.0, -1.0]]  # clipped token: 0; ratio 1: d(-ratio*A)/dlogp = -A


def test_k3_kl_by_hand():
    logp = torch.tensor([0.0, -1.0, -0.5])
    ref = torch.tensor([-1.0, -1.0, 0.0])
    # exp(q-p) - (q-p) - 1 with q-p = -1, 0, 0.5
    expected = [math.exp(-1) + 1 - 1, 0.0, math.exp(0.5) - 0.5 - 1]
    assert L.k3_kl(logp, ref).tolist() == pytest.approx(expected, abs=1e-7)
    assert (L.k3_kl(torch.randn(100), torch.randn(100)) >= 0).all()


PER_TOKEN = torch.tensor([[1.0, 2.0, 3.0], [4.0, 9.0, 9.0]])
MASK = torch.tensor([[1.0, 1.0, 1.0], [1.0, 0.0, 0.0]])


def test_aggregations_by_hand():
    assert L.aggregate_grpo(PER_TOKEN, MASK).item() == pytest.approx((6 / 3 + 4 / 1) / 2)  # 3.0
    assert L.aggregate_bnpo(PER_TOKEN, MASK).item() == pytest.approx(10 / 4)
    assert L.aggregate_dr_grpo(PER_TOKEN, MASK, max_completion_length=4).item() == pytest.approx(10 / (2 * 4))
    assert L.aggregate_dapo(PER_TOKEN, MASK, global_tokens=8).item() == pytest.approx(10 / 8)


def test_config_names_match_implemented_variants():
    assert set(CONFIG_AGGREGATIONS) == set(L.AGGREGATIONS)
    assert set(CONFIG_ADVANTAGES) == set(L.ADVANTAGES)


@pytest.mark.parametrize("loss_type", ["grpo", "bnpo", "dr_grpo", "dapo"])
def test_accumulated_micro_batches_equal_one_batch(loss_type):
    torch.manual_seed(0)
    per_token = torch.randn(6, 5)
    mask = (torch.rand(6, 5) > 0.3).float()
    mask[:, 0] = 1
    total_tokens = float(mask.sum())
    args = {"max_completion_length": 5, "global_tokens": total_tokens}
    agg = L.AGGREGATIONS[loss_type]
    whole = agg(per_token, mask, **args)
    parts = 0.0
    for rows in ([0, 1], [2, 3, 4], [5]):
        m = mask[rows]
        w = L.micro_batch_weight(loss_type, len(rows), 6, float(m.sum()), total_tokens)
        parts += agg(per_token[rows], m, **args) * w
    assert parts.item() == pytest.approx(whole.item(), rel=1e-6)


def test_policy_loss_gradient_is_minus_advantage_over_length():
    """GRPO at ratio 1: d loss / d logp_it = -A_i / (|o_i| * N) on real tokens, 0 on padding."""
    logp = torch.zeros(2, 3, requires_grad=True)
    mask = torch.tensor([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0]])
    adv = torch.tensor([1.0, -2.0])
    loss, stats = L.policy_loss(logp, logp.detach(), adv, mask, L.aggregate_grpo, eps_low=0.2, eps_high=0.2)
    loss.backward()
    assert loss.item() == pytest.approx(-(1.0 + -2.0) / 2)
    assert logp.grad.flatten().tolist() == pytest.approx([-1 / 4, -1 / 4, 0.0, 2 / 6, 2 / 6, 2 / 6])
    assert stats["clip_low_sum"].item() == 0 and stats["clip_high_sum"].item() == 0


def test_policy_loss_adds_beta_times_k3():
    logp = torch.tensor([[0.0, 0.0]])
    ref = torch.tensor([[-1.0, 0.0]])
    loss, stats = L.policy_loss(
        logp,
        logp,
        torch.tensor([0.0]),
        torch.ones(1, 2),
        L.aggregate_bnpo,
        eps_low=0.2,
        eps_high=0.2,
        beta=0.5,
        ref_logp=ref,
    )
    assert loss.item() == pytest.approx(0.5 * math.exp(-1) / 2)
    assert stats["kl_sum"].item() == pytest.approx(math.exp(-1))
    with pytest.raises(ValueError, match="reference"):
        L.policy_loss(
            logp, logp, torch.tensor([0.0]), torch.ones(1, 2), L.aggregate_bnpo, eps_low=0.2, eps_high=0.2, beta=0.5
        )


def test_zero_variance_groups():
    # the overlong penalty's hand-computed test is in test_rewards_rewards.py, beside its one implementation
    assert L.zero_variance_groups(torch.tensor([0.0, 0.0, 1.0, 0.0, 0.5, 0.5]), 2).tolist() == [True, False, True]


def test_entropy_from_logits():
    uniform = torch.zeros(2, 4)
    assert L.entropy_from_logits(uniform).tolist() == pytest.approx([math.log(4)] * 2)
    peaked = torch.tensor([[100.0, 0.0, 0.0]])
    assert L.entropy_from_logits(peaked).item() == pytest.approx(0.0, abs=1e-6)

"""`plan_epochs`: the batch plan both fine-tuning trainers (stance, check-worthiness) share."""

from __future__ import annotations

import random

from factdesk.train.finetune import length_batches, plan_epochs


def test_a_fractional_run_draws_whole_epochs_then_cuts_the_last() -> None:
    draws = iter([[[0, 1], [2, 3]], [[3, 2], [1, 0]]])
    plan, per_epoch = plan_epochs(lambda: next(draws), 1.5)
    assert plan == [[0, 1], [2, 3], [3, 2]]  # a fresh draw per epoch, cut to 1.5 epochs
    assert per_epoch == 4.0


def test_max_steps_caps_the_plan_and_every_item_is_seen_once_per_epoch() -> None:
    lengths = [random.Random(i).randint(3, 60) for i in range(500)]
    rng = random.Random(13)
    plan, per_epoch = plan_epochs(lambda: length_batches(lengths, 32, rng), 2.0)
    assert per_epoch == 500
    half = len(plan) // 2
    assert sorted(i for b in plan[:half] for i in b) == list(range(500))
    assert plan[:half] != plan[half:]  # the second epoch is reshuffled
    capped, _ = plan_epochs(lambda: length_batches(lengths, 32, random.Random(13)), 2.0, max_steps=5)
    assert len(capped) == 5

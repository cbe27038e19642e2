"""Pacing: progressive never dials more lines than idle agents; predictive keeps agents busier than
progressive while the simulated drop rate stays under the cap (3 %)."""

import random

from odoo.tests import BaseCase

from ..dialer import pacing


def simulate(pacer, agents=20, seconds=4 * 3600, answer_rate=0.3, seed=7):
    """A call floor, one tick a second: customers answer after 5-25 s with ``answer_rate``, talk about
    90 s, agents wrap up 10 s. An answered call with no idle agent is dropped.

    Returns (drop rate, share of agent time talking)."""
    rng = random.Random(seed)
    free_at = [0] * agents  # second at which each agent is idle again
    ringing = []  # (second it ends, answered)
    answered = dropped = talk_seconds = 0
    for now in range(seconds):
        still = []
        for ends, is_answered in ringing:
            if ends > now:
                still.append((ends, is_answered))
                continue
            if not is_answered:
                pacer.record(False) if pacer else None
                continue
            answered += 1
            idle = [i for i, t in enumerate(free_at) if t <= now]
            if not idle:
                dropped += 1
                pacer.record(True, dropped=True) if pacer else None
                continue
            talk = int(rng.expovariate(1 / 90)) + 5
            free_at[idle[0]] = now + talk + 10
            talk_seconds += talk
            pacer.record(True) if pacer else None
        ringing = still
        idle_count = sum(1 for t in free_at if t <= now)
        if pacer:
            new = pacer.dials(idle_count, len(ringing))
        else:
            new = pacing.progressive_dials(idle_count, len(ringing))
        for _ in range(new):
            ringing.append((now + rng.randint(5, 25), rng.random() < answer_rate))
    return (dropped / answered if answered else 0.0), talk_seconds / (agents * seconds)


class TestPacing(BaseCase):
    def test_progressive_dials_one_line_per_idle_agent(self):
        self.assertEqual(pacing.progressive_dials(5, 2), 3)
        self.assertEqual(pacing.progressive_dials(2, 5), 0)

    def test_expected_drop_rate(self):
        self.assertEqual(pacing.expected_drop_rate(3, 3, 0.5), 0.0)  # never more answers than agents
        self.assertAlmostEqual(pacing.expected_drop_rate(2, 1, 1.0), 0.5)
        self.assertAlmostEqual(sum(pacing.binomial_pmf(30, 0.3)), 1.0)

    def test_predictive_dials_more_than_progressive(self):
        pacer = pacing.PredictivePacer()
        self.assertGreater(pacer.dials(10, 0), 10)
        self.assertEqual(pacer.dials(0, 0), 0)

    def test_simulated_drop_rate_stays_under_the_cap(self):
        for answer_rate, seed in ((0.3, 1), (0.5, 2), (0.15, 3)):
            pacer = pacing.PredictivePacer(prior_answer_rate=0.3)
            drop, busy = simulate(pacer, answer_rate=answer_rate, seed=seed)
            _drop, progressive_busy = simulate(None, answer_rate=answer_rate, seed=seed)
            with self.subTest(answer_rate=answer_rate):
                self.assertLessEqual(drop, pacing.DEFAULT_DROP_CAP)
                self.assertGreater(busy, progressive_busy)

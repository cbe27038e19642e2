"""Pacing of agent campaigns: how many customer lines to dial now (no ORM: the dialer's pure core).

Progressive: one line per idle agent, never more. Predictive: more lines than idle agents, because most
customers do not answer; the number is the largest that keeps the *expected* share of answered calls that
find no free agent (dropped, "abandoned") under the cap, from the answer rate seen so far. A feedback loop
tightens the margin whenever the observed drop rate goes over the cap.
"""

import math
from collections import deque

DEFAULT_DROP_CAP = 0.03  # 3 %: the usual regulatory ceiling (share of answered calls dropped)


def progressive_dials(idle_agents, in_flight):
    """Lines to dial now: one per idle agent not already waiting for a line in progress."""
    return max(0, idle_agents - in_flight)


def binomial_pmf(n, p):
    """[P(X = k) for k in 0..n], X ~ Binomial(n, p), computed iteratively (no big factorials)."""
    if p <= 0.0:
        return [1.0] + [0.0] * n
    if p >= 1.0:
        return [0.0] * n + [1.0]
    pmf = [(1.0 - p) ** n]
    ratio = p / (1.0 - p)
    for k in range(n):
        pmf.append(pmf[-1] * ratio * (n - k) / (k + 1))
    return pmf


def expected_drop_rate(lines, idle_agents, answer_rate):
    """E[answered calls beyond the idle agents] / E[answered calls] when ``lines`` ring at once."""
    if lines <= 0 or answer_rate <= 0.0:
        return 0.0
    pmf = binomial_pmf(lines, answer_rate)
    drops = sum(prob * (k - idle_agents) for k, prob in enumerate(pmf) if k > idle_agents)
    return drops / (lines * answer_rate)


class PredictivePacer:
    """Decides, tick after tick, how many lines a predictive campaign dials.

    Feed it every outcome (``record(answered, dropped)``); ask ``dials(idle_agents, in_flight)``.
    """

    def __init__(self, drop_cap=DEFAULT_DROP_CAP, max_ratio=3.0, window=200, prior_answer_rate=0.3):
        self.drop_cap = drop_cap
        self.max_ratio = max_ratio
        self.outcomes = deque(maxlen=window)  # (answered, dropped) of the latest calls
        self.prior = prior_answer_rate
        self.answered_total = 0
        self.dropped_total = 0

    def record(self, answered, dropped=False):
        self.outcomes.append((bool(answered), bool(dropped)))
        self.answered_total += bool(answered)
        self.dropped_total += bool(dropped)

    @property
    def answer_rate(self):
        """Answered share of recent calls, pulled toward the prior while few calls are known."""
        weight = 20  # pseudo-calls of prior
        answered = sum(1 for a, _d in self.outcomes if a)
        return (answered + self.prior * weight) / (len(self.outcomes) + weight)

    @property
    def drop_rate(self):
        """Dropped share of all answered calls so far (what the cap is about)."""
        return self.dropped_total / self.answered_total if self.answered_total else 0.0

    def _target(self):
        """The expected drop rate to aim at: half the cap, less while over it."""
        if self.drop_rate > self.drop_cap:
            return self.drop_cap * 0.25
        return self.drop_cap * 0.5

    def dials(self, idle_agents, in_flight):
        """New lines to dial now so that in-flight + new lines keep the expected drop rate on target."""
        if idle_agents <= 0:
            return 0
        rate, target = self.answer_rate, self._target()
        ceiling = math.floor(idle_agents * self.max_ratio)
        lines = idle_agents  # as many lines as idle agents never drops a call
        while lines < ceiling and expected_drop_rate(lines + 1, idle_agents, rate) <= target:
            lines += 1
        return max(0, lines - in_flight)

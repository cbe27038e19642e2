from odoo import fields, models
from odoo.tools import SQL

from .cc_report_mixin import HOUR, WEEKDAYS, in_hours

# Agent states that count as working on calls, and as available for calls (occupancy = busy / available).
BUSY_STATES = ("ringing", "on_call", "wrap_up")
AVAILABLE_STATES = ("ready", *BUSY_STATES)
MISSED_OUTCOMES = ("ring_no_answer", "declined")


class CcReportAgentKpi(models.Model):
    """Agent KPIs (坐席指标), one row per agent and UTC hour, pre-aggregated from calls, agents rung and the
    agent state log (see docs/reports.md for every figure)."""

    _name = "cc.report.agent.kpi"
    _inherit = ["cc.report.aggregate"]
    _description = "Agent KPI Report"
    _auto = False
    _order = "period desc, agent_id"
    _rec_name = "agent_id"
    _cc_action = "callcenter_cti.cc_report_agent_kpi_action"
    _cc_sources = [
        ("cc_call", "start", None),
        ("cc_call_attempt", "start", None),
        ("cc_agent_state_log", "start", "end"),
    ]
    _cc_source_indexes = [("cc_call_attempt", "start"), ("cc_agent_state_log", "end")]
    _cc_ratios = {
        "answer_rate": ("answered", "offered", 100.0),
        "avg_talk_s": ("talk_s", "answered", 1.0),
        "aht_s": ("handle_s", "answered", 1.0),
        "occupancy": ("busy_s", "available_s", 100.0),
        "avg_score": ("survey_sum", "survey_count", 1.0),
    }

    period = fields.Datetime(string="Hour", readonly=True, help="Start of the hour (calls by their start).")
    date = fields.Date(string="Day", readonly=True, help="Day in the report time zone.")
    hour = fields.Integer(string="Hour of Day", readonly=True, aggregator=None)
    weekday = fields.Selection(WEEKDAYS, readonly=True)
    agent_id = fields.Many2one("cc.agent", readonly=True)
    user_id = fields.Many2one("res.users", string="Agent User", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    offered = fields.Integer(readonly=True, help="Calls that rang the agent.")
    answered = fields.Integer(readonly=True, help="Inbound calls the agent answered.")
    missed = fields.Integer(readonly=True, help="Rings the agent did not answer (no answer or declined).")
    outbound = fields.Integer(readonly=True, help="Outbound calls the agent made that were answered.")
    outbound_talk_s = fields.Float(string="Outbound Talk Time (s)", readonly=True)
    ring_s = fields.Float(string="Ring Time (s)", readonly=True)
    talk_s = fields.Float(string="Talk Time (s)", readonly=True, help="Includes hold.")
    hold_s = fields.Float(string="Hold Time (s)", readonly=True)
    wrapup_s = fields.Float(string="Wrap-up Time (s)", readonly=True)
    handle_s = fields.Float(string="Handling Time (s)", readonly=True, help="Talk plus wrap-up.")
    ready_s = fields.Float(string="Ready Time (s)", readonly=True)
    busy_s = fields.Float(string="Busy Time (s)", readonly=True, help="Ringing, on call and wrap-up.")
    available_s = fields.Float(string="Available Time (s)", readonly=True, help="Ready plus busy.")
    paused_s = fields.Float(string="Pause Time (s)", readonly=True)
    logged_in_s = fields.Float(string="Logged-in Time (s)", readonly=True)
    survey_count = fields.Integer(string="Surveys", readonly=True)
    survey_sum = fields.Integer(string="Survey Points", readonly=True)
    answer_rate = fields.Float(string="Answer Rate (%)", readonly=True, aggregator="sum")
    avg_talk_s = fields.Float(string="Average Talk (s)", readonly=True, aggregator="sum")
    aht_s = fields.Float(string="Average Handling Time (s)", readonly=True, aggregator="sum")
    occupancy = fields.Float(string="Occupancy (%)", readonly=True, aggregator="sum")
    avg_score = fields.Float(string="Satisfaction", readonly=True, aggregator="sum")

    def _cc_create_table(self):
        self.env.cr.execute(
            SQL(
                """CREATE TABLE IF NOT EXISTS cc_report_agent_kpi (
                    id bigserial PRIMARY KEY, period timestamp NOT NULL, date date, hour int, weekday varchar,
                    agent_id int NOT NULL, user_id int, company_id int,
                    offered int, answered int, missed int, outbound int, outbound_talk_s float8,
                    ring_s float8, talk_s float8, hold_s float8, wrapup_s float8, handle_s float8,
                    ready_s float8, busy_s float8, available_s float8, paused_s float8, logged_in_s float8,
                    survey_count int, survey_sum int,
                    answer_rate float8, avg_talk_s float8, aht_s float8, occupancy float8, avg_score float8);
                CREATE INDEX IF NOT EXISTS cc_report_agent_kpi_period_idx ON cc_report_agent_kpi (period);
                CREATE INDEX IF NOT EXISTS cc_report_agent_kpi_agent_idx
                    ON cc_report_agent_kpi (agent_id, period)"""
            )
        )

    def _cc_insert_hours(self, hours):
        local = self._cc_local(SQL("k.period"))
        self.env.cr.execute(
            SQL(
                """WITH parts AS (%(calls)s UNION ALL %(attempts)s UNION ALL %(states)s),
                        k AS (
                    SELECT agent_id, period, SUM(offered) offered, SUM(answered) answered, SUM(missed) missed,
                           SUM(outbound) outbound, SUM(ring_s) ring_s, SUM(talk_s) talk_s, SUM(hold_s) hold_s,
                           SUM(wrapup_s) wrapup_s, SUM(outbound_talk_s) outbound_talk_s,
                               SUM(ready_s) ready_s, SUM(busy_s) busy_s,
                           SUM(paused_s) paused_s, SUM(logged_in_s) logged_in_s,
                           SUM(survey_count) survey_count, SUM(survey_sum) survey_sum
                      FROM parts GROUP BY agent_id, period)
                INSERT INTO cc_report_agent_kpi (
                    period, date, hour, weekday, agent_id, user_id, company_id, offered, answered, missed,
                    outbound, outbound_talk_s, ring_s, talk_s, hold_s, wrapup_s, handle_s, ready_s,
                        busy_s, available_s,
                    paused_s, logged_in_s, survey_count, survey_sum,
                    answer_rate, avg_talk_s, aht_s, occupancy, avg_score)
                SELECT k.period, %(local)s::date, EXTRACT(HOUR FROM %(local)s)::int,
                       EXTRACT(DOW FROM %(local)s)::int::varchar, k.agent_id, ag.user_id, ag.company_id,
                       k.offered, k.answered, k.missed, k.outbound, k.outbound_talk_s, k.ring_s,
                           k.talk_s, k.hold_s, k.wrapup_s,
                       k.talk_s + k.wrapup_s, k.ready_s, k.busy_s, k.ready_s + k.busy_s, k.paused_s,
                       k.logged_in_s, k.survey_count, k.survey_sum,
                       ROUND((100.0 * k.answered / NULLIF(k.offered, 0))::numeric, 2),
                       ROUND((k.talk_s / NULLIF(k.answered, 0))::numeric, 2),
                       ROUND(((k.talk_s + k.wrapup_s) / NULLIF(k.answered, 0))::numeric, 2),
                       ROUND((100.0 * k.busy_s / NULLIF(k.ready_s + k.busy_s, 0))::numeric, 2),
                       ROUND((1.0 * k.survey_sum / NULLIF(k.survey_count, 0))::numeric, 2)
                  FROM k JOIN cc_agent ag ON ag.id = k.agent_id""",
                calls=self._cc_calls_part(hours),
                attempts=self._cc_attempts_part(hours),
                states=self._cc_states_part(hours),
                local=local,
            )
        )

    def _cc_calls_part(self, hours):
        """Calls each agent answered: inbound (talk, hold, wrap-up) and outbound apart; surveys of both."""
        inbound = SQL("c.direction != 'outbound'")
        return SQL(
            """SELECT c.agent_id, date_trunc('hour', c.start) AS period, 0 offered,
                      COUNT(*) FILTER (WHERE %(inbound)s) answered, 0 missed,
                      COUNT(*) FILTER (WHERE NOT %(inbound)s) outbound, 0.0 ring_s,
                      COALESCE(SUM(c.talk_s) FILTER (WHERE %(inbound)s), 0) talk_s,
                      COALESCE(SUM(c.hold_s) FILTER (WHERE %(inbound)s), 0) hold_s,
                      COALESCE(SUM(c.wrapup_s) FILTER (WHERE %(inbound)s), 0) wrapup_s,
                      COALESCE(SUM(c.talk_s) FILTER (WHERE NOT %(inbound)s), 0) outbound_talk_s,
                      0.0 ready_s, 0.0 busy_s, 0.0 paused_s, 0.0 logged_in_s,
                      COUNT(*) FILTER (WHERE c.survey_score > 0) survey_count,
                      COALESCE(SUM(c.survey_score) FILTER (WHERE c.survey_score > 0), 0) survey_sum
                 FROM cc_call c
                WHERE c.agent_id IS NOT NULL AND c.disposition = 'answered' %(hours)s
             GROUP BY 1, 2""",
            inbound=inbound,
            hours=in_hours(SQL("c.start"), hours),
        )

    def _cc_attempts_part(self, hours):
        """Calls offered to (rung) and rings missed by each agent."""
        return SQL(
            """SELECT a.agent_id, date_trunc('hour', a.start), COUNT(DISTINCT a.call_id), 0,
                      COUNT(*) FILTER (WHERE a.outcome IN %s), 0, SUM(COALESCE(a.ring_s, 0)),
                      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0
                 FROM cc_call_attempt a
                WHERE a.agent_id IS NOT NULL %s
             GROUP BY 1, 2""",
            MISSED_OUTCOMES,
            in_hours(SQL("a.start"), hours),
        )

    def _cc_states_part(self, hours):
        """Seconds of each (closed) agent state, cut at hour boundaries."""
        overlap = SQL(
            "EXTRACT(EPOCH FROM LEAST(l.end, h.period + interval '1 hour') - GREATEST(l.start, h.period))"
        )
        return SQL(
            """SELECT l.agent_id, h.period, 0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0,
                      COALESCE(SUM(%(o)s) FILTER (WHERE l.state = 'ready'), 0),
                      COALESCE(SUM(%(o)s) FILTER (WHERE l.state IN %(busy)s), 0),
                      COALESCE(SUM(%(o)s) FILTER (WHERE l.state = 'paused'), 0),
                      COALESCE(SUM(%(o)s) FILTER (WHERE l.state != 'logged_out'), 0), 0, 0
                 FROM cc_agent_state_log l,
                      LATERAL generate_series(date_trunc('hour', l.start), date_trunc('hour', l.end),
                                              interval '1 hour') h(period)
                WHERE l.end IS NOT NULL AND l.end > %(lo)s AND l.start < %(hi)s
                  AND h.period = ANY(%(hours)s::timestamp[])
             GROUP BY 1, 2""",
            o=overlap,
            busy=BUSY_STATES,
            lo=hours[0],
            hi=hours[-1] + HOUR,
            hours=hours,
        )

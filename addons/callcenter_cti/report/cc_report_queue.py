import datetime

import pytz

from odoo import api, fields, models
from odoo.tools import SQL

from .cc_report_mixin import WEEKDAYS, in_hours

DEFAULT_SHORT_ABANDON_S = 5
# Service level denominators: every offered call, the answered calls, or the offered calls less short
# abandons.
SL_DENOMINATORS = ("offered", "answered", "offered_no_short")


class CcReportQueue(models.Model):
    """Queue report: one row per queue and UTC hour, pre-aggregated from the calls that entered a queue
    (see docs/reports.md for every figure)."""

    _name = "cc.report.queue"
    _inherit = ["cc.report.aggregate"]
    _description = "Queue Report"
    _auto = False
    _order = "period desc, queue_id"
    _rec_name = "queue_id"
    _cc_action = "callcenter_cti.cc_report_queue_action"
    _cc_sources = [("cc_call", "start", None)]
    _cc_ratios = {
        "service_level": ("answered_in_sl", "sl_denominator", 100.0),
        "abandon_rate": ("abandoned_counted", "offered_counted", 100.0),
        "asa_s": ("answer_wait_s", "answered", 1.0),
        "aht_s": ("handle_s", "answered", 1.0),
    }

    period = fields.Datetime(string="Hour", readonly=True, help="Start of the hour (calls by their start).")
    date = fields.Date(string="Day", readonly=True, help="Day in the report time zone.")
    hour = fields.Integer(string="Hour of Day", readonly=True, aggregator=None)
    weekday = fields.Selection(WEEKDAYS, readonly=True)
    queue_id = fields.Many2one("cc.queue", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    offered = fields.Integer(readonly=True, help="Calls that entered the queue.")
    answered = fields.Integer(readonly=True)
    abandoned = fields.Integer(readonly=True, help="Callers who hung up while waiting.")
    short_abandoned = fields.Integer(
        string="Short Abandons", readonly=True, help="Abandons before the short-abandon threshold."
    )
    other = fields.Integer(string="Other Outcomes", readonly=True, help="Voicemail, overflow, failures.")
    answered_in_sl = fields.Integer(string="Answered in Service Level", readonly=True)
    sl_denominator = fields.Integer(string="Service Level Base", readonly=True)
    abandoned_counted = fields.Integer(string="Abandons (without short)", readonly=True)
    offered_counted = fields.Integer(string="Offered (without short abandons)", readonly=True)
    answer_wait_s = fields.Float(string="Wait of Answered Calls (s)", readonly=True)
    abandon_wait_s = fields.Float(string="Wait of Abandoned Calls (s)", readonly=True)
    handle_s = fields.Float(string="Handling Time (s)", readonly=True)
    talk_s = fields.Float(string="Talk Time (s)", readonly=True)
    max_wait_s = fields.Float(string="Longest Wait (s)", readonly=True, aggregator="max")
    service_level = fields.Float(string="Service Level (%)", readonly=True, aggregator="sum")
    abandon_rate = fields.Float(string="Abandon Rate (%)", readonly=True, aggregator="sum")
    asa_s = fields.Float(string="ASA (s)", readonly=True, aggregator="sum", help="Average speed of answer.")
    aht_s = fields.Float(string="AHT (s)", readonly=True, aggregator="sum", help="Average handling time.")

    def _cc_create_table(self):
        self.env.cr.execute(
            """CREATE TABLE IF NOT EXISTS cc_report_queue (
                id bigserial PRIMARY KEY, period timestamp NOT NULL, date date, hour int, weekday varchar,
                queue_id int NOT NULL, company_id int, offered int, answered int, abandoned int,
                short_abandoned int, other int, answered_in_sl int, sl_denominator int, abandoned_counted int,
                offered_counted int, answer_wait_s float8, abandon_wait_s float8, handle_s float8,
                    talk_s float8,
                max_wait_s float8, service_level float8, abandon_rate float8, asa_s float8, aht_s float8);
            CREATE INDEX IF NOT EXISTS cc_report_queue_period_idx ON cc_report_queue (period);
            CREATE INDEX IF NOT EXISTS cc_report_queue_queue_idx ON cc_report_queue (queue_id, period)"""
        )

    def _cc_settings(self):
        """(short-abandon threshold in seconds, service level denominator) from the system parameters."""
        short = self._cc_int_param("callcenter_cti.short_abandon_s", DEFAULT_SHORT_ABANDON_S)
        # sudo: the service level denominator is a technical setting of the reports
        base = self.env["ir.config_parameter"].sudo().get_param("callcenter_cti.service_level_base")
        return short, base if base in SL_DENOMINATORS else "offered"

    def _cc_insert_hours(self, hours):
        short, base = self._cc_settings()
        denominators = {
            "offered": SQL("k.offered"),
            "answered": SQL("k.answered"),
            "offered_no_short": SQL("k.offered - k.short_abandoned"),
        }
        local = self._cc_local(SQL("k.period"))
        self.env.cr.execute(
            SQL(
                """WITH k AS (%(rows)s)
                INSERT INTO cc_report_queue (
                    period, date, hour, weekday, queue_id, company_id, offered, answered, abandoned,
                    short_abandoned, other, answered_in_sl, sl_denominator, abandoned_counted,
                        offered_counted,
                    answer_wait_s, abandon_wait_s, handle_s, talk_s, max_wait_s,
                    service_level, abandon_rate, asa_s, aht_s)
                SELECT k.period, %(local)s::date, EXTRACT(HOUR FROM %(local)s)::int,
                       EXTRACT(DOW FROM %(local)s)::int::varchar, k.queue_id, q.company_id, k.offered,
                       k.answered, k.abandoned, k.short_abandoned, k.offered - k.answered - k.abandoned,
                       k.answered_in_sl, %(base)s, k.abandoned - k.short_abandoned,
                       k.offered - k.short_abandoned, k.answer_wait_s, k.abandon_wait_s, k.handle_s, k.talk_s,
                       k.max_wait_s,
                       ROUND((100.0 * k.answered_in_sl / NULLIF(%(base)s, 0))::numeric, 2),
                       ROUND((100.0 * (k.abandoned - k.short_abandoned)
                              / NULLIF(k.offered - k.short_abandoned, 0))::numeric, 2),
                       ROUND((k.answer_wait_s / NULLIF(k.answered, 0))::numeric, 2),
                       ROUND((k.handle_s / NULLIF(k.answered, 0))::numeric, 2)
                  FROM k JOIN cc_queue q ON q.id = k.queue_id""",
                rows=self._cc_rows(hours, short),
                base=denominators[base],
                local=local,
            )
        )

    def _cc_rows(self, hours, short):
        answered = SQL("c.disposition = 'answered' AND c.agent_id IS NOT NULL")
        return SQL(
            """SELECT c.queue_id, date_trunc('hour', c.start) period, COUNT(*) offered,
                      COUNT(*) FILTER (WHERE %(answered)s) answered,
                      COUNT(*) FILTER (WHERE c.disposition = 'abandoned') abandoned,
                      COUNT(*) FILTER (WHERE c.disposition = 'abandoned' AND COALESCE(c.wait_s,
                          0) < %(short)s)
                          short_abandoned,
                      COUNT(*) FILTER (WHERE %(answered)s AND COALESCE(c.wait_s, 0) <= q.service_level_s)
                          answered_in_sl,
                      COALESCE(SUM(c.wait_s) FILTER (WHERE %(answered)s), 0) answer_wait_s,
                      COALESCE(SUM(c.wait_s) FILTER (WHERE c.disposition = 'abandoned'), 0) abandon_wait_s,
                      COALESCE(SUM(COALESCE(c.talk_s, 0) + COALESCE(c.wrapup_s,
                          0)) FILTER (WHERE %(answered)s), 0)
                          handle_s,
                      COALESCE(SUM(c.talk_s) FILTER (WHERE %(answered)s), 0) talk_s,
                      COALESCE(MAX(c.wait_s), 0) max_wait_s
                 FROM cc_call c JOIN cc_queue q ON q.id = c.queue_id
                WHERE c.direction = 'inbound' %(hours)s
             GROUP BY 1, 2""",
            answered=answered,
            short=short,
            hours=in_hours(SQL("c.start"), hours),
        )

    # -- the managers' daily summary ------------------------------------------------------------------------
    @api.model
    def _cc_daily_summary(self, day):
        """A day's figures by queue and by agent (the managers' daily e-mail)."""
        Kpi = self.env["cc.report.agent.kpi"]
        self.cc_refresh()
        Kpi.cc_refresh()
        queue_figures = ["offered", "answered", "abandoned", "service_level", "asa_s", "aht_s"]
        agent_figures = ["offered", "answered", "missed", "answer_rate", "aht_s", "occupancy", "avg_score"]
        queues = self._read_group([("date", "=", day)], ["queue_id"], [f"{f}:sum" for f in queue_figures])
        agents = Kpi._read_group([("date", "=", day)], ["agent_id"], [f"{f}:sum" for f in agent_figures])
        return {
            "day": day,
            "queues": [
                {"name": q.display_name} | dict(zip(queue_figures, v, strict=True)) for q, *v in queues
            ],
            "agents": [
                {"name": a.display_name} | dict(zip(agent_figures, v, strict=True)) for a, *v in agents
            ],
        }

    @api.model
    def _cron_cc_daily_summary(self):
        """E-mail yesterday's summary (in the report time zone) to every call-center manager."""
        now = (
            fields.Datetime.now().replace(tzinfo=datetime.UTC).astimezone(pytz.timezone(self._cc_timezone()))
        )
        summary = self._cc_daily_summary(now.date() - datetime.timedelta(days=1))
        managers = self.env.ref("callcenter_cti.group_cc_manager").user_ids.filtered(
            lambda user: user.email and user.active and not user.share
        )
        template = self.env.ref("callcenter_cti.cc_report_daily_summary_mail_template")
        for manager in managers:
            template.with_context(cc_summary=summary).send_mail(manager.id)

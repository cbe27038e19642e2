from odoo import fields, models, tools
from odoo.tools import SQL

from .cc_report_mixin import WEEKDAYS

# Scores are the caller's digit on a 1-5 scale; 4 and 5 count as satisfied.
SATISFIED_SCORE = 4


class CcReportSatisfaction(models.Model):
    """Satisfaction (满意度): the post-call survey scores by agent, queue and period (a view over cc.call)."""

    _name = "cc.report.satisfaction"
    _inherit = ["cc.report.mixin"]
    _description = "Satisfaction Report"
    _auto = False
    _order = "start desc, id desc"
    _rec_name = "call_id"
    _cc_ratios = {
        "avg_score": ("score", "survey_count", 1.0),
        "satisfied_rate": ("satisfied", "survey_count", 100.0),
    }

    call_id = fields.Many2one("cc.call", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    start = fields.Datetime(readonly=True)
    date = fields.Date(string="Day", readonly=True, help="Day in the report time zone.")
    weekday = fields.Selection(WEEKDAYS, readonly=True)
    agent_id = fields.Many2one("cc.agent", readonly=True)
    user_id = fields.Many2one("res.users", string="Agent User", readonly=True)
    queue_id = fields.Many2one("cc.queue", readonly=True)
    customer_e164 = fields.Char(string="Customer Number", readonly=True)
    score = fields.Integer(readonly=True)
    survey_count = fields.Integer(string="Surveys", readonly=True)
    satisfied = fields.Integer(readonly=True, help="Surveys scored 4 or 5.")
    avg_score = fields.Float(string="Average Score", readonly=True, aggregator="sum")
    satisfied_rate = fields.Float(string="Satisfied (%)", readonly=True, aggregator="sum")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        local = self._cc_local_live(SQL("c.start"))
        self.env.cr.execute(
            SQL(
                """CREATE OR REPLACE VIEW cc_report_satisfaction AS (
                SELECT c.id, c.id AS call_id, c.company_id, c.start, %(local)s::date AS date,
                       EXTRACT(DOW FROM %(local)s)::int::varchar AS weekday, c.agent_id, c.user_id,
                           c.queue_id,
                       c.customer_e164, c.survey_score AS score, 1 AS survey_count,
                       (c.survey_score >= %(satisfied)s)::int AS satisfied,
                       c.survey_score::float8 AS avg_score,
                       100.0 * (c.survey_score >= %(satisfied)s)::int AS satisfied_rate
                  FROM cc_call c
                 WHERE c.survey_score > 0)""",
                local=local,
                satisfied=SATISFIED_SCORE,
            )
        )

from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.cc_call import DISPOSITIONS
from .cc_report_mixin import WEEKDAYS


class CcReportCall(models.Model):
    """Call detail (话务清单): every inbound and outbound call, with its day, hour and weekday in the report
    time zone (a view over cc.call)."""

    _name = "cc.report.call"
    _inherit = ["cc.report.mixin"]
    _description = "Call Detail Report"
    _auto = False
    _order = "start desc, id desc"
    _rec_name = "linkedid"
    _cc_ratios = {
        "answer_rate": ("answered_count", "call_count", 100.0),
        "avg_wait_s": ("wait_s", "call_count", 1.0),
        "avg_talk_s": ("talk_s", "answered_count", 1.0),
    }

    call_id = fields.Many2one("cc.call", readonly=True)
    linkedid = fields.Char(string="Call ID", readonly=True)
    server_id = fields.Many2one("cc.pbx.server", string="PBX Server", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    start = fields.Datetime(readonly=True)
    answer = fields.Datetime(readonly=True)
    end = fields.Datetime(readonly=True)
    date = fields.Date(string="Day", readonly=True, help="Day in the report time zone.")
    hour = fields.Integer(string="Hour of Day", readonly=True, aggregator=None)
    weekday = fields.Selection(WEEKDAYS, readonly=True)
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound"), ("internal", "Internal")], readonly=True
    )
    disposition = fields.Selection(DISPOSITIONS, readonly=True)
    caller_raw = fields.Char(string="Caller", readonly=True)
    callee_raw = fields.Char(string="Callee", readonly=True)
    customer_e164 = fields.Char(string="Customer Number", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    did = fields.Char(string="DID", readonly=True)
    queue_id = fields.Many2one("cc.queue", readonly=True)
    agent_id = fields.Many2one("cc.agent", readonly=True)
    user_id = fields.Many2one("res.users", string="Agent User", readonly=True)
    wrapup_code_id = fields.Many2one("cc.wrapup.code", string="Wrap-up Code", readonly=True)
    hangup_by = fields.Selection(
        [("caller", "Caller"), ("agent", "Agent"), ("system", "System")], string="Hung Up By", readonly=True
    )
    call_count = fields.Integer(string="Calls", readonly=True)
    answered_count = fields.Integer(string="Answered", readonly=True)
    wait_s = fields.Float(string="Wait (s)", readonly=True)
    ring_s = fields.Float(string="Ring (s)", readonly=True)
    talk_s = fields.Float(string="Talk (s)", readonly=True)
    hold_s = fields.Float(string="Hold (s)", readonly=True)
    wrapup_s = fields.Float(string="Wrap-up (s)", readonly=True)
    survey_score = fields.Integer(string="Satisfaction Score", readonly=True, aggregator="avg")
    answer_rate = fields.Float(string="Answer Rate (%)", readonly=True, aggregator="sum")
    avg_wait_s = fields.Float(string="Average Wait (s)", readonly=True, aggregator="sum")
    avg_talk_s = fields.Float(string="Average Talk (s)", readonly=True, aggregator="sum")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        local = self._cc_local_live(SQL("c.start"))
        answered = SQL("(c.disposition = 'answered')::int")
        self.env.cr.execute(
            SQL(
                """CREATE OR REPLACE VIEW cc_report_call AS (
                SELECT c.id, c.id AS call_id, c.linkedid, c.server_id, c.company_id, c.start, c.answer, c.end,
                       %(local)s::date AS date, EXTRACT(HOUR FROM %(local)s)::int AS hour,
                       EXTRACT(DOW FROM %(local)s)::int::varchar AS weekday, c.direction, c.disposition,
                       c.caller_raw, c.callee_raw, c.customer_e164, c.partner_id, c.did, c.queue_id,
                       c.agent_id, c.user_id, c.wrapup_code_id, c.hangup_by, 1 AS call_count,
                       %(answered)s AS answered_count, COALESCE(c.wait_s, 0) AS wait_s,
                       COALESCE(c.ring_s, 0) AS ring_s, COALESCE(c.talk_s, 0) AS talk_s,
                       COALESCE(c.hold_s, 0) AS hold_s, COALESCE(c.wrapup_s, 0) AS wrapup_s,
                       NULLIF(c.survey_score, 0) AS survey_score, 100.0 * %(answered)s AS answer_rate,
                       COALESCE(c.wait_s, 0) AS avg_wait_s,
                       CASE WHEN c.disposition = 'answered' THEN COALESCE(c.talk_s, 0) END AS avg_talk_s
                  FROM cc_call c)""",
                local=local,
                answered=answered,
            )
        )

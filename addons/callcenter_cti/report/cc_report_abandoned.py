from odoo import fields, models, tools
from odoo.tools import SQL

from .cc_report_mixin import WEEKDAYS


class CcReportAbandoned(models.Model):
    """Abandoned calls (呼损): the callers who hung up while waiting in a queue (a view over cc.call)."""

    _name = "cc.report.abandoned"
    _inherit = ["cc.report.mixin"]
    _description = "Abandoned Calls Report"
    _auto = False
    _order = "queue_entry desc, id desc"
    _rec_name = "customer_e164"

    call_id = fields.Many2one("cc.call", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    customer_e164 = fields.Char(string="Customer Number", readonly=True)
    caller_raw = fields.Char(string="Caller", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    did = fields.Char(string="DID", readonly=True)
    queue_id = fields.Many2one("cc.queue", readonly=True)
    queue_entry = fields.Datetime(string="Entry Time", readonly=True)
    hangup = fields.Datetime(string="Hangup Time", readonly=True)
    date = fields.Date(string="Day", readonly=True, help="Day in the report time zone.")
    hour = fields.Integer(string="Hour of Day", readonly=True, aggregator=None)
    weekday = fields.Selection(WEEKDAYS, readonly=True)
    wait_s = fields.Float(string="Wait (s)", readonly=True, aggregator="avg")
    position_entry = fields.Integer(string="Position at Entry", readonly=True, aggregator="avg")
    position_abandon = fields.Integer(string="Position at Hangup", readonly=True, aggregator="avg")
    agents_rung = fields.Integer(readonly=True, aggregator="avg")
    first_agent_id = fields.Many2one("cc.agent", string="First Agent Rung", readonly=True)
    call_count = fields.Integer(string="Abandoned Calls", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        local = self._cc_local_live(SQL("COALESCE(c.queue_entry, c.start)"))
        self.env.cr.execute(
            SQL(
                """CREATE OR REPLACE VIEW cc_report_abandoned AS (
                SELECT c.id, c.id AS call_id, c.company_id, c.customer_e164, c.caller_raw,
                    c.partner_id, c.did,
                       c.queue_id, COALESCE(c.queue_entry, c.start) AS queue_entry, c.end AS hangup,
                       %(local)s::date AS date, EXTRACT(HOUR FROM %(local)s)::int AS hour,
                       EXTRACT(DOW FROM %(local)s)::int::varchar AS weekday, COALESCE(c.wait_s, 0) AS wait_s,
                       c.queue_position_entry AS position_entry, c.queue_position_abandon AS position_abandon,
                       (SELECT COUNT(DISTINCT a.agent_id) FROM cc_call_attempt a WHERE a.call_id = c.id)::int
                           AS agents_rung,
                       c.first_agent_id, 1 AS call_count
                  FROM cc_call c
                 WHERE c.disposition = 'abandoned')""",
                local=local,
            )
        )

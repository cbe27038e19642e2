from odoo import api, fields, models

from .cc_agent import AGENT_STATES


class CcAgentStateLog(models.Model):
    _name = "cc.agent.state.log"
    _description = "Agent State Log"
    _order = "start desc, id desc"

    agent_id = fields.Many2one("cc.agent", required=True, ondelete="cascade", index=True)
    user_id = fields.Many2one(related="agent_id.user_id", store=True, index=True)
    server_id = fields.Many2one(related="agent_id.server_id", store=True)
    company_id = fields.Many2one(related="agent_id.company_id", store=True)
    state = fields.Selection(AGENT_STATES, required=True)
    reason = fields.Char(help="Pause reason, as given to the PBX.")
    queue_id = fields.Many2one("cc.queue")
    call_id = fields.Many2one("cc.call", index="btree_not_null")
    start = fields.Datetime(required=True)
    end = fields.Datetime()
    duration = fields.Float(string="Duration (s)", compute="_compute_duration", store=True)

    # Re-applying a journaled event after a crash must not create a second row.
    _agent_start_state_unique = models.Constraint(
        "UNIQUE(agent_id, start, state)", "An agent enters a state once at a given instant."
    )

    @api.depends("start", "end")
    def _compute_duration(self):
        for log in self:
            log.duration = (log.end - log.start).total_seconds() if log.start and log.end else 0.0

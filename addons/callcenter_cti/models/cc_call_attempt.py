from odoo import fields, models


class CcCallAttempt(models.Model):
    _name = "cc.call.attempt"
    _description = "Agent Rung for a Call"
    _order = "start, id"

    call_id = fields.Many2one("cc.call", required=True, ondelete="cascade", index=True)
    agent_id = fields.Many2one("cc.agent", index=True)
    extension = fields.Char()
    interface = fields.Char()
    queue_id = fields.Many2one("cc.queue")
    start = fields.Datetime()
    end = fields.Datetime()
    ring_s = fields.Float(string="Ring (s)")
    outcome = fields.Selection(
        [
            ("ringing", "Ringing"),
            ("ring_no_answer", "Ring, no answer"),
            ("declined", "Declined"),
            ("answered", "Answered"),
            ("answered_elsewhere", "Answered by another agent"),
            ("caller_abandoned", "Caller hung up"),
            ("cancelled", "Cancelled"),
        ],
        default="ringing",
    )

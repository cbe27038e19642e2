from odoo import fields, models


class CcPauseReason(models.Model):
    """Why an agent pauses (lunch, training, after-call work …): the agent picks one, the PBX and the state
    log record it."""

    _name = "cc.pause.reason"
    _description = "Agent Pause Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Sent to the PBX as the pause reason (QueuePause Reason) and kept in the agent state log.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, help="Empty: every company.")

    _code_unique = models.Constraint("UNIQUE(code, company_id)", "A pause reason code must be unique.")

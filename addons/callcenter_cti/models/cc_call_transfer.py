from odoo import fields, models


class CcCallTransfer(models.Model):
    _name = "cc.call.transfer"
    _description = "Call Transfer"
    _order = "at, id"

    call_id = fields.Many2one("cc.call", required=True, ondelete="cascade", index=True)
    kind = fields.Selection(
        [("blind", "Blind"), ("attended", "Attended"), ("redirect", "Redirect")], required=True
    )
    from_agent_id = fields.Many2one("cc.agent")
    from_extension = fields.Char()
    target = fields.Char(string="To", help="Extension, queue or number the call went to.")
    at = fields.Datetime()

from odoo import api, fields, models
from odoo.exceptions import UserError


class CcCallTransferWizard(models.TransientModel):
    """Transfer (blind or consult) or conference the agent's call: an agent, a queue, the IVR, a number."""

    _name = "cc.call.transfer.wizard"
    _description = "Transfer or Conference a Call"

    call_id = fields.Many2one("cc.call", required=True, ondelete="cascade")
    server_id = fields.Many2one(related="call_id.server_id")
    mode = fields.Selection(
        [
            ("blind", "Blind transfer"),
            ("consult", "Consult transfer"),
            ("conference", "Three-party conference"),
        ],
        required=True,
        default="blind",
    )
    target_type = fields.Selection(
        [("agent", "Agent"), ("queue", "Queue"), ("ivr", "IVR"), ("number", "External number")],
        required=True,
        default="agent",
    )
    agent_id = fields.Many2one("cc.agent", domain="[('server_id', '=', server_id)]")
    queue_id = fields.Many2one("cc.queue", domain="[('server_id', '=', server_id)]")
    number = fields.Char()

    @api.onchange("mode")
    def _onchange_mode(self):
        if self.mode == "conference" and self.target_type in ("queue", "ivr"):
            self.target_type = "agent"

    def action_confirm(self):
        self.ensure_one()
        target = self._cc_target()
        if self.mode == "conference":
            answer = self.call_id.cc_desk_conference(target)
        else:
            answer = self.call_id.cc_desk_transfer(target, attended=self.mode == "consult")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": answer["message"],
                "type": "info",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _cc_target(self):
        """The target as the call's desk methods take it."""
        if self.mode == "conference" and self.target_type in ("queue", "ivr"):
            raise UserError(self.env._("A conference joins an agent or an external number."))
        targets = {
            "agent": self.agent_id.extension,
            "queue": self.queue_id and f"queue:{self.queue_id.id}",
            "ivr": "ivr",
            "number": self.number,
        }
        target = targets[self.target_type]
        if not target:
            raise UserError(self.env._("Choose whom to transfer to."))
        return target

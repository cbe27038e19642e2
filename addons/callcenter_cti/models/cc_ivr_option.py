from odoo import api, fields, models
from odoo.exceptions import ValidationError

DIGITS = [(key, key) for key in "1234567890*#"]


class CcIvrOption(models.Model):
    """What one key of a voice menu does."""

    _name = "cc.ivr.option"
    _description = "Voice Menu Key"
    _order = "menu_id, sequence, digit"

    menu_id = fields.Many2one("cc.ivr.menu", required=True, ondelete="cascade", index=True)
    server_id = fields.Many2one(related="menu_id.server_id")
    sequence = fields.Integer(default=10)
    digit = fields.Selection(DIGITS, string="Key", required=True)
    label = fields.Char(help="What the key is for (not played).")
    action = fields.Selection(
        [
            ("menu", "Submenu"),
            ("queue", "Queue"),
            ("agent", "Agent"),
            ("voicemail", "Voicemail"),
            ("number", "External number"),
            ("hangup", "Message, then hang up"),
        ],
        required=True,
        default="queue",
    )
    submenu_id = fields.Many2one("cc.ivr.menu", domain="[('server_id', '=', server_id)]")
    queue_id = fields.Many2one("cc.queue", domain="[('server_id', '=', server_id)]")
    agent_id = fields.Many2one("cc.agent", domain="[('server_id', '=', server_id)]")
    mailbox = fields.Char(help="box@context, e.g. 100@default.")
    number = fields.Char(help="Dialled through the trunk.")
    prompt_id = fields.Many2one(
        "cc.prompt",
        string="Message",
        domain="[('server_id', '=', server_id)]",
        help="Played before the action.",
    )

    _digit_unique = models.Constraint("UNIQUE(menu_id, digit)", "A key does one thing in a menu.")

    @api.constrains("action", "submenu_id", "queue_id", "agent_id", "mailbox", "number", "prompt_id")
    def _check_target(self):
        needed = {"menu": "submenu_id", "queue": "queue_id", "agent": "agent_id", "voicemail": "mailbox",
                  "number": "number", "hangup": "prompt_id"}  # fmt: skip
        for option in self:
            if not option[needed[option.action]]:
                raise ValidationError(self.env._("Key %s: say where it leads.", option.digit))

    def _cc_target(self):
        """The target as the dialplan takes it (cti/ivr.py)."""
        self.ensure_one()
        agent = self.agent_id
        return {
            "menu": str(self.submenu_id.id),
            "queue": self.queue_id.ami_name or "",
            "agent": (agent.interface or f"PJSIP/{agent.extension}") if agent else "",
            "voicemail": self.mailbox or "",
            "number": self.number or "",
            "hangup": "",
        }[self.action]

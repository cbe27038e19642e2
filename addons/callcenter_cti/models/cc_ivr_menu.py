from odoo import fields, models


class CcIvrMenu(models.Model):
    """A voice menu: a prompt, then one action per key. Edited here by managers, walked by the dialplan
    through FastAGI; a change applies to the next call (the routing snapshot is refreshed every few
    seconds)."""

    _name = "cc.ivr.menu"
    _description = "Voice Menu (IVR)"
    _inherit = ["mail.thread"]
    _order = "name"

    name = fields.Char(required=True, tracking=True)
    server_id = fields.Many2one("cc.pbx.server", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="server_id.company_id", store=True, index=True)
    prompt_id = fields.Many2one(
        "cc.prompt", required=True, domain="[('server_id', '=', server_id)]", tracking=True
    )
    timeout = fields.Integer(string="Wait for a Key (s)", default=5)
    retries = fields.Integer(default=3, help="Timeouts or wrong keys before the fallback.")
    invalid_prompt_id = fields.Many2one(
        "cc.prompt", string="Wrong Key Prompt", domain="[('server_id', '=', server_id)]"
    )
    option_ids = fields.One2many("cc.ivr.option", "menu_id", string="Keys", copy=True)
    fallback_queue_id = fields.Many2one(
        "cc.queue",
        domain="[('server_id', '=', server_id)]",
        help="Where callers go after the retries. Empty: the inbound number's queue.",
    )
    active = fields.Boolean(default=True)

    _timeout_positive = models.Constraint(
        "CHECK(timeout > 0 AND retries > 0)", "Wait and retries must be positive."
    )

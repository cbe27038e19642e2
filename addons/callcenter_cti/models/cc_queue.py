from odoo import fields, models


class CcQueue(models.Model):
    _name = "cc.queue"
    _description = "Call Queue"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    ami_name = fields.Char(string="Asterisk Queue", required=True, help="The queue's name in queues.conf.")
    server_id = fields.Many2one("cc.pbx.server", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="server_id.company_id", store=True, index=True)
    active = fields.Boolean(default=True)
    strategy = fields.Selection(
        [
            ("ringall", "Ring all"),
            ("leastrecent", "Least recent"),
            ("fewestcalls", "Fewest calls"),
            ("random", "Random"),
            ("rrmemory", "Round robin with memory"),
            ("linear", "Linear"),
            ("wrandom", "Weighted random"),
        ],
        default="rrmemory",
    )
    service_level_s = fields.Integer(
        string="Service Level (s)",
        default=20,
        help="Calls answered within this wait count as in service level.",
    )
    member_ids = fields.One2many("cc.queue.member", "queue_id", string="Members")
    waiting_count = fields.Integer(string="Calls Waiting", readonly=True, copy=False)

    _server_name_unique = models.Constraint(
        "UNIQUE(server_id, ami_name)", "An Asterisk queue name must be unique per PBX server."
    )

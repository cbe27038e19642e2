from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    cc_agent_ids = fields.One2many("cc.agent", "user_id", string="Call Center Agents")

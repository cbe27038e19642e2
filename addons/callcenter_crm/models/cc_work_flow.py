from odoo import fields, models


class CcWorkFlow(models.Model):
    """The ordered stages a work order of a service type goes through."""

    _name = "cc.work.flow"
    _description = "Work Order Flow"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    category_ids = fields.One2many("cc.service.category", "flow_id", string="Service Types")
    stage_ids = fields.One2many("cc.work.flow.stage", "flow_id", string="Stages", copy=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    active = fields.Boolean(default=True)

    def _cc_first_stage(self):
        self.ensure_one()
        return self.stage_ids[:1]

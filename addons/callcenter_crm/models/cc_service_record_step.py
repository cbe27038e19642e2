from odoo import fields, models


class CcServiceRecordStep(models.Model):
    """A step of a service record's follow-up trail (处理过程): who did what, when."""

    _name = "cc.service.record.step"
    _description = "Service Record Processing Step"
    _order = "date desc, id desc"

    record_id = fields.Many2one("cc.service.record", required=True, ondelete="cascade", index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="By", required=True, default=lambda self: self.env.user, readonly=True
    )
    note = fields.Text(string="What Was Done", required=True)
    status_id = fields.Many2one("cc.service.status", string="Status After", readonly=True)
    partner_id = fields.Many2one(related="record_id.partner_id", store=True, string="Customer")
    category_id = fields.Many2one(related="record_id.category_id", store=True, string="Service")
    company_id = fields.Many2one(related="record_id.company_id", store=True)

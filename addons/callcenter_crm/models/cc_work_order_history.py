from odoo import api, fields, models

OUTCOMES = [
    ("forwarded", "Forwarded"),
    ("returned", "Returned"),
    ("rejected", "Rejected"),
    ("dispatched", "Dispatched"),
    ("archived", "Archived"),
    ("closed", "Closed"),
]


class CcWorkOrderHistory(models.Model):
    """A work order's stay in one stage: the line the SLA report counts."""

    _name = "cc.work.order.history"
    _description = "Work Order Stage History"
    _order = "date_in desc, id desc"

    order_id = fields.Many2one("cc.work.order", required=True, ondelete="cascade", index=True)
    stage_id = fields.Many2one("cc.work.flow.stage", required=True, index=True)
    flow_id = fields.Many2one(related="order_id.flow_id", store=True)
    category_id = fields.Many2one(related="order_id.category_id", store=True, string="Service Type")
    department_id = fields.Many2one("cc.department", index=True)
    user_id = fields.Many2one("res.users", string="Responsible")
    by_user_id = fields.Many2one("res.users", string="Moved By")
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    date_in = fields.Datetime(string="Entered", required=True)
    date_out = fields.Datetime(string="Left")
    deadline = fields.Datetime()
    outcome = fields.Selection(OUTCOMES)
    note = fields.Text()
    escalated = fields.Boolean()
    duration_hours = fields.Float(
        string="Hours in Stage", compute="_compute_sla", store=True, aggregator="avg"
    )
    late = fields.Boolean(compute="_compute_sla", store=True)
    late_count = fields.Integer(string="# Late", compute="_compute_sla", store=True)
    on_time_count = fields.Integer(string="# On Time", compute="_compute_sla", store=True)

    @api.depends("date_in", "date_out", "deadline", "escalated")
    def _compute_sla(self):
        for line in self:
            end = line.date_out
            line.duration_hours = (end - line.date_in).total_seconds() / 3600 if end and line.date_in else 0.0
            line.late = line.escalated or bool(end and line.deadline and end > line.deadline)
            line.late_count = int(line.late)
            line.on_time_count = int(bool(end) and not line.late)

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CcWorkFlowStage(models.Model):
    """A stage of a flow: who handles it, within how many working hours, and how."""

    _name = "cc.work.flow.stage"
    _description = "Work Order Flow Stage"
    _order = "flow_id, sequence, id"

    flow_id = fields.Many2one("cc.work.flow", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    hours_limit = fields.Float(
        string="Time Limit (working hours)",
        help="Working hours of the company calendar allowed in this stage; 0 means no limit.",
    )
    department_id = fields.Many2one("cc.department", string="Responsible Department")
    user_id = fields.Many2one("res.users", string="Responsible User")
    manager_id = fields.Many2one(
        "res.users",
        string="Escalation Manager",
        help="Told when a work order overstays this stage; defaults to the department's manager.",
    )
    instructions = fields.Html(translate=True)

    @api.constrains("hours_limit")
    def _check_hours_limit(self):
        if any(stage.hours_limit < 0 for stage in self):
            raise ValidationError(self.env._("A time limit cannot be negative."))

    def _cc_next(self):
        self.ensure_one()
        stages = self.flow_id.stage_ids
        return stages[list(stages).index(self) + 1 :][:1]

    def _cc_previous(self):
        self.ensure_one()
        stages = self.flow_id.stage_ids
        position = list(stages).index(self)
        return stages[position - 1] if position else self.browse()

    def _cc_responsible(self, department=None):
        """The user told about a work order entering this stage."""
        self.ensure_one()
        department = department or self.department_id
        return self.user_id or (department._cc_manager() if department else self.env["res.users"])

    def _cc_escalation_manager(self, department=None):
        self.ensure_one()
        department = department or self.department_id
        return self.manager_id or (department._cc_manager() if department else self.env["res.users"])

    def _cc_deadline(self, start, company):
        """Start + the time limit on the company's working calendar (False without a limit)."""
        self.ensure_one()
        if not self.hours_limit:
            return False
        calendar = company.resource_calendar_id
        if not calendar:
            return start + timedelta(hours=self.hours_limit)
        return calendar.plan_hours(self.hours_limit, start, compute_leaves=True)

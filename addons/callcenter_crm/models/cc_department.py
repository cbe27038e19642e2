from odoo import api, fields, models
from odoo.exceptions import ValidationError

KINDS = [("centre", "Dispatch Centre"), ("branch", "Branch"), ("department", "Department")]


class CcDepartment(models.Model):
    """Who handles work orders: dispatch centre → branch → department (no HR needed)."""

    _name = "cc.department"
    _description = "Work Order Department"
    _parent_store = True
    _order = "complete_name"
    _rec_name = "complete_name"

    name = fields.Char(required=True, translate=True)
    complete_name = fields.Char(compute="_compute_complete_name", store=True, recursive=True)
    kind = fields.Selection(KINDS, required=True, default="department")
    parent_id = fields.Many2one("cc.department", index=True, ondelete="restrict")
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("cc.department", "parent_id", string="Sub-departments")
    manager_id = fields.Many2one("res.users")
    member_ids = fields.Many2many("res.users", string="Members")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    active = fields.Boolean(default=True)

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for department in self:
            parent = department.parent_id.complete_name
            department.complete_name = f"{parent} / {department.name}" if parent else department.name

    @api.constrains("parent_id")
    def _check_parent(self):
        if self._has_cycle():
            raise ValidationError(self.env._("A department cannot be its own parent."))

    def _cc_manager(self):
        """The manager of the department, or of the nearest parent that has one."""
        self.ensure_one()
        department = self
        while department and not department.manager_id:
            department = department.parent_id
        return department.manager_id

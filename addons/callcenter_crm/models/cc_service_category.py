from odoo import api, fields, models
from odoo.exceptions import ValidationError

LEVELS = [("directory", "Directory"), ("type", "Type"), ("name", "Name")]


class CcServiceCategory(models.Model):
    """The three-level tree of service records: directory → type → name."""

    _name = "cc.service.category"
    _description = "Service Category"
    _parent_store = True
    _order = "complete_name"
    _rec_name = "complete_name"

    name = fields.Char(required=True, translate=True)
    complete_name = fields.Char(compute="_compute_complete_name", store=True, recursive=True)
    parent_id = fields.Many2one("cc.service.category", index=True, ondelete="restrict")
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("cc.service.category", "parent_id", string="Children")
    level = fields.Selection(LEVELS, compute="_compute_level", store=True, recursive=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    flow_id = fields.Many2one(
        "cc.work.flow",
        string="Work Flow",
        help="The flow a work order of this service type follows (types only; names use their type's).",
    )

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for category in self:
            parent = category.parent_id.complete_name
            category.complete_name = f"{parent} / {category.name}" if parent else category.name

    @api.depends("parent_id.level")
    def _compute_level(self):
        next_level = {False: "directory", "directory": "type", "type": "name", "name": False}
        for category in self:
            category.level = next_level[category.parent_id.level if category.parent_id else False]

    @api.constrains("parent_id")
    def _check_depth(self):
        if self._has_cycle():
            raise ValidationError(self.env._("A category cannot be its own parent."))
        if any(not category.level for category in self):
            raise ValidationError(self.env._("Categories have three levels: directory, type and name."))

    def _cc_service_type(self):
        """The type-level ancestor (or self) of each category."""
        return self.mapped(
            lambda c: c if c.level == "type" else c.parent_id if c.level == "name" else c.browse()
        )

    def _cc_flow(self):
        self.ensure_one()
        return self._cc_service_type().flow_id

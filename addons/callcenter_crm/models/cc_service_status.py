from odoo import fields, models


class CcServiceStatus(models.Model):
    """A status of service records; every status not flagged done counts as unfinished."""

    _name = "cc.service.status"
    _description = "Service Record Status"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    is_done = fields.Boolean(string="Counts as Done")
    fold = fields.Boolean(string="Folded in Kanban")
    active = fields.Boolean(default=True)

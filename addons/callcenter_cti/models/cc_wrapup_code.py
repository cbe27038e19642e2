from odoo import fields, models


class CcWrapupCode(models.Model):
    """The agent's disposition of a call at wrap-up (resolved, callback promised, complaint …)."""

    _name = "cc.wrapup.code"
    _description = "Call Wrap-up Code"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, help="Empty: every company.")
    needs_note = fields.Boolean(help="The agent must write a note when choosing this code.")

    _code_unique = models.Constraint("UNIQUE(code, company_id)", "A wrap-up code must be unique.")

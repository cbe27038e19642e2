from odoo import fields, models


class CcKnowledgeTag(models.Model):
    _name = "cc.knowledge.tag"
    _description = "Knowledge Tag"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    color = fields.Integer()

    _name_uniq = models.Constraint("UNIQUE (name)", "A tag with this name already exists.")

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CcKnowledgeCategory(models.Model):
    _name = "cc.knowledge.category"
    _description = "Knowledge Category"
    _parent_store = True
    _parent_name = "parent_id"
    _rec_name = "complete_name"
    _order = "complete_name"

    name = fields.Char(required=True, translate=True)
    complete_name = fields.Char(compute="_compute_complete_name", recursive=True, store=True)
    parent_id = fields.Many2one(
        "cc.knowledge.category", string="Parent Category", index=True, ondelete="cascade"
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("cc.knowledge.category", "parent_id", string="Subcategories")
    sequence = fields.Integer(default=10)
    description = fields.Text()
    active = fields.Boolean(default=True)
    article_ids = fields.One2many("cc.knowledge.article", "category_id", string="Articles")
    article_count = fields.Integer(compute="_compute_article_count")

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for category in self:
            if category.parent_id:
                category.complete_name = f"{category.parent_id.complete_name} / {category.name}"
            else:
                category.complete_name = category.name

    def _compute_article_count(self):
        counts = dict(
            self.env["cc.knowledge.article"]._read_group(
                [("category_id", "child_of", self.ids)], ["category_id"], ["__count"]
            )
        )
        for category in self:
            category.article_count = sum(
                count for cat, count in counts.items() if cat.parent_path.startswith(category.parent_path)
            )

    @api.constrains("parent_id")
    def _check_category_recursion(self):
        if self._has_cycle():
            raise ValidationError(self.env._("A category cannot be its own ancestor."))

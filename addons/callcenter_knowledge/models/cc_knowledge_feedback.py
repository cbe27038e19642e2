from odoo import fields, models


class CcKnowledgeFeedback(models.Model):
    _name = "cc.knowledge.feedback"
    _description = "Knowledge Article Feedback"
    _order = "create_date desc, id desc"

    article_id = fields.Many2one("cc.knowledge.article", required=True, index=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", required=True, readonly=True, default=lambda self: self.env.user)
    helpful = fields.Boolean()
    comment = fields.Text()

    _user_uniq = models.Constraint(
        "UNIQUE (article_id, user_id)", "Each user gives one verdict per article; change it instead."
    )

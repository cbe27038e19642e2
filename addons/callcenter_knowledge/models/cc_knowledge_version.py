from odoo import fields, models


class CcKnowledgeVersion(models.Model):
    _name = "cc.knowledge.version"
    _description = "Knowledge Article Version"
    _order = "article_id, number desc"
    _rec_name = "name"

    article_id = fields.Many2one("cc.knowledge.article", required=True, index=True, ondelete="cascade")
    number = fields.Integer(string="Version", required=True, readonly=True)
    name = fields.Char(string="Title", readonly=True)
    body = fields.Html(readonly=True, sanitize=False)
    keyword = fields.Char(string="Topics", readonly=True)
    state = fields.Selection(
        [("draft", "Draft"), ("review", "In Review"), ("published", "Published")], readonly=True
    )
    note = fields.Char(readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Changed By", required=True, readonly=True, default=lambda self: self.env.user
    )
    create_date = fields.Datetime(string="Changed On", readonly=True)

    _number_uniq = models.Constraint("UNIQUE (article_id, number)", "Version numbers are unique per article.")

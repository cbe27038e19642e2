from odoo import fields, models


class CcKnowledgeSendBack(models.TransientModel):
    _name = "cc.knowledge.send.back"
    _description = "Send a Knowledge Article Back for Changes"

    article_ids = fields.Many2many("cc.knowledge.article", string="Articles", required=True)
    comment = fields.Text(required=True, help="What the author has to change; posted on the article.")

    def action_confirm(self):
        self.ensure_one()
        self.article_ids.cc_send_back(self.comment)
        return {"type": "ir.actions.act_window_close"}

from odoo import http
from odoo.http import request


class KnowledgeController(http.Controller):
    @http.route("/callcenter/knowledge/search", type="jsonrpc", auth="user", readonly=True)
    def search(self, query="", limit=10, category_id=None):
        """Ranked published articles for the call desk, with <mark>-highlighted, HTML-escaped snippets."""
        return request.env["cc.knowledge.article"].cc_search(query, limit=limit, category_id=category_id)

    @http.route("/callcenter/knowledge/open", type="jsonrpc", auth="user")
    def open(self, article_id):
        """The article's body; counts a view for the most-used lists."""
        return request.env["cc.knowledge.article"].browse(int(article_id)).cc_open()

    @http.route("/callcenter/knowledge/feedback", type="jsonrpc", auth="user")
    def feedback(self, article_id, helpful, comment=None):
        return request.env["cc.knowledge.article"].browse(int(article_id)).cc_feedback(helpful, comment)

    @http.route("/callcenter/knowledge/top", type="jsonrpc", auth="user", readonly=True)
    def top(self, limit=10):
        """The most-viewed published articles."""
        articles = request.env["cc.knowledge.article"].search(
            [("state", "=", "published")], order="view_count desc, id desc", limit=max(1, min(int(limit), 50))
        )
        return [{"id": a.id, "name": a.name, "view_count": a.view_count} for a in articles]

from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged

from .common import AGENT


@tagged("post_install", "-at_install")
class TestSearchRoute(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(cls.env, "kb_http_agent", groups=AGENT)
        Article = cls.env["cc.knowledge.article"]
        cls.published = Article.create(
            {"name": "售后退货专线 <b>", "body": "<p>七天内拨打退货专线</p>", "state": "published"}
        )
        Article.create({"name": "退货专线草稿", "body": "<p>draft</p>"})

    def test_search_route_returns_ranked_highlighted_results(self):
        self.authenticate("kb_http_agent", "kb_http_agent")
        results = self.make_jsonrpc_request("/callcenter/knowledge/search", {"query": "退货专线", "limit": 5})
        self.assertEqual([r["id"] for r in results], self.published.ids)
        self.assertEqual(results[0]["name_html"], "售后<mark>退货专线</mark> &lt;b&gt;")
        self.assertIn("<mark>退货专线</mark>", results[0]["snippet"])

    def test_open_and_feedback_routes(self):
        self.authenticate("kb_http_agent", "kb_http_agent")
        opened = self.make_jsonrpc_request("/callcenter/knowledge/open", {"article_id": self.published.id})
        self.assertEqual(opened["view_count"], 1)
        counts = self.make_jsonrpc_request(
            "/callcenter/knowledge/feedback", {"article_id": self.published.id, "helpful": True}
        )
        self.assertEqual(counts, {"helpful_count": 1, "unhelpful_count": 0})
        top = self.make_jsonrpc_request("/callcenter/knowledge/top", {"limit": 50})
        views = [row["view_count"] for row in top]
        self.assertEqual(views, sorted(views, reverse=True))
        self.assertIn(self.published.id, [row["id"] for row in top])

    def test_search_requires_login(self):
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request("/callcenter/knowledge/search", {"query": "退货"})

from .common import KnowledgeCase


class TestSearch(KnowledgeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.return_cn = cls.make_article("如何办理退货手续", "<p>签收后七天内可以申请。</p>")
        cls.body_only = cls.make_article("Shipping costs", "<p>A refund covers the shipping costs too.</p>")
        cls.title = cls.make_article("Refund policy", "<p>How and when money comes back.</p>")
        cls.other = cls.make_article("Greeting", "<p>Say hello.</p>")

    def test_chinese_substring(self):
        self.assertEqual(self.search_ids("退货", category_id=self.category.id), self.return_cn.ids)
        self.assertEqual(self.search_ids("办理退货", category_id=self.category.id), self.return_cn.ids)
        self.assertEqual(self.search_ids("退", category_id=self.category.id), self.return_cn.ids)
        self.assertFalse(self.search_ids("退款", category_id=self.category.id))

    def test_title_match_ranks_above_body_match(self):
        self.body_only.view_count = 1000  # popularity must not beat a title match
        self.assertEqual(
            self.search_ids("refund", category_id=self.category.id), [self.title.id, self.body_only.id]
        )

    def test_every_term_must_match(self):
        self.assertEqual(self.search_ids("refund shipping", category_id=self.category.id), self.body_only.ids)

    def test_results_carry_escaped_highlights(self):
        self.make_article("Tags <b>refund</b> & co", "<p>x &lt;script&gt; refund</p>")
        rows = self.Article.cc_search("refund", category_id=self.category.id)
        names = {row["name_html"] for row in rows}
        self.assertIn("Tags &lt;b&gt;<mark>refund</mark>&lt;/b&gt; &amp; co", names)
        snippets = " ".join(row["snippet"] for row in rows)
        self.assertIn("&lt;script&gt; <mark>refund</mark>", snippets)
        self.assertNotIn("<script>", snippets)

    def test_like_wildcards_are_literal(self):
        self.assertFalse(self.search_ids("%%%", category_id=self.category.id))
        self.assertFalse(self.search_ids("ref_nd", category_id=self.category.id))
        self.assertFalse(self.search_ids("   ", category_id=self.category.id))

    def test_suggest_by_topic_then_text(self):
        topic = self.make_article(
            "Return labels", "<p>Print the label.</p>", keyword="Return label, 退货标签"
        )
        self.make_article("Returns", "<p>x</p>", keyword="退货")
        # the most specific topic first
        self.assertEqual(self.Article._cc_suggest("客户要求打印退货标签", limit=5)[0], topic)
        self.assertEqual(self.Article._cc_suggest("customer wants a RETURN LABEL", limit=5)[0], topic)
        # no topic: the full-text search fills in
        self.assertIn(self.return_cn, self.Article._cc_suggest("办理退货", limit=5))
        self.assertFalse(self.Article._cc_suggest("", limit=5))
        # the CRM narrows the suggestions with its own domain
        narrowed = self.Article._cc_suggest("客户要求打印退货标签", limit=5, domain=[("id", "!=", topic.id)])
        self.assertNotIn(topic, narrowed)

    def test_backend_content_search_uses_plain_text(self):
        found = self.Article.search(
            [("search_text", "ilike", "七天内"), ("category_id", "=", self.category.id)]
        )
        self.assertEqual(found, self.return_cn)

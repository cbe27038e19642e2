from .common import KnowledgeCase


class TestFeedbackAndVersions(KnowledgeCase):
    def test_feedback_counters(self):
        article = self.make_article("Refund policy", "<p>x</p>")
        article.with_user(self.agent).cc_feedback(True)
        article.with_user(self.editor).cc_feedback(False, "too short")
        self.assertEqual((article.helpful_count, article.unhelpful_count), (1, 1))
        # a user changes their mind: replaced, not added
        result = article.with_user(self.editor).cc_feedback(True)
        self.assertEqual(result, {"helpful_count": 2, "unhelpful_count": 0})
        self.assertEqual(len(article.feedback_ids), 2)

    def test_agent_sees_only_own_feedback(self):
        article = self.make_article("Refund policy", "<p>x</p>")
        article.with_user(self.agent).cc_feedback(True)
        article.with_user(self.editor).cc_feedback(False)
        Feedback = self.env["cc.knowledge.feedback"]
        self.assertEqual(
            Feedback.with_user(self.agent).search([("article_id", "=", article.id)]).user_id, self.agent
        )
        self.assertEqual(len(Feedback.with_user(self.editor).search([("article_id", "=", article.id)])), 2)

    def test_view_counter_and_most_used(self):
        article = self.make_article("Refund policy", "<p>x</p>")
        write_date = article.write_date
        for _i in range(3):
            article.with_user(self.agent).cc_open()
        self.assertEqual(article.view_count, 3)
        self.assertEqual(article.write_date, write_date)
        top = self.Article.search([("state", "=", "published")], order="view_count desc", limit=1)
        self.assertEqual(top.view_count, max(self.Article.search([]).mapped("view_count")))

    def test_version_history(self):
        article = self.Article.with_user(self.editor).create({"name": "Warranty", "body": "<p>One year</p>"})
        article.write({"body": "<p>Two years</p>"})
        article.write({"sequence": 5})  # not content: no new version
        article.action_submit_review()
        article.with_user(self.reviewer).action_publish()
        versions = article.version_ids.sorted("number")
        self.assertEqual(versions.mapped("number"), [1, 2, 3])
        self.assertEqual(versions.mapped("user_id"), self.editor | self.editor | self.reviewer)
        self.assertIn("One year", versions[0].body)
        self.assertIn("Two years", versions[1].body)
        self.assertEqual(versions[2].state, "published")
        self.assertTrue(all(versions.mapped("create_date")))
        self.assertEqual(article.version_count, 3)

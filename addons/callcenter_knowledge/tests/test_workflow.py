from odoo.exceptions import AccessError, UserError

from .common import KnowledgeCase


class TestWorkflow(KnowledgeCase):
    def test_draft_review_published(self):
        article = self.Article.with_user(self.editor).create({"name": "Warranty", "body": "<p>Two years</p>"})
        self.assertEqual(article.state, "draft")
        article.action_submit_review()
        self.assertEqual(article.state, "review")
        article.with_user(self.reviewer).action_publish()
        self.assertEqual(article.state, "published")
        self.assertEqual(article.reviewer_id, self.reviewer)
        self.assertTrue(article.published_date)

    def test_send_back_posts_the_comment(self):
        article = self.make_article("Warranty", "<p>Two years</p>", state="review", author_id=self.editor.id)
        wizard = (
            self.env["cc.knowledge.send.back"]
            .with_user(self.reviewer)
            .create({"article_ids": [(6, 0, article.ids)], "comment": "Cite the <law>"})
        )
        wizard.action_confirm()
        self.assertEqual(article.state, "draft")
        message = article.message_ids[0]
        self.assertIn("Cite the &lt;law&gt;", message.body)
        self.assertIn(self.editor.partner_id, message.partner_ids)

    def test_send_back_needs_a_comment(self):
        article = self.make_article("Warranty", "<p>Two years</p>", state="review")
        with self.assertRaises(UserError):
            article.with_user(self.reviewer).cc_send_back("  ")

    def test_editor_cannot_publish(self):
        article = self.Article.with_user(self.editor).create({"name": "Warranty", "body": "<p>x</p>"})
        with self.assertRaises(AccessError):
            article.action_publish()
        with self.assertRaises(AccessError):
            article.write({"state": "published"})
        with self.assertRaises(AccessError):
            self.Article.with_user(self.editor).create({"name": "Sneaky", "state": "published"})
        with self.assertRaises(AccessError):
            article.action_send_back()
        self.assertEqual(article.state, "draft")

    def test_editor_change_of_a_published_text_goes_back_to_review(self):
        article = self.make_article("Warranty", "<p>Two years</p>")
        article.with_user(self.editor).write({"sequence": 3})
        self.assertEqual(article.state, "published")
        article.with_user(self.editor).write({"body": "<p>Three years</p>"})
        self.assertEqual(article.state, "review")
        article.with_user(self.reviewer).action_publish()
        article.with_user(self.reviewer).write({"body": "<p>Three years.</p>"})
        self.assertEqual(article.state, "published")

    def test_managers_are_reviewers(self):
        manager_group = self.env.ref("callcenter_cti.group_cc_manager")
        reviewer_group = self.env.ref("callcenter_knowledge.group_cc_knowledge_reviewer")
        self.assertIn(reviewer_group, manager_group.all_implied_ids)

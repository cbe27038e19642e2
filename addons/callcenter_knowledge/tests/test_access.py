from odoo.exceptions import AccessError

from .common import KnowledgeCase


class TestAccess(KnowledgeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.published = cls.make_article("Published article", "<p>visible</p>")
        cls.draft = cls.make_article("Draft article", "<p>hidden</p>", state="draft")

    def test_agent_reads_published_only(self):
        visible = self.Article.with_user(self.agent).search([("category_id", "=", self.category.id)])
        self.assertEqual(visible, self.published)
        with self.assertRaises(AccessError):
            self.draft.with_user(self.agent).read(["name"])

    def test_agent_cannot_write_or_create(self):
        with self.assertRaises(AccessError):
            self.published.with_user(self.agent).write({"name": "Changed"})
        with self.assertRaises(AccessError):
            self.Article.with_user(self.agent).create({"name": "New"})

    def test_agent_search_ignores_drafts(self):
        self.assertEqual(
            self.search_ids("article", user=self.agent, category_id=self.category.id), self.published.ids
        )

    def test_editor_sees_and_edits_drafts(self):
        articles = self.Article.with_user(self.editor).search([("category_id", "=", self.category.id)])
        self.assertEqual(articles, self.published | self.draft)
        self.draft.with_user(self.editor).write({"name": "Draft article v2"})
        self.assertEqual(self.draft.name, "Draft article v2")

    def test_editor_cannot_delete_but_reviewer_can(self):
        with self.assertRaises(AccessError):
            self.draft.with_user(self.editor).unlink()
        self.draft.with_user(self.reviewer).unlink()
        self.assertFalse(self.draft.exists())

    def test_agent_cannot_read_versions(self):
        with self.assertRaises(AccessError):
            self.env["cc.knowledge.version"].with_user(self.agent).search([])

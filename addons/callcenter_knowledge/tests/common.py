from odoo.tests import TransactionCase, new_test_user

AGENT = "callcenter_cti.group_cc_agent"
EDITOR = "callcenter_knowledge.group_cc_knowledge_editor"
REVIEWER = "callcenter_knowledge.group_cc_knowledge_reviewer"


class KnowledgeCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_notrack=True))
        cls.agent = new_test_user(cls.env, "kb_agent", groups=AGENT)
        cls.editor = new_test_user(cls.env, "kb_editor", groups=EDITOR)
        cls.reviewer = new_test_user(cls.env, "kb_reviewer", groups=REVIEWER)
        cls.Article = cls.env["cc.knowledge.article"]
        cls.category = cls.env["cc.knowledge.category"].create({"name": "KB Test Category"})

    @classmethod
    def make_article(cls, name, body, state="published", **values):
        return cls.Article.create(
            dict({"name": name, "body": body, "state": state, "category_id": cls.category.id}, **values)
        )

    def search_ids(self, query, user=None, **kwargs):
        model = self.Article.with_user(user) if user else self.Article
        return [row["id"] for row in model.cc_search(query, **kwargs)]

"""Several sites in one database: a centre and its branches as companies. A branch's people see only their
branch (calls, agents, queues, numbers, state logs, the wallboard); the centre, allowed every company, sees
them all rolled up."""

from odoo.tests import new_test_user, tagged

from .common import replay_into
from .test_cti_sink import CtiSinkCase


@tagged("post_install", "-at_install")
class TestMultiSite(CtiSinkCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.centre = cls.env.company
        cls.branch = cls.env["res.company"].create(
            {"name": "Chongqing branch", "country_id": cls.env.ref("base.us").id}
        )
        cls.branch_pbx = cls.env["cc.pbx.server"].create(
            {"name": "Chongqing PBX", "host": "10.0.0.2", "company_id": cls.branch.id,
             "country_id": cls.env.ref("base.us").id}
        )  # fmt: skip
        cls.env["cc.did"].create({"name": "Branch line", "number": "5000", "server_id": cls.branch_pbx.id})
        replay_into(cls.env, cls.server, ["a-ivr-queue-answer-caller-hangup.ami"])  # the centre's call
        replay_into(cls.env, cls.branch_pbx, ["c-abandon-in-queue.ami", "j-agent-login-pause-logout.ami"])
        cls.branch_supervisor = new_test_user(
            cls.env, login="branch_sup", groups="callcenter_cti.group_cc_supervisor",
            company_id=cls.branch.id, company_ids=[cls.branch.id],
        )  # fmt: skip
        cls.centre_manager = new_test_user(
            cls.env, login="centre_mgr", groups="callcenter_cti.group_cc_manager",
            company_id=cls.centre.id, company_ids=[cls.centre.id, cls.branch.id],
        )  # fmt: skip

    def visible(self, user, model, companies):
        env = self.env(user=user, context={"allowed_company_ids": companies.ids})
        return env[model].search([])

    def test_a_branch_sees_only_its_own(self):
        for model in ("cc.call", "cc.agent", "cc.queue", "cc.did", "cc.agent.state.log", "cc.pbx.server"):
            records = self.visible(self.branch_supervisor, model, self.branch)
            self.assertTrue(records, model)
            self.assertEqual(records.mapped("company_id"), self.branch, model)

    def test_the_centre_sees_every_site(self):
        both = self.centre | self.branch
        calls = self.visible(self.centre_manager, "cc.call", both)
        self.assertTrue({self.server, self.branch_pbx} <= set(calls.mapped("server_id")))
        groups = (
            self.env["cc.call"]
            .with_user(self.centre_manager)
            .with_context(allowed_company_ids=both.ids)
            ._read_group([], ["company_id"], ["__count"])
        )
        self.assertEqual({company for company, _count in groups}, set(both))  # reports roll up by company

    def test_the_wallboard_of_a_branch(self):
        env = self.env(user=self.branch_supervisor, context={"allowed_company_ids": self.branch.ids})
        data = env["cc.wallboard"].cc_wallboard_data()
        servers = env["cc.agent"].browse([agent["id"] for agent in data["agents"]]).mapped("server_id")
        self.assertEqual(servers, self.branch_pbx)

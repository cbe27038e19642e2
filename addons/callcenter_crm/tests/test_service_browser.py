"""The service views open in a real web client, as an agent and as a supervisor."""

from odoo.tests import HttpCase, new_test_user, tagged

WAIT_FOR_VIEW = """
    const start = Date.now();
    const poll = () => {
        if (document.querySelector(".o_error_dialog")) {
            console.error("error dialog: " + document.querySelector(".o_error_dialog").innerText);
        } else if (document.querySelector(".o_action_manager .o_view_controller:not(.o_loading)")) {
            console.log("test successful");
        } else if (Date.now() - start > 20000) {
            console.error("no view rendered");
        } else {
            setTimeout(poll, 200);
        }
    };
    poll();
"""


@tagged("post_install", "-at_install")
class TestServiceBrowser(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(cls.env, "sr_browser_agent", groups="callcenter_cti.group_cc_agent")
        cls.boss = new_test_user(cls.env, "sr_browser_sup", groups="callcenter_cti.group_cc_supervisor")
        stage = {"name": "Check", "hours_limit": 4, "user_id": cls.agent.id}
        flow = cls.env["cc.work.flow"].create({"name": "Browser flow", "stage_ids": [(0, 0, stage)]})
        directory = cls.env["cc.service.category"].create({"name": "Browser dir"})
        kind = cls.env["cc.service.category"].create(
            {"name": "Kind", "parent_id": directory.id, "flow_id": flow.id}
        )
        customer = cls.env["res.partner"].create({"name": "王芳"})
        cls.record = (
            cls.env["cc.service.record"]
            .with_user(cls.agent)
            .create({"partner_id": customer.id, "directory_id": directory.id, "type_id": kind.id})
        )
        cls.order_id = cls.record.action_cc_create_work_order()["res_id"]

    def open_view(self, path, login):
        self.browser_js(path, WAIT_FOR_VIEW, ready="odoo.isReady", login=login, timeout=60)

    def test_agent_views(self):
        self.open_view("/odoo/action-callcenter_crm.cc_service_record_action_my_today", "sr_browser_agent")
        self.open_view(
            f"/odoo/action-callcenter_crm.cc_service_record_action/{self.record.id}", "sr_browser_agent"
        )
        self.open_view(
            f"/odoo/action-callcenter_crm.cc_work_order_action/{self.order_id}", "sr_browser_agent"
        )

    def test_supervisor_reports(self):
        for xml_id in (
            "cc_service_record_action_report",
            "cc_service_record_step_action",
            "cc_work_order_history_action",
        ):
            self.open_view(f"/odoo/action-callcenter_crm.{xml_id}", "sr_browser_sup")

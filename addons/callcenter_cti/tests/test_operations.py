"""Operations: managers are alerted when a PBX link or its bridge goes silent; Prometheus scrapes metrics
with a token, and nobody without it learns anything."""

from odoo import fields
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

from .common import replay_into


@tagged("post_install", "-at_install")
class TestLinkWatch(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["cc.pbx.server"].search([]).active = False  # only the server of the test is watched
        cls.server = cls.env["cc.pbx.server"].create({"name": "Watched", "host": "127.0.0.1"})
        cls.manager = new_test_user(cls.env, login="ops_mgr", groups="callcenter_cti.group_cc_manager")

    def warnings(self):
        return self.server.activity_ids.filtered(lambda a: a.user_id == self.manager)

    def test_a_live_bridge_and_link_raise_nothing(self):
        self.server.write({"link_state": "connected", "bridge_seen_at": fields.Datetime.now()})
        self.env["cc.pbx.server"]._cron_link_watch()
        self.assertFalse(self.warnings())

    def test_a_silent_bridge_alerts_the_managers_once(self):
        old = fields.Datetime.subtract(fields.Datetime.now(), minutes=5)
        self.server.write({"link_state": "connected", "bridge_seen_at": old})
        self.env["cc.pbx.server"]._cron_link_watch()
        self.env["cc.pbx.server"]._cron_link_watch()
        self.assertEqual(len(self.warnings()), 1)
        self.assertIn("No CTI bridge has served Watched", self.warnings().summary)

    def test_a_lagging_bridge_alerts_the_managers(self):
        self.server.write({"link_state": "connected"})
        self.server._cc_bridge_alive(backlog=12000)
        self.env["cc.pbx.server"]._cron_link_watch()
        self.assertIn("12000 events behind", self.warnings().summary)

    def test_a_lost_pbx_link_alerts_the_managers(self):
        self.server.write({"link_state": "disconnected", "bridge_seen_at": fields.Datetime.now()})
        self.env["cc.pbx.server"]._cron_link_watch()
        self.assertIn("AMI link down", self.warnings().summary)


@tagged("post_install", "-at_install")
class TestMetricsEndpoint(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.env["cc.pbx.server"].create(
            {"name": 'Site "B"', "host": "127.0.0.1", "country_id": cls.env.ref("base.us").id}
        )
        replay_into(cls.env, cls.server, ["c-abandon-in-queue.ami"])
        cls.env["ir.config_parameter"].set_param("callcenter_cti.metrics_token", "s3cret-token")

    def test_metrics_need_the_token(self):
        self.assertEqual(self.url_open("/callcenter/metrics").status_code, 404)
        self.assertEqual(self.url_open("/callcenter/metrics?token=guess").status_code, 404)

    def test_metrics_with_the_token(self):
        answer = self.url_open("/callcenter/metrics?token=s3cret-token")
        self.assertEqual(answer.status_code, 200)
        self.assertIn("# TYPE callcenter_queue_waiting gauge", answer.text)
        self.assertIn('callcenter_queue_waiting{server="Site \\"B\\"",queue="support"} 0', answer.text)
        self.assertIn('callcenter_pbx_link_up{server="Site \\"B\\""} 0', answer.text)

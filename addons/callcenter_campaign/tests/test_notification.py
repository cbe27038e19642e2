"""IVR notifications: the cron originates into [notify] within the calling hours and under the concurrency
cap; the recorded Asterisk transcript k gives each target its result and key pressed; retries follow the
policy."""

import json

from odoo import fields
from odoo.tests import tagged

from odoo.addons.callcenter_cti.tests.common import replay_into

from .common import CampaignCase

NUMBERS = ["+15551230010", "+15551230011", "+15551230012", "+15551230013", "+15551230014"]


@tagged("post_install", "-at_install")
class TestNotification(CampaignCase):
    def setUp(self):
        super().setUp()
        self.notify = self.env["cc.campaign"].create(
            {
                "name": "Invoice reminder",
                "code": "k-invoice-reminder",
                "campaign_type": "ivr_notification",
                "server_id": self.server.id,
                "max_concurrent": 5,
                "max_attempts": 2,
            }
        )
        self.targets = self.env["cc.campaign.target"].create(
            [{"campaign_id": self.notify.id, "name": n, "number": n} for n in NUMBERS]
        )
        self.notify.action_start()

    def commands(self):
        return self.env["cc.cti.command"].search([("res_model", "=", "cc.campaign.target")], order="id")

    def test_originates_into_notify_under_the_cap(self):
        self.notify.max_concurrent = 3
        self.env["cc.campaign.target"]._cc_cron_notify()
        commands = self.commands()
        self.assertEqual(len(commands), 3)
        [originate] = json.loads(commands[0].actions)
        target = self.env["cc.campaign.target"].browse(commands[0].res_id)
        self.assertEqual(originate["Channel"], f"Local/{target.number_e164}@cc-outbound")
        self.assertEqual((originate["Context"], originate["Exten"]), ("notify", "s"))
        self.assertEqual(
            originate["Variable"], f"CAMPAIGN=k-invoice-reminder,NOTIFY_NUMBER={target.number_e164[1:]}"
        )
        self.assertEqual(originate["ChannelId"], target.notify_linkedid)
        self.assertEqual(target.state, "dialing")
        self.env["cc.campaign.target"]._cc_cron_notify()
        self.assertEqual(len(self.commands()), 3)  # still three in progress: the cap holds

    def test_nothing_is_sent_outside_the_window_or_to_the_blacklist(self):
        self.notify.date_start = fields.Datetime.add(fields.Datetime.now(), days=1)
        self.env["cc.campaign.target"]._cc_cron_notify()
        self.assertFalse(self.commands())
        self.notify.date_start = False
        self.env["cc.blacklist"].create({"number": NUMBERS[0], "direction": "both"})
        self.env["cc.campaign.target"]._cc_cron_notify()
        self.assertEqual(len(self.commands()), 4)
        self.assertEqual(self.targets[0].state, "dnc")

    def test_transcript_k_records_results_digits_and_retries(self):
        self.env["cc.campaign.target"]._cc_cron_notify()
        self.assertEqual(len(self.commands()), 5)
        replay_into(self.env, self.server, ["k-outbound-notification.ami"])
        results = {t.number_e164: (t.call_result_id.code, t.digit or "", t.state) for t in self.targets}
        self.assertEqual(
            results,
            {
                "+15551230010": ("answered", "1", "done"),
                "+15551230011": ("no_answer", "", "pending"),
                "+15551230012": ("busy", "", "pending"),
                "+15551230013": ("failed", "", "pending"),  # congestion
                "+15551230014": ("failed", "", "pending"),
            },
        )
        answered = self.targets[0]
        self.assertEqual(answered.attempt_ids.call_id.linkedid, "notify-15551230010")
        self.assertEqual(answered.attempt_ids.call_id.res_id, answered.id)
        # The retries wait for their delay, then go out again; after the last attempt the target is done.
        self.env["cc.campaign.target"]._cc_cron_notify()
        self.assertEqual(len(self.commands()), 5)
        self.targets.write({"next_attempt_at": fields.Datetime.subtract(fields.Datetime.now(), minutes=1)})
        self.env["cc.campaign.target"]._cc_cron_notify()
        self.assertEqual(len(self.commands()), 9)
        self.targets[1]._cc_record_result(self.outcome("no_answer"))
        self.assertEqual((self.targets[1].state, self.targets[1].attempt_count), ("done", 2))

    def test_notifications_never_answered_fail_and_retry(self):
        self.env["cc.campaign.target"]._cc_cron_notify()
        later = fields.Datetime.add(fields.Datetime.now(), minutes=30)
        self.env.flush_all()
        self.env.cr.execute("UPDATE cc_campaign_target SET write_date = now() - interval '1 hour'")
        self.env["cc.campaign.target"].invalidate_model(["write_date"])
        self.env["cc.campaign.target"]._cc_expire_stale(self.notify, now=later)
        self.assertEqual(set(self.targets.mapped("call_result_id.code")), {"failed"})
        self.assertEqual(set(self.targets.mapped("state")), {"pending"})

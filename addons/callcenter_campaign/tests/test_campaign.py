"""Campaigns: lifecycle, calling hours, scripts filled from the customer, the retry policy, the report."""

import base64
import io

import openpyxl
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import CampaignCase


@tagged("post_install", "-at_install")
class TestCampaign(CampaignCase):
    def test_forms_create_a_campaign_and_edit_a_target(self):
        with Form(self.env["cc.campaign"].with_user(self.supervisor)) as form:
            form.name = "Renewals"
            form.code = "renewals"
            form.campaign_type = "ivr_notification"
            form.server_id = self.server
            form.max_concurrent = 3
        campaign = self.env["cc.campaign"].search([("code", "=", "renewals")])
        self.assertEqual((campaign.state, campaign.max_concurrent), ("draft", 3))
        target = self.add_targets(1, campaign=campaign)
        with Form(target.with_user(self.supervisor)) as form:
            form.agent_id = self.agents["8002"]
        self.assertEqual(target.agent_id, self.agents["8002"])

    def test_start_pause_stop_and_progress(self):
        with self.assertRaisesRegex(UserError, "targets"):
            self.campaign.action_start()
        targets = self.add_targets(4)
        self.campaign.action_start()
        self.assertEqual(self.campaign.state, "running")
        targets[0].state = "done"
        self.assertEqual((self.campaign.target_count, self.campaign.done_count), (4, 1))
        self.assertAlmostEqual(self.campaign.progress, 25.0)
        self.campaign.action_pause()
        self.assertEqual(self.campaign.state, "paused")
        self.assertFalse(self.campaign._cc_in_window())
        targets[1].state = "claimed"
        self.campaign.action_stop()
        self.assertEqual((self.campaign.state, targets[1].state), ("done", "pending"))

    def test_targets_are_matched_to_customers_or_created(self):
        alice = self.env["res.partner"].create({"name": "Alice", "phone": "+1 555 987 0010"})
        known, new = self.add_targets(2)
        self.assertEqual(known.partner_id, alice)
        self.assertEqual((new.partner_id.name, new.partner_id.phone), ("Customer 11", "+15559870011"))
        with self.assertRaisesRegex(UserError, "not a valid phone number"):
            self.env["cc.campaign.target"].create(
                {"campaign_id": self.campaign.id, "name": "X", "number": "12"}
            )

    def test_script_placeholders_are_filled_and_escaped(self):
        target = self.add_targets(1)
        target.partner_id.name = "Bob <b>"
        target.agent_id = self.agents["8001"]
        html = str(target.script_html)
        self.assertIn("Hello Bob &lt;b&gt;, this is Agent 8001 about Spring", html)

    def test_calling_hours_follow_the_calendar(self):
        self.add_targets(1)
        calendar = self.env["resource.calendar"].create(
            {
                "name": "Mornings",
                "tz": "UTC",
                "attendance_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Mon",
                            "dayofweek": "0",
                            "hour_from": 9,
                            "hour_to": 12,
                            "day_period": "morning",
                        },
                    )
                ],
            }
        )
        self.campaign.write({"calendar_id": calendar.id})
        self.campaign.action_start()
        monday_10, monday_14 = (
            fields.Datetime.to_datetime("2026-11-23 10:00:00"),
            fields.Datetime.to_datetime("2026-11-23 14:00:00"),
        )
        self.assertTrue(self.campaign._cc_in_window(monday_10))
        self.assertFalse(self.campaign._cc_in_window(monday_14))

    @freeze_time("2026-11-23 10:00:00")
    def test_retry_policy_per_outcome(self):
        self.campaign.max_attempts = 2
        busy, deal, call_back = self.outcome("busy"), self.outcome("deal"), self.outcome("call_back")
        target = self.add_targets(1)
        target._cc_record_result(busy)
        self.assertEqual((target.state, str(target.next_attempt_at)), ("pending", "2026-11-23 10:30:00"))
        target._cc_record_result(busy)
        self.assertEqual(target.state, "done")  # the campaign's maximum attempts
        other = self.add_targets(1, start=20)
        other._cc_record_result(self.outcome("answered"), deal)
        self.assertEqual((other.state, other.marketing_result_id), ("done", deal))
        later = fields.Datetime.to_datetime("2026-11-24 15:00:00")
        third = self.add_targets(1, start=30)
        third._cc_record_result(self.outcome("answered"), call_back, callback_at=later)
        self.assertEqual((third.state, third.next_attempt_at), ("pending", later))
        self.assertEqual(len(self.campaign.attempt_ids), 4)

    def test_excel_report_per_campaign_and_agent(self):
        targets = self.add_targets(3)
        targets.agent_id = self.agents["8001"]
        answered = self.outcome("answered")
        targets[0]._cc_record_result(answered, self.outcome("deal"))
        targets[1]._cc_record_result(answered, self.outcome("no_deal"))
        targets[2]._cc_record_result(self.outcome("no_answer"))
        action = self.campaign.action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(attachment.datas)))
        rows = list(book["By agent"].iter_rows(values_only=True))
        header, row = rows[0], rows[1]
        self.assertEqual(row[:3], ("Agent 8001 (8001)", 3, 2))
        self.assertAlmostEqual(row[3], 2 / 3)
        self.assertEqual((row[4], row[header.index("Deal")], row[header.index("No answer")]), (1, 1, 1))
        groups = self.env["cc.campaign.attempt"].formatted_read_group(
            [("campaign_id", "=", self.campaign.id)], ["agent_id"], ["contact_rate:avg", "__count"]
        )
        self.assertAlmostEqual(groups[0]["contact_rate:avg"], 200 / 3)

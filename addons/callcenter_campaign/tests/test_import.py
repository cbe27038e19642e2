"""Excel lists: every row checked (number format, do-not-call, duplicates within and across lists), good rows
kept and matched to customers, bad rows reported with their reason."""

import base64
import io

import openpyxl

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CampaignCase, xlsx


@tagged("post_install", "-at_install")
class TestImport(CampaignCase):
    def run_import(self, rows, campaign=None):
        wizard = self.env["cc.campaign.import"].create(
            {"campaign_id": (campaign or self.campaign).id, "file": xlsx(rows), "filename": "list.xlsx"}
        )
        wizard.action_import()
        return wizard

    def test_good_rows_kept_bad_rows_reported(self):
        self.env["cc.blacklist"].create({"number": "+15559870099", "direction": "outbound"})
        other = self.env["cc.campaign"].create({"name": "Other", "code": "other"})
        self.add_targets(1, campaign=other, start=77)  # +15559870077 listed in a campaign still to run
        alice = self.env["res.partner"].create({"name": "Alice", "phone": "+1 555 987 0001"})
        wizard = self.run_import(
            [
                ["姓名", "电话", "坐席"],
                ["Alice", "(555) 987-0001", "8001"],
                ["Bob", 5559870002, ""],
                ["Bad", "12ab", ""],
                ["Twice", "+1 555 987 0002", ""],
                ["Blocked", "555-987-0099", ""],
                ["Elsewhere", "5559870077", ""],
                ["Stranger", "5559870003", "9999"],
                [None, None, None],
            ]
        )
        self.assertEqual((wizard.imported_count, wizard.rejected_count), (2, 5))
        errors = {line.row: line.error for line in wizard.line_ids}
        self.assertEqual(
            errors,
            {
                4: "Invalid phone number",
                5: "Duplicate of row 3",
                6: "On the do-not-call list",
                7: "Already listed in campaign Other",
                8: "Unknown agent 9999 (not in the campaign)",
            },
        )
        first, second = self.campaign.target_ids.sorted("id")
        self.assertEqual(
            (first.number_e164, first.partner_id, first.agent_id),
            ("+15559870001", alice, self.agents["8001"]),
        )
        self.assertEqual((second.name, second.partner_id.phone), ("Bob", "+15559870002"))
        report = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.report_file)))
        rows = list(report.active.iter_rows(values_only=True))
        self.assertEqual(rows[1], (4, "Bad", "12ab", "Invalid phone number"))
        self.assertEqual(len(rows), 6)

    def test_a_second_list_skips_numbers_already_in_the_campaign(self):
        self.run_import([["Name", "Phone"], ["Bob", "5559870002"]])
        wizard = self.run_import([["Name", "Phone"], ["Bob again", "+15559870002"], ["Carol", "5559870003"]])
        self.assertEqual((wizard.imported_count, wizard.rejected_count), (1, 1))
        self.assertEqual(wizard.line_ids.error, "Already listed in campaign Spring")

    def test_a_file_without_phone_column_or_not_xlsx_is_refused(self):
        with self.assertRaisesRegex(UserError, "phone number column"):
            self.run_import([["Name", "City"], ["Bob", "Beijing"]])
        wizard = self.env["cc.campaign.import"].create(
            {"campaign_id": self.campaign.id, "file": base64.b64encode(b"name,phone\n")}
        )
        with self.assertRaisesRegex(UserError, "not an Excel"):
            wizard.action_import()

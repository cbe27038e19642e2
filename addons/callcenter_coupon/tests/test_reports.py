"""Managers' reports: issued / used / expired by period, program and agent; consumption; the Excel
workbook."""

import base64
import io

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CouponCase


@tagged("post_install", "-at_install")
class TestReports(CouponCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Card = cls.env["loyalty.card"]
        cls.cards = Card.with_user(cls.agent_user)._cc_issue_coupons(
            cls.program, cls.zhang, "投诉补偿", call=cls.call, count=3, channel="none"
        )
        cls.by_manager = Card.with_user(cls.manager_user)._cc_issue_coupons(
            cls.program, cls.wang, "VIP关怀", channel="none"
        )
        cls.cards[2].sudo().expiration_date = cls.today.replace(year=cls.today.year - 1)
        cls.order_used = (
            cls.env["sale.order"]
            .with_user(cls.seller)
            .create(
                {
                    "partner_id": cls.zhang.id,
                    "order_line": [(0, 0, {"product_id": cls.product.id, "product_uom_qty": 2})],
                }
            )
        )
        cls.order_used.cc_apply_coupon(cls.cards[0].code)
        cls.order_used.action_confirm()
        cls.env.flush_all()

    def test_coupon_analysis_counts_by_program_and_agent(self):
        Report = self.env["cc.coupon.report"].with_user(self.manager_user)
        rows = Report.search([("program_id", "=", self.program.id)])
        self.assertEqual(len(rows), 4)
        groups = Report._read_group(
            [("program_id", "=", self.program.id)],
            ["user_id"],
            [
                "issued_count:sum",
                "valid_count:sum",
                "used_count:sum",
                "expired_count:sum",
                "discount_amount:sum",
            ],
        )
        figures = {user: rest for user, *rest in groups}
        self.assertEqual(figures[self.agent_user], [3, 1, 1, 1, 50.0])
        self.assertEqual(figures[self.manager_user], [1, 1, 0, 0, 0.0])
        used = rows.filtered(lambda r: r.state == "used")
        self.assertEqual(
            (used.card_id, used.order_id, used.call_id), (self.cards[0], self.order_used, self.call)
        )
        self.assertTrue(used.used_date)
        # by period: the pivot's month grouping
        self.assertTrue(Report._read_group([], ["date:month"], ["issued_count:sum"]))

    def test_report_state_matches_the_coupons(self):
        rows = self.env["cc.coupon.report"].search([("card_id", "in", (self.cards | self.by_manager).ids)])
        for row in rows:
            self.assertEqual(row.state, row.card_id.cc_state, row.code)

    def test_consumption_records(self):
        usage = (
            self.env["cc.coupon.usage"]
            .with_user(self.manager_user)
            .search([("card_id", "in", self.cards.ids)])
        )
        self.assertEqual(len(usage), 1)
        self.assertEqual(
            (usage.order_id, usage.partner_id, usage.issued_by_id),
            (self.order_used, self.zhang, self.agent_user),
        )
        self.assertAlmostEqual(usage.amount, 50.0)
        self.assertAlmostEqual(usage.order_amount, 350.0)
        self.assertEqual(usage.salesperson_id, self.seller)

    def test_reports_are_for_managers(self):
        for model in ("cc.coupon.report", "cc.coupon.usage", "cc.coupon.export.wizard"):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.agent_user).search([])

    def test_views_open(self):
        for action in ("cc_coupon_report_action", "cc_coupon_usage_action"):
            act = self.env.ref(f"callcenter_coupon.{action}")
            views = (
                self.env[act.res_model]
                .with_user(self.manager_user)
                .get_views([(False, kind) for kind in ("list", "pivot", "graph", "search")])
            )
            self.assertEqual(set(views["views"]), {"list", "pivot", "graph", "search"})

    def test_excel_export(self):
        try:
            import openpyxl  # noqa: PLC0415
        except ImportError:
            self.skipTest("openpyxl is needed to read the workbook back")
        wizard = (
            self.env["cc.coupon.export.wizard"]
            .with_user(self.manager_user)
            .create({"date_from": self.days(-1), "date_to": self.today})
        )
        action = wizard.action_export()
        self.assertEqual(action["type"], "ir.actions.act_url")
        attachment_id = int(action["url"].split("/")[3].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        self.assertTrue(attachment.name.endswith(".xlsx"))
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(attachment.datas)))
        self.assertEqual(book.sheetnames, ["Summary", "Coupons", "Consumption"])
        for sheet in book.worksheets:
            self.assertEqual(sheet.freeze_panes, "A2", sheet.title)
            self.assertTrue(all(cell.font.bold for cell in sheet[1] if cell.value), sheet.title)
        summary = book["Summary"]
        header = [c.value for c in summary[1]]
        self.assertEqual(header[:6], ["Program", "Issued By", "Issued", "Available", "Used", "Expired"])
        rows = {(r[0], r[1]): r for r in summary.iter_rows(min_row=2, values_only=True)}
        agent_row = rows[("满200减50", self.agent_user.name)]
        self.assertEqual(agent_row[2:6], (3, 1, 1, 1))
        self.assertAlmostEqual(agent_row[7], 50.0)
        self.assertEqual(summary.cell(row=2, column=8).number_format, "#,##0.00")
        coupons = book["Coupons"]
        codes = {r[1] for r in coupons.iter_rows(min_row=2, values_only=True)}
        self.assertTrue(set((self.cards | self.by_manager).mapped("code")) <= codes)
        self.assertEqual(coupons.cell(row=2, column=1).number_format, "yyyy-mm-dd hh:mm")
        consumption = list(book["Consumption"].iter_rows(min_row=2, values_only=True))
        self.assertIn(self.order_used.name, [r[1] for r in consumption])

    def test_export_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        wizard = (
            self.env["cc.coupon.export.wizard"]
            .with_user(self.manager_user)
            .with_context(lang="zh_CN")
            .create({"date_from": self.days(-1), "date_to": self.today})
        )
        self.assertTrue(wizard._cc_workbook().startswith(b"PK"))

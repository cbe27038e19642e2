from odoo import Command
from odoo.tests import tagged

from .common import CallCenterCrmCase


@tagged("post_install", "-at_install")
class TestCallerLookup(CallCenterCrmCase):
    def assertFinds(self, raw, partner):
        self.assertEqual(self.Partner._cc_find_by_number(raw), partner.ids, f"{raw!r} finds {partner.name}")

    def test_every_carrier_format_of_a_mobile(self):
        for raw in ("13811138111", "+8613811138111", "8613811138111", "013811138111", "0086 138 1113 8111"):
            self.assertFinds(raw, self.zhang)

    def test_every_carrier_format_of_landlines_and_hotlines(self):
        for raw in ("02388886611", "023-88886611", "+862388886611", "862388886611"):
            self.assertFinds(raw, self.zhang)
        for raw in ("010-12345611", "01012345611", "+86 10 1234 5611"):
            self.assertFinds(raw, self.zhang)
        for raw in ("4008001211", "400-800-1211", "+864008001211"):
            self.assertFinds(raw, self.zhang)

    def test_line_of_another_customer_and_missing_numbers(self):
        for raw in ("13922239222", "+86 139 2223 9222"):
            self.assertFinds(raw, self.li)
        self.assertEqual(self.Partner._cc_find_by_number("13900000000"), [])
        self.assertEqual(self.Partner._cc_find_by_number("8001"), [], "an extension is no customer number")

    def test_find_by_e164_merges_phone_and_lines(self):
        found = self.Partner._cc_find_by_e164(["+8613811138111", "+862388886611", "+8613922239222", False])
        zhang, li = self.zhang.ids, self.li.ids
        self.assertEqual(found, {"+8613811138111": zhang, "+862388886611": zhang, "+8613922239222": li})

    def test_archived_customer_is_not_found(self):
        self.li.action_archive()
        self.assertEqual(self.Partner._cc_find_by_number("13922239222"), [])

    def test_e164_follows_partner_country(self):
        us = self.Partner.create(
            {
                "name": "Alice",
                "country_id": self.env.ref("base.us").id,
                "cc_phone_ids": [Command.create({"number": "(555) 123-0099"})],
            }
        )
        self.assertEqual(us.cc_phone_ids.number_e164, "+15551230099")
        self.assertEqual(self.Partner._cc_find_by_e164(["+15551230099"]), {"+15551230099": us.ids})

    def test_search_view_uses_same_normalisation(self):
        for raw in ("013811138111", "+86 23 8888 6611", "4008001211"):
            self.assertEqual(self.Partner.search([("cc_phone_search", "=", raw)]), self.zhang, raw)
        self.assertFalse(self.Partner.search([("cc_phone_search", "=", "hello")]))

    def test_region_in_user_language(self):
        lines = self.zhang.cc_phone_ids.sorted("id")
        self.assertEqual(lines.with_context(lang="en_US").mapped("region"), ["Chongqing", "Beijing", "China"])
        self.env["res.lang"]._activate_lang("zh_CN")
        self.assertEqual(lines.with_context(lang="zh_CN").mapped("region"), ["重庆市", "北京市", "中国"])

    def test_customer_code_and_call_button(self):
        self.assertTrue(self.zhang.cc_code)
        self.assertTrue(self.env.ref("base.partner_admin").cc_code, "partners older than the addon too")
        self.assertNotEqual(self.zhang.cc_code, self.li.cc_code)
        self.assertFalse(self.zhang.copy().cc_code == self.zhang.cc_code)
        self.assertEqual(self.zhang.cc_call_count, 0)
        self.env["cc.call"].create(
            [
                {"server_id": self.server.id, "linkedid": f"crm.{i}", "partner_id": self.zhang.id}
                for i in range(2)
            ]
        )
        self.zhang.invalidate_recordset(["cc_call_count"])
        self.assertEqual(self.zhang.cc_call_count, 2)
        action = self.zhang.action_cc_view_calls()
        self.assertEqual(action["domain"], [("partner_id", "=", self.zhang.id)])

    def test_customer_code_unique_per_company(self):
        from psycopg2 import IntegrityError  # noqa: PLC0415

        from odoo.tools import mute_logger  # noqa: PLC0415

        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.Partner.create({"name": "Copycat", "cc_code": self.zhang.cc_code})
        other = self.env["res.company"].create({"name": "Other Co"})
        twin = self.Partner.create({"name": "Twin", "cc_code": self.zhang.cc_code, "company_id": other.id})
        self.assertEqual(twin.cc_code, self.zhang.cc_code)

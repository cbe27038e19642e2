from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CallCenterCrmCase


@tagged("post_install", "-at_install")
class TestCustomerSecurity(CallCenterCrmCase):
    def test_agent_reads_customers_and_lines(self):
        li = self.li.with_user(self.agent_user)
        self.assertEqual(li.cc_phone_ids.number_e164, "+8613922239222")
        self.assertEqual(li.cc_vip_level, "gold")
        self.assertFalse(li.cc_can_manage)
        self.assertEqual(self.Partner.with_user(self.agent_user)._cc_find_by_number("13922239222"), li.ids)

    def test_agent_edits_numbers_not_vip_nor_owner(self):
        li = self.li.with_user(self.agent_user)
        new_line = {"kind": "home", "number": "02388880001"}
        li.write({"cc_phone_ids": [Command.create(new_line)], "cc_vip_level": "gold"})
        self.assertEqual(len(li.cc_phone_ids), 2)
        for vals in ({"cc_vip_level": "platinum"}, {"cc_vip_level": False}, {"cc_owner_agent_id": False}):
            with self.assertRaises(AccessError):
                li.write(vals)
        with self.assertRaises(AccessError):
            self.Partner.with_user(self.supervisor_user).create({"name": "X", "cc_vip_level": "silver"})
        self.Partner.with_user(self.agent_user).create({"name": "Plain", "cc_vip_level": False})

    def test_manager_sets_vip_and_owner(self):
        li = self.li.with_user(self.manager_user)
        self.assertTrue(li.cc_can_manage)
        li.write({"cc_vip_level": "silver", "cc_owner_agent_id": False})
        self.assertEqual(self.li.cc_vip_level, "silver")

    def test_internal_user_reads_lines_only(self):
        user = self.env["res.users"].create(
            {
                "name": "Plain user",
                "login": "crm_plain",
                "group_ids": [Command.set(self.env.ref("base.group_user").ids)],
            }
        )
        self.assertEqual(self.zhang.with_user(user).cc_phone_ids.mapped("kind"), ["home", "work", "other"])
        with self.assertRaises(AccessError):
            self.zhang.cc_phone_ids[0].with_user(user).number = "13700000000"

    def test_multi_company_rule(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        foreign = self.Partner.create(
            {
                "name": "Foreign",
                "company_id": other.id,
                "cc_phone_ids": [Command.create({"number": "13700137777"})],
            }
        )
        Line = self.env["cc.partner.phone"].with_user(self.agent_user)
        lines = Line.search([("partner_id", "=", foreign.id)])
        self.assertFalse(lines)

    def test_views_load_for_each_group(self):
        for user in (self.agent_user, self.supervisor_user, self.manager_user):
            views = self.Partner.with_user(user).get_views(
                [(False, "form"), (False, "list"), (False, "search")]
            )
            self.assertIn("cc_phone_ids", views["views"]["form"]["arch"])
            self.assertIn("cc_phone_search", views["views"]["search"]["arch"])

"""The customer's coupons on the screen-pop and the customer form: counts, available, used, expired,
history."""

from odoo.tests import tagged

from .common import CouponCase


@tagged("post_install", "-at_install")
class TestDeskCoupons(CouponCase):
    def _coupons_section(self, user=None):
        details = self.call.with_user(user or self.agent_user).cc_desk_details()
        sections = [s for s in details["sections"] if s["key"] == "coupons"]
        return sections[0] if sections else None

    def test_screen_pop_lists_the_callers_coupons_available_first(self):
        self.assertIsNone(self._coupons_section())  # no coupon: no section
        valid, used, expired = self.issue(count=3)
        used.sudo().points = 0
        expired.sudo().expiration_date = self.days(-1)
        newer = self.issue()
        section = self._coupons_section()
        self.assertIn("2", section["title"])
        self.assertEqual([r["id"] for r in section["records"]], [newer.id, valid.id, used.id, expired.id])
        first = section["records"][0]
        self.assertEqual(
            (first["model"], first["name"], first["state"]), ("loyalty.card", newer.code, "Valid")
        )
        self.assertIn("满200减50", first["subtitle"])
        self.assertEqual([r["state"] for r in section["records"][2:]], ["Used", "Expired"])
        # the other addons' sections are kept (the CRM's orders for a seller)
        self.agent.user_id = self.seller
        self.order().action_confirm()
        keys = [s["key"] for s in self.call.with_user(self.seller).cc_desk_details()["sections"]]
        self.assertIn("sale_orders", keys)
        self.assertIn("coupons", keys)

    def test_customer_form_counts_and_history(self):
        cards = self.issue(count=3)
        cards[1].sudo().points = 0
        cards[2].sudo().expiration_date = self.days(-3)
        self.issue(self.li)
        zhang = self.zhang.with_user(self.agent_user)
        self.assertEqual(
            (zhang.cc_coupon_count, zhang.cc_coupon_valid_count, zhang.cc_coupon_used_count,
             zhang.cc_coupon_expired_count),
            (3, 1, 1, 1),
        )  # fmt: skip
        self.assertEqual(zhang.cc_coupon_card_ids, cards)
        action = zhang.action_cc_view_coupons()
        self.assertEqual(
            self.env["loyalty.card"].with_context(active_test=False).search(action["domain"]), cards
        )
        # a contact's coupons count for its company
        company = self.env["res.partner"].create({"name": "某公司", "is_company": True})
        self.zhang.parent_id = company
        self.assertEqual(company.with_user(self.agent_user).cc_coupon_count, 3)

    def test_desk_page_shows_the_callers_coupons(self):
        cards = self.issue(count=2)
        self.assertEqual(self.call.with_user(self.agent_user).cc_partner_coupon_ids, cards)
        action = self.zhang.with_user(self.agent_user).action_cc_issue_coupon()
        self.assertEqual(action["context"]["default_partner_ids"], self.zhang.ids)

    def test_views_render_for_an_agent(self):
        for model, view, kind in (
            ("cc.call", "callcenter_cti.cc_call_view_form_desk", "form"),
            ("res.partner", "base.view_partner_form", "form"),
            ("loyalty.card", "callcenter_coupon.cc_coupon_view_list", "list"),
            ("loyalty.card", "callcenter_coupon.cc_coupon_view_form", "form"),
            ("cc.coupon.issue.wizard", "callcenter_coupon.cc_coupon_issue_wizard_view_form", "form"),
        ):
            views = self.env[model].with_user(self.agent_user).get_views([(self.env.ref(view).id, kind)])
            self.assertIn(kind, views["views"], model)
        arch = (
            self.env["res.partner"]
            .with_user(self.agent_user)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn("cc_coupon_card_ids", arch)

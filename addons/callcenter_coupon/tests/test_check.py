"""Checking a code on the call desk: valid / used / expired / unknown, with the program and the value."""

from odoo.tests import Form, tagged

from .common import CouponCase


@tagged("post_install", "-at_install")
class TestCheck(CouponCase):
    def check(self, code):
        return self.env["loyalty.card"].with_user(self.agent_user)._cc_check_code(code)

    def test_valid_code_shows_program_and_value(self):
        card = self.issue()
        result = self.check(f"  {card.code} ")
        self.assertEqual(result["state"], "valid")
        self.assertEqual(result["program"], "满200减50")
        self.assertEqual(result["card_id"], card.id)
        self.assertTrue(result["value"])
        self.assertIn(result["value"], result["message"])
        self.assertIn("张伟", result["message"])
        # codes read out in capitals are found too
        self.assertEqual(self.check(card.code.upper())["card_id"], card.id)

    def test_used_code(self):
        card = self.issue()
        card.sudo().points = 0
        self.assertEqual(self.check(card.code)["state"], "used")

    def test_expired_code_by_date_by_program_end_or_archived(self):
        card = self.issue()
        card.sudo().expiration_date = self.days(-1)
        self.assertEqual(self.check(card.code)["state"], "expired")
        card.sudo().expiration_date = self.days(5)
        self.assertEqual(self.check(card.code)["state"], "valid")
        self.program.date_to = self.days(-1)
        self.assertEqual(self.check(card.code)["state"], "expired")
        self.program.date_to = False
        card.sudo().active = False
        self.assertEqual(self.check(card.code)["state"], "expired")

    def test_unknown_codes(self):
        for code in ("", "   ", "nope-123", "044' OR 1=1 --"):
            result = self.check(code)
            self.assertEqual(result["state"], "unknown", code)
            self.assertFalse(result["card_id"])
        # a gift card or any other program's code is no coupon
        gift_program = self.env["loyalty.program"].search([("program_type", "=", "gift_card")], limit=1)
        if gift_program:
            gift = self.env["loyalty.card"].create({"program_id": gift_program.id, "points": 50})
            self.assertEqual(self.check(gift.code)["state"], "unknown")

    def test_state_search_agrees_with_compute(self):
        valid, used, expired = self.issue(count=3)
        used.sudo().points = 0
        expired.sudo().expiration_date = self.days(-2)
        Card = self.env["loyalty.card"].with_context(active_test=False)
        for state, card in (("valid", valid), ("used", used), ("expired", expired)):
            self.assertEqual(card.cc_state, state)
            found = Card.search([("cc_state", "in", [state]), ("partner_id", "=", self.zhang.id)])
            self.assertEqual(found, card, state)
        found = Card.search([("cc_state", "not in", ["valid"]), ("partner_id", "=", self.zhang.id)])
        self.assertEqual(found, used | expired)

    def test_the_desk_field_answers_as_the_agent_types(self):
        card = self.issue()
        desk = Form(self.call.with_user(self.agent_user), view="callcenter_cti.cc_call_view_form_desk")
        desk.cc_coupon_code = card.code
        self.assertEqual(desk.cc_coupon_check_state, "valid")
        self.assertIn("满200减50", desk.cc_coupon_check_info)
        desk.cc_coupon_code = "no-such-code"
        self.assertEqual(desk.cc_coupon_check_state, "unknown")
        desk.cc_coupon_code = ""
        self.assertFalse(desk.cc_coupon_check_state)
        # the look-up is never stored: saving the desk keeps working
        desk.cc_coupon_code = card.code
        desk.save()
        self.assertFalse(self.call.cc_coupon_code)

    def test_answers_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["callcenter_coupon"], ["zh_CN"], overwrite=True)
        card = self.issue()
        Card = self.env["loyalty.card"].with_user(self.agent_user).with_context(lang="zh_CN")
        self.assertEqual(Card._cc_check_code(card.code)["state_label"], "有效")
        self.assertEqual(Card._cc_check_code("nope")["message"], "未知券码：没有此券码的优惠券。")
        section = self.call.with_user(self.agent_user).with_context(lang="zh_CN")._cc_coupons_section()
        self.assertEqual(section["title"], "电子券：1 张可用 · 0 张已用 · 0 张已过期")
        self.assertEqual(section["records"][0]["state"], "有效")
        labels = dict(Card._fields["cc_state"]._description_selection(Card.env))
        self.assertEqual(labels["expired"], "已过期")

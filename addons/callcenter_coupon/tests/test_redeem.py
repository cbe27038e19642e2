"""Redeeming on a phone order through sale_loyalty: the deduction (抵扣), the coupon used, double
redemption."""

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import CouponCase


@tagged("post_install", "-at_install")
class TestRedeem(CouponCase):
    def test_redeem_deducts_and_uses_the_coupon(self):
        card = self.issue()
        order = self.order()
        self.assertTrue(order.cc_apply_coupon(card.code))
        reward_line = order.order_line.filtered("reward_id")
        self.assertEqual(reward_line.coupon_id, card)
        self.assertAlmostEqual(reward_line.price_total, -50.0)
        self.assertAlmostEqual(order.amount_total, 150.0)
        self.assertEqual(card.cc_state, "valid")  # taken only when the order is confirmed
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(card.points, 0)
        self.assertEqual(card.cc_state, "used")
        self.assertEqual(card.cc_used_order_id, order)
        self.assertEqual(card.cc_used_order_ref, order.name)
        self.assertTrue(card.cc_used_date)
        check = self.env["loyalty.card"].with_user(self.agent_user)._cc_check_code(card.code)
        self.assertEqual(check["state"], "used")
        self.assertIn(order.name, check["message"])
        # visible on the customer, for an agent without sales rights too
        zhang = self.zhang.with_user(self.agent_user)
        self.assertEqual(
            (zhang.cc_coupon_count, zhang.cc_coupon_used_count, zhang.cc_coupon_valid_count), (1, 1, 0)
        )
        self.assertEqual(zhang.cc_coupon_card_ids.cc_used_order_ref, order.name)

    def test_a_used_code_cannot_be_redeemed_again(self):
        card = self.issue()
        first = self.order()
        first.cc_apply_coupon(card.code)
        first.action_confirm()
        second = self.order()
        with self.assertRaisesRegex(UserError, "Used"):
            second.cc_apply_coupon(card.code)
        self.assertFalse(second.order_line.filtered("reward_id"))
        # straight through sale_loyalty too
        self.assertIn("error", second._try_apply_code(card.code))

    def test_double_redemption_on_two_open_orders_only_one_confirms(self):
        card = self.issue()
        first, second = self.order(), self.order()
        first.cc_apply_coupon(card.code)
        second.cc_apply_coupon(card.code)
        first.action_confirm()
        with self.assertRaisesRegex(ValidationError, "already been used"):
            second.action_confirm()
        self.assertEqual(second.state, "draft")
        self.assertEqual(card.points, 0)

    def test_same_code_twice_on_one_order(self):
        card = self.issue()
        order = self.order()
        order.cc_apply_coupon(card.code)
        with self.assertRaises(UserError):
            order.cc_apply_coupon(card.code)
        self.assertEqual(len(order.order_line.filtered("reward_id")), 1)

    def test_refusals(self):
        card = self.issue()
        with self.assertRaisesRegex(UserError, "belongs to"):
            self.order(partner=self.li).cc_apply_coupon(card.code)
        with self.assertRaisesRegex(UserError, "Unknown"):
            self.order().cc_apply_coupon("no-such-code")
        card.sudo().expiration_date = self.days(-1)
        with self.assertRaisesRegex(UserError, "Expired"):
            self.order().cc_apply_coupon(card.code)
        card.sudo().expiration_date = self.days(1)
        confirmed = self.order()
        confirmed.action_confirm()
        with self.assertRaises(UserError):
            confirmed.cc_apply_coupon(card.code)

    def test_cancelling_the_order_gives_the_coupon_back(self):
        card = self.issue()
        order = self.order()
        order.cc_apply_coupon(card.code)
        order.action_confirm()
        self.assertEqual(card.cc_state, "used")
        order._action_cancel()
        self.assertEqual(card.points, 1)
        self.assertEqual(card.cc_state, "valid")
        self.assertFalse(card.cc_used_order_id)

    def test_sale_loyalty_coupon_button_answers_like_the_desk(self):
        card = self.issue()
        Wizard = self.env["sale.loyalty.coupon.wizard"].with_user(self.seller)
        other = self.order(partner=self.li)
        with self.assertRaisesRegex(UserError, "belongs to"):
            Wizard.create({"order_id": other.id, "coupon_code": card.code}).action_apply()
        order = self.order()
        action = Wizard.create({"order_id": order.id, "coupon_code": card.code}).action_apply()
        self.assertEqual(action["res_model"], "sale.loyalty.reward.wizard")
        card.sudo().expiration_date = self.days(-1)
        with self.assertRaisesRegex(UserError, "Expired"):
            Wizard.create({"order_id": self.order().id, "coupon_code": card.code}).action_apply()
        # promotion codes are sale_loyalty's business
        self.env["loyalty.program"].create(
            {
                "name": "Promo",
                "program_type": "promo_code",
                "rule_ids": [(0, 0, {"mode": "with_code", "code": "PROMO-CC-1"})],
                "reward_ids": [
                    (0, 0, {"reward_type": "discount", "discount": 5, "discount_mode": "percent"})
                ],
            }
        )
        action = Wizard.create({"order_id": self.order().id, "coupon_code": "PROMO-CC-1"}).action_apply()
        self.assertEqual(action["res_model"], "sale.loyalty.reward.wizard")

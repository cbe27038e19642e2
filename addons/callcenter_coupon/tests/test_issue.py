"""Issuing coupons during a call: the card, its link to the call, the code sent by SMS or e-mail, the
approval."""

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import CouponCase


@tagged("post_install", "-at_install")
class TestIssue(CouponCase):
    def test_agent_issues_from_the_call_desk_and_the_code_goes_by_sms(self):
        action = self.call.with_user(self.agent_user).action_cc_issue_coupon()
        self.assertEqual(action["res_model"], "cc.coupon.issue.wizard")
        wizard_form = Form(
            self.env["cc.coupon.issue.wizard"].with_user(self.agent_user).with_context(**action["context"])
        )
        wizard_form.program_id = self.program
        wizard_form.reason = "配送延误补偿"
        self.assertEqual(wizard_form.expiration_date, self.days(30))
        self.assertFalse(wizard_form.needs_manager)
        wizard = wizard_form.save()
        result = wizard.action_issue()
        self.assertEqual(result["tag"], "display_notification")

        card = self.call.cc_coupon_ids
        self.assertEqual(len(card), 1)
        self.assertEqual(card.partner_id, self.zhang)
        self.assertEqual(card.cc_issued_by_id, self.agent_user)
        self.assertEqual(card.cc_reason, "配送延误补偿")
        self.assertEqual((card.points, card.expiration_date, card.cc_channel), (1.0, self.days(30), "sms"))
        self.assertEqual(card.cc_state, "valid")
        self.assertEqual(card.history_ids.mapped("issued"), [1.0])
        sms = self.env["sms.sms"].search([("partner_id", "=", self.zhang.id)])
        self.assertEqual(len(sms), 1)
        self.assertIn(card.code, sms.body)
        self.assertEqual(sms.number, "+8613811138111")
        self.assertIn(card.code, self.call.message_ids[0].body)

    def test_code_by_email_and_not_by_loyalty_mail(self):
        mails_before = self.env["mail.mail"].search_count([])
        card = self.issue(self.li)
        self.assertEqual(card.cc_channel, "email")
        message = card.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(message), 1)
        self.assertIn(card.code, message.body)
        self.assertEqual(message.partner_ids, self.li)
        mails = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
        self.assertEqual(mails.recipient_ids, self.li)
        # loyalty's own "at creation" mail is not sent on top
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before + len(mails))

    def test_explicit_channel_without_the_address_is_refused(self):
        with self.assertRaises(UserError):
            self.issue(self.li, channel="sms")
        with self.assertRaises(UserError):
            self.issue(self.zhang, channel="email")
        card = self.issue(self.zhang, channel="none")
        self.assertEqual(card.cc_channel, "none")
        self.assertFalse(self.env["sms.sms"].search([("partner_id", "=", self.zhang.id)]))

    def test_several_coupons_at_once(self):
        cards = self.issue(self.wang, count=3)
        self.assertEqual(len(cards), 3)
        self.assertEqual(len(set(cards.mapped("code"))), 3)
        self.assertEqual(set(cards.mapped("partner_id")), {self.wang})

    def test_bad_input_is_refused_clearly(self):
        with self.assertRaisesRegex(UserError, "reason"):
            self.issue(reason="  ")
        with self.assertRaises(UserError):
            self.issue(count=0)
        with self.assertRaises(UserError):
            self.issue(count=21)
        with self.assertRaises(UserError):
            self.env["loyalty.card"].with_user(self.agent_user)._cc_issue_coupons(
                self.program, self.env["res.partner"], "x"
            )
        gift = self.env["loyalty.program"].search([("program_type", "=", "gift_card")], limit=1)
        if gift:
            with self.assertRaises(UserError):
                self.issue(program=gift)
        with self.assertRaisesRegex(UserError, "later date"):
            self.issue(expiration_date=self.days(-1))
        self.program.date_to = self.days(-1)
        with self.assertRaises(UserError):
            self.issue()
        with self.assertRaises(ValidationError):
            self.env["cc.coupon.issue.wizard"].create(
                {
                    "partner_ids": self.zhang.ids,
                    "program_id": self.percent_program.id,
                    "reason": "x",
                    "count": 0,
                }
            )

    def test_only_call_center_users_issue(self):
        outsider = new_test_user(self.env, "coupon_outsider", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.issue(user=outsider)

    def test_issue_above_the_approval_amount_needs_a_manager(self):
        # 4 × ¥50 = ¥200: at the limit, an agent may
        self.assertEqual(len(self.issue(count=4)), 4)
        # 5 × ¥50 = ¥250 > ¥200
        with self.assertRaisesRegex(AccessError, "Manager"):
            self.issue(count=5)
        self.assertEqual(len(self.issue(count=5, user=self.manager_user)), 5)
        # a percentage without a cap has no bound: always a manager's
        with self.assertRaises(AccessError):
            self.issue(program=self.percent_program)
        self.assertTrue(self.issue(program=self.percent_program, user=self.manager_user))
        wizard = (
            self.env["cc.coupon.issue.wizard"]
            .with_user(self.agent_user)
            .create({"partner_ids": self.zhang.ids, "program_id": self.percent_program.id, "reason": "x"})
        )
        self.assertTrue(wizard.needs_manager)
        self.assertFalse(wizard.with_user(self.manager_user).needs_manager)
        # 0: no approval
        self.env.company.cc_coupon_approval_amount = 0
        self.assertTrue(self.issue(program=self.percent_program))

    def test_bulk_wizard_issues_one_coupon_per_selected_customer(self):
        customers = self.zhang | self.li | self.wang
        action = self.env.ref("callcenter_coupon.cc_coupon_bulk_issue_action")
        self.assertEqual(action.binding_model_id.model, "res.partner")
        supervisor = new_test_user(self.env, "coupon_sup", groups="callcenter_cti.group_cc_supervisor")
        wizard = (
            self.env["cc.coupon.issue.wizard"]
            .with_user(supervisor)
            .with_context(default_partner_ids=customers.ids)
            .create({"program_id": self.program.id, "reason": "双十一活动"})
        )
        self.assertEqual(wizard.partner_count, 3)
        wizard.action_issue()
        cards = self.env["loyalty.card"].search([("cc_reason", "=", "双十一活动")])
        self.assertEqual(cards.partner_id, customers)
        self.assertEqual(len(cards), 3)
        self.assertFalse(cards.cc_call_id)
        self.assertEqual(set(cards.mapped("cc_channel")), {"sms", "email"})

    def test_campaign_entry_point(self):
        """What callcenter_campaign calls: _cc_issue_coupons(program, partners, reason, call=None)."""
        cards = (
            self.env["loyalty.card"]
            .with_user(self.agent_user)
            ._cc_issue_coupons(self.program, self.zhang | self.wang, "回访活动", call=self.call)
        )
        self.assertEqual(len(cards), 2)
        self.assertEqual(cards.cc_call_id, self.call)
        self.assertEqual(self.call.cc_coupon_ids, cards)

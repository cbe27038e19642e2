from odoo import models
from odoo.exceptions import UserError, ValidationError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def cc_apply_coupon(self, code):
        """Redeem a coupon code on this (phone) order through sale_loyalty: the code is checked, its program
        applied and, when it has one reward, the reward line added (the deduction, 抵扣). The coupon's points
        are taken when the order is confirmed. Returns the reward wizard's action when there is a choice."""
        self.ensure_one()
        if self.state not in ("draft", "sent"):
            raise UserError(self.env._("Coupons are redeemed on quotations, before confirming the order."))
        card = self._cc_check_coupon_code(code, strict=True)
        if card in self.order_line.coupon_id:
            raise UserError(self.env._("This coupon is already applied to this order."))
        status = self._try_apply_code(card.code)
        if "error" in status:
            raise UserError(status["error"])
        rewards = self.env["loyalty.reward"].union(*status.values()) if status else self.env["loyalty.reward"]
        if len(rewards) > 1:
            action = self.env["ir.actions.actions"]._for_xml_id(
                "sale_loyalty.sale_loyalty_reward_wizard_action"
            )
            action["context"] = {"active_id": self.id, "default_reward_ids": rewards.ids}
            return action
        if not rewards:
            raise UserError(self.env._("This coupon gives no reward on this order."))
        result = self._apply_program_reward(rewards, card)
        if "error" in result:
            raise UserError(result["error"])
        self._update_programs_and_rewards()
        return True

    def _cc_check_coupon_code(self, code, strict=False):
        """The coupon of ``code`` if this order's customer may redeem it now, else a clear error: used,
        expired, someone else's. Codes of no coupon raise only when ``strict`` (else they may be promotion
        codes, left to sale_loyalty). Returns the loyalty.card (empty for such codes)."""
        self.ensure_one()
        check = self.env["loyalty.card"]._cc_check_code(code)
        if check["state"] == "unknown" and not strict:
            return self.env["loyalty.card"]
        if check["state"] != "valid":
            raise UserError(check["message"])
        card = self.env["loyalty.card"].browse(check["card_id"])
        if card.partner_id and card.partner_id.commercial_partner_id != self.partner_id.commercial_partner_id:
            raise UserError(
                self.env._(
                    "This coupon belongs to %s, not to this order's customer.", card.partner_id.display_name
                )
            )
        return card

    def action_confirm(self):
        self._cc_lock_coupons()
        return super().action_confirm()

    def _cc_lock_coupons(self):
        """Take the row lock of every coupon these orders spend, without waiting: of two orders redeeming
        one code at the same time, one confirms and the other fails at once (LockNotAvailable, or a
        serialization failure if the winner committed meanwhile; Odoo retries the request, which then sees
        the coupon used)."""
        lines = self.order_line.filtered(lambda line: line.coupon_id and line.reward_id)
        cards = lines.coupon_id
        if not cards:
            return
        self.env.cr.execute(
            "SELECT id FROM loyalty_card WHERE id = ANY(%s) ORDER BY id FOR UPDATE NOWAIT", [cards.ids]
        )
        cards.invalidate_recordset(["points"])
        for order in self:
            for card in order.order_line.filtered(lambda line: line.reward_id).coupon_id:
                if order._get_real_points_for_coupon(card) < 0:
                    raise ValidationError(
                        self.env._(
                            "Coupon %(code)s has already been used: it cannot be redeemed on %(order)s.",
                            code=card.code,
                            order=order.name,
                        )
                    )

import datetime

from odoo import fields, models


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    cc_validity_days = fields.Integer(
        string="Coupon Validity (days)",
        default=30,
        help="Coupons issued by the call center expire this many days after issue (0: no expiry). Never "
        "later than the program's end date.",
    )

    def _cc_coupon_points(self):
        """Points one coupon carries: enough for the program's dearest reward, once."""
        self.ensure_one()
        return max(self.reward_ids.mapped("required_points") or [1.0])

    def _cc_coupon_value(self):
        """Face value of one coupon in the program's currency, the amount it can take off an order at most;
        None when it has no bound (a percentage without a cap)."""
        self.ensure_one()
        values = []
        for reward in self.reward_ids:
            if reward.reward_type == "discount":
                if reward.discount_mode == "per_order":
                    values.append(reward.discount)
                elif reward.discount_mode == "per_point":
                    values.append(reward.discount * reward.required_points)
                elif reward.discount_max_amount:
                    values.append(reward.discount_max_amount)
                else:
                    return None
            elif reward.reward_type == "product":
                product = reward.reward_product_id or reward.reward_product_ids[:1]
                values.append(product.lst_price * reward.reward_product_qty)
        return max(values or [0.0])

    def _cc_value_label(self):
        """What one coupon is worth, in words (its rewards' descriptions)."""
        self.ensure_one()
        return " / ".join(self.reward_ids.mapped("description"))

    def _cc_expiration_date(self, today=None):
        """The expiry of a coupon issued today: validity days, capped by the program's end."""
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        dates = [self.date_to] if self.date_to else []
        if self.cc_validity_days > 0:
            dates.append(today + datetime.timedelta(days=self.cc_validity_days))
        return min(dates) if dates else False

    def _cc_issuable_domain(self):
        today = fields.Date.context_today(self)
        return [
            ("program_type", "=", "coupons"),
            ("active", "=", True),
            "|",
            ("date_to", "=", False),
            ("date_to", ">=", today),
        ]

from odoo import models


class SaleLoyaltyCouponWizard(models.TransientModel):
    _inherit = "sale.loyalty.coupon.wizard"

    def action_apply(self):
        """sale_loyalty's own "Coupon Code" button answers like the call desk for coupons: used, expired, or
        someone else's (promotion codes go on to sale_loyalty unchanged)."""
        self.ensure_one()
        if self.order_id:
            self.order_id._cc_check_coupon_code(self.coupon_code)
        return super().action_apply()

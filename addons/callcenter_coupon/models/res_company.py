from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    cc_coupon_approval_amount = fields.Monetary(
        string="Coupon Approval Amount",
        currency_field="currency_id",
        default=200.0,
        help="Issuing coupons worth more than this to one customer at once (count × face value) needs a Call "
        "Center Manager; percentages without a cap always do. 0: no approval.",
    )

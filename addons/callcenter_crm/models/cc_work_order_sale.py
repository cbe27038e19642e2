from odoo import fields, models


class CcWorkOrder(models.Model):
    _inherit = "cc.work.order"

    sale_order_id = fields.Many2one(
        "sale.order",
        string="Phone Order",
        index="btree_not_null",
        tracking=True,
        help="The order this fulfils.",
    )

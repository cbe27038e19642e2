from odoo import api, fields, models


class SaleOrder(models.Model):
    """Phone orders: taken from the call desk, linked to the call and its customer; their fulfilment can run
    as a work order (flows, SLAs, dispatch)."""

    _inherit = "sale.order"

    cc_call_id = fields.Many2one("cc.call", string="Call", index="btree_not_null", copy=False, readonly=True)
    cc_work_order_ids = fields.One2many("cc.work.order", "sale_order_id", string="Work Orders", readonly=True)
    cc_work_order_count = fields.Integer(string="Work Order Count", compute="_compute_cc_work_order_count")

    @api.depends("cc_work_order_ids")
    def _compute_cc_work_order_count(self):
        for order in self:
            order.cc_work_order_count = len(order.cc_work_order_ids)

    @api.model_create_multi
    def create(self, vals_list):
        call_id = self.env.context.get("cc_call_id")
        for vals in vals_list:
            if call_id and not vals.get("cc_call_id"):
                vals["cc_call_id"] = call_id  # taken during this call (the desk's New Order)
        return super().create(vals_list)

    def action_cc_fulfil_as_work_order(self):
        """A new work order for the order's fulfilment, prefilled; the flow is chosen on it."""
        self.ensure_one()
        lines = "\n".join(f"{line.product_uom_qty:g} × {line.name}" for line in self.order_line)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Fulfilment of %s", self.name),
            "res_model": "cc.work.order",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_partner_id": self.partner_id.id,
                "default_sale_order_id": self.id,
                "default_description": f"{self.name}\n{lines}",
            },
        }

    def action_cc_view_work_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("callcenter_crm.cc_work_order_action")
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {"default_sale_order_id": self.id, "default_partner_id": self.partner_id.id}
        return action

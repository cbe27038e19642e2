from odoo import api, fields, models


class CcCall(models.Model):
    """Phone orders taken during the call."""

    _inherit = "cc.call"

    cc_sale_order_ids = fields.One2many("sale.order", "cc_call_id", string="Phone Orders")
    cc_sale_order_count = fields.Integer(string="Phone Order Count", compute="_compute_cc_sale_order_count")

    @api.depends("cc_sale_order_ids")
    def _compute_cc_sale_order_count(self):
        for call in self:
            call.cc_sale_order_count = len(call.cc_sale_order_ids)

    def action_cc_new_order(self):
        """A quotation for the caller, linked to this call (saving it links the call)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Phone Order"),
            "res_model": "sale.order",
            "views": [(False, "form")],
            "target": "current",
            "context": {"default_partner_id": self.partner_id.id, "cc_call_id": self.id},
        }

    def action_cc_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [("cc_call_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.partner_id.id, "cc_call_id": self.id}
        return action

from odoo import models


class CcCall(models.Model):
    _inherit = "cc.call"

    def cc_desk_details(self):
        """Adds the customer fields the company chose for the screen-pop."""
        details = super().cc_desk_details()
        partner = self.partner_id
        details["fields"] = self.env.company._cc_popup_values(partner) if partner else []
        return details

    def _cc_desk_sections(self):
        return super()._cc_desk_sections() + [self._cc_recent_orders_section()]

    def _cc_recent_orders_section(self, limit=5):
        """The customer's latest sales orders (phone orders included), for agents allowed to read them."""
        orders = self.env["sale.order"]
        if self.partner_id and orders.has_access("read"):
            commercial = self.partner_id.commercial_partner_id
            orders = orders.search([("partner_id", "child_of", commercial.id)], limit=limit)
        states = dict(orders._fields["state"]._description_selection(self.env))
        return {
            "key": "sale_orders",
            "title": self.env._("Recent orders"),
            "records": [
                {
                    "id": order.id,
                    "model": "sale.order",
                    "name": order.name,
                    "subtitle": f"{order.date_order:%Y-%m-%d} · {order.amount_total:.2f} "
                    f"{order.currency_id.name}",
                    "state": states.get(order.state, ""),
                }
                for order in orders
            ],
        }

from odoo import models


class SaleOrder(models.Model):
    """Phone orders in the public lookup."""

    _name = "sale.order"
    _inherit = ["sale.order", "cc.lookup.mixin"]

    cc_lookup_template_xmlid = "callcenter_crm.sale_order_mail_template_lookup"

    def _cc_lookup_status(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _cc_lookup_history(self):
        """The order's creation, then each tracked change of its status."""
        self.ensure_one()
        history = [{"date": self.create_date, "title": self.env._("Order placed"), "note": ""}]
        # sudo: the tracking of the order's own status, shown to whoever proved to be its customer
        tracking = self.sudo().message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "state")
        for value in tracking.sorted(lambda t: (t.create_date, t.id)):
            history.append(
                {
                    "date": value.create_date,
                    "title": value.new_value_char,
                    "note": value.old_value_char and f"{value.old_value_char} → {value.new_value_char}",
                }
            )
        return history

from odoo import models


class CcWorkOrder(models.Model):
    """Work orders on the customer portal and in the public lookup."""

    _name = "cc.work.order"
    _inherit = ["cc.work.order", "portal.mixin", "cc.lookup.mixin"]

    cc_lookup_template_xmlid = "callcenter_crm.cc_work_order_mail_template_lookup"

    def _compute_access_url(self):
        for order in self:
            order.access_url = f"/my/work_orders/{order.id}"

    def _cc_lookup_status(self):
        self.ensure_one()
        return " · ".join(filter(None, [self._cc_state_label(self.state), self.stage_id.name]))

    def _cc_lookup_history(self):
        """The stays in each stage, oldest first, with how each ended."""
        self.ensure_one()
        outcomes = dict(self.history_ids._fields["outcome"]._description_selection(self.env))
        return [
            {
                "date": line.date_in,
                "title": line.stage_id.name,
                "note": " · ".join(filter(None, [outcomes.get(line.outcome), line.note])),
            }
            for line in self.history_ids.sorted(lambda h: (h.date_in, h.id))
        ]

from odoo import fields, models


class ResPartner(models.Model):
    """The customer's service records and work orders (smart buttons)."""

    _inherit = "res.partner"

    cc_service_record_ids = fields.One2many("cc.service.record", "partner_id", string="Service Records")
    cc_service_record_count = fields.Integer(string="# Service Records", compute="_compute_cc_service_counts")
    cc_work_order_count = fields.Integer(string="# Work Orders", compute="_compute_cc_service_counts")

    def _compute_cc_service_counts(self):
        records, orders = self.env["cc.service.record"], self.env["cc.work.order"]
        for partner in self:
            customers = [("partner_id", "child_of", partner.commercial_partner_id.id)]
            known = bool(partner.id)
            partner.cc_service_record_count = (
                known and records.has_access("read") and records.search_count(customers)
            )
            partner.cc_work_order_count = (
                known and orders.has_access("read") and orders.search_count(customers)
            )

    def action_cc_view_service_records(self):
        return self._cc_service_action("callcenter_crm.cc_service_record_action")

    def action_cc_view_work_orders(self):
        return self._cc_service_action("callcenter_crm.cc_work_order_action")

    def _cc_service_action(self, xml_id):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xml_id)
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

from odoo import api, fields, models


class CcCall(models.Model):
    _inherit = "cc.call"

    cc_service_record_ids = fields.One2many("cc.service.record", "call_id", string="Service Records")
    cc_open_service_record_count = fields.Integer(
        string="Open Service Records", compute="_compute_cc_open_service_record_count"
    )

    cc_sale_order_ids = fields.One2many("sale.order", "cc_call_id", string="Phone Orders")
    cc_sale_order_count = fields.Integer(string="Phone Order Count", compute="_compute_cc_sale_order_count")

    def _compute_cc_open_service_record_count(self):
        for call in self:
            call.cc_open_service_record_count = len(call._cc_open_service_records()) if call.partner_id else 0

    def cc_desk_details(self):
        """Adds the customer fields the company chose for the screen-pop."""
        details = super().cc_desk_details()
        partner = self.partner_id
        details["fields"] = self.env.company._cc_popup_values(partner) if partner else []
        return details

    def _cc_desk_sections(self):
        return super()._cc_desk_sections() + [
            self._cc_recent_orders_section(),
            self._cc_open_service_records_section(),
            self._cc_open_work_orders_section(),
        ]

    def action_cc_new_service_record(self):
        """A new service record prefilled from the call: customer, number, the call, queue and IVR digits."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Service Record"),
            "res_model": "cc.service.record",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_partner_id": self.partner_id.id,
                "default_phone": self.customer_e164 or self.caller_raw or False,
                "default_call_id": self.id,
                "default_queue_id": self.queue_id.id,
                "default_ivr_digits": self.ivr_digits or False,
                "default_description": self.note or False,
            },
        }

    def action_cc_view_service_records(self):
        """The customer's unfinished service records."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("callcenter_crm.cc_service_record_action")
        action["domain"] = [("id", "in", self._cc_open_service_records().ids)]
        action["context"] = {"default_partner_id": self.partner_id.id, "default_call_id": self.id}
        return action

    def _cc_open_service_records(self, limit=None):
        commercial = self.partner_id.commercial_partner_id
        return self.env["cc.service.record"].search(
            [("partner_id", "child_of", commercial.id), ("is_done", "=", False)], limit=limit
        )

    def _cc_open_service_records_section(self, limit=5):
        records = self._cc_open_service_records(limit) if self.partner_id else []
        return {
            "key": "service_records",
            "title": self.env._("Open service records"),
            "records": [record._cc_desk_record() for record in records],
        }

    def _cc_open_work_orders_section(self, limit=5):
        orders = self.env["cc.work.order"]
        if self.partner_id:
            commercial = self.partner_id.commercial_partner_id
            orders = orders.search(
                [("partner_id", "child_of", commercial.id), ("state", "=", "in_progress")], limit=limit
            )
        return {
            "key": "work_orders",
            "title": self.env._("Open work orders"),
            "records": [order._cc_desk_record() for order in orders],
        }

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

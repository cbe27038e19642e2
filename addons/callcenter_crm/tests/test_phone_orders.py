"""Phone orders: taken from the call desk, linked to the call and its customer; fulfilled as a work order."""

from odoo.tests import Form, new_test_user, tagged

from .common import CallCenterCrmCase


@tagged("post_install", "-at_install")
class TestPhoneOrders(CallCenterCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seller = new_test_user(
            cls.env, "phone_seller", groups="callcenter_cti.group_cc_agent,sales_team.group_sale_salesman"
        )
        seller_agent = cls.env["cc.agent"].create(
            {"name": "Seller", "extension": "8951", "server_id": cls.server.id, "user_id": cls.seller.id}
        )
        cls.call = cls.env["cc.call"].create(
            {"server_id": cls.server.id, "linkedid": "order-call-1", "partner_id": cls.li.id,
             "state": "talking", "agent_id": seller_agent.id}
        )  # fmt: skip
        cls.product = cls.env["product.product"].create({"name": "Water filter", "list_price": 199.0})

    def take_order(self):
        action = self.call.with_user(self.seller).action_cc_new_order()
        order_form = Form(self.env["sale.order"].with_user(self.seller).with_context(**action["context"]))
        with order_form.order_line.new() as line:
            line.product_id = self.product
            line.product_uom_qty = 2
        return order_form.save()

    def test_an_order_taken_during_the_call_is_linked_to_it(self):
        order = self.take_order()
        self.assertEqual((order.partner_id, order.cc_call_id), (self.li, self.call))
        self.assertEqual(self.call.cc_sale_order_count, 1)
        self.assertEqual(self.call.action_cc_view_orders()["domain"], [("cc_call_id", "=", self.call.id)])

    def test_its_fulfilment_runs_as_a_work_order(self):
        order = self.take_order()
        order.sudo().action_confirm()
        action = order.with_user(self.seller).action_cc_fulfil_as_work_order()
        self.assertEqual(action["context"]["default_sale_order_id"], order.id)
        self.assertIn("2 × ", action["context"]["default_description"])
        flow = self.env["cc.work.flow"].search([], limit=1)
        self.assertTrue(flow, "a work flow exists (data or demo)")
        work_order = (
            self.env["cc.work.order"]
            .with_user(self.seller)
            .with_context(**action["context"])
            .create({"flow_id": flow.id})
        )
        self.assertEqual((work_order.sale_order_id, work_order.partner_id), (order, self.li))
        self.assertEqual(order.cc_work_order_count, 1)

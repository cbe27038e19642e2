"""What the agent desk shows of a CRM customer: code, VIP level, owner, chosen fields, recent orders."""

from odoo.tests import new_test_user, tagged

from .common import CallCenterCrmCase


@tagged("post_install", "-at_install")
class TestDeskCustomer(CallCenterCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.call = cls.env["cc.call"].create(
            {"server_id": cls.server.id, "linkedid": "desk-crm-1", "customer_e164": "+8613922239222",
             "partner_id": cls.li.id, "agent_id": cls.agent.id, "state": "talking"}
        )  # fmt: skip
        cls.env["sale.order"].create({"partner_id": cls.li.id})

    def test_customer_card_shows_code_vip_and_owner(self):
        card = self.li.with_user(self.agent_user)._cc_customer_card()
        self.assertEqual(card["code"], self.li.cc_code)
        self.assertEqual((card["vip"], card["vip_label"]), ("gold", "Gold"))
        self.assertEqual(card["owner"], self.agent.display_name)

    def test_details_offer_the_chosen_fields_and_orders_to_who_may_read_them(self):
        self.env.company.cc_popup_field_ids = self.env.ref("base.field_res_partner__email")
        details = self.call.with_user(self.agent_user).cc_desk_details()
        self.assertEqual([f["label"] for f in details["fields"]], ["Email"])
        self.assertEqual(details["partners"][0]["vip"], "gold")
        self.assertFalse(
            [s for s in details["sections"] if s["key"] == "sale_orders"]
        )  # agents: no sales rights
        seller = new_test_user(
            self.env,
            "desk_seller",
            groups="callcenter_cti.group_cc_agent,sales_team.group_sale_salesman_all_leads",
        )
        self.agent.user_id = seller
        details = self.call.with_user(seller).cc_desk_details()
        [orders] = [s for s in details["sections"] if s["key"] == "sale_orders"]
        self.assertEqual(len(orders["records"]), 1)

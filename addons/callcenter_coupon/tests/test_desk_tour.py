"""The call desk's Coupons page in a real browser: the customer's coupons, the code check, the issue
wizard."""

from odoo.tests import HttpCase, new_test_user, tagged

from .common import coupon_program_values


@tagged("post_install", "-at_install")
class TestCouponDeskTour(HttpCase):
    def test_coupon_desk_tour(self):
        env = self.env
        agent_user = new_test_user(
            env, "coupon_tour_agent", groups="callcenter_cti.group_cc_agent", lang="en_US"
        )
        server = env["cc.pbx.server"].create({"name": "Coupon tour PBX", "host": "127.0.0.1"})
        agent = env["cc.agent"].create(
            {"name": "Tour Agent", "extension": "8971", "server_id": server.id, "user_id": agent_user.id}
        )
        partner = env["res.partner"].create({"name": "张伟", "phone": "13811138111"})
        program = env["loyalty.program"].create(coupon_program_values("满200减50", amount=50.0))
        card = env["loyalty.card"]._cc_issue_coupons(program, partner, "seed", channel="none")
        card.code = "CCTOUR50"
        call = env["cc.call"].create(
            {
                "server_id": server.id,
                "linkedid": "coupon-tour-1",
                "partner_id": partner.id,
                "agent_id": agent.id,
                "state": "talking",
            }
        )
        action = env["ir.actions.act_window"].create(
            {
                "name": "Desk",
                "res_model": "cc.call",
                "view_mode": "form",
                "view_id": env.ref("callcenter_cti.cc_call_view_form_desk").id,
            }
        )
        self.start_tour(
            f"/odoo/action-{action.id}/{call.id}",
            "callcenter_coupon_desk",
            login="coupon_tour_agent",
            timeout=120,
        )
        issued = env["loyalty.card"].search([("cc_reason", "=", "Tour goodwill")])
        self.assertEqual(issued.partner_id, partner)
        self.assertEqual(issued.cc_call_id, call)
        self.assertEqual(issued.cc_issued_by_id, agent_user)

import datetime

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user


def coupon_program_values(name, amount=50.0, percent=None):
    """A coupon program (codes, current order) worth ``amount`` off the order, or ``percent`` % of it."""
    reward = {"reward_type": "discount", "required_points": 1, "discount_applicability": "order"}
    if percent:
        reward.update(discount=percent, discount_mode="percent")
    else:
        reward.update(discount=amount, discount_mode="per_order")
    return {
        "name": name,
        "program_type": "coupons",
        "applies_on": "current",
        "trigger": "with_code",
        "rule_ids": [Command.clear()],
        "reward_ids": [Command.clear(), Command.create(reward)],
        "communication_plan_ids": [Command.clear()],
        "cc_validity_days": 30,
    }


class CouponCase(TransactionCase):
    """An agent on a call with 张伟 (has a mobile), 李娜 (e-mail only); a ¥50 coupon program; a seller."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.country_id = cls.env.ref("base.cn")
        cls.env.company.cc_coupon_approval_amount = 200.0
        cls.today = fields.Date.context_today(cls.env["loyalty.card"])
        cls.server = cls.env["cc.pbx.server"].create({"name": "Coupon test PBX", "host": "127.0.0.1"})
        cls.agent_user = new_test_user(cls.env, "coupon_agent", groups="callcenter_cti.group_cc_agent")
        cls.manager_user = new_test_user(cls.env, "coupon_mgr", groups="callcenter_cti.group_cc_manager")
        cls.seller = new_test_user(
            cls.env,
            "coupon_seller",
            groups="callcenter_cti.group_cc_agent,sales_team.group_sale_salesman_all_leads",
        )
        cls.agent = cls.env["cc.agent"].create(
            {
                "name": "Coupon Agent",
                "extension": "8961",
                "server_id": cls.server.id,
                "user_id": cls.agent_user.id,
            }
        )
        Partner = cls.env["res.partner"]
        cls.zhang = Partner.create({"name": "张伟", "phone": "13811138111", "email": False})
        cls.li = Partner.create({"name": "李娜", "email": "li.na@example.com"})
        cls.wang = Partner.create({"name": "王芳", "phone": "13922239222", "email": "wang@example.com"})
        cls.program = cls.env["loyalty.program"].create(coupon_program_values("满200减50", amount=50.0))
        cls.percent_program = cls.env["loyalty.program"].create(coupon_program_values("九折券", percent=10.0))
        cls.product = cls.env["product.product"].create(
            {"name": "电饭煲", "list_price": 200.0, "taxes_id": [Command.clear()], "type": "consu"}
        )
        cls.call = cls.env["cc.call"].create(
            {
                "server_id": cls.server.id,
                "linkedid": "coupon-call-1",
                "customer_e164": "+8613811138111",
                "partner_id": cls.zhang.id,
                "agent_id": cls.agent.id,
                "state": "talking",
            }
        )

    def issue(self, partners=None, user=None, program=None, **kwargs):
        Card = self.env["loyalty.card"].with_user(user or self.agent_user)
        return Card._cc_issue_coupons(
            program or self.program, partners or self.zhang, kwargs.pop("reason", "投诉补偿"), **kwargs
        )

    def order(self, partner=None, user=None, qty=1):
        return (
            self.env["sale.order"]
            .with_user(user or self.seller)
            .create(
                {
                    "partner_id": (partner or self.zhang).id,
                    "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": qty})],
                }
            )
        )

    def days(self, n):
        return self.today + datetime.timedelta(days=n)

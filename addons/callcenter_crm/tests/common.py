from odoo import Command
from odoo.tests import TransactionCase, new_test_user


class CallCenterCrmCase(TransactionCase):
    """Customers in China with several numbers, an agent, a supervisor, a manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.country_id = cls.env.ref("base.cn")
        cls.Partner = cls.env["res.partner"]
        cls.server = cls.env["cc.pbx.server"].create({"name": "CRM test PBX", "host": "127.0.0.1"})
        cls.agent_user = new_test_user(cls.env, "crm_agent", groups="callcenter_cti.group_cc_agent")
        cls.supervisor_user = new_test_user(cls.env, "crm_sup", groups="callcenter_cti.group_cc_supervisor")
        cls.manager_user = new_test_user(cls.env, "crm_mgr", groups="callcenter_cti.group_cc_manager")
        cls.agent = cls.env["cc.agent"].create(
            {"name": "Owner", "extension": "8901", "server_id": cls.server.id, "user_id": cls.agent_user.id}
        )
        cls.zhang = cls.Partner.create(
            {
                "name": "张伟",
                "phone": "13811138111",
                "country_id": cls.env.ref("base.cn").id,
                "cc_phone_ids": [
                    Command.create({"kind": "home", "number": "023-88886611"}),
                    Command.create({"kind": "work", "number": "010-12345611"}),
                    Command.create({"kind": "other", "number": "4008001211"}),
                ],
            }
        )
        cls.li = cls.Partner.create(
            {
                "name": "李娜",
                "cc_vip_level": "gold",
                "cc_owner_agent_id": cls.agent.id,
                "cc_phone_ids": [Command.create({"kind": "mobile", "number": "13922239222"})],
            }
        )

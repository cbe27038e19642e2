from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.callcenter_cti.tests.common import bus_payloads

from .common import CallCenterCrmCase


class ServiceCase(CallCenterCrmCase):
    """A three-level category tree, a two-stage flow over a dispatch centre → branch → department tree."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_agent_user = new_test_user(cls.env, "crm_agent2", groups="callcenter_cti.group_cc_agent")
        cls.dispatcher = new_test_user(cls.env, "crm_dispatch", groups="callcenter_cti.group_cc_agent")
        cls.repairer = new_test_user(cls.env, "crm_repair", groups="callcenter_cti.group_cc_agent")
        cls.boss = new_test_user(cls.env, "crm_boss", groups="callcenter_cti.group_cc_supervisor")
        Status = cls.env["cc.service.status"]
        cls.unprocessed = cls.env.ref("callcenter_crm.cc_service_status_unprocessed")
        cls.done = cls.env.ref("callcenter_crm.cc_service_status_done")
        cls.review = Status.create({"name": "Awaiting review", "sequence": 20})
        Department = cls.env["cc.department"]
        cls.centre = Department.create(
            {
                "name": "Centre",
                "kind": "centre",
                "manager_id": cls.dispatcher.id,
                "member_ids": [Command.link(cls.dispatcher.id)],
            }
        )
        cls.branch = Department.create(
            {"name": "Branch", "kind": "branch", "parent_id": cls.centre.id, "manager_id": cls.boss.id}
        )
        cls.repairs = Department.create(
            {"name": "Repairs", "parent_id": cls.branch.id, "member_ids": [Command.link(cls.repairer.id)]}
        )
        cls.flow = cls.env["cc.work.flow"].create(
            {
                "name": "Repair",
                "stage_ids": [
                    Command.create(
                        {
                            "sequence": 1,
                            "name": "Dispatch",
                            "hours_limit": 2,
                            "department_id": cls.centre.id,
                            "manager_id": cls.boss.id,
                        }
                    ),
                    Command.create(
                        {"sequence": 2, "name": "Repair", "hours_limit": 16, "department_id": cls.branch.id}
                    ),
                ],
            }
        )
        cls.dispatch_stage, cls.repair_stage = cls.flow.stage_ids
        Category = cls.env["cc.service.category"]
        cls.after_sales = Category.create({"name": "After-sales"})
        cls.repair_type = Category.create(
            {"name": "Repair", "parent_id": cls.after_sales.id, "flow_id": cls.flow.id}
        )
        cls.no_power = Category.create({"name": "No power", "parent_id": cls.repair_type.id})
        cls.enquiry = Category.create({"name": "Enquiry"})
        cls.price_type = Category.create({"name": "Price", "parent_id": cls.enquiry.id})

    def new_record(self, user=None, **values):
        Record = self.env["cc.service.record"].with_user(user or self.agent_user)
        return Record.create(
            {
                "partner_id": self.li.id,
                "category_id": self.no_power.id,
                "type_id": self.repair_type.id,
                "directory_id": self.after_sales.id,
            }
            | values
        )

    def bus_messages(self, user, kind="callcenter/work_order"):
        return bus_payloads(self.env, user, kind)

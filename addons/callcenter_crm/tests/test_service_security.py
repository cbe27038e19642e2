"""Who sees what: agents their own and assigned, supervisors all, managers configure."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .service_common import ServiceCase


@tagged("post_install", "-at_install")
class TestServiceSecurity(ServiceCase):
    def test_agents_see_their_own_and_assigned_records(self):
        mine = self.new_record()
        theirs = self.new_record(user=self.other_agent_user)
        assigned = self.new_record(user=self.other_agent_user, assignee_id=self.agent_user.id)
        Record = self.env["cc.service.record"].with_user(self.agent_user)
        self.assertEqual(Record.search([]), mine | assigned)
        with self.assertRaises(AccessError):
            theirs.with_user(self.agent_user).read(["name"])
        self.assertEqual(
            self.env["cc.service.record.step"].with_user(self.agent_user).search([]).record_id,
            mine | assigned,
        )
        with self.assertRaises(AccessError):
            mine.with_user(self.agent_user).unlink()

    def test_supervisors_see_all(self):
        records = self.new_record() | self.new_record(user=self.other_agent_user)
        self.assertEqual(self.env["cc.service.record"].with_user(self.supervisor_user).search([]), records)

    def test_agents_cannot_write_past_steps(self):
        record = self.new_record()
        with self.assertRaises(AccessError):
            record.step_ids.with_user(self.agent_user).write({"note": "rewritten"})

    def test_only_managers_configure(self):
        for model, values in [
            ("cc.service.category", {"name": "X"}),
            ("cc.service.status", {"name": "X"}),
            ("cc.work.flow", {"name": "X"}),
            ("cc.department", {"name": "X"}),
        ]:
            for user in (self.agent_user, self.supervisor_user):
                with self.assertRaises(AccessError):
                    self.env[model].with_user(user).create(values)
            self.assertTrue(self.env[model].with_user(self.manager_user).create(values))
        self.env["cc.service.status"].with_user(self.manager_user).create({"name": "Being filed"})

    def test_work_orders_seen_by_requester_holder_and_department(self):
        order = self.env["cc.work.order"].browse(self.new_record().action_cc_create_work_order()["res_id"])
        WorkOrder = self.env["cc.work.order"]
        self.assertEqual(WorkOrder.with_user(self.agent_user).search([]), order)  # opened it
        self.assertEqual(WorkOrder.with_user(self.dispatcher).search([]), order)  # holds it
        self.assertFalse(WorkOrder.with_user(self.repairer).search([]))
        self.assertFalse(WorkOrder.with_user(self.other_agent_user).search([]))
        order.with_user(self.dispatcher).action_cc_forward()
        self.assertEqual(WorkOrder.with_user(self.dispatcher).search([]), order)  # moved it
        self.assertEqual(
            self.env["cc.work.order.history"].with_user(self.agent_user).search([]), order.history_ids
        )

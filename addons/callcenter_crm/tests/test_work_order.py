"""Work orders: forward, return, reject, dispatch down the tree, notifications and SLA escalation."""

from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .service_common import ServiceCase

MONDAY_9_SHANGHAI = datetime(2026, 11, 23, 1, 0)  # UTC
FRIDAY_16_SHANGHAI = datetime(2026, 11, 27, 8, 0)


@tagged("post_install", "-at_install")
class TestWorkOrder(ServiceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Working calendar: Mon–Fri 8–12, 13–17 in Shanghai
        cls.env.company.resource_calendar_id.tz = "Asia/Shanghai"

    def new_order(self):
        record = self.new_record()
        return self.env["cc.work.order"].browse(record.action_cc_create_work_order()["res_id"])

    def test_forward_through_stages_then_archive(self):
        with freeze_time(MONDAY_9_SHANGHAI):
            order = self.new_order()
        self.assertRecordValues(
            order,
            [
                {
                    "stage_id": self.dispatch_stage.id,
                    "department_id": self.centre.id,
                    "user_id": self.dispatcher.id,
                    "state": "in_progress",
                    "category_id": self.repair_type.id,
                    "partner_id": self.li.id,
                }
            ],
        )
        order.with_user(self.dispatcher).action_cc_forward("To the branch")
        self.assertRecordValues(
            order,
            [{"stage_id": self.repair_stage.id, "department_id": self.branch.id, "user_id": self.boss.id}],
        )
        order.with_user(self.boss).action_cc_forward()
        self.assertEqual(order.state, "archived")
        self.assertEqual(order.history_ids.sorted("id").mapped("outcome"), ["forwarded", "archived"])
        with self.assertRaises(UserError):
            order.action_cc_forward()

    def test_return_and_reject(self):
        order = self.new_order()
        with self.assertRaises(UserError):
            order.action_cc_return("nowhere to go back")
        order.action_cc_forward()
        order.with_user(self.boss).action_cc_return("Missing address")
        self.assertEqual(order.stage_id, self.dispatch_stage)
        self.assertEqual(order.user_id, self.dispatcher)
        order.with_user(self.dispatcher).action_cc_reject("Not our product")
        self.assertEqual(order.state, "rejected")
        outcomes = order.history_ids.sorted("id").mapped("outcome")
        self.assertEqual(outcomes, ["forwarded", "returned", "rejected"])
        self.assertIn("Not our product", order.message_ids.mapped("body")[0])

    def test_move_wizard_dispatches_down_the_tree(self):
        order = self.new_order()
        wizard = self.env["cc.work.order.move.wizard"].with_user(self.dispatcher)
        with self.assertRaises(UserError):
            other = self.env["cc.department"].create({"name": "Elsewhere"})
            wizard.create(
                {"order_id": order.id, "move": "dispatch", "department_id": other.id}
            ).action_confirm()
        wizard.create(
            {"order_id": order.id, "move": "dispatch", "department_id": self.repairs.id}
        ).action_confirm()
        self.assertEqual((order.stage_id, order.department_id), (self.dispatch_stage, self.repairs))
        # Repairs has no manager: the nearest one up the tree (the branch's) is responsible
        self.assertEqual(order.user_id, self.boss)
        self.assertTrue(order.with_user(self.repairer).has_access("write"))

    def test_next_responsible_is_told(self):
        order = self.new_order()
        order.action_cc_forward()
        activity = order.activity_ids.filtered(lambda a: a.user_id == self.boss)
        self.assertEqual(len(activity), 1)
        self.assertFalse(order.activity_ids.filtered(lambda a: a.user_id == self.dispatcher))
        [payload] = self.bus_messages(self.boss)
        self.assertEqual((payload["id"], payload["kind"], payload["stage"]), (order.id, "assigned", "Repair"))

    def test_deadline_follows_the_working_calendar(self):
        with freeze_time(MONDAY_9_SHANGHAI):
            order = self.new_order()
        self.assertEqual(order.deadline, datetime(2026, 11, 23, 3, 0))  # 11:00 Shanghai
        with freeze_time(FRIDAY_16_SHANGHAI):
            order = self.new_order()
        self.assertEqual(order.deadline, datetime(2026, 11, 30, 1, 0))  # Monday 09:00 Shanghai

    def test_cron_escalates_overdue_orders_once_to_the_stage_manager(self):
        with freeze_time(MONDAY_9_SHANGHAI):
            order = self.new_order()
        Order = self.env["cc.work.order"]
        with freeze_time(datetime(2026, 11, 23, 2, 59)):
            self.assertFalse(Order._cc_escalate_overdue())
        with freeze_time(datetime(2026, 11, 23, 3, 1)):
            self.assertEqual(Order._cc_escalate_overdue(), order)
            self.assertFalse(Order._cc_escalate_overdue())
        self.assertTrue(order.is_overdue)
        self.assertTrue(order.activity_ids.filtered(lambda a: a.user_id == self.boss))
        self.assertEqual([p["kind"] for p in self.bus_messages(self.boss)], ["escalated"])
        order.with_user(self.dispatcher).action_cc_forward()
        self.assertFalse(order.is_overdue)
        late = order.history_ids.filtered(lambda h: h.stage_id == self.dispatch_stage)
        self.assertEqual((late.late, late.late_count, late.on_time_count), (True, 1, 0))

    def test_sla_report_groups_by_type_stage_department(self):
        order = self.new_order()
        order.action_cc_forward()
        order.action_cc_forward()
        groups = (
            self.env["cc.work.order.history"]
            .with_user(self.boss)
            ._read_group(
                [("order_id", "=", order.id)],
                ["category_id", "stage_id", "department_id"],
                ["on_time_count:sum", "late_count:sum", "__count"],
            )
        )
        self.assertEqual(len(groups), 2)
        self.assertEqual({g[0] for g in groups}, {self.repair_type})
        self.assertEqual(sum(g[3] for g in groups), 2)

    def test_every_change_is_tracked(self):
        order = self.new_order()
        self.env.flush_all()
        self.env.cr.precommit.run()  # a commit: records created in the transaction are not tracked
        order.action_cc_forward()
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking values are written at commit
        tracked = (
            self.env["mail.tracking.value"]
            .search(
                [("mail_message_id.model", "=", "cc.work.order"), ("mail_message_id.res_id", "=", order.id)]
            )
            .mapped("field_id.name")
        )
        self.assertIn("stage_id", tracked)
        self.assertIn("department_id", tracked)

    def test_activity_is_due_on_the_deadline_day_where_the_responsible_works(self):
        self.dispatcher.tz = "Asia/Shanghai"
        with freeze_time(datetime(2026, 11, 23, 15, 0)):  # Monday 23:00 in Shanghai: deadline Tuesday 10:00
            order = self.new_order()
        activity = order.activity_ids.filtered(lambda a: a.user_id == self.dispatcher)
        self.assertEqual(str(activity.date_deadline), "2026-11-24")

"""Service records: the category tree, statuses, the follow-up trail, the call desk and the Excel export."""

import base64
import io
import zipfile

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .service_common import ServiceCase


@tagged("post_install", "-at_install")
class TestServiceRecord(ServiceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.call = cls.env["cc.call"].create(
            {
                "server_id": cls.server.id,
                "linkedid": "sr-1",
                "customer_e164": "+8613922239222",
                "caller_raw": "13922239222",
                "partner_id": cls.li.id,
                "agent_id": cls.agent.id,
                "ivr_digits": "2",
                "note": "Fridge dead",
                "state": "talking",
            }
        )

    def test_categories_have_three_levels(self):
        self.assertEqual(
            (self.after_sales.level, self.repair_type.level, self.no_power.level),
            ("directory", "type", "name"),
        )
        self.assertEqual(self.no_power.complete_name, "After-sales / Repair / No power")
        with self.assertRaises(ValidationError):
            self.env["cc.service.category"].create({"name": "Too deep", "parent_id": self.no_power.id})

    def test_dependent_dropdowns_follow_each_other(self):
        form = Form(self.env["cc.service.record"].with_user(self.agent_user))
        form.category_id = self.no_power
        self.assertEqual((form.type_id, form.directory_id), (self.repair_type, self.after_sales))
        form.directory_id = self.enquiry
        self.assertFalse(form.type_id)
        self.assertFalse(form.category_id)
        form.type_id = self.price_type
        self.assertEqual(form.directory_id, self.enquiry)

    def test_statuses_not_done_count_as_unfinished(self):
        record = self.new_record()
        self.assertEqual(record.status_id, self.unprocessed)
        record.status_id = self.review
        self.assertFalse(record.is_done)
        record.status_id = self.done
        self.assertTrue(record.is_done)

    def test_follow_up_trail_records_who_when_what(self):
        record = self.new_record()
        wizard = (
            self.env["cc.service.record.step.wizard"]
            .with_user(self.agent_user)
            .create(
                {
                    "record_id": record.id,
                    "note": "Called the shop",
                    "status_id": self.review.id,
                    "assignee_id": self.other_agent_user.id,
                }
            )
        )
        wizard.action_confirm()
        record.with_user(self.other_agent_user).status_id = self.done
        steps = record.step_ids.sorted("id")
        self.assertEqual(len(steps), 3)
        self.assertEqual(steps.mapped("user_id"), self.agent_user | self.other_agent_user)
        self.assertEqual(steps[1].note, "Called the shop")
        self.assertEqual(steps.mapped("status_id"), self.unprocessed | self.review | self.done)
        self.assertIn("Awaiting review", steps[2].note)
        self.assertTrue(all(step.date for step in steps))

    def test_desk_creates_a_record_prefilled_from_the_call(self):
        action = self.call.with_user(self.agent_user).action_cc_new_service_record()
        Record = self.env["cc.service.record"].with_user(self.agent_user).with_context(**action["context"])
        form = Form(Record)
        form.category_id = self.no_power
        record = form.save()
        self.assertRecordValues(
            record,
            [
                {
                    "partner_id": self.li.id,
                    "phone": "+8613922239222",
                    "call_id": self.call.id,
                    "ivr_digits": "2",
                    "description": "Fridge dead",
                    "user_id": self.agent_user.id,
                }
            ],
        )
        self.assertEqual(self.call.cc_service_record_ids, record)
        self.assertEqual(self.call.with_user(self.agent_user).cc_open_service_record_count, 1)

    def test_desk_sections_list_open_records_and_orders(self):
        record = self.new_record()
        self.new_record(status_id=self.done.id)
        order_action = record.action_cc_create_work_order()
        details = self.call.with_user(self.agent_user).cc_desk_details()
        sections = {section["key"]: section for section in details["sections"]}
        self.assertEqual([r["id"] for r in sections["service_records"]["records"]], [record.id])
        self.assertEqual(sections["service_records"]["records"][0]["model"], "cc.service.record")
        self.assertEqual(sections["service_records"]["records"][0]["state"], "Unprocessed")
        self.assertEqual([r["id"] for r in sections["work_orders"]["records"]], [order_action["res_id"]])
        self.assertEqual(
            set(sections["work_orders"]["records"][0]), {"id", "model", "name", "subtitle", "state"}
        )

    def test_partner_smart_buttons(self):
        record = self.new_record()
        record.action_cc_create_work_order()
        partner = self.li.with_user(self.agent_user)
        self.assertEqual((partner.cc_service_record_count, partner.cc_work_order_count), (1, 1))
        action = partner.action_cc_view_service_records()
        self.assertEqual(self.env["cc.service.record"].search(action["domain"]), record)

    def test_my_unfinished_today_filter(self):
        mine = self.new_record()
        self.new_record(status_id=self.done.id)
        self.new_record(user=self.other_agent_user)
        domain = [
            "|",
            ("user_id", "=", self.agent_user.id),
            ("assignee_id", "=", self.agent_user.id),
            ("is_done", "=", False),
        ]
        self.assertEqual(self.env["cc.service.record"].search(domain), mine)

    def test_excel_export_has_records_and_trace(self):
        record = self.new_record()
        wizard = self.env["cc.service.record.export.wizard"].with_user(self.boss).create({})
        action = wizard.action_export()
        self.assertIn("/file_data/", action["url"])
        workbook = zipfile.ZipFile(io.BytesIO(base64.b64decode(wizard.file_data)))
        strings = workbook.read("xl/sharedStrings.xml").decode()
        self.assertIn(record.name, strings)
        self.assertIn("Record created", strings)
        self.assertEqual(len([n for n in workbook.namelist() if n.startswith("xl/worksheets/sheet")]), 2)

    def test_forms_open_for_an_agent(self):
        record = self.new_record(call_id=self.call.id)
        self.desk_view = self.env.ref("callcenter_cti.cc_call_view_form_desk")
        desk = Form(self.call.with_user(self.agent_user), view=self.desk_view)
        self.assertEqual(desk.cc_open_service_record_count, 1)
        desk_view = self.call.with_user(self.agent_user).get_views([(self.desk_view.id, "form")])
        self.assertIn('name="action_cc_new_service_record"', desk_view["views"]["form"]["arch"])
        Form(record.with_user(self.agent_user))
        order = self.env["cc.work.order"].browse(record.action_cc_create_work_order()["res_id"])
        Form(order.with_user(self.agent_user))
        partner = Form(self.li.with_user(self.agent_user))
        self.assertEqual((partner.cc_service_record_count, partner.cc_work_order_count), (1, 1))

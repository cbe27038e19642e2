"""Every label of service records and work orders exists in Simplified Chinese."""

from odoo.models import MAGIC_COLUMNS
from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import PoFileReader

MODELS = [
    "cc.service.category",
    "cc.service.status",
    "cc.service.record",
    "cc.service.record.step",
    "cc.department",
    "cc.work.flow",
    "cc.work.flow.stage",
    "cc.work.order",
    "cc.work.order.history",
    "cc.service.record.step.wizard",
    "cc.work.order.move.wizard",
    "cc.service.record.export.wizard",
]


@tagged("post_install", "-at_install")
class TestServiceI18n(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with open(file_path("callcenter_crm/i18n/zh_CN.po", filter_ext=(".po",)), "rb") as po:
            cls.catalog = {entry["src"]: entry["value"] for entry in PoFileReader(po)}

    def test_the_catalog_has_no_empty_translation(self):
        self.assertFalse([src for src, value in self.catalog.items() if not value])

    def test_every_field_label_help_and_choice_is_translated(self):
        missing = set()
        for model in MODELS:
            for name, field in self.env[model]._fields.items():
                if name in MAGIC_COLUMNS or name == "display_name" or field._module != "callcenter_crm":
                    continue  # fields other modules add (mail, sms …) are translated by those modules
                # choices of inherited fields (mail's activity states) are translated by their module
                choices = getattr(field, "selection", None) if field._module == "callcenter_crm" else None
                labels = [field.string, field.help] + [
                    label for __, label in choices or [] if isinstance(choices, list)
                ]
                missing |= {label for label in labels if label and not self.catalog.get(label)}
        self.assertFalse(missing)

    def test_labels_show_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"].search([("name", "=", "callcenter_crm")])._update_translations(["zh_CN"])
        zh = self.env(context={"lang": "zh_CN"})
        fields = zh["cc.work.order"].fields_get(["state", "stage_id"])
        self.assertEqual(fields["stage_id"]["string"], "环节")
        self.assertIn(("rejected", "已驳回"), fields["state"]["selection"])
        arch = zh["cc.work.order"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("流转", arch)
        call = zh["cc.call"]
        self.assertEqual(call._cc_open_work_orders_section()["title"], "处理中的工单")
        self.assertEqual(call._cc_recent_orders_section()["title"], "最近订单")

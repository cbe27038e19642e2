from odoo.tests import tagged

from .common import CallCenterCrmCase


@tagged("post_install", "-at_install")
class TestPopupFields(CallCenterCrmCase):
    def _field(self, name):
        return self.env["ir.model.fields"]._get("res.partner", name)

    def test_popup_values_labels_and_formats(self):
        company = self.env.company
        company.cc_popup_field_ids = self._field("cc_code") | self._field("cc_vip_level")
        company.cc_popup_field_ids |= self._field("cc_owner_agent_id") | self._field("is_company")
        values = company.with_user(self.agent_user)._cc_popup_values(self.li.with_user(self.agent_user))
        self.assertCountEqual(
            values,
            [
                {"label": "Customer Code", "value": self.li.cc_code},
                {"label": "VIP Level", "value": "Gold"},
                {"label": "Owner Agent", "value": "Owner (8901)"},
                {"label": "Is a Company", "value": "No"},
            ],
        )

    def test_popup_fields_limited_to_partner_fields(self):
        domain = self.env["res.company"]._fields["cc_popup_field_ids"].domain
        allowed = self.env["ir.model.fields"].search(domain)
        self.assertEqual(set(allowed.mapped("model")), {"res.partner"})

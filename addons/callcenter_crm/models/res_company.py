from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    cc_popup_field_ids = fields.Many2many(
        "ir.model.fields",
        "res_company_cc_popup_field_rel",
        "company_id",
        "field_id",
        string="Screen-pop Fields",
        domain=[("model", "=", "res.partner"), ("ttype", "not in", ["binary", "one2many", "properties"])],
        help="The customer fields the agent's screen-pop shows.",
    )

    def _cc_popup_values(self, partner):
        """[{"label", "value"}] of the screen-pop fields of ``partner`` the current user may read."""
        self.ensure_one()
        partner.ensure_one()
        values = []
        # sudo: the chosen field list is configuration; the values are read with the user's rights
        for field_record in self.sudo().cc_popup_field_ids:
            field = partner._fields.get(field_record.name)
            if field is None or not partner._has_field_access(field, "read"):
                continue
            values.append(
                {
                    "label": field._description_string(self.env),
                    "value": self._cc_popup_format(partner, field),
                }
            )
        return values

    def _cc_popup_format(self, partner, field):
        """The value of ``field`` as text an agent reads ('' when empty)."""
        value = partner[field.name]
        if field.type in ("many2one", "many2many", "one2many"):
            return ", ".join(value.mapped("display_name"))
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, "") if value else ""
        if field.type == "boolean":
            return self.env._("Yes") if value else self.env._("No")
        if value is False or value is None:
            return ""
        return str(value)

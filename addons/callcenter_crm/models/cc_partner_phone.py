from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.callcenter_cti.cti import phone

PHONE_KINDS = [("mobile", "Mobile"), ("home", "Home"), ("work", "Work"), ("other", "Other")]


class CcPartnerPhone(models.Model):
    _name = "cc.partner.phone"
    _description = "Customer Phone Number"
    _order = "partner_id, sequence, id"
    _rec_name = "number"

    sequence = fields.Integer(default=10)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="partner_id.company_id", store=True, index="btree_not_null")
    kind = fields.Selection(PHONE_KINDS, required=True, default="mobile")
    number = fields.Char(required=True, help="The number as typed or imported, in any format.")
    number_e164 = fields.Char(
        string="Number (E.164)",
        compute="_compute_number_e164",
        store=True,
        index="btree_not_null",
        help="The number in E.164, as the call center looks callers up (indexed equality).",
    )
    region = fields.Char(compute="_compute_region", help="Where the number is from, in your language.")

    _partner_number_unique = models.Constraint(
        "UNIQUE(partner_id, number_e164)", "A customer cannot have the same number twice."
    )

    @api.depends("number", "partner_id.country_id", "partner_id.company_id")
    def _compute_number_e164(self):
        for line in self:
            country = line.partner_id._cc_phone_country() if line.partner_id else "CN"
            line.number_e164 = phone.to_e164(line.number, country) or False

    @api.depends("number_e164")
    @api.depends_context("lang")
    def _compute_region(self):
        for line in self:
            line.region = phone.region(line.number_e164, self.env.lang or "en_US")

    @api.constrains("number", "number_e164", "partner_id")
    def _check_number(self):
        """A number the call center cannot dial, or one already owned by another customer, would make the
        caller lookup miss or hesitate: refuse it with the number in the message (base_import shows it on
        the row)."""
        for line in self:
            if not line.number_e164:
                message = self.env._("%(number)s is not a valid phone number.", number=line.number)
                raise ValidationError(message)
        owners = self._cc_other_owners()
        for line in self:
            other = owners.get(line.id)
            if other:
                raise ValidationError(
                    self.env._(
                        "The number %(number)s already belongs to the customer %(customer)s.",
                        number=line.number,
                        customer=other.display_name,
                    )
                )

    def _cc_other_owners(self):
        """{line id: another partner owning the same E.164 number in the same company}."""
        numbers = self.mapped("number_e164")
        Partner = self.env["res.partner"]
        # sudo: duplicates must be found among customers the current user may not read
        found = Partner.sudo()._cc_find_by_e164(numbers)
        owners = {}
        for line in self:
            ids = [i for i in found.get(line.number_e164, []) if i != line.partner_id.id]
            others = Partner.sudo().browse(ids).filtered(lambda p, c=line.company_id: p.company_id == c)
            if others:
                owners[line.id] = others[0]
        return owners

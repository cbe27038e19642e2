from odoo import api, fields, models
from odoo.tools import SQL

from ..cti import phone


class ResPartner(models.Model):
    _inherit = "res.partner"

    cc_phone_e164 = fields.Char(
        string="Phone (E.164)",
        compute="_compute_cc_phone_e164",
        store=True,
        index="btree_not_null",
        help="The phone number in E.164, as the call center looks callers up (indexed equality).",
    )

    @api.depends("phone", "country_id", "company_id")
    def _compute_cc_phone_e164(self):
        for partner in self:
            partner.cc_phone_e164 = phone.to_e164(partner.phone, partner._cc_phone_country()) or False

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        call_id = self.env.context.get("cc_call_id")
        if call_id and len(partners) == 1:
            # Created from a screen-pop ("unknown caller"): the call now belongs to the new customer.
            self.env["cc.call"].browse(call_id).exists().partner_id = partners
        return partners

    def _cc_customer_card(self):
        """The customer as the screen-pop shows it (callcenter_crm adds code, VIP level and owner)."""
        self.ensure_one()
        return {"id": self.id, "name": self.display_name, "code": "", "vip": "", "vip_label": "", "owner": ""}

    def _cc_phone_country(self):
        """The country a number without country code is read in: the partner's, else its company's, else
        China."""
        country = self.country_id or self.company_id.country_id or self.env.company.country_id
        return country.code or "CN"

    @api.model
    def _cc_find_by_e164(self, numbers):
        """Partners owning any of ``numbers`` (E.164): {number: partner ids}, oldest first.

        The one caller lookup of the suite; callcenter_crm widens it to every number of a customer.
        """
        numbers = sorted({n for n in numbers if n})
        if not numbers:
            return {}
        # One round trip over every source of numbers, each an indexed equality (the screen-pop's hot path):
        # the bridge and the screen-pop resolve callers whatever the agent's partner rules are.
        self._cc_flush_numbers()
        sources = SQL(" UNION ALL ").join(self._cc_number_sources(numbers))
        rows = self.env.execute_query(
            SQL("SELECT number, partner_id FROM (%s) found ORDER BY partner_id", sources)
        )
        found = {}
        for number, partner_id in rows:
            if partner_id not in found.setdefault(number, []):
                found[number].append(partner_id)
        return found

    @api.model
    def _cc_number_sources(self, numbers):
        """SQL selects of (number, partner_id) for the active partners owning one of ``numbers``."""
        return [
            SQL(
                "SELECT cc_phone_e164 AS number, id AS partner_id FROM res_partner"
                " WHERE cc_phone_e164 = ANY(%s) AND active",
                numbers,
            )
        ]

    @api.model
    def _cc_flush_numbers(self):
        self.flush_model(["cc_phone_e164", "active"])

    @api.model
    def _cc_routing_profiles(self, numbers=None):
        """Routing profiles {E.164: {"vip": bool, "priority": int|None, "owner_agent_extension": str|None}}.

        ``numbers``: the callers to describe; None: every number whose profile is not the default (the
        routing service loads them all into its snapshot). The base addon knows no VIP and no owner: {};
        callcenter_crm overrides this hook.
        """
        return {}

    @api.model
    def _cc_routing_profile(self, e164):
        """The routing profile of one caller: VIP flag and extension of the owner agent."""
        profile = {"vip": False, "priority": None, "owner_agent_extension": None}
        return profile | (self._cc_routing_profiles([e164]).get(e164) or {})

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain
from odoo.tools import SQL

from odoo.addons.callcenter_cti.cti import phone

VIP_LEVELS = [("silver", "Silver"), ("gold", "Gold"), ("platinum", "Platinum")]
# Asterisk queue priority of a VIP caller: higher is answered first.
VIP_PRIORITY = {"silver": 3, "gold": 6, "platinum": 9}
# Only managers decide who is a VIP and who owns a customer (it changes how calls are routed).
MANAGED_FIELDS = ("cc_vip_level", "cc_owner_agent_id")


class ResPartner(models.Model):
    _inherit = "res.partner"

    cc_code = fields.Char(
        string="Customer Code", copy=False, help="Unique per company (its unique index serves look-ups)."
    )
    cc_vip_level = fields.Selection(VIP_LEVELS, string="VIP Level", tracking=True)
    cc_owner_agent_id = fields.Many2one(
        "cc.agent", string="Owner Agent", index="btree_not_null", tracking=True, ondelete="set null"
    )
    cc_phone_ids = fields.One2many("cc.partner.phone", "partner_id", string="Phone Numbers")
    cc_phone_search = fields.Char(
        string="Any Number",
        compute="_compute_cc_phone_search",
        search="_search_cc_phone_search",
        help="Finds a customer by any of their numbers, typed in any format.",
    )
    cc_call_count = fields.Integer(string="Calls", compute="_compute_cc_call_count")
    cc_service_record_ids = fields.One2many("cc.service.record", "partner_id", string="Service Records")
    cc_service_record_count = fields.Integer(string="# Service Records", compute="_compute_cc_service_counts")
    cc_work_order_count = fields.Integer(string="# Work Orders", compute="_compute_cc_service_counts")

    cc_can_manage = fields.Boolean(
        string="Can Manage VIP", compute="_compute_cc_can_manage", help="The user may set VIP and owner."
    )

    _cc_code_company_unique = models.UniqueIndex(
        "(cc_code, COALESCE(company_id, 0)) WHERE cc_code IS NOT NULL",
        "The customer code must be unique per company.",
    )
    # The routing snapshot reads every VIP or owned customer every 5 s.
    _cc_routing_idx = models.Index("(id) WHERE cc_vip_level IS NOT NULL OR cc_owner_agent_id IS NOT NULL")

    def _compute_cc_phone_search(self):
        self.cc_phone_search = False

    def _search_cc_phone_search(self, operator, value):
        if operator not in ("=", "ilike") or not isinstance(value, str):
            return NotImplemented
        e164 = self._cc_normalize(value)
        if not e164:
            return Domain.FALSE
        return Domain("cc_phone_e164", "=", e164) | Domain("cc_phone_ids.number_e164", "=", e164)

    @api.depends_context("uid")
    def _compute_cc_can_manage(self):
        self.cc_can_manage = self.env.user.has_group("callcenter_cti.group_cc_manager")

    def _compute_cc_call_count(self):
        counts = dict(
            self.env["cc.call"]._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"])
        )
        for partner in self:
            partner.cc_call_count = counts.get(partner._origin, 0)

    def _compute_cc_service_counts(self):
        records, orders = self.env["cc.service.record"], self.env["cc.work.order"]
        for partner in self:
            customers = [("partner_id", "child_of", partner.commercial_partner_id.id)]
            known = bool(partner.id)
            partner.cc_service_record_count = (
                known and records.has_access("read") and records.search_count(customers)
            )
            partner.cc_work_order_count = (
                known and orders.has_access("read") and orders.search_count(customers)
            )

    @api.model_create_multi
    def create(self, vals_list):
        # A new customer without VIP level nor owner is anyone's to create.
        self._cc_check_managed_fields([{k: v for k, v in vals.items() if v} for vals in vals_list])
        for vals in vals_list:
            if not vals.get("cc_code"):
                # sudo: any user creating a customer draws the next code, sequences are admin data
                vals["cc_code"] = self.env["ir.sequence"].sudo().next_by_code("cc.customer.code")
        return super().create(vals_list)

    def write(self, vals):
        if self._cc_changes_managed_fields(vals):
            self._cc_check_managed_fields([vals])
        return super().write(vals)

    def _cc_customer_card(self):
        card = super()._cc_customer_card()
        vip_labels = dict(self._fields["cc_vip_level"]._description_selection(self.env))
        card.update(
            code=self.cc_code or "",
            vip=self.cc_vip_level or "",
            vip_label=vip_labels.get(self.cc_vip_level, ""),
            owner=self.cc_owner_agent_id.display_name or "",
        )
        return card

    def action_cc_view_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("callcenter_cti.cc_call_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_cc_view_service_records(self):
        return self._cc_service_action("callcenter_crm.cc_service_record_action")

    def action_cc_view_work_orders(self):
        return self._cc_service_action("callcenter_crm.cc_work_order_action")

    def _cc_service_action(self, xml_id):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xml_id)
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def _cc_changes_managed_fields(self, vals):
        """True when ``vals`` really changes a VIP level or owner (forms resend unchanged values)."""
        new_level = vals.get("cc_vip_level") or False
        new_owner = vals.get("cc_owner_agent_id") or False
        return ("cc_vip_level" in vals and any((p.cc_vip_level or False) != new_level for p in self)) or (
            "cc_owner_agent_id" in vals and any((p.cc_owner_agent_id.id or False) != new_owner for p in self)
        )

    def _cc_check_managed_fields(self, vals_list):
        if self.env.su or self.env.user.has_group("callcenter_cti.group_cc_manager"):
            return
        if any(name in vals for vals in vals_list for name in MANAGED_FIELDS):
            raise AccessError(self.env._("Only call center managers set VIP levels and owner agents."))

    @api.model
    def _cc_normalize(self, raw):
        """E.164 of ``raw`` as the bridge reads it: the user's company country, else China."""
        return phone.to_e164(raw, self.env.company.country_id.code or "CN")

    @api.model
    def _cc_find_by_number(self, raw):
        """Partner ids owning ``raw`` typed or delivered in any format, oldest first (the UI's lookup)."""
        e164 = self._cc_normalize(raw)
        return self._cc_find_by_e164([e164]).get(e164, []) if e164 else []

    @api.model
    def _cc_number_sources(self, numbers):
        """Every phone line of an active customer is a source of numbers too (an indexed equality, then the
        partner by primary key)."""
        line = SQL(
            "SELECT l.number_e164 AS number, l.partner_id FROM cc_partner_phone l"
            " JOIN res_partner p ON p.id = l.partner_id AND p.active WHERE l.number_e164 = ANY(%s)",
            numbers,
        )
        return super()._cc_number_sources(numbers) + [line]

    @api.model
    def _cc_flush_numbers(self):
        self.env["cc.partner.phone"].flush_model(["number_e164", "partner_id"])
        return super()._cc_flush_numbers()

    @api.model
    def _cc_routing_profiles(self, numbers=None):
        """Every number of the VIP or owned customers (or only ``numbers``) in one indexed query."""
        profiles = super()._cc_routing_profiles(numbers)
        if numbers is not None and not numbers:
            return profiles
        self.env["res.partner"].flush_model(["cc_phone_e164", "cc_vip_level", "cc_owner_agent_id", "active"])
        self.env["cc.partner.phone"].flush_model(["number_e164", "partner_id"])
        self.env["cc.agent"].flush_model(["extension", "active"])
        only = SQL("AND n.number = ANY(%s)", list(numbers)) if numbers else SQL()
        self.env.cr.execute(
            SQL(
                """
                SELECT n.number, p.cc_vip_level, a.extension
                  FROM res_partner p
                  LEFT JOIN cc_agent a ON a.id = p.cc_owner_agent_id AND a.active
                 CROSS JOIN LATERAL (
                        SELECT p.cc_phone_e164 AS number
                         UNION ALL
                        SELECT l.number_e164 FROM cc_partner_phone l WHERE l.partner_id = p.id
                       ) n
                 WHERE (p.cc_vip_level IS NOT NULL OR p.cc_owner_agent_id IS NOT NULL)
                   AND p.active AND n.number IS NOT NULL %s
                 ORDER BY p.id
                """,
                only,
            )
        )
        for number, level, extension in self.env.cr.fetchall():
            # The oldest customer of a shared number decides, as in _cc_find_by_e164.
            profiles.setdefault(
                number,
                {"vip": bool(level), "priority": VIP_PRIORITY.get(level), "owner_agent_extension": extension},
            )
        return profiles

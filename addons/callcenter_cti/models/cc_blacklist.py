from odoo import api, fields, models

from ..cti import phone


class CcBlacklist(models.Model):
    _name = "cc.blacklist"
    _description = "Blacklisted Number"
    _inherit = ["mail.thread"]
    _order = "create_date desc, id desc"
    _rec_name = "number"

    number = fields.Char(required=True, tracking=True, help="The number as typed or as the carrier sends it.")
    number_e164 = fields.Char(
        string="Number (E.164)",
        compute="_compute_number_e164",
        store=True,
        index=True,
        help="The number the calls are matched on (its digits when it has no E.164 form).",
    )
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound"), ("both", "Both")],
        required=True,
        default="inbound",
        tracking=True,
        help="Inbound: the caller is rejected before answer. Outbound: the number is never dialled.",
    )
    reason = fields.Char(tracking=True, help="Shown as the note of the rejected call.")
    expiry_date = fields.Datetime(tracking=True, help="The entry stops applying at this time. Empty: never.")
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    @api.depends("number", "company_id.country_id")
    def _compute_number_e164(self):
        for entry in self:
            country = entry.company_id.country_id.code or "CN"
            entry.number_e164 = phone.to_e164(entry.number, country) or phone.clean(entry.number) or False

    @api.model
    def _cc_is_blacklisted(self, e164, direction="outbound", now=None):
        """Whether ``e164`` may not be called (outbound) / may not call (inbound) now, for the campaigns."""
        now = now or fields.Datetime.now()
        # sudo: dialling code of any user must respect the blacklist, which only managers read
        return bool(
            self.sudo().search_count(
                [
                    ("number_e164", "=", e164),
                    ("direction", "in", [direction, "both"]),
                    ("company_id", "in", self.env.companies.ids),
                    "|",
                    ("expiry_date", "=", False),
                    ("expiry_date", ">", now),
                ],
                limit=1,
            )
        )

from odoo import api, fields, models

from .loyalty_card import CHECK_STATES

DESK_COUPONS = 10  # coupons listed in the screen-pop's section


class CcCall(models.Model):
    _inherit = "cc.call"

    cc_coupon_code = fields.Char(
        string="Check a Coupon Code",
        compute="_compute_cc_coupon_code",
        inverse="_inverse_cc_coupon_code",
        help="Type a code the customer reads out: its status, program and value show at once.",
    )
    cc_coupon_check_state = fields.Selection(
        CHECK_STATES, string="Code Status", compute="_compute_cc_coupon_check"
    )
    cc_coupon_check_info = fields.Char(string="Code Details", compute="_compute_cc_coupon_check")
    cc_coupon_ids = fields.One2many("loyalty.card", "cc_call_id", string="Coupons Issued", readonly=True)
    cc_partner_coupon_ids = fields.Many2many(
        "loyalty.card", string="Customer's Coupons", compute="_compute_cc_partner_coupon_ids"
    )

    def _compute_cc_coupon_code(self):
        self.cc_coupon_code = False

    def _inverse_cc_coupon_code(self):
        """A look-up field: nothing is stored."""

    @api.depends("cc_coupon_code")
    def _compute_cc_coupon_check(self):
        Card = self.env["loyalty.card"]
        for call in self:
            if not (call.cc_coupon_code or "").strip():
                call.cc_coupon_check_state = False
                call.cc_coupon_check_info = False
                continue
            result = Card._cc_check_code(call.cc_coupon_code)
            call.cc_coupon_check_state = result["state"]
            call.cc_coupon_check_info = result["message"]

    @api.depends("partner_id")
    def _compute_cc_partner_coupon_ids(self):
        for call in self:
            call.cc_partner_coupon_ids = call.partner_id._cc_coupons() if call.partner_id else False

    def action_cc_issue_coupon(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "callcenter_coupon.cc_coupon_issue_wizard_action"
        )
        action["context"] = {
            "default_call_id": self.id,
            "default_partner_ids": self.partner_id.ids,
        }
        return action

    def _cc_log_issued_coupons(self, cards):
        """Note the issue on the call's chatter (who, what, why)."""
        self.ensure_one()
        body = self.env._(
            "%(count)s coupon(s) of %(program)s issued to %(customer)s: %(reason)s",
            count=len(cards),
            program=", ".join(cards.program_id.mapped("name")),
            customer=", ".join(cards.partner_id.mapped("display_name")),
            reason=cards[:1].cc_reason,
        )
        # sudo: an agent may log on the call they are on without write access to every call field
        self.sudo().message_post(body=body + cards._cc_issue_summary(), author_id=self.env.user.partner_id.id)

    # -- the screen-pop -----------------------------------------------------------------------------------
    def _cc_desk_sections(self):
        return super()._cc_desk_sections() + [self._cc_coupons_section()]

    def _cc_coupons_section(self, limit=DESK_COUPONS):
        """The customer's coupons, usable ones first, with the counts in the title."""
        cards = self.partner_id._cc_coupons() if self.partner_id else self.env["loyalty.card"]
        counts = self.partner_id._cc_coupon_counts(cards) if self.partner_id else {}
        order = {"valid": 0, "used": 1, "expired": 2}
        shown = cards.sorted(lambda c: (order[c.cc_state], -c.id))[:limit]
        title = self.env._(
            "Coupons: %(available)s available · %(used)s used · %(expired)s expired",
            available=counts.get("valid", 0),
            used=counts.get("used", 0),
            expired=counts.get("expired", 0),
        )
        labels = {state: self.env["loyalty.card"]._cc_state_label(state) for state in order}
        return {
            "key": "coupons",
            "title": title,
            "records": [
                {
                    "id": card.id,
                    "model": "loyalty.card",
                    "name": card.code,
                    "subtitle": " · ".join(
                        part
                        for part in (
                            card.program_id.name,
                            card.cc_value_label,
                            card.expiration_date
                            and self.env._("until %s", fields.Date.to_string(card.expiration_date)),
                        )
                        if part
                    ),
                    "state": labels[card.cc_state],
                }
                for card in shown
            ],
        }

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    cc_coupon_count = fields.Integer(string="Coupons", compute="_compute_cc_coupon_counts")
    cc_coupon_valid_count = fields.Integer(string="Available Coupons", compute="_compute_cc_coupon_counts")
    cc_coupon_used_count = fields.Integer(string="Used Coupons", compute="_compute_cc_coupon_counts")
    cc_coupon_expired_count = fields.Integer(string="Expired Coupons", compute="_compute_cc_coupon_counts")
    cc_coupon_card_ids = fields.Many2many(
        "loyalty.card", string="Coupon History", compute="_compute_cc_coupon_counts"
    )

    def _cc_coupons(self):
        """The coupons (coupon programs' cards) of these customers and their contacts, newest first."""
        if not self.ids:
            return self.env["loyalty.card"]
        return (
            self.env["loyalty.card"]
            .with_context(active_test=False)
            .search(
                [("partner_id", "child_of", self.ids), ("program_id.program_type", "=", "coupons")],
                order="id desc",
            )
        )

    def _cc_coupon_counts(self, cards=None):
        cards = self._cc_coupons() if cards is None else cards
        counts = {"total": len(cards), "valid": 0, "used": 0, "expired": 0}
        for card in cards:
            counts[card.cc_state] += 1
        return counts

    def _compute_cc_coupon_counts(self):
        Card = self.env["loyalty.card"]
        if not Card.has_access("read"):
            self.cc_coupon_count = self.cc_coupon_valid_count = 0
            self.cc_coupon_used_count = self.cc_coupon_expired_count = 0
            self.cc_coupon_card_ids = False
            return
        for partner in self:
            cards = partner._origin._cc_coupons()
            counts = partner._cc_coupon_counts(cards)
            partner.cc_coupon_count = counts["total"]
            partner.cc_coupon_valid_count = counts["valid"]
            partner.cc_coupon_used_count = counts["used"]
            partner.cc_coupon_expired_count = counts["expired"]
            partner.cc_coupon_card_ids = cards

    def action_cc_view_coupons(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("callcenter_coupon.cc_coupon_action")
        action["domain"] = [("partner_id", "child_of", self.id), ("program_id.program_type", "=", "coupons")]
        action["context"] = {"create": False, "active_test": False}
        return action

    def action_cc_issue_coupon(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "callcenter_coupon.cc_coupon_issue_wizard_action"
        )
        action["context"] = {"default_partner_ids": self.ids}
        return action

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..models.loyalty_card import MAX_PER_ISSUE


class CcCouponIssueWizard(models.TransientModel):
    """Issue coupons to the caller (from the call desk) or to every selected customer (bulk, campaigns)."""

    _name = "cc.coupon.issue.wizard"
    _description = "Issue Coupons"

    call_id = fields.Many2one("cc.call", readonly=True)
    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    program_id = fields.Many2one(
        "loyalty.program",
        string="Coupon Program",
        required=True,
        domain=lambda self: self.env["loyalty.program"]._cc_issuable_domain(),
    )
    count = fields.Integer(string="Coupons per Customer", default=1, required=True)
    reason = fields.Char(required=True, help="Why the customer receives it (kept with the coupon).")
    channel = fields.Selection(
        [("auto", "SMS, else e-mail"), ("sms", "SMS"), ("email", "E-mail"), ("none", "Do not send")],
        string="Send the Code By",
        default="auto",
        required=True,
    )
    expiration_date = fields.Date(
        string="Valid Until", compute="_compute_expiration_date", store=True, readonly=False
    )
    value_label = fields.Char(string="Value", compute="_compute_value")
    needs_manager = fields.Boolean(compute="_compute_value")
    partner_count = fields.Integer(string="Number of Customers", compute="_compute_value")

    @api.depends("program_id")
    def _compute_expiration_date(self):
        for wizard in self:
            wizard.expiration_date = wizard.program_id._cc_expiration_date() if wizard.program_id else False

    @api.depends("program_id", "count", "partner_ids")
    @api.depends_context("uid")
    def _compute_value(self):
        limit = self.env.company.cc_coupon_approval_amount
        is_manager = self.env.user.has_group("callcenter_cti.group_cc_manager")
        for wizard in self:
            wizard.partner_count = len(wizard.partner_ids)
            program = wizard.program_id.sudo()
            wizard.value_label = program._cc_value_label() if program else False
            value = program._cc_coupon_value() if program else 0.0
            wizard.needs_manager = bool(
                program
                and not is_manager
                and limit > 0
                and (value is None or value * (wizard.count or 1) > limit)
            )

    @api.constrains("count")
    def _check_count(self):
        for wizard in self:
            if not 1 <= wizard.count <= MAX_PER_ISSUE:
                raise ValidationError(self.env._("Issue between 1 and %s coupons at a time.", MAX_PER_ISSUE))

    def action_issue(self):
        self.ensure_one()
        cards = self.env["loyalty.card"]._cc_issue_coupons(
            self.program_id,
            self.partner_ids,
            self.reason,
            call=self.call_id or None,
            count=self.count,
            channel=self.channel,
            expiration_date=self.expiration_date,
        )
        message = self.env._(
            "%(count)s coupon(s) issued: %(codes)s",
            count=len(cards),
            codes=", ".join(cards[:10].mapped("code")) + (" …" if len(cards) > 10 else ""),
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": message,
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

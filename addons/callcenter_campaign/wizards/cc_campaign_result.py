from odoo import api, fields, models
from odoo.exceptions import UserError


class CcCampaignResult(models.TransientModel):
    """The agent's wrap-up of a campaign call: what the line did, what the customer said, then the next."""

    _name = "cc.campaign.result"
    _description = "Campaign Call Result"

    target_id = fields.Many2one("cc.campaign.target", required=True)
    call_result_id = fields.Many2one("cc.campaign.outcome", required=True, domain=[("kind", "=", "call")])
    is_contact = fields.Boolean(related="call_result_id.is_contact")
    marketing_result_id = fields.Many2one("cc.campaign.outcome", domain=[("kind", "=", "marketing")])
    needs_date = fields.Boolean(related="marketing_result_id.needs_date")
    callback_at = fields.Datetime(string="Call Back At")
    note = fields.Text()
    auto_next = fields.Boolean(string="Open the Next Target", default=True)

    @api.onchange("call_result_id")
    def _onchange_call_result_id(self):
        if not self.call_result_id.is_contact:
            self.marketing_result_id = False

    def action_save(self):
        self.ensure_one()
        if self.needs_date and not self.callback_at:
            raise UserError(self.env._("Say when to call back."))
        marketing = self.marketing_result_id if self.call_result_id.is_contact else None
        self.target_id._cc_record_result(self.call_result_id, marketing, self.callback_at, self.note)
        if self.auto_next:
            return self.target_id.action_next()
        return self.target_id._cc_form_action()

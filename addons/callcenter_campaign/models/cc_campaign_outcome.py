from odoo import fields, models


class CcCampaignOutcome(models.Model):
    """A result an attempt can end with: what the line did (call result) or what the customer said
    (marketing result), and what happens to the target next (the retry policy)."""

    _name = "cc.campaign.outcome"
    _description = "Campaign Outcome"
    _order = "kind, sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Stable key used by the dialer and the reports.")
    kind = fields.Selection(
        [("call", "Call result"), ("marketing", "Marketing result")], required=True, default="call"
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    is_contact = fields.Boolean(string="Customer Reached", help="Counts as a contact in the contact rate.")
    is_success = fields.Boolean(string="Conversion", help="Counts as a conversion (a deal).")
    retry = fields.Boolean(help="Call the target again after the delay, up to the maximum attempts.")
    retry_delay = fields.Integer(string="Retry After (min)", default=60)
    max_attempts = fields.Integer(help="Attempts allowed for this outcome; 0 = the campaign's maximum.")
    needs_date = fields.Boolean(
        string="Asks for a Date", help="The agent gives the time to call back (the retry happens then)."
    )

    _code_kind_unique = models.Constraint("UNIQUE(code, kind)", "An outcome code is unique per kind.")

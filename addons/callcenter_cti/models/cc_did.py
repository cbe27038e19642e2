from odoo import api, fields, models

from ..cti import agi_routing


class CcDid(models.Model):
    _name = "cc.did"
    _description = "Inbound Number (DID)"
    _order = "server_id, number"

    name = fields.Char(required=True, translate=True, help="What this number is for, e.g. Sales hotline.")
    number = fields.Char(
        required=True,
        help="The dialled number as the carrier delivers it; stored in E.164 (short internal numbers as "
        "digits).",
    )
    active = fields.Boolean(default=True)
    server_id = fields.Many2one("cc.pbx.server", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="server_id.company_id", store=True, index=True)
    queue_id = fields.Many2one(
        "cc.queue",
        domain="[('server_id', '=', server_id)]",
        help="Queue of callers who choose nothing in the menu. Empty: the dialplan's DEFAULT_QUEUE.",
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        help="Open during these hours, except the calendar's public holidays (time off without resource). "
        "Empty: always open.",
    )
    welcome_prompt = fields.Char(
        help="Asterisk sound played after answering (file[&file...], no extension), or 'none'. "
        "Empty: the dialplan's WELCOME_PROMPT.",
    )
    language = fields.Char(help="Asterisk language of the prompts, e.g. en or zh. Empty: the phone line's.")
    welcome_prompt_id = fields.Many2one(
        "cc.prompt",
        string="Welcome Recording",
        domain="[('server_id', '=', server_id)]",
        help="The welcome (企业彩铃) uploaded or typed in Odoo; it replaces the Welcome Prompt sound name.",
    )
    ivr_menu_id = fields.Many2one(
        "cc.ivr.menu",
        string="Voice Menu",
        domain="[('server_id', '=', server_id)]",
        help="The menu built in Odoo for this number (open hours); it replaces the dialplan menu below.",
    )
    ivr_closed_menu_id = fields.Many2one(
        "cc.ivr.menu",
        string="Voice Menu (closed)",
        domain="[('server_id', '=', server_id)]",
        help="The menu outside working hours and on holidays (e.g. self-service or a message). Empty: the "
        "after-hours voicemail.",
    )
    ivr_menu = fields.Char(
        string="IVR Menu",
        help="Dialplan menu context ivr-<name>, or 'none' to go straight to the queue. Empty: main.",
    )
    ivr_prompt = fields.Char(string="IVR Prompt", help="Sound of the menu. Empty: the dialplan's IVR_PROMPT.")
    survey = fields.Boolean(string="Post-call Survey", default=True)
    record_calls = fields.Boolean(
        default=True, help="Record the conversation (MixMonitor) of this number's calls."
    )
    announce_agent = fields.Boolean(
        string="Announce Agent Number",
        help="Read the agent's number (工号) to the caller before connecting them.",
    )
    max_wait = fields.Integer(
        string="Maximum Wait (s)", help="Seconds in the queue before overflow. 0: the dialplan's MAX_WAIT."
    )
    overflow = fields.Char(help="Where callers go when the queue gives up: 'voicemail' or a queue name.")
    mailbox = fields.Char(help="After-hours mailbox (box@context). Empty: the dialplan's AFTERHOURS_MAILBOX.")
    moh = fields.Char(
        string="Music on Hold", help="Music class while waiting. Empty: the dialplan's default."
    )
    last_agent_days = fields.Integer(
        string="Last Agent (days)",
        default=30,
        help="Rings first the agent who answered the caller last within this many days, when that agent is "
        "ready. 0: off.",
    )

    _server_number_unique = models.Constraint(
        "UNIQUE(server_id, number)", "A number can be configured only once per PBX server."
    )
    _max_wait_positive = models.Constraint("CHECK(max_wait >= 0)", "The maximum wait cannot be negative.")
    _last_agent_days_positive = models.Constraint(
        "CHECK(last_agent_days >= 0)", "The last-agent window cannot be negative."
    )

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._normalised(vals) for vals in vals_list])

    def write(self, vals):
        if "number" in vals and len(self.server_id) > 1:
            # each server reads numbers in its own country
            return all(did.write(vals) for did in self)
        return super().write(self._normalised(vals, self.server_id))

    def _normalised(self, vals, server=None):
        """``vals`` with the number as the routing service looks it up (agi_routing.did_key)."""
        if not vals.get("number"):
            return vals
        server = self.env["cc.pbx.server"].browse(vals["server_id"]) if vals.get("server_id") else server
        country = server._country_code() if server else "CN"
        return vals | {"number": agi_routing.did_key(vals["number"], country) or vals["number"]}

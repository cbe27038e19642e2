import datetime
import re

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.callcenter_cti.cti import phone

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


class CcCampaign(models.Model):
    """An outbound campaign: a list of targets dialled by agents (preview, progressive, predictive) or by the
    PBX alone (IVR notification), inside the calendar's working time, until every target is done."""

    _name = "cc.campaign"
    _description = "Outbound Campaign"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        copy=False,
        help="Short key without commas, sent to the PBX as CAMPAIGN (IVR notifications) and used in reports.",
    )
    campaign_type = fields.Selection(
        [
            ("preview", "Preview"),
            ("progressive", "Progressive"),
            ("predictive", "Predictive"),
            ("ivr_notification", "IVR notification"),
        ],
        string="Dialing Mode",
        required=True,
        default="preview",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("paused", "Paused"), ("done", "Stopped")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    server_id = fields.Many2one(
        "cc.pbx.server", string="PBX Server", help="Where IVR notifications are originated."
    )
    agent_ids = fields.Many2many("cc.agent", string="Agents")
    queue_ids = fields.Many2many(
        "cc.queue", string="Agent Groups", help="Every member of these queues works the campaign too."
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Calling Hours",
        help="Targets are dialled only inside these working hours (always when empty).",
    )
    date_start = fields.Datetime(string="Start")
    date_end = fields.Datetime(string="End")
    script = fields.Html(
        translate=True,
        help="What the agent says. Placeholders: {{name}}, {{first_name}}, {{phone}}, {{company}}, "
        "{{agent}}, {{campaign}}.",
    )
    max_attempts = fields.Integer(default=3, help="Attempts per target at most, whatever the outcome.")
    batch_size = fields.Integer(string="Preview Batch", default=5, help="Targets an agent takes at once.")
    max_concurrent = fields.Integer(
        string="Concurrent Calls", default=5, help="IVR notifications in progress at once, at most."
    )
    drop_rate_cap = fields.Float(
        string="Abandon Rate Cap (%)", default=3.0, help="Predictive pacing slows down above this rate."
    )
    notify_prompt = fields.Char(
        string="Notification Prompt",
        help="Asterisk sound files (NOTIFY_PROMPT); the dialplan's default when empty.",
    )
    target_ids = fields.One2many("cc.campaign.target", "campaign_id", string="Targets")
    attempt_ids = fields.One2many("cc.campaign.attempt", "campaign_id", string="Attempts")
    target_count = fields.Integer(compute="_compute_progress")
    done_count = fields.Integer(string="Done", compute="_compute_progress")
    pending_count = fields.Integer(string="To Call", compute="_compute_progress")
    progress = fields.Float(compute="_compute_progress", help="Share of targets done (%).")
    attempt_count = fields.Integer(compute="_compute_progress")

    _code_unique = models.Constraint("UNIQUE(company_id, code)", "The campaign code must be unique.")

    @api.depends("target_ids.state", "attempt_ids")
    def _compute_progress(self):
        for campaign in self:
            states = campaign.target_ids.mapped("state")
            done = sum(1 for state in states if state in ("done", "dnc", "invalid"))
            campaign.target_count = len(states)
            campaign.done_count = done
            campaign.pending_count = states.count("pending")
            campaign.progress = 100.0 * done / len(states) if states else 0.0
            campaign.attempt_count = len(campaign.attempt_ids)

    @api.constrains("code")
    def _check_code(self):
        for campaign in self:
            if not re.fullmatch(r"[A-Za-z0-9_.-]+", campaign.code or ""):
                raise UserError(
                    self.env._("The campaign code may hold only letters, digits, '.', '_' and '-'.")
                )

    def action_start(self):
        for campaign in self:
            if not campaign.target_ids:
                raise UserError(self.env._("Import or add targets before starting %s.", campaign.name))
            if campaign.campaign_type == "ivr_notification" and not campaign.server_id:
                raise UserError(self.env._("Choose the PBX server that sends the notifications."))
        self.state = "running"

    def action_pause(self):
        self.filtered(lambda c: c.state == "running").state = "paused"

    def action_stop(self):
        self.state = "done"
        # Targets an agent took but did not call go back to the list (a restart finds them).
        self.target_ids.filtered(lambda t: t.state == "claimed").write({"state": "pending"})

    def action_reset(self):
        self.state = "draft"

    def action_open_targets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "callcenter_campaign.cc_campaign_target_action"
        )
        action.update(domain=[("campaign_id", "=", self.id)], context={"default_campaign_id": self.id})
        return action

    def action_open_attempts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "callcenter_campaign.cc_campaign_attempt_action"
        )
        action.update(domain=[("campaign_id", "=", self.id)], context={})
        return action

    def action_import(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "cc.campaign.import",
            "view_mode": "form",
            "target": "new",
            "context": {"default_campaign_id": self.id},
        }

    def action_take_batch(self):
        """Preview dialing: the current agent takes a batch of targets and opens the first."""
        self.ensure_one()
        agent = self.env["cc.agent"]._cc_my_agent()
        targets = self.env["cc.campaign.target"]._cc_claim(self, self.batch_size, agent)
        mine = self.env["cc.campaign.target"]._cc_my_claimed(self, agent)
        if not mine:
            raise UserError(self.env._("Nothing to call in %s right now.", self.name))
        return (targets or mine)[:1]._cc_form_action()

    def action_assign_evenly(self):
        """Share the unassigned targets still to call among the campaign's agents, round robin."""
        for campaign in self:
            agents = campaign._cc_agents()
            if not agents:
                raise UserError(self.env._("Add agents or agent groups to %s first.", campaign.name))
            targets = campaign.target_ids.filtered(lambda t: t.state == "pending" and not t.agent_id)
            for index, target in enumerate(targets.sorted("id")):
                target.agent_id = agents[index % len(agents)]

    def action_export_xlsx(self):
        """The campaign's report (per agent and per outcome) as an Excel file."""
        attachment = self.env["cc.campaign.attempt"]._cc_report_attachment(self)
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true"}

    # -- business methods ----------------------------------------------------------------------------------
    def _cc_agents(self):
        self.ensure_one()
        return (self.agent_ids | self.queue_ids.member_ids.agent_id).filtered("active")

    def _cc_country(self):
        self.ensure_one()
        if self.server_id:
            return self.server_id._country_code()
        return self.company_id.country_id.code or "CN"

    def _cc_e164(self, raw):
        return phone.to_e164(str(raw), self._cc_country()) if raw else None

    def _cc_in_window(self, now=None):
        """May this campaign dial at ``now`` (naive UTC): running, in its dates and calling hours."""
        self.ensure_one()
        now = now or fields.Datetime.now()
        if self.state != "running":
            return False
        if (self.date_start and now < self.date_start) or (self.date_end and now > self.date_end):
            return False
        return not self.calendar_id or self._cc_in_calendar(now)

    def _cc_in_calendar(self, now):
        start = fields.Datetime.to_datetime(now).replace(tzinfo=datetime.UTC)
        end = start + datetime.timedelta(seconds=1)
        return bool(list(self.calendar_id._work_intervals_batch(start, end)[False]))

    def _cc_render_script(self, target):
        """The script with its placeholders filled from the target's customer (HTML-escaped)."""
        self.ensure_one()
        partner = target.partner_id
        values = {
            "name": partner.name or target.name or "",
            "first_name": (partner.name or target.name or "").split(" ")[0],
            "phone": target.number_e164 or target.number or "",
            "company": partner.commercial_company_name or partner.parent_id.name or "",
            "agent": target.agent_id.name or self.env.user.name,
            "campaign": self.name,
        }
        script = str(self.script or "")
        return Markup(_PLACEHOLDER.sub(lambda m: str(escape(values.get(m.group(1), m.group(0)))), script))

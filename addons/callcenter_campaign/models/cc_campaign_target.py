import datetime
import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# How a notification call ended (cc.call disposition) -> call result outcome code.
_NOTIFY_OUTCOME = {"answered": "answered", "no_answer": "no_answer", "busy": "busy"}
# A notification still unanswered after this long is counted as failed (the PBX never told).
NOTIFY_STALE_MINUTES = 10


class CcCampaignTarget(models.Model):
    """One number to call in a campaign: its customer, the agent working it, its attempts and results."""

    _name = "cc.campaign.target"
    _description = "Campaign Target"
    _order = "campaign_id, sequence, id"
    _rec_name = "name"

    campaign_id = fields.Many2one("cc.campaign", required=True, ondelete="cascade", index=True)
    campaign_type = fields.Selection(related="campaign_id.campaign_type")
    company_id = fields.Many2one(related="campaign_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True)
    number = fields.Char(required=True, help="The number as imported or typed.")
    number_e164 = fields.Char(string="Number (E.164)", required=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Customer", index="btree_not_null")
    agent_id = fields.Many2one("cc.agent", index="btree_not_null")
    state = fields.Selection(
        [
            ("pending", "To call"),
            ("claimed", "Taken"),
            ("dialing", "In progress"),
            ("done", "Done"),
            ("dnc", "Do not call"),
            ("invalid", "Invalid number"),
        ],
        default="pending",
        required=True,
        index=True,
    )
    attempt_count = fields.Integer(string="Attempts", readonly=True)
    next_attempt_at = fields.Datetime(string="Next Attempt", help="Not called again before this time.")
    claimed_at = fields.Datetime(readonly=True)
    call_result_id = fields.Many2one("cc.campaign.outcome", domain=[("kind", "=", "call")], readonly=True)
    marketing_result_id = fields.Many2one(
        "cc.campaign.outcome", domain=[("kind", "=", "marketing")], readonly=True
    )
    callback_at = fields.Datetime(string="Call Back At", readonly=True)
    digit = fields.Char(string="Key Pressed", readonly=True, help="IVR notification: the customer's answer.")
    notify_linkedid = fields.Char(
        string="Notification Call ID", readonly=True, index="btree_not_null", copy=False
    )
    note = fields.Text()
    attempt_ids = fields.One2many("cc.campaign.attempt", "target_id", string="Attempt History")
    script_html = fields.Html(string="Script", compute="_compute_script_html", sanitize=False)

    _campaign_number_unique = models.Constraint(
        "UNIQUE(campaign_id, number_e164)", "A number is listed once per campaign."
    )
    _claim_idx = models.Index("(campaign_id, next_attempt_at, id) WHERE state = 'pending'")

    @api.depends("campaign_id.script", "partner_id", "agent_id")
    def _compute_script_html(self):
        for target in self:
            target.script_html = target.campaign_id._cc_render_script(target)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("number") and not vals.get("number_e164"):
                campaign = self.env["cc.campaign"].browse(vals.get("campaign_id"))
                vals["number_e164"] = self._cc_checked_e164(campaign, vals["number"])
        targets = super().create(vals_list)
        targets.filtered(lambda t: not t.partner_id)._cc_match_partners()
        return targets

    # -- actions ---------------------------------------------------------------------------------------------
    def action_dial(self):
        """One key: the agent's phone rings, then the customer (click-to-dial linked back to this target)."""
        self.ensure_one()
        self._cc_check_dialable()
        agent = self.env["cc.agent"]._cc_my_agent()
        answer = self.env["cc.agent"].cc_desk_dial(self.number_e164, self._name, self.id)
        command = self.env["cc.cti.command"].browse(answer["command_id"])
        self._cc_start_attempt(agent, command.linkedid, "agent", command)
        return self._cc_form_action()

    def action_record_result(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Call Result"),
            "res_model": "cc.campaign.result",
            "view_mode": "form",
            "target": "new",
            "context": {"default_target_id": self.id},
        }

    def action_release(self):
        """Give taken targets back to the list (another agent may take them)."""
        self.filtered(lambda t: t.state == "claimed").write({"state": "pending", "claimed_at": False})

    def action_next(self):
        """The agent's next taken target of the same campaign, taking a new batch when none is left."""
        self.ensure_one()
        campaign = self.campaign_id
        agent = self.env["cc.agent"]._cc_my_agent()
        mine = self._cc_my_claimed(campaign, agent) - self
        if not mine and campaign._cc_in_window():
            mine = self._cc_claim(campaign, campaign.batch_size, agent)
        if not mine:
            return {"type": "ir.actions.act_window_close"}
        return mine[:1]._cc_form_action()

    # -- claiming --------------------------------------------------------------------------------------------
    @api.model
    def _cc_claim(self, campaign, limit, agent=None, now=None, apart=None):
        """Take up to ``limit`` targets of ``campaign`` that are due, for ``agent`` (or the dialer).

        One UPDATE over a ``FOR UPDATE SKIP LOCKED`` selection: concurrent claimers lock disjoint rows, so no
        target ever reaches two agents, and nobody waits on another's lock. ``apart``: in a short READ
        COMMITTED transaction of its own, committed at once (see ``_cc_claim_apart``); otherwise in the
        current transaction: the IVR cron (the only claimer of its campaign, it writes the rows next), and
        with the context key ``cc_claim_in_transaction`` (model tests, whose data is not committed).
        """
        if limit <= 0:
            return self.browse()
        self.flush_model()
        query = self._cc_claim_query(campaign, limit, agent, now or fields.Datetime.now())
        if apart is None:
            apart = not self.env.context.get("cc_claim_in_transaction")
        if apart:
            ids = self._cc_claim_apart(query)
        else:
            ids = [row[0] for row in self.env.execute_query(query)]
        self.invalidate_model(["state", "claimed_at", "agent_id", "write_date", "write_uid"])
        return self.browse(sorted(ids))

    def _cc_claim_query(self, campaign, limit, agent, now):
        agent_id = agent.id if agent else None
        mine = SQL("(agent_id IS NULL OR agent_id = %s)", agent_id) if agent_id else SQL("TRUE")
        return SQL(
            """
            UPDATE cc_campaign_target t
               SET state = 'claimed', claimed_at = %(now)s, agent_id = COALESCE(%(agent)s, t.agent_id),
                   write_date = %(now)s, write_uid = %(uid)s
             WHERE t.id IN (
                    SELECT id FROM cc_campaign_target
                     WHERE campaign_id = %(campaign)s AND state = 'pending' AND %(mine)s
                       AND (next_attempt_at IS NULL OR next_attempt_at <= %(now)s)
                     ORDER BY next_attempt_at NULLS FIRST, sequence, id
                     LIMIT %(limit)s
                       FOR UPDATE SKIP LOCKED)
         RETURNING t.id
            """,
            now=now,
            agent=agent_id,
            uid=self.env.uid,
            campaign=campaign.id,
            mine=mine,
            limit=limit,
        )

    @api.model
    def _cc_claim_apart(self, query):
        """Run the claim in its own transaction, READ COMMITTED, committed when the block ends.

        Odoo's transactions are REPEATABLE READ: there, a row another agent claimed after this request's
        snapshot cannot be skipped, only fail the request (serialization failure, request run again); under
        contention most claims would. READ COMMITTED re-reads such a row, sees it taken and passes on. The
        claim is a reservation: it stays even if the rest of the request fails (the agent gives it back).
        """
        with self.env.registry.cursor() as cr:
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            cr.execute(query)
            return [row[0] for row in cr.fetchall()]

    @api.model
    def _cc_my_claimed(self, campaign, agent):
        return self.search(
            [("campaign_id", "=", campaign.id), ("agent_id", "=", agent.id), ("state", "=", "claimed")],
            order="claimed_at, id",
        )

    # -- attempts and results --------------------------------------------------------------------------------
    def _cc_check_dialable(self):
        if self.state not in ("pending", "claimed"):
            raise UserError(self.env._("%s is not to be called now.", self.name))
        if not self.campaign_id._cc_in_window():
            raise UserError(self.env._("The campaign %s is not calling now.", self.campaign_id.name))
        if self.env["cc.blacklist"]._cc_is_blacklisted(self.number_e164, "outbound"):
            raise UserError(self.env._("%s is on the do-not-call list.", self.number_e164))

    def _cc_start_attempt(self, agent, linkedid, mode, command=None):
        self.ensure_one()
        values = {"state": "dialing", "attempt_count": self.attempt_count + 1}
        if agent and not self.agent_id:
            values["agent_id"] = agent.id  # dialled from the list without taking it first
        self.write(values)
        return self.env["cc.campaign.attempt"].create(
            {
                "target_id": self.id,
                "agent_id": agent.id if agent else False,
                "mode": mode,
                "linkedid": linkedid,
                "command_id": command.id if command else False,
            }
        )

    def _cc_record_result(self, call_result, marketing_result=None, callback_at=None, note=None, digit=None):
        """Close the running attempt with its results and decide, by the retry policy, what comes next."""
        self.ensure_one()
        attempt = self.attempt_ids.filtered(lambda a: not a.call_result_id)[:1]
        if not attempt:
            attempt = self._cc_start_attempt(self.agent_id, False, "agent")
        attempt._cc_close(call_result, marketing_result, note, digit)
        self.write(
            {
                "call_result_id": call_result.id,
                "marketing_result_id": marketing_result.id if marketing_result else False,
                "callback_at": callback_at or False,
                "digit": digit or self.digit,
                **self._cc_next_step(marketing_result or call_result, callback_at),
            }
        )
        return attempt

    def _cc_next_step(self, outcome, callback_at=None, now=None):
        """The retry policy: again later (pending, due at a time) or done."""
        now = now or fields.Datetime.now()
        allowed = min(outcome.max_attempts or self.campaign_id.max_attempts, self.campaign_id.max_attempts)
        if outcome.needs_date and callback_at:
            return {"state": "pending", "next_attempt_at": callback_at, "claimed_at": False}
        if outcome.retry and self.attempt_count < allowed:
            due = now + datetime.timedelta(minutes=outcome.retry_delay)
            return {"state": "pending", "next_attempt_at": due, "claimed_at": False}
        return {"state": "done", "next_attempt_at": False}

    def _cc_form_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(self.env.ref("callcenter_campaign.cc_campaign_target_view_form").id, "form")],
            "target": "current",
        }

    # -- customers and numbers -----------------------------------------------------------------------------
    @api.model
    def _cc_checked_e164(self, campaign, raw):
        e164 = campaign._cc_e164(raw)
        if not e164:
            raise UserError(self.env._("%s is not a valid phone number.", raw))
        return e164

    def _cc_match_partners(self, create_missing=True):
        """Link each target to the customer owning its number (oldest first), or create that customer."""
        found = self.env["res.partner"]._cc_find_by_e164(self.mapped("number_e164"))
        for target in self:
            ids = found.get(target.number_e164)
            if ids:
                target.partner_id = ids[0]
            elif create_missing:
                target.partner_id = self.env["res.partner"].create(
                    {"name": target.name, "phone": target.number_e164, "company_id": False}
                )

    # -- IVR notifications (cron) ------------------------------------------------------------------------
    @api.model
    def _cc_cron_notify(self):
        for campaign in self.env["cc.campaign"].search(
            [("state", "=", "running"), ("campaign_type", "=", "ivr_notification")]
        ):
            self._cc_expire_stale(campaign)
            if campaign._cc_in_window():
                self._cc_originate_batch(campaign)

    @api.model
    def _cc_originate_batch(self, campaign):
        """Originate notifications into the dialplan's [notify] context, under the concurrency cap."""
        busy = self.search_count([("campaign_id", "=", campaign.id), ("state", "=", "dialing")])
        targets = self._cc_claim(campaign, campaign.max_concurrent - busy, apart=False)
        for target in targets:
            if self.env["cc.blacklist"]._cc_is_blacklisted(target.number_e164, "outbound"):
                target.state = "dnc"
                continue
            target._cc_originate_notification()
        return targets

    def _cc_originate_notification(self):
        self.ensure_one()
        campaign, digits = self.campaign_id, self.number_e164.lstrip("+")
        linkedid = f"notify-{digits}-{uuid.uuid4().hex[:12]}"
        variables = f"CAMPAIGN={campaign.code},NOTIFY_NUMBER={digits}"
        if campaign.notify_prompt:
            variables += f",NOTIFY_PROMPT={campaign.notify_prompt}"
        originate = {
            "Action": "Originate",
            "Channel": f"Local/{self.number_e164}@cc-outbound",
            "Context": "notify",
            "Exten": "s",
            "Priority": "1",
            "Timeout": "30000",
            "Async": "true",
            "ChannelId": linkedid,
            "OtherChannelId": f"{linkedid}-phone",
            "Variable": variables,
        }
        command = self.env["cc.cti.command"]._cc_enqueue(
            campaign.server_id, "other", [originate], reason=f"{campaign.code} {self.number_e164}",
            linkedid=linkedid, res_model=self._name, res_id=self.id,
        )  # fmt: skip
        self.notify_linkedid = linkedid
        return self._cc_start_attempt(False, linkedid, "ivr", command)

    @api.model
    def _cc_expire_stale(self, campaign, now=None):
        """Notifications the PBX never reported on (bridge down, lost event) fail and retry by policy."""
        limit = (now or fields.Datetime.now()) - datetime.timedelta(minutes=NOTIFY_STALE_MINUTES)
        stale = self.search(
            [("campaign_id", "=", campaign.id), ("state", "=", "dialing"), ("write_date", "<", limit)]
        )
        failed = self.env.ref("callcenter_campaign.cc_campaign_outcome_failed")
        for target in stale:
            target._cc_record_result(failed)

    @api.model
    def _cc_notify_results(self, calls):
        """Ended notification calls (from the bridge) -> result, key pressed and retry of their targets."""
        calls = calls.filtered(lambda c: c.state == "ended" and (c.linkedid or "").startswith("notify-"))
        for call in calls:
            target = self._cc_target_of_notification(call)
            if target:
                target._cc_notification_ended(call)

    def _cc_target_of_notification(self, call):
        """The target the call notified: by the Call ID it was originated with, else (a PBX that chose
        its own ids) the number's notification still in progress."""
        target = self.search([("notify_linkedid", "=", call.linkedid), ("state", "=", "dialing")], limit=1)
        if target or not call.callee_raw:
            return target
        number = "+" + call.callee_raw.lstrip("+")
        return self.search(
            [
                ("number_e164", "=", number),
                ("state", "=", "dialing"),
                ("campaign_type", "=", "ivr_notification"),
            ],
            order="write_date, id",
            limit=1,
        )

    def _cc_notification_ended(self, call):
        code = _NOTIFY_OUTCOME.get(call.disposition, "failed")
        outcome = self.env["cc.campaign.outcome"].search(
            [("kind", "=", "call"), ("code", "=", code)], limit=1
        )
        attempt = self.attempt_ids.filtered(lambda a: not a.call_result_id)[:1]
        attempt.write({"call_id": call.id, "linkedid": call.linkedid})
        call.write(
            {
                "res_model": self._name,
                "res_id": self.id,
                "partner_id": call.partner_id.id or self.partner_id.id,
            }
        )
        self._cc_record_result(outcome, digit=call.ivr_digits or False)

import re

from odoo import fields, models
from odoo.exceptions import AccessError, UserError

AGENT_STATES = [
    ("logged_out", "Logged out"),
    ("ready", "Ready"),
    ("paused", "Paused"),
    ("ringing", "Ringing"),
    ("on_call", "On call"),
    ("wrap_up", "Wrap-up"),
]


class CcAgent(models.Model):
    _name = "cc.agent"
    _description = "Call Center Agent"
    _inherit = ["mail.thread"]
    _order = "extension"
    _rec_names_search = ["name", "extension"]
    _mail_post_access = "read"  # supervisors (read-only on agents) log their actions on the agent's chatter

    name = fields.Char(required=True)
    user_id = fields.Many2one("res.users", index=True, tracking=True)
    extension = fields.Char(required=True, tracking=True, help="The agent's extension, e.g. 8001.")
    interface = fields.Char(help="Dial interface of the agent's phone, e.g. PJSIP/8001.")
    state_interface = fields.Char(help="Device-state interface Asterisk watches, e.g. PJSIP/8001.")
    server_id = fields.Many2one("cc.pbx.server", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="server_id.company_id", store=True, index=True)
    active = fields.Boolean(default=True)
    queue_member_ids = fields.One2many("cc.queue.member", "agent_id", string="Queue Memberships")
    state = fields.Selection(AGENT_STATES, default="logged_out", readonly=True, copy=False)
    state_since = fields.Datetime(readonly=True, copy=False)
    state_reason = fields.Char(string="Pause Reason", readonly=True, copy=False)
    current_call_id = fields.Many2one("cc.call", readonly=True, copy=False)

    _server_extension_unique = models.Constraint(
        "UNIQUE(server_id, extension)", "An extension must be unique per PBX server."
    )

    def _compute_display_name(self):
        for agent in self:
            agent.display_name = f"{agent.name} ({agent.extension})" if agent.extension else agent.name

    def _cti_set_state(self, state, at, reason=None, queue=None, call=None, refs=None):
        """Record that the agent entered ``state`` at ``at``: closes the open state log row, opens the
        next."""
        self.ensure_one()
        memo = refs.agent_memo if refs else {}
        open_row = memo.get(self.id) or self._cti_open_state_row()
        if open_row and (open_row["start"] > at or (open_row["start"] == at and open_row["state"] == state)):
            return  # already applied (a replayed journal)
        Log = self.env["cc.agent.state.log"]
        if open_row:
            Log.browse(open_row["id"]).write({"end": at})
        row = Log.create(
            {
                "agent_id": self.id,
                "state": state,
                "reason": reason or False,
                "queue_id": queue.id if queue else False,
                "call_id": call.id if call else False,
                "start": at,
            }
        )
        memo[self.id] = {"id": row.id, "start": at, "state": state}
        values = {"state": state, "state_since": at, "state_reason": reason or False}
        if call or state in ("ready", "paused", "logged_out"):
            values["current_call_id"] = call.id if call else False
        self.write(values)
        self._cti_notify_supervisors(refs.supervisors() if refs else None)

    def _cti_open_state_row(self):
        row = self.env["cc.agent.state.log"].search_fetch(
            [("agent_id", "=", self.id), ("end", "=", False)],
            ["start", "state"],
            order="start desc, id desc",
            limit=1,
        )
        return {"id": row.id, "start": row.start, "state": row.state} if row else None

    def _cti_notify_supervisors(self, supervisors=None):
        payload = {
            "agent_id": self.id,
            "extension": self.extension,
            "state": self.state,
            "since": fields.Datetime.to_string(self.state_since),
            "reason": self.state_reason or "",
        }
        if supervisors is None:
            group = self.env.ref("callcenter_cti.group_cc_supervisor")
            supervisors = group.sudo().all_user_ids.filtered("active")  # sudo: reading group members
        supervisors._bus_send("callcenter/agent_state", payload)

    # -- supervisor actions (班长席): each one an audited PBX command ----------------------------------------
    def action_cc_listen(self):
        return self._cc_spy("listen")

    def action_cc_whisper(self):
        return self._cc_spy("whisper")

    def action_cc_barge(self):
        return self._cc_spy("barge")

    def action_cc_force_hangup(self):
        self._cc_check_supervisor()
        pattern = re.escape(self._cc_channel_prefix()).replace("/", "\\/")  # AMI takes /regex/ for channels
        hangup = {"Action": "Hangup", "Channel": f"/^{pattern}/", "Cause": "16"}
        return self._cc_command("hangup", [hangup])

    def action_cc_force_pause(self, reason=None):
        self._cc_check_supervisor()
        reason = reason or self.env._("Supervisor")
        return self._cc_command("pause", [self._cc_pause_action(True, reason)], reason)

    def action_cc_force_ready(self):
        self._cc_check_supervisor()
        return self._cc_command("ready", [self._cc_pause_action(False)])

    def action_cc_force_logout(self):
        self._cc_check_supervisor()
        queues = self.queue_member_ids.filtered("logged_in").queue_id
        removals = [
            {"Action": "QueueRemove", "Queue": q.ami_name, "Interface": self._cc_interface()} for q in queues
        ]
        if not removals:
            raise UserError(self.env._("%s is logged in to no queue.", self.display_name))
        return self._cc_command("logout", removals)

    def _cc_spy(self, mode):
        """The supervisor's own phone rings first, then listens to (whispers to, barges into) this agent."""
        self._cc_check_supervisor()
        supervisor = self.search(
            [("user_id", "=", self.env.uid), ("server_id", "=", self.server_id.id)], limit=1
        )
        if not supervisor:
            raise UserError(
                self.env._("You have no extension on %s: ask a manager to add you.", self.server_id.name)
            )
        originate = {
            "Action": "Originate",
            "Channel": supervisor._cc_interface(),
            "Context": "supervisor",
            "Exten": mode,
            "Priority": "1",
            "CallerID": f'"{supervisor.name}" <{supervisor.extension}>',
            "Timeout": "30000",
            "Async": "true",
            "Variable": f"SPY_TARGET={self._cc_channel_prefix()}",
        }
        return self._cc_command(mode, [originate])

    def _cc_check_supervisor(self):
        self.ensure_one()
        if not self.env.user.has_group("callcenter_cti.group_cc_supervisor"):
            raise AccessError(
                self.env._("Only supervisors can listen to, whisper to, barge in on or force agents.")
            )

    def _cc_command(self, kind, actions, reason=None):
        command = self.env["cc.cti.command"]._cc_enqueue(
            self.server_id, kind, actions, agent=self, reason=reason, audit=True
        )
        self.message_post(
            body=self.env._(
                "%(action)s by %(user)s",
                action=dict(command._fields["kind"].selection)[kind],
                user=self.env.user.name,
            )
        )
        return command

    def _cc_interface(self):
        return self.interface or f"PJSIP/{self.extension}"

    def _cc_channel_prefix(self):
        """Start of the agent's channel names (PJSIP/8001 → PJSIP/8001-, Local/8001@agents/n → …@agents-)."""
        return self._cc_interface().removesuffix("/n") + "-"

    def _cc_pause_action(self, paused, reason=None):
        action = {
            "Action": "QueuePause",
            "Interface": self._cc_interface(),
            "Paused": "true" if paused else "false",
        }
        if reason:
            action["Reason"] = reason
        return action

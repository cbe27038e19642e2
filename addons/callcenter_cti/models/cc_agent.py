import re
import uuid

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..cti import phone

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
            "reason_label": self._cc_reason_label(self.state_reason),
        }
        if supervisors is None:
            group = self.env.ref("callcenter_cti.group_cc_supervisor")
            supervisors = group.sudo().all_user_ids.filtered("active")  # sudo: reading group members
        (supervisors | self.user_id)._bus_send("callcenter/agent_state", payload)

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

    # -- the agent desk (systray panel): the current user's own agent --------------------------------------
    @api.model
    def _cc_my_agent(self):
        """The current user's agent (on the current company's PBX first); UserError when there is none."""
        agents = self.search([("user_id", "=", self.env.uid)])
        agent = agents.filtered(lambda a: a.company_id == self.env.company)[:1] or agents[:1]
        if not agent:
            raise UserError(self.env._("You are not a call center agent: ask a manager for an extension."))
        return agent

    @api.model
    def cc_desk_state(self):
        """Everything the agent panel shows, in one round trip."""
        agents = self.search([("user_id", "=", self.env.uid)])
        if not agents:
            return {"agent": False, "is_supervisor": self._cc_is_supervisor()}
        agent = self._cc_my_agent()
        return {
            "agent": agent._cc_desk_agent_values(),
            "queues": agent._cc_desk_queue_values(),
            "pause_reasons": [{"id": reason.id, "name": reason.name} for reason in agent._cc_pause_reasons()],
            "calls_today": agent._cc_calls_today(),
            "current_call": agent._cc_current_call_payload(),
            "is_supervisor": self._cc_is_supervisor(),
        }

    @api.model
    def cc_desk_login(self, queue_ids=None):
        agent = self._cc_my_agent()
        queues = agent._cc_desk_queues()
        if queue_ids:
            queues = queues.filtered(lambda queue: queue.id in queue_ids)
        if not queues:
            raise UserError(self.env._("You are a member of no queue: ask a supervisor to add you to one."))
        actions = [agent._cc_queue_add_action(queue) for queue in queues]
        command = agent._cc_agent_command("agent_login", actions)
        return agent._cc_state_answer(
            command, self.env._("Logging in to %s…", ", ".join(queues.mapped("name")))
        )

    @api.model
    def cc_desk_logout(self, queue_ids=None):
        """Leave some queues (``queue_ids``) or all of them."""
        agent = self._cc_my_agent()
        queues = agent.queue_member_ids.filtered("logged_in").queue_id or agent._cc_desk_queues()
        if queue_ids:
            queues = queues.filtered(lambda queue: queue.id in queue_ids)
        actions = [
            {"Action": "QueueRemove", "Queue": queue.ami_name, "Interface": agent._cc_interface()}
            for queue in queues
        ]
        if not actions:
            raise UserError(self.env._("You are logged in to no queue."))
        command = agent._cc_agent_command("agent_logout", actions)
        return agent._cc_state_answer(command, self.env._("Logging out…"))

    @api.model
    def cc_desk_ready(self):
        agent = self._cc_my_agent()
        command = agent._cc_agent_command("agent_ready", [agent._cc_pause_action(False)])
        return agent._cc_state_answer(command, self.env._("Ready…"))

    @api.model
    def cc_desk_pause(self, reason_id):
        agent = self._cc_my_agent()
        reason = agent._cc_pause_reasons().filtered(lambda r: r.id == reason_id)
        if not reason:
            raise UserError(self.env._("Choose a pause reason from the list."))
        action = agent._cc_pause_action(True, reason.code)
        command = agent._cc_agent_command("agent_pause", [action], reason=reason.code)
        return agent._cc_state_answer(command, self.env._("Pausing (%s)…", reason.name))

    @api.model
    def cc_desk_dial(self, number, res_model=False, res_id=False):
        """Click-to-dial: the agent's phone rings first; when the agent answers, the customer is dialled."""
        agent = self._cc_my_agent()
        e164 = agent._cc_dialable_number(number)
        agent._cc_check_reachable()
        linkedid = f"c2d-{uuid.uuid4().hex}"  # the call's Linkedid (Originate ChannelId): links it back
        originate = {
            "Action": "Originate",
            "Channel": agent._cc_interface(),
            "Context": "click2dial",
            "Exten": e164,
            "Priority": "1",
            "CallerID": f'"{e164}" <{e164}>',
            "Timeout": "30000",
            "Async": "true",
            "ChannelId": linkedid,
            "Variable": f"CTI_REQUEST={linkedid}",
        }
        origin = {"res_model": res_model or False, "res_id": res_id or False} if res_model in self.env else {}
        command = agent._cc_agent_command("dial", [originate], reason=e164, linkedid=linkedid, **origin)
        return command._cc_answer(self.env._("Calling %s: your phone rings first…", e164))

    # -- desk helpers ----------------------------------------------------------------------------------------
    def _cc_desk_agent_values(self):
        return {
            "id": self.id,
            "name": self.name,
            "extension": self.extension,
            "state": self.state,
            "state_since": fields.Datetime.to_string(self.state_since) if self.state_since else False,
            "reason": self._cc_reason_label(self.state_reason),
            "server_reachable": self.server_id._cc_reachable(),
        }

    def _cc_desk_queues(self):
        """The queues the agent may log in to: those of its memberships (configured or seen on the PBX)."""
        return self.queue_member_ids.queue_id.filtered("active")

    def _cc_desk_queue_values(self):
        members = {member.queue_id: member for member in self.queue_member_ids}
        return [
            {
                "id": queue.id,
                "name": queue.name,
                "logged_in": bool(members[queue].logged_in),
                "paused": bool(members[queue].paused),
            }
            for queue in self._cc_desk_queues()
        ]

    def _cc_pause_reasons(self):
        return self.env["cc.pause.reason"].search(
            [("company_id", "in", [False, self.company_id.id])], order="sequence, id"
        )

    def _cc_reason_label(self, code):
        """A pause reason as the agent reads it (the PBX only knows its code)."""
        if not code:
            return ""
        reason = self._cc_pause_reasons().filtered(lambda r: r.code == code)[:1]
        return reason.name or code

    def _cc_calls_today(self):
        start = fields.Datetime.to_datetime(fields.Date.context_today(self))
        tz_start = fields.Datetime.context_timestamp(self, start).replace(tzinfo=None)
        offset = tz_start - start  # midnight in the user's time zone, as naive UTC
        # sudo: an agent counts their own answered calls, whatever the call record rules
        return (
            self.env["cc.call"]
            .sudo()
            .search_count([("agent_id", "=", self.id), ("answer", ">=", start - offset)])
        )

    def _cc_current_call_payload(self):
        call = self.current_call_id
        if not call or call.state == "ended" or self.state not in ("ringing", "on_call"):
            return False
        return call._cti_popup_payload(self)

    @api.model
    def _cc_is_supervisor(self):
        return self.env.user.has_group("callcenter_cti.group_cc_supervisor")

    def _cc_queue_add_action(self, queue):
        action = {
            "Action": "QueueAdd",
            "Queue": queue.ami_name,
            "Interface": self._cc_interface(),
            "MemberName": self.name,
            "Paused": "false",
        }
        if self.state_interface:
            action["StateInterface"] = self.state_interface
        return action

    def _cc_agent_command(self, kind, actions, reason=None, **extra):
        """A command the agent gives for themself (not audited like a supervisor's)."""
        return self.env["cc.cti.command"]._cc_enqueue(
            self.server_id, kind, actions, agent=self, reason=reason, **extra
        )

    def _cc_state_answer(self, command, message):
        """Queue logins and pauses wait for a PBX that is away (durable queue); the agent is told."""
        if not self.server_id._cc_reachable():
            message = self.env._("The PBX is unreachable: sent as soon as it is back.")
        return command._cc_answer(message)

    def _cc_check_reachable(self):
        """Call controls are refused at once when nobody would answer them (a late hangup does harm)."""
        if not self.server_id._cc_reachable():
            raise UserError(
                self.env._(
                    "The PBX %s is unreachable (CTI bridge stopped or link down).", self.server_id.name
                )
            )

    def _cc_dialable_number(self, number):
        """``number`` in E.164 if it may be dialled now; a clear UserError otherwise."""
        e164 = phone.to_e164(number, self.server_id._country_code()) if number else None
        if not e164:
            raise UserError(self.env._("%s is not a valid phone number.", number or "''"))
        if self.env["cc.blacklist"]._cc_is_blacklisted(e164, "outbound"):
            raise UserError(self.env._("%s is on the do-not-call list.", e164))
        return e164

"""The supervisor's live wallboard (班长监控墙): agents, queues and alerts in one round trip.

The client action (static/src/wallboard) loads ``cc_wallboard_data`` on start, on the bus notifications
"callcenter/agent_state" and "callcenter/queue" (throttled), and every 15 seconds as a safety net.
"""

import datetime

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain

# Alert thresholds in seconds. Each can be overridden by the system parameter named beside it.
WAIT_ALERT_S = 60  # a caller has waited longer than this in a queue
PAUSE_ALERT_S = 900  # an agent has been paused longer than this (15 minutes)
WAIT_ALERT_PARAM = "callcenter_cti.wallboard_wait_alert_s"
PAUSE_ALERT_PARAM = "callcenter_cti.wallboard_pause_alert_s"
# The service level's threshold is each queue's own "Service Level (s)" (cc.queue.service_level_s, 20 s).

# Agent states in which the agent's current call is shown.
CALL_STATES = ("ringing", "on_call", "wrap_up")


class CcWallboard(models.AbstractModel):
    _name = "cc.wallboard"
    _description = "Call Center Wallboard"

    @api.model
    def cc_wallboard_data(self):
        """Everything the wallboard shows (supervisors only); times are UTC strings, durations seconds."""
        if not self.env.user.has_group("callcenter_cti.group_cc_supervisor"):
            raise AccessError(self.env._("Only supervisors can open the wallboard."))
        now = fields.Datetime.now()
        day_start = self._cc_day_start(now)
        thresholds = self._cc_thresholds()
        reasons = self._cc_pause_reason_names()
        companies = [("company_id", "in", self.env.companies.ids)]  # the companies selected in the switcher
        agents = self._cc_agent_values(self.env["cc.agent"].search(companies), day_start, reasons)
        queues = self._cc_queue_values(self.env["cc.queue"].search(companies), day_start, now)
        return {
            "now": fields.Datetime.to_string(now),
            "day_start": fields.Datetime.to_string(day_start),
            "thresholds": thresholds,
            "state_labels": dict(self.env["cc.agent"]._fields["state"]._description_selection(self.env)),
            "pause_reasons": reasons,
            "agents": agents,
            "queues": queues,
            "alerts": self._cc_alerts(agents, queues, thresholds, now),
        }

    # -- time ----------------------------------------------------------------------------------------------
    @api.model
    def _cc_day_start(self, now):
        """Midnight of today in the user's time zone, as naive UTC (the ORM's convention)."""
        local_now = fields.Datetime.context_timestamp(self, now)
        midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight.astimezone(datetime.UTC).replace(tzinfo=None)

    @api.model
    def _cc_thresholds(self):
        params = self.env["ir.config_parameter"].sudo()  # sudo: supervisors read two wallboard settings
        return {
            "wait_alert_s": int(params.get_param(WAIT_ALERT_PARAM, WAIT_ALERT_S)),
            "pause_alert_s": int(params.get_param(PAUSE_ALERT_PARAM, PAUSE_ALERT_S)),
        }

    # -- agents --------------------------------------------------------------------------------------------
    @api.model
    def _cc_agent_values(self, agents, day_start, reasons):
        calls_today = self._cc_agent_calls_today(agents, day_start)
        handling = self._cc_agent_handling_today(agents, day_start)
        current_calls = self._cc_current_calls(agents)
        return [
            {
                "id": agent.id,
                "name": agent.name,
                "extension": agent.extension,
                "state": agent.state,
                "since": fields.Datetime.to_string(agent.state_since) if agent.state_since else False,
                "reason": reasons.get(agent.state_reason, agent.state_reason or ""),
                "call": self._cc_call_values(current_calls.get(agent.id)),
                "calls_today": calls_today.get(agent.id, 0),
                "aht_s": handling.get(agent.id, 0.0),
            }
            for agent in agents
        ]

    @api.model
    def _cc_agent_calls_today(self, agents, day_start):
        """Calls each agent answered today, the one in progress included."""
        groups = self.env["cc.call"]._read_group(
            [("agent_id", "in", agents.ids), ("answer", ">=", day_start)], ["agent_id"], ["__count"]
        )
        return {agent.id: count for agent, count in groups}

    @api.model
    def _cc_agent_handling_today(self, agents, day_start):
        """Average handling time of each agent's calls answered and ended today: talk (hold included) +
        wrap-up."""
        domain = [("agent_id", "in", agents.ids), ("answer", ">=", day_start), ("state", "=", "ended")]
        groups = self.env["cc.call"]._read_group(
            domain, ["agent_id"], ["__count", "talk_s:sum", "wrapup_s:sum"]
        )
        return {agent.id: (talk + wrapup) / count for agent, count, talk, wrapup in groups if count}

    @api.model
    def _cc_current_calls(self, agents):
        """{agent id: cc.call} of the busy agents: the call answered and not ended, else the one ringing the
        agent, else (wrap-up) the last one ended (the bridge's state events do not name the call)."""
        busy = agents.filtered(lambda agent: agent.state in CALL_STATES)
        calls = {agent.id: agent.current_call_id for agent in busy if agent.current_call_id}
        missing = busy.filtered(lambda agent: agent.id not in calls)
        if not missing:
            return calls
        Call = self.env["cc.call"]
        for call in Call.search([("agent_id", "in", missing.ids), ("state", "!=", "ended")], order="id desc"):
            calls.setdefault(call.agent_id.id, call)
        ringing = missing.filtered(lambda agent: agent.state == "ringing" and agent.id not in calls)
        if ringing:
            attempts = self.env["cc.call.attempt"].search(
                [
                    ("agent_id", "in", ringing.ids),
                    ("outcome", "=", "ringing"),
                    ("call_id.state", "!=", "ended"),
                ],
                order="id desc",
            )
            for attempt in attempts:
                calls.setdefault(attempt.agent_id.id, attempt.call_id)
        wrapping = missing.filtered(lambda agent: agent.state == "wrap_up" and agent.id not in calls)
        if wrapping:
            domain = [("agent_id", "in", wrapping.ids), ("state", "=", "ended")]
            for agent, call_id in Call._read_group(domain, ["agent_id"], ["id:max"]):
                calls[agent.id] = Call.browse(call_id)
        return calls

    @api.model
    def _cc_pause_reason_names(self):
        """{code: name} of the pause reasons (the PBX only knows their codes); the first by sequence wins."""
        reasons = self.env["cc.pause.reason"].search(
            [("company_id", "in", [False, *self.env.companies.ids])], order="sequence desc, id desc"
        )
        return {reason.code: reason.name for reason in reasons}

    @api.model
    def _cc_call_values(self, call):
        if not call:
            return False
        return {
            "id": call.id,
            "direction": call.direction or "",
            "number": call.customer_e164 or call.caller_raw or call.callee_raw or "",
            "customer": call.partner_id.name or call.caller_name or "",
            "queue": call.queue_id.name or "",
        }

    # -- queues --------------------------------------------------------------------------------------------
    @api.model
    def _cc_queue_values(self, queues, day_start, now):
        waits = self._cc_queue_waits(queues, now)
        outcomes = self._cc_queue_outcomes(queues, day_start)
        in_service = self._cc_queue_in_service_level(queues, day_start)
        values = []
        for queue in queues:
            answered = outcomes.get((queue.id, "answered"), 0)
            abandoned = outcomes.get((queue.id, "abandoned"), 0)
            offered = answered + abandoned
            queue_waits = waits.get(queue.id, [])
            values.append(
                {
                    "id": queue.id,
                    "name": queue.name,
                    "waiting": max(queue.waiting_count, len(queue_waits)),
                    "waits": queue_waits,
                    "longest_wait_s": queue_waits[0]["wait_s"] if queue_waits else 0,
                    "answered": answered,
                    "abandoned": abandoned,
                    "service_level_s": queue.service_level_s,
                    "service_level": round(100.0 * in_service.get(queue.id, 0) / offered, 1)
                    if offered
                    else False,
                }
            )
        return values

    @api.model
    def _cc_queue_waits(self, queues, now):
        """The calls waiting in each queue now, longest wait first."""
        calls = self.env["cc.call"].search_fetch(
            [("state", "=", "queued"), ("queue_id", "in", queues.ids)],
            ["queue_id", "queue_entry", "start", "customer_e164", "caller_raw", "partner_id"],
            order="queue_entry, start, id",
        )
        waits = {}
        for call in calls:
            entry = call.queue_entry or call.start
            waits.setdefault(call.queue_id.id, []).append(
                {
                    "call_id": call.id,
                    "number": call.customer_e164 or call.caller_raw or "",
                    "customer": call.partner_id.name or "",
                    "since": fields.Datetime.to_string(entry),
                    "wait_s": max((now - entry).total_seconds(), 0.0),
                }
            )
        return waits

    @api.model
    def _cc_queue_outcomes(self, queues, day_start):
        """{(queue id, "answered" | "abandoned"): calls of today}."""
        groups = self.env["cc.call"]._read_group(
            [
                ("queue_id", "in", queues.ids),
                ("start", ">=", day_start),
                ("disposition", "in", ("answered", "abandoned")),
            ],
            ["queue_id", "disposition"],
            ["__count"],
        )
        return {(queue.id, disposition): count for queue, disposition, count in groups}

    @api.model
    def _cc_queue_in_service_level(self, queues, day_start):
        """Calls of today answered within each queue's own service level threshold."""
        if not queues:
            return {}
        within = Domain.OR(
            [("queue_id", "=", queue.id), ("wait_s", "<=", queue.service_level_s)] for queue in queues
        )
        domain = within & Domain([("start", ">=", day_start), ("disposition", "=", "answered")])
        groups = self.env["cc.call"]._read_group(domain, ["queue_id"], ["__count"])
        return {queue.id: count for queue, count in groups}

    # -- alerts --------------------------------------------------------------------------------------------
    @api.model
    def _cc_alerts(self, agents, queues, thresholds, now):
        """Long waits (a queue's longest wait) and long pauses, the longest first."""
        alerts = [
            {"kind": "long_wait", "queue_id": queue["id"], "name": queue["name"],
             "since": queue["waits"][0]["since"], "seconds": queue["longest_wait_s"]}
            for queue in queues
            if queue["waits"] and queue["longest_wait_s"] > thresholds["wait_alert_s"]
        ]  # fmt: skip
        for agent in agents:
            if agent["state"] != "paused" or not agent["since"]:
                continue
            paused_s = (now - fields.Datetime.to_datetime(agent["since"])).total_seconds()
            if paused_s > thresholds["pause_alert_s"]:
                alerts.append(
                    {"kind": "long_pause", "agent_id": agent["id"], "name": agent["name"],
                     "since": agent["since"], "seconds": paused_s, "reason": agent["reason"]}
                )  # fmt: skip
        return sorted(alerts, key=lambda alert: -alert["seconds"])

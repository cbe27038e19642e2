"""Where the bridge's domain events become records, state logs and bus notifications.

The bridge process calls ``_cti_apply`` once per batch, in one transaction that also moves the server's
``journal_applied_seq``: either the whole batch and its marker land, or neither does (exactly once).
"""

import datetime

from odoo import api, models

from ..cti import phone

# Domain event kind (cti/events.py) -> handler method of this model.
_HANDLERS = {
    "agent_ringing": "_cti_agent_ringing",
    "agent_ring_stopped": "_cti_agent_ring_stopped",
    "call_answered": "_cti_call_answered",
    "call_held": "_cti_call_held",
    "call_resumed": "_cti_call_resumed",
    "call_ended": "_cti_call_ended",
    "agent_state_changed": "_cti_agent_state_changed",
    "queue_member_changed": "_cti_queue_member_changed",
    "queue_caller_count": "_cti_queue_caller_count",
}


def to_datetime(epoch):
    """Naive UTC datetime (the ORM's convention) of an epoch float; None stays None."""
    if not epoch:
        return None
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).replace(tzinfo=None)


class CtiRefs:
    """Agents and queues of one server by their PBX keys, created on first sight so nothing is
    mis-attributed."""

    def __init__(self, env, server, memo=None):
        self.env, self.server = env, server
        # What this process last wrote per call and agent (kept by the bridge across batches; see cc.call).
        memo = memo if memo is not None else {}
        self.memo = memo.setdefault("calls", {})
        self.agent_memo = memo.setdefault("agents", {})
        self.member_memo = memo.setdefault("members", {})
        self._supervisors = None
        agents = env["cc.agent"].with_context(active_test=False).search([("server_id", "=", server.id)])
        queues = env["cc.queue"].with_context(active_test=False).search([("server_id", "=", server.id)])
        self.agents = {agent.extension: agent for agent in agents}
        self.queues = {queue.ami_name: queue for queue in queues}
        self.country = server._country_code()

    def agent(self, extension):
        if not extension:
            return self.env["cc.agent"]
        if extension not in self.agents:
            self.agents[extension] = self.env["cc.agent"].create(
                {"name": f"Agent {extension}", "extension": extension, "server_id": self.server.id}
            )
        return self.agents[extension]

    def queue(self, name):
        if not name:
            return self.env["cc.queue"]
        if name not in self.queues:
            self.queues[name] = self.env["cc.queue"].create(
                {"name": name, "ami_name": name, "server_id": self.server.id}
            )
        return self.queues[name]

    def supervisors(self):
        if self._supervisors is None:
            group = self.env.ref("callcenter_cti.group_cc_supervisor")
            self._supervisors = group.sudo().all_user_ids.filtered("active")  # sudo: reading group members
        return self._supervisors

    def e164(self, raw):
        return phone.to_e164(raw, self.country) if raw else None


class CcCtiSink(models.AbstractModel):
    _name = "cc.cti.sink"
    _description = "CTI Bridge Event Sink"

    @api.model
    def _cti_apply(self, server, events, last_seq=None, memo=None):
        """Apply one batch of domain events of ``server``.

        Returns {"calls": {linkedid: cc.call}, "created": number of calls created}.
        """
        refs = CtiRefs(self.env, server, memo)
        snapshots = {}
        for event in events:
            if event.kind == "call_changed":
                snapshots[event.call["linkedid"]] = event.call
        calls, created = self.env["cc.call"]._cti_upsert(server, list(snapshots.values()), refs)
        for linkedid, snapshot in snapshots.items():
            if snapshot.get("ended"):
                refs.memo.pop(linkedid, None)  # an ended call is rarely written again: keep the memo small
        for event in events:
            handler = _HANDLERS.get(event.kind)
            if handler:
                getattr(self, handler)(refs, event, calls)
        if last_seq is not None:
            server.journal_applied_seq = last_seq
        if events:
            server.last_event_at = (
                to_datetime(max(getattr(e, "at", 0) or 0 for e in events)) or server.last_event_at
            )
        return {"calls": calls, "created": created}

    # -- agents -------------------------------------------------------------------------------------------
    def _cti_agent_state_changed(self, refs, event, calls):
        agent = refs.agent(event.agent)
        call = calls.get(getattr(event, "linkedid", None) or "", self.env["cc.call"])
        agent._cti_set_state(
            event.state, to_datetime(event.at), event.reason, refs.queue(event.queue), call, refs
        )

    def _cti_queue_member_changed(self, refs, event, calls):
        queue, agent = refs.queue(event.queue), refs.agent(event.agent)
        if queue and agent:
            changed = self.env["cc.queue.member"]._cti_update(queue, agent, event, refs.member_memo)
            if agent.user_id and {"logged_in", "paused"} & changed.keys():
                # The agent's panel shows its queues' login and pause switches as the PBX has them.
                payload = {
                    "queue_id": queue.id,
                    "logged_in": event.status != "removed",
                    "paused": bool(event.paused),
                }
                agent.user_id._bus_send("callcenter/queue_member", payload)

    def _cti_queue_caller_count(self, refs, event, calls):
        queue = refs.queue(event.queue)
        if queue and queue.waiting_count != event.waiting:
            queue.waiting_count = event.waiting
            payload = {"queue_id": queue.id, "queue": queue.ami_name, "waiting": event.waiting}
            refs.supervisors()._bus_send("callcenter/queue", payload)

    # -- screen-pops (bus) ----------------------------------------------------------------------------------
    def _cti_agent_ringing(self, refs, event, calls):
        agent, call = refs.agent(event.agent), calls.get(event.linkedid)
        if call and agent.current_call_id != call:
            agent.current_call_id = call  # the desk and the wallboard show it; cleared when the agent is free
        if agent.user_id and call:
            agent.user_id._bus_send("callcenter/ringing", call._cti_popup_payload(agent))

    def _cti_agent_ring_stopped(self, refs, event, calls):
        agent = refs.agent(event.agent)
        if agent.user_id and event.outcome != "answered":
            payload = {"linkedid": event.linkedid, "outcome": event.outcome}
            agent.user_id._bus_send("callcenter/ring_stopped", payload)

    def _cti_call_answered(self, refs, event, calls):
        agent, call = refs.agent(event.agent), calls.get(event.linkedid)
        if call and agent and agent.current_call_id != call:
            agent.current_call_id = call
        if agent.user_id and call:
            agent.user_id._bus_send("callcenter/answered", call._cti_popup_payload(agent))

    def _cti_call_held(self, refs, event, calls):
        self._cti_call_state(refs, event, calls, "held")

    def _cti_call_resumed(self, refs, event, calls):
        self._cti_call_state(refs, event, calls, "talking")

    def _cti_call_state(self, refs, event, calls, state):
        """The agent's call desk follows hold and resume, whoever pressed them (desk or phone)."""
        agent, call = refs.agent(event.agent), calls.get(event.linkedid)
        if agent.user_id and call:
            payload = {"call_id": call.id, "linkedid": event.linkedid, "state": state}
            agent.user_id._bus_send("callcenter/call_state", payload)

    def _cti_call_ended(self, refs, event, calls):
        call = calls.get(event.linkedid)
        if call and event.disposition == "voicemail":
            call._cc_request_callback(refs)
        if call and call.agent_id.user_id:
            payload = {"linkedid": event.linkedid, "call_id": call.id, "disposition": event.disposition}
            call.agent_id.user_id._bus_send("callcenter/ended", payload)

"""ORM-free AMI call-state machine: the AMI event stream in, call records and agent states out.

``CallTracker.feed(message, received)`` takes one AMI message (``{wire key: str}``, a repeated key holding a
list) stamped on receipt and returns the domain events of ``events.py``. No Odoo, no I/O, no number
normalisation: the bridge does those.

How calls are recognised (the Asterisk 22 transcripts in ``shared/fixtures/ami`` are the ground truth):

* A call is keyed by its Linkedid. Its first channel (Uniqueid == Linkedid) decides what it is: an agent's
  device -> an agent-originated call ("internal", "outbound" once it dials a customer); an inbound context or
  a DID of ``own_numbers`` -> "inbound"; anything else is an originated "outbound" call, kept *pending* (not
  published) until it shows customer activity or ends. A pending call whose channel starts a ChanSpy
  (supervisor) or joins a ConfBridge (a conference's third party) is dropped: those keep their own Linkedid
  and are never customer calls.
* Customer-side channels: the first channel and its Local ;1/;2 partner, the channel in a queue, the customer
  channel an agent dials. The *trunk* is the one running our dialplan (inbound: the PJSIP trunk channel, the
  Local ;2 half in the lab; outbound: the channel dialled towards the customer); the record's ``uniqueid`` is
  the trunk's, i.e. the queue_log callid of inbound calls.
* Agent legs are channels whose device (channel name without its -suffix) is a known member interface or a
  Local channel into ``agent_context_hint``.
* Only Hold/Unhold mean hold (MusicOnHoldStart also fires in queue). A trunk leaving the agent's bridge in
  another dialplan context was moved by a Redirect: what it does next tells a redirect transfer (it dials or
  queues again) from a conference (it joins a ConfBridge).
* talk_s is the answering agent's talk: AgentComplete TalkTime when Asterisk gives it, except after a Redirect
  (TalkTime then runs to the end of the whole call) where stamps are used: answer -> the trunk leaving the
  agent. wait_s / ring_s prefer AgentConnect HoldTime / RingTime, QueueCallerAbandon HoldTime.
* Agent states come from the calls (ringing from AgentCalled or a dial to the agent's device, on_call from
  the answer until the agent's leg hangs up, so an agent left in a conference stays on_call) over the queue
  memberships (paused when paused in every queue, with the reason; logged_out without any membership).
* hangup_by: the first side to ask for the hangup while talking. A customer-side HangupRequest (or any request
  on the lab's customer-phone half) is the caller; a SoftHangupRequest on the trunk, or the trunk leaving the
  bridge before anyone asked, is the system (AMI Hangup, dialplan, supervisor); an agent leg is the agent.

Duplicates are harmless: handlers are guarded by state, additive events (DTMF, Hold, transfers) are
de-duplicated on (event, channel, stamp), hung-up channels and ended calls are remembered (bounded) so late or
repeated events cannot resurrect them.
"""

import json
import re

from . import events
from .transcript import message_from_headers  # noqa: F401  (re-exported: the bridge and tests use it here)

DEFAULT_INBOUND_CONTEXTS = ("inbound", "from-trunk", "from-pstn", "from-external", "from-did")
DEFAULT_RECORDING = "/var/spool/asterisk/monitor/{uniqueid}.wav"

RECENT_LIMIT = 2000  # ended calls remembered to ignore late duplicates and amend late figures
DEAD_LIMIT = 20000  # hung-up channels remembered (uniqueid -> linkedid)
SEEN_LIMIT = 4096  # de-duplication keys of additive events
DEVICE_CACHE_LIMIT = 4096

_UNKNOWN = frozenset(("", "<unknown>", "<Unknown>"))
_TALKING = frozenset(("talking", "held"))
_MISSING = object()
_TRAILING_DIGITS = re.compile(r"\d+$")

_DEVICE_STATUS = {
    "0": "unknown",
    "1": "not_inuse",
    "2": "inuse",
    "3": "busy",
    "4": "invalid",
    "5": "unavailable",
    "6": "ringing",
    "7": "ringinuse",
    "8": "onhold",
}
_RING_OUTCOME = {"NOANSWER": "ring_no_answer", "BUSY": "declined"}
_DIAL_FAILURE = {"BUSY": "busy", "NOANSWER": "no_answer", "CANCEL": "no_answer", "CONGESTION": "congestion"}
_ORIGINATE_FAILURE = {0: "failed", 1: "no_answer", 3: "no_answer", 5: "busy", 8: "congestion"}
_CAUSE_FAILURE = {
    17: "busy",
    18: "no_answer",
    19: "no_answer",
    34: "congestion",
    38: "congestion",
    42: "congestion",
}
_REASON_BY = {"agent": "agent", "caller": "caller"}

# AMI event -> handler method; anything else (VarSet aside, the bulk: Newexten, DeviceStateChange, Cdr,
# MusicOnHold*, ...) is dropped by one dict lookup at the top of feed().
_HANDLERS = {
    "Newchannel": "_on_newchannel",
    "NewCallerid": "_on_newcallerid",
    "DialBegin": "_on_dialbegin",
    "DialEnd": "_on_dialend",
    "AgentCalled": "_on_agentcalled",
    "AgentRingNoAnswer": "_on_agentringnoanswer",
    "AgentConnect": "_on_agentconnect",
    "AgentComplete": "_on_agentcomplete",
    "QueueCallerJoin": "_on_queuecallerjoin",
    "QueueCallerLeave": "_on_queuecallerleave",
    "QueueCallerAbandon": "_on_queuecallerabandon",
    "QueueMember": "_on_queuemember",
    "QueueMemberStatus": "_on_queuemember",
    "QueueMemberAdded": "_on_queuemember",
    "QueueMemberPause": "_on_queuemember",
    "QueueMemberPaused": "_on_queuemember",
    "QueueMemberPenalty": "_on_queuemember",
    "QueueMemberRinginuse": "_on_queuemember",
    "QueueMemberRemoved": "_on_queuememberremoved",
    "DTMFEnd": "_on_dtmfend",
    "VarSet": "_on_varset",
    "MixMonitorStart": "_on_mixmonitorstart",
    "Hold": "_on_hold",
    "Unhold": "_on_unhold",
    "BridgeLeave": "_on_bridgeleave",
    "BlindTransfer": "_on_blindtransfer",
    "AttendedTransfer": "_on_attendedtransfer",
    "ConfbridgeJoin": "_on_confbridgejoin",
    "ConfbridgeLeave": "_on_confbridgeleave",
    "ConfbridgeEnd": "_on_confbridgeend",
    "ChanSpyStart": "_on_chanspystart",
    "UserEvent": "_on_userevent",
    "OriginateResponse": "_on_originateresponse",
    "SoftHangupRequest": "_on_softhanguprequest",
    "HangupRequest": "_on_hanguprequest",
    "Hangup": "_on_hangup",
    "Shutdown": "_on_shutdown",
}
_USER_HANDLERS = {
    "Survey": "_on_survey",
    "AfterHoursMessage": "_on_afterhours",
    "CallRejected": "_on_rejected",
    "NotifyResult": "_on_notify",
}


# ----------------------------------------------------------------------------------------------------
# Small helpers


_WANTED_EVENTS = frozenset(name.encode() for name in _HANDLERS)
_WANTED_VARIABLES = (b"Variable: MIXMONITOR_FILENAME",)


def wanted(frame):
    """Does the state machine need this raw AMI frame? A test on bytes, before any parsing.

    Half of Asterisk's stream is VarSet and Newexten that no call record uses; dropping them here saves
    parsing and journaling them (as ``eventfilter`` lines in manager.conf would). Responses and the items of
    an action's answer (they carry an ActionID) are always wanted.
    """
    if not frame.startswith(b"Event: ") or b"\nActionID: " in frame:
        return True
    end = frame.find(b"\r\n")
    name = frame[7:end] if end > 0 else frame[7:].strip()
    if name == b"VarSet":
        return any(variable in frame for variable in _WANTED_VARIABLES)
    return name in _WANTED_EVENTS


def _first(value):
    return value[0] if value.__class__ is list else value


def _last(message, key):
    """A UserEvent body key: when it repeats a standard header, the body's value comes last."""
    value = message.get(key)
    return value[-1] if value.__class__ is list else value


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _seconds(value):
    number = _int(value)
    return None if number is None else float(number)


def _known(value):
    return None if value is None or value in _UNKNOWN else value


def _remember(table, key, value, limit):
    """Insert into an insertion-ordered dict used as a bounded memory, evicting the oldest entry."""
    table[key] = value
    if len(table) > limit:
        del table[next(iter(table))]


def _partner(name):
    """The other half of a Local channel (``…;1`` <-> ``…;2``), or None."""
    if not name or not name.startswith("Local/") or name[-2:] not in (";1", ";2"):
        return None
    return name[:-1] + ("2" if name[-1] == "1" else "1")


def _device(name):
    """``PJSIP/8001-0000000a`` -> ``PJSIP/8001``, ``Local/8001@agents-00000001;1`` -> ``Local/8001@agents``"""
    return name.rpartition("-")[0] or name


def _interface_device(interface):
    """A member interface as a channel device: ``Local/8001@agents/n`` -> ``Local/8001@agents``."""
    if interface.startswith("Local/"):
        return "/".join(interface.split("/")[:2])
    return interface


_AGENT_KEYS = {}


def agent_key(text):
    """The agent's extension from a member interface, MemberName or state interface: ``Local/8001@agents/n``,
    ``PJSIP/8001``, ``Custom:agent8001``, ``Agent 8001`` -> ``"8001"``."""
    if not text:
        return None
    key = _AGENT_KEYS.get(text)
    if key is None:
        key = _agent_key(text)
        if len(_AGENT_KEYS) < DEVICE_CACHE_LIMIT:
            _AGENT_KEYS[text] = key
    return key


def _agent_key(text):
    _tech, sep, rest = text.partition("/")
    if sep:
        text = rest.split("@", 1)[0].split("/", 1)[0]
    match = _TRAILING_DIGITS.search(text)
    return match.group(0) if match else text.strip()


def _age(item):
    """Seconds a listed channel has existed (Status ``Seconds``, CoreShowChannel ``Duration`` HH:MM:SS)."""
    seconds = _int(item.get("Seconds"))
    if seconds is not None:
        return seconds
    parts = [_int(part) or 0 for part in (item.get("Duration") or "").split(":")]
    total = 0
    for part in parts:
        total = total * 60 + part
    return total


def _bridge_of(item):
    return item.get("BridgeId") or item.get("BridgeID") or None


def _new_record(linkedid, at):
    return {
        "linkedid": linkedid,
        "uniqueid": linkedid,
        "direction": None,
        "caller_raw": None,
        "caller_name": None,
        "callee_raw": None,
        "did": None,
        "ivr_digits": None,
        "queue": None,
        "start": at,
        "queue_entry": None,
        "first_ring": None,
        "answer": None,
        "end": None,
        "ivr_s": None,
        "wait_s": None,
        "ring_s": None,
        "talk_s": None,
        "hold_s": 0.0,
        "wrapup_s": None,
        "answering_agent": None,
        "first_agent_rung": None,
        "attempts": [],
        "disposition": None,
        "hangup_cause": None,
        "hangup_cause_text": None,
        "hangup_by": None,
        "transfers": [],
        "transferred_to": None,
        "conference": False,
        "hold_count": 0,
        "recording_file": None,
        "survey_score": None,
        "queue_position_entry": None,
        "queue_position_abandon": None,
        "originate_action_id": None,
        "state": None,
        "ended": False,
    }


def _snapshot(record):
    snapshot = dict(record)
    snapshot["attempts"] = [dict(attempt) for attempt in record["attempts"]]
    snapshot["transfers"] = [dict(transfer) for transfer in record["transfers"]]
    return snapshot


class _Call:
    """Working state of an open call: the public snapshot ``rec`` plus what is needed to derive it."""

    __slots__ = ("agent", "att", "cust", "first", "leg", "live", "pub", "rec", "trunk", "x")

    def __init__(self, record, first):
        self.rec = record
        self.first = first  # name of the first channel
        self.pub = False  # published (CallChanged emitted) yet
        self.live = {}  # uniqueid -> 1: the call's channels still up
        self.cust = {}  # uniqueid -> 1: customer-side channels
        self.trunk = None  # the customer-side channel running our dialplan
        self.att = {}  # agent leg uniqueid -> index of its attempt in rec["attempts"]
        self.agent = None  # agent currently talking with the customer
        self.leg = None  # that agent's leg
        self.x = {}  # stamps and hints: talk/hold times, pending redirect, hangup side, disposition hints

    def to_dict(self):
        return {name: getattr(self, name) for name in self.__slots__}

    @classmethod
    def from_dict(cls, data):
        call = cls.__new__(cls)
        for name in cls.__slots__:
            setattr(call, name, data[name])
        return call


# ----------------------------------------------------------------------------------------------------


class CallTracker:
    """The call-state machine. Not thread-safe: feed it from one task."""

    def __init__(
        self,
        own_numbers=(),
        agent_context_hint="agents",
        inbound_contexts=DEFAULT_INBOUND_CONTEXTS,
        helper_contexts=(),
        agent_interfaces=(),
        wrapup_time=0.0,
        recording_template=DEFAULT_RECORDING,
    ):
        """own_numbers: our DIDs (an inbound first channel dials one); agent_context_hint: Local channels into
        this context are agent phones; inbound_contexts: contexts of incoming trunk channels; helper_contexts:
        contexts whose channels never make calls; agent_interfaces: known member interfaces (PJSIP/8001...);
        wrapup_time: seconds of wrap-up after a call (needs tick()); recording_template: MixMonitor file when
        the MIXMONITOR_FILENAME VarSet is not received (dialplan class filtered out)."""
        self.config = {
            "own_numbers": sorted(own_numbers),
            "agent_context_hint": agent_context_hint,
            "inbound_contexts": list(inbound_contexts),
            "helper_contexts": list(helper_contexts),
            "agent_interfaces": list(agent_interfaces),
            "wrapup_time": float(wrapup_time),
            "recording_template": recording_template,
        }
        self._own = frozenset(own_numbers)
        self._hint = agent_context_hint
        self._inbound_contexts = frozenset(inbound_contexts)
        self._helper_contexts = frozenset(helper_contexts)
        self._wrapup = float(wrapup_time)
        self._recording = recording_template
        self._reset_state()
        for interface in agent_interfaces:
            self._learn_interface(interface, agent_key(interface))
        self._handlers = {event: getattr(self, name) for event, name in _HANDLERS.items()}
        self._user_handlers = {event: getattr(self, name) for event, name in _USER_HANDLERS.items()}

    def _reset_state(self):
        self.calls = {}  # linkedid -> _Call (open calls)
        self.channels = {}  # uniqueid -> {"l": linkedid, "n": name, "a": agent or None, "c": conference}
        self.names = {}  # channel name -> uniqueid
        self.agents = {}  # extension -> {"q": {queue: member}, "act": {linkedid: ringing|on_call}, ...}
        self.queues = {}  # queue -> callers waiting
        self.conferences = {}  # conference -> {uniqueid: linkedid}
        self.member_devices = {}  # device -> extension, learned from member interfaces
        self.device_cache = {}  # device -> extension or None (bounded)
        self.recent = {}  # linkedid -> final snapshot (None for dropped calls), bounded
        self.dead = {}  # uniqueid -> linkedid of hung-up channels, bounded
        self.ignored = {}  # linkedid -> True: spy / conference guest / helper calls, bounded
        self.seen = {}  # de-duplication keys, bounded
        self.link_down = None
        self._recovering = False
        self._out = []
        self._dirty = {}

    # ----------------------------------------------------------------------------------------------------
    # Public API

    def feed(self, message, received):
        """Process one AMI message received at ``received`` (epoch seconds); return the domain events."""
        handler = self._handlers.get(message.get("Event"))
        if handler is None:
            return []
        handler(message, received)
        if self._out or self._dirty:
            return self._flush()
        return []

    def disconnected(self, at):
        """The AMI link dropped: nothing is known until recover()."""
        self.link_down = at
        return []

    def recover(self, lists, at):
        """Reconcile with the lists fetched after a reconnect: ``{"CoreShowChannels": [msg], "Status": [...],
        "QueueStatus": [...], "BridgeList": [...]}`` (list items as fed dicts; any may be missing).
        Calls without a channel any more are closed, channels that appeared are adopted, queued calls now
        bridged with an agent are answered, memberships are refreshed and idle agents released."""
        self.link_down = None
        present = self._present_channels(lists)
        if present is not None:
            self._drop_vanished(present, at)
            self._adopt_channels(present, at)
            self._reconcile_bridges(present, at)
        self._apply_queue_status(lists.get("QueueStatus") or (), at)
        self._release_stale_agents(at)
        return self._flush()

    def tick(self, now):
        """End wrap-up periods that are over (only with ``wrapup_time``)."""
        for extension, record in self.agents.items():
            if record["wu"] is not None and record["wu"] <= now:
                record["wu"] = None
                self._refresh_agent(extension, now)
        return self._flush()

    def open_calls(self):
        """Snapshots of the calls in progress (published ones), by linkedid."""
        return {lid: _snapshot(call.rec) for lid, call in self.calls.items() if call.pub}

    def live_channels(self, linkedid):
        """Names of the channels a command acts on in a call in progress: ``{"agent": the leg of the agent
        talking with the customer, "customer": the customer's channel}`` (either may be missing)."""
        call = self.calls.get(linkedid)
        if call is None:
            return {}
        names = {}
        if call.leg in self.channels:
            names["agent"] = self.channels[call.leg]["n"]
        customer = [uid for uid in call.cust if uid in call.live and uid != call.leg and uid in self.channels]
        if customer:
            uid = call.trunk if call.trunk in customer else customer[-1]
            names["customer"] = self.channels[uid]["n"]
        return names

    def agent_states(self):
        """``{extension: (state, reason)}`` as last emitted."""
        return {extension: (record["st"], record["rs"]) for extension, record in self.agents.items()}

    def to_state(self):
        """A JSON-serialisable checkpoint of the whole machine (see from_state)."""
        state = {
            "version": 1,
            "config": self.config,
            "calls": {lid: call.to_dict() for lid, call in self.calls.items()},
            "link_down": self.link_down,
        }
        for name in _STATE_TABLES:
            state[name] = getattr(self, name)
        return json.loads(json.dumps(state))

    @classmethod
    def from_state(cls, state):
        """A tracker equivalent to the one that produced ``state`` with to_state()."""
        state = json.loads(json.dumps(state))
        tracker = cls(**state["config"])
        for name in _STATE_TABLES:
            setattr(tracker, name, state[name])
        tracker.calls = {lid: _Call.from_dict(data) for lid, data in state["calls"].items()}
        tracker.link_down = state["link_down"]
        return tracker

    # ----------------------------------------------------------------------------------------------------
    # Output plumbing

    def _flush(self):
        # Snapshots first, so that the bridge has upserted the record when it handles the events about it.
        changed = [events.CallChanged(_snapshot(call.rec)) for call in self._dirty.values() if call.pub]
        self._dirty = {}
        out, self._out = self._out, []
        return changed + out if changed else out

    def _emit(self, event):
        self._out.append(event)

    def _set(self, call, key, value):
        record = call.rec
        if record[key] != value:
            record[key] = value
            self._dirty[record["linkedid"]] = call

    def _touch(self, call):
        self._dirty[call.rec["linkedid"]] = call

    def _publish(self, call):
        if not call.pub:
            call.pub = True
            self._touch(call)

    def _repeated(self, key):
        """True when an additive event was already applied (same event, channel and stamp)."""
        if key in self.seen:
            return True
        _remember(self.seen, key, 1, SEEN_LIMIT)
        return False

    # ----------------------------------------------------------------------------------------------------
    # Channels and call classification

    def _on_newchannel(self, m, at):
        uid, lid = m.get("Uniqueid"), m.get("Linkedid")
        if uid in self.channels or uid in self.dead or lid in self.recent or lid in self.ignored:
            return
        call = self.calls.get(lid)
        if call is None:
            if uid != lid:
                return  # a leg of a call that began before we listened: recover() adopts those
            call = self._open_call(m, uid, at)
            if call is None:
                return
        self._add_channel(call, uid, m.get("Channel"))

    def _open_call(self, m, uid, at):
        name, context, exten = m.get("Channel"), m.get("Context"), m.get("Exten")
        if context in self._helper_contexts:
            _remember(self.ignored, uid, True, RECENT_LIMIT)
            return None
        call = _Call(_new_record(uid, at), name)
        self.calls[uid] = call
        agent = self._agent_of_channel(name)
        if agent:
            self._open_agent_call(call, agent, uid, m.get("ChannelState"), at)
        elif context in self._inbound_contexts or exten in self._own:
            self._open_inbound(call, exten)
        else:
            self._open_originated(call, exten)
        return call

    def _open_agent_call(self, call, agent, uid, channel_state, at):
        call.rec.update(direction="internal", state="ringing")
        call.x["origin"] = agent
        self._publish(call)
        # Ring state: the agent's phone is dialling. (An Originate starts Down and rings the phone first.)
        if channel_state == "4":
            call.agent, call.leg = agent, uid
            self._agent_activity(agent, uid, uid, "on_call", None, at)

    def _open_inbound(self, call, exten):
        call.rec.update(direction="inbound", did=exten, callee_raw=exten, state="ivr")
        call.x["learn"] = 1
        self._publish(call)

    def _open_originated(self, call, exten):
        # Published once it proves to be a customer call (or when it ends): spies and guests never are.
        call.rec.update(direction="outbound", callee_raw=_known(exten), state="ringing")
        call.x["learn"] = 1

    def _add_channel(self, call, uid, name):
        agent = self._agent_of_channel(name)
        self.channels[uid] = {"l": call.rec["linkedid"], "n": name, "a": agent, "c": None}
        if name:
            self.names[name] = uid
        call.live[uid] = 1
        if (
            agent is None
            and "origin" not in call.x
            and (uid == call.rec["linkedid"] or name == _partner(call.first))
        ):
            self._add_customer(call, uid, self._runs_our_dialplan(call, uid, name))

    def _runs_our_dialplan(self, call, uid, name):
        if call.rec["direction"] != "inbound":
            return uid == call.rec["linkedid"]
        # Inbound via a Local pair (the lab): the ;1 half is the customer's phone, the ;2 half the trunk.
        return not (name and name.startswith("Local/") and name.endswith(";1"))

    def _add_customer(self, call, uid, trunk):
        call.cust[uid] = 1
        if trunk and call.trunk is None:
            call.trunk = uid
            self._set(call, "uniqueid", uid)

    def _bury(self, uid, chan):
        self.channels.pop(uid, None)
        if self.names.get(chan["n"]) == uid:
            del self.names[chan["n"]]
        _remember(self.dead, uid, chan["l"], DEAD_LIMIT)

    def _lid_of_uid(self, uid):
        chan = self.channels.get(uid)
        return chan["l"] if chan else self.dead.get(uid)

    def _on_newcallerid(self, m, at):
        call = self.calls.get(m.get("Linkedid"))
        if call is not None and m.get("Uniqueid") in call.cust:
            self._learn_caller(call, m)

    def _learn_caller(self, call, m):
        if "learn" not in call.x:
            return
        if call.rec["caller_raw"] is None:
            self._set(call, "caller_raw", _known(_first(m.get("CallerIDNum"))))
        if call.rec["caller_name"] is None:
            self._set(call, "caller_name", _known(_first(m.get("CallerIDName"))))

    # ----------------------------------------------------------------------------------------------------
    # Agents as devices

    def _agent_of_channel(self, name):
        if not name:
            return None
        device = _device(name)
        agent = self.member_devices.get(device)
        if agent is not None:
            return agent
        agent = self.device_cache.get(device, _MISSING)
        if agent is _MISSING:
            agent = self._agent_by_hint(device)
            _remember(self.device_cache, device, agent, DEVICE_CACHE_LIMIT)
        return agent

    def _agent_by_hint(self, device):
        if self._hint and device.startswith("Local/"):
            exten, _sep, context = device[6:].partition("@")
            if context == self._hint:
                return exten
        return None

    def _learn_interface(self, interface, agent):
        if interface and agent:
            self.member_devices[_interface_device(interface)] = agent

    def _agent_from_member(self, m):
        interface = m.get("Interface") or m.get("Location")
        agent = agent_key(interface) or agent_key(m.get("MemberName") or m.get("Name"))
        agent = agent or agent_key(m.get("StateInterface"))
        self._learn_interface(interface, agent)
        return agent

    def _interface_of(self, agent, channel):
        record = self.agents.get(agent)
        for member in record["q"].values() if record else ():
            if member["interface"]:
                return member["interface"]
        return _device(channel) if channel else None

    def _mark_agent_leg(self, uid, agent):
        chan = self.channels.get(uid)
        if chan is not None and not chan["a"]:
            chan["a"] = agent

    # ----------------------------------------------------------------------------------------------------
    # Dialling: agent attempts, outbound customers, originates

    def _on_dialbegin(self, m, at):
        dest_uid = m.get("DestUniqueid")
        call = self.calls.get(m.get("DestLinkedid") or m.get("Linkedid"))
        if call is None or dest_uid is None or dest_uid in self.dead:
            return
        if dest_uid not in call.live:
            self._add_channel(call, dest_uid, m.get("DestChannel"))
        agent = self.channels[dest_uid]["a"]
        src_uid = m.get("Uniqueid")
        if src_uid is not None and src_uid == call.trunk:
            self._resolve_move(call, agent)
        if agent:
            self._dial_agent(call, m, dest_uid, agent, at)
        elif src_uid is None:
            self._originate_rings(call, dest_uid, at)
        elif self.channels.get(src_uid, {}).get("a"):
            self._dial_customer(call, m, dest_uid, at)

    def _dial_agent(self, call, m, dest_uid, agent, at):
        if dest_uid in call.att:
            return  # a queue attempt (AgentCalled came first) or a duplicate
        origin = call.x.get("origin") == agent and dest_uid == call.rec["linkedid"]
        interface = self._interface_of(agent, m.get("DestChannel"))
        self._add_attempt(call, dest_uid, agent, interface, None, at, origin)
        self._publish(call)
        number = m.get("DestConnectedLineNum")
        name = m.get("DestConnectedLineName")
        self._ring_agent(call, agent, dest_uid, interface, None, number, name, at)

    def _add_attempt(self, call, uid, agent, interface, queue, at, origin=False):
        record = call.rec
        call.att[uid] = len(record["attempts"])
        attempt = {"agent": agent, "interface": interface, "queue": queue, "start": at, "end": None}
        attempt["outcome"] = None
        record["attempts"].append(attempt)
        if record["first_agent_rung"] is None:
            record["first_agent_rung"] = agent
        if record["first_ring"] is None and not origin:
            record["first_ring"] = at
        if record["state"] not in _TALKING:
            record["state"] = "ringing"
        self._touch(call)

    def _ring_agent(self, call, agent, uid, interface, queue, number, name, at):
        lid = call.rec["linkedid"]
        number = _known(number) or call.rec["caller_raw"]
        name = _known(name) or call.rec["caller_name"]
        self._emit(events.AgentRinging(lid, agent, interface, queue, number, name, at))
        self._agent_activity(agent, lid, uid, "ringing", queue, at)

    def _originate_rings(self, call, dest_uid, at):
        # The Originate dials its first channel: for an outbound call that is the customer ringing.
        if call.rec["direction"] == "outbound" and dest_uid in call.cust and call.rec["first_ring"] is None:
            self._set(call, "first_ring", at)

    def _dial_customer(self, call, m, dest_uid, at):
        if call.rec["direction"] != "internal" or dest_uid in call.cust:
            return
        self._add_customer(call, dest_uid, True)
        partner = self.names.get(_partner(m.get("DestChannel")))
        if partner:
            call.cust[partner] = 1
        call.rec.update(
            direction="outbound",
            callee_raw=_known(m.get("DestExten")) or _known(m.get("DestCallerIDNum")),
            caller_raw=_known(m.get("CallerIDNum")),
            caller_name=_known(m.get("CallerIDName")),
            first_ring=at,
            state="ringing",
        )
        self._publish(call)
        self._touch(call)

    def _on_dialend(self, m, at):
        dest_uid = m.get("DestUniqueid")
        call = self.calls.get(m.get("DestLinkedid") or m.get("Linkedid"))
        if call is None:
            return
        status = m.get("DialStatus")
        if dest_uid in call.att:
            self._agent_dial_end(call, m, dest_uid, status, at)
        elif dest_uid in call.cust and call.rec["direction"] != "inbound":
            self._customer_dial_end(call, m, status, at)

    def _agent_dial_end(self, call, m, dest_uid, status, at):
        attempt = call.rec["attempts"][call.att[dest_uid]]
        if attempt["end"] is not None:
            return  # e.g. the CANCEL that follows NOANSWER on a ring timeout
        if status != "ANSWER":
            if call.rec["direction"] != "inbound":
                call.x["dial"] = status
            self._end_attempt(call, dest_uid, self._ring_outcome(call, status), at)
        elif attempt["queue"] is not None:
            call.x["answering"] = dest_uid  # AgentConnect follows with Asterisk's figures
        else:
            self._agent_answers(call, m, dest_uid, attempt, at)

    def _ring_outcome(self, call, status):
        if status != "CANCEL":
            return _RING_OUTCOME.get(status, "cancelled")
        if "cust_gone" in call.x:
            return "caller_abandoned"
        if call.rec["answer"] is not None or "answering" in call.x:
            return "answered_elsewhere"
        return "cancelled"

    def _end_attempt(self, call, uid, outcome, at):
        index = call.att.get(uid)
        attempt = None if index is None else call.rec["attempts"][index]
        if attempt is None or attempt["end"] is not None:
            return None
        attempt["end"], attempt["outcome"] = at, outcome
        self._touch(call)
        lid = call.rec["linkedid"]
        self._emit(events.AgentRingStopped(lid, attempt["agent"], outcome, at))
        if outcome != "answered":
            self._agent_ring_over(attempt["agent"], lid, at, attempt["queue"])
            self._after_ring(call)
        return attempt

    def _close_open_attempts(self, call, outcome, at):
        for uid, index in list(call.att.items()):
            if call.rec["attempts"][index]["end"] is None:
                self._end_attempt(call, uid, outcome, at)

    def _after_ring(self, call):
        record = call.rec
        if record["state"] != "ringing" or any(a["end"] is None for a in record["attempts"]):
            return
        if "inq" in call.x:
            record["state"] = "queued"
        elif record["direction"] == "inbound":
            record["state"] = "ivr"

    def _agent_answers(self, call, m, dest_uid, attempt, at):
        agent = attempt["agent"]
        lid = call.rec["linkedid"]
        self._end_attempt(call, dest_uid, "answered", at)
        self._agent_activity(agent, lid, dest_uid, "on_call", None, at)
        if call.x.get("origin") == agent and dest_uid == lid and call.rec["answer"] is None:
            call.agent, call.leg = agent, dest_uid  # click-to-dial: the agent picked up, the customer is next
            return
        if call.rec["answer"] is None:
            self._first_answer(call, agent, dest_uid, m.get("Context"), at, None, at - attempt["start"])
        else:
            self._transfer_answer(call, agent, dest_uid, m.get("Context"), at)

    def _customer_dial_end(self, call, m, status, at):
        if status != "ANSWER":
            call.x["dial"] = status
            return
        record = call.rec
        if record["answer"] is not None:
            return
        ring = None if record["first_ring"] is None else at - record["first_ring"]
        if call.agent:
            self._first_answer(call, call.agent, call.leg, m.get("DestContext"), at, None, ring)
            return
        record.update(answer=at, ring_s=ring, state="ivr")  # an Originate into our dialplan (notification)
        self._touch(call)
        if call.pub:  # a pending call may still turn out to be a conference guest: no event about it yet
            self._emit(events.CallAnswered(record["linkedid"], None, at))

    def _first_answer(self, call, agent, leg, context, at, wait, ring):
        record = call.rec
        if wait is None and record["queue_entry"] is not None:
            wait = at - record["queue_entry"]
        record.update(answer=at, answering_agent=agent, wait_s=wait, ring_s=ring, state="talking")
        call.agent, call.leg = agent, leg
        call.x["talk_ctx"] = context
        call.x.pop("answering", None)
        self._touch(call)
        self._emit(events.CallAnswered(record["linkedid"], agent, at))

    def _transfer_answer(self, call, agent, leg, context, at):
        """The target of a transfer answered: the customer now talks with another agent."""
        call.agent, call.leg = agent, leg
        call.x["talk_ctx"] = context
        self._set(call, "state", "talking")
        self._emit(events.CallAnswered(call.rec["linkedid"], agent, at))

    # ----------------------------------------------------------------------------------------------------
    # Queue

    def _on_agentcalled(self, m, at):
        call = self.calls.get(m.get("Linkedid"))
        dest_uid = m.get("DestUniqueid")
        if call is None or dest_uid is None or dest_uid in call.att:
            return
        agent = self._agent_from_member(m)
        if agent is None:
            return
        self._mark_agent_leg(dest_uid, agent)
        queue, interface = m.get("Queue"), m.get("Interface")
        self._learn_caller(call, m)
        self._add_attempt(call, dest_uid, agent, interface, queue, at)
        number, name = m.get("CallerIDNum"), m.get("CallerIDName")
        self._ring_agent(call, agent, dest_uid, interface, queue, number, name, at)
        if queue not in self.agents[agent]["q"]:
            self._update_member(m, at, False)  # rung by the queue, so a member of it: logged in
        self._publish(call)

    def _on_agentringnoanswer(self, m, at):
        call = self.calls.get(m.get("Linkedid"))
        if call is not None:
            self._end_attempt(call, m.get("DestUniqueid"), "ring_no_answer", at)

    def _on_agentconnect(self, m, at):
        call = self.calls.get(m.get("Linkedid"))
        dest_uid = m.get("DestUniqueid")
        if (
            call is None
            or dest_uid is None
            or dest_uid in self.dead
            or self._answered_attempt(call, dest_uid)
        ):
            return
        agent = self._agent_from_member(m)
        queue = m.get("Queue")
        if dest_uid not in call.att:
            self._add_attempt(call, dest_uid, agent, m.get("Interface"), queue, at)
        start = call.rec["attempts"][call.att[dest_uid]]["start"]
        self._end_attempt(call, dest_uid, "answered", at)
        self._close_open_attempts(call, "answered_elsewhere", at)
        self._agent_activity(agent, call.rec["linkedid"], dest_uid, "on_call", queue, at)
        if call.rec["answer"] is not None:
            self._transfer_answer(call, agent, dest_uid, m.get("Context"), at)
            return
        ring = _seconds(m.get("RingTime"))
        ring = at - start if ring is None else ring
        self._first_answer(call, agent, dest_uid, m.get("Context"), at, _seconds(m.get("HoldTime")), ring)

    @staticmethod
    def _answered_attempt(call, uid):
        index = call.att.get(uid)
        return index is not None and call.rec["attempts"][index]["outcome"] == "answered"

    def _on_agentcomplete(self, m, at):
        agent = self._agent_from_member(m)
        lid = m.get("Linkedid") or m.get("DestLinkedid")
        if lid is None and agent in self.agents:
            lid = self.agents[agent]["last"]  # AgentComplete without caller fields (seen under load)
        call = self.calls.get(lid)
        if call is not None:
            self._complete(call, m, agent)
        elif self.recent.get(lid) is not None:
            self._complete_late(lid, m, agent)

    def _complete(self, call, m, agent):
        x = call.x
        if "ac" in x or call.rec["answering_agent"] != agent:
            return
        x["ac"] = m.get("Reason")
        talk = _seconds(m.get("TalkTime"))
        if talk is not None and "redirected" not in x:
            self._set(call, "talk_s", talk)  # after a Redirect TalkTime covers the whole call: use stamps
        if call.rec["wait_s"] is None:
            self._set(call, "wait_s", _seconds(m.get("HoldTime")))

    def _complete_late(self, lid, m, agent):
        """AgentComplete after the last Hangup: amend the ended call with Asterisk's talk time."""
        snapshot = self.recent[lid]
        talk = _seconds(m.get("TalkTime"))
        if snapshot["answering_agent"] != agent or talk is None or snapshot["talk_s"] == talk:
            return
        if any(transfer["kind"] == "redirect" for transfer in snapshot["transfers"]):
            return
        snapshot["talk_s"] = talk
        self._emit(events.CallChanged(_snapshot(snapshot)))

    def _on_queuecallerjoin(self, m, at):
        call = self.calls.get(m.get("Linkedid"))
        if call is None:
            return
        queue, uid = m.get("Queue"), m.get("Uniqueid")
        joins = call.x.setdefault("joins", {})
        if f"{queue}|{uid}" in joins:
            return
        joins[f"{queue}|{uid}"] = at
        self._resolve_move(call, queue)
        if uid not in call.cust:
            self._add_customer(call, uid, True)
        self._learn_caller(call, m)
        self._enter_queue(call, queue, _int(m.get("Position")), at)
        self._queue_count(queue, m.get("Count"), at)

    def _enter_queue(self, call, queue, position, at):
        record = call.rec
        record["queue"] = queue
        if record["queue_entry"] is None:
            record.update(queue_entry=at, queue_position_entry=position)
            if record["ivr_s"] is None:
                record["ivr_s"] = at - record["start"]
        record["state"] = "queued"
        call.x["inq"] = queue
        self._publish(call)
        self._touch(call)

    def _on_queuecallerleave(self, m, at):
        call = self.calls.get(m.get("Linkedid"))
        if call is not None:
            call.x.pop("inq", None)
            if call.rec["state"] == "queued":
                self._set(call, "state", "ivr")
        self._queue_count(m.get("Queue"), m.get("Count"), at)

    def _on_queuecallerabandon(self, m, at):
        call = self.calls.get(m.get("Linkedid"))
        if call is None or call.rec["queue_position_abandon"] is not None:
            return
        record = call.rec
        wait = _seconds(m.get("HoldTime"))
        if wait is None and record["queue_entry"] is not None:
            wait = at - record["queue_entry"]
        record.update(queue_position_abandon=_int(m.get("Position")), wait_s=wait)
        if record["queue_position_entry"] is None:
            record["queue_position_entry"] = _int(m.get("OriginalPosition"))
        call.x["cust_gone"] = 1
        self._touch(call)
        self._close_open_attempts(call, "caller_abandoned", at)

    def _queue_count(self, queue, count, at):
        waiting = _int(count)
        if queue is None or waiting is None or self.queues.get(queue) == waiting:
            return
        self.queues[queue] = waiting
        self._emit(events.QueueCallerCount(queue, waiting, at))

    # ----------------------------------------------------------------------------------------------------
    # Queue members and agent states

    def _on_queuemember(self, m, at):
        self._update_member(m, at, False)

    def _on_queuememberremoved(self, m, at):
        self._update_member(m, at, True)

    def _update_member(self, m, at, removed):
        queue = m.get("Queue")
        agent = self._agent_from_member(m)
        if agent is None or queue is None:
            return None
        record = self._agent(agent)
        member = self._member_fields(m)
        old = record["q"].get(queue)
        if removed:
            if old is None:
                return agent
            del record["q"][queue]
            member["status"] = "removed"
        elif old == member:
            return agent
        else:
            record["q"][queue] = member
        self._emit_member(queue, agent, member, at)
        self._refresh_agent(agent, at, queue)
        return agent

    @staticmethod
    def _member_fields(m):
        paused = m.get("Paused") in ("1", "true", "yes")
        reason = (m.get("PausedReason") or m.get("Reason") or None) if paused else None
        return {
            "interface": m.get("Interface") or m.get("Location"),
            "penalty": _int(m.get("Penalty")),
            "paused": paused,
            "reason": reason,
            "status": _DEVICE_STATUS.get(m.get("Status")),
        }

    def _emit_member(self, queue, agent, member, at):
        self._emit(
            events.QueueMemberChanged(
                queue,
                agent,
                member["interface"],
                member["penalty"],
                member["paused"],
                member["reason"],
                member["status"],
                at,
            )
        )

    def _agent(self, agent):
        record = self.agents.get(agent)
        if record is None:
            record = {"q": {}, "act": {}, "legs": {}, "st": None, "rs": None, "wu": None, "last": None}
            self.agents[agent] = record
        return record

    def _agent_activity(self, agent, lid, uid, activity, queue, at):
        record = self._agent(agent)
        record["act"][lid] = activity
        record["legs"][uid] = lid
        if activity == "on_call":
            record["last"] = lid
            record["wu"] = None
        self._refresh_agent(agent, at, queue)

    def _agent_ring_over(self, agent, lid, at, queue):
        record = self.agents.get(agent)
        if record is not None and record["act"].get(lid) == "ringing":
            del record["act"][lid]
            self._refresh_agent(agent, at, queue)

    def _agent_leg_over(self, agent, uid, at, queue=None):
        """The agent's leg hung up: the agent is free of that call (wrap-up first if configured)."""
        record = self.agents.get(agent)
        lid = record["legs"].pop(uid, None) if record else None
        if lid is None or lid in record["legs"].values():
            return
        if record["act"].pop(lid, None) == "on_call" and self._wrapup:
            record["wu"] = at + self._wrapup
        self._refresh_agent(agent, at, queue)

    def _release_agents(self, call, at):
        lid = call.rec["linkedid"]
        agents = {attempt["agent"] for attempt in call.rec["attempts"]}
        agents.add(call.agent)
        for agent in agents:
            record = self.agents.get(agent)
            if record is not None and lid in record["act"]:
                del record["act"][lid]
                record["legs"] = {uid: other for uid, other in record["legs"].items() if other != lid}
                self._refresh_agent(agent, at, call.rec["queue"])

    def _refresh_agent(self, agent, at, queue=None):
        record = self.agents[agent]
        state, reason = self._agent_state(record)
        if state != record["st"] or reason != record["rs"]:
            record["st"], record["rs"] = state, reason
            self._emit(events.AgentStateChanged(agent, state, reason, queue, at))

    @staticmethod
    def _agent_state(record):
        activities = record["act"].values()
        if "on_call" in activities:
            return "on_call", None
        if "ringing" in activities:
            return "ringing", None
        if record["wu"] is not None:
            return "wrap_up", None
        members = record["q"].values()
        if not members:
            return "logged_out", None
        paused = [member for member in members if member["paused"]]
        if len(paused) == len(members):
            return "paused", paused[0]["reason"]
        return "ready", None

    # ----------------------------------------------------------------------------------------------------
    # In-call events: DTMF, recording, hold, transfers, conference, spy

    def _on_dtmfend(self, m, at):
        if m.get("Direction") != "Received":
            return
        call = self.calls.get(m.get("Linkedid"))
        uid, digit = m.get("Uniqueid"), m.get("Digit") or ""
        if call is None or call.rec["state"] != "ivr" or uid not in call.cust:
            return  # only the customer's keys in the IVR; agents' *7 etc. are not IVR digits
        if not self._repeated(f"D|{uid}|{digit}|{at}"):
            self._set(call, "ivr_digits", (call.rec["ivr_digits"] or "") + digit)
            self._publish(call)

    def _on_varset(self, m, at):
        if m.get("Variable") != "MIXMONITOR_FILENAME":
            return
        call = self.calls.get(m.get("Linkedid"))
        if call is not None:
            self._set(call, "recording_file", m.get("Value"))

    def _on_mixmonitorstart(self, m, at):
        call = self.calls.get(m.get("Linkedid"))
        if call is None:
            return
        if call.rec["recording_file"] is None:
            self._set(call, "recording_file", self._recording.format(uniqueid=m.get("Uniqueid")))
        self._publish(call)

    def _on_hold(self, m, at):
        call = self.calls.get(m.get("Linkedid"))
        if call is None or call.rec["state"] != "talking" or self._repeated(f"H|{m.get('Uniqueid')}|{at}"):
            return
        call.x["hold_start"] = at
        call.rec["hold_count"] += 1
        call.rec["state"] = "held"
        self._touch(call)
        self._emit(events.CallHeld(call.rec["linkedid"], call.agent, at))

    def _on_unhold(self, m, at):
        call = self.calls.get(m.get("Linkedid"))
        if call is None or call.rec["state"] != "held" or self._repeated(f"U|{m.get('Uniqueid')}|{at}"):
            return  # an Unhold without Hold comes with a BlindTransfer
        self._end_hold(call, at)
        self._set(call, "state", "talking")
        self._emit(events.CallResumed(call.rec["linkedid"], call.agent, at))

    def _end_hold(self, call, at):
        start = call.x.pop("hold_start", None)
        if start is not None:
            self._set(call, "hold_s", call.rec["hold_s"] + at - start)

    def _on_bridgeleave(self, m, at):
        call = self.calls.get(m.get("Linkedid"))
        if call is None or m.get("Uniqueid") != call.trunk or call.rec["state"] not in _TALKING:
            return
        x = call.x
        if m.get("Context") != x.get("talk_ctx"):
            # Moved by a Redirect: a transfer if it dials or queues next, a conference if it joins one.
            x.setdefault("moved_at", at)
            x.setdefault("moved_to", m.get("Exten"))
        elif "by" not in x:
            x["by"] = "system"  # the trunk left the agent before anybody asked to hang up: forced from inside

    def _resolve_move(self, call, target):
        moved_at = call.x.pop("moved_at", None)
        if moved_at is None:
            return
        call.x["redirected"] = 1
        self._record_transfer(call, "redirect", call.agent, target or call.x.get("moved_to"), moved_at)

    def _on_blindtransfer(self, m, at):
        if m.get("Result") != "Success":
            return
        call = self.calls.get(m.get("TransfereeLinkedid") or m.get("TransfererLinkedid"))
        if call is None or self._repeated(f"B|{call.rec['linkedid']}|{at}"):
            return
        agent = self._agent_of_channel(m.get("TransfererChannel")) or call.agent
        self._record_transfer(call, "blind", agent, m.get("Extension"), at)

    def _on_attendedtransfer(self, m, at):
        if m.get("Result") != "Success":
            return
        call = self.calls.get(m.get("OrigTransfererLinkedid")) or self.calls.get(
            m.get("SecondTransfererLinkedid")
        )
        if call is None or self._repeated(f"A|{call.rec['linkedid']}|{at}"):
            return
        agent = self._agent_of_channel(m.get("OrigTransfererChannel")) or call.agent
        target_agent = self._agent_of_channel(m.get("TransferTargetChannel"))
        target = target_agent or m.get("SecondTransfererConnectedLineNum") or m.get("SecondTransfererExten")
        self._record_transfer(call, "attended", agent, target, at)
        if target_agent:
            self._transfer_answer(
                call, target_agent, self.names.get(m.get("TransferTargetChannel")), None, at
            )

    def _record_transfer(self, call, kind, from_agent, target, at):
        record = call.rec
        record["transfers"].append({"kind": kind, "from_agent": from_agent, "to": target, "at": at})
        record["transferred_to"] = target
        record["state"] = "ringing"
        call.x.setdefault("talk_end", at)
        self._end_hold(call, at)
        call.agent = call.leg = None  # the first agent's leg hanging up now is not the end of the call
        self._touch(call)
        self._emit(events.CallTransferred(record["linkedid"], kind, from_agent, target, at))

    def _on_confbridgejoin(self, m, at):
        conference, uid, lid = m.get("Conference"), m.get("Uniqueid"), m.get("Linkedid")
        members = self.conferences.setdefault(conference, {})
        members[uid] = lid
        chan = self.channels.get(uid)
        if chan is not None:
            chan["c"] = conference
        call = self.calls.get(lid)
        if call is not None and not call.pub:
            self._drop(call)  # a third party originated into the conference: not a customer call of its own
        elif call is not None and uid == call.trunk and call.x.pop("moved_at", None) is not None:
            call.x["talk_ctx"] = m.get("Context")  # the Redirect took the call into a conference
        self._flag_conference(members)

    def _flag_conference(self, members):
        linkedids = set(members.values())
        if len(members) < 3 and len(linkedids) < 2:
            return
        for lid in linkedids:
            call = self.calls.get(lid)
            if call is not None and call.pub:
                self._set(call, "conference", True)

    def _on_confbridgeleave(self, m, at):
        self._leave_conference(m.get("Conference"), m.get("Uniqueid"))

    def _leave_conference(self, conference, uid):
        members = self.conferences.get(conference)
        if members is not None:
            members.pop(uid, None)

    def _on_confbridgeend(self, m, at):
        self.conferences.pop(m.get("Conference"), None)

    def _on_chanspystart(self, m, at):
        lid = m.get("SpyerLinkedid") or self._lid_of_uid(self.names.get(m.get("SpyerChannel")))
        call = self.calls.get(lid)
        if call is not None and not call.pub:
            self._drop(call)  # a supervisor listening: never a customer call

    def _drop(self, call):
        lid = call.rec["linkedid"]
        self.calls.pop(lid, None)
        self._dirty.pop(lid, None)
        _remember(self.ignored, lid, True, RECENT_LIMIT)

    # ----------------------------------------------------------------------------------------------------
    # UserEvents of the dialplan contract

    def _on_userevent(self, m, at):
        handler = self._user_handlers.get(_first(m.get("UserEvent")))
        if handler is not None:
            handler(m, at)

    def _user_call(self, m):
        lid = _last(m, "CallLinkedid") or _first(m.get("Linkedid"))
        return lid, self.calls.get(lid)

    def _on_survey(self, m, at):
        lid, call = self._user_call(m)
        score = _int(_last(m, "Score"))
        if score is None:
            return
        agent = agent_key(_last(m, "Interface")) or agent_key(_last(m, "Agent"))
        if call is not None and call.rec["survey_score"] != score:
            self._set(call, "survey_score", score)
        elif call is None and self.recent.get(lid) is not None and self.recent[lid]["survey_score"] != score:
            self.recent[lid]["survey_score"] = score  # scored after the call ended (out of order)
            self._emit(events.CallChanged(_snapshot(self.recent[lid])))
        else:
            return
        self._emit(events.SurveyScored(lid, agent, score, at))

    def _final_disposition(self, m, disposition):
        _lid, call = self._user_call(m)
        if call is not None:
            call.x["final"] = disposition
            self._publish(call)

    def _on_afterhours(self, m, at):
        self._final_disposition(m, "voicemail")

    def _on_rejected(self, m, at):
        self._final_disposition(m, "rejected_blacklist")

    def _on_notify(self, m, at):
        _lid, call = self._user_call(m)
        if call is not None:
            self._set(call, "ivr_digits", _last(m, "Digit"))  # the notification's answer
            self._publish(call)

    # ----------------------------------------------------------------------------------------------------
    # Originate

    def _on_originateresponse(self, m, at):
        action_id, uid = m.get("ActionID"), _known(m.get("Uniqueid"))
        if self._repeated(f"O|{action_id}|{uid}"):
            return
        lid = self._lid_of_uid(uid) if uid else None
        success = m.get("Response") == "Success"
        reason = _int(m.get("Reason"))
        self._emit(events.OriginateResult(action_id, success, reason, m.get("Channel"), uid, lid, at))
        call = self.calls.get(lid)
        if call is not None:
            self._set(call, "originate_action_id", action_id)
            if not success:
                call.x["orig"] = reason
        elif self.recent.get(lid) is not None:
            self._originate_late(self.recent[lid], action_id, success, reason)

    def _originate_late(self, snapshot, action_id, success, reason):
        """OriginateResponse after the last Hangup: attach it to the ended call."""
        changed = snapshot["originate_action_id"] != action_id
        snapshot["originate_action_id"] = action_id
        refined = None if success else _ORIGINATE_FAILURE.get(reason)
        if refined and snapshot["disposition"] == "failed" and refined != "failed":
            snapshot["disposition"], changed = refined, True
        if changed:
            self._emit(events.CallChanged(_snapshot(snapshot)))

    # ----------------------------------------------------------------------------------------------------
    # Hangups and the end of calls

    def _on_softhanguprequest(self, m, at):
        self._hangup_request(m, True)

    def _on_hanguprequest(self, m, at):
        self._hangup_request(m, False)

    def _hangup_request(self, m, soft):
        uid = m.get("Uniqueid")
        chan = self.channels.get(uid)
        call = self.calls.get(chan["l"]) if chan else None
        if call is None:
            return
        if uid in call.cust:
            side = "system" if soft and uid == call.trunk else "caller"
            call.x.setdefault("req", side)
        elif chan["a"] and chan["a"] == call.agent:
            side = "agent"
        else:
            return
        if call.rec["state"] in _TALKING:
            call.x.setdefault("by", side)

    def _on_hangup(self, m, at):
        uid = m.get("Uniqueid")
        chan = self.channels.get(uid)
        if chan is None:
            return
        self._bury(uid, chan)
        if chan["c"]:
            self._leave_conference(chan["c"], uid)
        call = self.calls.get(chan["l"])
        if call is None:
            return
        call.live.pop(uid, None)
        if uid in call.cust:
            self._customer_gone(call, uid, _int(m.get("Cause")), m.get("Cause-txt"), at)
        if chan["a"]:
            self._agent_leg_gone(call, uid, chan["a"], at)
        if not call.live:
            self._close(call, at)

    def _customer_gone(self, call, uid, cause, cause_text, at):
        record, x = call.rec, call.x
        x["cust_gone"] = 1
        if (cause and not record["hangup_cause"]) or record["hangup_cause"] is None:
            record.update(hangup_cause=cause, hangup_cause_text=cause_text)
            self._touch(call)
        if record["state"] in _TALKING and not self._recovering:
            x.setdefault("by", x.get("req", "caller"))
            x.setdefault("talk_end", x.get("moved_at", at))

    def _agent_leg_gone(self, call, uid, agent, at):
        if uid in call.att:
            self._end_attempt(call, uid, self._ring_outcome(call, "CANCEL"), at)
        if uid == call.leg:
            if call.rec["state"] in _TALKING and not self._recovering:
                call.x.setdefault("by", "agent")
                call.x.setdefault("talk_end", call.x.get("moved_at", at))
            call.leg = None
        self._agent_leg_over(agent, uid, at, call.rec["queue"])

    def _close(self, call, at):
        record, x = call.rec, call.x
        lid = record["linkedid"]
        self.calls.pop(lid, None)
        self._end_hold(call, at)
        record.update(end=at, ended=True, state="ended")
        self._finish_talk(call, at)
        self._close_open_attempts(call, "caller_abandoned" if record["answer"] is None else "cancelled", at)
        record["disposition"] = self._disposition(call)
        record["hangup_by"] = x.get("by") or _REASON_BY.get(x.get("ac")) or x.get("req") or "system"
        if record["answering_agent"] is not None and self._wrapup:
            record["wrapup_s"] = self._wrapup
        if record["direction"] == "inbound" and record["ivr_s"] is None:
            record["ivr_s"] = at - record["start"]
        self._release_agents(call, at)
        self._forget_channels(call)
        _remember(self.recent, lid, _snapshot(record), RECENT_LIMIT)
        call.pub = True  # a pending originated call that ended is an outbound attempt after all
        self._touch(call)
        self._emit(events.CallEnded(lid, record["disposition"], at))

    @staticmethod
    def _finish_talk(call, at):
        record = call.rec
        if record["answering_agent"] is None or record["talk_s"] is not None:
            return
        end = call.x.get("talk_end") or call.x.get("moved_at") or at
        record["talk_s"] = end - record["answer"]

    def _disposition(self, call):
        record, x = call.rec, call.x
        if "final" in x:
            return x["final"]
        if record["answer"] is not None:
            return "answered"
        if record["direction"] != "inbound":
            return self._failure(call)
        if record["queue_entry"] is not None or record["attempts"]:
            return "abandoned"
        if record["hangup_cause"] == 21:
            return "rejected_blacklist"
        return "ivr_hangup"

    @staticmethod
    def _failure(call):
        """Why an outbound call was not answered: DialStatus, then Originate reason, then hangup cause."""
        x = call.x
        for guess in (
            _DIAL_FAILURE.get(x.get("dial")),
            _ORIGINATE_FAILURE.get(x.get("orig")),
            _CAUSE_FAILURE.get(call.rec["hangup_cause"]),
        ):
            if guess:
                return guess
        return "no_answer" if call.rec["first_ring"] is not None else "failed"

    def _forget_channels(self, call):
        for uid in list(call.live):
            chan = self.channels.get(uid)
            if chan is not None:
                self._bury(uid, chan)
        call.live = {}

    def _on_shutdown(self, m, at):
        """Asterisk stops: every call still open is over (it hangs them up first, but we may miss that)."""
        for call in list(self.calls.values()):
            call.x.setdefault("by", "system")
            self._close(call, at)
        self.calls.clear()
        for uid, chan in list(self.channels.items()):
            self._bury(uid, chan)
        self.conferences.clear()
        self.dead.clear()  # a restarted Asterisk starts new Uniqueids: nothing of the old run can come back
        self.seen.clear()
        for agent, record in self.agents.items():
            record["act"].clear()
            record["legs"].clear()
            self._refresh_agent(agent, at)

    # ----------------------------------------------------------------------------------------------------
    # Recovery after a reconnect

    @staticmethod
    def _present_channels(lists):
        if "CoreShowChannels" not in lists and "Status" not in lists:
            return None  # no channel list: keep what we know
        present = {}
        for name, event in (("CoreShowChannels", "CoreShowChannel"), ("Status", "Status")):
            for item in lists.get(name) or ():
                uid = item.get("Uniqueid")
                if uid and item.get("Event") == event:
                    present.setdefault(uid, {}).update(item)
        return present

    def _drop_vanished(self, present, at):
        """Channels that hung up while we were away: hang them up now; calls left without any are closed."""
        self._recovering = True
        try:
            for uid in [uid for uid in self.channels if uid not in present]:
                self._on_hangup({"Uniqueid": uid, "Cause": "0"}, at)
            for call in [call for call in self.calls.values() if not call.live]:
                self._close(call, at)
        finally:
            self._recovering = False

    def _adopt_channels(self, present, at):
        """Channels we never saw: add them to their call, or open the calls that began while we were away."""
        groups = {}
        for uid, item in present.items():
            if uid not in self.channels and uid not in self.dead:
                groups.setdefault(item.get("Linkedid"), []).append(item)
        for lid, items in groups.items():
            if lid in self.recent or lid in self.ignored:
                continue
            items.sort(key=lambda item: item.get("Uniqueid") != lid)  # the first channel first
            call = self.calls.get(lid) or self._adopt_call(lid, items, at)
            if call is not None:
                for item in items:
                    if item["Uniqueid"] not in call.live:
                        self._add_channel(call, item["Uniqueid"], item.get("Channel"))

    def _adopt_call(self, lid, items, at):
        first = items[0] if items[0].get("Uniqueid") == lid else None
        call = self._open_call(first, lid, at - _age(first)) if first else None
        if call is None:
            return None
        queued = any(
            item.get("Application") == "Queue" and not self._agent_of_channel(item.get("Channel"))
            for item in items
        )
        if queued and call.rec["direction"] != "inbound":
            call.rec.update(did=None, callee_raw=None)
            self._open_inbound(call, None)  # the current context is no longer the inbound one
        self._publish(call)
        return call

    def _reconcile_bridges(self, present, at):
        """A call that waited or rang and is now bridged with an agent was answered while we were away."""
        for call in list(self.calls.values()):
            trunk = present.get(call.trunk)
            bridge = _bridge_of(trunk) if trunk else None
            if call.rec["answer"] is not None or bridge is None:
                continue
            for uid in call.live:
                chan, item = self.channels.get(uid), present.get(uid)
                if chan and chan["a"] and item and _bridge_of(item) == bridge:
                    self._answered_while_away(call, uid, chan["a"], trunk, at - _age(item), at)
                    break

    def _answered_while_away(self, call, uid, agent, trunk, answered, at):
        self._close_open_attempts(call, "answered_elsewhere", at)
        self._agent_activity(agent, call.rec["linkedid"], uid, "on_call", call.rec["queue"], at)
        self._first_answer(call, agent, uid, trunk.get("Context"), answered, None, None)

    def _apply_queue_status(self, items, at):
        listed, waiting = {}, {}
        for item in items:
            queue, kind = item.get("Queue"), item.get("Event")
            if kind == "QueueParams":
                listed.setdefault(queue, set())
                waiting.setdefault(queue, 0)
            elif kind == "QueueMember":
                listed.setdefault(queue, set()).add(self._update_member(item, at, False))
            elif kind == "QueueEntry":
                waiting[queue] = waiting.get(queue, 0) + 1
                self._adopt_queue_entry(item, at)
        self._drop_unlisted_members(listed, at)
        for queue, count in waiting.items():
            self._queue_count(queue, count, at)

    def _adopt_queue_entry(self, item, at):
        call = self.calls.get(self._lid_of_uid(item.get("Uniqueid")))
        if call is not None and call.rec["queue_entry"] is None:
            wait = _int(item.get("Wait")) or 0
            self._enter_queue(call, item.get("Queue"), _int(item.get("Position")), at - wait)

    def _drop_unlisted_members(self, listed, at):
        for agent, record in self.agents.items():
            for queue in [queue for queue in record["q"] if agent not in listed.get(queue, (agent,))]:
                member = record["q"].pop(queue)
                member["status"] = "removed"
                self._emit_member(queue, agent, member, at)
                self._refresh_agent(agent, at, queue)

    def _release_stale_agents(self, at):
        for agent, record in self.agents.items():
            record["legs"] = {uid: lid for uid, lid in record["legs"].items() if uid in self.channels}
            stale = [lid for lid in record["act"] if lid not in self.calls]
            for lid in stale:
                del record["act"][lid]
            if stale:
                self._refresh_agent(agent, at)


# Tables saved by to_state() besides the calls (all plain JSON-friendly dicts).
_STATE_TABLES = (
    "channels",
    "names",
    "agents",
    "queues",
    "conferences",
    "member_devices",
    "device_cache",
    "recent",
    "dead",
    "ignored",
    "seen",
)

"""AMI replay server: a simulated Asterisk 22 that plays recorded transcripts to a client over TCP.

Each recorded connection of a transcript (``shared/fixtures/ami/*.ami``) is played to one client
connection: the greeting, then, once the client has logged in, the recorded messages at recorded pace
(``speed`` 1.0, 10.0, ...) or as fast as possible (``speed=None``). The server answers Login, Logoff,
Ping and Events itself. Answers to actions the client sends itself are not streamed by time:

* the recorded answers of the recovery and list actions (``HELD_ACTIONS``) are held back and sent when
  the client sends an action of that name (n-th with n-th), with the client's ActionID; the stream waits
  at the place of such an answer (up to ``hold_timeout``) so that what followed it still follows it;
* the answer to any other recorded action is taken out of the stream when the client sends an action of
  that name before it was streamed; later events with that ActionID (OriginateResponse) carry the
  client's ActionID;
* an action with no recorded answer gets ``Response: Success`` (an empty list for list actions).

The recorded Login answer is replaced by the server's own (a wrong secret gets "Authentication failed"
and the socket closes). The stream starts once the client's first actions after Login are answered.

Connections follow the recording: the first client connection plays c=1, the next c=2, ...; a
connection recorded without greeting is accepted and closed at once (and at recorded pace the port
refuses connects where the notes say it did); the server closes the socket when the recorded connection
ends. A client that leaves early moves the server on to the next recorded connection, or, with
``resume=True``, comes back to the first message it was not sent. Several files play one after another
or, with ``concurrent=True``, as one interleaved stream; ``loop=True`` repeats them with ids made
distinct per repetition (``multiply`` does the same for benchmarks). Fault injection (``inject``,
``refuse_for``) serves robustness tests.

CLI (or ``python -m cti.replay_server`` from addons/callcenter_cti)::

    python addons/callcenter_cti/cti/replay_server.py [--host 127.0.0.1] [--port 5038] [--username cti]
        [--secret cti-secret] [--speed N|max] [--loop] [--concurrent] [--resume] [--distinct-runs]
        [--hold-timeout S] FILE...

prints ``listening on HOST:PORT`` and, without --loop, exits once every recorded connection was played.
Pure Python, no Odoo.
"""

import argparse
import asyncio
import collections
import contextlib
import dataclasses
import heapq
import json
import logging
import re
import sys
import time

if __package__:
    from . import transcript as _transcript
else:  # run as a script: python addons/callcenter_cti/cti/replay_server.py
    import transcript as _transcript

_logger = logging.getLogger("odoo.addons.callcenter_cti.cti.replay_server")

TERMINATOR = b"\r\n\r\n"
HELD_ACTIONS = frozenset(
    {"coreshowchannels", "status", "queuestatus", "queuesummary", "bridgelist", "devicestatelist"}
)
# The event that ends the (empty) list the server answers itself when nothing was recorded.
LIST_COMPLETE_EVENTS = {
    "coreshowchannels": "CoreShowChannelsComplete",
    "status": "StatusComplete",
    "queuestatus": "QueueStatusComplete",
    "queuesummary": "QueueSummaryComplete",
    "bridgelist": "BridgeListComplete",
    "devicestatelist": "DeviceStateListComplete",
    "agents": "AgentsComplete",
    "dbget": "DBGetComplete",
    "confbridgelist": "ConfbridgeListComplete",
    "confbridgelistrooms": "ConfbridgeListRoomsComplete",
    "coreshowchannelmap": "CoreShowChannelMapComplete",
}
# Events that are not part of a call: a multiplied transcript keeps them once.
SYSTEM_EVENTS = frozenset({"FullyBooted", "SuccessfulAuth", "Shutdown", "Reload"})

# Frames injected by ``ReplayServer.inject``: deliberately broken, so not AMI traffic from a transcript.
FAULT_FRAMES = {
    "malformed_line": b"Event: VarSet\r\nPrivilege: dialplan,all\r\nthis line has no colon\r\n\r\n",
    "headless": b"Garbage: no Event and no Response header\r\n\r\n",
    "invalid_utf8": b"Event: UserEvent\r\nPrivilege: user,all\r\nUserEvent: Replay\r\nBody: \xff\xfe\r\n\r\n",
    "unknown_event": b"Event: ReplayUnknownEvent\r\nPrivilege: call,all\r\nDetail: injected\r\n\r\n",
    # 1 MiB before the terminator comes: over any sane frame limit.
    "oversized": b"Event: UserEvent\r\nJunk: " + b"x" * (1 << 20) + TERMINATOR,
}
_SERVER_STATS = (
    "connections", "played", "messages", "bytes", "actions", "logins", "login_failures", "rejected",
    "refusals", "faults",
)  # fmt: skip
FAULT_KINDS = frozenset(FAULT_FRAMES) | {"close_mid_message", "silence"}

# -- id rewriting (loop repetitions, concurrent files, multiply) ----------------------------------

_ID_KEYS = (b"uniqueid", b"linkedid", b"bridgeid")  # Uniqueid, DestLinkedid, BridgeUniqueid, BridgeId, ...
_EMBEDDED_IDS = re.compile(
    rb"(?<![\w.])\d{9,}\.\d+(?!\d)"  # a Uniqueid inside a value, e.g. a recording's file name
    rb"|\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b"  # a bridge id
    rb"|\b[A-Za-z][\w-]*/[^\s,;|]+?-[0-9a-f]{8}(?![0-9a-f])"  # a channel name up to its sequence number
)


def rewrite_ids(raw, suffix, *, action_ids=False):
    """``raw`` with every call, channel and bridge id suffixed: "1795316338.0" → "1795316338.0-r2"."""
    tag = suffix.encode()
    keys = (*_ID_KEYS, b"actionid") if action_ids else _ID_KEYS
    return b"\r\n".join(_rewrite_line(line, tag, keys) for line in raw.split(b"\r\n"))


def _rewrite_line(line, tag, keys):
    key, sep, value = line.partition(b": ")
    if not value:
        return line
    if key.lower().endswith(keys):
        # Ids are opaque strings in Asterisk 22 (Originate ChannelId): suffix the whole value.
        return line if value == b"<unknown>" else line + tag
    if b"/" in value or b"." in value or b"-" in value:  # cheap test: most lines hold no id
        return key + sep + _EMBEDDED_IDS.sub(lambda match: match.group(0) + tag, value)
    return line


def rewrite_transcript(transcript, suffix, *, action_ids=False):
    """A copy of ``transcript`` whose calls are distinct calls (ids suffixed with ``suffix``)."""
    connections = {
        number: _rewrite_connection(connection, suffix, action_ids)
        for number, connection in transcript.connections.items()
    }
    return dataclasses.replace(transcript, name=transcript.name + suffix, connections=connections)


def _rewrite_connection(connection, suffix, action_ids):
    messages = [_rewrite_message(message, suffix, action_ids) for message in connection.messages]
    actions = connection.actions
    if action_ids:
        actions = [_rewrite_action(action, suffix) for action in actions]
    return dataclasses.replace(connection, messages=messages, actions=actions)


def _rewrite_message(message, suffix, action_ids):
    if message.is_greeting:
        return message
    raw = rewrite_ids(message.raw, suffix, action_ids=action_ids)
    return dataclasses.replace(message, raw=raw, headers=_transcript.parse_headers(raw))


def _rewrite_action(action, suffix):
    headers = [(k, v + suffix if k.lower() == "actionid" else v) for k, v in action.headers]
    return dataclasses.replace(action, headers=headers)


def multiply(transcript, copies):
    """``transcript`` with ``copies`` simultaneous copies of its calls, each with distinct ids.

    Copy 0 is the original; copy k has every id (and ActionID) suffixed ``-c<k>``. Copies leave out the
    greeting, the Login/Logoff answers and system events (FullyBooted, Shutdown, ...).
    """
    versions = [transcript] + [
        rewrite_transcript(transcript, f"-c{k}", action_ids=True) for k in range(1, copies)
    ]
    connections = {
        number: _merge_copies([version.connections[number] for version in versions])
        for number in transcript.connections
    }
    _renumber(connections)
    return dataclasses.replace(transcript, name=f"{transcript.name}-x{copies}", connections=connections)


def _merge_copies(connections):
    first = connections[0]
    copies = [_call_messages(connection) for connection in connections[1:]]
    messages = list(heapq.merge(first.messages, *copies, key=lambda message: message.offset))
    actions = first.actions + [a for c in connections[1:] for a in c.actions if not _is_session_action(a)]
    return dataclasses.replace(first, messages=messages, actions=sorted(actions, key=lambda a: a.offset))


def _call_messages(connection):
    session_ids = {a.get("ActionID") for a in connection.actions if _is_session_action(a)}
    return [
        m
        for m in connection.messages
        if not m.is_greeting and m.get("ActionID") not in session_ids and m.get("Event") not in SYSTEM_EVENTS
    ]


def _is_session_action(action):
    return (action.get("Action") or "").lower() in ("login", "logoff")


def _renumber(connections):
    number = 0
    for connection in connections.values():
        for index, message in enumerate(connection.messages):
            number += 1
            connection.messages[index] = dataclasses.replace(message, number=number)


# -- scripts: what one client connection gets ------------------------------------------------------


@dataclasses.dataclass
class Entry:
    """One recorded message in the stream of a script."""

    offset: float  # seconds since the recorded connection opened
    raw: bytes
    action_id: str | None = None  # the recorded action it answers or belongs to
    answer: bool = False  # the action's response or one of its list items
    gate: bool = False  # the place of a held answer: the stream waits there for the client's action


@dataclasses.dataclass
class Script:
    """One recorded connection (or several, interleaved) ready to be played to a client connection."""

    label: str
    number: int
    greeting: bytes | None
    login_offset: float
    entries: list
    held: dict  # recorded ActionID → [Entry]: answers sent when the client asks
    actions: list  # [(offset, lowercase name, recorded ActionID)] of recorded actions other than Login
    closed_at: float
    refuse_before: float = 0.0  # the port refused connections for this long before it (p)
    answers: dict = dataclasses.field(default_factory=dict)  # ActionID → indexes of its answers in entries

    def __post_init__(self):
        for index, entry in enumerate(self.entries):
            if entry.answer and not entry.gate:
                self.answers.setdefault(entry.action_id, []).append(index)


def _classify(messages, names, start):
    """Entries of every message but the greeting, tagged with the recorded action they answer."""
    open_lists = set()
    for message in messages:
        if message.is_greeting:
            continue
        action_id = message.get("ActionID")
        if action_id not in names:
            yield Entry(message.offset - start, message.raw)
            continue
        is_response = message.get("Response") is not None
        event_list = (message.get("EventList") or "").lower()
        answer = is_response or action_id in open_lists
        if is_response and event_list == "start":
            open_lists.add(action_id)
        elif not is_response and event_list == "complete":
            open_lists.discard(action_id)
        yield Entry(message.offset - start, message.raw, action_id, answer)


def build_script(transcript, connection, held_names=HELD_ACTIONS, refuse_before=0.0):
    """The script of one recorded connection: its stream, its held answers, its recorded actions."""
    start = connection.opened_at or (connection.messages[0].offset if connection.messages else 0.0)
    names = {a.get("ActionID"): (a.get("Action") or "").lower() for a in connection.actions}
    names.pop(None, None)
    stream, held, login_offset = _split(_classify(connection.messages, names, start), names, held_names)
    actions = [(a.offset - start, names[a.get("ActionID")], a.get("ActionID")) for a in connection.actions]
    return Script(
        label=f"{transcript.name} c={connection.number}",
        number=connection.number,
        greeting=connection.messages[0].raw if connection.has_greeting else None,
        login_offset=login_offset,
        entries=stream,
        held=held,
        actions=[action for action in actions if action[2] and action[1] != "login"],
        closed_at=connection.closed_at - start if connection.closed_at else _last_offset(stream),
        refuse_before=refuse_before,
    )


def _split(entries, names, held_names):
    """(stream, held answers, offset of the Login answer): the server answers Login itself."""
    stream, held, login_offset = [], {}, 0.0
    for entry in entries:
        name = names.get(entry.action_id)
        if entry.answer and name == "login":
            login_offset = entry.offset
        elif entry.answer and name in held_names:
            if entry.action_id not in held:
                stream.append(Entry(entry.offset, b"", entry.action_id, answer=True, gate=True))
            held.setdefault(entry.action_id, []).append(entry)
        else:
            stream.append(entry)
    return stream, held, login_offset


def _last_offset(entries):
    return entries[-1].offset if entries else 0.0


def transcript_scripts(transcript, held_names=HELD_ACTIONS):
    scripts, previous = [], None
    for number in sorted(transcript.connections):
        connection = transcript.connections[number]
        scripts.append(
            build_script(transcript, connection, held_names, _refusal(transcript, previous, connection))
        )
        previous = connection
    return scripts


def _refusal(transcript, previous, connection):
    """How long the port refused connections before ``connection`` opened, when the notes say so."""
    refused = any(n.connection == connection.number and "refused" in n.text for n in transcript.notes)
    if not refused or previous is None or previous.closed_at is None:
        return 0.0
    return max(0.0, connection.opened_at - previous.closed_at)


def merge_scripts(scripts):
    """Several scripts as one connection, messages interleaved by offset (``concurrent=True``)."""
    if len(scripts) == 1:
        return scripts[0]
    greeted = [s for s in scripts if s.greeting is not None]
    held = {}
    for script in scripts:
        held.update(script.held)
    return Script(
        label=" + ".join(s.label for s in scripts),
        number=scripts[0].number,
        greeting=greeted[0].greeting if greeted else None,
        login_offset=min((s.login_offset for s in greeted), default=0.0),
        entries=list(heapq.merge(*(s.entries for s in scripts), key=lambda e: e.offset)),
        held=held,
        actions=list(heapq.merge(*(s.actions for s in scripts))),
        closed_at=max(s.closed_at for s in scripts),
        refuse_before=max(s.refuse_before for s in scripts),
    )


def build_scripts(transcripts, held_names=HELD_ACTIONS, concurrent=False):
    per_file = [transcript_scripts(t, held_names) for t in transcripts]
    if not concurrent:
        return [script for scripts in per_file for script in scripts]
    by_number = collections.defaultdict(list)
    for scripts in per_file:
        for script in scripts:
            by_number[script.number].append(script)
    return [merge_scripts(by_number[number]) for number in sorted(by_number)]


@dataclasses.dataclass
class _Playback:
    """Progress through one script; kept for the next client connection when ``resume=True``."""

    script: Script
    position: int = 0  # index of the first entry not yet written
    pulled: set = dataclasses.field(default_factory=set)  # entries sent early, as answers
    consumed: set = dataclasses.field(default_factory=set)  # recorded ActionIDs the client has asked for
    action_ids: dict = dataclasses.field(default_factory=dict)  # recorded ActionID → the client's
    asked: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)

    @property
    def complete(self):
        return self.position >= len(self.script.entries)


# -- AMI message helpers ---------------------------------------------------------------------------


def ami_message(first_key, first_value, action_id=None, **fields):
    lines = [f"{first_key}: {first_value}"]
    if action_id:
        lines.append(f"ActionID: {action_id}")
    lines += [f"{key}: {value}" for key, value in fields.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def with_action_id(raw, recorded, client):
    """A recorded message carrying the client's ActionID instead of the recorded one."""
    old = b"ActionID: " + recorded.encode() + b"\r\n"
    new = b"ActionID: " + client.encode() + b"\r\n" if client else b""
    return raw.replace(old, new)


def parse_action(frame):
    """A client's action as a dict; a repeated key keeps its values as a list."""
    return _transcript.message_from_headers(_transcript.parse_headers(frame))


def _field(action, key):
    key = key.lower()
    for name, value in action.items():
        if name.lower() == key:
            return value[0] if isinstance(value, list) else value
    return None


class QueueMembers:
    """Queue memberships changed by the client's QueueAdd / QueueRemove / QueuePause, answered with the
    responses and QueueMemberAdded / Removed / Pause events Asterisk 22 gives (fields as in transcript j)."""

    ACTIONS = ("queueadd", "queueremove", "queuepause")

    def __init__(self):
        self.members = {}  # (queue, interface) -> fields

    def apply(self, lowered, action):
        """(ok, message, [event frames])."""
        queue, interface = _field(action, "Queue"), _field(action, "Interface")
        if not interface:
            return False, "'Interface' not specified.", []
        return getattr(self, "_" + lowered)(action, queue, interface)

    def _queueadd(self, action, queue, interface):
        if (queue, interface) in self.members:
            return False, "Unable to add interface: Already there", []
        paused = str(_field(action, "Paused") or "").lower() in ("1", "true", "yes")
        member = {
            "Queue": queue,
            "MemberName": _field(action, "MemberName") or interface,
            "Interface": interface,
            "StateInterface": _field(action, "StateInterface") or interface,
            "Membership": "dynamic",
            "Penalty": _field(action, "Penalty") or "0",
            "LoginTime": str(int(time.time())),
            "Paused": "1" if paused else "0",
            "PausedReason": "",
        }
        self.members[queue, interface] = member
        return True, "Added interface to queue", [self._event("QueueMemberAdded", member)]

    def _queueremove(self, action, queue, interface):
        member = self.members.pop((queue, interface), None)
        if member is None:
            return False, "Unable to remove interface: Not there", []
        return True, "Removed interface from queue", [self._event("QueueMemberRemoved", member)]

    def _queuepause(self, action, queue, interface):
        paused = str(_field(action, "Paused") or "").lower() in ("1", "true", "yes")
        chosen = [m for (q, i), m in self.members.items() if i == interface and (not queue or q == queue)]
        if not chosen:
            return False, "Interface not found", []
        for member in chosen:
            member["Paused"] = "1" if paused else "0"
            member["PausedReason"] = (_field(action, "Reason") or "") if paused else ""
        message = "Interface paused successfully" if paused else "Interface unpaused successfully"
        return True, message, [self._event("QueueMemberPause", member) for member in chosen]

    @staticmethod
    def _event(name, member):
        fields = dict(member, CallsTaken="0", LastCall="0", LastPause="0", InCall="0", Status="1")
        fields |= {"Ringinuse": "0", "Wrapuptime": "0"}
        return ami_message("Event", name, None, Privilege="agent,all", **fields)


_CHANNEL_KEYS = ("Channel", "ChannelState", "CallerIDNum", "Context", "Exten", "Uniqueid", "Linkedid")


def live_channels(entries):
    """{Uniqueid: channel fields} of the channels a stream has created and not yet hung up."""
    live = {}
    for entry in entries:
        if entry.raw.startswith(b"Event: Newchannel\r\n"):
            headers = _transcript.message_from_headers(_transcript.parse_headers(entry.raw))
            live[headers.get("Uniqueid")] = {key: headers.get(key) or "" for key in _CHANNEL_KEYS}
        elif entry.raw.startswith(b"Event: Hangup\r\n"):
            uniqueid = re.search(rb"\r\nUniqueid: ([^\r]*)", entry.raw)
            live.pop(uniqueid.group(1).decode() if uniqueid else None, None)
    return live


class _Clock:
    """Maps recorded offsets to loop time at ``speed`` (None: no waiting)."""

    def __init__(self, speed, origin):
        self.speed, self.origin = speed, origin
        self.start = asyncio.get_running_loop().time()

    async def wait_until(self, offset):
        if self.speed is None:
            return
        delay = self.start + (offset - self.origin) / self.speed - asyncio.get_running_loop().time()
        if delay > 0:
            await asyncio.sleep(delay)


# -- one client connection -------------------------------------------------------------------------


class _Session:
    """Plays one script (from ``playback.position``) to one client connection."""

    def __init__(self, server, playback, reader, writer):
        self.server, self.playback, self.script = server, playback, playback.script
        self.reader, self.writer = reader, writer
        self.logged_in = False
        self.silent = False
        self.streamer = None
        self.last_action_at = asyncio.get_running_loop().time()
        self.done = asyncio.get_running_loop().create_future()

    async def run(self):
        if self.script.greeting is None:
            return  # recorded as accepted and closed without a greeting
        self.writer.write(self.script.greeting)
        reader = asyncio.create_task(self._read_actions())
        try:
            await self.done
        finally:
            for task in (reader, self.streamer):
                if task:
                    task.cancel()

    def finish(self):
        if not self.done.done():
            self.done.set_result(None)

    def send(self, raw):
        if not self.done.done() and not self.writer.is_closing():  # nothing after Goodbye
            self.writer.write(raw)
            self.server.stats["bytes"] += len(raw)

    # -- the client's actions ------------------------------------------------------------------------

    async def _read_actions(self):
        try:
            while not self.done.done():
                frame = await self.reader.readuntil(TERMINATOR)
                self._on_action(parse_action(frame))
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError) as exc:
            _logger.debug("client gone: %s", exc)  # it went away (or sent garbage): the session ends
        finally:
            self.finish()

    def _on_action(self, action):
        self.last_action_at = asyncio.get_running_loop().time()
        self.server.received_actions.append(action)
        self.server.stats["actions"] += 1
        self.server.log_action(action)
        name = str(_field(action, "Action") or "")
        lowered, action_id = name.lower(), _field(action, "ActionID")
        if self.silent:
            return
        if lowered == "login":
            self._login(action, action_id)
        elif not self.logged_in and lowered not in ("logoff", "ping"):
            self.send(ami_message("Response", "Error", action_id, Message="Permission denied"))
        elif self.server.agents is not None and lowered in QueueMembers.ACTIONS:
            self._answer_member_action(action, lowered, action_id)
        elif not self._answer_recorded(lowered, action_id):
            self._answer_generic(name, lowered, action_id)
        if lowered == "logoff":
            self.finish()

    def _answer_member_action(self, action, lowered, action_id):
        ok, message, events = self.server.agents.apply(lowered, action)
        self.send(ami_message("Response", "Success" if ok else "Error", action_id, Message=message))
        for event in events:
            self.send(event)

    def _login(self, action, action_id):
        server = self.server
        if _field(action, "Username") != server.username or _field(action, "Secret") != server.secret:
            server.stats["login_failures"] += 1
            self.send(ami_message("Response", "Error", action_id, Message="Authentication failed"))
            self.finish()
            return
        self.send(ami_message("Response", "Success", action_id, Message="Authentication accepted"))
        if not self.logged_in:
            self.logged_in = True
            server.stats["logins"] += 1
            self.streamer = asyncio.create_task(self._stream())

    def _answer_recorded(self, name, action_id):
        """Send the recorded answer of the next recorded action of that name, if it is still unsent."""
        playback = self.playback
        for _offset, recorded_name, recorded_id in self.script.actions:
            if recorded_name != name or recorded_id in playback.consumed:
                continue
            answers = self._take_answers(recorded_id)
            if answers is None:
                continue  # already streamed: that one cannot answer this client
            playback.consumed.add(recorded_id)
            playback.action_ids[recorded_id] = action_id
            playback.asked.set()
            for entry in answers:
                self.send(with_action_id(entry.raw, recorded_id, action_id))
            return True
        return False

    def _take_answers(self, recorded_id):
        if recorded_id in self.script.held:
            return self.script.held[recorded_id]
        indexes = self.script.answers.get(recorded_id)
        if not indexes or indexes[0] < self.playback.position:
            return None
        self.playback.pulled.update(indexes)
        return [self.script.entries[index] for index in indexes]

    def _answer_generic(self, name, lowered, action_id):
        if lowered == "ping":
            self.send(
                ami_message("Response", "Success", action_id, Ping="Pong", Timestamp=f"{time.time():.6f}")
            )
        elif lowered == "logoff":
            self.send(ami_message("Response", "Goodbye", action_id, Message="Thanks for all the fish."))
        elif lowered == "events":
            self.send(ami_message("Response", "Success", action_id, Events="On"))
        elif lowered in LIST_COMPLETE_EVENTS or lowered.endswith("list"):
            complete = LIST_COMPLETE_EVENTS.get(lowered, f"{name}Complete")
            items = self._live_channel_items(action_id) if lowered == "coreshowchannels" else []
            self.send(ami_message("Response", "Success", action_id, EventList="start", Message="Replay list"))
            for item in items:
                self.send(item)
            self.send(ami_message("Event", complete, action_id, EventList="Complete", ListItems=len(items)))
        else:
            self.send(ami_message("Response", "Success", action_id, Message="Replay: no recorded answer"))

    def _live_channel_items(self, action_id):
        """CoreShowChannel items for the channels up where the stream stands, as Asterisk lists them after a
        reconnect (a resumed stream: a standby bridge taking over must not take live calls for ended)."""
        live = live_channels(self.script.entries[: self.playback.position])
        return [ami_message("Event", "CoreShowChannel", action_id, **fields) for fields in live.values()]

    # -- the recorded stream -------------------------------------------------------------------------

    async def _stream(self):
        try:
            # The client's first actions (its state recovery) are answered before the stream starts: an
            # answer made up now (an empty CoreShowChannels) must not arrive after the recorded calls began.
            await self._quiet_for(self.server.settle)
            await self._stream_entries()
            self._fire_due_faults()
            await self.clock.wait_until(self.script.closed_at)
            # At max speed the recorded end comes while the client may still be busy with its recovery
            # actions, which the recording did answer: close once it has been quiet.
            await self._quiet_for(self.server.linger)
            await self.writer.drain()
        except ConnectionError as exc:
            _logger.debug("client gone while streaming: %s", exc)
        finally:
            self.finish()

    async def _stream_entries(self):
        playback, entries = self.playback, self.script.entries
        self.clock = _Clock(self.server.speed, self._origin())
        while playback.position < len(entries):
            self._fire_due_faults()
            if self.done.done():
                return
            entry = entries[playback.position]
            await self.clock.wait_until(entry.offset)
            await self._play(playback.position, entry)
            playback.position += 1
            if playback.position % 64 == 0:
                await self._yield()

    async def _quiet_for(self, seconds, limit=2.0):
        """Wait until the client has sent no action for ``seconds`` (at most ``limit`` s)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while (quiet := loop.time() - self.last_action_at) < seconds and loop.time() < deadline:
            await asyncio.sleep(seconds - quiet)

    def _origin(self):
        """The recorded offset that plays now: the login, or where a resumed stream stopped."""
        position, entries = self.playback.position, self.script.entries
        if position == 0:
            return self.script.login_offset
        return entries[position].offset if position < len(entries) else self.script.closed_at

    async def _play(self, index, entry):
        if entry.gate:
            await self._wait_for_request(entry.action_id)
        elif index not in self.playback.pulled:
            client_id = self.playback.action_ids.get(entry.action_id)
            self.send(with_action_id(entry.raw, entry.action_id, client_id) if client_id else entry.raw)
            self.server.stats["messages"] += 1
            self.server._count_fault_progress()

    async def _wait_for_request(self, recorded_id):
        """Hold the stream where a held answer was recorded until the client asks for it (bounded)."""
        playback = self.playback
        deadline = asyncio.get_running_loop().time() + self.server.hold_timeout
        while recorded_id not in playback.consumed:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return
            playback.asked.clear()
            try:
                await asyncio.wait_for(playback.asked.wait(), remaining)
            except TimeoutError:
                return

    async def _yield(self):
        await self.writer.drain()
        await asyncio.sleep(0)  # drain() does not yield while the buffer is low: let actions in

    # -- fault injection -----------------------------------------------------------------------------

    def _fire_due_faults(self):
        for kind in self.server._due_faults():
            self.fire(kind)

    def fire(self, kind):
        self.server.stats["faults"] += 1
        if kind == "silence":
            self.silent = True
        elif kind == "close_mid_message":
            self._close_mid_message()
        else:
            self.send(FAULT_FRAMES[kind])

    def _close_mid_message(self):
        entries, position = self.script.entries, self.playback.position
        unsent = [e for e in entries[position:] if not e.gate] or [Entry(0.0, FAULT_FRAMES["unknown_event"])]
        self.send(unsent[0].raw[: len(unsent[0].raw) // 2])
        self.writer.transport.abort()
        self.finish()


# -- the server ------------------------------------------------------------------------------------


class ReplayServer:
    """Serves recorded AMI transcripts as a simulated Asterisk (see the module docstring).

    ``transcripts``: paths or loaded Transcripts. ``speed``: factor on the recorded pace; None or "max"
    for as fast as possible. ``loop``: repeat forever, with new ids. ``concurrent``: the files as one
    interleaved stream. ``resume``: a client that left early continues where it stopped when it comes
    back. ``held_actions``: (lowercase) actions whose recorded answers wait for the client's action;
    ``hold_timeout``: how long the stream waits at such an answer. ``settle`` / ``linger``: how long the
    client must have been quiet before the stream starts / before the socket closes at the recorded end.
    ``faults``: [(kind, after)], as ``inject``. After ``start()``: ``port``; ``finished`` resolves to
    ``stats`` once every recorded connection was played; ``received_actions`` lists every action.
    """

    def __init__(
        self,
        transcripts,
        *,
        host="127.0.0.1",
        port=0,
        username="cti",
        secret="cti-secret",
        speed=None,
        loop=False,
        concurrent=False,
        resume=False,
        held_actions=HELD_ACTIONS,
        hold_timeout=1.0,
        linger=0.1,
        settle=0.05,
        faults=(),
        distinct_runs=False,
        simulate_agents=False,
        actions_log=None,
    ):
        loaded = [t if isinstance(t, _transcript.Transcript) else _transcript.load(t) for t in transcripts]
        if concurrent:  # the same lab numbering in every file: keep the files' calls apart
            loaded = [
                t if i == 0 else rewrite_transcript(t, f"-f{i}", action_ids=True)
                for i, t in enumerate(loaded)
            ]
        self.transcripts = loaded
        self.host, self.port = host, port
        self.username, self.secret = username, secret
        self.speed = None if speed in (None, "max") else float(speed)
        self.loop, self.concurrent, self.resume = loop, concurrent, resume
        self.held_actions = frozenset(name.lower() for name in held_actions)
        self.hold_timeout = hold_timeout
        self.linger, self.settle = linger, settle
        self.received_actions = []
        self.stats = dict.fromkeys(_SERVER_STATS, 0)
        self.stats["iteration"] = 0
        self.distinct_runs = distinct_runs
        # Queue logins and pauses the client asks for are carried out (the demo's agents use their desk).
        self.agents = QueueMembers() if simulate_agents else None
        self.actions_log = actions_log  # a file the client's actions are appended to (JSON lines), for tests
        self._run_token = format(int(time.time()), "x")
        self.finished = None
        self._faults = [[kind, after] for kind, after in faults]
        self._queue = collections.deque()
        self._refilling = None  # asyncio.Lock, made in start()
        self._resumable = None
        self._total = 0
        self._listener = None
        self._sessions = set()
        self._live = set()  # _Session objects of the connected clients
        self._tasks = set()
        self._closed = False

    # -- life cycle ----------------------------------------------------------------------------------

    def log_action(self, action):
        if self.actions_log:
            with open(self.actions_log, "a", encoding="utf-8") as log:
                log.write(json.dumps(action) + "\n")

    async def start(self):
        """Listen; returns the port (useful with ``port=0``)."""
        self.finished = asyncio.get_running_loop().create_future()
        self._refilling = asyncio.Lock()
        self._queue.extend(await self._iteration_scripts())
        self._total = len(self._queue)
        await self._listen()
        if not self._total:
            self.finished.set_result(self.stats)
        return self.port

    async def close(self):
        self._closed = True
        self._stop_listening()
        for task in list(self._sessions | self._tasks):
            task.cancel()
        await asyncio.gather(*self._sessions, *self._tasks, return_exceptions=True)

    async def __aenter__(self):
        await self.start()
        return self

    async def __aexit__(self, *exc):
        await self.close()

    async def _listen(self):
        self._listener = await asyncio.start_server(self._accept, self.host, self.port, limit=1 << 20)
        self.port = self._listener.sockets[0].getsockname()[1]

    def _stop_listening(self):
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    # -- fault injection -----------------------------------------------------------------------------

    def inject(self, kind, after=0):
        """Inject a fault after ``after`` more recorded messages (on the current or next connection);
        with ``after=0`` into every logged-in connection at once.

        Kinds: malformed_line, headless, invalid_utf8, unknown_event, oversized (FAULT_FRAMES),
        close_mid_message (half a message, then the socket is cut), silence (actions go unanswered).
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {sorted(FAULT_KINDS)}")
        streaming = [session for session in self._live if session.logged_in and not session.done.done()]
        if after or not streaming:
            self._faults.append([kind, after])
            return
        for session in streaming:
            session.fire(kind)  # at once: the stream may be asleep until a recorded time

    async def refuse_for(self, seconds):
        """Stop listening for ``seconds``: connects are refused (ECONNREFUSED), as while Asterisk restarts."""
        self.stats["refusals"] += 1
        self._stop_listening()
        await asyncio.sleep(seconds)
        if not self._closed:
            await self._listen()

    def _due_faults(self):
        due = [fault for fault in self._faults if fault[1] <= 0]
        self._faults = [fault for fault in self._faults if fault[1] > 0]
        return [kind for kind, _after in due]

    def _count_fault_progress(self):
        for fault in self._faults:
            fault[1] -= 1

    # -- connections ---------------------------------------------------------------------------------

    async def _accept(self, reader, writer):
        self._sessions.add(asyncio.current_task())
        self.stats["connections"] += 1
        try:
            playback = await self._next_playback()
            if playback is None:
                self.stats["rejected"] += 1  # everything played: accepted and closed, like a dying Asterisk
                return
            await self._play(playback, reader, writer)
        finally:
            self._sessions.discard(asyncio.current_task())
            writer.close()

    async def _play(self, playback, reader, writer):
        session = _Session(self, playback, reader, writer)
        self._live.add(session)
        _logger.debug("replay: playing %s from message %d", playback.script.label, playback.position)
        try:
            await session.run()
        except (ConnectionError, OSError) as exc:
            _logger.debug("replay: %s: client connection failed: %s", playback.script.label, exc)
        finally:
            self._live.discard(session)
            self._ended(playback)

    async def _next_playback(self):
        if self._resumable is not None:
            playback, self._resumable = self._resumable, None
            return playback
        async with self._refilling:  # two clients connecting at once must not both start a repetition
            if not self._queue and self.loop and not self._closed:
                self._queue.extend(await self._iteration_scripts())
        return _Playback(self._queue.popleft()) if self._queue else None

    async def _iteration_scripts(self):
        self.stats["iteration"] += 1
        iteration, transcripts = self.stats["iteration"], self.transcripts
        if iteration > 1 or self.distinct_runs:
            # A repetition must be new calls: distinct ids (and, with distinct_runs, distinct from an earlier
            # run's too, as the demo wants). Rewriting n-burst takes a moment: off the event loop.
            suffix = f"-{self._run_token}r{iteration}" if self.distinct_runs else f"-r{iteration}"
            transcripts = await asyncio.to_thread(
                lambda: [rewrite_transcript(t, suffix) for t in transcripts]
            )
        return build_scripts(transcripts, self.held_actions, self.concurrent)

    def _ended(self, playback):
        if self.resume and not playback.complete:
            self._resumable = playback  # the next client connection continues where this one stopped
            return
        self.stats["played"] += 1
        if self._queue and self._queue[0].refuse_before and self.speed:
            self._refuse_in_background(self._queue[0].refuse_before / self.speed)
        if not self.loop and self.stats["played"] >= self._total and not self.finished.done():
            self.finished.set_result(self.stats)

    def _refuse_in_background(self, seconds):
        self._stop_listening()  # at once: the client's very next connect must be refused
        task = asyncio.create_task(self.refuse_for(seconds))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


# -- command line ----------------------------------------------------------------------------------


def _speed(text):
    return None if text == "max" else float(text)


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Replay recorded AMI transcripts as a simulated Asterisk.")
    parser.add_argument("files", nargs="+", metavar="FILE", help="transcripts (.ami)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5038)
    parser.add_argument("--username", default="cti")
    parser.add_argument("--secret", default="cti-secret")
    parser.add_argument("--speed", type=_speed, default=1.0, help="pace factor, or 'max' (default 1.0)")
    parser.add_argument("--loop", action="store_true", help="repeat forever, with new ids each time")
    parser.add_argument("--concurrent", action="store_true", help="interleave the files into one stream")
    parser.add_argument("--resume", action="store_true", help="a reconnecting client continues the stream")
    parser.add_argument(
        "--distinct-runs",
        action="store_true",
        help="ids unique to this run too (a demo restarted on one database)",
    )
    parser.add_argument("--hold-timeout", type=float, default=1.0, help="wait for recovery actions (s)")
    parser.add_argument("--actions-log", help="append the client's actions to this file (JSON lines)")
    parser.add_argument(
        "--simulate-agents",
        action="store_true",
        help="carry out QueueAdd/QueueRemove/QueuePause and send their events, as Asterisk does",
    )
    return parser.parse_args(argv)


async def serve(args):
    server = ReplayServer(
        args.files,
        host=args.host,
        port=args.port,
        username=args.username,
        secret=args.secret,
        speed=args.speed,
        loop=args.loop,
        concurrent=args.concurrent,
        resume=args.resume,
        distinct_runs=args.distinct_runs,
        simulate_agents=args.simulate_agents,
        actions_log=args.actions_log,
        hold_timeout=args.hold_timeout,
    )
    port = await server.start()
    # The command's output, not a log line.
    print(f"listening on {args.host}:{port}", flush=True)  # pylint: disable=print-used
    try:
        await server.finished
        await asyncio.sleep(0.2)  # let the last close reach the client
    finally:
        await server.close()
    print(f"finished: {server.stats}", flush=True)  # pylint: disable=print-used


def main(argv=None):
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how an interactive user stops it
        asyncio.run(serve(parse_args(sys.argv[1:] if argv is None else argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

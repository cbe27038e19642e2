"""The CTI bridge's AMI client: panoramisk's AMIProtocol, hardened for a bridge that must never stop.

panoramisk does the AMI work: action serialisation and ActionIDs (``Action``), message parsing
(``Message.from_line``), the table of pending actions and list completion (``AMIProtocol.send``,
``Action.add_message``). This module wraps it where a long-running bridge needs more:

* framing on bytes with a size limit: panoramisk decodes each TCP chunk with ``errors='ignore'`` (a
  UTF-8 character split between two reads is silently lost) and buffers a frame without bound;
* every event goes to ``on_message`` first, in wire order, list items and OriginateResponse included
  (panoramisk hands events that carry a pending ActionID to the action only);
* list detection by ``EventList: start`` only (panoramisk also waits for more after "successfully
  queued" or "Added ... to queue", so an async Originate or a QueueAdd would never complete);
* connection management: exponential backoff with jitter, greeting and login checks, Ping watchdog;
  unanswered actions fail on a drop instead of being re-sent after reconnect (a second Originate
  would ring a customer twice), which is what ``panoramisk.Manager`` does.

Pure Python, no Odoo.
"""

import asyncio
import contextlib
import inspect
import logging
import random
import time

from panoramisk import actions
from panoramisk.ami_protocol import AMIProtocol
from panoramisk.message import Message

_logger = logging.getLogger("odoo.addons.callcenter_cti.cti.ami_client")

GREETING = b"Asterisk Call Manager/"
TERMINATOR = b"\r\n\r\n"
EOL = "\r\n"

# Events Asterisk 22 documents (plus the list items and the recorded ones); others are counted as unknown.
_KNOWN_EVENT_NAMES = """
    AgentCalled AgentComplete AgentConnect AgentDump AgentLogin AgentLogoff AgentRingNoAnswer Agents
    AgentsComplete AGIExecEnd AGIExecStart Alarm AlarmClear AOC-D AOC-E AOC-S AorDetail AorList
    AorListComplete AsyncAGIEnd AsyncAGIExec AsyncAGIStart AttendedTransfer AuthDetail AuthList
    AuthListComplete AuthMethodNotAllowed BlindTransfer BridgeCreate BridgeDestroy BridgeEnter
    BridgeInfoChannel BridgeInfoComplete BridgeLeave BridgeListComplete BridgeListItem BridgeMerge
    BridgeVideoSourceUpdate Cdr CEL ChallengeResponseFailed ChallengeSent ChannelHungup
    ChannelsHungupListComplete ChannelTalkingStart ChannelTalkingStop ChanSpyStart ChanSpyStop
    ConfbridgeEnd ConfbridgeJoin ConfbridgeLeave ConfbridgeList ConfbridgeListComplete
    ConfbridgeListRooms ConfbridgeListRoomsComplete ConfbridgeMute ConfbridgeRecord ConfbridgeStart
    ConfbridgeStopRecord ConfbridgeTalking ConfbridgeUnmute ContactList ContactListComplete
    ContactStatus ContactStatusDetail CoreShowChannel CoreShowChannelMapComplete
    CoreShowChannelsComplete DAHDIChannel DBGetComplete DBGetResponse DBGetTreeComplete
    DBGetTreeResponse DeadlockStart DeviceStateChange DeviceStateListComplete DialBegin DialEnd
    DialState DNDState DTMFBegin DTMFEnd EndpointDetail EndpointDetailComplete EndpointList
    EndpointListComplete ExtensionStateListComplete ExtensionStatus FailedACL FAXSession
    FAXSessionsComplete FAXSessionsEntry FAXStats FAXStatus FullyBooted Hangup HangupHandlerPop
    HangupHandlerPush HangupHandlerRun HangupRequest Hold IdentifyDetail InvalidAccountID
    InvalidPassword InvalidTransport Load LoadAverageLimit LocalBridge LocalOptimizationBegin
    LocalOptimizationEnd LogChannel MCID MeetmeEnd MeetmeJoin MeetmeLeave MeetmeMute MeetmeTalking
    MeetmeTalkRequest MemoryLimit MessageWaiting MiniVoiceMail MixMonitorMute MixMonitorStart
    MixMonitorStop MusicOnHoldStart MusicOnHoldStop NewAccountCode NewCallerid Newchannel
    NewConnectedLine Newexten Newstate OriginateResponse ParkedCall ParkedCallGiveUp ParkedCallSwap
    ParkedCallTimeOut PeerStatus Pickup PresenceStateChange PresenceStateListComplete PresenceStatus
    QueueCallerAbandon QueueCallerJoin QueueCallerLeave QueueEntry QueueMember QueueMemberAdded
    QueueMemberPause QueueMemberPenalty QueueMemberRemoved QueueMemberRinginuse QueueMemberStatus
    QueueParams QueueStatusComplete QueueSummary QueueSummaryComplete ReceiveFAX Registry Reload Rename
    RequestBadFormat RequestNotAllowed RequestNotSupported RTCPReceived RTCPSent SendFAX SessionLimit
    SessionTimeout Shutdown SoftHangupRequest SpanAlarm SpanAlarmClear Status StatusComplete
    SuccessfulAuth TransportDetail UnexpectedAddress Unhold Unload UnParkedCall UserEvent VarSet
    VoicemailPasswordChange Wink
"""
KNOWN_EVENTS = frozenset(_KNOWN_EVENT_NAMES.split())


class AmiError(Exception):
    """An AMI request failed: error response, timeout, lost or missing connection."""


def plain(message):
    """panoramisk's Message as a plain dict; a repeated key keeps its values as a list, in wire order.

    panoramisk keeps the body of "Response: Follows" under the key "content" (always present): not a header.
    Reads CaseInsensitiveDict's ``_store`` ({lower: (key, value)}) directly: going through the Mapping
    API costs a third of the time spent per event.
    """
    return {key: value for key, value in message._store.values() if key != "content"}


async def _maybe_await(result):
    if inspect.isawaitable(result):
        return await result
    return result


class _Action(actions.Action):
    """panoramisk's Action, completed by Asterisk 22's ``EventList`` header alone (see module doc)."""

    @property
    def multi(self):
        return bool(self.responses) and str(self.responses[0].eventlist).lower() == "start"


class _Protocol(AMIProtocol):
    """One TCP connection: byte framing with limits in front of panoramisk's parser and routing."""

    def __init__(self, client, connection_no):
        self.client = client
        self.connection_no = connection_no

    def connection_made(self, transport):
        result = super().connection_made(transport)
        self.log = _logger
        self.encoding = "utf-8"
        self.buffer = bytearray()
        self.discarding = False  # inside an oversized frame: drop bytes up to its terminator
        loop = asyncio.get_running_loop()
        self.greeting = loop.create_future()
        self.lost = loop.create_future()

        # -- framing (guards panoramisk's chunk-level decoding and unbounded buffer) ------------------

        return result

    def data_received(self, data):
        if self.closed:
            return  # closed by us (on_message failed): the rest is not ours to deliver
        received = time.time()
        self.buffer += data
        if not self.greeting.done() and not self._take_greeting():
            return
        if TERMINATOR in self.buffer:
            frames = bytes(self.buffer).split(TERMINATOR)
            self.buffer = bytearray(frames.pop())
            self._handle_frames(frames, received)
        self._limit_buffer()

    def _take_greeting(self):
        end = self.buffer.find(b"\r\n")
        if end < 0:
            self._limit_buffer()
            return False
        line = bytes(self.buffer[:end])
        del self.buffer[: end + 2]
        if not line.startswith(GREETING):
            self.client._count("malformed", "not an AMI greeting: %r", line[:80])
            self.close()
            return False
        self.version = line[len(GREETING) :].decode("ascii", "replace").strip()
        self.greeting.set_result(self.version)
        return True

    def _limit_buffer(self):
        if len(self.buffer) <= self.client.max_frame_bytes:
            return
        if not self.discarding:
            self.client._count(
                "oversized", "frame over %d bytes without terminator dropped", len(self.buffer)
            )
        self.buffer.clear()
        self.discarding = True

    def _handle_frames(self, frames, received):
        for frame in frames:
            if self.closed:
                return  # on_message failed: the rest is not journaled, so it must not be applied either
            self._handle_frame(frame, received)

    def _handle_frame(self, frame, received):
        if self.discarding:
            self.discarding = False  # the tail of an oversized frame, already counted
            return
        if not frame.strip():
            return
        self.client.stats["frames"] += 1
        if len(frame) > self.client.max_frame_bytes:
            self.client._count("oversized", "frame of %d bytes dropped", len(frame))
            return
        if self.client.wanted is not None and not self.client.wanted(frame):
            self.client.stats["filtered"] += 1
            return
        message = self._parse(self._decode(frame))
        if message is not None:
            self.handle_message(message, received)

    def _decode(self, frame):
        try:
            return frame.decode("utf-8")
        except UnicodeDecodeError:
            self.client._count("malformed", "invalid UTF-8 in frame %r", frame[:120])
            return frame.decode("utf-8", "replace")

    def _parse(self, text):
        # panoramisk silently drops lines without ": " and frames without Event/Response: count them.
        message = Message.from_line(text)
        if message is None or any(line and ": " not in line for line in text.split(EOL)):
            self.client._count("malformed", "malformed frame %r", text[:120])
        return message

    # -- routing ----------------------------------------------------------------------------------

    def handle_message(self, message, received=None):
        if "event" in message:
            if not self.client._deliver_event(message, received or time.time(), self.connection_no):
                self.close()
                return
        else:
            self.client.stats["responses"] += 1
        self._route(message)

    def _route(self, message):
        """Give a response, or a list item after its response, to the pending action with its ActionID."""
        action_id = message.action_id
        action = self.responses.get(action_id) if action_id else None
        # An event never answers an action (OriginateResponse has a "Response" header, yet is an event).
        if action is None or ("event" in message and not action.responses):
            return
        if action.add_message(message):
            self.responses.pop(action_id, None)

    def forget(self, action):
        self.responses.pop(action.action_id, None)

    # -- end of the connection ----------------------------------------------------------------------

    def close(self):
        # Not panoramisk's close(): it re-queues unanswered actions to re-send them after reconnect.
        if not self.closed:
            self.closed = True
            self.transport.close()

    def connection_lost(self, exc):
        self.closed = True
        if self.buffer.strip() and not self.discarding:
            self.client._count(
                "truncated", "connection closed inside a message: %r", bytes(self.buffer[:120])
            )
        self.buffer.clear()
        self._fail_pending(AmiError("the AMI connection was lost before the answer"))
        if not self.greeting.done():
            self.greeting.set_exception(AmiError("the connection was closed before the AMI greeting"))
            self.greeting.exception()  # raised to whoever awaits it; no "never retrieved" noise otherwise
        if not self.lost.done():
            self.lost.set_result(exc)

    def _fail_pending(self, error):
        # Each action is registered under its ActionID (and panoramisk's id): fail each once.
        for action in {id(action): action for action in self.responses.values()}.values():
            if not action.future.done():
                action.future.set_exception(error)
        self.responses.clear()


class AmiClient:
    """Connects, logs in, delivers every event in order, and reconnects with backoff until ``stop()``."""

    def __init__(
        self,
        host,
        port,
        username,
        secret,
        *,
        on_message,
        on_connected=None,
        on_disconnected=None,
        backoff_min=0.5,
        backoff_max=30.0,
        max_frame_bytes=256 * 1024,
        ping_interval=20,
        loop=None,
        connect_timeout=10.0,
        wanted=None,
    ):
        self.host, self.port = host, port
        # wanted(frame bytes) -> bool: events the consumer has no use for are dropped before parsing
        # (counted).
        self.wanted = wanted
        self.username, self.secret = username, secret
        self.on_message = on_message
        self.on_connected = on_connected
        self.on_disconnected = on_disconnected
        self.backoff_min, self.backoff_max = backoff_min, backoff_max
        self.max_frame_bytes = max_frame_bytes
        self.ping_interval = ping_interval
        self.connect_timeout = connect_timeout
        self.loop = loop  # kept for callers of the old API; the running loop is used
        self.stats = {
            "frames": 0, "events": 0, "responses": 0, "malformed": 0, "oversized": 0, "truncated": 0,
            "unknown": 0, "reconnects": 0, "connected": False, "last_event_at": None,
            "connect_failures": 0, "no_greeting": 0, "login_failures": 0, "callback_errors": 0, "filtered": 0,
        }  # fmt: skip
        self._protocol = None
        self._connections = 0
        self._failures = 0
        self._stopping = False
        self._wakeup = None
        self._task = None
        self._unknown_names = set()

    # -- public API --------------------------------------------------------------------------------

    async def run(self):
        """Run until ``stop()``: connect, log in, recover (``on_connected``), deliver; reconnect on loss."""
        self._task = asyncio.current_task()
        self._wakeup = asyncio.Event()
        while not self._stopping:
            healthy = await self._attempt()
            self._failures = 0 if healthy else self._failures + 1
            if self._stopping:
                break
            await self._pause(self._backoff_delay())
            if not self._stopping:
                self.stats["reconnects"] += 1

    async def send_action(self, action, timeout=5.0):
        """Send one action; return its response and, for a list action, every item up to ``*Complete``."""
        protocol = self._protocol
        name = action.get("Action", "?")
        if protocol is None or protocol.closed or not self.stats["connected"]:
            raise AmiError(f"{name}: not connected to Asterisk at {self.host}:{self.port}")
        _check_values(action)
        messages = await self._request(protocol, action, timeout)
        if not messages[0].success:
            raise AmiError(f"{name} failed: {messages[0].get('Message') or plain(messages[0])}")
        return [plain(message) for message in messages]

    async def stop(self):
        """Log off and close the connection; ``run()`` returns."""
        self._stopping = True
        if self._wakeup:
            self._wakeup.set()
        await self._logoff()
        if self._protocol:
            self._protocol.close()
        await self._wait_run_task()

    # -- one connection ------------------------------------------------------------------------------

    async def _attempt(self):
        """One connection from connect to loss; True when it got as far as a completed recovery."""
        try:
            return await self._session()
        except AmiError as exc:
            _logger.warning("AMI %s:%s: %s", self.host, self.port, exc)
        except Exception:
            _logger.exception("AMI %s:%s: unexpected error; reconnecting", self.host, self.port)
        return False

    async def _session(self):
        protocol = await self._open()
        logged_in = recovered = False
        try:
            await self._handshake(protocol)
            logged_in = True
            self._set_connected(True)
            await self._recover()
            recovered = True
            await self._keepalive(protocol)
        finally:
            protocol.close()
            if logged_in:
                await self._link_down()
        return recovered

    async def _open(self):
        loop = asyncio.get_running_loop()
        number = self._connections + 1
        try:
            connecting = loop.create_connection(lambda: _Protocol(self, number), self.host, self.port)
            _transport, protocol = await asyncio.wait_for(connecting, self.connect_timeout)
        except (TimeoutError, OSError) as exc:
            self.stats["connect_failures"] += 1
            raise AmiError(f"cannot connect: {exc or type(exc).__name__}") from None
        self._connections = number
        self._protocol = protocol
        if self._stopping:
            protocol.close()
            raise AmiError("stopped")
        return protocol

    async def _handshake(self, protocol):
        try:
            version = await asyncio.wait_for(protocol.greeting, self.connect_timeout)
        except (TimeoutError, AmiError) as exc:
            self.stats["no_greeting"] += 1
            raise AmiError(f"no AMI greeting ({exc or 'timeout'})") from None
        login = {"Action": "Login", "Username": self.username, "Secret": self.secret, "Events": "on"}
        response = (await self._request(protocol, login, self.connect_timeout))[0]
        if not response.success:
            self.stats["login_failures"] += 1
            raise AmiError(f"login as {self.username!r} refused: {response.get('Message', '')}")
        _logger.info("AMI %s:%s: logged in (protocol %s)", self.host, self.port, version)

    async def _recover(self):
        """Run ``on_connected`` (state recovery); a failure drops the link so that the next one retries."""
        if self.on_connected is None:
            return
        try:
            await _maybe_await(self.on_connected(self))
        except AmiError as exc:
            raise AmiError(f"state recovery failed: {exc}") from exc
        except Exception as exc:
            _logger.exception("AMI on_connected failed")
            raise AmiError(f"on_connected failed: {exc!r}") from exc

    async def _keepalive(self, protocol):
        """Wait for the connection to end; Ping every ``ping_interval``, drop a link that stops answering."""
        while not await self._lost_within(protocol, self.ping_interval):
            try:
                await self._request(protocol, {"Action": "Ping"}, min(self.ping_interval, 10.0))
            except AmiError as exc:
                raise AmiError(f"Ping unanswered, dropping the link ({exc})") from None

    async def _lost_within(self, protocol, seconds):
        if not seconds:
            await protocol.lost
            return True
        try:
            await asyncio.wait_for(asyncio.shield(protocol.lost), seconds)
            return True
        except TimeoutError:
            return False

    async def _request(self, protocol, fields, timeout):
        """Send an action through panoramisk; its answer as a list of Messages."""
        if protocol.closed:
            raise AmiError(f"{fields.get('Action', '?')}: the AMI connection is closed")
        action = _Action(fields)
        future = protocol.send(action, as_list=None)
        try:
            result = await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            raise AmiError(f"{action['Action']}: no answer within {timeout} s") from None
        finally:
            protocol.forget(action)
        return result if isinstance(result, list) else [result]

    # -- state and callbacks ---------------------------------------------------------------------------

    def _deliver_event(self, message, received, connection_no):
        """Hand one event to on_message first; False when it failed (the caller drops the link)."""
        try:
            self.on_message(plain(message), received, connection_no)
        except Exception:
            self.stats["callback_errors"] += 1
            _logger.exception("AMI on_message failed; dropping the link so that recovery runs")
            return False
        self.stats["events"] += 1
        self.stats["last_event_at"] = received
        self._check_known(message.event)
        return True

    def _check_known(self, name):
        if name in KNOWN_EVENTS:
            return
        self.stats["unknown"] += 1
        if name not in self._unknown_names:
            self._unknown_names.add(name)
            _logger.warning("AMI: unknown event %r (delivered as is)", name)

    def _count(self, stat, text, *args):
        self.stats[stat] += 1
        _logger.warning("AMI %s:%s: " + text, self.host, self.port, *args)

    def _set_connected(self, connected):
        self.stats["connected"] = connected

    async def _link_down(self):
        self._set_connected(False)
        if self.on_disconnected is None:
            return
        try:
            await _maybe_await(self.on_disconnected(time.time()))
        except Exception:
            _logger.exception("AMI on_disconnected failed")

    # -- backoff and stopping ------------------------------------------------------------------------

    def _backoff_delay(self):
        """Exponential in the number of failed attempts, with jitter so that bridges do not retry in step."""
        delay = min(self.backoff_max, self.backoff_min * 2 ** min(self._failures, 30))
        return delay / 2 + random.uniform(0, delay / 2)

    async def _pause(self, seconds):
        with contextlib.suppress(TimeoutError):  # woken early by stop(), or the pause simply ran out
            await asyncio.wait_for(self._wakeup.wait(), seconds)

    async def _logoff(self):
        if self.stats["connected"] and self._protocol and not self._protocol.closed:
            with contextlib.suppress(AmiError):  # closing anyway
                await self._request(self._protocol, {"Action": "Logoff"}, 1.0)

    async def _wait_run_task(self):
        task = self._task
        if task is None or task is asyncio.current_task() or task.done():
            return
        await asyncio.wait({task}, timeout=2.0)
        if not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=1.0)


def _check_values(action):
    """Refuse values with line breaks: they would inject headers or end the action early."""
    for key, value in action.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        if any("\r" in str(v) or "\n" in str(v) for v in values) or "\n" in key:
            raise AmiError(f"{action.get('Action', '?')}: line break in header {key!r}")

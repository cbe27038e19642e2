"""FastAGI ``route`` request: the routing decision for one inbound call, and the panoramisk application.

The dialplan (asterisk/extensions.conf, ``[cc-sub-route]``) asks
``AGI(agi://HOST:4573/route,<DID>,<caller number>)`` before answering and reads back the ``CC_*`` channel
variables documented in asterisk/README.md ("FastAGI routing contract"). :func:`decide` computes them from the
request and a :class:`Directory` (an in-memory snapshot of Odoo's configuration), and
:class:`RoutingApplication` answers Asterisk within a hard deadline: a routing service that is slow, broken or
not loaded yet answers the safe defaults (open, not blacklisted, default queue) and never drops a call.

Pure Python (panoramisk, phonenumbers): nothing here imports Odoo.
"""

import asyncio
import collections
import concurrent.futures
import dataclasses
import datetime
import logging
import time
from collections.abc import Callable

from panoramisk import fast_agi

from . import ivr, phone

_logger = logging.getLogger(__name__)

# Every variable of the contract, in the order they are sent. "" = the dialplan's default.
VARIABLES = (
    "CC_BLACKLISTED",
    "CC_BLACKLIST_NOTE",
    "CC_OPEN",
    "CC_WELCOME",
    "CC_LANGUAGE",
    "CC_IVR_MENU",
    "CC_IVR_MENU_ID",
    "CC_IVR_PROMPT",
    "CC_QUEUE",
    "CC_VIP",
    "CC_PRIORITY",
    "CC_TARGET_AGENT",
    "CC_TARGET_NAME",
    "CC_MAXWAIT",
    "CC_OVERFLOW",
    "CC_MAILBOX",
    "CC_SURVEY",
    "CC_RECORD",
    "CC_ANNOUNCE",
    "CC_MOH",
)
SAFE_DEFAULTS = {name: "" for name in VARIABLES} | {"CC_BLACKLISTED": "0", "CC_OPEN": "1", "CC_VIP": "0"}

DEFAULT_DEADLINE = 0.3  # seconds; Asterisk waits forever for a FastAGI server that accepted the connection
HEADER_TIMEOUT = 2.0  # seconds to receive the AGI environment
LATENCY_SAMPLES = 1000  # answers kept for the health endpoint's percentiles
SEND_TIMEOUT = 2.0  # seconds for Asterisk to acknowledge all the SET VARIABLE commands


def defaults():
    """The answer when nothing is known: open, not blacklisted, every other variable at its dialplan
    default."""
    return dict(SAFE_DEFAULTS)


def did_key(raw, country="CN"):
    """How a DID is stored and looked up: E.164 when it is a phone number, else its digits (short internal
    DIDs such as 5000)."""
    return phone.to_e164(raw, country) or phone.clean(raw).lstrip("+")


# -- the snapshot ------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Schedule:
    """Working time of a DID, precomputed from its calendar (leaves/holidays already removed).

    ``intervals`` are (start, end) aware datetimes, sorted. Outside [valid_from, valid_until) nothing is known
    (a snapshot far too old): the DID counts as open, the safe side.
    """

    intervals: tuple = ()
    valid_from: datetime.datetime | None = None
    valid_until: datetime.datetime | None = None

    def is_open(self, now):
        if self.valid_from is None or not (self.valid_from <= now < self.valid_until):
            return True
        return any(start <= now < end for start, end in self.intervals)


@dataclasses.dataclass(frozen=True)
class DidConfig:
    """What one dialled number (DID) routes to. Empty values leave the dialplan's default."""

    number: str
    queue: str = ""
    welcome: str = ""
    language: str = ""
    ivr_menu: str = ""
    ivr_prompt: str = ""
    ivr_menu_id: str = ""  # a voice menu built in Odoo (cti/ivr.py), open hours
    ivr_closed_menu_id: str = ""  # … outside working hours and on holidays
    survey: bool | None = None
    record: bool | None = None  # MixMonitor the conversation
    announce: bool | None = None  # read the agent's number to the caller before the bridge
    max_wait: int = 0
    overflow: str = ""
    mailbox: str = ""
    moh: str = ""
    last_agent_days: int = 0
    is_open: Callable | None = None  # is_open(now) -> bool; None = always open


@dataclasses.dataclass(frozen=True)
class Agent:
    extension: str
    interface: str
    name: str
    available: bool  # logged in and free (cc.agent state "ready") when the snapshot was taken


@dataclasses.dataclass(frozen=True)
class BlacklistEntry:
    note: str = ""
    expires: datetime.datetime | None = None  # aware; None = never

    def applies(self, now):
        return self.expires is None or now < self.expires


def _no_profile(_e164):
    return {}


def _no_last_agent(_e164, _since):
    return None


@dataclasses.dataclass
class Directory:
    """A plain snapshot of what routing needs. Lookups are dict reads or the given callables.

    - ``dids``: {did_key: DidConfig}
    - ``blacklist``: {E.164 (or digits): BlacklistEntry}, inbound entries only
    - ``agents``: {extension: Agent}
    - ``profile(e164)`` -> {"vip": bool, "priority": int|None, "owner_agent_extension": str|None}
    - ``last_agent(e164, since)`` -> extension of the agent who answered the customer last after ``since``
    """

    country: str = "CN"
    dids: dict = dataclasses.field(default_factory=dict)
    blacklist: dict = dataclasses.field(default_factory=dict)
    agents: dict = dataclasses.field(default_factory=dict)
    profile: Callable = _no_profile
    last_agent: Callable = _no_last_agent
    menus: dict = dataclasses.field(default_factory=dict)  # voice menus: {menu id (str): ivr.Menu}

    def did(self, raw):
        return self.dids.get(did_key(raw, self.country))


# -- the decision ------------------------------------------------------------------------------------------
def decide(request, directory, now):
    """The CC_* variables for one ``route`` request.

    ``request``: the AGI environment (agi_arg_1 = DID, agi_arg_2 = caller number); ``now``: aware datetime.
    Order: blacklist (rejects, nothing else matters) → DID settings and working hours → VIP → owner agent →
    last agent. Anything missing or unreadable leaves the default.
    """
    result = defaults()
    if directory is None:
        return result
    caller_raw = _arg(request, 2) or request.get("agi_callerid", "")
    caller = phone.to_e164(caller_raw, directory.country) if phone.clean(caller_raw) else None
    note = _blacklisted(directory, caller, caller_raw, now)
    if note is not None:
        result.update(CC_BLACKLISTED="1", CC_BLACKLIST_NOTE=note)
        return result
    did = directory.did(_arg(request, 1))
    if did is not None:
        _apply_did(result, did, now)
    if did is not None and result["CC_OPEN"] == "0" and did.ivr_closed_menu_id:
        # closed, with a menu for it (self-service, a message): the menu instead of the voicemail
        result.update(CC_OPEN="1", CC_IVR_MENU="odoo", CC_IVR_MENU_ID=did.ivr_closed_menu_id)
        return result
    if caller is None or result["CC_OPEN"] == "0":
        return result  # anonymous callers have no profile; closed: the call goes to voicemail
    _apply_customer(result, directory, did, caller, now)
    return result


def _arg(request, index):
    return (request.get(f"agi_arg_{index}") or "").strip()


def _blacklisted(directory, caller, caller_raw, now):
    """The entry's note if the caller is blacklisted now, else None (also tries the raw digits, for numbers
    that have no E.164 form)."""
    for key in (caller, phone.clean(caller_raw)):
        entry = directory.blacklist.get(key) if key else None
        if entry is not None and entry.applies(now):
            return entry.note or ""
    return None


def _apply_did(result, did, now):
    is_open = did.is_open(now) if did.is_open else True
    result.update(
        CC_OPEN="1" if is_open else "0",
        CC_QUEUE=did.queue,
        CC_WELCOME=did.welcome,
        CC_LANGUAGE=did.language,
        CC_IVR_MENU="odoo" if did.ivr_menu_id else did.ivr_menu,
        CC_IVR_MENU_ID=did.ivr_menu_id,
        CC_IVR_PROMPT=did.ivr_prompt,
        CC_MAXWAIT=str(did.max_wait) if did.max_wait and did.max_wait > 0 else "",
        CC_OVERFLOW=did.overflow,
        CC_MAILBOX=did.mailbox,
        CC_MOH=did.moh,
        CC_SURVEY=_flag(did.survey),
        CC_RECORD=_flag(did.record),
        CC_ANNOUNCE=_flag(did.announce),
    )


def _flag(value):
    """A yes/no of the DID as the dialplan reads it; empty (None) leaves the dialplan's global default."""
    return "" if value is None else ("1" if value else "0")


def _apply_customer(result, directory, did, caller, now):
    """VIP flag and priority, then the agent to ring first: the owner, else the last agent."""
    profile = _safe(directory.profile, caller) or {}
    if profile.get("vip"):
        result["CC_VIP"] = "1"
        priority = profile.get("priority")
        if isinstance(priority, int) and priority >= 0:
            result["CC_PRIORITY"] = str(priority)
    agent = _free_agent(directory, profile.get("owner_agent_extension"))
    days = did.last_agent_days if did is not None else 0
    if agent is None and days and days > 0:
        since = now - datetime.timedelta(days=days)
        agent = _free_agent(directory, _safe(directory.last_agent, caller, since))
    if agent is not None:
        result.update(CC_TARGET_AGENT=agent.interface, CC_TARGET_NAME=agent.name)


def _free_agent(directory, extension):
    agent = directory.agents.get(extension) if extension else None
    return agent if agent is not None and agent.available and agent.interface else None


def _safe(lookup, *args):
    """An optional lookup that fails gives no data, not a failed route (the blacklist/hours already
    decided)."""
    try:
        return lookup(*args)
    except Exception:
        _logger.exception("routing lookup %s failed", getattr(lookup, "__name__", lookup))
        return None


def quote(value):
    """An AGI argument in double quotes: Asterisk's parser takes backslash escapes; one line only."""
    text = " ".join(str(value).split("\n")).replace("\r", " ")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- the FastAGI application -------------------------------------------------------------------------------
class RoutingApplication(fast_agi.Application):
    """panoramisk's FastAGI application serving ``route`` with a deadline.

    ``get_directory()`` returns the current snapshot (or None: defaults). :func:`decide` runs in a small
    thread pool so that a lookup that blocks cannot stall the event loop; after ``deadline`` seconds the
    defaults are answered instead. Also reads the AGI environment with a timeout (panoramisk's own reader
    waits forever on a silent or half-closed connection).
    """

    def __init__(self, get_directory, *, deadline=DEFAULT_DEADLINE, workers=4, clock=None, loop=None):
        super().__init__(loop=loop or asyncio.get_running_loop())
        self.get_directory = get_directory
        self.deadline = deadline
        self.clock = clock or (lambda: datetime.datetime.now(datetime.UTC))
        self.executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="cti-agi"
        )
        self.stats = {"requests": 0, "timeouts": 0, "errors": 0}
        self.latencies = collections.deque(maxlen=LATENCY_SAMPLES)  # seconds of the latest answers
        self.add_route("route", self.route)
        self.add_route("ivr", self.ivr)

    def close(self):
        self.executor.shutdown(wait=False, cancel_futures=True)

    async def handler(self, reader, writer):
        try:
            headers = await asyncio.wait_for(_read_headers(reader), HEADER_TIMEOUT)
            route = self._route.get(headers.get("agi_network_script", "").strip("/"))
            if not headers:
                _logger.warning("FastAGI: connection closed without an AGI environment")
            elif route is None:
                _logger.warning("FastAGI: no route for %r", headers.get("agi_network_script"))
            else:
                await route(fast_agi.Request(self, headers, reader, writer, self.default_encoding))
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError) as exc:
            _logger.warning("FastAGI: connection dropped: %r", exc)
        except Exception:
            _logger.exception("FastAGI: request failed")
        finally:
            writer.close()

    async def route(self, request):
        started = time.monotonic()
        self.stats["requests"] += 1
        variables = await self._decide(dict(request.headers))
        await asyncio.wait_for(self._send(request, variables), SEND_TIMEOUT)
        self.latencies.append(time.monotonic() - started)
        _logger.debug("FastAGI route answered in %.1f ms", self.latencies[-1] * 1000)

    async def ivr(self, request):
        """One step of a voice menu configured in Odoo (cti/ivr.py)."""
        started = time.monotonic()
        self.stats["requests"] += 1
        variables = await self._decide(dict(request.headers), ivr.decide, ivr.step({}, "", ""))
        await asyncio.wait_for(self._send(request, variables, ivr.VARIABLES, every=True), SEND_TIMEOUT)
        self.latencies.append(time.monotonic() - started)
        self.latencies.append(time.monotonic() - started)
        _logger.debug("FastAGI route answered in %.1f ms", self.latencies[-1] * 1000)

    async def _decide(self, headers, decision=decide, fallback=None):
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.executor, decision, headers, self.get_directory(), self.clock())
        try:
            return await asyncio.wait_for(future, self.deadline)
        except TimeoutError:
            self.stats["timeouts"] += 1
            _logger.warning(
                "FastAGI route: no decision within %.0f ms, defaults answered", self.deadline * 1000
            )
        except Exception:
            self.stats["errors"] += 1
            _logger.exception("FastAGI route: decision failed, defaults answered")
        return dict(fallback) if fallback is not None else defaults()

    async def _send(self, request, variables, names=VARIABLES, every=False):
        # Only the variables that carry a value: the channel is fresh, so an unset variable is already empty
        # (= the dialplan's default), and every command is one round trip with Asterisk. A menu step sends
        # them all (``every``): the same channel walks several steps, an old value must not linger.
        for name in names:
            if not (variables.get(name) or every):
                continue
            try:
                answer = await request.send_command(f"SET VARIABLE {name} {quote(variables.get(name, ''))}")
            except ValueError:  # panoramisk cannot parse an empty line: the peer closed the connection
                answer = {"error": "closed", "msg": "connection closed"}
            if "error" in answer:  # the caller hung up (or a broken peer): nothing more to say
                _logger.info("FastAGI route: %s on %s, stopping", answer.get("msg"), name)
                return


async def _read_headers(reader):
    """The AGI environment: ``agi_x: value`` lines up to a blank line. {} if the peer closes first."""
    headers = {}
    while True:
        line = await reader.readline()
        if not line:
            return {}
        line = line.decode("utf-8", "replace").rstrip("\r\n")
        if not line:
            return headers
        key, sep, value = line.partition(": ")
        if sep:
            headers[key] = value


async def start_server(app, host="0.0.0.0", port=4573):  # noqa: S104  (Asterisk is on another host)
    """Listen for Asterisk's FastAGI connections; returns the asyncio server (port 0 = any free port)."""
    return await asyncio.start_server(app.handler, host, port, reuse_address=True)

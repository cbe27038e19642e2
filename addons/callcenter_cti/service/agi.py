"""The FastAGI routing service of the bridge process: answers the dialplan's ``route`` requests.

One listener per PBX server (its FastAGI address and port). Answers come from an in-memory
:class:`~..cti.agi_routing.Directory` that the bridge's database thread rebuilds every few seconds, so that a
routing answer never waits for PostgreSQL (and a database outage keeps the last snapshot answering).
"""

import asyncio
import contextlib
import datetime
import logging
import time

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

from ..cti import agi_routing, ivr

_logger = logging.getLogger(__name__)

REFRESH_INTERVAL = 5.0  # seconds between two snapshots
SCHEDULE_DAYS = 8  # working hours are precomputed this far ahead (a stale snapshot then counts as open)
FULL_RELOAD = 600.0  # seconds between two full reloads of the last-agent cache (drops the expired entries)
CHANGE_MARGIN = datetime.timedelta(minutes=2)  # write_date is a transaction's start: re-read a little back


def _utc(naive):
    return naive.replace(tzinfo=datetime.UTC) if naive else None


class DirectoryLoader:
    """Builds the routing snapshot of one PBX server. Runs in the bridge's database thread only.

    The big parts are loaded incrementally: the blacklist only when it changed (count and last write), the
    last-agent cache from the calls written since the previous refresh.
    """

    def __init__(self, registry, server_id):
        self.registry, self.server_id = registry, server_id
        self.blacklist, self.blacklist_signature = {}, None
        self.last_agents, self.last_days, self.last_loaded, self.last_full = {}, 0, None, 0.0

    def load(self):
        with self.registry.cursor() as cr:
            return self.build(api.Environment(cr, SUPERUSER_ID, {"active_test": True}))

    def build(self, env, now=None):
        """The snapshot, read through ``env`` (``now``: aware datetime, for the working hours)."""
        cr = env.cr
        server = env["cc.pbx.server"].browse(self.server_id)
        now = now or datetime.datetime.now(datetime.UTC)
        agents = env["cc.agent"].search([("server_id", "=", server.id)])
        extension_of = {agent.id: agent.extension for agent in agents}
        dids = env["cc.did"].search([("server_id", "=", server.id)])
        self._load_blacklist(env, server)
        self._load_last_agents(env, server, max(dids.mapped("last_agent_days") or [0]), cr.now())
        profiles = env["res.partner"]._cc_routing_profiles()
        return agi_routing.Directory(
            country=server._country_code(),
            dids=self._dids(dids, now),
            blacklist=self.blacklist,
            agents={agent.extension: self._agent(agent) for agent in agents},
            profile=profiles.get,
            last_agent=self._last_agent_lookup(self.last_agents, extension_of),
            menus=self._menus(env["cc.ivr.menu"].search([("server_id", "=", server.id)])),
        )

    @staticmethod
    def _menus(menus):
        """{menu id: ivr.Menu} of the server's voice menus."""
        return {
            str(menu.id): ivr.Menu(
                prompt=menu.prompt_id.sound_name or "",
                timeout=menu.timeout,
                retries=menu.retries,
                invalid_prompt=menu.invalid_prompt_id.sound_name or "",
                options={
                    option.digit: ivr.Option(
                        option.action, option._cc_target(), option.prompt_id.sound_name or ""
                    )
                    for option in menu.option_ids
                },
                fallback=ivr.Option("queue", menu.fallback_queue_id.ami_name or ""),
            )
            for menu in menus
        }

    @staticmethod
    def _agent(agent):
        # Agents are added to the queues as PJSIP/<extension> when no interface is configured.
        interface = agent.interface or f"PJSIP/{agent.extension}"
        return agi_routing.Agent(agent.extension, interface, agent.name, agent.state == "ready")

    def _dids(self, dids, now):
        schedules = {cal.id: self._schedule(cal, now) for cal in dids.resource_calendar_id}
        return {
            did.number: agi_routing.DidConfig(
                number=did.number,
                queue=did.queue_id.ami_name or "",
                welcome=did.welcome_prompt_id.sound_name or did.welcome_prompt or "",
                language=did.language or "",
                ivr_menu=did.ivr_menu or "",
                ivr_menu_id=str(did.ivr_menu_id.id or ""),
                ivr_closed_menu_id=str(did.ivr_closed_menu_id.id or ""),
                ivr_prompt=did.ivr_prompt or "",
                survey=did.survey,
                record=did.record_calls,
                announce=did.announce_agent,
                max_wait=did.max_wait,
                overflow=did.overflow or "",
                mailbox=did.mailbox or "",
                moh=did.moh or "",
                last_agent_days=did.last_agent_days,
                is_open=schedules[did.resource_calendar_id.id].is_open if did.resource_calendar_id else None,
            )
            for did in dids
        }

    @staticmethod
    def _schedule(calendar, now):
        """Working intervals of ``calendar`` around now, public holidays (leaves without resource) removed."""
        start, end = now - datetime.timedelta(days=1), now + datetime.timedelta(days=SCHEDULE_DAYS)
        intervals = calendar._work_intervals_batch(start, end)[False]
        spans = tuple(
            (begin.astimezone(datetime.UTC), stop.astimezone(datetime.UTC)) for begin, stop, _ in intervals
        )
        return agi_routing.Schedule(spans, start, end)

    def _load_blacklist(self, env, server):
        """{number: entry} of the inbound entries in force; reloaded only when the table changed."""
        env["cc.blacklist"].flush_model()
        where = SQL(
            "active AND company_id = %s AND direction IN ('inbound', 'both') "
            "AND (expiry_date IS NULL OR expiry_date > (now() AT TIME ZONE 'UTC'))",
            server.company_id.id,
        )
        # An entry that expires drops out of the count: the signature changes then too.
        [signature] = env.execute_query(
            SQL("SELECT count(*), max(write_date) FROM cc_blacklist WHERE %s", where)
        )
        if signature == self.blacklist_signature:
            return
        # Plain SQL: 100,000 entries load in a fraction of a second, where the ORM needs seconds.
        rows = env.execute_query(
            SQL(
                "SELECT number_e164, reason, expiry_date FROM cc_blacklist"
                " WHERE %s AND number_e164 IS NOT NULL",
                where,
            )
        )
        self.blacklist = {
            number: agi_routing.BlacklistEntry(reason or "", _utc(expiry)) for number, reason, expiry in rows
        }
        self.blacklist_signature = signature

    def _load_last_agents(self, env, server, days, db_now):
        """The last answering agent of every customer over the longest window of the server's DIDs."""
        if not days:
            self.last_agents, self.last_days = {}, 0
            return
        since = db_now - datetime.timedelta(days=days)
        full = days != self.last_days or time.monotonic() - self.last_full > FULL_RELOAD
        changed_since = None if full else self.last_loaded - CHANGE_MARGIN
        found = env["cc.call"]._cc_last_agents(server, since, changed_since)
        if full:
            self.last_agents, self.last_full = found, time.monotonic()
        else:
            merged = dict(self.last_agents)  # copy on write: the event loop reads the published one
            for number, (agent_id, start) in found.items():
                if number not in merged or merged[number][1] <= start:
                    merged[number] = (agent_id, start)
            self.last_agents = merged
        self.last_days, self.last_loaded = days, db_now

    @staticmethod
    def _last_agent_lookup(last_agents, extension_of):
        def last_agent(e164, since):
            agent_id, start = last_agents.get(e164, (None, None))
            if agent_id is None or start < since.astimezone(datetime.UTC).replace(tzinfo=None):
                return None
            return extension_of.get(agent_id)

        return last_agent


class AgiService:
    """The FastAGI listener of one PBX server and the loop that refreshes its snapshot."""

    def __init__(self, registry, server, db_executor, *, deadline=None, refresh_interval=REFRESH_INTERVAL):
        self.server, self.db_executor = server, db_executor
        self.loader = DirectoryLoader(registry, server["id"])
        self.deadline = deadline or agi_routing.DEFAULT_DEADLINE
        self.refresh_interval = refresh_interval
        self.directory = None  # until the first snapshot: the safe defaults
        self.app = self.listener = None
        self.stopped = asyncio.Event()

    @property
    def port(self):
        return self.listener.sockets[0].getsockname()[1] if self.listener else None

    async def run(self):
        try:
            await self.start()
        except OSError as exc:  # address in use or not local: the bridge goes on, calls get the defaults
            _logger.error("bridge %s: FastAGI routing not served: %s", self.server["name"], exc)
            return
        try:
            while not self.stopped.is_set():
                await self.refresh()
                with contextlib.suppress(TimeoutError):  # the refresh period elapsed
                    await asyncio.wait_for(self.stopped.wait(), self.refresh_interval)
        finally:
            await self.close()

    async def start(self):
        self.app = agi_routing.RoutingApplication(lambda: self.directory, deadline=self.deadline)
        host, port = _address(self.server)
        self.listener = await agi_routing.start_server(self.app, host, port)
        _logger.info("bridge %s: FastAGI routing on %s:%s", self.server["name"], host, self.port)

    async def refresh(self):
        loop = asyncio.get_running_loop()
        try:
            self.directory = await loop.run_in_executor(self.db_executor, self.loader.load)
        except Exception as exc:  # the database may be down: the last snapshot keeps answering
            _logger.warning("bridge %s: routing snapshot not refreshed: %s", self.server["name"], exc)

    def stop(self):
        self.stopped.set()

    async def close(self):
        if self.listener:
            self.listener.close()
            await self.listener.wait_closed()
            self.listener = None
        if self.app:
            self.app.close()


def services_for(registry, bridges, deadline=None):
    """One routing service per bridged server, skipping a second server on an address already served."""
    services, seen = [], set()
    for bridge in bridges:
        address = _address(bridge.server)
        if address in seen:
            _logger.error(
                "bridge %s: FastAGI address %s:%s is already served by another PBX server: not served twice",
                bridge.server["name"],
                *address,
            )
            continue
        seen.add(address)
        services.append(AgiService(registry, bridge.server, bridge.db, deadline=deadline))
    return services


def _address(server):
    """Where a server's routing requests are served (0 = any free port, for tests)."""
    port = server.get("agi_port")
    return server.get("agi_host") or "0.0.0.0", 4573 if port is None or port is False else port  # noqa: S104

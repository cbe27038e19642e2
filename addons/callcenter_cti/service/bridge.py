"""The CTI bridge process: one AMI session per PBX server, journaled, applied to Odoo exactly once.

Used by the ``cti_bridge`` and ``cti_replay`` commands. The AMI side runs on asyncio; database work runs in a
worker thread so that reading the PBX never waits for PostgreSQL (the journal absorbs a database outage).
"""

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import time

from odoo import SUPERUSER_ID, api
from odoo.tools import config

from ..cti.ami_client import AmiClient
from ..cti.callstate import wanted
from ..cti.pipeline import Pipeline
from .astdb import BlacklistMirror
from .command_queue import CommandRunner

_logger = logging.getLogger(__name__)

COALESCE_SECONDS = 0.002
RECOVERY_ACTIONS = ("CoreShowChannels", "Status", "QueueStatus", "BridgeList")


def journal_root(dbname):
    return os.path.join(config["data_dir"], "cti-journal", dbname)


class OdooSink:
    """Applies a pipeline's batches to one server's records: one transaction per batch, marker included."""

    def __init__(self, registry, server_id):
        self.registry, self.server_id = registry, server_id
        self.stats = {"calls_created": 0, "calls_updated": 0, "batches": 0}
        self.linkedids = set()
        self.memo = {}  # what this process last wrote (see cc.call._cti_upsert); only valid after a commit

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True, "mail_notrack": True})

    def applied_seq(self, identity):
        """The database's marker for this journal (0 when the journal is new to this database)."""
        with self.registry.cursor() as cr:
            server = self._env(cr)["cc.pbx.server"].browse(self.server_id)
            if server.journal_session != identity:
                server.write({"journal_session": identity, "journal_applied_seq": 0})
            return server.journal_applied_seq

    def __call__(self, events, last_seq):
        try:
            with self.registry.cursor() as cr:
                env = self._env(cr)
                server = env["cc.pbx.server"].browse(self.server_id)
                result = env["cc.cti.sink"]._cti_apply(server, events, last_seq, memo=self.memo)
        except Exception:
            self.memo.clear()  # the transaction rolled back: what the memo says was written was not
            raise
        self.stats["batches"] += 1
        self.stats["calls_created"] += result["created"]
        self.stats["calls_updated"] += len(result["calls"]) - result["created"]
        self.linkedids.update(result["calls"])

    def set_link(self, state, at=None):
        with self.registry.cursor() as cr:
            values = {"link_state": state}
            if state == "connected":
                values["last_connected_at"] = _utc(at or time.time())
            self._env(cr)["cc.pbx.server"].browse(self.server_id).write(values)


def _utc(epoch):
    from ..models.cc_cti_sink import to_datetime  # noqa: PLC0415  (one conversion for the whole addon)

    return to_datetime(epoch)


class ServerBridge:
    """One PBX server: AMI client → pipeline (journal, state machine) → Odoo."""

    def __init__(self, registry, server, journal_dir, *, apply_interval=0.05, batch_events=5000, db=None):
        self.server = server  # plain dict: id, name, host, port, username, secret
        self.sink = OdooSink(registry, server["id"])
        self.pipeline = Pipeline(journal_dir, self.sink)
        self.apply_interval, self.batch_events = apply_interval, batch_events
        self.client = AmiClient(
            server["host"],
            server["port"],
            server["username"],
            server["secret"],
            on_message=self._receive,
            on_connected=self._recover,
            on_disconnected=self._link_down,
            wanted=wanted,
        )
        self.stopping = False
        self.arrived = asyncio.Event()  # wakes the applier as soon as an event is journaled
        self.db_errors = 0
        self.commands = CommandRunner(self)
        self.blacklist = BlacklistMirror(self)
        # One thread does all of this server's database work, in order: no two transactions race on its rows.
        self.owns_db = db is None
        self.db = db or database_thread(server)

    def _in_db_thread(self, func, *args):
        return asyncio.get_running_loop().run_in_executor(self.db, func, *args)

    async def run(self):
        backlog = await self._in_db_thread(self._start_pipeline)
        _logger.info("bridge %s: %s journaled events to apply", self.server["name"], backlog)
        applier = asyncio.create_task(self._apply_loop())
        commands = asyncio.create_task(self.commands.run())
        mirror = asyncio.create_task(self.blacklist.run())
        try:
            await self.client.run()
        finally:
            self.stopping = True
            await applier
            await commands
            mirror.cancel()

    def _start_pipeline(self):
        return self.pipeline.start(self.sink.applied_seq(self.pipeline.identity))

    async def stop(self):
        self.stopping = True
        await self.client.stop()

    async def _recover(self, client):
        """After every (re)connect: ask the PBX what exists now, so calls that ended meanwhile get closed."""
        lists = {}
        for action in RECOVERY_ACTIONS:
            try:
                lists[action] = await client.send_action({"Action": action}, timeout=10)
            except Exception as exc:  # the link may drop again mid-recovery; the next connect retries
                _logger.warning("bridge %s: %s failed during recovery: %s", self.server["name"], action, exc)
        self.pipeline.link_recovered(lists, time.time())
        self.blacklist.reset()  # the PBX may have restarted or been changed meanwhile: resync its copy
        await self._in_db_thread(self._set_link, "connected")

    def _link_down(self, at):
        self.pipeline.link_down(at)
        self._in_db_thread(self._set_link, "disconnected")

    def _set_link(self, state):
        try:
            self.sink.set_link(state)
        except Exception as exc:  # the database may be the thing that is down; the journal keeps the truth
            _logger.warning("bridge %s: could not record link state %s: %s", self.server["name"], state, exc)

    def _receive(self, message, received, connection=0):
        self.pipeline.receive(message, received, connection)
        self.arrived.set()

    async def _apply_loop(self):
        delay = self.apply_interval
        while not (self.stopping and self.pipeline.idle):
            batch = self.pipeline.take(self.batch_events)
            if not batch and self.pipeline.idle:
                await self._wait_for_events()
                continue
            try:
                await self._in_db_thread(self.pipeline.process, batch)
                delay = self.apply_interval
            except Exception:
                self.db_errors += 1
                delay = min(delay * 2 or 0.1, 10.0)  # database away: back off, the journal keeps everything
                if self.stopping:
                    break
                await asyncio.sleep(delay)

    async def _wait_for_events(self):
        """Sleep until an event arrives (a screen-pop must not wait for a timer), at most apply_interval."""
        self.arrived.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.arrived.wait(), self.apply_interval)
        if self.arrived.is_set():
            await asyncio.sleep(COALESCE_SECONDS)  # the rest of the same TCP read joins this batch

    def close(self):
        if self.owns_db:
            self.db.shutdown(wait=True)
        self.pipeline.close()


def database_thread(server):
    return concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"cti-db-{server['id']}")


def read_servers(registry, server_ids=None):
    """Connection settings of the servers to bridge, as plain dicts (no cursor kept open)."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        servers = env["cc.pbx.server"]._cti_active_servers()
        if server_ids:
            servers = servers.filtered(lambda s: s.id in server_ids)
        fields_ = ["id", "name", "host", "port", "username", "secret", "agi_host", "agi_port"]
        return [{f: server[f] for f in fields_} for server in servers]

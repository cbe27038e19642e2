"""What the ``cti_bridge`` and ``cti_replay`` commands do, once Odoo's configuration is parsed."""

import asyncio
import csv
import logging
import os
import signal
import tempfile
import time

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

from ..cti import replay_server, transcript
from ..models.cc_call import CSV_COLUMNS
from . import agi
from .bridge import ServerBridge, journal_root, read_servers
from .health import HealthServer
from .standby import LeasedBridge

_logger = logging.getLogger(__name__)


def _single_db(config):
    names = config["db_name"]
    names = names if isinstance(names, list | tuple) else [n for n in (names or "").split(",") if n]
    if len(names) != 1:
        raise SystemExit("Give exactly one database (-d DB or db_name in the configuration file).")
    return names[0]


def _ids(text):
    return [int(part) for part in (text or "").split(",") if part.strip()]


# -- cti_bridge ----------------------------------------------------------------------------------------
def run_bridge(config):
    dbname = _single_db(config)
    registry = Registry(dbname)
    servers = read_servers(registry, _ids(config.get("cti_server")))
    if not servers:
        _logger.error(
            "No active PBX server in database %s: create one under Call Center > Configuration.", dbname
        )
        return 1
    root = config.get("cti_journal_dir") or journal_root(dbname)
    batch = int(config.get("cti_batch_events") or 5000)
    # Every server's bridge runs under a lease: run this command on two hosts and one stands by (standby.py).
    bridges = [
        LeasedBridge(registry, server, os.path.join(root, str(server["id"])), batch_events=batch)
        for server in servers
    ]
    health = _health_address(config.get("cti_health"))
    asyncio.run(_serve(bridges, not config.get("cti_no_agi"), config.get("cti_agi_deadline"), health))
    return 0


def _health_address(text):
    """``host:port`` or ``port`` of the health endpoint (None: not served)."""
    if not text:
        return None
    host, _sep, port = str(text).rpartition(":")
    return host or "127.0.0.1", int(port)


async def _serve(bridges, with_agi=True, agi_deadline_ms=None, health_address=None):
    loop = asyncio.get_running_loop()
    # The FastAGI routing services share each bridge's database thread (see service/agi.py).
    deadline = int(agi_deadline_ms) / 1000 if agi_deadline_ms else None
    services = agi.services_for(bridges[0].registry, bridges, deadline) if with_agi else []
    servers = [HealthServer(bridges, services, *health_address)] if health_address else []

    def stop():
        for server in [*services, *servers]:
            server.stop()
        for bridge in bridges:
            asyncio.ensure_future(bridge.stop())

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    try:
        await asyncio.gather(
            *(bridge.run() for bridge in bridges),
            *(service.run() for service in services),
            *(server.run() for server in servers),
        )
    finally:
        for bridge in bridges:
            bridge.close()


# -- cti_replay ----------------------------------------------------------------------------------------
def run_replay(config, files):
    if not files:
        raise SystemExit("Give at least one transcript file (.ami).")
    dbname = _single_db(config)
    registry = Registry(dbname)
    speed = config.get("cti_speed") or "max"
    options = {
        "speed": None if speed == "max" else float(speed),
        "country": (config.get("cti_country") or "").upper(),
        "server_id": _ids(config.get("cti_server"))[0] if config.get("cti_server") else None,
        "loop": bool(config.get("cti_loop")),
    }
    transcripts = [transcript.load(path) for path in files]
    summary = asyncio.run(replay(registry, transcripts, **options))
    # The command's one-line summary is its output, not a log line.
    print(summary["line"], flush=True)  # pylint: disable=print-used
    if config.get("cti_export_csv"):
        export_csv(registry, summary["server_id"], summary["linkedids"], config["cti_export_csv"])
    return 1 if summary["errors"] else 0


async def replay(
    registry, transcripts, *, speed=None, country="", server_id=None, loop=False, journal_dir=None
):
    """Serve ``transcripts`` on a local port and run the real bridge against it until they end."""
    server = replay_server.ReplayServer(transcripts, host="127.0.0.1", port=0, speed=speed, loop=loop)
    await server.start()
    started = time.monotonic()
    record = _replay_server_record(registry, server.port, country, server_id)
    with tempfile.TemporaryDirectory(prefix="cti-replay-") as tmp:
        bridge = ServerBridge(registry, record, journal_dir or tmp, apply_interval=0.01)
        running = asyncio.create_task(bridge.run())
        timed_out = not await _wait_finished(server, transcripts, speed)
        await _wait_applied(bridge)
        await bridge.stop()
        await asyncio.wait_for(running, 60)
        bridge.close()
    await server.close()
    summary = _summary(bridge, server, transcripts, time.monotonic() - started)
    if timed_out:
        summary["errors"] += 1
        summary["line"] += " (timed out: the replay did not finish)"
    return summary


async def _wait_finished(server, transcripts, speed):
    """Until the replay server has played every recorded connection; False if that takes far too long."""
    recorded = max((m.offset for t in transcripts for m in t.messages()), default=0.0)
    budget = 120 + (recorded / speed if speed else recorded / 10)
    try:
        await asyncio.wait_for(asyncio.shield(server.finished), budget)
        return True
    except TimeoutError:
        _logger.error("the replay server did not finish within %.0f s", budget)
        return False


async def _wait_applied(bridge, timeout=600):
    deadline = time.monotonic() + timeout
    await asyncio.sleep(0.05)
    while not bridge.pipeline.idle and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


def _summary(bridge, server, transcripts, elapsed):
    sink, client = bridge.sink.stats, bridge.client.stats
    errors = bridge.db_errors + bridge.pipeline.stats["apply_errors"]
    errors += sum(client.get(k, 0) for k in ("malformed", "oversized", "truncated"))
    line = (
        f"cti_replay: {len(transcripts)} transcript(s), {bridge.pipeline.stats['events']} events, "
        f"{sink['calls_created']} calls created, {sink['calls_updated']} updated, {errors} errors, "
        f"{elapsed:.2f} s"
    )
    return {
        "line": line,
        "errors": errors,
        "server_id": bridge.server["id"],
        "linkedids": sorted(bridge.sink.linkedids),
    }


def _replay_server_record(registry, port, country, server_id):
    """The PBX server the replay writes into: the one given, else 'Replay' (created on first use)."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        Server = env["cc.pbx.server"].with_context(active_test=False)
        server = Server.browse(server_id) if server_id else Server.search([("name", "=", "Replay")], limit=1)
        country_rec = env["res.country"].search([("code", "=", country)], limit=1) if country else None
        values = {
            "host": "127.0.0.1",
            "port": port,
            "username": "cti",
            "secret": "cti-secret",
            "active": True,
        }
        if country_rec:
            values["country_id"] = country_rec.id
        if server:
            server.write(values)
        else:
            server = Server.create(values | {"name": "Replay"})
        return {"id": server.id, "name": server.name, "host": "127.0.0.1", "port": port, "username": "cti",
                "secret": "cti-secret"}  # fmt: skip


def export_csv(registry, server_id, linkedids, path):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        calls = env["cc.call"].search(
            [("server_id", "=", server_id), ("linkedid", "in", linkedids)], order="start, id"
        )
        rows = calls._cti_csv_rows()
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(rows)

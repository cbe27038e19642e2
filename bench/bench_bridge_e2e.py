"""Calls per second end to end: AMI over TCP (replay server) → journal → state machine → PostgreSQL.

The burst transcript (50 calls, ~9,400 AMI events) is multiplied with distinct Linkedids and replayed as fast
as possible through the real bridge (``cti_replay``'s code path) into a database with callcenter_cti
installed.

Usage: python bench/bench_bridge_e2e.py [--db cc_bench] [--copies 40]
The database is created (callcenter_cti only, no demo data) when missing. Prints its figures; no asserts.
"""

import argparse
import asyncio
import multiprocessing
import os
import resource
import time

from benchlib import ROOT, addons_path, ensure_database

FIXTURES = os.environ.get("CALLCENTER_FIXTURES", os.path.join(ROOT, "..", "shared", "fixtures", "ami"))


def serve_pbx(load, port_queue):
    """The simulated PBX in its own process, as a real Asterisk: it does not share the bridge's CPU."""
    from odoo.addons.callcenter_cti.cti import replay_server  # noqa: PLC0415

    async def run():
        server = replay_server.ReplayServer([load], speed=None)
        port_queue.put(await server.start())
        await server.finished
        await asyncio.sleep(0.2)
        await server.close()

    asyncio.run(run())


def new_server(registry, name):
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    with registry.cursor() as cr:
        return (
            api.Environment(cr, SUPERUSER_ID, {})["cc.pbx.server"]
            .create({"name": name, "host": "127.0.0.1"})
            .id
        )


async def all_applied(server_bridge, pbx):
    """Until the PBX has sent everything and the bridge has applied all it received."""
    pipeline = server_bridge.pipeline
    while pbx.is_alive() or not pipeline.idle:
        await asyncio.sleep(0.01)


async def bridge_until_done(registry, server_id, port, pbx):
    """The real bridge against the PBX process, until the PBX has played everything and all is applied."""
    import tempfile  # noqa: PLC0415

    from odoo.addons.callcenter_cti.service import bridge, commands  # noqa: PLC0415

    record = commands._replay_server_record(registry, port, "US", server_id)
    with tempfile.TemporaryDirectory(prefix="cti-bench-") as journal:
        server_bridge = bridge.ServerBridge(registry, record, journal, apply_interval=0.01)
        running = asyncio.create_task(server_bridge.run())
        await all_applied(server_bridge, pbx)
        await server_bridge.stop()
        await running
        server_bridge.close()
    line = f"bridge: {server_bridge.pipeline.stats['events']} events, {server_bridge.sink.stats}"
    return {"line": line, "linkedids": server_bridge.sink.linkedids}


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="cc_bench")
    parser.add_argument("--copies", type=int, default=40)
    args = parser.parse_args()
    path = addons_path()
    ensure_database(args.db, path, "callcenter_cti")

    from odoo.tools import config  # noqa: PLC0415

    config.parse_config([f"--addons-path={path}", "--log-level", "warn"], setup_logging=True)
    from odoo.modules.registry import Registry  # noqa: PLC0415

    from odoo.addons.callcenter_cti.cti import replay_server, transcript  # noqa: PLC0415

    registry = Registry(args.db)
    burst = transcript.load(os.path.join(FIXTURES, "n-burst-50-calls.ami"))
    load = replay_server.multiply(burst, args.copies)
    events = sum(len(c.messages) for c in load.connections.values())
    server_id = new_server(registry, f"bench {time.time():.0f}")  # a fresh server: every call is a new record
    ports = multiprocessing.get_context("fork").Queue()
    pbx = multiprocessing.get_context("fork").Process(target=serve_pbx, args=(load, ports), daemon=True)
    pbx.start()
    port = ports.get(timeout=60)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the generated load is held here
    started = time.perf_counter()
    summary = asyncio.run(bridge_until_done(registry, server_id, port, pbx))
    elapsed = time.perf_counter() - started
    calls = len(summary["linkedids"])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss_before
    print(summary["line"])
    print(f"bench_bridge_e2e: {args.copies} x 50 calls, {events} AMI events over TCP, {elapsed:.2f} s in all")
    rate = f"{calls / elapsed:.1f} calls/s, {events / elapsed:.0f} events/s"
    print(f"bench_bridge_e2e: {rate}, bridge memory +{rss:.0f} MB")


if __name__ == "__main__":
    main()

"""Latency of the FastAGI ``route`` answer: p50/p99 over TCP on loopback, from the first byte of the AGI
environment to the server closing the connection (every SET VARIABLE acknowledged, as Asterisk does).

The server (the real RoutingApplication) runs in its own process with a directory of realistic size: 100,000
blacklisted numbers, 10,000 customers with a last agent, 1,000 VIP/owned customers, 200 agents, 50 DIDs with
working hours. A thread in the server process republishes a snapshot every second, as the bridge's database
thread does (the copy of the last-agent cache competes for the GIL). A few concurrent AGI clients (one
process each) send N requests: a mix of blacklisted, last-agent, VIP, unknown and anonymous callers.

With ``--ivr`` the requests are voice-menu steps (``ivr``: 50 menus of 6 keys, a mix of keys, wrong keys,
timeouts and entries) instead of ``route``: the dialplan asks one per key the caller presses.

Usage: python bench/bench_agi.py [--requests 20000] [--clients 4] [--blacklist 100000] [--customers 10000]
    [--ivr]
Prints its figures; no asserts.
"""

import argparse
import asyncio
import datetime
import multiprocessing
import os
import random
import statistics
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "addons", "callcenter_cti"))

from cti import agi_routing as ar  # noqa: E402  (the pure package, without the Odoo addon around it)
from cti import ivr  # noqa: E402
from cti.agi_client import agi_request  # noqa: E402

UTC = datetime.UTC


def customer(i):
    return f"+86139{i:08d}"


def build_directory(args, now):
    blacklist = {f"+86135{i:08d}": ar.BlacklistEntry(f"note {i}") for i in range(args.blacklist)}
    agents = {
        str(8000 + i): ar.Agent(str(8000 + i), f"PJSIP/{8000 + i}", f"Agent {i}", i % 3 == 0)
        for i in range(200)
    }
    last = {
        customer(i): (str(8000 + i % 200), now - datetime.timedelta(days=i % 40))
        for i in range(args.customers)
    }
    profiles = {
        customer(i): {"vip": i % 2 == 0, "owner_agent_extension": str(8000 + i % 200)} for i in range(1000)
    }
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    schedule = ar.Schedule(
        tuple(
            (day + datetime.timedelta(days=d, hours=1), day + datetime.timedelta(days=d, hours=23))
            for d in range(9)
        ),
        day - datetime.timedelta(days=1),
        day + datetime.timedelta(days=8),
    )
    dids = {
        ar.did_key(f"40080012{i:02d}"): ar.DidConfig(
            number=f"+8640080012{i:02d}",
            queue="support",
            welcome="hello",
            last_agent_days=30,
            is_open=schedule.is_open,
        )
        for i in range(50)
    }
    return last, lambda last_agents: ar.Directory(
        country="CN",
        dids=dids,
        blacklist=blacklist,
        agents=agents,
        profile=profiles.get,
        last_agent=lambda e164, since: _last(last_agents, e164, since),
        menus=MENUS,
    )


# 50 menus: keys 1-4 to queues, 5 to the next menu, 0 to a message before hanging up.
MENUS = {
    str(m): ivr.Menu(
        prompt=f"custom/cc/prompt-{m}",
        invalid_prompt="custom/cc/prompt-invalid",
        options={str(k): ivr.Option("queue", f"queue{k}") for k in range(1, 5)}
        | {"5": ivr.Option("menu", str((m + 1) % 50)), "0": ivr.Option("hangup", prompt="custom/cc/bye")},
    )
    for m in range(50)
}


def _last(last_agents, e164, since):
    extension, at = last_agents.get(e164, (None, None))
    return extension if at and at >= since else None


def serve(args, port_queue, stop_event):
    now = datetime.datetime.now(UTC)
    started = time.monotonic()
    last, make = build_directory(args, now)
    current = {"directory": make(last)}
    print(f"server: directory built in {time.monotonic() - started:.2f} s", flush=True)

    def refresher():  # what the database thread does every few seconds: publish a new snapshot
        while not stop_event.wait(args.refresh):
            current["directory"] = make(dict(last))

    threading.Thread(target=refresher, daemon=True).start()

    async def main():
        app = ar.RoutingApplication(lambda: current["directory"])
        server = await ar.start_server(app, "127.0.0.1", 0)
        port_queue.put(server.sockets[0].getsockname()[1])
        while not stop_event.is_set():
            await asyncio.sleep(0.1)
        print(f"server: {app.stats}", flush=True)
        server.close()
        app.close()

    asyncio.run(main())


async def timed_request(port, did, caller, step=None):
    """One routing request (or menu ``step``) as Asterisk makes it: (seconds, SET VARIABLE commands)."""
    started = time.perf_counter()
    if step is None:
        variables = await agi_request(port, did, caller)
    else:
        variables = await agi_request(port, "", "", script="ivr", args=step)
    return time.perf_counter() - started, len(variables)


def step_mix(rng):
    """A menu step: entering, a key (some wrong), or silence."""
    return (str(rng.randrange(50)), rng.choice(["enter", "1", "2", "5", "0", "7", ""]), str(rng.randrange(3)))


def caller_mix(args, rng):
    kind = rng.random()
    if kind < 0.1:
        return f"135{rng.randrange(args.blacklist):08d}"  # blacklisted
    if kind < 0.5:
        return f"139{rng.randrange(args.customers):08d}"  # known customer (last agent, some VIP/owner)
    if kind < 0.95:
        return f"137{rng.randrange(10**8):08d}"  # unknown
    return rng.choice(["", "anonymous", "garbage"])


def client_process(args, port, seed, count):
    """One AGI client (as one Asterisk channel thread): sequential requests; returns the latencies."""
    rng = random.Random(seed)
    work = [(f"40080012{i % 60:02d}", caller_mix(args, rng), step_mix(rng) if args.ivr else None)
            for i in range(count)]  # fmt: skip

    async def run():
        return [await timed_request(port, did, caller, step) for did, caller, step in work]

    return asyncio.run(run())


def clients(args, port, requests):
    """``args.clients`` concurrent clients, each in its own process (a Python client loop shared by several
    connections would measure its own queueing, not the server)."""
    share = requests // args.clients
    started = time.perf_counter()
    with multiprocessing.Pool(args.clients) as pool:
        parts = pool.starmap(client_process, [(args, port, seed, share) for seed in range(args.clients)])
    wall = time.perf_counter() - started
    results = [r for part in parts for r in part]
    return [r[0] for r in results], [r[1] for r in results], wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--blacklist", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--refresh", type=float, default=1.0, help="seconds between two snapshots")
    parser.add_argument("--ivr", action="store_true", help="voice-menu steps instead of route requests")
    args = parser.parse_args()
    port_queue, stop_event = multiprocessing.Queue(), multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(args, port_queue, stop_event))
    server.start()
    try:
        port = port_queue.get(timeout=120)
        clients(args, port, 500)  # warm-up
        latencies, counts, wall = clients(args, port, args.requests)
    finally:
        stop_event.set()
        server.join(10)
    latencies.sort()
    ms = [x * 1000 for x in latencies]
    print(
        f"bench_agi: {len(ms)} {'ivr step' if args.ivr else 'route'} requests, "
        f"{args.clients} concurrent clients, "
        f"{statistics.mean(counts):.1f} SET VARIABLE each, blacklist {args.blacklist}, "
        f"customers {args.customers}"
    )
    print(
        f"bench_agi: p50 {ms[len(ms) // 2]:.2f} ms, p90 {ms[int(len(ms) * 0.9)]:.2f} ms, "
        f"p99 {ms[int(len(ms) * 0.99)]:.2f} ms, max {ms[-1]:.2f} ms, {len(ms) / wall:.0f} requests/s"
    )


if __name__ == "__main__":
    main()

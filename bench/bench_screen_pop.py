"""Screen-pop latency: from the AMI frame that rings an agent's phone leaving the PBX to the
``callcenter/ringing`` bus notification arriving on that agent's websocket.

What runs, each in its own process, all on this machine (so ``time.time()`` stamps compare):

* the simulated PBX: the project's ReplayServer playing ``n-burst-50-calls.ami`` (``--copies`` simultaneous
  copies, ids made distinct per copy and per run; copy k rings agents 8001+5k ... 8005+5k) at ``--speed``
  (1 = recorded pace, about 45 s; ``max``); it stamps every ``AgentCalled`` frame as it hands it to the
  socket, keyed by (Linkedid, agent extension);
* a real Odoo HTTP server on the database (threaded, or ``--gevent``: ``--workers=2`` and websockets on the
  gevent port);
* ``--agents`` agent users (8001, 8002, ...; 5 x copies of them are rung), each with a cc.agent on the bench's
  PBX server and a websocket subscribed to the bus (this process: one thread per websocket, stamping each
  frame as it arrives); the other agents are connected and idle;
* the real ``cti_bridge`` Odoo command against the PBX (default settings, FastAGI off).

Latency of a pop = arrival of ``callcenter/ringing`` (linkedid, agent) on that agent's websocket - the send
stamp of its AgentCalled frame. Target: p99 <= 100 ms. Also counted: pops expected (AgentCalled frames
sent to agents with a websocket) vs received, and pops that reached the wrong websocket (another agent's
pop, or any pop on an idle agent's).

Agents' web sessions are written to Odoo's session store by this process, as Odoo's HttpCase.authenticate
does: logging 200 users in over HTTP costs a 600,000-round PBKDF2 each, which is not what is measured.

Usage: /opt/odoo-venv/bin/python bench/bench_screen_pop.py [--db bench_pop] [--agents 200] [--copies N]
    [--speed 1|max] [--gevent] [--port 8141]
The database is created (callcenter_cti only, no demo data) when missing; agents are created on first use.
Prints its figures; no asserts.
"""

import argparse
import collections
import contextlib
import dataclasses
import json
import math
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from benchlib import ROOT, addons_path, ensure_database

FIXTURES = os.environ.get("CALLCENTER_FIXTURES", os.path.join(ROOT, "..", "shared", "fixtures", "ami"))
SERVER_NAME = "Bench screen-pop"
FIRST_EXTENSION = 8001
TARGET_P99_MS = 100
BURST_AGENTS = 5  # the burst rings 8001-8005
_COPY = re.compile(rb"\r\n(?:Linkedid|Uniqueid): [^\r]*-c(\d+)\r\n")  # multiply's copy k: ids end in -ck
# An agent's extension in a channel name, interface, member name, dialplan value: not inside another id.
_AGENT = re.compile(rb"(agent|(?<![0-9A-Za-z.-]))800([1-5])(?![0-9])")


# -- the PBX: replay server in its own process, stamping AgentCalled frames ----------------------------------


class _StampingWriter:
    """The session's StreamWriter, noting when each AgentCalled frame is handed to the socket."""

    def __init__(self, writer, sent):
        self._writer, self._sent = writer, sent

    def write(self, raw):
        self._writer.write(raw)
        if raw.startswith(b"Event: AgentCalled\r\n"):  # the replay server writes one frame per call
            self._sent.append((time.time(), raw))

    def __getattr__(self, name):
        return getattr(self._writer, name)


def spread_agents(load):
    """Copy k of the multiplied burst rings its own agents, 8001+5k ... 8005+5k, instead of 8001-8005.

    Renamed in every message of a copy's calls (channel names, member names and interfaces, extensions);
    messages that belong to no call (QueueMemberStatus, ExtensionStatus...) keep naming 8001-8005.
    """
    from odoo.addons.callcenter_cti.cti import transcript  # noqa: PLC0415

    def rename(message):
        copy = _COPY.search(message.raw)
        if message.is_greeting or not copy:
            return message
        shift = BURST_AGENTS * int(copy.group(1))
        raw = _AGENT.sub(
            lambda m: m.group(1) + str(FIRST_EXTENSION - 1 + int(m.group(2)) + shift).encode(), message.raw
        )
        return dataclasses.replace(message, raw=raw, headers=transcript.parse_headers(raw))

    for connection in load.connections.values():
        connection.messages[:] = [rename(message) for message in connection.messages]
    return load


def _agent_called_key(raw):
    """(Linkedid, agent extension) of an AgentCalled frame, as the bridge will name them."""
    from odoo.addons.callcenter_cti.cti.callstate import agent_key  # noqa: PLC0415

    headers = dict(line.split(": ", 1) for line in raw.decode(errors="replace").split("\r\n") if ": " in line)
    return headers.get("Linkedid"), agent_key(headers.get("Interface") or headers.get("MemberName"))


def serve_pbx(copies, speed, results):
    """The simulated PBX until the burst is played; puts its port, then its send stamps, on ``results``."""
    import asyncio  # noqa: PLC0415

    from odoo.addons.callcenter_cti.cti import replay_server, transcript  # noqa: PLC0415

    class StampingReplayServer(replay_server.ReplayServer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.sent = []  # (time, AgentCalled frame)

        async def _play(self, playback, reader, writer):
            await super()._play(playback, reader, _StampingWriter(writer, self.sent))

    async def run():
        burst = transcript.load(os.path.join(FIXTURES, "n-burst-50-calls.ami"))
        recorded = max(m.offset for m in burst.messages()) - min(m.offset for m in burst.messages())
        load = spread_agents(replay_server.multiply(burst, copies))
        server = StampingReplayServer([load], speed=speed, distinct_runs=True)  # new calls on every run
        results.put((await server.start(), recorded))
        await server.finished
        await asyncio.sleep(0.2)
        await server.close()
        results.put([(at, *_agent_called_key(raw)) for at, raw in server.sent])

    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C reaches this process too: the bench cleans up
        asyncio.run(run())


def start_pbx(args, stack):
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    speed = None if args.speed == "max" else float(args.speed)
    pbx = context.Process(target=serve_pbx, args=(args.copies, speed, results), daemon=True)
    pbx.start()
    stack.callback(_end_process, pbx)
    port, recorded = wait_result(results, pbx, 300, "the PBX did not start")
    return pbx, results, port, recorded


def wait_result(results, process, budget, failure, bridge=None):
    """The next thing ``process`` puts on ``results``; exits if it (or the bridge) dies or takes too long."""
    import queue  # noqa: PLC0415

    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        with contextlib.suppress(queue.Empty):
            return results.get(timeout=0.5)
        if not process.is_alive():
            raise SystemExit(f"{failure}: the PBX process exited with {process.exitcode}")
        if bridge is not None and bridge.poll() is not None:
            raise SystemExit(f"{failure}: the bridge exited with {bridge.returncode} (see its log)")
    raise SystemExit(f"{failure} within {budget:.0f} s")


def _end_process(process):
    if process.is_alive():
        process.terminate()
        process.join(5)


# -- the database: PBX server, agent users and their web sessions ------------------------------------------


def ensure_module(db, path):
    """``ensure_database``, and an install when a former attempt left the database without the addon."""
    import psycopg2  # noqa: PLC0415

    ensure_database(db, path, "callcenter_cti")
    with psycopg2.connect(dbname=db) as conn, conn.cursor() as cur:
        cur.execute("SELECT state FROM ir_module_module WHERE name = 'callcenter_cti'")
        installed = (cur.fetchone() or [None])[0] == "installed"
    if not installed:
        cmd = [sys.executable, "-m", "odoo", f"--addons-path={path}", "-d", db, "-i", "callcenter_cti"]
        subprocess.run(cmd + ["--stop-after-init", "--log-level", "warn", "--no-http"], check=True)


def load_odoo(path):
    """Odoo's configuration in this process: the addons (the PBX's code too) become importable."""
    from odoo.tools import config  # noqa: PLC0415

    args = [f"--addons-path={path}", "--http-interface=127.0.0.1", "--log-level=warn"]
    config.parse_config(args, setup_logging=True)


def prepare(args, pbx_port):
    """The bench's PBX server (pointed at the replay port), its agents, and a web session per agent."""
    from odoo import SUPERUSER_ID, api, sql_db  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True, "no_reset_password": True})
        server = pbx_server(env, pbx_port)
        users = agent_users(env, server, args.agents)
        cr.commit()
        sessions = {extension: web_session(env, args.db, user) for extension, user in users.items()}
        partners = {user.partner_id.id: extension for extension, user in users.items()}
        server_id = server.id
    sql_db.close_db(args.db)  # leave the connections to the server and the bridge
    return server_id, sessions, partners


def drop_sessions(sessions):
    from odoo import http  # noqa: PLC0415

    for session in sessions.values():
        http.root.session_store.delete(session)


def pbx_server(env, port):
    Server = env["cc.pbx.server"].with_context(active_test=False)
    server = Server.search([("name", "=", SERVER_NAME)], limit=1) or Server.create({"name": SERVER_NAME})
    values = {"host": "127.0.0.1", "port": port, "username": "cti", "secret": "cti-secret", "active": True}
    server.write(values | {"country_id": env.ref("base.us").id})
    return server


def agent_users(env, server, count):
    """{extension: res.users} of ``count`` agents 8001, 8002, ... on ``server`` (created when missing)."""
    group = env.ref("callcenter_cti.group_cc_agent")
    Users = env["res.users"].with_context(active_test=False)
    extensions = [str(FIRST_EXTENSION + i) for i in range(count)]
    logins = {f"bench_pop_{extension}": extension for extension in extensions}
    users = {logins[u.login]: u for u in Users.search([("login", "in", list(logins))])}
    missing = [extension for extension in extensions if extension not in users]
    if missing:
        print(f"creating {len(missing)} agent users ...", flush=True)
        values = [
            {"name": f"Pop Agent {e}", "login": f"bench_pop_{e}", "group_ids": [(6, 0, [group.id])]}
            for e in missing
        ]
        users.update(zip(missing, Users.create(values), strict=True))
    Agent = env["cc.agent"].with_context(active_test=False)
    agents = {a.extension: a for a in Agent.search([("server_id", "=", server.id)])}
    for extension in extensions:
        values = {"user_id": users[extension].id, "active": True}
        if extension in agents:
            agents[extension].write(values)
        else:
            Agent.create(
                values | {"name": f"Agent {extension}", "extension": extension, "server_id": server.id}
            )
    return users


def web_session(env, db, user):
    """A logged-in session of ``user`` in Odoo's session store (as HttpCase.authenticate makes them)."""
    from odoo import api, http  # noqa: PLC0415
    from odoo.service import security  # noqa: PLC0415

    session = http.root.session_store.new()
    session.update(http.get_default_session(), db=db, _trace_disable=True)
    user_env = api.Environment(env.cr, user.id, {})
    session.uid, session.login = user.id, user.login
    session.session_token = security.compute_session_token(session, user_env)
    session.context = dict(user_env["res.users"].context_get())
    http.root.session_store.save(session)
    return session


# -- Odoo's HTTP server and the bridge, as subprocesses ------------------------------------------------------


def start_process(stack, cmd, log_path):
    """``cmd`` in its own process group, output to ``log_path``; stopped (then killed) when ``stack`` ends."""
    log = stack.enter_context(open(log_path, "w", encoding="utf-8"))  # noqa: SIM115
    process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    stack.callback(stop_process, process)
    return process


def stop_process(process, timeout=20):
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # its group: the workers of a prefork server too
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def odoo_launcher():
    """A prefork server starts its gevent process as ``python sys.argv[0] gevent``: not with ``-m odoo``."""
    script = os.path.join(os.path.dirname(sys.executable), "odoo")
    return [sys.executable, script] if os.path.isfile(script) else [sys.executable, "-m", "odoo"]


def start_odoo(args, path, stack, logs):
    """Odoo's HTTP server; returns (process, websocket port, description)."""
    cmd = [*odoo_launcher(), f"--addons-path={path}", "-d", args.db, f"--db-filter=^{args.db}$"]
    cmd += ["--http-interface=127.0.0.1", f"--http-port={args.port}", "--max-cron-threads=0"]
    cmd += ["--log-level=warn"]
    if args.gevent:
        cmd += ["--workers=2", f"--gevent-port={args.port + 1}"]
        mode = f"prefork Odoo (--workers=2), websockets on the gevent port {args.port + 1}"
        ws_port = args.port + 1
    else:
        mode, ws_port = f"threaded Odoo (one thread per websocket) on port {args.port}", args.port
    process = start_process(stack, cmd, os.path.join(logs, "odoo.log"))
    wait_http(process, f"http://127.0.0.1:{ws_port}/web/health")
    return process, ws_port, mode


def wait_http(process, url, timeout=180):
    import requests  # noqa: PLC0415

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"Odoo exited with {process.returncode} before serving {url}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def start_bridge(args, path, stack, logs, server_id):
    cmd = [sys.executable, "-m", "odoo", f"--addons-path={path}", "cti_bridge", f"--addons-path={path}"]
    cmd += ["-d", args.db, f"--cti-server={server_id}", f"--cti-journal-dir={os.path.join(logs, 'journal')}"]
    cmd += ["--cti-no-agi", "--log-level=warn"]
    return start_process(stack, cmd, os.path.join(logs, "bridge.log"))


# -- the agents' websockets ----------------------------------------------------------------------------------


class AgentSocket:
    """One agent's websocket, subscribed to the bus; a thread stamps every ``callcenter/ringing`` it gets."""

    def __init__(self, extension, url, sid, last):
        import websocket  # noqa: PLC0415  (websocket-client, as Odoo's own websocket tests)

        self.extension = extension
        self.pops = []  # (arrival time, payload, bus notification id)
        self.others = collections.Counter()  # other notification types
        self.closed = False
        self.ws = websocket.create_connection(url, cookie=f"session_id={sid}", timeout=30)
        self.ws.send(json.dumps({"event_name": "subscribe", "data": {"channels": [], "last": last}}))
        self.ws.settimeout(None)
        self.thread = threading.Thread(target=self._receive, name=f"ws-{extension}", daemon=True)
        self.thread.start()

    def _receive(self):
        try:
            while True:
                data = self.ws.recv()
                at = time.time()
                if data:  # control frames come back as empty data
                    self._note(at, json.loads(data))
        except Exception:  # noqa: BLE001  (closed by close(), or by the server: either way, done)
            self.closed = True

    def _note(self, at, notifications):
        for notification in notifications:
            message = notification["message"]
            if message["type"] == "callcenter/ringing":
                self.pops.append((at, message["payload"], notification["id"]))
            else:
                self.others[message["type"]] += 1

    def close(self):
        with contextlib.suppress(Exception):
            self.ws.send_close()  # the server answers with a close frame: the thread's recv() ends
        self.thread.join(2)
        with contextlib.suppress(Exception):
            self.ws.shutdown()


def bus_last_id(db):
    """Subscribe from the newest notification: former runs' pops are not sent again."""
    import psycopg2  # noqa: PLC0415

    with psycopg2.connect(dbname=db) as conn, conn.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM bus_bus")
        return cur.fetchone()[0]


def connect_agents(stack, db, ws_port, sessions):
    from odoo.addons.bus.websocket import WebsocketConnectionHandler  # noqa: PLC0415

    url = f"ws://127.0.0.1:{ws_port}/websocket?version={WebsocketConnectionHandler._VERSION}"
    last, sockets = bus_last_id(db), {}
    stack.callback(lambda: [s.close() for s in sockets.values()])
    for extension, session in sessions.items():
        sockets[extension] = AgentSocket(extension, url, session.sid, last)
    time.sleep(2)  # let every subscription be processed before the first call rings
    closed = [s.extension for s in sockets.values() if s.closed]
    if closed:
        raise SystemExit(f"{len(closed)} websockets were closed by the server (e.g. {closed[0]})")
    return sockets


class BusListener:
    """LISTENs to Odoo's ``imbus`` NOTIFY (sent once a bus notification is committed): per agent, when its
    partner's channel was notified. Splits a pop's latency into bridge (AMI frame → NOTIFY) and Odoo bus
    (NOTIFY → websocket)."""

    def __init__(self, db, partners):
        import psycopg2  # noqa: PLC0415

        self.db, self.partners = db, partners  # partner id → extension
        self.notified = collections.defaultdict(list)  # extension → NOTIFY times
        self.conn = psycopg2.connect(dbname="postgres")  # where Odoo sends its NOTIFY imbus
        self.conn.autocommit = True
        self.conn.cursor().execute("LISTEN imbus")
        self.running = True
        self.thread = threading.Thread(target=self._listen, name="imbus", daemon=True)
        self.thread.start()

    def _listen(self):
        import select  # noqa: PLC0415

        while self.running:
            if select.select([self.conn], [], [], 0.5)[0]:
                self.conn.poll()
                at = time.time()
                while self.conn.notifies:
                    self._note(at, json.loads(self.conn.notifies.pop(0).payload))

    def _note(self, at, channels):
        for channel in channels:
            if channel[:2] == [self.db, "res.partner"] and channel[2] in self.partners:
                self.notified[self.partners[channel[2]]].append(at)

    def notify_before(self, extension, sent_at, arrived_at):
        """The last NOTIFY of the agent's channel between the AMI frame and the pop's arrival."""
        times = [at for at in self.notified.get(extension, ()) if sent_at <= at <= arrived_at]
        return times[-1] if times else None

    def close(self):
        self.running = False
        self.thread.join(2)
        self.conn.close()


# -- the run ------------------------------------------------------------------------------------------------


def wait_pops(sockets, expected, quiet):
    """Until every expected pop has arrived, or none has for ``quiet`` seconds."""
    received, since = -1, time.monotonic()
    while time.monotonic() - since < quiet:
        count = sum(len(s.pops) for s in sockets.values())
        if count >= expected:
            return
        if count != received:
            received, since = count, time.monotonic()
        time.sleep(0.1)


def percentile(values, p):
    """Nearest-rank percentile of sorted ``values``."""
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


def analyse(sent, sockets, bus):
    """Latencies (ms) of the pops matched to their AgentCalled frame, and the counts around them."""
    expected = collections.defaultdict(list)  # (linkedid, extension) -> send stamps
    for at, linkedid, extension in sent:
        if extension in sockets:
            expected[(linkedid, extension)].append(at)
    latencies, wrong, unexpected, idle = [], 0, 0, 0  # latencies: (ms, seconds into the run)
    bridge_ms, bus_ms = [], []  # AMI frame → NOTIFY, NOTIFY → websocket
    start = min((at for at, _lid, _ext in sent), default=0.0)
    ringing = {extension for _linkedid, extension in expected}
    resent, sent_twice = 0, 0  # the same bus notification again; another notification for the same ring
    for extension, sock in sockets.items():
        idle += 0 if extension in ringing else len(sock.pops)
        seen, rings = set(), set()
        for at, payload, bus_id in sorted(sock.pops, key=lambda pop: pop[0]):
            ring = (payload.get("linkedid"), payload.get("agent"))
            resent += bus_id in seen
            sent_twice += bus_id not in seen and ring in rings
            seen.add(bus_id)
            rings.add(ring)
            if payload.get("agent") != extension:
                wrong += 1
                continue
            stamps = expected.get((payload.get("linkedid"), extension))
            if not stamps:
                unexpected += 1
                continue
            sent_at = stamps.pop(0)
            latencies.append(((at - sent_at) * 1000, sent_at - start))
            notified = bus.notify_before(extension, sent_at, at)
            if notified:
                bridge_ms.append((notified - sent_at) * 1000)
                bus_ms.append((at - notified) * 1000)
    return {
        "expected": sum(1 for _at, _lid, extension in sent if extension in sockets),
        "received": sum(len(s.pops) for s in sockets.values()),
        "matched": len(latencies),
        "latencies": sorted(latencies),
        "bridge_ms": sorted(bridge_ms),
        "bus_ms": sorted(bus_ms),
        "wrong": wrong,
        "unexpected": unexpected,
        "resent": resent,
        "sent_twice": sent_twice,
        "idle": idle,
        "ringing": len(ringing),
    }


def print_latency(latencies):
    """``latencies``: [(ms, seconds into the burst)], fastest first."""
    values = [ms for ms, _offset in latencies]
    p50, p99 = percentile(values, 50), percentile(values, 99)
    print(
        f"bench_screen_pop: screen-pop latency p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {values[-1]:.1f} ms, "
        f"min {values[0]:.1f} ms, count {len(values)} (target p99 <= {TARGET_P99_MS} ms)"
    )
    slowest = ", ".join(f"{ms:.0f} ms at +{offset:.1f} s" for ms, offset in latencies[-5:][::-1])
    print(f"bench_screen_pop: slowest pops (when into the burst): {slowest}")


def print_split(result):
    """Where the time goes: the bridge until Odoo's NOTIFY imbus, then Odoo's bus until the websocket."""
    parts = [("AMI frame -> NOTIFY imbus (bridge)", result["bridge_ms"])]
    parts.append(("NOTIFY -> websocket (Odoo bus)", result["bus_ms"]))
    for label, values in parts:
        if values:
            p50, p99 = percentile(values, 50), percentile(values, 99)
            print(f"bench_screen_pop:   {label}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {values[-1]:.1f} ms")


def report(args, mode, recorded, sent, result, sockets):
    pace = "as fast as possible" if args.speed == "max" else f"speed {args.speed} ({recorded:.1f} s recorded)"
    print(f"bench_screen_pop: websockets: {len(sockets)} agents on {mode}")
    print(f"bench_screen_pop: {args.copies} x 50 calls, {pace}; {len(sent)} AgentCalled frames sent")
    missing = result["expected"] - result["matched"]
    print(
        f"bench_screen_pop: pops expected {result['expected']}, received {result['received']} "
        f"(matched {result['matched']}, missing {missing}, unexpected {result['unexpected']}); "
        f"{result['ringing']} agents rung"
    )
    if result["unexpected"]:
        print(
            f"bench_screen_pop: unexpected pops: {result['resent']} the same bus notification delivered "
            f"again, {result['sent_twice']} a 2nd notification of the same ring (the bridge sent it twice)"
        )
    idle = len(sockets) - result["ringing"]
    print(
        f"bench_screen_pop: pops on the wrong agent's websocket: {result['wrong'] or 'none'}; "
        f"pops on the {idle} idle agents' websockets: {result['idle'] or 'none'}"
    )
    if result["latencies"]:
        print_latency(result["latencies"])
        print_split(result)
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"bench_screen_pop: load average at the end {load} ({os.cpu_count()} CPUs; the machine is shared)")
    others = sum((s.others for s in sockets.values()), collections.Counter())
    if others:
        print(f"bench_screen_pop: other notifications: {dict(others)}")


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="bench_pop")
    parser.add_argument("--agents", type=int, default=200, help="agent websockets (8001, 8002, ...)")
    parser.add_argument("--copies", type=int, default=1, help="simultaneous copies of the 50-call burst")
    parser.add_argument("--speed", default="1", help="factor on the recorded pace, or 'max' (default 1)")
    parser.add_argument("--gevent", action="store_true", help="Odoo with --workers=2, websockets via gevent")
    parser.add_argument("--port", type=int, default=8141, help="Odoo HTTP port (gevent: the next one)")
    parser.add_argument("--quiet", type=float, default=10.0, help="seconds without a pop that end the wait")
    parser.add_argument("--keep-logs", action="store_true", help="keep the Odoo and bridge logs")
    return parser.parse_args()


def run(args, stack, logs):
    path = addons_path()
    ensure_module(args.db, path)
    load_odoo(path)
    pbx, pbx_results, pbx_port, recorded = start_pbx(args, stack)
    server_id, sessions, partners = prepare(args, pbx_port)
    stack.callback(drop_sessions, sessions)
    _odoo, ws_port, mode = start_odoo(args, path, stack, logs)
    print(f"connecting {len(sessions)} agent websockets ({mode}) ...", flush=True)
    sockets = connect_agents(stack, args.db, ws_port, sessions)
    bus = BusListener(args.db, partners)
    stack.callback(bus.close)
    print(f"bridge and PBX running: {args.copies} x the 50-call burst ...", flush=True)
    bridge = start_bridge(args, path, stack, logs, server_id)
    speed = 50.0 if args.speed == "max" else float(args.speed)
    sent = wait_result(pbx_results, pbx, 120 + recorded * 2 / speed, "the PBX did not play the burst", bridge)
    wait_pops(sockets, sum(1 for _at, _lid, extension in sent if extension in sockets), args.quiet)
    report(args, mode, recorded, sent, analyse(sent, sockets, bus), sockets)


def _interrupt(signum, _frame):
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main():
    args = parse_args()
    for signum in (signal.SIGINT, signal.SIGTERM):  # also when started in the background (SIGINT ignored)
        signal.signal(signum, _interrupt)
    logs = tempfile.mkdtemp(prefix="bench-pop-")
    try:
        with contextlib.ExitStack() as stack:
            run(args, stack, logs)
    except KeyboardInterrupt:
        print("interrupted: Odoo, the bridge and the PBX were stopped", flush=True)
    finally:
        if args.keep_logs:
            print(f"logs: {logs}")
        else:
            shutil.rmtree(logs, ignore_errors=True)


if __name__ == "__main__":
    main()

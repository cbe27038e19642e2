"""Two bridge processes for one PBX: one is active, the other stands by. kill -9 the active one in the middle
of the burst: the standby takes over within 5 s, and the calls come out exactly as from an uninterrupted run
(the two processes share the journal directory, as on one host or a shared volume)."""

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from conftest import fixture, odoo_command
from test_cti_bridge_crash import (
    KEY,
    REPLAY_SERVER,
    free_port,
    point_server_at,
    server_state,
    start_bridge,
    wait_for,
)


def lease_owner(registry, server_id):
    """The pid of the bridge process holding the server's lease now (None when nobody holds it)."""
    from odoo import SUPERUSER_ID, api, fields  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        domain = [("server_id", "=", server_id), ("expires_at", ">", fields.Datetime.now())]
        lease = env["cc.bridge.lease"].search(domain)
        return int(lease.owner.split(":")[1]) if lease.owner else None


def health(port):
    """The bridge's /health answer (None while it does not answer)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as error:
        return json.load(error)
    except OSError:
        return None


def roles(port):
    answer = health(port)
    return [server["role"] for server in answer["servers"]] if answer else None


def test_standby_takes_over_within_five_seconds(tmp_path, registry, make_server, read_calls):
    reference = make_server(f"failover reference {tmp_path.name}")
    result = odoo_command("cti_replay", "--cti-server", str(reference), fixture("n-burst-50-calls.ami"))
    assert result.returncode == 0, result.stderr

    server_id, port, journal = (
        make_server(f"failover {tmp_path.name}"),
        free_port(),
        str(tmp_path / "journal"),
    )
    point_server_at(registry, server_id, port)
    pbx = subprocess.Popen(
        [sys.executable, REPLAY_SERVER, "--port", str(port), "--speed", "4", "--resume",
         fixture("n-burst-50-calls.ami")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    logs = [str(tmp_path / "a.log"), str(tmp_path / "b.log")]
    ports = [free_port(), free_port()]
    first = start_bridge(server_id, journal, logs[0], "--cti-health", str(ports[0]))
    second = None
    try:
        assert wait_for(lambda: lease_owner(registry, server_id) == first.pid, timeout=60), open(
            logs[0]
        ).read()
        second = start_bridge(server_id, journal, logs[1], "--cti-health", str(ports[1]))
        assert wait_for(lambda: server_state(registry, server_id)[0] > 300), open(logs[0]).read()[-3000:]
        assert lease_owner(registry, server_id) == first.pid  # the second one stood by
        assert wait_for(lambda: roles(ports[1]) == ["standby"], timeout=30)
        assert roles(ports[0]) == ["active"] and health(ports[0])["healthy"]
        first.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        first.wait(10)
        assert wait_for(lambda: lease_owner(registry, server_id) == second.pid, timeout=10), open(
            logs[1]
        ).read()
        takeover = time.monotonic() - killed_at
        print(f"standby took over {takeover:.2f} s after the kill")
        assert takeover <= 5.0
        assert wait_for(lambda: roles(ports[1]) == ["active"], timeout=10)
        assert wait_for(lambda: server_state(registry, server_id)[1] >= 50), open(logs[1]).read()[-3000:]
        time.sleep(0.5)  # anything doubled or late would show now
    finally:
        for bridge in (first, second):
            if bridge and bridge.poll() is None:
                bridge.terminate()
                bridge.wait(30)
        pbx.kill()
        pbx.wait(10)

    got = sorted(tuple(row[k] for k in KEY) for row in read_calls(server_id))
    expected = sorted(tuple(row[k] for k in KEY) for row in read_calls(reference))
    assert got == expected, [(g, e) for g, e in zip(got, expected, strict=False) if g != e][:10]

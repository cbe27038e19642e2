"""kill -9 the bridge in the middle of the burst, start it again: exactly the same calls, none doubled."""

import glob
import os
import signal
import socket
import subprocess
import sys
import time

from conftest import ROOT, fixture, odoo_command

REPLAY_SERVER = os.path.join(ROOT, "addons", "callcenter_cti", "cti", "replay_server.py")
KEY = ("linkedid", "direction", "disposition", "answering_agent", "first_agent_rung", "wait_s", "talk_s")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_state(registry, server_id):
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        server = env["cc.pbx.server"].browse(server_id)
        ended = env["cc.call"].search_count([("server_id", "=", server_id), ("state", "=", "ended")])
        return server.journal_applied_seq, ended


def point_server_at(registry, server_id, port):
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    with registry.cursor() as cr:
        api.Environment(cr, SUPERUSER_ID, {})["cc.pbx.server"].browse(server_id).write({"port": port})


def journal_lines(directory):
    count = 0
    for path in glob.glob(os.path.join(directory, "**", "*.jsonl"), recursive=True):
        with open(path, "rb") as handle:
            count += sum(1 for _line in handle)
    return count


def wait_for(predicate, timeout=120, every=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


def start_bridge(server_id, journal, log, *extra):
    options = [
        *extra,
        "--cti-server",
        str(server_id),
        "--cti-journal-dir",
        journal,
        "--cti-batch-events",
        "100",
        "--cti-no-agi",
    ]
    return odoo_command("cti_bridge", *options, "--logfile", log, background=True, stdout=subprocess.DEVNULL)


def test_sigkill_mid_burst_then_restart(tmp_path, registry, make_server, read_calls):
    # The reference: the same transcript through cti_replay, never interrupted.
    reference = make_server(f"crash reference {tmp_path.name}")
    result = odoo_command("cti_replay", "--cti-server", str(reference), fixture("n-burst-50-calls.ami"))
    assert result.returncode == 0, result.stderr

    server_id, port, journal = make_server(f"crash {tmp_path.name}"), free_port(), str(tmp_path / "journal")
    point_server_at(registry, server_id, port)
    command = [sys.executable, REPLAY_SERVER, "--port", str(port), "--speed", "max"]
    pbx = subprocess.Popen(
        command + [fixture("n-burst-50-calls.ami")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    log = str(tmp_path / "bridge.log")
    bridge = start_bridge(server_id, journal, log)
    try:
        # Kill once part of the burst is in the database and the rest only in the journal.
        assert wait_for(lambda: server_state(registry, server_id)[0] > 300), open(log).read()[-3000:]
        received = journal_lines(journal)
        bridge.send_signal(signal.SIGKILL)
        bridge.wait(10)
        applied_at_kill, ended_at_kill = server_state(registry, server_id)
        assert applied_at_kill < received, "killed too late: nothing was left to recover"
        assert ended_at_kill < 50

        bridge = start_bridge(server_id, journal, log)
        assert wait_for(lambda: server_state(registry, server_id)[1] >= 50), open(log).read()[-3000:]
        time.sleep(0.5)  # anything doubled or late would show now
    finally:
        bridge.terminate()
        bridge.wait(30)
        pbx.kill()
        pbx.wait(10)

    got = sorted(tuple(row[k] for k in KEY) for row in read_calls(server_id))
    expected = sorted(tuple(row[k] for k in KEY) for row in read_calls(reference))
    assert len(got) == 50
    assert got == expected

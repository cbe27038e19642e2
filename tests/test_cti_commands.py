"""A command queued in Odoo goes out over the bridge's AMI session, and the PBX's answer comes back."""

import json
import subprocess
import sys
import zlib

from conftest import fixture, odoo_command
from test_cti_bridge_crash import REPLAY_SERVER, free_port, point_server_at, wait_for


def command_state(registry, command_id):
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    with registry.cursor() as cr:
        command = api.Environment(cr, SUPERUSER_ID, {})["cc.cti.command"].browse(command_id)
        return command.state, command.result


def enqueue(registry, server_id, actions):
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        server = env["cc.pbx.server"].browse(server_id)
        return env["cc.cti.command"]._cc_enqueue(server, "pause", actions, reason="lunch", audit=True).id


def test_a_queued_pause_reaches_the_pbx_and_its_answer_comes_back(tmp_path, registry, make_server):
    server_id, port = make_server(f"commands {tmp_path.name}"), free_port()
    point_server_at(registry, server_id, port)
    pbx = subprocess.Popen(
        [
            sys.executable,
            REPLAY_SERVER,
            "--port",
            str(port),
            "--speed",
            "1",
            "--loop",
            fixture("j-agent-login-pause-logout.ami"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    log = str(tmp_path / "bridge.log")
    options = ["--cti-server", str(server_id), "--cti-journal-dir", str(tmp_path / "journal"), "--cti-no-agi"]
    bridge = odoo_command(
        "cti_bridge", *options, "--logfile", log, background=True, stdout=subprocess.DEVNULL
    )
    try:
        pause = {"Action": "QueuePause", "Queue": "support", "Interface": "Local/8006@agents/n"}
        pause |= {"Paused": "true", "Reason": "lunch"}
        command_id = enqueue(registry, server_id, [pause])
        assert wait_for(lambda: command_state(registry, command_id)[0] in ("done", "failed"), timeout=60), (
            open(log).read()[-3000:]
        )
        state, result = command_state(registry, command_id)
        assert state == "done", result
        assert "paused" in result.lower(), result  # the PBX's own answer, as recorded
    finally:
        bridge.terminate()
        bridge.wait(30)
        pbx.kill()
        pbx.wait(10)


def blacklist_caller(registry, server_id, number, reason):
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env["cc.pbx.server"].browse(server_id).company_id
        return env["cc.blacklist"].create({"number": number, "reason": reason, "company_id": company.id}).id


def forget_blacklist_entry(registry, entry_id):
    """The entry is the company's, not only this test server's: it must not outlive the test."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    with registry.cursor() as cr:
        api.Environment(cr, SUPERUSER_ID, {})["cc.blacklist"].browse(entry_id).unlink()


def test_the_bridge_mirrors_the_blacklist_into_astdb(tmp_path, registry, make_server):
    server_id, port = make_server(f"astdb {tmp_path.name}"), free_port()
    point_server_at(registry, server_id, port)
    line = str(zlib.crc32(tmp_path.name.encode()) % 10000).zfill(4)  # a number of this run
    entry_id = blacklist_caller(registry, server_id, f"+1 555 066 {line}", "fraud reported")
    log = tmp_path / "actions.jsonl"
    pbx = subprocess.Popen(
        [sys.executable, REPLAY_SERVER, "--port", str(port), "--actions-log", str(log),
         fixture("l-blacklisted-caller.ami")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    bridge = odoo_command(
        "cti_bridge", "--cti-server", str(server_id), "--cti-journal-dir", str(tmp_path / "journal"),
        "--cti-no-agi", background=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip

    def puts():
        if not log.exists():
            return []
        actions = [json.loads(line) for line in log.read_text().splitlines()]
        return [a for a in actions if a.get("Action") == "DBPut" and a.get("Val") == "fraud reported"]

    try:
        expected = {f"+1555066{line}", f"1555066{line}", f"555066{line}"}  # as carriers deliver the number
        assert wait_for(lambda: expected <= {action["Key"] for action in puts()}, timeout=60), puts()
    finally:
        forget_blacklist_entry(registry, entry_id)
        bridge.terminate()
        bridge.wait(30)
        pbx.kill()
        pbx.wait(10)

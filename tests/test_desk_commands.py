"""The agent desk's call controls through the real bridge: while a recorded call is live on the simulated PBX,
the agent's Hold becomes AMI actions on the very channel the call runs on, answered within a second."""

import subprocess
import sys
import time

from conftest import fixture
from test_cti_bridge_crash import REPLAY_SERVER, free_port, point_server_at, start_bridge, wait_for


def in_odoo(registry, func):
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    with registry.cursor() as cr:
        return func(api.Environment(cr, SUPERUSER_ID, {}))


def make_agent(registry, server_id, tag):
    def create(env):
        user = env["res.users"].create(
            {
                "name": f"Desk {tag}",
                "login": f"desk-{tag}",
                "group_ids": [(4, env.ref("callcenter_cti.group_cc_agent").id)],
            }
        )
        env["cc.agent"].create(
            {"name": "Agent 8001", "extension": "8001", "interface": "Local/8001@agents/n",
             "user_id": user.id, "server_id": server_id}
        )  # fmt: skip
        return user.id

    return in_odoo(registry, create)


def talking_call(registry, server_id):
    def find(env):
        call = env["cc.call"].search([("server_id", "=", server_id), ("state", "=", "talking")], limit=1)
        return call.id

    return in_odoo(registry, find)


def hold(registry, call_id, user_id):
    def press(env):
        return env["cc.call"].browse(call_id).with_user(user_id).cc_desk_hold()["command_id"]

    return in_odoo(registry, press)


def command(registry, command_id):
    def read(env):
        found = env["cc.cti.command"].browse(command_id)
        return found.state, found.result, found._cc_actions()

    return in_odoo(registry, read)


def test_hold_from_the_desk_acts_on_the_live_agent_channel(tmp_path, registry, make_server):
    server_id, port = make_server(f"desk {tmp_path.name}"), free_port()
    point_server_at(registry, server_id, port)
    user_id = make_agent(registry, server_id, tmp_path.name[-12:])
    pbx = subprocess.Popen(
        [sys.executable, REPLAY_SERVER, "--port", str(port), "--speed", "1", fixture("f-hold-unhold.ami")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    log = str(tmp_path / "bridge.log")
    bridge = start_bridge(server_id, str(tmp_path / "journal"), log)
    try:
        assert wait_for(lambda: talking_call(registry, server_id), timeout=60), open(log).read()[-3000:]
        pressed = time.time()
        command_id = hold(registry, talking_call(registry, server_id), user_id)
        assert wait_for(lambda: command(registry, command_id)[0] in ("done", "failed"), timeout=10)
        answered = time.time()
        state, result, actions = command(registry, command_id)
        assert state == "done", result
        assert [a["Channel"] for a in actions] == [
            "Local/8001@agents-00000001;1"
        ] * 2  # resolved by the bridge
        assert [a["Digit"] for a in actions] == ["*", "7"]
        print(f"hold answered in {answered - pressed:.2f} s")
    finally:
        bridge.terminate()
        bridge.wait(30)
        pbx.kill()
        pbx.wait(10)

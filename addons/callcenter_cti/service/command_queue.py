"""The bridge's side of cc.cti.command: send what Odoo queued over the one AMI session, record the answer."""

import asyncio
import logging

from odoo import SUPERUSER_ID, api

from ..cti.ami_client import AmiError

_logger = logging.getLogger(__name__)


def outcome(responses):
    """(ok, message) from the PBX's answers to one action: the first response says it."""
    first = responses[0] if responses else {}
    ok = str(first.get("Response", "")).lower() in ("success", "goodbye")
    return ok, str(first.get("Message") or first.get("Response") or "no answer")


class CommandRunner:
    """Polls the server's queued commands (an indexed query, every ``interval`` s) and sends them in order."""

    def __init__(self, bridge, interval=0.2):
        self.bridge, self.interval = bridge, interval
        self.stats = {"sent": 0, "failed": 0}

    async def run(self):
        while not self.bridge.stopping:
            try:
                commands = await self.bridge._in_db_thread(self._queued)
                for command_id, actions in commands:
                    await self._send(command_id, actions)
            except Exception as exc:  # the database or the link went away: the rows stay queued, try again
                _logger.warning("bridge %s: commands not sent yet: %s", self.bridge.server["name"], exc)
            await asyncio.sleep(self.interval)

    def _queued(self):
        if not self.bridge.client.stats.get("connected"):
            return []
        with self.bridge.sink.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            domain = [("server_id", "=", self.bridge.server["id"]), ("state", "=", "queued")]
            commands = env["cc.cti.command"].search(domain, order="id", limit=50)
            commands.write({"state": "sent"})  # claimed: a second bridge (fail-over) will not send them again
            return [(command.id, command._cc_actions()) for command in commands]

    async def _send(self, command_id, actions):
        ok, messages = True, []
        for action in actions:
            try:
                ok_one, message = outcome(await self.bridge.client.send_action(dict(action), timeout=5))
            except AmiError as exc:
                ok_one, message = False, str(exc)
            ok, messages = ok and ok_one, messages + [message]
            if not ok_one:
                break
        self.stats["sent" if ok else "failed"] += 1
        await self.bridge._in_db_thread(self._finish, command_id, ok, "; ".join(messages))

    def _finish(self, command_id, ok, message):
        with self.bridge.sink.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["cc.cti.command"].browse(command_id)._cc_finish(ok, message)

"""The bridge's side of cc.cti.command: send what Odoo queued over the one AMI session, record the answer."""

import asyncio
import json
import logging
import time

from odoo import SUPERUSER_ID, api

from ..cti.ami_client import AmiError

_logger = logging.getLogger(__name__)


# Values a queued action may hold for a channel of the call it is about: only the bridge knows the names.
CHANNEL_TOKENS = {"@agent": "agent", "@customer": "customer"}
HEARTBEAT_SECONDS = 5


class CallGone(Exception):
    """A command about a call whose channels are gone (it ended, or moved on)."""


def resolve_channels(actions, channels):
    """``actions`` with every channel token replaced by the live channel's name (CallGone if it has none)."""
    resolved = []
    for action in actions:
        action = dict(action)
        for key, value in action.items():
            if value in CHANNEL_TOKENS:
                if CHANNEL_TOKENS[value] not in channels:
                    raise CallGone(value)
                action[key] = channels[CHANNEL_TOKENS[value]]
        resolved.append(action)
    return resolved


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
        self._last_beat = -HEARTBEAT_SECONDS

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
        """Claim the queued commands and resolve their channels (in the database thread, which also owns the
        call-state machine)."""
        if not self.bridge.client.stats.get("connected"):
            return []
        with self.bridge.sink.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self._heartbeat(env)
            domain = [("server_id", "=", self.bridge.server["id"]), ("state", "=", "queued")]
            commands = env["cc.cti.command"].search(domain, order="id", limit=50)
            commands.write({"state": "sent"})  # claimed: a second bridge (fail-over) will not send them again
            ready = []
            for command in commands:
                try:
                    ready.append((command.id, self._resolved(command)))
                except CallGone:
                    command._cc_finish(False, env._("The call is no longer in progress on the PBX."))
            return ready

    def _resolved(self, command):
        actions = command._cc_actions()
        if not command.linkedid:
            return actions
        tracker = self.bridge.pipeline.tracker
        resolved = resolve_channels(actions, tracker.live_channels(command.linkedid) if tracker else {})
        if resolved != actions:
            command.actions = json.dumps(resolved)  # the audit trail shows the channels really acted on
        return resolved

    def _heartbeat(self, env):
        """Tell Odoo the bridge is alive and linked (commands are answered), at most every few seconds."""
        now = time.monotonic()
        if now - self._last_beat >= HEARTBEAT_SECONDS:
            backlog = self.bridge.pipeline.backlog
            env["cc.pbx.server"].browse(self.bridge.server["id"])._cc_bridge_alive(backlog)
            self._last_beat = now

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

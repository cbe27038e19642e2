"""The AstDB blacklist mirror: Odoo's inbound blacklist copied into Asterisk's own database (family
``blacklist``, key = the caller number as the carrier delivers it, value = the note), so the dialplan
rejects a blacklisted caller before asking the bridge, and still does when the bridge or Odoo is down
(asterisk/README.md).

The bridge resynchronises after every (re)connect (DBDelTree, then every entry) and then every
``SYNC_EVERY`` seconds sends only the differences (DBPut / DBDel), as transcript l shows the PBX answering.
"""

import asyncio
import logging

import phonenumbers

from odoo import SUPERUSER_ID, api, fields

from ..cti.ami_client import AmiError

_logger = logging.getLogger(__name__)

FAMILY = "blacklist"
SYNC_EVERY = 30.0


def caller_keys(e164):
    """The forms of CALLERID(num) a carrier may deliver for ``e164``: +8613800138000, 8613800138000,
    008613800138000, 13800138000, and with the trunk prefix (02388886666) where the country dials one."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return {e164} if e164 else set()
    national = str(parsed.national_number)
    keys = {e164, e164.lstrip("+"), "00" + e164.lstrip("+"), national}
    region = phonenumbers.region_code_for_number(parsed)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region) if region else None
    if metadata is not None and metadata.national_prefix:
        keys.add(metadata.national_prefix + national)
    return keys


def plan(pushed, wanted):
    """AMI actions that turn the mirror from ``pushed`` ({key: note}, None = unknown) into ``wanted``."""
    actions = []
    if pushed is None:
        actions.append({"Action": "DBDelTree", "Family": FAMILY})
        pushed = {}
    for key, note in sorted(wanted.items()):
        if pushed.get(key) != note:
            actions.append({"Action": "DBPut", "Family": FAMILY, "Key": key, "Val": note or "blacklisted"})
    actions += [
        {"Action": "DBDel", "Family": FAMILY, "Key": key} for key in sorted(set(pushed) - set(wanted))
    ]
    return actions


class BlacklistMirror:
    def __init__(self, bridge):
        self.bridge = bridge
        self.pushed = None  # what the PBX holds, as far as this session knows (None: resync)
        self.stats = {"syncs": 0, "actions": 0, "errors": 0}

    def reset(self):
        """After a (re)connect the PBX's copy is unknown: the next sync starts from scratch."""
        self.pushed = None

    async def run(self):
        while not self.bridge.stopping:
            if self.bridge.client.stats.get("connected"):
                try:
                    await self.sync()
                except Exception as exc:  # database or link away: the next round retries
                    self.stats["errors"] += 1
                    _logger.warning(
                        "bridge %s: blacklist mirror not synced: %s", self.bridge.server["name"], exc
                    )
            await asyncio.sleep(SYNC_EVERY if self.pushed is not None else 1.0)

    async def sync(self):
        wanted = await self.bridge._in_db_thread(self._wanted)
        actions = plan(self.pushed, wanted)
        for action in actions:
            try:
                await self.bridge.client.send_action(dict(action), timeout=5)
            except AmiError:
                self.pushed = None  # half done: start again next round
                raise
        self.pushed = wanted
        self.stats["syncs"] += 1
        self.stats["actions"] += len(actions)

    def _wanted(self):
        """{caller key: note} of the server company's inbound blacklist in force now."""
        with self.bridge.sink.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            server = env["cc.pbx.server"].browse(self.bridge.server["id"])
            now = fields.Datetime.now()
            entries = env["cc.blacklist"].search(
                [("direction", "in", ["inbound", "both"]), ("company_id", "=", server.company_id.id),
                 "|", ("expiry_date", "=", False), ("expiry_date", ">", now)]
            )  # fmt: skip
            return {key: entry.reason or "" for entry in entries for key in caller_keys(entry.number_e164)}

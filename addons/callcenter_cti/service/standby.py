"""Active/standby bridges: each ``cti_bridge`` process runs one ``LeasedBridge`` per PBX server; the one
holding the server's lease (service/lease.py) runs the AMI session, the others wait and take over in seconds.

A standby that takes over starts a fresh ServerBridge on the server's journal directory: when the processes
share it (one host, or a shared volume) the events the old active one journaled but had not applied are
applied now, exactly once; otherwise the new session's recovery (CoreShowChannels, Status, QueueStatus …)
closes what ended meanwhile. The FastAGI routing service runs in every process, active or not.
"""

import asyncio
import logging

from .bridge import ServerBridge, database_thread
from .lease import RENEW_EVERY, Lease

_logger = logging.getLogger(__name__)


class LeasedBridge:
    def __init__(self, registry, server, journal_dir, *, lease=None, **bridge_options):
        self.registry, self.server, self.journal_dir = registry, server, journal_dir
        self.bridge_options = bridge_options
        self.lease = lease or Lease(registry, server["id"])
        self.db = database_thread(server)  # shared with the routing service, active or standby
        self.active = None
        self.stopping = False
        self.takeovers = 0

    async def run(self):
        while not self.stopping:
            if await asyncio.to_thread(self.lease.take):
                await self._lead()
            else:
                await asyncio.sleep(RENEW_EVERY)
        await asyncio.to_thread(self.lease.release)

    async def stop(self):
        self.stopping = True
        if self.active:
            await self.active.stop()

    def close(self):
        self.db.shutdown(wait=True)

    async def _lead(self):
        self.takeovers += 1
        _logger.info("bridge %s: active (%s)", self.server["name"], self.lease.owner)
        bridge = self.active = ServerBridge(
            self.registry, self.server, self.journal_dir, db=self.db, **self.bridge_options
        )
        keeper = asyncio.create_task(self._keep(bridge))
        try:
            await bridge.run()
        finally:
            keeper.cancel()
            bridge.close()
            self.active = None
        if not self.stopping:
            _logger.warning("bridge %s: no longer active, standing by", self.server["name"])

    async def _keep(self, bridge):
        """Renew the lease every second; stop the bridge as soon as it may have passed to another process."""
        renewal = None
        while True:
            if renewal is None or renewal.done():
                renewal = asyncio.ensure_future(asyncio.to_thread(self.lease.take))
            await asyncio.sleep(RENEW_EVERY / 2)
            if self.lease.fenced:
                _logger.error("bridge %s: lease lost or not renewed: stopping", self.server["name"])
                await bridge.stop()
                return

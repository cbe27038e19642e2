"""Bridge high availability: at most one active bridge per PBX server, elected by a lease row in PostgreSQL.

The active bridge renews its lease every second. A bridge that could not renew for ``FENCE_AFTER`` seconds
stops its AMI session and journal (it fences itself) before the lease runs out at ``LEASE_SECONDS``; only then
may another take it. Times are the database's clock, so the hosts' clocks do not matter.
"""

import logging
import os
import socket
import time
import uuid

_logger = logging.getLogger(__name__)

LEASE_SECONDS = 3.0
RENEW_EVERY = 1.0
FENCE_AFTER = 2.4  # < LEASE_SECONDS: the old active one has stopped before anyone else may start

_NOW = "(now() AT TIME ZONE 'UTC')"
_TAKE = f"""
INSERT INTO cc_bridge_lease (server_id, owner, expires_at, since, create_date, write_date)
     VALUES (%(server)s, %(owner)s, {_NOW} + make_interval(secs => %(seconds)s), {_NOW}, {_NOW}, {_NOW})
ON CONFLICT (server_id) DO UPDATE
        SET owner = EXCLUDED.owner,
            expires_at = EXCLUDED.expires_at,
            since = CASE WHEN cc_bridge_lease.owner = EXCLUDED.owner
                         THEN cc_bridge_lease.since ELSE {_NOW} END,
            write_date = {_NOW}
      WHERE cc_bridge_lease.owner = EXCLUDED.owner
         OR cc_bridge_lease.owner IS NULL
         OR cc_bridge_lease.expires_at < {_NOW}
  RETURNING id
"""
_RELEASE = "UPDATE cc_bridge_lease SET owner = NULL, expires_at = NULL WHERE server_id = %s AND owner = %s"


def process_name():
    """host:pid:random — unique per bridge process, readable in the PBX server form."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Lease:
    """One process's claim on one server's lease (blocking calls: run them in a thread)."""

    def __init__(self, registry, server_id, owner=None, seconds=LEASE_SECONDS):
        self.registry, self.server_id = registry, server_id
        self.owner = owner or process_name()
        self.seconds = seconds
        self.renewed_at = None  # monotonic time of the last successful take/renewal

    def take(self):
        """Take or renew the lease; True while this process holds it. A database error counts as not held."""
        params = {"server": self.server_id, "owner": self.owner, "seconds": self.seconds}
        try:
            with self.registry.cursor() as cr:
                cr.execute(_TAKE, params)
                held = bool(cr.fetchone())
        except Exception as exc:  # the database is away: the caller's fencing clock keeps running
            _logger.warning("bridge lease of server %s not renewed: %s", self.server_id, exc)
            return False
        if held:
            self.renewed_at = time.monotonic()
        return held

    def release(self):
        """Hand the lease over at once (a clean stop: the standby need not wait for it to run out)."""
        try:
            with self.registry.cursor() as cr:
                cr.execute(_RELEASE, (self.server_id, self.owner))
        except Exception as exc:  # it will run out by itself
            _logger.warning("bridge lease of server %s not released: %s", self.server_id, exc)

    @property
    def fenced(self):
        """True once the lease may have passed to another process: this one must stop being active."""
        return self.renewed_at is None or time.monotonic() - self.renewed_at > FENCE_AFTER

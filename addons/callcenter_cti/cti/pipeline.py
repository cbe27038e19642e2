"""The bridge's pipeline for one PBX: receive → journal → state machine → apply, exactly once.

Every AMI message is journaled (durably, group-committed) before anything else happens to it. The state
machine is fed from the journal only, so that after a crash the same journal replays into the same state.
Domain events go to ``apply_batch(events, last_seq)``, which must store them *and* ``last_seq`` in one
transaction; the next start skips what that marker covers. Link changes (disconnect, recovery lists) are
journaled as control records so that a replay sees them at the same point. Pure Python, no Odoo: the sink is a
callable.
"""

import collections
import logging
import os
import threading
import uuid

from .callstate import CallTracker, message_from_headers  # noqa: F401  (re-exported for callers)
from .journal import Journal

_logger = logging.getLogger(__name__)

DISCONNECTED = "__BridgeDisconnected"
RECOVERY = "__BridgeRecovery"
IDENTITY_FILE = "bridge-identity"


def journal_identity(directory):
    """A stable id for a journal directory: the database knows which journal its applied marker counts in."""
    path = os.path.join(directory, IDENTITY_FILE)
    if not os.path.exists(path):
        os.makedirs(directory, exist_ok=True)
        with open(path + ".tmp", "w") as handle:
            handle.write(uuid.uuid4().hex)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(path + ".tmp", path)
    with open(path) as handle:
        return handle.read().strip()


class Pipeline:
    """One PBX's events from the wire to the database, exactly once."""

    def __init__(self, directory, apply_batch, *, checkpoint_every=20000, tracker_factory=CallTracker):
        self.identity = journal_identity(directory)
        self.journal = Journal(directory)
        self.apply_batch = apply_batch
        self.checkpoint_every = checkpoint_every
        self.tracker_factory = tracker_factory
        self.tracker = None
        self.fed_seq = 0  # last journal seq fed to the tracker
        self.applied_seq = 0  # last seq whose events are in the database
        self.pending = []  # domain events produced but not yet applied (database away)
        self.unfed = collections.deque()  # (seq, message, received) journaled in this run, not yet fed
        self._checkpoint_seq = 0
        # The AMI reader (event loop) appends while the database thread feeds and checkpoints: one lock.
        self._lock = threading.Lock()
        self.stats = {"events": 0, "applied_batches": 0, "apply_errors": 0, "domain_events": 0}

    # -- start-up ------------------------------------------------------------------------------------------
    def start(self, applied_seq):
        """Rebuild the state machine from checkpoint + journal; ``applied_seq`` is the database's marker."""
        self.applied_seq = min(applied_seq, self.journal.last_seq)
        checkpoint = self.journal.load_checkpoint()
        if checkpoint and checkpoint[0] <= self.applied_seq:
            self.fed_seq, state = checkpoint
            self.tracker = self.tracker_factory.from_state(state)
            self._checkpoint_seq = self.fed_seq
        else:
            self.fed_seq, self.tracker = 0, self.tracker_factory()
        for seq, message, received, _conn in self.journal.read(after_seq=self.fed_seq):
            if seq <= self.applied_seq:
                self._feed(message, received)  # already in the database: rebuild state, drop the events
                self.fed_seq = seq
            else:
                self.unfed.append((seq, message, received))
        return len(self.unfed)  # journaled events still to apply

    # -- receiving (called by the AMI client for every message, in wire order) -----------------------------
    def receive(self, message, received, connection=0):
        with self._lock:
            self.stats["events"] += 1
            seq = self.journal.append(message, received, connection)
            self.unfed.append((seq, message, received))
        return seq

    def link_down(self, at):
        self.receive({"Event": DISCONNECTED}, at)

    def link_recovered(self, lists, at):
        """``lists``: {action name: [list items]} answered by the PBX right after (re)connecting."""
        self.receive({"Event": RECOVERY, "Lists": lists}, at)

    # -- applying ------------------------------------------------------------------------------------------
    def take(self, max_events=5000):
        """The next batch of received events, made durable first (nothing has an effect before that)."""
        with self._lock:
            self.journal.flush()
            count = min(max_events, len(self.unfed))
            return [self.unfed.popleft() for _ in range(count)]

    def process(self, batch):
        """Feed a batch to the state machine and apply what it produced (retrying what failed before)."""
        for seq, message, received in batch:
            self.pending += self._feed(message, received)
            self.fed_seq = seq
        self._apply()
        return len(batch)

    def drain(self, max_events=5000):
        """take + process, for single-threaded callers. Returns how many events were fed."""
        return self.process(self.take(max_events))

    @property
    def idle(self):
        return not self.unfed and self.fed_seq <= self.applied_seq

    def _feed(self, message, received):
        event = message.get("Event")
        if event == DISCONNECTED:
            return self.tracker.disconnected(received) or []
        if event == RECOVERY:
            return self.tracker.recover(message.get("Lists") or {}, received)
        return self.tracker.feed(message, received)

    def _apply(self):
        if self.fed_seq <= self.applied_seq:
            return
        try:
            self.apply_batch(self.pending, self.fed_seq)
        except Exception as exc:
            # The database went away or refused the batch: keep everything, try again on the next drain.
            self.stats["apply_errors"] += 1
            _logger.warning("applying events up to %s failed (%s); will retry", self.fed_seq, exc)
            raise
        self.stats["applied_batches"] += 1
        self.stats["domain_events"] += len(self.pending)
        self.pending, self.applied_seq = [], self.fed_seq
        self._maybe_checkpoint()

    def _maybe_checkpoint(self):
        """Snapshot the state machine now and then, so the journal before it can go."""
        if self.applied_seq - self._checkpoint_seq < self.checkpoint_every:
            return
        state = self.tracker.to_state()
        with self._lock:
            self.journal.checkpoint(self.applied_seq, state)
            self.journal.truncate_before(self.applied_seq)
        self._checkpoint_seq = self.applied_seq

    @property
    def backlog(self):
        return self.journal.last_seq - self.applied_seq

    def close(self):
        with self._lock:
            self.journal.flush()
            self.journal.close()

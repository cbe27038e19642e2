"""The durable event journal: order, restarts, torn writes, checkpoints, retention, one writer."""

import os
import subprocess
import sys
import tempfile
import time

from odoo.tests import BaseCase

from ..cti import journal, transcript
from .common import fixture_path

LOGGER = "odoo.addons.callcenter_cti.cti.journal"


def recorded_events(name="a-ivr-queue-answer-caller-hangup.ami"):
    """Real events in the bridge's message form (plain dicts)."""
    return [dict(m.headers) for m in transcript.load(fixture_path(name)).messages() if m.get("Event")]


class TestJournal(BaseCase):
    def setUp(self):
        super().setUp()
        self.directory = tempfile.mkdtemp(prefix="cti-journal-")
        self.addCleanup(_remove_tree, self.directory)

    def open(self, **options):
        opened = journal.Journal(self.directory, **options)
        self.addCleanup(opened.close)
        return opened

    def test_append_flush_read_across_reopen(self):
        events = recorded_events()
        first = self.open()
        seqs = [first.append(event, 1000.0 + i, 1) for i, event in enumerate(events[:100])]
        first.flush()
        first.close()
        self.assertEqual(seqs, list(range(1, 101)))

        second = self.open()
        self.assertEqual(second.last_seq, 100)
        self.assertEqual(second.append(events[100], 2000.0, 2), 101, "seq survives the restart")
        second.flush()
        records = list(second.read())
        self.assertEqual([r[0] for r in records], list(range(1, 102)))
        self.assertEqual([r[1] for r in records], events[:101])
        self.assertEqual(records[0][2:], (1000.0, 1))
        self.assertEqual(records[-1][2:], (2000.0, 2))
        self.assertEqual([r[0] for r in second.read(after_seq=98)], [99, 100, 101])

    def test_unflushed_appends_are_not_on_disk(self):
        first = self.open()
        first.append({"Event": "Hangup"}, 1.0, 1)
        self.assertEqual(_segment_bytes(self.directory), 0)
        first.flush()
        self.assertGreater(_segment_bytes(self.directory), 0)

    def test_repeated_keys_and_unicode_survive(self):
        message = {
            "Event": "UserEvent",
            "UserEvent": "Survey",
            "Queue": ["support", "sales"],
            "Name": "Zoë 😀",
        }
        first = self.open()
        first.append(message, 5.5, 3)
        first.close()
        self.assertEqual(list(self.open().read()), [(1, message, 5.5, 3)])

    def test_torn_last_line_is_dropped_and_counted(self):
        first = self.open()
        for i in range(10):
            first.append({"Event": "VarSet", "n": str(i)}, float(i), 1)
        first.flush()
        first.close()
        segment = os.path.join(self.directory, _segments(self.directory)[-1])
        with open(segment, "ab") as handle:
            handle.write(b'{"s":11,"t":11.0,"c":1,"m":{"Event":"Hang')  # kill -9 in the middle of a write

        with self.assertLogs(LOGGER, "WARNING"):
            second = self.open()
        self.assertEqual(second.stats["torn_lines"], 1)
        self.assertEqual(second.last_seq, 10)
        self.assertEqual(second.append({"Event": "Hangup"}, 11.0, 1), 11)
        second.flush()
        self.assertEqual([r[0] for r in second.read()], list(range(1, 12)))

    def test_reading_never_breaks_on_a_torn_line(self):
        first = self.open()
        first.append({"Event": "Newchannel"}, 1.0, 1)
        first.flush()
        segment = os.path.join(self.directory, _segments(self.directory)[-1])
        with open(segment, "ab") as handle:
            handle.write(b'{"s":2,"t":2.0')
        with self.assertLogs(LOGGER, "WARNING"):
            records = list(first.read())
        self.assertEqual(records, [(1, {"Event": "Newchannel"}, 1.0, 1)])

    def test_checkpoint_is_atomic_and_survives_reopen(self):
        first = self.open()
        self.assertIsNone(first.load_checkpoint())
        first.checkpoint(10, {"calls": {"1795316338.0": {"state": "talking"}}})
        first.checkpoint(20, {"calls": {}})
        first.close()
        second = self.open()
        self.assertEqual(second.load_checkpoint(), (20, {"calls": {}}))
        self.assertEqual(second.last_seq, 20, "a checkpoint past the segments still sets last_seq")
        self.assertFalse([n for n in os.listdir(self.directory) if n.endswith(".tmp")])

    def test_segments_rotate_and_truncate_before(self):
        first = self.open(segment_bytes=4096)
        for event in recorded_events():
            first.append(event, 1.0, 1)
            first.flush()
        names = _segments(self.directory)
        self.assertGreater(len(names), 5)
        last = first.last_seq
        deleted = first.truncate_before(last - 10)
        remaining = list(first.read())
        self.assertEqual(deleted, len(names) - len(_segments(self.directory)))
        self.assertLessEqual(remaining[0][0], last - 10, "every record from seq on is kept")
        self.assertEqual([r[0] for r in remaining], list(range(remaining[0][0], last + 1)))
        first.truncate_before(last + 100)
        self.assertEqual(len(_segments(self.directory)), 1, "the newest segment is always kept")
        first.close()
        self.assertEqual(self.open().last_seq, last)

    def test_second_writer_is_refused_clearly(self):
        self.open()
        with self.assertRaisesRegex(journal.JournalLocked, r"already open in another process \(pid \d+\)"):
            journal.Journal(self.directory)
        other = subprocess.run(
            [sys.executable, "-c", _second_writer_code(), self.directory],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        self.assertNotEqual(other.returncode, 0)
        self.assertIn("JournalLocked", other.stderr)

    def test_kill_9_loses_nothing_flushed(self):
        writer = subprocess.Popen(
            [sys.executable, "-c", _busy_writer_code(), self.directory],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            flushed = [int(writer.stdout.readline()) for _ in range(20)][-1]
        finally:
            writer.kill()  # SIGKILL, somewhere in the middle of appending
            writer.wait(timeout=10)
            writer.stdout.close()
        reopened = self.open()
        seqs = [record[0] for record in reopened.read()]
        self.assertGreaterEqual(reopened.last_seq, flushed, "every flushed event survived")
        self.assertEqual(seqs, list(range(1, reopened.last_seq + 1)))

    def test_lock_is_released_on_close(self):
        self.open().close()
        self.open()

    def test_group_commit_is_fast(self):
        """20,000 events/s must be easy: one fsync per batch of 500."""
        events = (recorded_events("n-burst-50-calls.ami") * 3)[:20000]
        first = self.open()
        started, cpu_started = time.perf_counter(), time.process_time()
        for start in range(0, len(events), 500):
            for event in events[start : start + 500]:
                first.append(event, 1.0, 1)
            first.flush()
        cpu = time.process_time() - cpu_started
        rate = len(events) / (time.perf_counter() - started)
        self.assertEqual(first.last_seq, len(events))
        # CPU time, not wall time: a loaded CI machine or a slow disk must not fail the suite.
        self.assertLess(cpu, 1.0, f"{len(events) / cpu:.0f} appends/s of CPU ({rate:.0f}/s wall)")


def _second_writer_code():
    """A second process opening the journal; it imports the module by path (no Odoo needed)."""
    path = os.path.dirname(os.path.dirname(os.path.abspath(journal.__file__)))
    return f"import sys; sys.path.insert(0, {path!r}); from cti import journal; journal.Journal(sys.argv[1])"


def _busy_writer_code():
    """A process appending batches forever, printing the last seq of each flushed batch."""
    path = os.path.dirname(os.path.dirname(os.path.abspath(journal.__file__)))
    return (
        f"import sys; sys.path.insert(0, {path!r}); from cti import journal\n"
        "j = journal.Journal(sys.argv[1], segment_bytes=65536)\n"
        "while True:\n"
        "    for i in range(50):\n"
        "        seq = j.append({'Event': 'VarSet', 'Value': 'x' * 200}, 1.0, 1)\n"
        "    j.flush()\n"
        "    print(seq, flush=True)\n"
    )


def _segments(directory):
    return sorted(n for n in os.listdir(directory) if n.startswith("segment-"))


def _segment_bytes(directory):
    return sum(os.path.getsize(os.path.join(directory, n)) for n in _segments(directory))


def _remove_tree(directory):
    for name in os.listdir(directory):
        os.unlink(os.path.join(directory, name))
    os.rmdir(directory)

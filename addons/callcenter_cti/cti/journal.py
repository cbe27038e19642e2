"""Durable local journal of every AMI event the bridge received, written before the event is applied.

A crash, ``kill -9`` or a database outage then loses nothing: on restart the bridge loads the last
checkpoint and re-applies the journal after it. Layout of the directory::

    journal.lock                          exclusive fcntl lock: one writer process at a time
    segment-00000000000000000001.jsonl    JSON lines {"s": seq, "t": received, "c": connection, "m": message}
    checkpoint.json                       {"seq": n, "state": {...}}, replaced atomically

Appends are buffered and made durable together by ``flush()`` (group commit: one write and one fsync
per batch), so tens of thousands of events per second cost a few fsyncs. Pure Python, no Odoo.
"""

import fcntl
import itertools
import json
import logging
import os

_logger = logging.getLogger(__name__)

SEGMENT_PREFIX = "segment-"
SEGMENT_SUFFIX = ".jsonl"
CHECKPOINT = "checkpoint.json"
LOCK = "journal.lock"


class JournalError(Exception):
    pass


class JournalLocked(JournalError):
    pass


def _segment_name(first_seq):
    return f"{SEGMENT_PREFIX}{first_seq:020d}{SEGMENT_SUFFIX}"


def _segment_first_seq(name):
    return int(name[len(SEGMENT_PREFIX) : -len(SEGMENT_SUFFIX)])


# One encoder for every record: json.dumps would build a new one per call (a third of an append's cost).
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":"))


def _encode(seq, message, received, connection):
    record = {"s": seq, "t": received, "c": connection, "m": message}
    return (_ENCODER.encode(record) + "\n").encode("utf-8")


def _decode(line):
    """The record of one complete line, or None when the line is torn or corrupt."""
    if not line.endswith(b"\n"):
        return None
    try:
        record = json.loads(line)
        return record["s"], record["m"], record["t"], record["c"]
    except (ValueError, KeyError, TypeError):
        return None


def _fsync_directory(directory):
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Journal:
    """Append-only, segmented, crash-safe event journal (one writer process, enforced by a lock)."""

    def __init__(self, directory, *, segment_bytes=64 * 1024 * 1024, fsync=True):
        self.directory = os.path.abspath(directory)
        self.segment_bytes = segment_bytes
        self.fsync = fsync
        self.stats = {"appended": 0, "flushes": 0, "torn_lines": 0, "corrupt_lines": 0, "segments_deleted": 0}
        os.makedirs(self.directory, exist_ok=True)
        self._lock_fd = self._take_lock()
        self._pending = []  # [(seq, encoded line)] not yet written
        self._fd = None
        self._segment_size = 0
        self.last_seq = 0
        self._open_tail()

    # -- opening -------------------------------------------------------------------------------

    def _take_lock(self):
        path = os.path.join(self.directory, LOCK)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise JournalLocked(
                f"journal {self.directory} is already open in another process (pid {holder})"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return fd

    def segments(self):
        """Segment file names, oldest first."""
        names = os.listdir(self.directory)
        found = [n for n in names if n.startswith(SEGMENT_PREFIX) and n.endswith(SEGMENT_SUFFIX)]
        return sorted(found, key=_segment_first_seq)

    def _open_tail(self):
        """Find last_seq, cut a torn last line left by a crash, and open the newest segment for appends."""
        names = self.segments()
        checkpoint = self.load_checkpoint()
        self.last_seq = checkpoint[0] if checkpoint else 0
        if not names:
            return
        path = os.path.join(self.directory, names[-1])
        good_size, last_seq = self._scan_tail(path)
        if good_size < os.path.getsize(path):
            self.stats["torn_lines"] += 1
            _logger.warning("journal: dropped a torn last line in %s (crash during a write)", path)
            os.truncate(path, good_size)
        self.last_seq = max(self.last_seq, last_seq or _segment_first_seq(names[-1]) - 1)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        self._segment_size = good_size

    def _scan_tail(self, path):
        """(size of the valid prefix, last seq in it) of a segment; stops at the first bad line."""
        size, last_seq = 0, 0
        with open(path, "rb") as handle:
            for line in handle:
                record = _decode(line)
                if record is None:
                    break
                size += len(line)
                last_seq = record[0]
        return size, last_seq

    # -- writing -------------------------------------------------------------------------------

    def append(self, message, received, connection):
        """Queue one event; it is durable after the next ``flush()``. Returns its sequence number."""
        self.last_seq += 1
        self._pending.append((self.last_seq, _encode(self.last_seq, message, received, connection)))
        self.stats["appended"] += 1
        return self.last_seq

    def flush(self):
        """Write every pending append and fsync once (group commit)."""
        if not self._pending:
            return
        batch, chunk = self._pending, []
        self._pending = []
        for seq, line in batch:
            if self._must_rotate(len(line)):
                self._write(chunk)
                chunk = []
                self._rotate(seq)
            chunk.append(line)
        self._write(chunk)
        self.stats["flushes"] += 1

    def _must_rotate(self, line_size):
        return self._fd is None or (
            self._segment_size and self._segment_size + line_size > self.segment_bytes
        )

    def _write(self, lines):
        if not lines:
            return
        data = b"".join(lines)
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        self._segment_size += len(data)
        if self.fsync:
            os.fsync(self._fd)

    def _rotate(self, first_seq):
        if self._fd is not None:
            os.close(self._fd)
        path = os.path.join(self.directory, _segment_name(first_seq))
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._segment_size = os.path.getsize(path)
        if self.fsync:
            _fsync_directory(self.directory)  # the new file's name must survive a crash too

    # -- reading -------------------------------------------------------------------------------

    def read(self, after_seq=0):  # pylint: disable=method-required-super
        """Yield ``(seq, message, received, connection)`` for every durable record after ``after_seq``."""
        self.flush()
        names = self.segments()
        for index, name in enumerate(names):
            following = names[index + 1] if index + 1 < len(names) else None
            if following and _segment_first_seq(following) <= after_seq + 1:
                continue  # the whole segment is at or before after_seq
            yield from self._read_segment(name, after_seq, last=following is None)

    def _read_segment(self, name, after_seq, last):
        with open(os.path.join(self.directory, name), "rb") as handle:
            for line in handle:
                record = _decode(line)
                if record is None:
                    self._skip_bad_line(name, last and not line.endswith(b"\n"))
                    continue
                if record[0] > after_seq:
                    yield record

    def _skip_bad_line(self, name, torn):
        if torn:
            self.stats["torn_lines"] += 1
            _logger.warning("journal: skipped a torn last line in %s", name)
        else:
            self.stats["corrupt_lines"] += 1
            _logger.error("journal: skipped a corrupt line in %s", name)

    # -- checkpoints and retention ---------------------------------------------------------------

    def checkpoint(self, seq, state):
        """Atomically store ``state``, valid after record ``seq`` (tmp file + fsync + rename)."""
        path = os.path.join(self.directory, CHECKPOINT)
        tmp = path + ".tmp"
        data = json.dumps({"seq": seq, "state": state}, ensure_ascii=False, separators=(",", ":"))
        with open(tmp, "wb") as handle:
            handle.write(data.encode("utf-8"))
            handle.flush()
            if self.fsync:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
        if self.fsync:
            _fsync_directory(self.directory)

    def load_checkpoint(self):
        """``(seq, state)`` of the last checkpoint, or None when there is none."""
        path = os.path.join(self.directory, CHECKPOINT)
        try:
            with open(path, "rb") as handle:
                data = json.loads(handle.read())
        except FileNotFoundError:
            return None
        except ValueError:
            # Cannot happen with the atomic rename unless the disk lies; replay from the start then.
            _logger.error("journal: unreadable checkpoint %s ignored", path)
            return None
        return data["seq"], data["state"]

    def truncate_before(self, seq):
        """Delete the segments whose records all precede ``seq``; the newest segment is always kept."""
        names = self.segments()
        deleted = 0
        for name, following in itertools.pairwise(names):
            if _segment_first_seq(following) > seq:
                break
            os.unlink(os.path.join(self.directory, name))
            deleted += 1
        if deleted and self.fsync:
            _fsync_directory(self.directory)
        self.stats["segments_deleted"] += deleted
        return deleted

    def close(self):
        if self._lock_fd is None:
            return
        try:
            self.flush()
        finally:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            os.close(self._lock_fd)  # closing the descriptor releases the flock
            self._lock_fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

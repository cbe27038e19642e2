"""Reader for the recorded AMI transcripts (``shared/fixtures/ami/*.ami``).

A transcript holds, per TCP connection, the exact byte stream Asterisk sent (``# rx`` blocks),
the actions the recording harness sent (``# tx`` blocks) and notes (connects, closes, CLI commands).
The replay server and the tests read transcripts through this module only. Pure Python, no Odoo.
"""

import dataclasses
import datetime
import re

_RX = re.compile(rb"^# rx (\S+) \+([0-9.]+) n=(\d+) c=(\d+)\r?$")
_TX = re.compile(rb"^# tx (\S+) \+([0-9.]+)\r?$")
_NOTE = re.compile(rb"^# note (\S+) \+([0-9.]+): (.*?)\r?$")
_OPENED = re.compile(r"TCP connection c=(\d+) opened")
_CLOSED = re.compile(r"TCP connection c=(\d+) closed by (.*)")


@dataclasses.dataclass
class RxMessage:
    """One message Asterisk sent: its raw bytes as on the wire and its parsed headers."""

    number: int
    connection: int
    offset: float  # seconds since the start of the capture
    received_at: datetime.datetime
    raw: bytes
    headers: list  # [(key, value)] in wire order, duplicates kept

    @property
    def is_greeting(self):
        return not self.headers and self.raw.startswith(b"Asterisk Call Manager/")

    def get(self, key, default=None):
        key = key.lower()
        for name, value in self.headers:
            if name.lower() == key:
                return value
        return default


@dataclasses.dataclass
class TxAction:
    """An action the recording harness sent (not part of the received stream)."""

    offset: float
    sent_at: datetime.datetime
    connection: int
    headers: list

    def get(self, key, default=None):
        key = key.lower()
        for name, value in self.headers:
            if name.lower() == key:
                return value
        return default


@dataclasses.dataclass
class Note:
    offset: float
    at: datetime.datetime
    connection: int
    text: str


@dataclasses.dataclass
class Connection:
    number: int
    messages: list = dataclasses.field(default_factory=list)
    actions: list = dataclasses.field(default_factory=list)
    opened_at: float = 0.0
    closed_at: float | None = None
    closed_by: str = ""  # "Asterisk (EOF)", "the harness", "" when the file does not say

    @property
    def has_greeting(self):
        return bool(self.messages) and self.messages[0].is_greeting

    def stream(self):
        """The exact bytes Asterisk sent on this connection."""
        return b"".join(message.raw for message in self.messages)


@dataclasses.dataclass
class Transcript:
    name: str
    header: str
    connections: dict
    notes: list

    def messages(self):
        """Every received message of every connection, in capture order."""
        found = [m for conn in self.connections.values() for m in conn.messages]
        return sorted(found, key=lambda m: m.number)

    def actions(self):
        return sorted((a for c in self.connections.values() for a in c.actions), key=lambda a: a.offset)


def parse_headers(raw):
    """Split one AMI message into ``[(key, value)]``; a line without a colon is kept with key ''."""
    headers = []
    for line in raw.decode("utf-8", "replace").split("\r\n"):
        if not line:
            continue
        key, sep, value = line.partition(":")
        if not sep:
            headers.append(("", line))
            continue
        headers.append((key.strip(), value.removeprefix(" ")))
    return headers


def message_from_headers(headers):
    """``[(key, value)]`` -> ``{key: value}``; a repeated key keeps every value in a list, first one first."""
    message = {}
    for key, value in headers:
        old = message.get(key)
        if old is None:
            message[key] = value
        elif old.__class__ is list:
            old.append(value)
        else:
            message[key] = [old, value]
    return message


def _timestamp(text):
    return datetime.datetime.fromisoformat(text.decode().replace("Z", "+00:00"))


def _read_block(lines, index):
    """Lines from ``index`` up to and including the first empty line (the AMI terminator)."""
    block = []
    while index < len(lines):
        block.append(lines[index])
        index += 1
        if lines[index - 1] in (b"\r\n", b"\n"):
            break
    return block, index


class _Reader:
    def __init__(self, name, data):
        self.name = name
        self.lines = data.splitlines(keepends=True)
        self.connections = {}
        self.notes = []
        self.header = []
        self.current = None

    def connection(self, number):
        if number not in self.connections:
            self.connections[number] = Connection(number)
        self.current = self.connections[number]
        return self.current

    def run(self):
        index = 0
        while index < len(self.lines):
            index = self.step(self.lines[index], index)
        return Transcript(self.name, "".join(self.header), self.connections, self.notes)

    def step(self, line, index):
        if match := _RX.match(line):
            return self.read_rx(match, index + 1)
        if match := _TX.match(line):
            return self.read_tx(match, index + 1)
        if match := _NOTE.match(line):
            self.read_note(match)
        elif line.startswith(b"#") and not self.connections:
            self.header.append(line.decode("utf-8", "replace").rstrip("\r\n").lstrip("# ") + "\n")
        return index + 1

    def read_rx(self, match, index):
        stamp, offset, number, conn = match.groups()
        connection = self.connection(int(conn))
        if self.lines[index].startswith(b"Asterisk Call Manager/"):
            # The greeting is one line on the wire; the file adds an empty line after it.
            raw, index = self.lines[index], index + 2
        else:
            block, index = _read_block(self.lines, index)
            raw = b"".join(block)
        headers = [] if raw.startswith(b"Asterisk Call Manager/") else parse_headers(raw)
        connection.messages.append(
            RxMessage(int(number), int(conn), float(offset), _timestamp(stamp), raw, headers)
        )
        return index

    def read_tx(self, match, index):
        headers = []
        while index < len(self.lines) and self.lines[index].startswith(b"#> "):
            key, _sep, value = self.lines[index][3:].decode().rstrip("\r\n").partition(": ")
            headers.append((key, value))
            index += 1
        number = self.current.number if self.current else 1
        action = TxAction(float(match.group(2)), _timestamp(match.group(1)), number, headers)
        self.connection(number).actions.append(action)
        return index

    def read_note(self, match):
        stamp, offset, text = match.groups()
        text = text.decode("utf-8", "replace")
        number = self.current.number if self.current else 0
        if opened := _OPENED.search(text):
            number = int(opened.group(1))
            self.connection(number).opened_at = float(offset)
        elif closed := _CLOSED.search(text):
            number = int(closed.group(1))
            connection = self.connection(number)
            connection.closed_at, connection.closed_by = float(offset), closed.group(2)
        self.notes.append(Note(float(offset), _timestamp(stamp), number, text))


def load(path):
    """Parse one ``.ami`` transcript file."""
    with open(path, "rb") as handle:
        data = handle.read()
    name = str(path).rsplit("/", 1)[-1].removesuffix(".ami")
    return _Reader(name, data).run()


def load_queue_log(path):
    """Asterisk's queue_log lines as ``[(epoch, callid, queue, agent, event, [data...])]``."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.rstrip("\r\n").split("|")
            if len(parts) >= 5:
                rows.append((int(parts[0]), parts[1], parts[2], parts[3], parts[4], parts[5:]))
    return rows

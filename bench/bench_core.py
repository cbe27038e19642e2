"""Throughput of the call-state machine alone (no I/O, no Odoo).

Parses the 50-call burst transcript once, then feeds its received messages N times into one CallTracker, each
round with distinct Uniqueids/Linkedids/channel names and later stamps, as one long stream of calls. Prints
events per second and calls per second. Timing only: no assertions.

    /opt/odoo-venv/bin/python bench/bench_core.py [--rounds 20] [--transcript path/to/n-burst-50-calls.ami]
"""

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "addons", "callcenter_cti"))

from cti import callstate, transcript  # noqa: E402  (the pure package, without the Odoo addon around it)

DEFAULT_TRANSCRIPT = os.path.join(
    os.environ.get("CALLCENTER_FIXTURES", os.path.join(ROOT, "..", "shared", "fixtures", "ami")),
    "n-burst-50-calls.ami",
)


def _renamer(tag):
    """Make ids and channel names of one round distinct while keeping their shape (device, ;1/;2 half)."""

    def rename(key, value):
        if value.__class__ is list:
            return [rename(key, item) for item in value]
        if key.endswith(("Uniqueid", "Linkedid")) or key == "ActionID":
            return f"{value}-{tag}"
        if key.endswith("Channel") and "-" in value:
            head, _sep, tail = value.rpartition("-")
            return f"{head}-{tag}x{tail}"
        return value

    return rename


def round_messages(base, tag, shift):
    rename = _renamer(tag)
    return [({key: rename(key, value) for key, value in message.items()}, at + shift) for message, at in base]


def load(path):
    rx = [message for message in transcript.load(path).messages() if message.headers]
    base = [(callstate.message_from_headers(m.headers), m.received_at.timestamp()) for m in rx]
    calls = sum(1 for message, _at in base if message.get("Event") == "QueueCallerJoin")
    return rx, base, calls


def time_conversion(rx):
    start = time.perf_counter()
    for message in rx:
        callstate.message_from_headers(message.headers)
    return len(rx) / (time.perf_counter() - start)


def run(base, rounds):
    tracker = callstate.CallTracker()
    span = base[-1][1] - base[0][1] + 1.0
    elapsed, produced, ended = 0.0, 0, 0
    for number in range(rounds):
        stream = round_messages(base, f"r{number}", number * span)  # prepared outside the timing
        feed = tracker.feed
        start = time.perf_counter()
        for message, at in stream:
            out = feed(message, at)
            if out:
                produced += len(out)
                ended += sum(1 for event in out if event.kind == "call_ended")
        elapsed += time.perf_counter() - start
    return tracker, elapsed, produced, ended


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--transcript", default=DEFAULT_TRANSCRIPT)
    args = parser.parse_args(argv)
    rx, base, calls = load(args.transcript)
    tracker, elapsed, produced, ended = run(base, args.rounds)
    fed = len(base) * args.rounds
    print(f"transcript: {os.path.basename(args.transcript)}: {len(base)} messages, {calls} calls per round")
    print(f"fed {fed} messages ({args.rounds} rounds) in {elapsed:.3f} s -> {produced} domain events")
    print(f"core: {fed / elapsed:,.0f} events/s, {calls * args.rounds / elapsed:,.1f} calls/s")
    print(f"calls ended: {ended}, still open: {len(tracker.calls)}, channels left: {len(tracker.channels)}")
    print(f"message_from_headers alone: {time_conversion(rx):,.0f} messages/s")


if __name__ == "__main__":
    main()

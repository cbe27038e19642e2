import glob
import os

from odoo.tests import BaseCase

from ..cti import callstate, transcript
from .common import fixtures_dir


class TestEventFilter(BaseCase):
    """callstate.wanted() drops the bulk of the stream before parsing: it must never change a call record."""

    def run_tracker(self, loaded, keep):
        tracker, events = callstate.CallTracker(), []
        for message in loaded.messages():
            if message.is_greeting or not keep(message.raw):
                continue
            events += tracker.feed(
                callstate.message_from_headers(message.headers), message.received_at.timestamp()
            )
        return events

    def test_same_domain_events_with_and_without_the_filter(self):
        files = sorted(glob.glob(os.path.join(fixtures_dir(), "*.ami")))
        self.assertGreaterEqual(len(files), 17)
        kept = total = 0
        for path in files:
            loaded = transcript.load(path)
            with self.subTest(transcript=loaded.name):
                everything = self.run_tracker(loaded, lambda raw: True)
                self.assertEqual(self.run_tracker(loaded, callstate.wanted), everything)
            total += len(loaded.messages())
            kept += sum(callstate.wanted(m.raw) for m in loaded.messages())
        self.assertLess(kept, total / 2, "the filter should drop most of the stream")

    def test_answers_to_actions_and_responses_are_always_kept(self):
        self.assertTrue(callstate.wanted(b"Response: Success\r\nActionID: x\r\n\r\n"))
        self.assertTrue(callstate.wanted(b"Event: CoreShowChannel\r\nActionID: o-6\r\nChannel: x\r\n\r\n"))
        self.assertFalse(callstate.wanted(b"Event: Newexten\r\nChannel: x\r\n\r\n"))
        self.assertFalse(callstate.wanted(b"Event: VarSet\r\nVariable: C_W1\r\nValue: 2\r\n\r\n"))
        self.assertTrue(
            callstate.wanted(b"Event: VarSet\r\nVariable: MIXMONITOR_FILENAME\r\nValue: a.wav\r\n\r\n")
        )

from odoo.tests import BaseCase

from ..cti import transcript
from .common import fixture_path


class TestTranscript(BaseCase):
    def test_every_transcript_parses(self):
        t = transcript.load(fixture_path("o-reconnect-state-recovery.ami"))
        self.assertEqual(sorted(t.connections), [1, 2])
        self.assertTrue(t.connections[2].has_greeting)

import contextlib
import tempfile

from odoo.tests import BaseCase

from ..cti.pipeline import Pipeline
from .common import feed_pipeline


class RecordingSink:
    """A database stand-in with the same contract: a batch and its marker land together, or not at all."""

    def __init__(self):
        self.calls, self.applied_seq, self.batches, self.fail_next = {}, 0, 0, 0

    def __call__(self, events, last_seq):
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("database went away")
        for event in events:
            if event.kind == "call_changed":
                self.calls[event.call["linkedid"]] = event.call
        self.applied_seq, self.batches = last_seq, self.batches + 1


def drain_all(pipeline):
    while not pipeline.idle:
        try:
            pipeline.drain()
        except ConnectionError:
            continue


class TestPipeline(BaseCase):
    def reference(self, name):
        sink = RecordingSink()
        pipeline = Pipeline(tempfile.mkdtemp(), sink)
        pipeline.start(0)
        feed_pipeline(pipeline, name)
        drain_all(pipeline)
        pipeline.close()
        return sink.calls

    def test_database_outage_loses_and_doubles_nothing(self):
        sink = RecordingSink()
        pipeline = Pipeline(tempfile.mkdtemp(), sink)
        pipeline.start(0)

        def flaky_drain():
            sink.fail_next = 2  # every other batch meets an outage twice before it lands
            with contextlib.suppress(ConnectionError):  # the bridge backs off and drains again
                pipeline.drain()

        feed_pipeline(pipeline, "n-burst-50-calls.ami", on_drain=flaky_drain)
        drain_all(pipeline)
        self.assertEqual(sink.calls, self.reference("n-burst-50-calls.ami"))
        self.assertEqual(sink.applied_seq, pipeline.journal.last_seq)

    def test_restart_applies_only_what_the_database_lacks(self):
        directory, sink = tempfile.mkdtemp(), RecordingSink()
        pipeline = Pipeline(directory, sink, checkpoint_every=500)
        pipeline.start(0)
        feed_pipeline(
            pipeline, "n-burst-50-calls.ami", drain_every=10**9
        )  # everything journaled, little applied
        pipeline.drain(max_events=700)
        pipeline.close()  # the process dies here: the rest is only in the journal
        applied_before = sink.batches

        restarted = Pipeline(directory, sink, checkpoint_every=500)
        self.assertGreater(restarted.start(sink.applied_seq), 0)
        drain_all(restarted)
        restarted.close()
        self.assertGreater(sink.batches, applied_before)
        self.assertEqual(sink.calls, self.reference("n-burst-50-calls.ami"))

    def test_checkpoint_then_restart_gives_the_same_calls(self):
        directory, sink = tempfile.mkdtemp(), RecordingSink()
        pipeline = Pipeline(directory, sink, checkpoint_every=300)
        pipeline.start(0)
        feed_pipeline(pipeline, "o-reconnect-state-recovery.ami", drain_every=100)
        pipeline.close()
        restarted = Pipeline(directory, sink, checkpoint_every=300)
        restarted.start(sink.applied_seq)
        drain_all(restarted)
        restarted.close()
        self.assertEqual(sink.calls, self.reference("o-reconnect-state-recovery.ami"))
        self.assertTrue(all(call["ended"] for call in sink.calls.values()))

"""Call controls name the call's channels by role (@agent, @customer); the bridge's state machine resolves
them. At the moment the recording lab sent its transfer and conference actions, the roles resolve to exactly
the channels the lab named (e: BlindTransfer, e2: Redirect, m: Redirect of both parties)."""

from odoo.tests import BaseCase

from ..cti import callstate
from ..service.command_queue import CallGone, resolve_channels
from .test_callstate import as_message, load, stamp


class TestCommandChannels(BaseCase):
    def tracker_when_sent(self, letter, action_name):
        """The state machine fed with what was received before the lab sent ``action_name``, and that
        action."""
        scenario = load(letter)
        action = next(a for a in scenario.actions() if a.get("Action") == action_name)
        tracker = callstate.CallTracker()
        for rx in scenario.messages():
            if rx.headers and rx.received_at < action.sent_at:
                tracker.feed(as_message(rx), stamp(rx))
        return tracker, action

    def only_live_call(self, tracker):
        [linkedid] = list(tracker.open_calls())
        return linkedid

    def test_blind_transfer_acts_on_the_answering_agents_channel(self):
        tracker, action = self.tracker_when_sent("e", "BlindTransfer")
        channels = tracker.live_channels(self.only_live_call(tracker))
        self.assertEqual(channels["agent"], action.get("Channel"))

    def test_redirect_moves_the_customers_channel(self):
        tracker, action = self.tracker_when_sent("e2", "Redirect")
        channels = tracker.live_channels(self.only_live_call(tracker))
        self.assertEqual(channels["customer"], action.get("Channel"))

    def test_conference_moves_customer_and_agent(self):
        tracker, action = self.tracker_when_sent("m", "Redirect")
        channels = tracker.live_channels(self.only_live_call(tracker))
        queued = [{"Action": "Redirect", "Channel": "@customer", "ExtraChannel": "@agent", "Exten": "7001"}]
        [resolved] = resolve_channels(queued, channels)
        self.assertEqual(resolved["Channel"], action.get("Channel"))
        self.assertEqual(resolved["ExtraChannel"], action.get("ExtraChannel"))
        self.assertEqual(resolved["Exten"], "7001")  # other values pass unchanged

    def test_a_call_that_is_gone_cannot_be_resolved(self):
        with self.assertRaises(CallGone):
            resolve_channels([{"Action": "Hangup", "Channel": "@agent"}], {})
        tracker, _action = self.tracker_when_sent("e", "BlindTransfer")
        self.assertEqual(tracker.live_channels("no-such-call"), {})
